/**
 * The CLI's one way to a backend: `--backend NAME` and TENSORGRAD_BACKEND both
 * end in the library's setBackend/getBackend (and `ready` for the GPU), so the
 * command accepts exactly what the library does (`--backend wasm` works
 * whatever TENSORGRAD_BACKEND says).
 */
import { getBackend, setBackend } from '../backend/current.js';
import { BACKEND_NAMES } from '../backend/builtin.js';
import { envBackend } from '../backend/default.js';
import { ready } from '../backend/ready.js';
import { loadedWebGpuBackend } from '../backend/webgpu/index.js';
import { loadedWasmBackend, setNumThreads } from '../backend/wasm/index.js';
import { referenceBackend } from '../backend/reference/index.js';
import { UserError } from './errors.js';

/** Backends `--backend` accepts (webgpu too: commands that support it start it with useBackendAsync). */
export const BACKENDS: readonly string[] = BACKEND_NAMES;

/**
 * Whether `--backend NAME` (or, when none was given, TENSORGRAD_BACKEND) asks
 * for the GPU, whose results are read asynchronously.
 * @example asksForGpu('webgpu') // true
 */
export function asksForGpu(name: string | undefined): boolean {
  return (name ?? envBackend()) === 'webgpu';
}

/**
 * Selects the backend named by `--backend`, or, when none was given, the
 * default (TENSORGRAD_BACKEND, else wasm where it loads); returns its name.
 * A backend that cannot load, or a bad TENSORGRAD_BACKEND, is a TensorError
 * (one line from the command). The GPU can only be started asynchronously:
 * commands that run on it call useBackendAsync; here webgpu works only once
 * started.
 * @example useBackend('reference') // 'reference'
 */
export function useBackend(name: string | undefined): string {
  if (asksForGpu(name) && !loadedWebGpuBackend()) {
    throw new UserError(`${name === undefined ? 'TENSORGRAD_BACKEND=webgpu' : '--backend webgpu'}: this command does not run on the GPU; use --backend wasm or reference`);
  }
  if (name !== undefined) setBackend(name);
  return getBackend().name;
}

/**
 * useBackend for commands that run on every backend, the GPU included:
 * `--backend webgpu` (or TENSORGRAD_BACKEND=webgpu without --backend) requests
 * the GPU device first (`tg.ready({ backend: 'webgpu' })`; a TensorError where
 * there is no adapter). Resolves to the backend's name.
 * @example await useBackendAsync('webgpu') // 'webgpu'
 */
export async function useBackendAsync(name: string | undefined): Promise<string> {
  if (asksForGpu(name)) return (await ready({ backend: 'webgpu' })).name;
  return useBackend(name);
}

/**
 * Runs `make` with a CPU backend current (wasm where loaded, else reference)
 * when the current backend is the GPU, else as it is. Datasets are prepared
 * there: the DataLoader cuts batches from host memory, and tensors moved to
 * the GPU afterwards keep their host copy, so batches are cut without
 * waiting for the device.
 * @example const data = onCpu(() => loadDataset('mnist'));
 */
export function onCpu<T>(make: () => T): T {
  const current = getBackend();
  if (current !== loadedWebGpuBackend()) return make();
  setBackend(loadedWasmBackend() ?? referenceBackend);
  try {
    return make();
  } finally {
    setBackend(current);
  }
}

/**
 * Applies --threads (the wasm backend's worker pool) for a command running on
 * `backend`; refused with another backend. Resolves once the workers run.
 * @example await applyThreads(2, 'wasm');
 */
export async function applyThreads(n: number | undefined, backend: string): Promise<void> {
  if (n === undefined) return;
  if (backend !== 'wasm') throw new UserError(`--threads applies to the wasm backend only (the backend is '${backend}'); drop it or use --backend wasm`);
  await setNumThreads(n);
}
