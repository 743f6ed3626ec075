import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tg from '../../src/index.js';
import { deserialize, load, loadWithMetadata, save, serialize } from '../../src/io/index.js';

const enc = new TextEncoder();
const dec = new TextDecoder();

/** A safetensors file from a header string and data bytes, padded as the format asks. */
function build(header: string, data: ArrayLike<number> = []): Uint8Array {
  const json = enc.encode(header);
  const n = Math.ceil(json.length / 8) * 8;
  const out = new Uint8Array(8 + n + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(n), true);
  out.fill(0x20, 8, 8 + n);
  out.set(json, 8);
  out.set(data, 8 + n);
  return out;
}

/** Bytes of a little-endian f32/i32 sequence, written explicitly (independent of the host). */
function le(kind: 'f32' | 'i32' | 'f64', values: number[]): number[] {
  const size = kind === 'f64' ? 8 : 4;
  const v = new DataView(new ArrayBuffer(values.length * size));
  values.forEach((x, i) => (kind === 'f32' ? v.setFloat32(i * 4, x, true) : kind === 'i32' ? v.setInt32(i * 4, x, true) : v.setFloat64(i * 8, x, true)));
  return [...new Uint8Array(v.buffer)];
}

function roundTrip(tensors: Record<string, tg.Tensor>, metadata?: Record<string, string>) {
  return deserialize(serialize(tensors, metadata));
}

describe('safetensors round trip', () => {
  test('every dtype keeps its dtype, shape and values', () => {
    const src = {
      f32: tg.tensor([[1.5, -2], [3.25, 1e-30]]),
      f64: tg.tensor(new Float64Array([Math.PI, -1e300, 5e-324]), { shape: [3] }),
      i32: tg.tensor(new Int32Array([-2147483648, 0, 2147483647]), { shape: [3, 1] }),
      b: tg.tensor([[true, false, true]]),
    };
    const { tensors, metadata } = roundTrip(src);
    assert.equal(metadata, null);
    assert.deepEqual(Object.keys(tensors), ['b', 'f32', 'f64', 'i32']);
    for (const [k, t] of Object.entries(src)) {
      assert.equal(tensors[k]!.dtype, t.dtype, k);
      assert.deepEqual(tensors[k]!.shape, t.shape, k);
      assert.deepEqual(tensors[k]!.data(), t.data(), k);
    }
  });

  test('0-d and empty tensors', () => {
    const { tensors } = roundTrip({
      scalar: tg.tensor(3.5), iscalar: tg.tensor(-7, { dtype: 'int32' }), bscalar: tg.tensor(true),
      empty: tg.zeros([0]), empty2: tg.zeros([2, 0, 3], { dtype: 'float64' }),
    });
    assert.deepEqual(tensors.scalar!.shape, []);
    assert.equal(tensors.scalar!.item(), 3.5);
    assert.equal(tensors.iscalar!.item(), -7);
    assert.equal(tensors.bscalar!.item(), 1);
    assert.deepEqual(tensors.empty!.shape, [0]);
    assert.deepEqual(tensors.empty2!.shape, [2, 0, 3]);
    assert.equal(tensors.empty2!.dtype, 'float64');
    assert.deepEqual(roundTrip({}).tensors, {});
  });

  test('non-contiguous views are saved as their logical row-major values', () => {
    const base = tg.arange(6, undefined, 1, { dtype: 'float32' }).reshape(2, 3);
    const t = base.t();
    assert.equal(t.isContiguous(), false);
    const sliced = tg.arange(10, undefined, 1, { dtype: 'int32' }).slice(0, 1, 9, 3);
    const { tensors } = roundTrip({ t, sliced });
    assert.deepEqual(tensors.t!.toArray(), [[0, 3], [1, 4], [2, 5]]);
    assert.deepEqual(tensors.sliced!.toArray(), [1, 4, 7]);
  });

  test('metadata round-trips; odd names stay plain keys', () => {
    const { tensors, metadata } = roundTrip({ ['__proto__']: tg.ones([1]), '0': tg.ones([1]), 'a.b': tg.ones([1]) }, { format: 'pt', note: 'ünïcode ✓' });
    assert.deepEqual(metadata, { format: 'pt', note: 'ünïcode ✓' });
    assert.deepEqual(Object.keys(tensors).sort(), ['0', '__proto__', 'a.b']);
    assert.equal(Object.getPrototypeOf(tensors), Object.prototype);
  });

  test('bad inputs are refused', () => {
    assert.throws(() => serialize({ a: [1, 2] as unknown as tg.Tensor }), /serialize: 'a' is not a Tensor/);
    assert.throws(() => serialize({ __metadata__: tg.ones([1]) }), /serialize: '__metadata__' is reserved/);
    assert.throws(() => serialize({ a: tg.ones([1]) }, { n: 1 as unknown as string }), /serialize: metadata values must be strings \('n' is number\)/);
    assert.throws(() => serialize({ ['x\ud800']: tg.ones([1]) }), /unpaired UTF-16 surrogate/);
  });
});

