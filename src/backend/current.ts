import type { Backend } from './backend.js';
import { referenceBackend } from './reference/index.js';
import { TensorError } from '../tensor/errors.js';

/** Backends selectable by name (the CLI's `--backend`); each is an object implementing Backend. */
const known: Record<string, Backend> = { reference: referenceBackend };

let current: Backend = referenceBackend;

/** The backend new tensors are created on. */
export function getBackend(): Backend {
  return current;
}

/**
 * Chooses the backend for tensors created from now on: a Backend object, or the
 * name of a built-in one.
 * @example tg.setBackend('reference');
 */
export function setBackend(backend: Backend | string): void {
  if (typeof backend !== 'string' && (backend === null || typeof backend !== 'object' || typeof (backend as Partial<Backend>).fromArray !== 'function')) {
    // Checked here: an invalid backend would only fail later, inside the next op, far from the mistake.
    throw new TensorError(`setBackend: expected a backend name ('reference', 'wasm') or a Backend object (got ${backend === null ? 'null' : typeof backend})`);
  }
  if (typeof backend !== 'string') {
    current = backend;
    return;
  }
  current = findBackend(backend, 'setBackend');
}

/**
 * The built-in (or registered) backend called `name`; a TensorError naming
 * `fn` and listing the available ones otherwise. Changes nothing.
 * @example findBackend('reference', 'toBackend') // the reference backend
 */
export function findBackend(name: string, fn = 'findBackend'): Backend {
  const b = Object.hasOwn(known, name) ? known[name] : undefined;
  if (!b) throw new TensorError(`${fn}: unknown backend '${name}' (available: ${Object.keys(known).join(', ')})`);
  return b;
}

/** Names of the built-in backends. */
export function listBackends(): string[] {
  return Object.keys(known);
}

/** Makes a backend selectable by name (used by backends that load asynchronously, e.g. WebAssembly). */
export function registerBackend(backend: Backend): void {
  known[backend.name] = backend;
}
