/**
 * TensorFlow.js in this process: the plain-JS CPU backend (bundled with
 * `@tensorflow/tfjs`) and `@tensorflow/tfjs-backend-wasm`, whose .wasm files
 * are loaded from its package directory in node_modules (no network).
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { getThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';

export type TfBackendName = 'cpu' | 'wasm';

export interface TfInfo {
  version: string;
  /** Backends that initialised, with a description; failures are listed with their message. */
  backends: Partial<Record<TfBackendName, string>>;
  errors: Partial<Record<TfBackendName, string>>;
}

/** Directory of the tfjs-backend-wasm .wasm binaries, with a trailing slash. */
function wasmDir(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + '/';
}

/**
 * Initialises both TF.js backends once. Production mode drops TF.js's debug
 * checks, as a deployed model would run.
 */
export async function initTfjs(): Promise<TfInfo> {
  setWasmPaths(wasmDir());
  tf.enableProdMode();
  const info: TfInfo = { version: tf.version.tfjs, backends: {}, errors: {} };
  for (const name of ['cpu', 'wasm'] as const) {
    try {
      if (!(await tf.setBackend(name))) throw new Error(`tf.setBackend('${name}') returned false`);
      await tf.ready();
      if (name === 'wasm') {
        const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
        info.backends.wasm = `${simd ? 'SIMD' : 'no SIMD'}, ${getThreadsCount()} thread(s)`;
      } else {
        info.backends.cpu = 'plain JS, 1 thread';
      }
    } catch (e) {
      info.errors[name] = (e as Error).message;
    }
  }
  return info;
}

/** Makes `name` TF.js's current backend. */
export async function useTf(name: TfBackendName): Promise<void> {
  if (tf.getBackend() !== name && !(await tf.setBackend(name))) throw new Error(`TF.js backend '${name}' is not available`);
}
