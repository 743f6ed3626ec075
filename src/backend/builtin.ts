/**
 * The built-in backends by name: 'reference' (plain TypeScript, always there),
 * 'wasm' (WebAssembly SIMD, loaded on demand) and 'webgpu' (the GPU, after
 * `await tg.ready({ backend: 'webgpu' })`). There is no registry: any other
 * backend is passed as an object (`tg.setBackend(myBackend)`).
 */
import type { Backend } from './backend.js';
import { referenceBackend } from './reference/index.js';
import { canLoadWasmSync, getWasmBackend, loadedWasmBackend } from './wasm/index.js';
import { loadedWebGpuBackend } from './webgpu/index.js';
import { TensorError } from '../core/errors.js';

/** Names of the built-in backends. */
export const BACKEND_NAMES = ['reference', 'wasm', 'webgpu'] as const;
/** A built-in backend's name. */
export type BackendName = (typeof BACKEND_NAMES)[number];

/**
 * Names of the built-in backends usable now: `['reference', 'wasm']`, plus
 * 'webgpu' once `await tg.ready({ backend: 'webgpu' })` has started it (a GPU
 * device can only be had asynchronously). 'wasm' loads on first use
 * (synchronously in Node; browsers need `await tg.ready()`).
 * @example tg.listBackends() // ['reference', 'wasm']
 */
export function listBackends(): BackendName[] {
  return BACKEND_NAMES.filter((n) => n !== 'webgpu' || loadedWebGpuBackend() !== null);
}

/**
 * The built-in backend called `name`, loading the wasm one if needed
 * (synchronously in Node). Throws a TensorError naming `fn` for an unknown
 * name, for a wasm backend that fails to load, and, where it can only load
 * asynchronously (browsers), before `await tg.ready()`.
 * @example findBackend('reference', 'toBackend') // the reference backend
 */
export function findBackend(name: string, fn = 'findBackend'): Backend {
  if (name === 'reference') return referenceBackend;
  if (name === 'webgpu') {
    const gpu = loadedWebGpuBackend();
    if (gpu) return gpu;
    throw new TensorError(`${fn}: the webgpu backend is not started: call \`await tg.ready({ backend: 'webgpu' })\` first (the GPU device can only be requested asynchronously)`);
  }
  if (name !== 'wasm') throw new TensorError(`${fn}: unknown backend '${name}' (available: ${BACKEND_NAMES.join(', ')}; or pass a Backend object)`);
  const loaded = loadedWasmBackend();
  if (loaded) return loaded;
  if (!canLoadWasmSync()) throw needsReady(fn);
  try {
    return getWasmBackend()!;
  } catch (e) {
    throw new TensorError(`${fn}: the wasm backend could not be loaded (${(e as Error).message})`);
  }
}

/**
 * The error for using the wasm backend where it loads only asynchronously
 * (browsers; ESM on Node < 20.16) before `await tg.ready()`.
 */
export function needsReady(fn: string): TensorError {
  return new TensorError(
    `${fn}: the wasm backend is not loaded yet, and here (a browser, or ESM on Node < 20.16) it loads only asynchronously: ` +
      "call `await tg.ready()` once before the first tensor op, or choose `tg.setBackend('reference')`",
  );
}
