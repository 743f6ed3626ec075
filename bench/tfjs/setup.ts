/**
 * TensorFlow.js in this process: the plain-JS CPU backend (bundled with
 * `@tensorflow/tfjs`) and `@tensorflow/tfjs-backend-wasm`, whose .wasm files
 * are loaded from its package directory in node_modules (no network); with
 * `--backend webgpu` also `@tensorflow/tfjs-backend-webgpu` on the Node
 * `webgpu` package (Dawn), the same library tensorgrad's WebGPU backend uses.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { getThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import type { TfBackendName } from './use.js';

export { useTf, type TfBackendName } from './use.js';

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
 * Dawn's GPU object for TF.js. Kept for the life of the process: Dawn crashes
 * when an instance is collected while its devices live.
 */
let nodeGpu: GPU | null = null;

/**
 * Gives TF.js's WebGPU backend a `navigator.gpu` in Node (it registers itself
 * only where one exists) and loads it. Called after tensorgrad's WebGPU
 * backend started, so Dawn sees the same Vulkan driver choice (tensorgrad sets
 * VK_ICD_FILENAMES to SwiftShader's on a machine without a GPU). Returns the
 * adapter's name.
 */
async function loadTfWebGpu(): Promise<string> {
  const specifier = 'webgpu';
  const mod = (await import(specifier)) as { create(flags: string[]): GPU; globals: Record<string, unknown> };
  for (const [k, v] of Object.entries(mod.globals)) (globalThis as Record<string, unknown>)[k] ??= v;
  nodeGpu ??= mod.create([]);
  const g = globalThis as { navigator?: { gpu?: GPU } };
  if (g.navigator === undefined) Object.defineProperty(globalThis, 'navigator', { value: { gpu: nodeGpu }, configurable: true, writable: true });
  else if (g.navigator.gpu === undefined) Object.defineProperty(g.navigator, 'gpu', { value: nodeGpu, configurable: true });
  const adapter = await nodeGpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) throw new Error('no WebGPU adapter');
  await import('@tensorflow/tfjs-backend-webgpu');
  const i = adapter.info;
  return [i.description, i.vendor, i.architecture].filter(Boolean).join(' / ') || 'unknown adapter';
}

/**
 * Initialises the TF.js backends once (cpu and wasm; webgpu when asked).
 * Production mode drops TF.js's debug checks, as a deployed model would run.
 */
export async function initTfjs(opts: { webgpu?: boolean } = {}): Promise<TfInfo> {
  setWasmPaths(wasmDir());
  tf.enableProdMode();
  const info: TfInfo = { version: tf.version.tfjs, backends: {}, errors: {} };
  const names: TfBackendName[] = ['cpu', 'wasm', ...(opts.webgpu ? ['webgpu' as const] : [])];
  for (const name of names) {
    try {
      const adapter = name === 'webgpu' ? await loadTfWebGpu() : '';
      if (!(await tf.setBackend(name))) throw new Error(`tf.setBackend('${name}') returned false`);
      await tf.ready();
      if (name === 'wasm') {
        const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
        info.backends.wasm = `${simd ? 'SIMD' : 'no SIMD'}, ${getThreadsCount()} thread(s)`;
      } else if (name === 'webgpu') {
        info.backends.webgpu = adapter;
      } else {
        info.backends.cpu = 'plain JS, 1 thread';
      }
    } catch (e) {
      info.errors[name] = (e as Error).message;
    }
  }
  return info;
}
