/**
 * The CLI's one way to a backend: `--backend NAME` and TENSORGRAD_BACKEND both
 * end in the library's setBackend/getBackend, so the command accepts exactly
 * what the library does (`--backend wasm` works whatever TENSORGRAD_BACKEND says).
 */
import { getBackend, listBackends, setBackend } from '../backend/current.js';
import { setNumThreads } from '../backend/wasm/index.js';
import { UserError } from './errors.js';

/** Backends `--backend` accepts. */
export const BACKENDS = listBackends();

/**
 * Selects the backend named by `--backend`, or, when none was given, the
 * default (TENSORGRAD_BACKEND, else wasm where it loads); returns its name.
 * A backend that cannot load, or a bad TENSORGRAD_BACKEND, is a TensorError
 * (one line from the command).
 * @example useBackend('reference') // 'reference'
 */
export function useBackend(name: string | undefined): string {
  if (name !== undefined) setBackend(name);
  return getBackend().name;
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
