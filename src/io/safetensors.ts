/**
 * The safetensors format (https://github.com/huggingface/safetensors), written
 * byte-for-byte as Python's `safetensors` library writes it:
 *
 *   [8 bytes]  N, the header length, unsigned 64-bit little-endian
 *   [N bytes]  UTF-8 JSON header: {"__metadata__": {str: str}?, name: {"dtype", "shape", "data_offsets"}, ...}
 *   [rest]     the byte buffer: each tensor contiguous, row-major, little-endian
 *
 * The reference writer (Rust `safetensors::tensor::prepare`) orders tensors by
 * dtype, largest alignment first (the Rust `Dtype` enum order, descending: F64,
 * F32, I32, BOOL for ours), then by name in byte (code point) order; lays them
 * out in that order; writes compact JSON with `__metadata__` first and the tensors
 * in the same order, each as {"dtype","shape","data_offsets"}; and pads the header
 * with spaces to a multiple of 8 so the byte buffer starts 8-aligned. `serialize`
 * does exactly that, so a file saved here equals the one Python would save.
 *
 * Reading accepts F64, F32, F16, BF16 (F16/BF16 widen exactly to float32), I32,
 * I64, U32, U64 (to int32, an error if a value does not fit), I16, U16, I8, U8
 * (to int32: U8 is numeric data such as pixels, not a mask), and BOOL (nonzero
 * bytes read as true).
 */
import { tensor } from '../tensor/create.js';
import type { DType, TypedArray } from '../core/dtype.js';
import { TensorError, fmtShape } from '../core/errors.js';
import { Tensor } from '../tensor/tensor.js';
import { nodeBuiltin, writeFileAtomic } from '../util/node.js';
import { halfToNumber } from '../core/dtype.js';

/** The free-form `__metadata__` of a safetensors file: strings to strings. */
export type SafetensorsMetadata = Record<string, string>;

/** What `deserialize` and `loadWithMetadata` return. */
export interface SafetensorsContents {
  /** Tensors by name, in name order (as Python's `load_file`). */
  tensors: Record<string, Tensor>;
  /** The file's `__metadata__`, or null when it has none. */
  metadata: SafetensorsMetadata | null;
}

/** The reference implementation refuses headers above 100 MB; so do we. */
const MAX_HEADER_BYTES = 100_000_000;
/**
 * At most this many tensors in one file (checked before the header is parsed):
 * large language models have a few thousand; a million empty entries would cost
 * seconds and a gigabyte of objects.
 */
export const MAX_SAFETENSORS_TENSORS = 100_000;
/** At most this many dimensions per tensor (PyTorch's own limit is 64). */
const MAX_RANK = 64;
/** A safetensors header nests 3 levels (header, entry, shape/offsets array); allow a little more for metadata errors to be reported plainly. */
const MAX_JSON_DEPTH = 8;
const METADATA_KEY = '__metadata__';
const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Our dtypes as written: safetensors code, element size, rank in the Rust `Dtype` enum (higher first). */
const WRITE: Record<DType, { code: string; size: number; rank: number }> = {
  float64: { code: 'F64', size: 8, rank: 3 },
  float32: { code: 'F32', size: 4, rank: 2 },
  int32: { code: 'I32', size: 4, rank: 1 },
  bool: { code: 'BOOL', size: 1, rank: 0 },
};

const scratch = new DataView(new ArrayBuffer(4));


/** bfloat16 is the top half of a float32. */
function bf16ToNumber(h: number): number {
  scratch.setUint32(0, h << 16);
  return scratch.getFloat32(0);
}

