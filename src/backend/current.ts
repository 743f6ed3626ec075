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
  if (typeof backend !== 'string') {
    current = backend;
    return;
  }
  const b = known[backend];
  if (!b) throw new TensorError(`setBackend: unknown backend '${backend}' (available: ${Object.keys(known).join(', ')})`);
  current = b;
}

/** Names of the built-in backends. */
export function listBackends(): string[] {
  return Object.keys(known);
}

/** Makes a backend selectable by name (used by backends that load asynchronously, e.g. WebAssembly). */
export function registerBackend(backend: Backend): void {
  known[backend.name] = backend;
}
