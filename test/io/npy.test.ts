// tg.io .npy/.npz against files numpy wrote (scripts/make-npy-fixtures.py ->
// test/fixtures/npy/): every dtype, both byte orders, Fortran order, header versions
// 1.0/2.0/3.0, 0-d and empty arrays, stored and deflated archives; the writers
// against numpy's exact bytes; and clear errors for what is not supported.
import '../../src/index.js';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tg from '../../src/index.js';

const dir = fileURLToPath(new URL('../fixtures/npy/', import.meta.url));
const file = (name: string) => join(dir, name);
const bytesOf = (name: string) => new Uint8Array(readFileSync(file(name)));

type Expect = { shape: number[]; values: (number | string)[]; how?: string };
const expected = JSON.parse(readFileSync(file('expected.json'), 'utf8')) as { files: Record<string, Expect | Record<string, Expect | string[]>> };
const num = (v: number | string) => (typeof v === 'number' ? v : v === 'NaN' ? NaN : v === 'Infinity' ? Infinity : -Infinity);

const DTYPE: Record<string, string> = {
  f4: 'float32', f8: 'float64', f2: 'float32', b1: 'bool',
  i4: 'int32', i8: 'int32', i2: 'int32', u2: 'int32', u4: 'int32', u8: 'int32', i1: 'int32', u1: 'int32',
};

function check(t: tg.Tensor, e: Expect, what: string): void {
  assert.deepEqual(t.shape, e.shape, `${what}: shape`);
  assert.deepEqual([...t.data()].map(Number), e.values.map(num), `${what}: values`);
}

describe('loadNpy: files written by numpy', () => {
  const npys = Object.entries(expected.files).filter(([k]) => k.endsWith('.npy')) as [string, Expect][];
  for (const [name, e] of npys) {
    test(`${name} (${e.how})`, () => {
      const t = tg.io.loadNpy(file(name));
      check(t, e, name);
      const code = /^(?:write-|fortran-)?([a-z]\d)/.exec(name)?.[1];
      if (code && DTYPE[code]) assert.equal(t.dtype, DTYPE[code], `${name}: dtype`);
      // The same from bytes.
      check(tg.io.loadNpy(bytesOf(name)), e, `${name} (bytes)`);
    });
  }

  test('dtypes: f8 stays float64, int64 becomes int32, u1 is numeric, 0-d is a scalar', () => {
    assert.equal(tg.io.loadNpy(file('f8be.npy')).dtype, 'float64');
    assert.equal(tg.io.loadNpy(file('i8-range.npy')).dtype, 'int32');
    assert.deepEqual([...tg.io.loadNpy(file('i8-range.npy')).data()], [-(2 ** 31), 2 ** 31 - 1, 0]);
    assert.equal(tg.io.loadNpy(file('scalar.npy')).item(), 2.5);
    assert.deepEqual(tg.io.loadNpy(file('scalar.npy')).shape, []);
  });

  test('Fortran order gives the same tensor as numpy in C order (3-d, big-endian, bool)', () => {
    const e = expected.files['fortran-f8be.npy'] as Expect;
    const t = tg.io.loadNpy(file('fortran-f8be.npy'));
    assert.deepEqual(t.shape, [2, 3, 4]);
    // a = arange(24).reshape(2, 3, 4) - 3, stored column-major: a[1,2,3] = 12 + 8 + 3 - 3 = 20 is the file's last element.
    assert.equal(t.data()[1 * 12 + 2 * 4 + 3], 20);
    const raw = readFileSync(file('fortran-f8be.npy'));
    assert.equal(raw.readDoubleBE(raw.length - 8), 20);
    assert.equal(t.data()[0 * 12 + 1 * 4 + 2], 3); // a[0,1,2] = 4 + 2 - 3, the file's element 0 + 1*2 + 2*6 = 14
    assert.equal(t.data()[23], e.values[23]);
  });
});

describe('loadNpz: archives written by numpy', () => {
  for (const name of ['stored.npz', 'deflated.npz', 'unicode.npz']) {
    test(name, () => {
      const e = expected.files[name] as Record<string, Expect | string[]>;
      const got = tg.io.loadNpz(file(name));
      assert.deepEqual(Object.keys(got), e.__keys__);
      for (const k of e.__keys__ as string[]) check(got[k]!, e[k] as Expect, `${name}:${k}`);
      assert.deepEqual(Object.keys(tg.io.loadNpz(bytesOf(name))), e.__keys__);
    });
  }
});