/** Dtypes we read: element size, the tensorgrad dtype, and a little-endian element getter. */
const READ: Record<string, { size: number; dtype: DType; get: (v: DataView, p: number) => number }> = {
  F64: { size: 8, dtype: 'float64', get: (v, p) => v.getFloat64(p, true) },
  F32: { size: 4, dtype: 'float32', get: (v, p) => v.getFloat32(p, true) },
  F16: { size: 2, dtype: 'float32', get: (v, p) => halfToNumber(v.getUint16(p, true)) },
  BF16: { size: 2, dtype: 'float32', get: (v, p) => bf16ToNumber(v.getUint16(p, true)) },
  I64: { size: 8, dtype: 'int32', get: (v, p) => Number(v.getBigInt64(p, true)) },
  U64: { size: 8, dtype: 'int32', get: (v, p) => Number(v.getBigUint64(p, true)) },
  I32: { size: 4, dtype: 'int32', get: (v, p) => v.getInt32(p, true) },
  U32: { size: 4, dtype: 'int32', get: (v, p) => v.getUint32(p, true) },
  I16: { size: 2, dtype: 'int32', get: (v, p) => v.getInt16(p, true) },
  U16: { size: 2, dtype: 'int32', get: (v, p) => v.getUint16(p, true) },
  I8: { size: 1, dtype: 'int32', get: (v, p) => v.getInt8(p) },
  U8: { size: 1, dtype: 'int32', get: (v, p) => v.getUint8(p) },
  BOOL: { size: 1, dtype: 'bool', get: (v, p) => v.getUint8(p) },
};

const SURROGATE = /[\uD800-\uDFFF]/;

/** Rust compares names as UTF-8 bytes, i.e. by code point; JS `<` compares UTF-16 units, which differs above U+FFFF. */
function compareCodePoints(a: string, b: string): number {
  // Without surrogates UTF-16 order is code point order: the fast path for ordinary names.
  if (!SURROGATE.test(a) && !SURROGATE.test(b)) return a < b ? -1 : a > b ? 1 : 0;
  const x = [...a], y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = x[i]!.codePointAt(0)! - y[i]!.codePointAt(0)!;
    if (d !== 0) return d;
  }
  return x.length - y.length;
}

/** Lone surrogates cannot be UTF-8 encoded; the reference reader would reject the file. */
function checkWellFormed(where: string, what: string, s: string): void {
  if (/\p{Cs}/u.test(s)) throw new TensorError(`${where}: ${what} ${JSON.stringify(s)} contains an unpaired UTF-16 surrogate, which UTF-8 cannot encode`);
}

/** The elements' bytes, little-endian. */
function littleEndianBytes(values: TypedArray, size: number): Uint8Array {
  if (LITTLE_ENDIAN_HOST || size === 1) return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  const out = new Uint8Array(values.length * size);
  const v = new DataView(out.buffer);
  values.forEach((x, i) => {
    if (values instanceof Float64Array) v.setFloat64(i * size, x, true);
    else if (values instanceof Float32Array) v.setFloat32(i * size, x, true);
    else v.setInt32(i * size, x, true);
  });
  return out;
}

/**
 * Encodes tensors as safetensors bytes; `where` prefixes error messages.
 * @internal Use `serialize` or `save`.
 */
export function encodeSafetensors(where: string, tensors: Record<string, Tensor>, metadata?: SafetensorsMetadata | null): Uint8Array {
  checkTensorRecord(where, tensors);
  if (metadata != null && (typeof metadata !== 'object' || Array.isArray(metadata))) {
    throw new TensorError(`${where}: metadata must be an object of strings (got ${Array.isArray(metadata) ? 'an array' : typeof metadata})`);
  }
  const entries = Object.entries(tensors);
  for (const [name, t] of entries) {
    if (!(t instanceof Tensor)) throw new TensorError(`${where}: '${name}' is not a Tensor`);
    if (name === METADATA_KEY) throw new TensorError(`${where}: '${METADATA_KEY}' is reserved for metadata and cannot name a tensor`);
    checkWellFormed(where, 'tensor name', name);
  }
  const metaEntries = metadata == null ? null : Object.entries(metadata);
  for (const [k, v] of metaEntries ?? []) {
    if (typeof v !== 'string') throw new TensorError(`${where}: metadata values must be strings ('${k}' is ${typeof v})`);
    checkWellFormed(where, 'metadata key', k);
    checkWellFormed(where, 'metadata value', v);
  }
  entries.sort(([a, x], [b, y]) => WRITE[y.dtype].rank - WRITE[x.dtype].rank || compareCodePoints(a, b));

  // Build the JSON by hand: a JS object would move integer-like names ("0", "10") to the front.
  const parts: string[] = [];
  if (metaEntries) {
    // The reference serializes a HashMap here, so its key order is arbitrary; we sort for determinism.
    metaEntries.sort(([a], [b]) => compareCodePoints(a, b));
    parts.push(`"${METADATA_KEY}":{${metaEntries.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(',')}}`);
  }
  const blobs: Uint8Array[] = [];
  let offset = 0;
  for (const [name, t] of entries) {
    const { code, size } = WRITE[t.dtype];
    const bytes = littleEndianBytes(t.data(), size); // data() is the logical row-major order, even for views
    parts.push(`${JSON.stringify(name)}:{"dtype":"${code}","shape":[${t.shape.join(',')}],"data_offsets":[${offset},${offset + bytes.length}]}`);
    blobs.push(bytes);
    offset += bytes.length;
  }
  const json = new TextEncoder().encode(`{${parts.join(',')}}`);
  const headerLength = Math.ceil(json.length / 8) * 8; // pad with spaces so the byte buffer starts 8-aligned

  const out = new Uint8Array(8 + headerLength + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerLength), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + headerLength);
  let pos = 8 + headerLength;
  for (const b of blobs) {
    out.set(b, pos);
    pos += b.length;
  }
  return out;
}

