/**
 * NumPy's `.npy` format (numpy.lib.format, versions 1.0, 2.0 and 3.0), read and
 * written byte-for-byte as `np.save` writes it:
 *
 *   [6 bytes]  magic "\x93NUMPY"
 *   [2 bytes]  major, minor version
 *   [2|4]      header length, little-endian (2 bytes in 1.0; 4 in 2.0 and 3.0)
 *   [header]   a Python dict literal, latin-1 (UTF-8 in 3.0), padded with spaces and
 *              a final newline so the data starts 64-byte aligned:
 *              {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }
 *   [data]     the elements, in C (row-major) or Fortran (column-major) order
 *
 * Reading takes the numeric dtypes, either byte order:
 * - `f4` -> float32, `f8` -> float64, `f2` -> float32 (exact widening);
 * - `i4` -> int32; `i1 i2 u1 u2` -> int32 (exact); `i8 u4 u8` -> int32, with an error
 *   naming the element when a value does not fit (tensorgrad has no 64-bit integers;
 *   for int64 data beyond int32, convert in numpy first: `a.astype(np.float64)`);
 *   `u1` is numeric data such as pixels, so int32, as in tg.io.load;
 * - `b1` -> bool (any nonzero byte reads as true);
 * - big-endian ('>') data is byte-swapped; Fortran-order data is reordered to C
 *   order; a 0-d array gives a 0-d tensor.
 * Object arrays (pickles), structured, complex, string and datetime dtypes are
 * refused with a message saying what the file holds. Parsing is bounded: the
 * header (at most 10,000 bytes, numpy's own limit), the rank (at most 64) and the
 * element count against the bytes present are checked before anything is allocated.
 *
 * Writing (`encodeNpy`, `saveNpy`) gives the exact bytes of `np.save` for our dtypes:
 * float32 '<f4', float64 '<f8', int32 '<i4', bool '|b1', C order, version 1.0
 * (2.0 when the header would not fit 1.0's 2-byte length).
 */
import { halfToNumber, typedArrayFor, type DType, type TypedArray } from '../core/dtype.js';
import { TensorError, fmtShape } from '../core/errors.js';
import { tensor } from '../tensor/create.js';
import { Tensor } from '../tensor/tensor.js';
import { writeFileAtomic } from '../util/node.js';
import { readFileBytes } from './safetensors.js';

/** numpy refuses headers above 10,000 bytes by default (`max_header_size`); so do we. */
export const MAX_NPY_HEADER_BYTES = 10_000;
/** numpy's NPY_MAXDIMS (64 since numpy 2.0). */
const MAX_RANK = 64;
const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
const ARRAY_ALIGN = 64;
/** numpy pads the header so the first (growth) axis can take up to 21 digits in place. */
const GROWTH_AXIS_MAX_DIGITS = 21;
const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** One element kind as read: size, our dtype, whether it is an integer that may not fit int32. */
interface Kind { size: number; dtype: DType; get: (v: DataView, p: number, le: boolean) => number; checkRange?: boolean }


/** Kinds by numpy type code (the descr without its byte-order character). */
const KINDS: Record<string, Kind> = {
  f2: { size: 2, dtype: 'float32', get: (v, p, le) => halfToNumber(v.getUint16(p, le)) },
  f4: { size: 4, dtype: 'float32', get: (v, p, le) => v.getFloat32(p, le) },
  f8: { size: 8, dtype: 'float64', get: (v, p, le) => v.getFloat64(p, le) },
  i1: { size: 1, dtype: 'int32', get: (v, p) => v.getInt8(p) },
  u1: { size: 1, dtype: 'int32', get: (v, p) => v.getUint8(p) },
  i2: { size: 2, dtype: 'int32', get: (v, p, le) => v.getInt16(p, le) },
  u2: { size: 2, dtype: 'int32', get: (v, p, le) => v.getUint16(p, le) },
  i4: { size: 4, dtype: 'int32', get: (v, p, le) => v.getInt32(p, le) },
  u4: { size: 4, dtype: 'int32', get: (v, p, le) => v.getUint32(p, le), checkRange: true },
  i8: { size: 8, dtype: 'int32', get: (v, p, le) => Number(v.getBigInt64(p, le)), checkRange: true },
  u8: { size: 8, dtype: 'int32', get: (v, p, le) => Number(v.getBigUint64(p, le)), checkRange: true },
  b1: { size: 1, dtype: 'bool', get: (v, p) => (v.getUint8(p) ? 1 : 0) },
};

