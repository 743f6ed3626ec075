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
 * until it ends; `await` something once per step (e.g. the data loader, or
 * `await new Promise((r) => setImmediate(r))`) or call `release()`/`dispose()`.
 */
import { Heap } from './heap.js';
import { loadKernels, type LoadOptions } from './loader.js';
import { WasmBackend } from './backend.js';

export { WasmBackend } from './backend.js';
export type { HeapStats } from './heap.js';
export type { LoadOptions, Variant } from './loader.js';

export interface WasmBackendOptions extends LoadOptions {
  /** Backend name (default 'wasm'); instances with other names are independent of the default one. */
  name?: string;
}

let instance: Promise<WasmBackend> | null = null;
let ready: WasmBackend | null = null;

/** Loads a new, independent wasm backend (own memory). Prefer {@link initWasmBackend} for the shared one. */
export async function createWasmBackend(opts: WasmBackendOptions = {}): Promise<WasmBackend> {
  const { kernels, memory, variant } = await loadKernels(opts);
  const heap = new Heap(memory, kernels.heapBase());
  return new WasmBackend(kernels, heap, variant, opts.name ?? 'wasm');
}

/**
 * Loads (once) and returns the default wasm backend. Options apply to the
 * first call only.
 */
export function initWasmBackend(opts: LoadOptions = {}): Promise<WasmBackend> {
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