describe('safetensors layout matches the specification and the reference writer', () => {
  test('header parsed by hand: u64 length, JSON, 8-byte alignment, dtype order, contiguous little-endian data', () => {
    const bytes = serialize({
      c_bool: tg.tensor([true, false]),
      b_i32: tg.tensor(new Int32Array([-2, 258])),
      a_f32: tg.tensor([1, -0.5]),
      z_f64: tg.tensor(new Float64Array([0.1])),
      a_f64: tg.tensor(new Float64Array([2])),
      y_f32: tg.tensor([7]),
    }, { format: 'pt' });
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const n = Number(view.getBigUint64(0, true));
    const start = 8 + n;
    assert.equal(start % 8, 0, 'the byte buffer starts 8-aligned');
    const text = dec.decode(bytes.subarray(8, start));
    assert.match(text, /^\{.*\} *$/, 'compact JSON padded with spaces');
    const header = JSON.parse(text) as Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;
    const keys = Object.keys(header);
    // __metadata__ first, then largest dtype first (F64 > F32 > I32 > BOOL), then name.
    assert.deepEqual(keys, ['__metadata__', 'a_f64', 'z_f64', 'a_f32', 'y_f32', 'b_i32', 'c_bool']);
    assert.deepEqual(header.__metadata__, { format: 'pt' });
    const codes = keys.slice(1).map((k) => header[k]!.dtype);
    assert.deepEqual(codes, ['F64', 'F64', 'F32', 'F32', 'I32', 'BOOL']);
    let offset = 0;
    for (const k of keys.slice(1)) {
      const [b, e] = header[k]!.data_offsets;
      assert.equal(b, offset, `${k} starts where the previous tensor ends`);
      offset = e;
    }
    assert.equal(start + offset, bytes.length, 'the tensors fill the byte buffer exactly');
    const at = (k: string) => start + header[k]!.data_offsets[0];
    assert.equal(view.getFloat64(at('z_f64'), true), 0.1);
    assert.equal(view.getFloat32(at('a_f32') + 4, true), -0.5);
    assert.equal(view.getInt32(at('b_i32'), true), -2);
    assert.deepEqual([...bytes.subarray(at('b_i32') + 4, at('b_i32') + 8)], [2, 1, 0, 0], '258 little-endian');
    assert.deepEqual([...bytes.subarray(at('c_bool'), at('c_bool') + 2)], [1, 0]);
    assert.deepEqual(header.b_i32!.shape, [2]);
  });

  test('names sort by code point (UTF-8 byte order), as Rust does, not by UTF-16 unit', () => {
    const bytes = serialize({ '\u{1F600}': tg.ones([1]), '\uff01': tg.ones([1]), 'é': tg.ones([1]), '10': tg.ones([1]), '9': tg.ones([1]) });
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    const names = [...dec.decode(bytes.subarray(8, 8 + n)).matchAll(/"([^"]+)":\{"dtype"/g)].map((m) => m[1]);
    assert.deepEqual(names, ['10', '9', 'é', '\uff01', '\u{1F600}']);
  });

  test('golden bytes: what Python safetensors writes for {a: f32 [[1,2],[3,4]], b: i32 [5]}', () => {
    // safetensors.torch.save({"a": torch.tensor([[1.,2.],[3.,4.]]), "b": torch.tensor([5], dtype=torch.int32)}):
    // the header is 112 bytes, a multiple of 8, so no padding; then a's 16 bytes and b's 4.
    const header = '{"a":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]},"b":{"dtype":"I32","shape":[1],"data_offsets":[16,20]}}';
    assert.equal(header.length, 112);
    const expected = [112, 0, 0, 0, 0, 0, 0, 0, ...enc.encode(header), ...le('f32', [1, 2, 3, 4]), ...le('i32', [5])];
    const bytes = serialize({ b: tg.tensor(new Int32Array([5])), a: tg.tensor([[1, 2], [3, 4]]) });
    assert.deepEqual([...bytes], expected);
    const back = deserialize(Uint8Array.from(expected));
    assert.deepEqual(back.tensors.a!.toArray(), [[1, 2], [3, 4]]);
    assert.equal(back.tensors.b!.dtype, 'int32');
    assert.deepEqual(back.tensors.b!.toArray(), [5]);
  });

  test('golden bytes with padding and metadata (header padded with spaces to a multiple of 8)', () => {
    // The reference crate's own test case `attn0` (F32 [1,1,2,3]) is 65 bytes of JSON, padded with 7 spaces to 72.
    const json = '{"attn0":{"dtype":"F32","shape":[1,1,2,3],"data_offsets":[0,24]}}';
    const expected = [72, 0, 0, 0, 0, 0, 0, 0, ...enc.encode(json), 32, 32, 32, 32, 32, 32, 32, ...le('f32', [0, 1, 2, 3, 4, 5])];
    const attn0 = tg.arange(6, undefined, 1, { dtype: 'float32' }).reshape(1, 1, 2, 3);
    assert.deepEqual([...serialize({ attn0 })], expected);
    // An empty dict with metadata {"framework": "pt"}: 35 bytes of JSON + 5 spaces (also from the reference tests).
    const meta = '{"__metadata__":{"framework":"pt"}}';
    assert.deepEqual([...serialize({}, { framework: 'pt' })], [40, 0, 0, 0, 0, 0, 0, 0, ...enc.encode(meta), 32, 32, 32, 32, 32]);
    assert.deepEqual([...serialize({})], [8, 0, 0, 0, 0, 0, 0, 0, 123, 125, 32, 32, 32, 32, 32, 32]);
  });

  test('names are escaped as serde_json escapes them (quote, newline, \\u00XX control codes; "/" and DEL kept)', () => {
    const name = 'a"b\n\u0001/\u007f';
    const json = '{"a\\"b\\n\\u0001/\u007f":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}';
    const expected = [72, 0, 0, 0, 0, 0, 0, 0, ...enc.encode(json), 32, 32, 32, 32, 32, ...le('f32', [1])];
    assert.deepEqual([...serialize({ [name]: tg.ones([1]) })], expected);
    assert.deepEqual(Object.keys(deserialize(Uint8Array.from(expected)).tensors), [name]);
  });
});

