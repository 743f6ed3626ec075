import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tg from '../../src/index.js';
import { TensorDataset, Subset, randomSplit, type Dataset } from '../../src/data/index.js';

const range = (n: number): Dataset<number> => ({ length: n, get: (i) => i });

describe('TensorDataset', () => {
  test('items are tuples of per-sample slices', () => {
    const x = tg.arange(12).reshape(4, 3);
    const y = tg.tensor([10, 11, 12, 13], { dtype: 'int32' });
    const ds = new TensorDataset(x, y);
    assert.equal(ds.length, 4);
    const [xi, yi] = ds.get(2);
    assert.deepEqual(xi.toArray(), [6, 7, 8]);
    assert.deepEqual(yi.shape, []);
    assert.equal(yi.item(), 12);
    assert.equal(yi.dtype, 'int32');
  });

  test('first dims must agree; index must be in range', () => {
    assert.throws(() => new TensorDataset(tg.zeros([4, 2]), tg.zeros([5])), /TensorDataset: size mismatch.*tensor 1 has 5 samples but tensor 0 has 4.*\[4,2\], \[5\]/);
    assert.throws(() => new TensorDataset(), /at least one tensor/);
    assert.throws(() => new TensorDataset(tg.tensor(3)), /0-D/);
    const ds = new TensorDataset(tg.zeros([3, 2]));
    assert.throws(() => ds.get(3), /TensorDataset.get: index 3 is out of range for a dataset of length 3/);
    assert.throws(() => ds.get(-1), /out of range/);
  });
});

describe('Subset', () => {
  test('maps indices and validates them', () => {
    const s = new Subset(range(10), [7, 2, 5]);
    assert.equal(s.length, 3);
    assert.deepEqual([0, 1, 2].map((i) => s.get(i)), [7, 2, 5]);
    assert.throws(() => new Subset(range(3), [0, 3]), /Subset: index 3 is out of range for a dataset of length 3/);
    assert.throws(() => s.get(3), /Subset.get: index 3/);
  });
});

describe('randomSplit', () => {
  const items = (s: Subset<number>) => Array.from({ length: s.length }, (_, i) => s.get(i));

  test('counts: sizes, disjoint, covering', () => {
    const parts = randomSplit(range(10), [3, 7], { generator: new tg.Generator(1) });
    assert.deepEqual(parts.map((p) => p.length), [3, 7]);
    const all = parts.flatMap(items).sort((a, b) => a - b);
    assert.deepEqual(all, Array.from({ length: 10 }, (_, i) => i));
  });

  test('fractions: floor, then the remainder round-robin from the first (PyTorch)', () => {
    assert.deepEqual(randomSplit(range(10), [0.5, 0.3, 0.2]).map((p) => p.length), [5, 3, 2]);
    assert.deepEqual(randomSplit(range(11), [0.25, 0.25, 0.5]).map((p) => p.length), [3, 3, 5]);
    assert.deepEqual(randomSplit(range(7), [0.9, 0.1]).map((p) => p.length), [7, 0]);
  });

  test('seeded generator reproduces the split; another seed differs', () => {
    const split = (seed: number) => randomSplit(range(50), [0.8, 0.2], { generator: new tg.Generator(seed) }).map(items);
    assert.deepEqual(split(42), split(42));
    assert.notDeepEqual(split(42), split(43));
    tg.manualSeed(5);
    const a = randomSplit(range(50), [25, 25]).map(items);
    tg.manualSeed(5);
    assert.deepEqual(randomSplit(range(50), [25, 25]).map(items), a);
  });

  test('bad lengths', () => {
    assert.throws(() => randomSplit(range(10), [3, 6]), /sum of input lengths \[3,6\] is 9, which does not equal the length of the dataset \(10\)/);
    assert.throws(() => randomSplit(range(10), [0.5, 0.2]), /neither integer counts nor fractions/);
    assert.throws(() => randomSplit(range(10), []), /non-empty list/);
    assert.throws(() => randomSplit(range(10), [-1, 11]), /non-negative/);
  });
});
