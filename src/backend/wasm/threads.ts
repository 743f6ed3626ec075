/**
 * A persistent pool of worker threads that run wasm kernels over one shared
 * WebAssembly.Memory, with the calling thread taking part.
 *
 * Work is described as a *job*: a list of independent *chunks*, each a short
 * sequence of kernel calls (export index + numeric arguments), encoded into a
 * SharedArrayBuffer. Threads claim chunks dynamically (a compare-and-swap on a
 * ticket word holding job sequence number and next chunk), so a thread that
 * the OS descheduled simply claims fewer chunks; the job is over when every
 * chunk has *finished*, whoever ran it. Two argument placeholders stand for
 * the running thread's own areas: {@link SCRATCH} (its GEMM packing scratch)
 * and {@link work}(offset) (its resizable work buffer, e.g. an im2col matrix).
 *
 * Workers spin after a job for an *adaptive window* of time, then sleep in
 * Atomics.wait: waking a sleeping thread costs 10-50 microseconds, which is
 * as long as a whole small GEMM, and inside a training step jobs follow each
 * other after tens to hundreds of microseconds of single-threaded work. Each
 * worker widens its window to twice the gap when a job came soon after it
 * fell asleep (the spin was too short), and halves it after a long idle
 * period or when its spin was descheduled (other processes want the cores),
 * between {@link SPIN_MIN_US} and {@link SPIN_MAX_US}: a training loop keeps
 * its workers awake, an idle program stops spinning within a millisecond.
 * Sleep is light first (timed waits the caller need not notify, see
 * LIGHT_WAIT_US), then, after a few idle milliseconds, deep. The caller also
 * wakes (deeply) sleeping workers as soon as it starts building a job
 * ({@link chunk}), so they wake while it encodes. The main
 * thread waits for the last chunk by spinning a while, then Atomics.wait
 * where allowed (Node, workers; a spin on a browser main thread). Kernels
 * themselves use no atomics.
 *
 * Every worker owns its slot t through a *generation* number: ctrl[GEN + t]
 * holds the generation allowed to serve slot t, and a worker re-reads it
 * before every claim. A resize that stops a worker only changes that word, so
 * a stopped worker that has not exited yet (terminate() is asynchronous; on a
 * busy machine it may not have run for a while) can never claim a chunk of a
 * later job, even after a new worker took its slot and scratch. Resizes are
 * synchronous (workers are created synchronously and join once instantiated),
 * so two overlapping `setNumThreads` calls simply apply in call order.
 *
 * Without shared memory (no SharedArrayBuffer, or a browser page that is not
 * crossOriginIsolated) there are no workers and every job runs inline on the
 * calling thread, through the same encoding.
 *
 * Workers are created from source text (eval in Node, a Blob URL in
 * browsers), so no separate worker file has to be found at run time, and
 * are unref()ed: a finished program exits even with the pool alive.
 */
import type { Kernels } from './kernels.js';
import { nodeBuiltin } from '../../util/node.js';
import { TensorError } from '../../core/errors.js';

/** Kernel exports callable from jobs; the index is the encoded function id. */
export const KERNEL_NAMES = [
  'sgemm', 'im2col', 'col2im', 'binaryF32', 'binaryF64', 'unaryF32', 'unaryF64', 'reduceF32', 'reduceF64',
  'maxPool2dF32',
  'convPad', 'convFwdDirect', 'convBwdWDirect', 'convBiasRelu', 'convBiasReluBackward', 'maxPoolBackwardF32',
  'sgdF32', 'adamF32', 'sgemmPackB', 'sgemmPackedB', 'wgConv', 'wgBwdW', 'cpbInput', 'cpbWeight',
  'wg4Conv', 'wgPackU', 'wg4PackU', 'wg4BwdW', 'wgFinishDW', 'fill8',
] as const;
export type KernelName = (typeof KERNEL_NAMES)[number];
export const FN = Object.fromEntries(KERNEL_NAMES.map((n, i) => [n, i])) as Record<KernelName, number>;

