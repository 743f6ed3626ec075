import { TensorError } from '../tensor/errors.js';
import { registerBackend, setBackend } from './current.js';
import { initWasmBackend } from './wasm/index.js';

/** Values TENSORGRAD_BACKEND accepts. */
export const BACKEND_ENV_VALUES = ['wasm', 'reference'] as const;

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

/**
 * Chooses the default backend once, when tensorgrad is imported: the
 * WebAssembly SIMD backend wherever it loads (Node >= 20, current browsers),
 * else the reference backend. `TENSORGRAD_BACKEND=reference` (or `wasm`) in the
 * environment overrides the choice; asking for wasm where it cannot load is an
 * error rather than a silent fallback, and so is an unknown value.
 */
export async function initDefaultBackend(): Promise<void> {
  const env = backendFromEnv(typeof process !== 'undefined' ? process.env : undefined);
  if (env === 'reference') {
    setBackend('reference');
    return;
  }
  try {
    const wasm = await initWasmBackend();
    registerBackend(wasm);
    setBackend(wasm);
  } catch (e) {
    if (env === 'wasm') throw new TensorError(`TENSORGRAD_BACKEND: 'wasm' was asked for but the wasm backend could not be loaded (${(e as Error).message})`);
    // No SIMD or no build: the reference backend stays the default.
  }
}

await initDefaultBackend();