/** The common wrong arguments to save/serialize, each with the call that was meant. */
function checkTensorRecord(where: string, tensors: unknown): void {
  const fn = where.startsWith('save') ? 'save' : 'serialize';
  if (tensors instanceof Tensor) throw new TensorError(`${where}: got a single Tensor; pass an object of named tensors, e.g. tg.io.${fn}({ weight: t }${fn === 'save' ? ", 'w.safetensors'" : ''})`);
  if (tensors !== null && typeof tensors === 'object' && typeof (tensors as { stateDict?: unknown }).stateDict === 'function') {
    throw new TensorError(`${where}: got a ${tensors.constructor?.name ?? 'Module'} (a model), not its tensors; pass model.stateDict(), e.g. tg.io.${fn}(model.stateDict()${fn === 'save' ? ", 'model.safetensors'" : ''}) (for a resumable training state use tg.io.saveCheckpoint)`);
  }
  if (tensors instanceof Map) throw new TensorError(`${where}: got a Map; pass a plain object, e.g. Object.fromEntries(map)`);
  if (tensors === null || typeof tensors !== 'object' || Array.isArray(tensors)) {
    throw new TensorError(`${where}: expected an object mapping names to tensors (got ${tensors === null ? 'null' : Array.isArray(tensors) ? 'an array' : typeof tensors})`);
  }
}

interface HeaderEntry { name: string; code: string; shape: number[]; begin: number; end: number }

/**
 * One pass over the header text before JSON.parse: the deepest nesting of
 * objects/arrays and the number of objects directly inside the top-level one
 * (the tensor entries, plus `__metadata__`). Strings are skipped, escapes included.
 * @internal also bounds the checkpoint state JSON
 */
export function scanJson(text: string): { depth: number; entries: number } {
  let depth = 0, maxDepth = 0, entries = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) { // "
      for (i++; i < text.length && text.charCodeAt(i) !== 0x22; i++) if (text.charCodeAt(i) === 0x5c) i++;
    } else if (c === 0x7b || c === 0x5b) { // { [
      depth++;
      if (depth > maxDepth) maxDepth = depth;
      if (depth === 2 && c === 0x7b) entries++;
    } else if (c === 0x7d || c === 0x5d) { // } ]
      depth--;
    }
  }
  return { depth: maxDepth, entries };
}

/** Names a few formats people pass to load by mistake (PyTorch pickles, ONNX, images, JSON). */
function sniff(b: Uint8Array): string | null {
  if (b[0] === 0x50 && b[1] === 0x4b) return 'a zip archive (a PyTorch .pt/.pth file? convert it with safetensors.torch.save_file)';
  if (b[0] === 0x80 && b[1]! >= 2 && b[1]! <= 5) return 'a Python pickle (a PyTorch .pt/.pth file? convert it with safetensors.torch.save_file)';
  if (b[0] === 0x89 && b[1] === 0x50) return 'a PNG image';
  if (b[0] === 0xff && b[1] === 0xd8) return 'a JPEG image';
  if (b[0] === 0x7b || b[0] === 0x5b) return 'a JSON/text file';
  if (b[0] === 0x1f && b[1] === 0x8b) return 'gzip data';
  return null;
}

