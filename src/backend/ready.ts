/**
 * `tg.ready()`: the asynchronous way to the default backend, needed in
 * browsers (and by ESM on Node < 20.16) before the first tensor op, harmless
 * everywhere else.
 */
import type { Backend } from './backend.js';
import { chosenBackend, getBackend, setBackend } from './current.js';
import { envBackend, wasmAskedButFailed } from './default.js';
import { referenceBackend } from './reference/index.js';
import { initWasmBackend, type WasmBackendOptions } from './wasm/index.js';
import { preloadBuiltins } from '../util/node.js';

/**
 * Loads what the library needs asynchronously and resolves to the current
 * backend. It imports Node's builtins ahead where they cannot be had
 * synchronously (Node < 20.16), loads the WebAssembly backend (fetch +
 * WebAssembly.compile in browsers; `opts` as for `initWasmBackend`, first
 * load only) unless TENSORGRAD_BACKEND=reference, and, when no backend was
 * chosen yet, chooses the default: wasm where it loaded, else reference
 * (TENSORGRAD_BACKEND=wasm where wasm fails is a TensorError). A backend set
 * with `tg.setBackend` before stays. Calling it again is cheap.
 *
 * In a browser, call it once before the first tensor op (an op before it
 * throws a TensorError naming it), or choose `tg.setBackend('reference')`. In
 * Node it is optional: the first op loads the wasm backend synchronously.
 * @example
 * const backend = await tg.ready();   // e.g. WasmBackend { name: 'wasm' }
 * const y = tg.randn([2, 3]).relu();
 */
export async function ready(opts: WasmBackendOptions = {}): Promise<Backend> {
  await preloadBuiltins();
  const env = envBackend();
  if (env === 'reference') {
    if (!chosenBackend()) setBackend(referenceBackend);
    return getBackend();
  }
  let wasm: Backend | null = null;
  try {
    wasm = await initWasmBackend(opts);
  } catch (e) {
    if (env === 'wasm') throw wasmAskedButFailed(e);
    // No SIMD or no build: the reference backend is the default.
  }
  if (!chosenBackend()) setBackend(wasm ?? referenceBackend);
  return getBackend();
}
