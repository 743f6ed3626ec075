import { TensorError, fmtShape } from '../core/errors.js';
import { nodeBuiltin } from '../util/node.js';

/** Element types of the IDX format, by the type code in the magic number. */
export type IdxType = 'uint8' | 'int8' | 'int16' | 'int32' | 'float32' | 'float64';

/** The elements of an IDX file as the typed array of its type. */
export type IdxData = Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;

/** A parsed IDX file: `dims` from the header, `data` row-major with `prod(dims)` elements. */
export interface IdxFile {
  /** Element type, from the type code in the magic number. */
  readonly type: IdxType;
  /** The dimension sizes from the header, e.g. [60000, 28, 28] for MNIST's training images. */
  readonly dims: number[];
  /** The `prod(dims)` elements, row-major, as the typed array of `type` (converted from big-endian). */
  readonly data: IdxData;
}

/** Type code (third magic byte) and element size of each IDX type. */
const SPECS: Record<IdxType, { code: number; bytes: number }> = {
  uint8: { code: 0x08, bytes: 1 },
  int8: { code: 0x09, bytes: 1 },
  int16: { code: 0x0b, bytes: 2 },
  int32: { code: 0x0c, bytes: 4 },
  float32: { code: 0x0d, bytes: 4 },
  float64: { code: 0x0e, bytes: 8 },
};
const TYPE_OF_CODE = new Map(Object.entries(SPECS).map(([type, s]) => [s.code, type as IdxType]));

const hex = (v: number): string => `0x${(v >>> 0).toString(16).padStart(8, '0')}`;

/** Default limit on an IDX file's (inflated) size: 1 GiB, twice EMNIST ByClass's 549 MB training images. */
export const DEFAULT_MAX_IDX_BYTES = 2 ** 30;
const LIMIT_HINT = 'raise it with readIdx(path, { maxBytes })';

/** Options of {@link readIdx}. */
export interface ReadIdxOptions {
  /**
   * Largest (inflated) file accepted, in bytes, checked from the header before
   * anything is allocated. Default `DEFAULT_MAX_IDX_BYTES` (1 GiB).
   */
  maxBytes?: number;
}

/**
 * Reads an IDX file (the MNIST format: http://yann.lecun.com/exdb/mnist/),
 * from a path or from bytes. Gzipped input (`.gz`, or bytes starting with the
 * gzip signature) is inflated transparently.
 *
 * Layout: magic `0x0000TTDD` (big-endian; TT the type code: 0x08 uint8, 0x09 int8,
 * 0x0B int16, 0x0C int32, 0x0D float32, 0x0E float64; DD the number of dims),
 * then DD big-endian uint32 sizes, then the elements, big-endian, row-major.
 * The declared sizes must account for the file length exactly: a truncated file
 * or trailing bytes is an error, not a silently short dataset. Files (inflated)
 * larger than `maxBytes` (default 1 GiB) are refused from their header, before
 * allocation; gzip is inflated with that bound.
 * Paths and gzip need Node; in a browser, pass the (inflated) bytes.
 * @example
 * const { dims, data } = tg.data.readIdx('data/train-images-idx3-ubyte');  // dims [60000,28,28], Uint8Array
 */
export function readIdx(source: string | Uint8Array, opts: ReadIdxOptions = {}): IdxFile {
  const name = typeof source === 'string' ? source : '<bytes>';
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_IDX_BYTES;
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 1) throw new TensorError(`readIdx: maxBytes must be a positive integer (got ${String(opts.maxBytes)})`);
  let bytes: Uint8Array;
  if (typeof source === 'string') {
    const { readFileSync, statSync } = nodeBuiltin('node:fs', 'readIdx', 'fetch the file and pass its bytes');
    try {
      // Refuse an oversized file before reading it (a gzipped one is bounded while inflating).
      const size = statSync(source).size;
      if (size > maxBytes) throw new TensorError(`readIdx: ${name}: the file is ${size} bytes, above the limit of ${maxBytes} (${LIMIT_HINT})`);
      bytes = readFileSync(source);
    } catch (e) {
      if (e instanceof TensorError) throw e;
      const code = (e as NodeJS.ErrnoException).code;
      const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (e as Error).message;
      throw new TensorError(`readIdx: cannot read ${name}: ${why}`);
    }
  } else if (source instanceof Uint8Array) {
    bytes = source;
  } else {
    throw new TensorError(`readIdx: expected a path or a Uint8Array (got ${typeof source})`);
  }
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    bytes = gunzipBounded(bytes, name, maxBytes);
  } else if (name.endsWith('.gz')) {
    throw new TensorError(`readIdx: ${name}: the name ends in .gz but the file is not gzip data (no 1f 8b signature)`);
  } else if (bytes.length > maxBytes) {
    throw new TensorError(`readIdx: ${name}: ${bytes.length} bytes is above the limit of ${maxBytes} (${LIMIT_HINT})`);
  }
  return parseIdx(bytes, name, maxBytes);
}