/** Argument placeholder: the running thread's GEMM scratch. */
export const SCRATCH = -1e15;
/** Argument placeholder: byte `offset` into the running thread's work buffer. */
export function work(offset = 0): number {
  return -1e12 - offset;
}

// ---- shared control block layout (Int32 indices) ----------------------------
const TICKET = 0; // (seq << 16) | next unclaimed chunk
const WAKE = 1; // bumped once per published job
const FINISHED = 2; // chunks of the current job finished
const NCHUNKS = 3; // chunks in the current job
const SLEEPERS = 4; // workers inside Atomics.wait on WAKE
const ERROR = 5; // a chunk threw
const READY = 16; // READY + t: generation of the worker instantiated in slot t (t >= 1)
const GEN = 80; // GEN + t: generation allowed to serve slot t (0: none; GEN + 0 is the caller's, always 1)
/** A ticket value no job reaches: published first by flush so that stale claims fail (see flush). */
const CLOSED = 0xffff;
const PTRS_BYTE = 1024; // Float64: [2t] scratch, [2t + 1] work buffer of thread t
/** Most threads (the caller included) a pool may have; setNumThreads rejects more. */
export const MAX_THREADS = 64;

/**
 * Checks a thread count given by a user: an integer in 1..{@link MAX_THREADS}.
 * Throws a TensorError naming `fn` otherwise (never a silent clamp).
 * @example checkThreadCount('setNumThreads', 4);
 */
export function checkThreadCount(fn: string, n: unknown): asserts n is number {
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > MAX_THREADS) {
    const got = typeof n === 'number' ? String(n) : typeof n === 'string' ? JSON.stringify(n) : typeof n;
    throw new TensorError(`${fn}: expected an integer number of threads from 1 to ${MAX_THREADS} (the caller included), got ${got}`);
  }
}
const CTRL_BYTES = PTRS_BYTE + MAX_THREADS * 16;
/** Job encoding capacity: f64 words and chunks; a job that would exceed it is run in parts. */
const JOB_WORDS = 1 << 16;
const MAX_CHUNKS = 1 << 13;
/** Bounds and start of a worker's adaptive spin window, in microseconds (see the file comment). */
export const SPIN_MIN_US = 50;
export const SPIN_MAX_US = 1000;
const SPIN_START_US = 200;
/**
 * After its spin window (or at once when descheduled), a worker first sleeps
 * *lightly* until {@link LIGHT_UNTIL_US} after its last job: timed waits of
 * LIGHT_WAIT_US it does not announce in SLEEPERS, so the caller never calls
 * Atomics.notify for it. Measured in MLP training steps (2 threads, load 2-2.5):
 * 1.4-1.9 notifies per step cost the caller 63-112 us per step (median 1 us,
 * but a long tail: a notify can hand the caller's core to the woken thread);
 * with light sleep 0.06-0.09 notifies, 1.3-1.7 us per step, and the worker
 * still ran the same share of chunks (0.44-0.45); mean step time fell 3-12%
 * in 7 of 7 interleaved in-process A/B runs (medians unchanged within noise;
 * not yet measured on a quiet machine). A light sleeper joins a job
 * up to ~0.1 ms late (the caller meanwhile runs chunks itself); after
 * LIGHT_UNTIL_US it sleeps until notified, so an idle program stops waking up.
 */
const LIGHT_WAIT_US = 100;
const LIGHT_UNTIL_US = 3000;
/**
 * Kernel calls with at most this many arguments are made with the arguments
 * spelled out (see claimLoop, whose two copies each spell out exactly this
 * many): the most any kernel takes, im2col's (a test checks every kernel's arity).
 */
export const DIRECT_ARGS = 21;
/** How long the caller spins for the last chunk before sleeping in Atomics.wait (its core is idle meanwhile). */
const MAIN_SPIN_US = 500;

/**
 * The claim-run loop of the calling thread. Workers run the same loop from
 * {@link WORKER_SOURCE} (plain JavaScript kept in a string, so that no
 * transpiler helper leaks into the worker; keep the two in step).
 */