describe('safetensors reader: other dtypes and files from other writers', () => {
  test('F16 and BF16 widen to float32, small integers and I64 to int32', () => {
    const f16 = [0x3e00, 0xc000, 0x7bff, 0x0001, 0x8000, 0x7c00]; // 1.5, -2, 65504, 2^-24, -0, Infinity
    const bf16 = [0x3fc0, 0xc2f7]; // 1.5, -123.5
    const i64 = new DataView(new ArrayBuffer(16));
    i64.setBigInt64(0, -3n, true);
    i64.setBigInt64(8, 2147483647n, true);
    const u16 = (xs: number[]) => xs.flatMap((x) => [x & 0xff, x >> 8]);
    const data = [...u16(f16), ...u16(bf16), ...new Uint8Array(i64.buffer), 255, 0x80];
    const header = JSON.stringify({
      h: { dtype: 'F16', shape: [6], data_offsets: [0, 12] },
      bf: { dtype: 'BF16', shape: [2], data_offsets: [12, 16] },
      l: { dtype: 'I64', shape: [2], data_offsets: [16, 32] },
      u: { dtype: 'U8', shape: [1], data_offsets: [32, 33] },
      s: { dtype: 'I8', shape: [1], data_offsets: [33, 34] },
    });
    const { tensors } = deserialize(build(header, data));
    assert.equal(tensors.h!.dtype, 'float32');
    assert.deepEqual([...tensors.h!.data()], [1.5, -2, 65504, 2 ** -24, -0, Infinity]);
    assert.ok(Object.is(tensors.h!.data()[4], -0));
    assert.deepEqual([...tensors.bf!.data()], [1.5, -123.5]);
    assert.equal(tensors.l!.dtype, 'int32');
    assert.deepEqual([...tensors.l!.data()], [-3, 2147483647]);
    assert.deepEqual([...tensors.u!.data()], [255]);
    assert.deepEqual([...tensors.s!.data()], [-128]);
  });

  test('I64 values outside int32 are an error naming the tensor', () => {
    const v = new DataView(new ArrayBuffer(8));
    v.setBigInt64(0, 2n ** 40n, true);
    const bytes = build('{"idx":{"dtype":"I64","shape":[1],"data_offsets":[0,8]}}', new Uint8Array(v.buffer));
    assert.throws(() => deserialize(bytes), /deserialize: tensor 'idx' \(I64\) holds 1099511627776 at element 0, outside the int32 range/);
  });

  test('tensors are found by offsets, whatever the header key order', () => {
    const bytes = build('{"second":{"dtype":"I32","shape":[1],"data_offsets":[4,8]},"first":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}',
      [...le('f32', [2.5]), ...le('i32', [9])]);
    const { tensors } = deserialize(bytes);
    assert.equal(tensors.first!.item(), 2.5);
    assert.equal(tensors.second!.item(), 9);
  });

  test('a Node Buffer that is a window on a larger pool is read correctly', () => {
    const bytes = serialize({ x: tg.tensor([1, 2, 3]) });
    const pool = Buffer.alloc(bytes.length + 13, 0xaa);
    pool.set(bytes, 5);
    assert.deepEqual(deserialize(pool.subarray(5, 5 + bytes.length)).tensors.x!.toArray(), [1, 2, 3]);
  });
});

