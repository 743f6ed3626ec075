/**
 * The WebAssembly backend's public entry. Importing it loads nothing.
 *
 * The default instance loads on first use: {@link getWasmBackend} (and
 * `tg.setBackend('wasm')`, or the first op when wasm is the default) loads it
 * synchronously in Node, reading the .wasm file and compiling it on the
 * calling thread; {@link initWasmBackend} (and `tg.ready()`) loads it
 * asynchronously, which is the only way in browsers:
 *
 *   const wasm = await initWasmBackend();   // browsers: before the first op
 *   tg.setBackend(wasm);                    // or tg.setBackend('wasm')
 *
 * after which {@link getWasmBackend} returns the same instance everywhere.
 * Loading also sets the V8 flags it needs (relaxed SIMD, --expose-gc) and
 * starts the worker threads; nothing of that happens before.
 *
 * Memory: the backward pass gives back every buffer it allocated except the
 * leaves' gradients as soon as it ends (src/backend/birth-log.ts), and
 * zeroGrad gives back the gradients no one read (Tensor.grad); other
 * tensors are freed when their storage is garbage collected, but
 * FinalizationRegistry callbacks only run when the program yields to the event
 * loop. A training loop that never awaits anything therefore grows the heap
 * until it ends; `await` something that yields a task once per step (e.g.
 * `await new Promise((r) => setImmediate(r))`) or release storages eagerly.
 * Because V8 does not see the wasm memory that dead Storage objects hold, the
 * backend also asks for a GC once 16 MiB or more (paced by the GC's cost)
 * have been allocated and not reclaimed (see WasmBackendOptions.gcPressure).
 *
 * Threads: where a WebAssembly.Memory can be shared (Node; browsers when
 * crossOriginIsolated), GEMM, convolution and large elementwise kernels run
 * on a pool of worker threads plus the calling thread, by default as many as
 * the machine has cores; {@link setNumThreads} changes that (1 = no workers).
 * Workers are started synchronously and join jobs once instantiated.
 * Results do not depend on the thread count.
 */
import { Heap, PRESSURE_BYTES } from './heap.js';
import { canLoadSync, findCleanupSome, findGc, loadKernels, loadKernelsSync, type LoadedModule, type LoadOptions } from './loader.js';
import { cleanupNow, useCleanupSome } from './storage.js';
import { WasmBackend } from './backend.js';
import type { FusedKernels } from '../backend.js';
import type { WasmContext } from './context.js';
import { checkThreadCount, defaultThreadCount, MAX_THREADS, sharedMemorySupported } from './threads.js';

export { WasmBackend } from './backend.js';
export type { HeapStats } from './heap.js';
export type { LoadOptions, Variant } from './loader.js';
export { MAX_THREADS } from './threads.js';

/** Options of `createWasmBackend` / `initWasmBackend`: the loader's (build, memory) plus name, GC pressure and threads. */
export interface WasmBackendOptions extends LoadOptions {
  /** Backend name (default 'wasm'); instances with other names are independent of the default one. */
  name?: string;
  /**
   * Ask the JS engine for a garbage collection once 16 MiB or more of wasm
   * allocations have not been reclaimed (default true; Node only), so that dead tensors'
   * finalizers free their wasm memory before the heap has to grow far.
   */
  gcPressure?: boolean;
  /**
   * Threads, the caller included (default: the number of cores, or what
   * {@link setNumThreads} asked for before loading). 1 where memory cannot be shared.
   */
  threads?: number;
}

let instance: Promise<WasmBackend> | null = null;
let ready: WasmBackend | null = null;
let requestedThreads: number | null = null;

/** Loads a new, independent wasm backend (own memory and threads). Prefer {@link initWasmBackend} for the shared one. */
export async function createWasmBackend(opts: WasmBackendOptions = {}): Promise<WasmBackend> {
  if (opts.threads !== undefined) checkThreadCount('createWasmBackend', opts.threads);
  const backend = assemble(await loadKernels(opts), opts);
  await backend.setNumThreads(opts.threads ?? defaultThreadCount());
  return backend;
}