/** Total size of an IDX file whose header is `head` (at least the magic and dims), or null if `head` is too short. */
function declaredSize(head: Uint8Array, name: string, maxBytes: number): number | null {
  if (head.length < 4) return null;
  const type = checkMagic(head, name);
  const ndim = head[3]!;
  const headerBytes = 4 + 4 * ndim;
  if (head.length < headerBytes) return null;
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  let size = SPECS[type].bytes;
  for (let i = 0; i < ndim; i++) size *= view.getUint32(4 + 4 * i);
  size += headerBytes;
  if (size > maxBytes) {
    const dims = Array.from({ length: ndim }, (_, i) => view.getUint32(4 + 4 * i));
    throw new TensorError(`readIdx: ${name}: header declares ${type} dims ${fmtShape(dims)}, i.e. ${size} bytes, above the limit of ${maxBytes} (${LIMIT_HINT})`);
  }
  return size;
}

/**
 * Inflates gzip data to at most the size its IDX header declares: the header
 * is read from a bounded partial inflate first, so a small .gz claiming (or
 * expanding to) gigabytes fails early instead of exhausting memory.
 */
function gunzipBounded(gz: Uint8Array, name: string, maxBytes: number): Uint8Array {
  const zlib = nodeBuiltin('node:zlib', 'readIdx', "inflate gzip data first (DecompressionStream('gzip')) and pass the bytes");
  const fail = (e: unknown): never => {
    if (e instanceof TensorError) throw e;
    throw new TensorError(`readIdx: ${name}: corrupt gzip data: ${(e as Error).message}`);
  };
  // A partial inflate of a growing prefix (Z_SYNC_FLUSH tolerates the cut) until the header is out.
  let expected: number | null = null;
  for (let prefix = 4096; expected === null; prefix *= 4) {
    let head: Uint8Array;
    try {
      head = zlib.gunzipSync(gz.subarray(0, prefix), { finishFlush: zlib.constants.Z_SYNC_FLUSH, maxOutputLength: 64 * 2 ** 20 });
    } catch (e) {
      return fail(e);
    }
    expected = declaredSize(head, name, maxBytes);
    if (expected === null && prefix >= gz.length) {
      // The whole input gave no header: let zlib name the damage if the stream itself is bad.
      try {
        zlib.gunzipSync(gz, { maxOutputLength: 64 * 2 ** 20 });
      } catch (e) {
        fail(e);
      }
      throw new TensorError(`readIdx: ${name}: truncated: the gzip data inflates to ${head.length} bytes, too short for the IDX header`);
    }
  }
  try {
    // One byte of slack so that trailing data is seen (and reported by the exact-size check) rather than cut off.
    return zlib.gunzipSync(gz, { maxOutputLength: expected + 1 });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new TensorError(`readIdx: ${name}: trailing bytes: the gzip data inflates to more than the ${expected} bytes its IDX header declares`);
    }
    return fail(e);
  }
}

/** Checks the 4-byte magic number and returns the element type. */
function checkMagic(bytes: Uint8Array, name: string): IdxType {
  const code = bytes[2]!, ndim = bytes[3]!;
  const type = TYPE_OF_CODE.get(code);
  if (bytes[0] !== 0 || bytes[1] !== 0 || type === undefined || ndim === 0) {
    const magic = ((bytes[0]! << 24) | (bytes[1]! << 16) | (code << 8) | ndim) >>> 0;
    throw new TensorError(
      `readIdx: ${name}: bad magic number ${hex(magic)} (expected 0x0000TTDD with type code TT in 08, 09, 0B, 0C, 0D, 0E and DD >= 1 dims, e.g. 0x00000803 for MNIST images or 0x00000801 for labels)`,
    );
  }
  return type;
}