/** A short, safe rendering of an untrusted JSON value for an error message. */
function preview(v: unknown): string {
  if (Array.isArray(v)) return v.length > 8 || v.some((x) => x !== null && typeof x === 'object') ? `an array of ${v.length} items (not all numbers)` : JSON.stringify(v);
  if (v !== null && typeof v === 'object') return 'an object';
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 60 ? `${s.slice(0, 60)}...` : s;
}

const isCount = (x: unknown): x is number => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;

/** Parses and checks one header entry (a tensor's dtype, shape and offsets). */
function parseEntry(where: string, name: string, info: unknown): HeaderEntry {
  const bad = (what: string) => new TensorError(`${where}: tensor '${name}' ${what}`);
  if (info === null || typeof info !== 'object' || Array.isArray(info)) throw bad('has no {dtype, shape, data_offsets} object in the header');
  const { dtype, shape, data_offsets: offsets } = info as Record<string, unknown>;
  if (typeof dtype !== 'string') throw bad('has no dtype string');
  if (!Object.hasOwn(READ, dtype)) throw bad(`has unknown or unsupported dtype '${dtype.slice(0, 40)}' (supported: ${Object.keys(READ).join(', ')})`);
  if (!Array.isArray(shape) || !shape.every(isCount)) throw bad(`has an invalid shape ${preview(shape)} (expected an array of non-negative integers)`);
  if (shape.length > MAX_RANK) throw bad(`has ${shape.length} dimensions (at most ${MAX_RANK})`);
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isCount)) {
    throw bad(`has invalid data_offsets ${preview(offsets)} (expected [begin, end])`);
  }
  const [begin, end] = offsets as [number, number];
  if (end < begin) throw bad(`has data_offsets [${begin},${end}] that end before they begin`);
  const numel = (shape as number[]).reduce((a, b) => a * b, 1);
  const nbytes = numel * READ[dtype]!.size;
  if (!Number.isSafeInteger(nbytes)) throw bad(`has a shape ${fmtShape(shape as number[])} too large to address`);
  if (end - begin !== nbytes) {
    throw bad(`has shape ${fmtShape(shape as number[])} and dtype ${dtype} (${nbytes} bytes) but data_offsets [${begin},${end}] span ${end - begin} bytes`);
  }
  return { name, code: dtype, shape: shape as number[], begin, end };
}

/** Reads a header's `__metadata__`, which the format restricts to strings. */
function parseMetadata(where: string, meta: unknown): SafetensorsMetadata | null {
  if (meta === undefined) return null;
  if (meta === null || typeof meta !== 'object' || Array.isArray(meta)) throw new TensorError(`${where}: ${METADATA_KEY} must be an object of strings`);
  for (const [k, v] of Object.entries(meta)) {
    if (typeof v !== 'string') throw new TensorError(`${where}: ${METADATA_KEY} must map strings to strings ('${k}' is ${v === null ? 'null' : typeof v})`);
  }
  return Object.fromEntries(Object.entries(meta as SafetensorsMetadata));
}