/**
 * {@link createWasmBackend}, synchronously (Node only: see {@link canLoadWasmSync}).
 * The workers are started before it returns and join jobs once they have
 * instantiated the module; until then kernels run on the threads that are ready.
 * @example const b = createWasmBackendSync({ name: 'wasm-2t', threads: 2 });
 */
export function createWasmBackendSync(opts: WasmBackendOptions = {}): WasmBackend {
  if (opts.threads !== undefined) checkThreadCount('createWasmBackend', opts.threads);
  const backend = assemble(loadKernelsSync(opts), opts);
  // The pool resizes synchronously; nothing waits for the workers to finish instantiating.
  backend.context.pool.resize(opts.threads ?? defaultThreadCount());
  return backend;
}

/** True where the wasm backend can load synchronously (Node, builds on the file system). */
export { canLoadSync as canLoadWasmSync } from './loader.js';

/** The backend over loaded kernels: heap, GC pacing, call guard; single-threaded until the caller sets the count. */
function assemble(loaded: LoadedModule, opts: WasmBackendOptions): WasmBackend {
  const heap = new Heap(loaded.memory, loaded.kernels.heapBase(), loaded.maxBytes);
  if (opts.gcPressure ?? true) {
    const gc = findGc();
    const cleanupSome = findCleanupSome();
    if (cleanupSome) useCleanupSome(cleanupSome);
    if (gc) {
      const pace = gcPacer(heap, gc);
      // After the GC, run the finalizers of dead tensors at once rather than at the next turn of the event loop.
      heap.onPressure = () => {
        pace();
        cleanupNow();
      };
    }
  }
  const raw = new WasmBackend(loaded, heap, opts.name ?? 'wasm');
  return guardCalls(raw, heap, raw.context);
}

/**
 * Counts backend calls in progress on the heap, so blocks finalized during a
 * call are freed only when the outermost call returns (Heap.freeWhenIdle),
 * and restores the per-call state (half-built pool job, scratch blocks) when
 * the outermost call ends, normally or by an exception: whatever a call
 * throws, the next one starts from a consistent backend.
 */
function guardCalls(backend: WasmBackend, heap: Heap, ctx: WasmContext): WasmBackend {
  const guard = <F extends (...args: never[]) => unknown>(method: F, self: object): F =>
    ((...args: Parameters<F>) => {
      heap.depth++;
      try {
        return method.apply(self, args);
      } finally {
        if (--heap.depth === 0) {
          ctx.settle();
          heap.drainPending();
        }
      }
    }) as F;
  const proto = Object.getPrototypeOf(backend) as object;
  for (const name of Object.getOwnPropertyNames(proto)) {
    const desc = Object.getOwnPropertyDescriptor(proto, name);
    if (name === 'constructor' || !desc || typeof desc.value !== 'function') continue;
    Object.defineProperty(backend, name, { value: guard(desc.value as (...a: never[]) => unknown, backend), writable: true, configurable: true });
  }
  // The optional fused kernels allocate and call kernels too: the same guard.
  const fused = Object.fromEntries(
    Object.entries(backend.fused).map(([name, fn]) => [name, guard(fn as (...a: never[]) => unknown, backend.fused)]),
  ) as FusedKernels;
  Object.defineProperty(backend, 'fused', { value: fused, writable: false, configurable: true });
  return backend;
}

/** Most allocation volume between two forced GCs. */
const MAX_PRESSURE_BYTES = 256 << 20;
/**
 * Target share of time spent in forced GCs. 2 %: since zeroGrad frees unread
 * gradients (Tensor.grad), a training step leaves ~4x less memory to the GC
 * (MLP 784-256-256-10, batch 64: 0.33 instead of 1.41 MiB per step), so the
 * same volume between GCs spans more steps; at 4 % the pacer shrank it again.
 * Measured over 1,500 MLP steps: 4 %: 8-10 forced GCs, heap 80-156 MiB; 2 %:
 * 5-6, 156-195 MiB; 1 %: 4, 305 MiB (before: 9-10 GCs, 305 MiB at 4 %).
 */
const GC_TIME_SHARE = 0.02;