function claimLoop(
  ctrl: Int32Array, ptrs: Float64Array, job: Float64Array, index: Int32Array,
  fns: ((...a: number[]) => void)[], t: number, gen: number, onError: (e: unknown) => void,
): number {
  let ran = 0;
  for (;;) {
    // A worker whose slot was taken away stops claiming (see the file comment).
    if (Atomics.load(ctrl, GEN + t) !== gen) return ran;
    const v = Atomics.load(ctrl, TICKET);
    const n = Atomics.load(ctrl, NCHUNKS);
    const i = v & 0xffff;
    if (i >= n) return ran;
    if (Atomics.compareExchange(ctrl, TICKET, v, v + 1) !== v) continue;
    ran++;
    runChunk(ctrl, ptrs, job, index, fns, t, i, onError);
    if (Atomics.add(ctrl, FINISHED, 1) + 1 === n) Atomics.notify(ctrl, FINISHED);
  }
}

/** Argument buffers of the calling thread's runChunk (one thread: reused by every call). */
const callRegs = new Float64Array(DIRECT_ARGS);
const callArgsSpread: number[] = [];

/** Runs chunk `i` of the published job on thread `t` (its scratch and work buffer); a kernel's exception goes to onError. */
function runChunk(
  ctrl: Int32Array, ptrs: Float64Array, job: Float64Array, index: Int32Array,
  fns: ((...a: number[]) => void)[], t: number, i: number, onError: (e: unknown) => void,
): void {
  const regs = callRegs, args = callArgsSpread;
  const scratch = ptrs[2 * t]!, wk = ptrs[2 * t + 1]!;
  try {
    let p = index[i]!;
    const calls = job[p++]!;
    for (let c = 0; c < calls; c++) {
      const fn = fns[job[p++]!]!;
      const argc = job[p++]!;
      if (argc <= DIRECT_ARGS) {
        // Arguments spelled out from a typed array: no array resized per call, no spread
        // (fn(...args) with args.length = argc: 0.13 against 0.04 us a call). A wasm export ignores
        // arguments past its arity, and NaN converts as undefined does (i32 0, float NaN).
        for (let a = 0; a < argc; a++) {
          const x = job[p++]!;
          regs[a] = x > -1e12 ? x : x < -1e14 ? scratch : wk + (-1e12 - x);
        }
        regs.fill(NaN, argc);
        const r = regs;
        fn(r[0]!, r[1]!, r[2]!, r[3]!, r[4]!, r[5]!, r[6]!, r[7]!, r[8]!, r[9]!, r[10]!, r[11]!, r[12]!, r[13]!, r[14]!, r[15]!, r[16]!, r[17]!, r[18]!, r[19]!, r[20]!);
      } else {
        args.length = argc;
        for (let a = 0; a < argc; a++) {
          const x = job[p++]!;
          args[a] = x > -1e12 ? x : x < -1e14 ? scratch : wk + (-1e12 - x);
        }
        fn(...args);
      }
    }
  } catch (e) {
    Atomics.store(ctrl, ERROR, 1);
    onError(e);
  }
}

/**
 * The worker script: instantiate the module over the shared memory, mark
 * itself ready, then serve jobs (spin, then sleep on WAKE) until its slot's
 * generation (GEN + t) is no longer its own.
 * Control-block indices are spelled out; they match the constants above.
 */