describe('safetensors files: corruption errors name the path; saving is atomic', () => {
  let dir = '';
  before(() => (dir = mkdtempSync(join(tmpdir(), 'tg-safetensors-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, bytes: Uint8Array) => {
    const p = join(dir, name);
    writeFileSync(p, bytes);
    return p;
  };
  const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

  test('save then load and loadWithMetadata', () => {
    const p = join(dir, 'ok.safetensors');
    save({ w: tg.tensor([[1, 2]]), n: tg.tensor(new Int32Array([4])) }, p, { metadata: { epoch: '3' } });
    assert.deepEqual(load(p).w!.toArray(), [[1, 2]]);
    assert.deepEqual(loadWithMetadata(p).metadata, { epoch: '3' });
    assert.deepEqual(readdirSync(dir).filter((f) => f.includes('.tmp-')), [], 'no temporary file is left');
  });

  test('truncated file', () => {
    const good = serialize({ w: tg.ones([4]) });
    const p = file('trunc.safetensors', good.subarray(0, good.length - 3));
    assert.throws(() => load(p), new RegExp(`^TensorError: load: ${escape(p)}: tensor 'w' data_offsets \\[0,16\\] run past the end of the data \\(13 bytes`));
    const tiny = file('tiny.safetensors', good.subarray(0, 5));
    assert.throws(() => load(tiny), new RegExp(`load: ${escape(tiny)}: file is 5 bytes, too short`));
  });

  test('bad header length', () => {
    const bytes = new Uint8Array(100);
    new DataView(bytes.buffer).setBigUint64(0, 9999n, true);
    const p = file('badlen.safetensors', bytes);
    assert.throws(() => load(p), { name: 'TensorError', message: new RegExp(`^load: ${escape(p)}: header length 9999 exceeds file size 100`) });
  });

  test('header that is not JSON, or not UTF-8', () => {
    const p = file('notjson.safetensors', build('{"a": oops}'));
    assert.throws(() => load(p), new RegExp(`load: ${escape(p)}: header is not valid JSON`));
    const bytes = build('{"a":1}');
    bytes[9] = 0xff;
    const q = file('notutf8.safetensors', bytes);
    assert.throws(() => load(q), new RegExp(`load: ${escape(q)}: header is not valid UTF-8`));
  });

  test('overlapping offsets, gaps, size mismatches and trailing bytes', () => {
    const data = new Uint8Array(12);
    const overlap = file('overlap.safetensors', build('{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}', data));
    assert.throws(() => load(overlap), new RegExp(`load: ${escape(overlap)}: tensor 'b' data_offsets \\[4,12\\] overlap tensor 'a' \\[0,8\\]`));
    const gap = file('gap.safetensors', build('{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}', data));
    assert.throws(() => load(gap), new RegExp(`load: ${escape(gap)}: tensor 'b' starts at byte 8 but the previous tensor ends at 4`));
    const size = file('size.safetensors', build('{"a":{"dtype":"F32","shape":[2,2],"data_offsets":[0,12]}}', data));
    assert.throws(() => load(size), new RegExp(`load: ${escape(size)}: tensor 'a' has shape \\[2,2\\] and dtype F32 \\(16 bytes\\) but data_offsets \\[0,12\\] span 12 bytes`));
    const trailing = file('trailing.safetensors', build('{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}', data));
    assert.throws(() => load(trailing), new RegExp(`load: ${escape(trailing)}: 4 unexpected bytes after the last tensor`));
  });

  test('unknown dtype and malformed entries', () => {
    const p = file('dtype.safetensors', build('{"a":{"dtype":"C128","shape":[1],"data_offsets":[0,16]}}', new Uint8Array(16)));
    assert.throws(() => load(p), new RegExp(`load: ${escape(p)}: tensor 'a' has unknown or unsupported dtype 'C128'`));
    const shape = file('shape.safetensors', build('{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}', new Uint8Array(4)));
    assert.throws(() => load(shape), /tensor 'a' has an invalid shape \[-1\]/);
    const meta = file('meta.safetensors', build('{"__metadata__":{"epoch":3}}'));
    assert.throws(() => load(meta), /__metadata__ must map strings to strings \('epoch' is number\)/);
    const arr = file('array.safetensors', build('[1,2]'));
    assert.throws(() => load(arr), /header must be a JSON object/);
  });

  test('a missing file is a TensorError naming the path', () => {
    const p = join(dir, 'nope.safetensors');
    assert.throws(() => load(p), new RegExp(`^TensorError: load: ${escape(p)}: cannot read the file \\(ENOENT`));
  });

  test('atomic save: a failed serialization leaves the existing file intact and no temporary file', () => {
    const p = join(dir, 'keep.safetensors');
    save({ w: tg.tensor([1, 2, 3]) }, p);
    const before = readFileSync(p);
    assert.throws(() => save({ w: 'not a tensor' as unknown as tg.Tensor }, p), new RegExp(`save: ${escape(p)}: 'w' is not a Tensor`));
    assert.throws(() => save({ w: tg.ones([1]) }, p, { metadata: { a: 1 as unknown as string } }), /save: .*metadata values must be strings/);
    assert.deepEqual(readFileSync(p), before);
    assert.deepEqual(readdirSync(dir).filter((f) => f.includes('.tmp-')), []);
    save({ w: tg.tensor([4, 5]) }, p);
    assert.deepEqual(load(p).w!.toArray(), [4, 5], 'overwrites once complete');
  });

  test('an unwritable destination is a TensorError and leaves nothing behind', () => {
    const p = join(dir, 'no-such-dir', 'x.safetensors');
    assert.throws(() => save({ w: tg.ones([1]) }, p), new RegExp(`save: ${escape(p)}: cannot write the file`));
  });
});
