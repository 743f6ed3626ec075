/**
 * The default backend, chosen on first use (never at import): see
 * {@link defaultBackend}. `tg.ready()` (ready.ts) makes the same choice
 * asynchronously, which is how browsers load the wasm backend.
 */
import type { Backend } from './backend.js';
import { findBackend, needsReady } from './builtin.js';
import { referenceBackend } from './reference/index.js';
import { canLoadWasmSync, getWasmBackend, loadedWasmBackend } from './wasm/index.js';
import { TensorError } from '../core/errors.js';

/** Values TENSORGRAD_BACKEND accepts. */
export const BACKEND_ENV_VALUES = ['wasm', 'reference', 'webgpu'] as const;

/**
 * Reads TENSORGRAD_BACKEND: undefined when unset or empty, else one of
 * {@link BACKEND_ENV_VALUES}; anything else throws a TensorError naming the
 * variable, the value and the allowed values.
 * @example backendFromEnv({ TENSORGRAD_BACKEND: 'reference' }) // 'reference'
 */
export function backendFromEnv(env: Record<string, string | undefined> | undefined): (typeof BACKEND_ENV_VALUES)[number] | undefined {
  const raw = env?.TENSORGRAD_BACKEND;
  if (raw === undefined || raw.trim() === '') return undefined;
  const value = raw.trim().toLowerCase();
  const known = BACKEND_ENV_VALUES.find((b) => b === value);
  if (!known) {
    throw new TensorError(`TENSORGRAD_BACKEND: unknown backend '${raw}' (allowed: ${BACKEND_ENV_VALUES.join(', ')}; unset it to use wasm where it loads, else reference)`);
  }
  return known;
}

/** TENSORGRAD_BACKEND of this process (undefined outside Node). */
export function envBackend(): (typeof BACKEND_ENV_VALUES)[number] | undefined {
  return backendFromEnv(typeof process !== 'undefined' ? process.env : undefined);
}

/** The error for TENSORGRAD_BACKEND=wasm where the wasm backend fails to load (no silent fallback). */
export function wasmAskedButFailed(e: unknown): TensorError {
  return new TensorError(`TENSORGRAD_BACKEND: 'wasm' was asked for but the wasm backend could not be loaded (${(e as Error).message})`);
}

/**
 * Chooses the default backend, synchronously: TENSORGRAD_BACKEND when set
 * (an unknown value, or 'wasm' where it cannot load, is a TensorError rather
 * than a silent fallback), else the WebAssembly SIMD backend wherever it
 * loads, else the reference backend. In Node the wasm backend loads here
 * (reading and compiling the .wasm file, starting the worker threads); where
 * it loads only asynchronously (browsers) and `tg.ready()` has not loaded it,
 * this throws a TensorError naming `await tg.ready()`.
 * @example defaultBackend().name // 'wasm' in Node with the kernels built
 */
export function defaultBackend(): Backend {
  const env = envBackend();
  if (env === 'reference') return referenceBackend;
  if (env === 'webgpu') return findBackend('webgpu', 'TENSORGRAD_BACKEND=webgpu');
  const loaded = loadedWasmBackend();
  if (loaded) return loaded;
  if (!canLoadWasmSync()) throw needsReady('tensorgrad');
  try {
    return getWasmBackend()!;
  } catch (e) {
    if (env === 'wasm') throw wasmAskedButFailed(e);
    // No SIMD or no build: the reference backend is the default.
    return referenceBackend;
  }
}