const WORKER_SOURCE = `
function claimLoop(ctrl, ptrs, job, index, fns, t, gen) {
  const args = [];
  const regs = new Float64Array(${DIRECT_ARGS});
  for (;;) {
    if (Atomics.load(ctrl, 80 + t) !== gen) return;
    const v = Atomics.load(ctrl, 0);
    const n = Atomics.load(ctrl, 3);
    const i = v & 0xffff;
    if (i >= n) return;
    if (Atomics.compareExchange(ctrl, 0, v, v + 1) !== v) continue;
    const scratch = ptrs[2 * t], wk = ptrs[2 * t + 1];
    try {
      let p = index[i];
      const calls = job[p++];
      for (let c = 0; c < calls; c++) {
        const fn = fns[job[p++]];
        const argc = job[p++];
        if (argc <= ${DIRECT_ARGS}) {
          for (let a = 0; a < argc; a++) {
            const x = job[p++];
            regs[a] = x > -1e12 ? x : x < -1e14 ? scratch : wk + (-1e12 - x);
          }
          regs.fill(NaN, argc);
          const r = regs;
          fn(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9], r[10], r[11], r[12], r[13], r[14], r[15], r[16], r[17], r[18], r[19], r[20]);
        } else {
          args.length = argc;
          for (let a = 0; a < argc; a++) {
            const x = job[p++];
            args[a] = x > -1e12 ? x : x < -1e14 ? scratch : wk + (-1e12 - x);
          }
          fn(...args);
        }
      }
    } catch (e) {
      Atomics.store(ctrl, 5, 1);
      console.error(e);
    }
    if (Atomics.add(ctrl, 2, 1) + 1 === n) Atomics.notify(ctrl, 2);
  }
}
function workerMain(d) {
  const inst = new WebAssembly.Instance(d.module, {
    env: { memory: d.memory, abort() { throw new Error('wasm backend: kernel aborted'); } },
  });
  const fns = d.names.map((n) => inst.exports[n]);
  const ctrl = new Int32Array(d.ctrlBuf), ptrs = new Float64Array(d.ctrlBuf, d.ptrsByte);
  const job = new Float64Array(d.jobBuf), index = new Int32Array(d.indexBuf);
  let seen = Atomics.load(ctrl, 1);
  // Mark the slot ready with this generation; a stopped older worker of the slot only ever writes over 0.
  for (;;) {
    if (Atomics.load(ctrl, 80 + d.t) !== d.gen) return;
    const cur = Atomics.load(ctrl, 16 + d.t);
    if (cur === d.gen) break;
    if (cur !== 0 && Atomics.load(ctrl, 80 + d.t) !== d.gen) return;
    if (Atomics.compareExchange(ctrl, 16 + d.t, cur, d.gen) === cur) break;
  }
  // Adaptive spin (see the file comment): the window grows when a job came soon after
  // the worker fell asleep, and shrinks after long idle periods.
  let windowMs = d.spinStartUs / 1000;
  const minMs = d.spinMinUs / 1000, maxMs = d.spinMaxUs / 1000;
  // A spin that was descheduled (a long jump between two clock reads) means other
  // processes want the cores: it stops at once and the window halves.
  for (;;) {
    const idleSince = performance.now();
    let spins = 0, slept = false, preempted = false, last = idleSince;
    while (Atomics.load(ctrl, 1) === seen) {
      if ((++spins & 127) !== 0) continue;
      const now = performance.now();
      if (now - last > 0.05) preempted = true;
      last = now;
      if (preempted || now - idleSince > windowMs) {
        if (now - idleSince < d.lightUntilUs / 1000) {
          // Light sleep: short timed waits, not counted in SLEEPERS, so the caller never has to notify.
          Atomics.wait(ctrl, 1, seen, d.lightWaitUs / 1000);
        } else {
          Atomics.add(ctrl, 4, 1);
          Atomics.wait(ctrl, 1, seen);
          Atomics.sub(ctrl, 4, 1);
        }
        slept = true;
        last = performance.now();
      }
    }
    if (preempted) windowMs = Math.max(minMs, windowMs / 2);
    else if (slept) {
      const gap = performance.now() - idleSince;
      windowMs = gap < maxMs ? Math.min(maxMs, 2 * gap) : Math.max(minMs, windowMs / 2);
    }
    seen = Atomics.load(ctrl, 1);
    if (Atomics.load(ctrl, 80 + d.t) !== d.gen) return;
    claimLoop(ctrl, ptrs, job, index, fns, d.t, d.gen);
  }
}
`;

