/**
 * Switching TF.js backends, for both Node (bench/run.ts) and the browser page
 * (bench/web): no Node imports here.
 */
import * as tf from '@tensorflow/tfjs';

/** The TF.js backends the benchmark knows: cpu and wasm in Node; webgl in browsers; webgpu in both. */
export type TfBackendName = 'cpu' | 'wasm' | 'webgl' | 'webgpu';

/** Backends whose kernels run asynchronously on a GPU: their steps must wait for completion. */
export function isGpuTf(name: TfBackendName): boolean {
  return name === 'webgl' || name === 'webgpu';
}

/** Makes `name` TF.js's current backend. */
export async function useTf(name: TfBackendName): Promise<void> {
  if (tf.getBackend() !== name && !(await tf.setBackend(name))) throw new Error(`TF.js backend '${name}' is not available`);
}