/** What a few refused type codes are, for the error message. */
const REFUSED: Record<string, string> = {
  O: 'Python objects (a pickle; numpy needs allow_pickle=True to read it, and tensorgrad never runs pickles)',
  c: 'complex numbers', U: 'unicode strings', S: 'byte strings', a: 'byte strings', V: 'raw void/structured records',
  M: 'datetimes', m: 'timedeltas', f: 'floats of an unsupported size', i: 'integers of an unsupported size', u: 'integers of an unsupported size',
  b: 'booleans of an unsupported size',
};

/** The header's three fields. */
interface NpyHeader { descr: string; fortranOrder: boolean; shape: number[] }

/** A short, safe rendering of header text for an error message. */
const clip = (s: string) => JSON.stringify(s.length > 60 ? `${s.slice(0, 60)}...` : s);

/**
 * Parses the header's Python dict literal: string keys; values that are strings,
 * True/False, or tuples of non-negative integers (Python 2 files may write `3L`).
 * A list value (a structured dtype's descr) is reported as such. Bounded by the
 * header's length (at most MAX_NPY_HEADER_BYTES), one pass, no recursion.
 */
function parseHeaderDict(where: string, text: string): NpyHeader {
  let i = 0;
  const fail = (what: string): never => {
    throw new TensorError(`${where}: the .npy header is not the dict numpy writes (${what} at character ${i}: ${clip(text.slice(i))})`);
  };
  const ws = () => { while (i < text.length && ' \t\r\n'.includes(text[i]!)) i++; };
  const str = (): string => {
    const q = text[i];
    if (q !== "'" && q !== '"') return fail('expected a quoted string');
    const end = text.indexOf(q, i + 1);
    if (end < 0) return fail('an unterminated string');
    const s = text.slice(i + 1, end);
    if (s.includes('\\')) return fail('an escaped string');
    i = end + 1;
    return s;
  };
  const fields = new Map<string, unknown>();
  ws();
  if (text[i] !== '{') fail("expected '{'");
  i++;
  for (;;) {
    ws();
    if (text[i] === '}') { i++; break; }
    const key = str();
    ws();
    if (text[i] !== ':') fail("expected ':'");
    i++;
    ws();
    let value: unknown;
    if (text[i] === "'" || text[i] === '"') value = str();
    else if (text.startsWith('True', i)) { value = true; i += 4; }
    else if (text.startsWith('False', i)) { value = false; i += 5; }
    else if (text[i] === '[') {
      throw new TensorError(`${where}: the array has a structured dtype (a list of fields in 'descr'); only plain numeric arrays are supported (save each field as its own array)`);
    } else if (text[i] === '(') {
      i++;
      const dims: number[] = [];
      for (;;) {
        ws();
        if (text[i] === ')') { i++; break; }
        const m = /^\d{1,20}L?/.exec(text.slice(i, i + 22));
        if (!m) fail('expected a non-negative integer in the shape');
        const n = Number(m![0].replace('L', ''));
        if (!Number.isSafeInteger(n)) throw new TensorError(`${where}: shape dimension ${m![0]} is too large`);
        if (dims.length >= MAX_RANK) throw new TensorError(`${where}: shape has more than ${MAX_RANK} dimensions`);
        dims.push(n);
        i += m![0].length;
        ws();
        if (text[i] === ',') i++;
        else if (text[i] !== ')') fail("expected ',' or ')' in the shape");
      }
      value = dims;
    } else fail('expected a string, True, False or a tuple');
    if (fields.has(key)) fail(`key '${key}' given twice`);
    fields.set(key, value);
    ws();
    if (text[i] === ',') i++;
    else if (text[i] !== '}') fail("expected ',' or '}'");
  }
  ws();
  if (i !== text.length) fail('unexpected text after the dict');
  const keys = [...fields.keys()].sort();
  if (keys.join() !== 'descr,fortran_order,shape') {
    throw new TensorError(`${where}: the .npy header must have exactly the keys 'descr', 'fortran_order', 'shape' (got ${keys.map((k) => `'${k}'`).join(', ') || 'none'})`);
  }
  const descr = fields.get('descr'), fortranOrder = fields.get('fortran_order'), shape = fields.get('shape');
  if (typeof descr !== 'string') throw new TensorError(`${where}: 'descr' must be a string such as '<f4'`);
  if (typeof fortranOrder !== 'boolean') throw new TensorError(`${where}: 'fortran_order' must be True or False`);
  if (!Array.isArray(shape)) throw new TensorError(`${where}: 'shape' must be a tuple of integers`);
  return { descr, fortranOrder, shape };
}

