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
import { initWebGpuBackend, type WebGpuOptions } from './webgpu/index.js';
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
 * `{ backend: 'webgpu' }` (or TENSORGRAD_BACKEND=webgpu) requests a GPU
 * device and makes the WebGPU backend the current one (a TensorError where
 * there is no adapter); `{ backend: 'wasm' | 'reference' }` chooses those.
 *
 * In a browser, call it once before the first tensor op (an op before it
 * throws a TensorError naming it), or choose `tg.setBackend('reference')`. In
 * Node it is optional: the first op loads the wasm backend synchronously.
 * @example
 * const backend = await tg.ready();   // e.g. WasmBackend { name: 'wasm' }
 * const y = tg.randn([2, 3]).relu();
 */
export async function ready(opts: ReadyOptions = {}): Promise<Backend> {
  await preloadBuiltins();
  const env = envBackend();
  if (opts.backend === 'webgpu' || (opts.backend === undefined && env === 'webgpu')) {
    // The GPU is asked for explicitly; the wasm backend still loads (float64 work and host-side ops use it).
    const gpu = await initWebGpuBackend(opts);
    try {
      await initWasmBackend(opts);
    } catch {
      // No SIMD: the reference backend serves as the CPU side.
    }
    setBackend(gpu);
    return gpu;
  }
  if (opts.backend === 'reference') {
    setBackend(referenceBackend);
    return referenceBackend;
  }
  if (env === 'reference') {
    if (!chosenBackend()) setBackend(referenceBackend);
    return getBackend();
  }
  let wasm: Backend | null = null;
  let wasmError: unknown = null;
  try {
    wasm = await initWasmBackend(opts);
  } catch (e) {
    wasmError = e;
    if (env === 'wasm') throw wasmAskedButFailed(e);
    // No SIMD or no build: the reference backend is the default.
  }
  if (opts.backend === 'wasm') {
    if (!wasm) throw wasmAskedButFailed(wasmError);
    setBackend(wasm);
  }
  if (!chosenBackend()) setBackend(wasm ?? referenceBackend);
  return getBackend();
}

/** Options of {@link ready}: the wasm loader's, the WebGPU device's, and which backend to make current. */
export interface ReadyOptions extends WasmBackendOptions, WebGpuOptions {
  /** Make this backend the current one ('webgpu' requests a GPU device). Default: keep a chosen one, else wasm where it loads. */
  backend?: 'webgpu' | 'wasm' | 'reference';
}
