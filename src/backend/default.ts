import { getBackend, registerBackend, setBackend } from './current.js';
import { initWasmBackend } from './wasm/index.js';

/**
 * Chooses the default backend once, when tensorgrad is imported: the
 * WebAssembly SIMD backend wherever it loads (Node >= 20, current browsers),
 * else the reference backend. `TENSORGRAD_BACKEND=reference` (or `wasm`) in the
 * environment overrides the choice; asking for wasm where it cannot load is an
 * error rather than a silent fallback.
 */
export async function initDefaultBackend(): Promise<void> {
  const env = typeof process !== 'undefined' ? process.env?.TENSORGRAD_BACKEND : undefined;
  if (env === 'reference') {
    setBackend('reference');
    return;
  }
  try {
    const wasm = await initWasmBackend();
    registerBackend(wasm);
    setBackend(wasm);
  } catch (e) {
    if (env === 'wasm') throw e;
    // No SIMD or no build: the reference backend stays the default.
  }
  if (env && env !== 'wasm' && env !== getBackend().name) setBackend(env);
}

await initDefaultBackend();
