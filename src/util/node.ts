/**
 * Lazy access to Node's built-in modules.
 *
 * Nothing reachable from src/index.ts imports `node:*` statically, so that the
 * library bundles for browsers. The few functions that work on file paths (or
 * otherwise need Node) get the builtins here, synchronously, when called:
 * `process.getBuiltinModule` (Node >= 20.16; imported ahead on older Node 20).
 * Called anywhere else, they throw a TensorError naming the function and what
 * to use instead.
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

const IDS: readonly (keyof Builtins)[] = [
  'node:fs', 'node:fs/promises', 'node:path', 'node:zlib', 'node:module', 'node:os', 'node:v8', 'node:vm', 'node:worker_threads',
];

/**
 * Node 20.0-20.15 has no process.getBuiltinModule: there the builtins are
 * imported ahead, once, through a specifier in a variable, which bundlers
 * leave alone (a literal `import('node:fs')` would break browser bundles).
 */
const preloaded = new Map<string, unknown>();
if (isNode && typeof process.getBuiltinModule !== 'function') {
  for (const id of IDS) {
    const specifier: string = id;
    preloaded.set(id, await import(/* @vite-ignore */ specifier));
  }
}

/**
 * The Node builtin `id`, for the library function `caller`. Outside Node it
 * throws `TensorError('<caller>: needs Node.js (<why>); in a browser, <instead>')`.
 * @example
 * const { readFileSync } = nodeBuiltin('node:fs', 'readImage', 'use tg.data.decodeImage(bytes)');
 */
export function nodeBuiltin<K extends keyof Builtins>(id: K, caller: string, instead?: string): Builtins[K] {
  if (!isNode) throw notNode(caller, id === 'node:fs' || id === 'node:path' ? 'it works on files' : `it uses ${id}`, instead);
  if (typeof process.getBuiltinModule !== 'function') return preloaded.get(id) as Builtins[K];
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