/** Resolves a descr such as '<f4', '>i8', '|b1' to its kind and byte order. */
function parseDescr(where: string, descr: string): { kind: Kind; littleEndian: boolean } {
  const m = /^([<>|=]?)([a-zA-Z])(\d*)$/.exec(descr);
  const code = m ? `${m[2]}${m[3]}` : '';
  const kind = Object.hasOwn(KINDS, code) ? KINDS[code] : undefined;
  if (!m || !kind) {
    const what = m ? REFUSED[m[2]!] : undefined;
    throw new TensorError(`${where}: unsupported dtype ${clip(descr)}${what ? ` (${what})` : ''}; supported: ` +
      `${Object.keys(KINDS).join(', ')} with '<' or '>' byte order`);
  }
  const order = m[1]!;
  if (order === '|' && kind.size > 1) throw new TensorError(`${where}: dtype ${clip(descr)} has no byte order ('|') but ${kind.size}-byte elements`);
  // '=' is "native" to the writer, which the file does not record; numpy reads it as the reader's own order.
  return { kind, littleEndian: order === '>' ? false : order === '=' ? LITTLE_ENDIAN_HOST : true };
}

/** Names a few formats people pass by mistake. */
function sniff(b: Uint8Array): string | null {
  if (b[0] === 0x50 && b[1] === 0x4b) return 'a zip archive (an .npz file? use tg.io.loadNpz)';
  if (b[0] === 0x80 && b[1]! >= 2 && b[1]! <= 5) return 'a Python pickle (np.save of an object, or a PyTorch .pt file?)';
  if (b[0] === 0x89 && b[1] === 0x50) return 'a PNG image';
  if (b.length >= 8 && b[0] !== 0x93) {
    const n = new DataView(b.buffer, b.byteOffset, 8).getBigUint64(0, true);
    if (n > 0n && n < BigInt(b.length) && b[8] === 0x7b) return 'a safetensors file (use tg.io.load)';
  }
  return null;
}

/** Reorders Fortran-order (column-major) values of `shape` into C order. */
function fortranToC(values: TypedArray, shape: readonly number[]): TypedArray {
  const n = values.length;
  const rank = shape.length;
  if (rank < 2 || n === 0) return values;
  const out = values.constructor === Float32Array ? new Float32Array(n) : values.constructor === Float64Array ? new Float64Array(n)
    : values.constructor === Int32Array ? new Int32Array(n) : new Uint8Array(n);
  // Column-major strides: the first axis varies fastest.
  const fStride = new Array<number>(rank);
  for (let d = 0, s = 1; d < rank; d++) { fStride[d] = s; s *= shape[d]!; }
  const idx = new Array<number>(rank).fill(0);
  let src = 0;
  for (let k = 0; k < n; k++) {
    out[k] = values[src]!;
    // Advance the C-order counter (last axis fastest), keeping src = sum(idx[d] * fStride[d]).
    for (let d = rank - 1; d >= 0; d--) {
      idx[d]!++;
      src += fStride[d]!;
      if (idx[d]! < shape[d]!) break;
      src -= idx[d]! * fStride[d]!;
      idx[d] = 0;
    }
  }
  return out;
}

/**
 * Parses and validates .npy bytes; `where` prefixes error messages.
 * @internal Use `loadNpy` (also used for .npz entries).
 */
