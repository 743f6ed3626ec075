/**
 * Lazy access to Node's built-in modules.
 *
 * Nothing reachable from src/index.ts imports `node:*` statically, so that the
 * library bundles for browsers. The few functions that work on file paths (or
 * otherwise need Node) get the builtins here, synchronously, when called:
 * `process.getBuiltinModule` (Node >= 20.16), else `require` (the CommonJS
 * build), else the ones {@link preloadBuiltins} imported (`await tg.ready()`,
 * ESM on Node < 20.16). Called anywhere else, they throw a TensorError naming
 * the function and what to use instead. Importing this file does nothing.
 */
import { TensorError } from '../core/errors.js';

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
 * Node 20.0-20.15 has no process.getBuiltinModule. There the CommonJS build
 * uses its own `require`; the ESM build has no synchronous way to a builtin
 * (a static `import 'node:fs'` would break browser bundles, and a top-level
 * await would make the package an async module that `require()` rejects), so
 * {@link preloadBuiltins} imports them once, from `tg.ready()`.
 */
const preloaded = new Map<string, unknown>();

/** The CommonJS `require` of this module where there is one (the dist/index.cjs build), else null. */
function cjsRequire(): NodeJS.Require | null {
  return typeof require === 'function' ? require : null;
}

/**
 * True when {@link nodeBuiltin} can answer synchronously: Node with
 * process.getBuiltinModule (>= 20.16), the CommonJS build, or builtins
 * preloaded by {@link preloadBuiltins}. False outside Node.
 */
export function builtinsReady(): boolean {
  return isNode && (typeof process.getBuiltinModule === 'function' || cjsRequire() !== null || preloaded.size === IDS.length);
}

/**
 * Imports the builtins ahead where they cannot be had synchronously (ESM on
 * Node < 20.16); does nothing elsewhere. `tg.ready()` calls it. The specifier
 * is held in a variable, which bundlers leave alone (a literal
 * `import('node:fs')` would break browser bundles).
 * @example await preloadBuiltins(); nodeBuiltin('node:fs', 'readImage');
 */
export async function preloadBuiltins(): Promise<void> {
  if (!isNode || builtinsReady()) return;
  for (const id of IDS) {
    const specifier: string = id;
    if (!preloaded.has(id)) preloaded.set(id, await import(/* @vite-ignore */ specifier));
  }
}

/**
 * The Node builtin `id`, for the library function `caller`. Outside Node it
 * throws `TensorError('<caller>: needs Node.js (<why>); in a browser, <instead>')`;
 * on Node < 20.16 under ESM before `await tg.ready()`, a TensorError asking for it.
 * @example
 * const { readFileSync } = nodeBuiltin('node:fs', 'readImage', 'use tg.data.decodeImage(bytes)');
 */
export function nodeBuiltin<K extends keyof Builtins>(id: K, caller: string, instead?: string): Builtins[K] {
  if (!isNode) throw notNode(caller, id === 'node:fs' || id === 'node:path' ? 'it works on files' : `it uses ${id}`, instead);
  if (typeof process.getBuiltinModule === 'function') return process.getBuiltinModule(id) as Builtins[K];
  const req = cjsRequire();
  if (req) return req(id) as Builtins[K];
  if (preloaded.has(id)) return preloaded.get(id) as Builtins[K];
  throw new TensorError(
    `${caller}: this Node (${process.versions.node}) has no process.getBuiltinModule (Node < 20.16): call \`await tg.ready()\` once before using it, or load tensorgrad with require()`,
  );
}

/** `require` relative to this package (to load CommonJS dependencies and resolve package files), for `caller`. */
export function nodeRequire(caller: string, instead?: string): NodeJS.Require {
  if (!isNode) throw notNode(caller, 'it loads Node-only packages', instead);
  return nodeBuiltin('node:module', caller, instead).createRequire(import.meta.url);
}

function notNode(caller: string, why: string, instead: string | undefined): TensorError {
  return new TensorError(`${caller}: needs Node.js (${why})${instead ? `; in a browser, ${instead}` : ''}`);
}

/**
 * Creates folder `dir` and its missing parents, one level at a time, and
 * returns the folders it created (outermost first). Use it instead of
 * `mkdirSync(dir, { recursive: true })`, which on Node 20 spins forever at 100%
 * CPU when mkdir fails with ENOENT although the parent exists (`/proc/x/y`).
 * Throws `TensorError('<where>: ...')` naming the path that is a file or cannot
 * be created.
 * @example makeDirs('writePng', 'out/figures'); // ['/abs/out', '/abs/out/figures'] when neither existed
 */
export function makeDirs(where: string, dir: string): string[] {
  const { mkdirSync, statSync } = nodeBuiltin('node:fs', where);
  const { dirname, resolve } = nodeBuiltin('node:path', where);
  const code = (e: unknown) => (e as { code?: string }).code ?? (e as Error).message;
  const missing: string[] = [];
  for (let p = resolve(dir); ; p = dirname(p)) {
    let isDir: boolean;
    try {
      isDir = statSync(p).isDirectory();
    } catch (e) {
      // ENOTDIR: some ancestor is a file; walking up finds it and names it.
      if ((code(e) === 'ENOENT' || code(e) === 'ENOTDIR') && dirname(p) !== p) {
        missing.push(p);
        continue;
      }
      throw new TensorError(`${where}: cannot use ${p} (${code(e)})`);
    }
    if (!isDir) throw new TensorError(`${where}: ${p} is a file, not a folder`);
    break;
  }
  const created: string[] = [];
  for (const p of missing.reverse()) {
    try {
      mkdirSync(p);
      created.push(p);
    } catch (e) {
      if (code(e) === 'EEXIST' && statSync(p).isDirectory()) continue;
      throw new TensorError(`${where}: cannot create the folder ${p} (${code(e)})`);
    }
  }
  return created;
}

/**
 * Writes bytes (or UTF-8 text) to `path` atomically: a temporary file beside it,
 * flushed, then renamed over `path`, so a crash or error never leaves a
 * half-written file.
 * @internal
 */
export function writeFileAtomic(where: string, path: string, bytes: Uint8Array | string, instead?: string): void {
  const { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeFileSync } = nodeBuiltin('node:fs', where, instead);
  const tmp = `${path}.tmp-${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
  let fd: number | null = null;
  try {
    fd = openSync(tmp, 'wx');
    writeFileSync(fd, bytes);
    fsyncSync(fd);
    closeSync(fd);
    fd = null;
    renameSync(tmp, path);
  } catch (err) {
    // Best-effort cleanup: the temporary file may never have been created.
    for (const cleanup of [() => fd !== null && closeSync(fd), () => unlinkSync(tmp)]) {
      try {
        cleanup();
      } catch {
        // nothing more to undo
      }
    }
    throw new TensorError(`${where}: cannot write the file (${(err as Error).message})`);
  }
}
