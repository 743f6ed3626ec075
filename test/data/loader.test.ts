import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tg from '../../src/index.js';
import { DataLoader, TensorDataset, Subset, randomSplit, defaultCollate, type Dataset } from '../../src/data/index.js';

/** A TensorDataset of n samples x_i = [i, i + 0.5] and labels y_i = i % 3. */
function toy(n: number): TensorDataset<[tg.Tensor, tg.Tensor]> {
  const x = tg.tensor(Float32Array.from({ length: 2 * n }, (_, k) => Math.floor(k / 2) + (k % 2) * 0.5), { shape: [n, 2] });
  const y = tg.tensor(Int32Array.from({ length: n }, (_, i) => i % 3));
  return new TensorDataset(x, y);
}

/** The same samples as a plain dataset, so the loader takes the general (collate) path. */
const plain = <T>(ds: Dataset<T>): Dataset<T> => ({ length: ds.length, get: (i) => ds.get(i) });

/** Sample ids of every batch of one epoch (x[:,0] is the sample's index). */
const epochIds = (loader: Iterable<tg.Tensor[]>) => [...loader].map(([x]) => (x!.toArray() as number[][]).map((r) => r[0]!));

describe('DataLoader', () => {
  test('batch shapes, length and the last partial batch', () => {
    const loader = new DataLoader(toy(10), { batchSize: 4 });
    assert.equal(loader.length, 3);
    const batches = [...loader];
    assert.deepEqual(batches.map(([x, y]) => [x.shape, y.shape]), [[[4, 2], [4]], [[4, 2], [4]], [[2, 2], [2]]]);
    assert.equal(batches[0]![1].dtype, 'int32');
    assert.deepEqual(epochIds(loader), [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]);
  });

  test('dropLast drops the partial batch', () => {
    const loader = new DataLoader(toy(10), { batchSize: 4, dropLast: true });
    assert.equal(loader.length, 2);
    assert.equal([...loader].length, 2);
    assert.equal(new DataLoader(toy(8), { batchSize: 4, dropLast: true }).length, 2);
    assert.equal(new DataLoader(toy(3), { batchSize: 4, dropLast: true }).length, 0);
  });

  test('fast TensorDataset path equals stacking single samples', () => {
    for (const shuffle of [false, true]) {
      const fast = new DataLoader(toy(11), { batchSize: 4, shuffle, generator: new tg.Generator(3) });
      const slow = new DataLoader(plain(toy(11)), { batchSize: 4, shuffle, generator: new tg.Generator(3) });
      const a = [...fast], b = [...slow];
      assert.equal(a.length, b.length);
      a.forEach(([x, y], i) => {
        assert.deepEqual(x.toArray(), b[i]![0].toArray());
        assert.deepEqual(y.toArray(), b[i]![1].toArray());
        assert.equal(y.dtype, b[i]![1].dtype);
      });
    }
  });

  test('batches never alias the dataset', () => {
    const ds = toy(4);
    const [[x]] = [...new DataLoader(ds, { batchSize: 4 })];
    x!.fill_(-1);
    assert.deepEqual(ds.get(0)[0].toArray(), [0, 0.5]);
  });

  test('tensors that require grad keep batches in the graph', () => {
    const x = tg.arange(6, undefined, 1, { dtype: 'float32' }).reshape(3, 2).requiresGrad_();
    const [[xb]] = [...new DataLoader(new TensorDataset(x), { batchSize: 3, shuffle: true, generator: new tg.Generator(0) })];
    assert.equal(xb!.requiresGrad, true);
    xb!.sum().backward();
    assert.deepEqual(x.grad!.toArray(), [[1, 1], [1, 1], [1, 1]]);
  });

  test('Subsets of a TensorDataset (randomSplit) batch through the fast path correctly', () => {
    const [train] = randomSplit(toy(20), [15, 5], { generator: new tg.Generator(0) });
    const ids = epochIds(new DataLoader(train!, { batchSize: 6 })).flat();
    assert.deepEqual(ids, Array.from({ length: 15 }, (_, i) => train!.get(i)[0].toArray() as number[]).map((r) => r[0]));
    const nested = new Subset(new Subset(toy(10), [9, 8, 7, 6]), [3, 0]);
    assert.deepEqual(epochIds(new DataLoader(nested, { batchSize: 2 })), [[6, 9]]);
  });

  test('shuffle: seeded generators give identical epochs; consecutive epochs differ', () => {
    const make = () => new DataLoader(toy(32), { batchSize: 8, shuffle: true, generator: new tg.Generator(123) });
    const a = make(), b = make();
    const a1 = epochIds(a), a2 = epochIds(a);
    assert.deepEqual(epochIds(b), a1);
    assert.deepEqual(epochIds(b), a2);
    assert.notDeepEqual(a1, a2);
    assert.deepEqual(a1.flat().sort((p, q) => p - q), Array.from({ length: 32 }, (_, i) => i));
    assert.notDeepEqual(a1.flat(), Array.from({ length: 32 }, (_, i) => i));
  });

  test('shuffle without a generator follows tg.manualSeed', () => {
    tg.manualSeed(7);
    const first = epochIds(new DataLoader(toy(16), { batchSize: 4, shuffle: true }));
    tg.manualSeed(7);
    assert.deepEqual(epochIds(new DataLoader(toy(16), { batchSize: 4, shuffle: true })), first);
  });

  test('custom collate', () => {
    const loader = new DataLoader(toy(5), { batchSize: 2, collate: (samples) => samples.length });
    assert.deepEqual([...loader], [2, 2, 1]);
  });

  test('options are validated', () => {
    assert.throws(() => new DataLoader(toy(3), { batchSize: 0 }), /DataLoader: batchSize must be a positive integer \(got 0\)/);
    assert.throws(() => new DataLoader(toy(3), { batchSize: 1.5 }), /batchSize/);
  });
});