/**
 * The GC request policy: a full GC costs 10-15 ms on the 2-core development
 * machine whatever the wasm allocation volume, so asking after every 16 MiB
 * would take most of a small model's training time. The pacer times each GC
 * against the time since the previous one and doubles the allocation volume
 * between requests while GCs take more than {@link GC_TIME_SHARE} of the time
 * (up to 256 MiB), halving it again when they get cheap. Measured on LeNet-5
 * training, batch 64 (~10 MiB of tensors per step): a 128 MiB cap gave 27 GCs
 * in 320 steps (~10 % of the time, heap 156 MiB), 512 MiB gave 11 (~4 %, heap
 * 596 MiB); 256 MiB sits between.
 */
function gcPacer(heap: Heap, gc: () => void): () => void {
  let last = performance.now();
  return () => {
    const t0 = performance.now();
    gc();
    const t1 = performance.now();
    const share = (t1 - t0) / Math.max(1e-3, t1 - last);
    last = t1;
    const cap = MAX_PRESSURE_BYTES;
    if (share > GC_TIME_SHARE) heap.pressureBytes = Math.min(cap, heap.pressureBytes * 2);
    else if (share < GC_TIME_SHARE / 4) heap.pressureBytes = Math.max(PRESSURE_BYTES, heap.pressureBytes / 2);
  };
}

/** The options of the default instance: without `opts.threads`, the count {@link setNumThreads} asked for. */
function defaultOptions(opts: WasmBackendOptions): WasmBackendOptions {
  return { ...opts, threads: opts.threads ?? requestedThreads ?? undefined };
}

/**
 * Loads (once) and returns the default wasm backend, asynchronously (the way
 * browsers must; `tg.ready()` calls it). Options apply to the first load only,
 * whichever way it happens.
 * @example tg.setBackend(await tg.initWasmBackend({ threads: 2 }));
 */
export function initWasmBackend(opts: WasmBackendOptions = {}): Promise<WasmBackend> {
  if (ready) return Promise.resolve(ready);
  if (!instance) {
    instance = createWasmBackend(defaultOptions(opts)).then((b) => {
      // A setNumThreads call made while the backend was loading wins over the count it started with.
      if (requestedThreads !== null && requestedThreads !== b.numThreads) void b.setNumThreads(requestedThreads);
      // A synchronous load that happened meanwhile is the default instance; this one goes unused.
      if (ready) {
        void b.setNumThreads(1);
        return ready;
      }
      return (ready = b);
    });
    instance.catch(() => (instance = null));
  }
  return instance;
}

/**
 * The default wasm backend. In Node it is loaded synchronously on the first
 * call (load errors are thrown); in browsers it is null until
 * {@link initWasmBackend} (or `tg.ready()`) has resolved.
 * @example const wasm = tg.getWasmBackend(); // Node: the loaded backend
 */
export function getWasmBackend(): WasmBackend | null {
  if (ready || !canLoadSync()) return ready;
  ready = createWasmBackendSync(defaultOptions({}));
  return ready;
}

/** The default wasm backend if it is loaded already (never loads). @internal */
export function loadedWasmBackend(): WasmBackend | null {
  return ready;
}

/**
 * Sets the number of threads of the default wasm backend, the calling thread
 * included (1 = single-threaded): an integer from 1 to {@link MAX_THREADS}
 * (64); anything else throws a TensorError at the call, never a silent
 * clamp. Before the backend loads it sets the count it will start with
 * (and loads nothing). Takes effect at once, so overlapping calls (awaited or not)
 * apply in call order and the last one wins; the promise resolves when the
 * new workers are running (kernels use the workers that are ready
 * meanwhile). Results never depend on the thread count.
 * @example await tg.setNumThreads(4);
 */
export function setNumThreads(n: number): Promise<void> {
  checkThreadCount('setNumThreads', n);
  requestedThreads = n;
  if (ready) return ready.setNumThreads(n);
  // Loading: applied (latest request) as soon as the backend is there.
  if (instance) return instance.then((b) => (requestedThreads === null ? undefined : b.setNumThreads(requestedThreads)));
  return Promise.resolve();
}

/**
 * Threads the default wasm backend uses (or will start with, before it loads), the caller included.
 * @example tg.getNumThreads() // e.g. 8
 */
export function getNumThreads(): number {
  if (ready) return ready.numThreads;
  return requestedThreads ?? (sharedMemorySupported() ? defaultThreadCount() : 1);
}
