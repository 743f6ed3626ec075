/**
 * The current backend: the one new tensors are created on. Nothing is chosen
 * at import; the first {@link getBackend} (any tensor creation) chooses the
 * default (see default.ts), unless {@link setBackend} or `tg.ready()` did first.
 */
import type { Backend } from './backend.js';
import { findBackend } from './builtin.js';
import { defaultBackend } from './default.js';
import { TensorError } from '../core/errors.js';

export { findBackend, listBackends, type BackendName } from './builtin.js';

let current: Backend | null = null;

/**
 * The backend new tensors are created on. The first call chooses the default
 * when none was set: TENSORGRAD_BACKEND if set, else wasm where it loads
 * (synchronously in Node), else reference. In a browser, before
 * `await tg.ready()`, it throws a TensorError saying so.
 * @example tg.getBackend().name // 'wasm'
 */
export function getBackend(): Backend {
  return (current ??= defaultBackend());
}

/**
 * Chooses the backend for tensors created from now on: a Backend object, or
 * the name of a built-in one ('reference', 'wasm'), whatever TENSORGRAD_BACKEND
 * says. 'wasm' loads on demand (synchronously in Node; in a browser call
 * `await tg.ready()` first). Tensors keep the backend they were created on.
 * @example tg.setBackend('reference');
 */
export function setBackend(backend: Backend | string): void {
  if (typeof backend === 'string') {
    current = findBackend(backend, 'setBackend');
    return;
  }
  if (backend === null || typeof backend !== 'object' || typeof (backend as Partial<Backend>).fromArray !== 'function') {
    // Checked here: an invalid backend would only fail later, inside the next op, far from the mistake.
    throw new TensorError(`setBackend: expected a backend name ('reference', 'wasm') or a Backend object (got ${backend === null ? 'null' : typeof backend})`);
  }
  current = backend;
}

/** The backend chosen so far, or null before the first use (chooses nothing). @internal */
export function chosenBackend(): Backend | null {
  return current;
}

/** Puts back what {@link chosenBackend} returned (null: choose the default again at the next use). @internal */
export function restoreBackend(backend: Backend | null): void {
  current = backend;
}