export function decodeNpy(where: string, input: Uint8Array): Tensor {
  if (!(input instanceof Uint8Array)) throw new TensorError(`${where}: expected the file's bytes as a Uint8Array or Buffer (got ${input === null ? 'null' : typeof input})`);
  const bytes = new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
  if (bytes.length < 10 || MAGIC.some((m, i) => bytes[i] !== m)) {
    const kind = bytes.length >= 2 ? sniff(bytes) : null;
    throw new TensorError(`${where}: ${kind ? `this is ${kind}, not an .npy file` : bytes.length < 10 ? `file is ${bytes.length} bytes, too short for an .npy header (truncated?)` : "not an .npy file (it does not start with numpy's magic \\x93NUMPY)"}`);
  }
  const major = bytes[6]!, minor = bytes[7]!;
  if (!(major >= 1 && major <= 3) || minor !== 0) throw new TensorError(`${where}: unsupported .npy format version ${major}.${minor} (supported: 1.0, 2.0, 3.0)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lenSize = major === 1 ? 2 : 4;
  if (bytes.length < 8 + lenSize) throw new TensorError(`${where}: file is ${bytes.length} bytes, too short for an .npy header (truncated?)`);
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  if (headerLength > MAX_NPY_HEADER_BYTES) {
    throw new TensorError(`${where}: .npy header length ${headerLength} exceeds the limit of ${MAX_NPY_HEADER_BYTES} bytes (numpy's max_header_size)`);
  }
  const dataStart = 8 + lenSize + headerLength;
  if (dataStart > bytes.length) throw new TensorError(`${where}: .npy header length ${headerLength} runs past the end of the file (${bytes.length} bytes; truncated?)`);
  const raw = bytes.subarray(8 + lenSize, dataStart);
  let text: string;
  if (major === 3) {
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(raw);
    } catch {
      throw new TensorError(`${where}: .npy 3.0 header is not valid UTF-8`);
    }
  } else {
    text = String.fromCharCode(...raw); // latin-1; at most 10,000 bytes
  }
  const header = parseHeaderDict(where, text);
  const { kind, littleEndian } = parseDescr(where, header.descr);
  const { shape } = header;
  const count = shape.reduce((a, b) => a * b, 1);
  const nbytes = count * kind.size;
  if (!Number.isSafeInteger(nbytes)) throw new TensorError(`${where}: shape ${fmtShape(shape)} is too large to address`);
  const present = bytes.length - dataStart;
  if (nbytes > present) {
    throw new TensorError(`${where}: shape ${fmtShape(shape)} of ${header.descr} needs ${nbytes} bytes of data but only ${present} follow the header (truncated file?)`);
  }
  if (nbytes < present) {
    throw new TensorError(`${where}: ${present - nbytes} unexpected bytes after the ${nbytes} bytes of shape ${fmtShape(shape)} of ${header.descr} ` +
      '(several arrays saved into one file? save them with np.savez and use tg.io.loadNpz)');
  }

  let values: TypedArray;
  const nativeOrder = littleEndian === LITTLE_ENDIAN_HOST || kind.size === 1;
  const code = header.descr.slice(-2);
  if (nativeOrder && (code === 'f4' || code === 'f8' || code === 'i4' || code === 'b1')) {
    // Fast path: copy into a fresh (aligned) buffer and view it.
    const copy = bytes.slice(dataStart, dataStart + nbytes);
    values = code === 'f4' ? new Float32Array(copy.buffer) : code === 'f8' ? new Float64Array(copy.buffer) : code === 'i4' ? new Int32Array(copy.buffer) : copy;
    if (code === 'b1') for (let i = 0; i < copy.length; i++) if (copy[i]! > 1) copy[i] = 1;
  } else {
    values = typedArrayFor(kind.dtype, count);
    for (let i = 0; i < count; i++) {
      const x = kind.get(view, dataStart + i * kind.size, littleEndian);
      if (kind.checkRange && (x < -2147483648 || x > 2147483647)) {
        throw new TensorError(`${where}: element ${i} of the ${header.descr} array is ${x}, outside the int32 range tensorgrad uses for integers ` +
          '(convert in numpy first, e.g. a.astype(np.float64))');
      }
      values[i] = x;
    }
  }
  if (header.fortranOrder) values = fortranToC(values, shape);
  return tensor(values, { dtype: kind.dtype, shape });
}

/** numpy's descr for each of our dtypes. */
const DESCR: Record<DType, string> = { float32: '<f4', float64: '<f8', int32: '<i4', bool: '|b1' };

