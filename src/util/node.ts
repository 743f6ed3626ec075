/**
 * Lazy access to Node's built-in modules.
 *
 * Nothing reachable from src/index.ts imports `node:*` statically, so that the
 * library bundles for browsers. The few functions that work on file paths (or
 * otherwise need Node) get the builtins here, synchronously, when called:
 * `process.getBuiltinModule` (Node >= 20.16). Called anywhere else, they throw
 * a TensorError naming the function and what to use instead.
 */
import { TensorError } from '../tensor/errors.js';

/** The builtins the library uses, by specifier. */
interface Builtins {
  'node:fs': typeof import('node:fs');
  'node:fs/promises': typeof import('node:fs/promises');
  'node:path': typeof import('node:path');
  'node:zlib': typeof import('node:zlib');
  'node:module': typeof import('node:module');
  'node:os': typeof import('node:os');
  'node:v8': typeof import('node:v8');
  'node:vm': typeof import('node:vm');
  'node:worker_threads': typeof import('node:worker_threads');
}

/** True in Node.js (not in browsers, nor in web workers). */
export const isNode = typeof process !== 'undefined' && typeof process.versions?.node === 'string';

/**
 * The Node builtin `id`, for the library function `caller`. Outside Node it
 * throws `TensorError('<caller>: needs Node.js (<why>); in a browser, <instead>')`.
 * @example
 * const { readFileSync } = nodeBuiltin('node:fs', 'readImage', 'use tg.data.decodeImage(bytes)');
 */
export function nodeBuiltin<K extends keyof Builtins>(id: K, caller: string, instead?: string): Builtins[K] {
  if (!isNode) throw notNode(caller, id === 'node:fs' || id === 'node:path' ? 'it works on files' : `it uses ${id}`, instead);
  if (typeof process.getBuiltinModule !== 'function') {
    throw new TensorError(`${caller}: needs process.getBuiltinModule, which Node has from version 20.16 (this is ${process.version})`);
  }
  return process.getBuiltinModule(id) as Builtins[K];
}

/** `require` relative to this package (to load CommonJS dependencies and resolve package files), for `caller`. */
export function nodeRequire(caller: string, instead?: string): NodeJS.Require {
  if (!isNode) throw notNode(caller, 'it loads Node-only packages', instead);
  return nodeBuiltin('node:module', caller, instead).createRequire(import.meta.url);
}

function notNode(caller: string, why: string, instead: string | undefined): TensorError {
  return new TensorError(`${caller}: needs Node.js (${why})${instead ? `; in a browser, ${instead}` : ''}`);
}
