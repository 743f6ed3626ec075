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
 * Workers spin briefly after a job (the next one usually follows within
 * microseconds), then sleep in Atomics.wait. The main thread waits for the
 * last chunk the same way (Atomics.wait where allowed: Node, workers; a spin
 * on a browser main thread). Kernels themselves use no atomics.
 *
 * Without shared memory (no SharedArrayBuffer, or a browser page that is not
 * crossOriginIsolated) there are no workers and every job runs inline on the
 * calling thread, through the same encoding.
 *
 * Workers are created from source text (eval in Node, a Blob URL in
 * browsers), so no separate worker file has to be found at run time, and
 * are unref()ed: a finished program exits even with the pool alive.
 */
import type { Kernels } from './loader.js';
import { nodeBuiltin } from '../../util/node.js';

/** Kernel exports callable from jobs; the index is the encoded function id. */
export const KERNEL_NAMES = [
  'sgemm', 'im2col', 'col2im', 'binaryF32', 'binaryF64', 'unaryF32', 'unaryF64', 'reduceF32', 'reduceF64',
  'maxPool2dF32',
  'convPad', 'convFwdDirect', 'convBwdWDirect', 'convBiasRelu', 'convBiasReluBackward', 'maxPoolBackwardF32',
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
const READY = 16; // READY + t: worker t instantiated (t >= 1)
const STOP = 80; // STOP + t: worker t must exit
const PTRS_BYTE = 1024; // Float64: [2t] scratch, [2t + 1] work buffer of thread t
export const MAX_THREADS = 64;
const CTRL_BYTES = PTRS_BYTE + MAX_THREADS * 16;
/** Job encoding capacity: f64 words and chunks; a job that would exceed it is run in parts. */
const JOB_WORDS = 1 << 16;
const MAX_CHUNKS = 1 << 13;
/** Spin iterations before sleeping (~10 microseconds: long spins steal the CPU from the caller on a busy machine). */
const WORKER_SPIN = 4000;
const MAIN_SPIN = 4000;

/**
 * The claim-run loop of the calling thread. Workers run the same loop from
 * {@link WORKER_SOURCE} (plain JavaScript kept in a string, so that no
 * transpiler helper leaks into the worker; keep the two in step).
 */
function claimLoop(
  ctrl: Int32Array, ptrs: Float64Array, job: Float64Array, index: Int32Array,
  fns: ((...a: number[]) => void)[], t: number, onError: (e: unknown) => void,
): number {
  const args: number[] = [];
  let ran = 0;
  for (;;) {
    const v = Atomics.load(ctrl, TICKET);
    const n = Atomics.load(ctrl, NCHUNKS);
    const i = v & 0xffff;
    if (i >= n) return ran;
    if (Atomics.compareExchange(ctrl, TICKET, v, v + 1) !== v) continue;
    ran++;
    const scratch = ptrs[2 * t]!, wk = ptrs[2 * t + 1]!;
    try {
      let p = index[i]!;
      const calls = job[p++]!;
      for (let c = 0; c < calls; c++) {
        const fn = fns[job[p++]!]!;
        const argc = job[p++]!;
        args.length = argc;
        for (let a = 0; a < argc; a++) {
          const x = job[p++]!;
          args[a] = x > -1e12 ? x : x < -1e14 ? scratch : wk + (-1e12 - x);
        }
        fn(...args);
      }
    } catch (e) {
      Atomics.store(ctrl, ERROR, 1);
      onError(e);
    }
    if (Atomics.add(ctrl, FINISHED, 1) + 1 === n) Atomics.notify(ctrl, FINISHED);
  }
}

/**
 * The worker script: instantiate the module over the shared memory, mark
 * itself ready, then serve jobs (spin, then sleep on WAKE) until STOP + t is set.
 * Control-block indices are spelled out; they match the constants above.
 */
const WORKER_SOURCE = `
function claimLoop(ctrl, ptrs, job, index, fns, t) {
  const args = [];
  for (;;) {
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
        args.length = argc;
        for (let a = 0; a < argc; a++) {
          const x = job[p++];
          args[a] = x > -1e12 ? x : x < -1e14 ? scratch : wk + (-1e12 - x);
        }
        fn(...args);
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
  Atomics.store(ctrl, 16 + d.t, 1);
  for (;;) {
    let spins = 0;
    while (Atomics.load(ctrl, 1) === seen) {
      if (++spins > d.spin) {
        Atomics.add(ctrl, 4, 1);
        Atomics.wait(ctrl, 1, seen);
        Atomics.sub(ctrl, 4, 1);
        spins = 0;
      }
    }
    seen = Atomics.load(ctrl, 1);
    if (Atomics.load(ctrl, 80 + d.t)) return;
    claimLoop(ctrl, ptrs, job, index, fns, d.t);
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

/** Number of hardware threads (Node: os.availableParallelism; browsers: navigator.hardwareConcurrency). */
export async function defaultThreadCount(): Promise<number> {
  if (isNode) {
    const os = nodeBuiltin('node:os', 'wasm backend');
    return Math.max(1, os.availableParallelism?.() ?? os.cpus().length);
  }
  return Math.max(1, (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency ?? 1);
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
    for (let t = 1; t < this.size; t++) if (Atomics.load(this.ctrl, READY + t)) n++;
    return n;
  }

  /**
   * Sets the number of threads (the caller included; 1 = no workers). New
   * workers start asynchronously and join jobs once instantiated; await
   * {@link whenReady} to wait for them.
   */
  async resize(n: number): Promise<void> {
    n = Math.max(1, Math.min(MAX_THREADS, Math.floor(n)));
    if (!this.shared) n = 1;
    if (this.pending()) throw new Error('wasm backend: resize during a job');
    while (this.size > n) {
      const t = --this.size;
      Atomics.store(this.ctrl, STOP + t, 1);
      Atomics.store(this.ctrl, READY + t, 0);
      this.wake();
      void this.workers[t]!.terminate();
      this.workers.length = t;
      const s = this.scratch.pop()!, w = this.workBuf.pop()!;
      this.areas.free(s.ptr, s.size);
      if (w.size) this.areas.free(w.ptr, w.size);
    }
    while (this.size < n) {
      const t = this.size++;
      const s = this.areas.alloc(this.scratchBytes);
      this.scratch.push(s);
      this.workBuf.push({ ptr: 0, size: 0 });
      this.ptrs[2 * t] = s.ptr;
      this.ptrs[2 * t + 1] = 0;
      Atomics.store(this.ctrl, STOP + t, 0);
      Atomics.store(this.ctrl, READY + t, 0);
      this.workers.push(await this.spawn(t));
    }
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

  private async spawn(t: number): Promise<WorkerHandle> {
    const data = {
      module: this.module, memory: this.memory, ctrlBuf: this.ctrl.buffer, jobBuf: this.job.buffer,
      indexBuf: this.index.buffer, names: [...KERNEL_NAMES], t, spin: WORKER_SPIN, ptrsByte: PTRS_BYTE,
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

  /** Starts a new chunk (runs the job built so far first if the encoding area is nearly full). */
  chunk(): void {
    if (this.count >= MAX_CHUNKS || this.pos > JOB_WORDS - 512) this.flush();
    this.index[this.count++] = this.pos;
    this.open = this.pos;
    this.job[this.pos++] = 0;
  }

  /**
   * Appends a kernel call to the current chunk. Calls of one chunk run in
   * order; if the encoding area fills up mid-chunk, the job so far is run
   * (completing the chunk's first part) and the chunk continues in the next
   * job, so that order still holds.
   */
  call(fn: number, ...args: number[]): void {
    if (this.pos + 2 + args.length > JOB_WORDS) {
      this.flush();
      this.chunk();
    }
    const j = this.job;
    j[this.open]!++;
    j[this.pos++] = fn;
    j[this.pos++] = args.length;
    for (const a of args) j[this.pos++] = a;
  }

  /** Runs every chunk built so far, in parallel where workers are ready; returns when all have finished. */
  flush(): void {
    const n = this.count;
    if (n === 0) return;
    this.count = 0;
    this.pos = 0;
    const ctrl = this.ctrl;
    const parallel = n > 1 && this.size > 1 && this.readyWorkers > 0;
    Atomics.store(ctrl, NCHUNKS, n);
    Atomics.store(ctrl, FINISHED, 0);
    Atomics.store(ctrl, ERROR, 0);
    this.seq = (this.seq + 1) & 0x7fff;
    Atomics.store(ctrl, TICKET, this.seq << 16);
    if (parallel) this.wake();
    let failure: unknown = null;
    const mine = claimLoop(ctrl, this.ptrs, this.job, this.index, this.fns, 0, (e) => (failure ??= e));
    this.stats.jobs++;
    this.stats.chunks += n;
    this.stats.workerChunks += n - mine;
    let spins = 0;
    for (;;) {
      const f = Atomics.load(ctrl, FINISHED);
      if (f >= n) break;
      if (++spins > MAIN_SPIN && this.canWait) Atomics.wait(ctrl, FINISHED, f, 50);
    }
    if (failure) throw failure;
    if (Atomics.load(ctrl, ERROR)) throw new Error('wasm backend: a kernel failed on a worker thread (see its error above)');
  }

  private wake(): void {
    Atomics.add(this.ctrl, WAKE, 1);
    if (Atomics.load(this.ctrl, SLEEPERS) > 0) Atomics.notify(this.ctrl, WAKE);
  }

  /** Stops all workers and frees their areas. */
  async close(): Promise<void> {
    await this.resize(1);
  }
}