function workerSource(node: boolean): string {
  return node
    ? `${WORKER_SOURCE}workerMain(require('node:worker_threads').workerData);\n`
    : `${WORKER_SOURCE}self.onmessage = (e) => { self.onmessage = null; workerMain(e.data); };\n`;
}

const isNode = typeof process !== 'undefined' && !!process.versions?.node;

/** True when this environment can share a WebAssembly.Memory with workers. */
export function sharedMemorySupported(): boolean {
  if (typeof SharedArrayBuffer === 'undefined' || typeof Atomics === 'undefined') return false;
  if (isNode) return true;
  return (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true && typeof Worker !== 'undefined';
}

/**
 * Number of hardware threads (Node: os.availableParallelism; browsers:
 * navigator.hardwareConcurrency), at most {@link MAX_THREADS}.
 */
export function defaultThreadCount(): number {
  let n: number;
  if (isNode) {
    const os = nodeBuiltin('node:os', 'wasm backend');
    n = os.availableParallelism?.() ?? os.cpus().length;
  } else {
    n = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency ?? 1;
  }
  return Math.max(1, Math.min(MAX_THREADS, Math.floor(n) || 1));
}

interface WorkerHandle {
  terminate(): unknown;
}

/** Per-thread areas, allocated by the backend's heap (the only allocator). */
export interface ThreadAreas {
  alloc(bytes: number): { ptr: number; size: number };
  free(ptr: number, size: number): void;
}

export class ThreadPool {
  private readonly ctrl: Int32Array;
  private readonly ptrs: Float64Array;
  private readonly job: Float64Array;
  private readonly index: Int32Array;
  private readonly fns: ((...a: number[]) => void)[];
  private readonly workers: (WorkerHandle | null)[] = [null];
  private readonly scratch: { ptr: number; size: number }[] = [];
  private readonly workBuf: { ptr: number; size: number }[] = [];
  private seq = 0;
  private count = 0;
  private pos = 0;
  private open = -1;
  /**
   * Chunk 0 of the job being built continues a chunk that filled the encoding
   * area (see overflow): the next flush runs it on this thread, where its first
   * part ran, since its calls may read what those wrote in the thread's work buffer.
   */
  private pinFirst = false;
  /** Generation of the next worker started (1 is the caller's, see GEN). */
  private nextGen = 2;
  private nodeWorker: (new (src: string, o: object) => WorkerHandle & { unref(): void }) | null = null;
  private readonly canWait: boolean;
  /** Threads in use, the caller included. */
  private size = 1;
  /** Counters: jobs run, their chunks, and how many of those workers ran (diagnostics, tests). */
  readonly stats = { jobs: 0, chunks: 0, workerChunks: 0 };

  /**
   * `module`/`memory`: what workers instantiate (memory must be shared for
   * size > 1). `areas` allocates per-thread scratch; `scratchBytes` per thread.
   */
  constructor(
    kernels: Kernels,
    private readonly module: WebAssembly.Module,
    private readonly memory: WebAssembly.Memory,
    private readonly areas: ThreadAreas,
    private readonly scratchBytes: number,
    readonly shared: boolean,
  ) {
    const mk = (bytes: number) => (shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes));
    const ctrlBuf = mk(CTRL_BYTES);
    this.ctrl = new Int32Array(ctrlBuf);
    this.ptrs = new Float64Array(ctrlBuf, PTRS_BYTE);
    this.job = new Float64Array(mk(JOB_WORDS * 8));
    this.index = new Int32Array(mk(MAX_CHUNKS * 4));
    const ex = kernels as unknown as Record<string, (...a: number[]) => void>;
    this.fns = KERNEL_NAMES.map((n) => ex[n]!);
    this.scratch.push(areas.alloc(scratchBytes));
    this.workBuf.push({ ptr: 0, size: 0 });
    this.ptrs[0] = this.scratch[0]!.ptr;
    Atomics.store(this.ctrl, GEN, 1);
    let ok = isNode;
    if (!isNode && shared) {
      try {
        Atomics.wait(this.ctrl, 63, 1, 0);
        ok = true;
      } catch {
        ok = false;
      }
    }
    this.canWait = ok;
  }

  /** Thread 0's (the caller's) GEMM scratch, for direct kernel calls. */
  get mainScratch(): number {
    return this.scratch[0]!.ptr;
  }

  /** Threads in use (the caller included). */
  get threads(): number {
    return this.size;
  }

  /** Workers that have finished instantiating (they join jobs from then on). */
  get readyWorkers(): number {
    let n = 0;
    for (let t = 1; t < this.size; t++) {
      const gen = Atomics.load(this.ctrl, GEN + t);
      if (gen !== 0 && Atomics.load(this.ctrl, READY + t) === gen) n++;
    }
    return n;
  }

  /** Workers asleep in Atomics.wait right now (the rest are spinning or working; diagnostics, tests). */
  get sleepingWorkers(): number {
    return Atomics.load(this.ctrl, SLEEPERS);
  }

  /**
   * Sets the number of threads (the caller included; 1 = no workers, and
   * always 1 without shared memory). Synchronous: when it returns, jobs use
   * the new count (new workers join once instantiated; await
   * {@link whenReady} to wait for them). `n` must be an integer in
   * 1..{@link MAX_THREADS} (TensorError otherwise). If starting a worker
   * fails (heap cap, worker creation), the pool keeps the threads it has.
   */
  resize(n: number): void {
    checkThreadCount('setNumThreads', n);
    if (!this.shared) n = 1;
    // A job left half-built by an exception belongs to no one: it must not run with the new threads.
    this.discard();
    while (this.size > n) this.stopWorker();
    while (this.size < n) this.startWorker();
  }

  /** Stops the last worker: its slot's generation is cleared first, so it claims nothing more. */
  private stopWorker(): void {
    const t = this.size - 1;
    Atomics.store(this.ctrl, GEN + t, 0);
    Atomics.store(this.ctrl, READY + t, 0);
    this.wake();
    const w = this.workers.pop();
    this.size = t;
    const s = this.scratch.pop()!, wb = this.workBuf.pop()!;
    this.ptrs[2 * t] = 0;
    this.ptrs[2 * t + 1] = 0;
    this.areas.free(s.ptr, s.size);
    if (wb.size) this.areas.free(wb.ptr, wb.size);
    try {
      void w?.terminate();
    } catch {
      // Already gone: nothing to stop.
    }
  }

  /** Starts a worker in the next slot; on failure nothing has changed. */
  private startWorker(): void {
    const t = this.size;
    const s = this.areas.alloc(this.scratchBytes);
    const gen = this.nextGen;
    this.nextGen = this.nextGen >= 0x7ffffff0 ? 2 : this.nextGen + 1;
    this.ptrs[2 * t] = s.ptr;
    this.ptrs[2 * t + 1] = 0;
    Atomics.store(this.ctrl, READY + t, 0);
    Atomics.store(this.ctrl, GEN + t, gen);
    let w: WorkerHandle;
    try {
      w = this.spawn(t, gen);
    } catch (e) {
      Atomics.store(this.ctrl, GEN + t, 0);
      this.ptrs[2 * t] = 0;
      this.areas.free(s.ptr, s.size);
      throw new TensorError(`setNumThreads: could not start worker thread ${t} (${(e as Error)?.message ?? e}); the pool keeps ${t} threads`);
    }
    this.scratch.push(s);
    this.workBuf.push({ ptr: 0, size: 0 });
    this.workers.push(w);
    this.size = t + 1;
  }

  /** Resolves once every worker has instantiated (or `timeoutMs` passed). */
  async whenReady(timeoutMs = 10000): Promise<boolean> {
    const t0 = Date.now();
    while (this.readyWorkers < this.size - 1) {
      if (Date.now() - t0 > timeoutMs) return false;
      await new Promise((r) => setTimeout(r, 2));
    }
    return true;
  }

  /** Creates worker `t` of generation `gen` (synchronously; it instantiates the module on its own thread). */
  private spawn(t: number, gen: number): WorkerHandle {
    const data = {
      module: this.module, memory: this.memory, ctrlBuf: this.ctrl.buffer, jobBuf: this.job.buffer,
      indexBuf: this.index.buffer, names: [...KERNEL_NAMES], t, gen, ptrsByte: PTRS_BYTE,
      spinStartUs: SPIN_START_US, spinMinUs: SPIN_MIN_US, spinMaxUs: SPIN_MAX_US,
      lightWaitUs: LIGHT_WAIT_US, lightUntilUs: LIGHT_UNTIL_US,
    };
    if (isNode) {
      if (!this.nodeWorker) this.nodeWorker = nodeBuiltin('node:worker_threads', 'wasm backend').Worker as never;
      // execArgv []: the worker is plain JavaScript and needs none of the parent's loaders.
      const w = new this.nodeWorker!(workerSource(true), { eval: true, workerData: data, execArgv: [] });
      w.unref();
      (w as unknown as { on(ev: string, f: (e: unknown) => void): void }).on('error', (e) => {
        // A worker that failed to start never claims chunks; the others (and the caller) do its share.
        console.error(`wasm backend: worker ${t} failed:`, e);
      });
      return w;
    }
    const url = URL.createObjectURL(new Blob([workerSource(false)], { type: 'text/javascript' }));
    const w = new Worker(url);
    w.postMessage(data);
    return w;
  }

  /** Ensures each thread's work buffer holds `bytes`; call before building a job that uses {@link work}. */
  ensureWork(bytes: number): void {
    if (this.pending()) this.flush();
    for (let t = 0; t < this.size; t++) {
      const w = this.workBuf[t]!;
      if (w.size >= bytes) continue;
      // Forget the old buffer before allocating: if the allocation throws, nothing points at freed memory.
      this.workBuf[t] = { ptr: 0, size: 0 };
      this.ptrs[2 * t + 1] = 0;
      if (w.size) this.areas.free(w.ptr, w.size);
      const a = this.areas.alloc(bytes);
      this.workBuf[t] = a;
      this.ptrs[2 * t + 1] = a.ptr;
    }
  }

  /** Releases the work buffers (they are re-allocated on demand). */
  trimWork(): void {
    for (let t = 0; t < this.size; t++) {
      const w = this.workBuf[t]!;
      if (w.size) this.areas.free(w.ptr, w.size);
      this.workBuf[t] = { ptr: 0, size: 0 };
      this.ptrs[2 * t + 1] = 0;
    }
  }

  // ---- building and running jobs ----------------------------------------------

  private pending(): boolean {
    return this.count > 0;
  }

  /**
   * Drops the job being built, if any. A driver interrupted by an exception
   * between {@link chunk} and {@link flush} would otherwise leave its chunks
   * to run with the next job, writing into buffers that may be reused by then.
   */
  discard(): void {
    this.count = 0;
    this.pos = 0;
    this.open = -1;
    this.pinFirst = false;
  }

  /** Starts a new chunk (runs the job built so far first if the encoding area is nearly full). */
  chunk(): void {
    if (this.count >= MAX_CHUNKS || this.pos > JOB_WORDS - 512) this.flush();
    // First chunk of a job: wake sleeping workers now, so they are up by the time it is published.
    if (this.count === 0 && this.size > 1 && Atomics.load(this.ctrl, SLEEPERS) > 0) this.wake();
    this.index[this.count++] = this.pos;
    this.open = this.pos;
    this.job[this.pos++] = 0;
  }

  /**
   * Appends a kernel call to the current chunk. Calls of one chunk run in
   * order and on one thread, also when the encoding area fills up mid-chunk
   * (see overflow): they may pass data through that thread's work buffer.
   */
  call(fn: number, ...args: number[]): void {
    this.callArgs(fn, args);
  }

  /**
   * {@link call} with the arguments in an array the caller may reuse (a
   * template whose varying slots it rewrites per call): hot loops that
   * append a call per image allocate nothing per call.
   */
  callArgs(fn: number, args: ArrayLike<number>): void {
    const n = args.length;
    // Twice at most: an open chunk moved to the start of the next job may still leave no room for
    // this call (the chunks before it were that small); then it fills the area alone.
    while (this.pos + 2 + n > JOB_WORDS) this.overflow();
    const j = this.job;
    j[this.open]!++;
    j[this.pos++] = fn;
    j[this.pos++] = n;
    for (let a = 0; a < n; a++) j[this.pos++] = args[a]!;
  }

  /**
   * The encoding area is full in the middle of the open chunk. A chunk's calls
   * must all run on one thread: they may pass data through its work buffer (a
   * padded copy, then the convolution that reads it). So the chunks before the
   * open one run now and the open one moves whole to the start of the next job
   * (where the caller checks again: if the call still does not fit, the moved
   * chunk fills the area alone); a chunk that fills the area alone runs its first part now on this thread,
   * and its continuation, chunk 0 of the next job, is pinned to this thread too.
   */
  private overflow(): void {
    const start = this.open;
    if (this.count > 1) {
      const words = this.job.slice(start, this.pos);
      this.count--;
      this.pos = start;
      this.flush();
      this.chunk();
      this.job.set(words, this.open);
      this.pos = this.open + words.length;
    } else {
      this.pinFirst = true;
      this.flush();
      this.chunk();
      this.pinFirst = true;
    }
  }

  /** Runs every chunk built so far, in parallel where workers are ready; returns when all have finished. */
  flush(): void {
    const n = this.count;
    if (n === 0) return;
    this.count = 0;
    this.pos = 0;
    const ctrl = this.ctrl;
    const parallel = n > 1 && this.size > 1 && this.readyWorkers > 0;
    this.seq = (this.seq + 1) & 0x7fff;
    // Close the ticket before publishing the new chunk count: a slow worker
    // that read the previous job's ticket and then this job's count would
    // otherwise claim (and run twice) a chunk of this job.
    Atomics.store(ctrl, TICKET, (this.seq << 16) | CLOSED);
    Atomics.store(ctrl, NCHUNKS, n);
    Atomics.store(ctrl, FINISHED, 0);
    Atomics.store(ctrl, ERROR, 0);
    // A pinned chunk 0 (see overflow) is not offered to the workers: this thread runs it.
    const pinned = this.pinFirst;
    this.pinFirst = false;
    Atomics.store(ctrl, TICKET, (this.seq << 16) | (pinned ? 1 : 0));
    if (parallel) this.wake();
    let failure: unknown = null;
    const onError = (e: unknown) => (failure ??= e);
    if (pinned) {
      runChunk(ctrl, this.ptrs, this.job, this.index, this.fns, 0, 0, onError);
      Atomics.add(ctrl, FINISHED, 1);
    }
    const mine = (pinned ? 1 : 0) + claimLoop(ctrl, this.ptrs, this.job, this.index, this.fns, 0, 1, onError);
    this.stats.jobs++;
    this.stats.chunks += n;
    this.stats.workerChunks += n - mine;
    let spins = 0, spinUntil = 0;
    for (;;) {
      const f = Atomics.load(ctrl, FINISHED);
      if (f >= n) break;
      if ((++spins & 127) !== 0 || !this.canWait) continue;
      const now = performance.now();
      if (spinUntil === 0) spinUntil = now + MAIN_SPIN_US / 1000;
      else if (now > spinUntil) Atomics.wait(ctrl, FINISHED, f, 50);
    }
    if (failure) throw failure;
    if (Atomics.load(ctrl, ERROR)) throw new Error('wasm backend: a kernel failed on a worker thread (see its error above)');
  }

  private wake(): void {
    Atomics.add(this.ctrl, WAKE, 1);
    if (Atomics.load(this.ctrl, SLEEPERS) > 0) Atomics.notify(this.ctrl, WAKE);
  }

  /** Stops all workers and frees their areas. */
  close(): void {
    this.resize(1);
  }
}
