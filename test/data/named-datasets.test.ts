// tg's named datasets (src/data/named-datasets.ts): subsets, resizing and the
// published normalisation, and errors that name loadDataset and the argument.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tg from '../../src/index.js';
import { DATASET_NAMES, loadDataset, normalizeImages, resizeImages } from '../../src/data/named-datasets.js';

test('loadDataset: the first N MNIST images, normalised with the published statistics', () => {
  const d = loadDataset('mnist', { trainSubset: 64, testSubset: 32 });
  assert.deepEqual(DATASET_NAMES, ['mnist', 'fashion-mnist', 'cifar10']);
  assert.deepEqual(d.train.images.shape, [64, 1, 28, 28]);
  assert.deepEqual(d.test.labels.shape, [32]);
  assert.deepEqual(d.inputShape, [1, 28, 28]);
  assert.deepEqual(d.available, { train: 60000, test: 10000 });
  const raw = tg.data.loadMnist({ split: 'train' }).images.narrow(0, 0, 64).data();
  const got = d.train.images.data();
  for (const i of [0, 200, 400, 784 * 63 + 500]) assert.ok(Math.abs(got[i]! - (raw[i]! - 0.1307) / 0.3081) < 1e-5);
  assert.deepEqual([...d.train.labels.data()], [...tg.data.loadMnist({ split: 'train' }).labels.narrow(0, 0, 64).data()]);
});

test('loadDataset: size resizes, splits skips a split, oversized subsets mean all', () => {
  const d = loadDataset('mnist', { testSubset: 8, size: [14, 14], splits: ['test'] });
  assert.deepEqual(d.test.images.shape, [8, 1, 14, 14]);
  assert.equal(d.train.images.numel(), 0);
  assert.deepEqual(d.available, { train: 0, test: 10000 });
  assert.equal(loadDataset('mnist', { testSubset: 20000, splits: ['test'] }).test.labels.shape[0], 10000);
});

test('loadDataset, normalizeImages: errors name the function and the argument', () => {
  const cases: [() => unknown, RegExp][] = [
    [() => loadDataset('imagenet'), /^loadDataset: unknown dataset 'imagenet' \(available: mnist, fashion-mnist, cifar10\)$/],
    [() => loadDataset('cifar10'), /^loadDataset: dataset 'cifar10' needs dataDir/],
    [() => loadDataset('mnist', { trainSubset: -1 }), /^loadDataset: trainSubset must be a non-negative integer \(got -1\)$/],
    [() => normalizeImages(tg.zeros([2, 3, 4, 4]), { mean: [0.5], std: [0.5] }), /^normalizeImages: the data has 3 channels but the normalisation has 1 means and 1 stds$/],
  ];
  for (const [fn, pattern] of cases) assert.throws(fn, (e: unknown) => e instanceof tg.TensorError && pattern.test(e.message));
  const x = tg.zeros([1, 1, 5, 5]);
  assert.equal(resizeImages(x, [5, 5]), x);
  assert.equal(resizeImages(x, null), x);
});
