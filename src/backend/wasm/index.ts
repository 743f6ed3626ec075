/**
 * The WebAssembly backend's public entry.
 *
 * Loading compiles a module, so it is asynchronous:
 *
 *   const wasm = await initWasmBackend();   // once
 *   tg.setBackend(wasm);                    // or registerBackend(wasm); setBackend('wasm')
 *
 * after which {@link getWasmBackend} returns the same instance synchronously.
 *
 * Memory: tensors are freed when their storage is garbage collected, but
 * FinalizationRegistry callbacks only run when the program yields to the event
 * loop. A training loop that never awaits anything therefore grows the heap
 * until it ends; `await` something that yields a task once per step (e.g.
 * `await new Promise((r) => setImmediate(r))`) or release storages eagerly.
 * Because V8 does not see the wasm memory that dead Storage objects hold, the
 * backend also asks for a GC after every 16 MiB allocated
 * (see WasmBackendOptions.gcPressure).
 */
import { Heap } from './heap.js';
import { findGc, loadKernels, type LoadOptions } from './loader.js';
import { WasmBackend } from './backend.js';

export { WasmBackend } from './backend.js';
export type { HeapStats } from './heap.js';
export type { LoadOptions, Variant } from './loader.js';

export interface WasmBackendOptions extends LoadOptions {
  /** Backend name (default 'wasm'); instances with other names are independent of the default one. */
  name?: string;
  /**
   * Ask the JS engine for a garbage collection after every 16 MiB of wasm
   * allocations (default true; Node only), so that dead tensors'
   * finalizers free their wasm memory before the heap has to grow far.
   */
  gcPressure?: boolean;
}

let instance: Promise<WasmBackend> | null = null;
let ready: WasmBackend | null = null;

/** Loads a new, independent wasm backend (own memory). Prefer {@link initWasmBackend} for the shared one. */
export async function createWasmBackend(opts: WasmBackendOptions = {}): Promise<WasmBackend> {
  const { kernels, memory, variant } = await loadKernels(opts);
  const heap = new Heap(memory, kernels.heapBase());
  if (opts.gcPressure ?? true) heap.onPressure = await findGc();
  return new WasmBackend(kernels, heap, variant, opts.name ?? 'wasm');
}

/**
 * Loads (once) and returns the default wasm backend. Options apply to the
 * first call only.
 */
export function initWasmBackend(opts: WasmBackendOptions = {}): Promise<WasmBackend> {
  if (!instance) {
    instance = createWasmBackend(opts).then((b) => (ready = b));
    instance.catch(() => (instance = null));
  }
  return instance;
}

/** The default wasm backend once {@link initWasmBackend} has resolved, else null. */
export function getWasmBackend(): WasmBackend | null {
  return ready;
}
