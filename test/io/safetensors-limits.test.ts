import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tg from '../../src/index.js';
import { deserialize, load, save, serialize } from '../../src/io/index.js';
import { MAX_SAFETENSORS_TENSORS } from '../../src/io/safetensors.js';

let dir = '';
before(() => { dir = mkdtempSync(join(tmpdir(), 'tg-st-limits-')); });
after(() => rmSync(dir, { recursive: true, force: true }));

/** A safetensors file from header text and data bytes. */
function file(header: string, data = new Uint8Array(0)): Uint8Array {
  const h = new TextEncoder().encode(header);
  const out = new Uint8Array(8 + h.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(h.length), true);
  out.set(h, 8);
  out.set(data, 8 + h.length);
  return out;
}
const rejects = (fn: () => unknown, re: RegExp) => assert.throws(fn, (e: Error) => e.name === 'TensorError' && re.test(e.message));

describe('safetensors: hostile headers are bounded before parsing', () => {
  test('more than 100,000 tensors is refused from a scan of the header, before JSON.parse', () => {
    assert.equal(MAX_SAFETENSORS_TENSORS, 100_000);
    const n = 200_000;
    const header = `{${Array.from({ length: n }, (_, k) => `"t${k}":{"dtype":"F32","shape":[0],"data_offsets":[0,0]}`).join(',')}}`;
    rejects(() => deserialize(file(header)), /^deserialize: header lists 200000 entries, more than the limit of 100000 tensors per file$/);
  });

  test('deep nesting, huge rank, prototype-named dtypes and odd shapes are TensorErrors, not stack overflows', () => {
    const deep = `{"a":{"dtype":"F32","shape":${'['.repeat(100000)}${']'.repeat(100000)},"data_offsets":[0,0]}}`;
    rejects(() => deserialize(file(deep)), /header JSON nests 100002 levels deep \(a safetensors header has 3; the limit is 8\)/);
    rejects(() => deserialize(file(`{"a":{"dtype":"F32","shape":[[[[1]]]],"data_offsets":[0,4]}}`, new Uint8Array(4))), /tensor 'a' has an invalid shape an array of 1 items \(not all numbers\)/);
    rejects(() => deserialize(file(`{"a":{"dtype":"F32","shape":[${Array(65).fill(1).join(',')}],"data_offsets":[0,4]}}`, new Uint8Array(4))), /tensor 'a' has 65 dimensions \(at most 64\)/);
    for (const dtype of ['constructor', 'toString', '__proto__']) {
      rejects(() => deserialize(file(`{"a":{"dtype":"${dtype}","shape":[1],"data_offsets":[0,4]}}`, new Uint8Array(4))), /has unknown or unsupported dtype/);
    }
    rejects(() => deserialize(file(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[2,6]}}`, new Uint8Array(8))), /overlap tensor 'a'/);
    rejects(() => deserialize(file(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[-4,0]}}`, new Uint8Array(4))), /invalid data_offsets \[-4,0\]/);
  });

  test('BOOL bytes other than 0/1 read as true (stored as 1)', () => {
    const t = deserialize(file('{"m":{"dtype":"BOOL","shape":[3],"data_offsets":[0,3]}}', Uint8Array.of(0, 7, 1))).tensors.m!;
    assert.deepEqual([...t.data()], [0, 1, 1]);
  });

  test('a __proto__ tensor name stays a plain key', () => {
    const { tensors } = deserialize(file('{"__proto__":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}', new Uint8Array(4)));
    assert.ok(Object.hasOwn(tensors, '__proto__'));
    assert.equal(Object.getPrototypeOf(tensors), Object.prototype);
  });
});

describe('save/load: the wrong thing passed says what to pass', () => {
  const model = new tg.nn.Linear(2, 1);
  const p = () => join(dir, 'm.safetensors');

  test('tg.save(model) instead of model.stateDict()', () => {
    rejects(() => tg.save(model as never, p()), /^save: .*m\.safetensors: got a Linear \(a model\), not its tensors; pass model\.stateDict\(\), e\.g\. tg\.io\.save\(model\.stateDict\(\), 'model\.safetensors'\)/);
    rejects(() => serialize(model as never), /^serialize: got a Linear \(a model\), not its tensors; pass model\.stateDict\(\)/);
    rejects(() => tg.save(tg.zeros([2]) as never, p()), /got a single Tensor; pass an object of named tensors/);
    rejects(() => tg.save(new Map() as never, p()), /got a Map; pass a plain object, e\.g\. Object\.fromEntries\(map\)/);
    rejects(() => tg.save(model.stateDict(), 42 as never), /^save: path must be a file name string \(got number\)/);
    rejects(() => tg.save(model as never, 42 as never), /got a Linear \(a model\)/);
    rejects(() => save(model.stateDict(), p(), { metadata: 'x' as never }), /metadata must be an object of strings \(got string\)/);
  });

  test('tg.load of a file that is not safetensors names what it is', () => {
    const cases: [Uint8Array, RegExp][] = [
      [Uint8Array.of(0x50, 0x4b, 3, 4, ...new Uint8Array(40)), /this is a zip archive \(a PyTorch \.pt\/\.pth file\? convert it with safetensors\.torch\.save_file\), not a safetensors file/],
      [Uint8Array.of(0x80, 2, 0x8a, 0x0a, ...new Uint8Array(40)), /this is a Python pickle/],
      [Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0), /this is a PNG image/],
    ];
    for (const [bytes, re] of cases) {
      writeFileSync(p(), bytes);
      rejects(() => load(p()), new RegExp(`^load: ${p().replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: ${re.source}`));
    }
    rejects(() => tg.load(7 as never), /^load: path must be a file name string \(got number\); for bytes use tg\.io\.deserialize\(bytes\)/);
    rejects(() => deserialize('model.safetensors' as never), /^deserialize: expected the file's bytes as a Uint8Array or Buffer \(got string\); for a path use tg\.io\.load\(path\)/);
  });
});