function parseIdx(bytes: Uint8Array, name: string, maxBytes: number): IdxFile {
  if (bytes.length < 4) throw new TensorError(`readIdx: ${name}: file is ${bytes.length} bytes, too short for the 4-byte magic number`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const type = checkMagic(bytes, name);
  const ndim = bytes[3]!;
  declaredSize(bytes, name, maxBytes); // the size limit, before any allocation
  const headerBytes = 4 + 4 * ndim;
  if (bytes.length < headerBytes) {
    throw new TensorError(`readIdx: ${name}: truncated header: ${ndim} dims need ${headerBytes} header bytes but the file has ${bytes.length}`);
  }
  const dims: number[] = [];
  for (let i = 0; i < ndim; i++) dims.push(view.getUint32(4 + 4 * i));
  const count = dims.reduce((a, b) => a * b, 1);
  const expected = headerBytes + count * SPECS[type].bytes;
  if (bytes.length !== expected) {
    const what = bytes.length < expected ? 'truncated' : 'trailing bytes';
    throw new TensorError(
      `readIdx: ${name}: ${what}: header declares ${type} dims ${fmtShape(dims)}, i.e. ${expected} bytes in all, but the file has ${bytes.length}`,
    );
  }
  return { type, dims, data: readElements(view, headerBytes, count, type) };
}

/** Converts the big-endian elements into a (native-endian) typed array. */
function readElements(view: DataView, at: number, count: number, type: IdxType): IdxData {
  // One-byte types are a plain copy (fast for the 47 MB of MNIST); wider ones swap bytes.
  const src = new Uint8Array(view.buffer, view.byteOffset + at, count * SPECS[type].bytes);
  switch (type) {
    case 'uint8': return src.slice();
    case 'int8': return new Int8Array(src.slice().buffer);
    case 'int16': return Int16Array.from({ length: count }, (_, i) => view.getInt16(at + 2 * i));
    case 'int32': return Int32Array.from({ length: count }, (_, i) => view.getInt32(at + 4 * i));
    case 'float32': return Float32Array.from({ length: count }, (_, i) => view.getFloat32(at + 4 * i));
    case 'float64': return Float64Array.from({ length: count }, (_, i) => view.getFloat64(at + 8 * i));
  }
}

/**
 * Encodes `data` with `dims` as IDX bytes (the inverse of `readIdx`); the type
 * follows the typed array (Uint8Array -> 0x08, Int32Array -> 0x0C, ...).
 * @example writeFileSync('labels-idx1-ubyte', tg.data.encodeIdx([3], Uint8Array.of(7, 2, 1)));
 */
export function encodeIdx(dims: readonly number[], data: IdxData): Uint8Array {
  const type = typeOf(data);
  const count = dims.reduce((a, b) => a * b, 1);
  if (dims.length < 1 || dims.length > 255 || dims.some((d) => !Number.isInteger(d) || d < 0 || d > 0xffffffff)) {
    throw new TensorError(`encodeIdx: dims must be 1 to 255 non-negative 32-bit integers (got ${fmtShape(dims)})`);
  }
  if (count !== data.length) throw new TensorError(`encodeIdx: dims ${fmtShape(dims)} need ${count} elements but data has ${data.length}`);
  const { code, bytes } = SPECS[type];
  const header = 4 + 4 * dims.length;
  const out = new Uint8Array(header + count * bytes);
  const view = new DataView(out.buffer);
  out[2] = code;
  out[3] = dims.length;
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d));
  for (let i = 0; i < count; i++) {
    const at = header + i * bytes;
    const v = data[i]!;
    switch (type) {
      case 'uint8': view.setUint8(at, v); break;
      case 'int8': view.setInt8(at, v); break;
      case 'int16': view.setInt16(at, v); break;
      case 'int32': view.setInt32(at, v); break;
      case 'float32': view.setFloat32(at, v); break;
      case 'float64': view.setFloat64(at, v); break;
    }
  }
  return out;
}

function typeOf(data: IdxData): IdxType {
  if (data instanceof Uint8Array) return 'uint8';
  if (data instanceof Int8Array) return 'int8';
  if (data instanceof Int16Array) return 'int16';
  if (data instanceof Int32Array) return 'int32';
  if (data instanceof Float32Array) return 'float32';
  if (data instanceof Float64Array) return 'float64';
  throw new TensorError('encodeIdx: data must be a Uint8Array, Int8Array, Int16Array, Int32Array, Float32Array or Float64Array');
}