/** Decodes one tensor's elements from the byte buffer. */
function decodeTensor(where: string, e: HeaderEntry, view: DataView, start: number): Tensor {
  const spec = READ[e.code]!;
  const count = (e.end - e.begin) / spec.size;
  const pos = start + e.begin;
  let values: TypedArray;
  if (LITTLE_ENDIAN_HOST && (e.code === 'F32' || e.code === 'F64' || e.code === 'I32' || e.code === 'BOOL')) {
    // Fast path: copy the bytes into a fresh (aligned) buffer and view them.
    const bytes = new Uint8Array(view.buffer, view.byteOffset + pos, e.end - e.begin).slice();
    values = e.code === 'F32' ? new Float32Array(bytes.buffer) : e.code === 'F64' ? new Float64Array(bytes.buffer)
      : e.code === 'I32' ? new Int32Array(bytes.buffer) : bytes;
    // A bool is 0 or 1 in storage; any other byte is read as true (as the slow path does).
    if (e.code === 'BOOL') for (let i = 0; i < bytes.length; i++) if (bytes[i]! > 1) bytes[i] = 1;
  } else {
    values = spec.dtype === 'float64' ? new Float64Array(count) : spec.dtype === 'float32' ? new Float32Array(count)
      : spec.dtype === 'int32' ? new Int32Array(count) : new Uint8Array(count);
    for (let i = 0; i < count; i++) {
      const x = spec.get(view, pos + i * spec.size);
      if (spec.dtype === 'int32' && (x < -2147483648 || x > 2147483647)) {
        throw new TensorError(`${where}: tensor '${e.name}' (${e.code}) holds ${x} at element ${i}, outside the int32 range tensorgrad uses for integers`);
      }
      values[i] = spec.dtype === 'bool' ? (x ? 1 : 0) : x;
    }
  }
  return tensor(values, { dtype: spec.dtype, shape: e.shape });
}

/**
 * Parses and validates safetensors bytes; `where` prefixes error messages.
 * @internal Use `deserialize`, `load` or `loadWithMetadata`.
 */
export function decodeSafetensors(where: string, input: Uint8Array): SafetensorsContents {
  if (!(input instanceof Uint8Array)) throw new TensorError(`${where}: expected the file's bytes as a Uint8Array or Buffer (got ${input === null ? 'null' : typeof input})`);
  // A Node Buffer may be a window on a shared pool: work on a plain Uint8Array of exactly its bytes.
  const bytes = new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
  const size = bytes.length;
  if (size < 8) throw new TensorError(`${where}: file is ${size} bytes, too short to hold the 8-byte header length (truncated?)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n64 = view.getBigUint64(0, true);
  if (n64 > BigInt(size - 8)) {
    const kind = sniff(bytes);
    throw new TensorError(`${where}: ${kind ? `this is ${kind}, not a safetensors file` : `header length ${n64} exceeds file size ${size} (truncated or not a safetensors file?)`}`);
  }
  const n = Number(n64);
  if (n > MAX_HEADER_BYTES) throw new TensorError(`${where}: header length ${n} exceeds the format's limit of ${MAX_HEADER_BYTES} bytes`);

  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes.subarray(8, 8 + n));
  } catch {
    throw new TensorError(`${where}: header is not valid UTF-8`);
  }
  // Bound nesting and entry count before parsing, so hostile headers cost neither stack nor memory.
  const scan = scanJson(text);
  if (scan.depth > MAX_JSON_DEPTH) throw new TensorError(`${where}: header JSON nests ${scan.depth} levels deep (a safetensors header has 3; the limit is ${MAX_JSON_DEPTH})`);
  if (scan.entries > MAX_SAFETENSORS_TENSORS + 1) {
    throw new TensorError(`${where}: header lists ${scan.entries} entries, more than the limit of ${MAX_SAFETENSORS_TENSORS} tensors per file`);
  }
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (err) {
    throw new TensorError(`${where}: header is not valid JSON (${(err as Error).message})`);
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) throw new TensorError(`${where}: header must be a JSON object`);

  const metadata = parseMetadata(where, (header as Record<string, unknown>)[METADATA_KEY]);
  const entries = Object.entries(header)
    .filter(([name]) => name !== METADATA_KEY)
    .map(([name, info]) => parseEntry(where, name, info))
    .sort((a, b) => a.begin - b.begin || a.end - b.end);

  // Like the reference reader: tensors must tile the byte buffer exactly, in offset order.
  const dataStart = 8 + n;
  const dataSize = size - dataStart;
  let expected = 0;
  let previous: HeaderEntry | null = null;
  for (const e of entries) {
    if (e.begin < expected) {
      throw new TensorError(`${where}: tensor '${e.name}' data_offsets [${e.begin},${e.end}] overlap tensor '${previous!.name}' [${previous!.begin},${previous!.end}]`);
    }
    if (e.begin > expected) throw new TensorError(`${where}: tensor '${e.name}' starts at byte ${e.begin} but the previous tensor ends at ${expected} (a gap in the byte buffer)`);
    if (e.end > dataSize) {
      throw new TensorError(`${where}: tensor '${e.name}' data_offsets [${e.begin},${e.end}] run past the end of the data (${dataSize} bytes after the header; truncated file?)`);
    }
    expected = e.end;
    previous = e;
  }
  if (expected !== dataSize) throw new TensorError(`${where}: ${dataSize - expected} unexpected bytes after the last tensor (the header accounts for ${expected} of ${dataSize})`);

  const tensors = Object.fromEntries(
    entries
      .sort((a, b) => compareCodePoints(a.name, b.name))
      .map((e) => [e.name, decodeTensor(where, e, view, dataStart)]),
  );
  return { tensors, metadata };
}

