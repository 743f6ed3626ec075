/**
 * NumPy's `.npz` archives: a zip of `.npy` files, one per array, as written by
 * `np.savez(path, a, b, weight=w)` (stored) and `np.savez_compressed` (deflate;
 * reading those needs Node's zlib). Keys are the member names without `.npy`,
 * as `np.load(path).files` lists them (`arr_0`, `arr_1`, `weight`).
 *
 * Hostile files are normal input: the entry count, the declared sizes (2 GiB
 * uncompressed in all by default) and every CRC are checked (see zip.ts), and
 * each member is parsed as a bounded .npy (see npy.ts), errors naming the member.
 */
import { TensorError } from '../core/errors.js';
import { Tensor } from '../tensor/tensor.js';
import { writeFileAtomic } from '../util/node.js';
import { decodeNpy, encodeNpyAs } from './npy.js';
import { readFileBytes } from './safetensors.js';
import { readZip, writeZip, type ZipLimits } from './zip.js';

/** Options of `loadNpz`. */
export interface NpzOptions extends ZipLimits {}

function decodeNpz(where: string, bytes: Uint8Array, opts: NpzOptions): Record<string, Tensor> {
  if (opts === null || typeof opts !== 'object') throw new TensorError(`${where}: options must be an object such as { maxBytes: 2 ** 32 } (got ${opts === null ? 'null' : typeof opts})`);
  const unknown = Object.keys(opts).filter((k) => k !== 'maxEntries' && k !== 'maxBytes');
  if (unknown.length) throw new TensorError(`${where}: unknown option${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `'${k}'`).join(', ')} (expected maxEntries, maxBytes)`);
  for (const k of ['maxEntries', 'maxBytes'] as const) {
    const x = opts[k];
    if (x !== undefined && !(typeof x === 'number' && Number.isSafeInteger(x) && x >= 0)) throw new TensorError(`${where}: ${k} must be a non-negative integer (got ${String(x)})`);
  }
  if (!(bytes instanceof Uint8Array)) throw new TensorError(`${where}: expected a file path or the file's bytes as a Uint8Array (got ${bytes === null ? 'null' : typeof bytes})`);
  if (bytes.length >= 6 && bytes[0] === 0x93 && bytes[1] === 0x4e) throw new TensorError(`${where}: this is a single .npy array, not an .npz archive (use tg.io.loadNpy)`);
  const entries = readZip(where, new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), opts);
  const out: [string, Tensor][] = [];
  for (const e of entries) {
    if (!e.name.endsWith('.npy')) throw new TensorError(`${where}: entry ${JSON.stringify(e.name)} is not an .npy array (an .npz holds only name.npy members)`);
    out.push([e.name.slice(0, -4), decodeNpy(`${where}: entry '${e.name}'`, e.data)]);
  }
  // fromEntries defines own properties, so a member named "__proto__.npy" stays a plain key.
  return Object.fromEntries(out);
}

/**
 * Reads a NumPy .npz archive (a file path in Node, or the bytes anywhere; deflated
 * archives from np.savez_compressed need Node) as tensors by name.
 * @example
 * const { weight, bias } = tg.io.loadNpz('layer.npz');   // np.savez('layer.npz', weight=w, bias=b)
 */
export function loadNpz(source: Uint8Array | string, opts: NpzOptions = {}): Record<string, Tensor> {
  if (typeof source === 'string') {
    if (source === '') throw new TensorError('loadNpz: path must be a non-empty file name');
    const where = `loadNpz: ${source}`;
    return decodeNpz(where, readFileBytes(where, source, 'fetch the file and pass its bytes to tg.io.loadNpz'), opts);
  }
  return decodeNpz('loadNpz', source, opts);
}

function encodeNpzAs(where: string, tensors: Record<string, Tensor>): Uint8Array {
  if (tensors === null || typeof tensors !== 'object' || Array.isArray(tensors) || tensors instanceof Tensor) {
    throw new TensorError(`${where}: expected an object mapping names to tensors, e.g. { weight: t } (got ${tensors === null ? 'null' : Array.isArray(tensors) ? 'an array' : tensors instanceof Tensor ? 'a single Tensor' : typeof tensors})`);
  }
  return writeZip(where, Object.entries(tensors).map(([name, t]) => {
    if (!(t instanceof Tensor)) throw new TensorError(`${where}: '${name}' is not a Tensor`);
    return { name: `${name}.npy`, data: encodeNpyAs(`${where}: '${name}'`, t) };
  }));
}

/**
 * Encodes tensors as an .npz archive (stored, like np.savez), readable with `np.load`.
 * @example const bytes = tg.io.encodeNpz(model.stateDict());
 */
export function encodeNpz(tensors: Record<string, Tensor>): Uint8Array {
  return encodeNpzAs('encodeNpz', tensors);
}

/**
 * Saves tensors as an .npz file (atomically), readable with `np.load`. Node only.
 * @example tg.io.saveNpz(model.stateDict(), 'weights.npz'); // Python: dict(np.load('weights.npz'))
 */
export function saveNpz(tensors: Record<string, Tensor>, path: string): void {
  if (typeof path !== 'string' || path === '') throw new TensorError(`saveNpz: path must be a file name string (got ${path === '' ? 'an empty string' : typeof path})`);
  const where = `saveNpz: ${path}`;
  writeFileAtomic(where, path, encodeNpzAs(where, tensors), 'use tg.io.encodeNpz(tensors) for the bytes');
}