/** Python's repr of a shape tuple: `()`, `(3,)`, `(2, 3)`. */
const shapeRepr = (shape: readonly number[]) => (shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`);

/**
 * Encodes a tensor as .npy bytes, identical to `np.save` of the same array
 * (C order, little-endian). `where` prefixes error messages.
 * @internal Use `encodeNpy` or `saveNpy`.
 */
export function encodeNpyAs(where: string, t: Tensor): Uint8Array {
  if (!(t instanceof Tensor)) throw new TensorError(`${where}: expected a Tensor (got ${t === null ? 'null' : typeof t})`);
  let dict = `{'descr': '${DESCR[t.dtype]}', 'fortran_order': False, 'shape': ${shapeRepr(t.shape)}, }`;
  if (t.shape.length > 0) dict += ' '.repeat(Math.max(0, GROWTH_AXIS_MAX_DIGITS - String(t.shape[0]).length));
  const hlen = dict.length + 1; // the final newline
  let major = 1;
  let lenSize = 2;
  let padlen = ARRAY_ALIGN - ((8 + lenSize + hlen) % ARRAY_ALIGN);
  if (hlen + padlen > 0xffff) {
    major = 2;
    lenSize = 4;
    padlen = ARRAY_ALIGN - ((8 + lenSize + hlen) % ARRAY_ALIGN);
  }
  const values = t.data();
  const size = t.dtype === 'float64' ? 8 : t.dtype === 'bool' ? 1 : 4;
  const headerEnd = 8 + lenSize + hlen + padlen;
  const out = new Uint8Array(headerEnd + values.length * size);
  out.set(MAGIC, 0);
  out[6] = major;
  const view = new DataView(out.buffer);
  if (major === 1) view.setUint16(8, hlen + padlen, true);
  else view.setUint32(8, hlen + padlen, true);
  for (let i = 0; i < dict.length; i++) out[8 + lenSize + i] = dict.charCodeAt(i);
  out.fill(0x20, 8 + lenSize + dict.length, headerEnd - 1);
  out[headerEnd - 1] = 0x0a;
  if (LITTLE_ENDIAN_HOST || size === 1) {
    out.set(new Uint8Array(values.buffer, values.byteOffset, values.byteLength), headerEnd);
  } else {
    values.forEach((x, i) => {
      if (t.dtype === 'float64') view.setFloat64(headerEnd + i * 8, x, true);
      else if (t.dtype === 'float32') view.setFloat32(headerEnd + i * 4, x, true);
      else view.setInt32(headerEnd + i * 4, x, true);
    });
  }
  return out;
}

/**
 * Reads a NumPy .npy array (a file path in Node, or the file's bytes anywhere)
 * as a tensor; see the file comment for the dtypes (int64 becomes int32, an error
 * if a value does not fit).
 * @example
 * const x = tg.io.loadNpy('features.npy');           // np.save('features.npy', a)
 * const w = tg.io.loadNpy(new Uint8Array(await (await fetch('w.npy')).arrayBuffer()));
 */
export function loadNpy(source: Uint8Array | string): Tensor {
  if (typeof source === 'string') {
    if (source === '') throw new TensorError('loadNpy: path must be a non-empty file name');
    const where = `loadNpy: ${source}`;
    return decodeNpy(where, readFileBytes(where, source, 'fetch the file and pass its bytes to tg.io.loadNpy'));
  }
  if (!(source instanceof Uint8Array)) {
    throw new TensorError(`loadNpy: expected a file path or the file's bytes as a Uint8Array (got ${source === null ? 'null' : typeof source})`);
  }
  return decodeNpy('loadNpy', source);
}

/**
 * Encodes a tensor as .npy bytes, identical to numpy's `np.save` of the same
 * array (float32 '<f4', float64 '<f8', int32 '<i4', bool '|b1'; C order).
 * @example const bytes = tg.io.encodeNpy(tg.arange(6).reshape([2, 3])); // np.load(io.BytesIO(bytes))
 */
export function encodeNpy(t: Tensor): Uint8Array {
  return encodeNpyAs('encodeNpy', t);
}

/**
 * Saves a tensor as an .npy file (atomically), readable with `np.load`. Node only.
 * @example tg.io.saveNpy(model.fc.weight, 'fc.npy');
 */
export function saveNpy(t: Tensor, path: string): void {
  if (typeof path !== 'string' || path === '') throw new TensorError(`saveNpy: path must be a file name string (got ${path === '' ? 'an empty string' : typeof path})`);
  const where = `saveNpy: ${path}`;
  writeFileAtomic(where, path, encodeNpyAs(where, t), 'use tg.io.encodeNpy(tensor) for the bytes');
}