/** Reads a whole file, turning I/O errors into a TensorError naming the path. @internal */
export function readFileBytes(where: string, path: string, instead?: string): Uint8Array {
  const { readFileSync } = nodeBuiltin('node:fs', where, instead);
  try {
    return readFileSync(path);
  } catch (err) {
    throw new TensorError(`${where}: cannot read the file (${(err as Error).message})`);
  }
}

/**
 * Encodes tensors in the safetensors format, byte-identical to Python's
 * `safetensors.torch.save` for the same tensors and (single-key) metadata.
 * Views are written as their logical row-major values.
 * @example
 * const bytes = tg.io.serialize({ weight: tg.randn([2, 3]) }, { format: 'pt' });
 */
export function serialize(tensors: Record<string, Tensor>, metadata?: SafetensorsMetadata): Uint8Array {
  return encodeSafetensors('serialize', tensors, metadata);
}

/**
 * Decodes safetensors bytes, validating the header and offsets.
 * @example
 * const { tensors, metadata } = tg.io.deserialize(bytes);
 */
export function deserialize(bytes: Uint8Array): SafetensorsContents {
  if (!(bytes instanceof Uint8Array)) throw new TensorError(`deserialize: expected the file's bytes as a Uint8Array or Buffer (got ${bytes === null ? 'null' : typeof bytes}); for a path use tg.io.load(path)`);
  return decodeSafetensors('deserialize', bytes);
}

/**
 * Saves tensors to a .safetensors file atomically (an existing file is
 * replaced only once the new one is completely written). Node only; in a
 * browser, `serialize` gives the bytes.
 * @example
 * tg.io.save(model.stateDict(), 'model.safetensors', { metadata: { epoch: '3' } });
 */
export function save(tensors: Record<string, Tensor>, path: string, opts: { metadata?: SafetensorsMetadata } = {}): void {
  if (typeof path !== 'string' || path === '') {
    checkTensorRecord('save', tensors);
    throw new TensorError(`save: path must be a file name string (got ${path === '' ? 'an empty string' : typeof path}), e.g. tg.io.save(model.stateDict(), 'model.safetensors')`);
  }
  const where = `save: ${path}`;
  writeFileAtomic(where, path, encodeSafetensors(where, tensors, opts.metadata), 'use tg.io.serialize(tensors) for the bytes');
}

/**
 * Loads a .safetensors file's tensors (from tensorgrad, PyTorch, ...).
 * Node only; in a browser, `deserialize` the fetched bytes.
 * @example
 * model.loadStateDict(tg.io.load('model.safetensors'));
 */
export function load(path: string): Record<string, Tensor> {
  return loadWithMetadata(path).tensors;
}

/**
 * Loads a .safetensors file's tensors and its `__metadata__` (null if none).
 * Node only; in a browser, `deserialize` the fetched bytes.
 * @example
 * const { tensors, metadata } = tg.io.loadWithMetadata('model.safetensors');
 */
export function loadWithMetadata(path: string): SafetensorsContents {
  if (typeof path !== 'string' || path === '') throw new TensorError(`load: path must be a file name string (got ${path === '' ? 'an empty string' : typeof path}); for bytes use tg.io.deserialize(bytes)`);
  const where = `load: ${path}`;
  return decodeSafetensors(where, readFileBytes(where, path, 'fetch the file and use tg.io.deserialize(bytes)'));
}
