/**
 * The WebGPU backend's entry. Importing it loads nothing; the device is
 * requested asynchronously by {@link initWebGpuBackend} (what
 * `await tg.ready({ backend: 'webgpu' })` calls), after which
 * `tg.setBackend('webgpu')` and {@link loadedWebGpuBackend} find it.
 */
import { acquireDevice, type WebGpuOptions } from './device.js';
import { WebGpuBackend } from './backend.js';

export { WebGpuBackend } from './backend.js';
export type { WebGpuOptions } from './device.js';

let instance: WebGpuBackend | null = null;
let pending: Promise<WebGpuBackend> | null = null;

/**
 * Requests a GPU device and returns the shared WebGPU backend (the same one
 * on later calls, unless its device was lost: then a new one). Throws a
 * TensorError where there is no WebGPU adapter.
 * @example const gpu = await initWebGpuBackend(); tg.setBackend(gpu);
 */
export function initWebGpuBackend(opts: WebGpuOptions = {}): Promise<WebGpuBackend> {
  if (instance && instance.ctx.lostReason === null) return Promise.resolve(instance);
  pending ??= acquireDevice(opts)
    .then(({ device, adapterName }) => (instance = new WebGpuBackend(device, adapterName)))
    .finally(() => {
      pending = null;
    });
  return pending;
}

/** The shared WebGPU backend if {@link initWebGpuBackend} made one (and its device is not lost), else null. */
export function loadedWebGpuBackend(): WebGpuBackend | null {
  return instance;
}