describe('defaultCollate', () => {
  test('numbers: int32 when all integers, else float32; booleans; strings', () => {
    const ints = defaultCollate([1, 2, 3]);
    assert.equal(ints.dtype, 'int32');
    assert.deepEqual(ints.toArray(), [1, 2, 3]);
    const floats = defaultCollate([1, 2.5]);
    assert.equal(floats.dtype, 'float32');
    assert.deepEqual(floats.toArray(), [1, 2.5]);
    assert.equal(defaultCollate([true, false]).dtype, 'bool');
    assert.deepEqual(defaultCollate(['a', 'b']), ['a', 'b']);
  });

  test('tuples and objects recurse', () => {
    const a = tg.tensor([[1, 2]]), b = tg.tensor([[3, 4]]);
    const [x, y] = defaultCollate<[tg.Tensor, number]>([[a, 0], [b, 1]]);
    assert.deepEqual(x.shape, [2, 1, 2]);
    assert.deepEqual(x.toArray(), [[[1, 2]], [[3, 4]]]);
    assert.deepEqual(y.toArray(), [0, 1]);
    const batch = defaultCollate([{ img: a, meta: { id: 4, name: 'p' } }, { img: b, meta: { id: 5, name: 'q' } }]);
    assert.deepEqual(batch.img.shape, [2, 1, 2]);
    assert.deepEqual(batch.meta.id.toArray(), [4, 5]);
    assert.deepEqual(batch.meta.name, ['p', 'q']);
  });

  test('loader collates tuples with numbers through the general path', () => {
    const ds: Dataset<[tg.Tensor, number]> = { length: 3, get: (i) => [tg.full([2, 2], i), i * 10] };
    const [[x, y]] = [...new DataLoader(ds, { batchSize: 3 })];
    assert.deepEqual(x.shape, [3, 2, 2]);
    assert.deepEqual(y.toArray(), [0, 10, 20]);
    assert.equal(y.dtype, 'int32');
  });

  test('clear errors for mismatched samples', () => {
    assert.throws(() => defaultCollate([tg.zeros([2]), tg.zeros([3])]), /defaultCollate: sample 1 has Tensor \[3\] at top level but sample 0 has Tensor \[2\]/);
    assert.throws(() => defaultCollate([[tg.zeros([2]), 1], [tg.zeros([2]), 'x']]), /sample 1 has string at \[1\] but sample 0 has number/);
    assert.throws(() => defaultCollate([{ a: 1 }, { b: 2 }]), /sample 1 has no field 'a'/);
    assert.throws(() => defaultCollate([null]), /cannot collate null/);
    assert.throws(() => defaultCollate([]), /non-empty/);
  });
});