describe('writers: numpy\'s exact bytes', () => {
  const cases: [string, () => tg.Tensor][] = [
    ['write-f4.npy', () => tg.tensor([[1.5, -2.0, 0.25]])],
    ['write-f8-0d.npy', () => tg.tensor(-0.125, { dtype: 'float64' })],
    ['write-i4.npy', () => tg.arange(12, { dtype: 'int32' }).reshape([3, 4])],
    ['write-b1.npy', () => tg.tensor([true, false, true])],
    ['write-empty.npy', () => tg.zeros([0])],
    ['write-long-shape.npy', () => tg.zeros(new Array(32).fill(1))],
  ];
  for (const [name, make] of cases) {
    test(`encodeNpy = np.save: ${name}`, () => {
      assert.deepEqual(tg.io.encodeNpy(make()), bytesOf(name));
    });
  }

  test('a view is written as its logical values; round trips through loadNpy', () => {
    const x = tg.arange(6, { dtype: 'float64' }).reshape([2, 3]).transpose(0, 1);
    const back = tg.io.loadNpy(tg.io.encodeNpy(x));
    assert.deepEqual(back.shape, [3, 2]);
    assert.deepEqual([...back.data()], [...x.data()]);
  });

  test('saveNpy / saveNpz write files loadNpy / loadNpz read back', () => {
    const tmp = mkdtempSync(join(tmpdir(), 'tg-npy-'));
    try {
      const w = tg.randn([3, 2]);
      tg.io.saveNpy(w, join(tmp, 'w.npy'));
      assert.deepEqual([...tg.io.loadNpy(join(tmp, 'w.npy')).data()], [...w.data()]);
      const sd = { 'fc.weight': w, 'fc.bias': tg.tensor([1, 2], { dtype: 'int32' }), 'gewicht_ä': tg.tensor(true) };
      tg.io.saveNpz(sd, join(tmp, 'sd.npz'));
      const back = tg.io.loadNpz(join(tmp, 'sd.npz'));
      assert.deepEqual(Object.keys(back), Object.keys(sd));
      for (const [k, t] of Object.entries(sd)) {
        assert.equal(back[k]!.dtype, t.dtype);
        assert.deepEqual([...back[k]!.data()], [...t.data()]);
      }
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });

  test('a member named __proto__ is an ordinary key', () => {
    const sd: Record<string, tg.Tensor> = {};
    Object.defineProperty(sd, '__proto__', { value: tg.tensor([1]), enumerable: true });
    const got = tg.io.loadNpz(tg.io.encodeNpz(sd));
    assert.equal(Object.getPrototypeOf(got), Object.prototype);
    assert.ok(Object.hasOwn(got, '__proto__'));
    assert.deepEqual([...got['__proto__']!.data()], [1]);
  });
});

/** An .npy file with a hand-written header (padded as numpy pads) and data. */
function npy(header: string, data: number[] = [], version = 1): Uint8Array {
  const lenSize = version === 1 ? 2 : 4;
  const pad = (64 - ((8 + lenSize + header.length + 1) % 64)) % 64;
  const h = header + ' '.repeat(pad) + '\n';
  const out = new Uint8Array(8 + lenSize + h.length + data.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]);
  const v = new DataView(out.buffer);
  if (version === 1) v.setUint16(8, h.length, true);
  else v.setUint32(8, h.length, true);
  for (let i = 0; i < h.length; i++) out[8 + lenSize + i] = h.charCodeAt(i);
  out.set(data, 8 + lenSize + h.length);
  return out;
}
const hdr = (descr: string, shape: string, fortran = 'False') => `{'descr': '${descr}', 'fortran_order': ${fortran}, 'shape': ${shape}, }`;

describe('loadNpy: clear errors', () => {
  const cases: [string, Uint8Array, RegExp][] = [
    ['object array', npy(hdr('|O', '(1,)'), [0, 0, 0, 0, 0, 0, 0, 0]), /unsupported dtype "\|O" \(Python objects \(a pickle/],
    ['complex', npy(hdr('<c8', '(1,)')), /unsupported dtype "<c8" \(complex numbers\)/],
    ['structured', npy("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,), }"), /structured dtype/],
    ['unicode', npy(hdr('<U3', '(1,)')), /unsupported dtype "<U3" \(unicode strings\)/],
    ['missing key', npy("{'descr': '<f4', 'shape': (1,), }"), /exactly the keys 'descr', 'fortran_order', 'shape' \(got 'descr', 'shape'\)/],
    ['extra key', npy("{'descr': '<f4', 'fortran_order': False, 'shape': (), 'x': 1, }"), /expected a string, True, False or a tuple/],
    ['truncated data', npy(hdr('<f4', '(2, 3)'), new Array(20).fill(0)), /shape \[2,3\] of <f4 needs 24 bytes of data but only 20 follow the header/],
    ['trailing bytes', npy(hdr('<f4', '(1,)'), new Array(8).fill(0)), /4 unexpected bytes after the 4 bytes of shape \[1\] of <f4 \(several arrays saved into one file\?/],
    ['int64 beyond int32', npy(hdr('<i8', '(1,)'), [0, 0, 0, 0, 1, 0, 0, 0]), /element 0 of the <i8 array is 4294967296, outside the int32 range/],
    ['huge shape', npy(hdr('<f8', '(100000000000, 100000000000)')), /shape \[100000000000,100000000000\] is too large to address/],
    ['version 4', (() => { const b = npy(hdr('<f4', '()'), [0, 0, 0, 0]); b[6] = 4; return b; })(), /unsupported \.npy format version 4\.0/],
    ['no byte order for 4 bytes', npy(hdr('|f4', '()'), [0, 0, 0, 0]), /has no byte order \('\|'\) but 4-byte elements/],
    ['python literal garbage', npy("{'descr': '<f4', 'fortran_order': __import__('os'), 'shape': (), }"), /not the dict numpy writes \(expected a string, True, False or a tuple/],
  ];
  for (const [what, bytes, re] of cases) {
    test(what, () => assert.throws(() => tg.io.loadNpy(bytes), (e: Error) => e instanceof tg.TensorError && re.test(e.message) && e.message.startsWith('loadNpy: ')));
  }

  test('v2 header length above numpy\'s 10,000-byte limit', () => {
    const b = npy(hdr('<f4', '()'), [0, 0, 0, 0], 2);
    new DataView(b.buffer).setUint32(8, 2 ** 31, true);
    assert.throws(() => tg.io.loadNpy(b), /header length 2147483648 exceeds the limit of 10000 bytes/);
  });

  test('other formats are named', () => {
    assert.throws(() => tg.io.loadNpy(bytesOf('stored.npz')), /this is a zip archive \(an \.npz file\? use tg\.io\.loadNpz\), not an \.npy file/);
    assert.throws(() => tg.io.loadNpy(tg.io.serialize({ a: tg.zeros([2]) })), /this is a safetensors file \(use tg\.io\.load\)/);
    assert.throws(() => tg.io.loadNpz(bytesOf('f4le.npy')), /a single \.npy array, not an \.npz archive \(use tg\.io\.loadNpy\)/);
    assert.throws(() => tg.io.loadNpy('/nonexistent/x.npy'), /loadNpy: \/nonexistent\/x\.npy: cannot read the file/);
    assert.throws(() => tg.io.loadNpy(42 as unknown as string), /loadNpy: expected a file path or the file's bytes as a Uint8Array \(got number\)/);
  });

  test('wrong calls name the function', () => {
    const t = tg.zeros([2]);
    const cases: [() => unknown, RegExp][] = [
      [() => tg.io.encodeNpy([1, 2] as unknown as tg.Tensor), /^encodeNpy: expected a Tensor \(got object\)/],
      [() => tg.io.saveNpy(t, 3 as unknown as string), /^saveNpy: path must be a file name string \(got number\)/],
      [() => tg.io.saveNpy([1] as unknown as tg.Tensor, '/tmp/never-written.npy'), /^saveNpy: \/tmp\/never-written\.npy: expected a Tensor/],
      [() => tg.io.encodeNpz(t as unknown as Record<string, tg.Tensor>), /^encodeNpz: expected an object mapping names to tensors, e\.g\. \{ weight: t \} \(got a single Tensor\)/],
      [() => tg.io.encodeNpz({ w: [1] as unknown as tg.Tensor }), /^encodeNpz: 'w' is not a Tensor/],
      [() => tg.io.loadNpz(null as unknown as string), /^loadNpz: expected a file path or the file's bytes as a Uint8Array \(got null\)/],
      [() => tg.io.loadNpz(bytesOf('stored.npz'), { maxbytes: 5 } as never), /^loadNpz: unknown option 'maxbytes' \(expected maxEntries, maxBytes\)/],
      [() => tg.io.loadNpz(bytesOf('stored.npz'), { maxBytes: -1 }), /^loadNpz: maxBytes must be a non-negative integer \(got -1\)/],
      [() => tg.io.loadNpy(''), /^loadNpy: path must be a non-empty file name/],
    ];
    for (const [call, re] of cases) assert.throws(call, (e: Error) => e instanceof tg.TensorError && re.test(e.message));
  });

  test('npz limits: entry count and total declared size', () => {
    const z = bytesOf('stored.npz');
    assert.throws(() => tg.io.loadNpz(z, { maxEntries: 2 }), /the archive lists 4 entries, more than the limit of 2/);
    assert.throws(() => tg.io.loadNpz(z, { maxBytes: 300 }), /declare more than 300 uncompressed bytes in all \(the limit; raise it with \{ maxBytes \}/);
  });

  test('npz: a bit flip in the data is a CRC error naming the entry', () => {
    const z = bytesOf('stored.npz');
    z[200] ^= 0x10;
    assert.throws(() => tg.io.loadNpz(z), /loadNpz: entry "[a-z_0-9]+\.npy": CRC-32 mismatch/);
  });

  test('npz: zip64 records (end record, locator, 8-byte sizes and offset in the extra field) are read', () => {
    const zip = tg.io.encodeNpz({ w: tg.tensor([[1, 2, 3]]) });
    const v = new DataView(zip.buffer);
    const cd = v.getUint32(zip.length - 6, true);
    const nameLen = v.getUint16(cd + 28, true);
    const size = v.getUint32(cd + 24, true);
    const out = new Uint8Array(cd + 46 + nameLen + 28 + 56 + 20 + 22);
    out.set(zip.subarray(0, cd + 46 + nameLen));
    const o = new DataView(out.buffer);
    // The central entry: 32-bit fields at 0xffffffff, their values in a zip64 extra field.
    o.setUint32(cd + 20, 0xffffffff, true); o.setUint32(cd + 24, 0xffffffff, true); o.setUint32(cd + 42, 0xffffffff, true);
    o.setUint16(cd + 30, 28, true);
    let p = cd + 46 + nameLen;
    o.setUint16(p, 1, true); o.setUint16(p + 2, 24, true);
    o.setBigUint64(p + 4, BigInt(size), true); o.setBigUint64(p + 12, BigInt(size), true); o.setBigUint64(p + 20, 0n, true);
    p += 28;
    const cdSize = p - cd;
    const rec = p;
    o.setUint32(p, 0x06064b50, true); o.setBigUint64(p + 4, 44n, true); o.setUint16(p + 12, 45, true); o.setUint16(p + 14, 45, true);
    o.setBigUint64(p + 24, 1n, true); o.setBigUint64(p + 32, 1n, true); o.setBigUint64(p + 40, BigInt(cdSize), true); o.setBigUint64(p + 48, BigInt(cd), true);
    p += 56;
    o.setUint32(p, 0x07064b50, true); o.setBigUint64(p + 8, BigInt(rec), true); o.setUint32(p + 16, 1, true);
    p += 20;
    o.setUint32(p, 0x06054b50, true); o.setUint16(p + 8, 0xffff, true); o.setUint16(p + 10, 0xffff, true);
    o.setUint32(p + 12, 0xffffffff, true); o.setUint32(p + 16, 0xffffffff, true);
    const got = tg.io.loadNpz(out);
    assert.deepEqual([...got.w!.data()], [1, 2, 3]);
    // The same archive with the locator pointing elsewhere is refused plainly.
    o.setBigUint64(rec + 56 + 8, 3n, true);
    assert.throws(() => tg.io.loadNpz(out), /loadNpz: zip64 end record not found at offset 3/);
  });

  test('npz: a non-.npy member is named', () => {
    const bytes = tg.io.encodeNpz({ a: tg.zeros([1]) });
    // Rename a.npy -> a.txt in both headers.
    const s = Buffer.from(bytes);
    let at = -1;
    while ((at = s.indexOf('a.npy', at + 1)) >= 0) s.write('a.txt', at);
    assert.throws(() => tg.io.loadNpz(new Uint8Array(s)), /entry "a\.txt" is not an \.npy array/);
  });
});
