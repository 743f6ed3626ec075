import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCifar10, CIFAR10_CLASSES } from '../../src/data/index.js';

const RECORD = 3073;
let dir = '';
before(() => { dir = mkdtempSync(join(tmpdir(), 'tg-cifar-')); });
after(() => rmSync(dir, { recursive: true, force: true }));

/** Pixel byte p (0..3071, CHW) of the record with global id `id`. */
const pixel = (id: number, p: number) => (id * 7 + p) % 256;

/** A batch file of `ids.length` records: label id % 10, pixels from `pixel`. */
function batch(ids: number[]): Uint8Array {
  const bytes = new Uint8Array(ids.length * RECORD);
  ids.forEach((id, k) => {
    bytes[k * RECORD] = id % 10;
    for (let p = 0; p < 3072; p++) bytes[k * RECORD + 1 + p] = pixel(id, p);
  });
  return bytes;
}

function writeCifar(root: string): void {
  mkdirSync(root, { recursive: true });
  for (let b = 1; b <= 5; b++) writeFileSync(join(root, `data_batch_${b}.bin`), batch([2 * (b - 1), 2 * (b - 1) + 1]));
  writeFileSync(join(root, 'test_batch.bin'), batch([100, 101, 102]));
}

describe('loadCifar10', () => {
  test('reads the five training batches in order, CHW records -> [N,3,32,32] in [0,1]', () => {
    const root = join(dir, 'flat');
    writeCifar(root);
    const { images, labels } = loadCifar10({ root, split: 'train' });
    assert.deepEqual(images.shape, [10, 3, 32, 32]);
    assert.equal(images.dtype, 'float32');
    assert.equal(labels.dtype, 'int32');
    assert.deepEqual(labels.toArray(), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const data = images.data();
    // image 3, channel 2 (blue), row 5, column 9
    const p = 2 * 1024 + 5 * 32 + 9;
    assert.equal(data[3 * 3072 + p], Math.fround(pixel(3, p) / 255));
    assert.equal(CIFAR10_CLASSES[labels.data()[1]!], 'automobile');
  });

  test('test split, and the cifar-10-batches-bin folder of the official archive', () => {
    const root = join(dir, 'archive');
    writeCifar(join(root, 'cifar-10-batches-bin'));
    const { images, labels } = loadCifar10({ root, split: 'test' });
    assert.deepEqual(images.shape, [3, 3, 32, 32]);
    assert.deepEqual(labels.toArray(), [0, 1, 2]);
  });

  test('errors: size not a multiple of 3073, missing file, bad label, bad split', () => {
    const root = join(dir, 'broken');
    writeCifar(root);
    const bad = join(root, 'test_batch.bin');
    writeFileSync(bad, batch([1, 2]).subarray(0, 2 * RECORD - 5));
    assert.throws(() => loadCifar10({ root, split: 'test' }), new RegExp(`loadCifar10: ${bad}: size 6141 bytes is not a positive multiple of the 3073-byte record`));
    rmSync(join(root, 'data_batch_4.bin'));
    assert.throws(() => loadCifar10({ root }), new RegExp(`loadCifar10: cannot read ${join(root, 'data_batch_4.bin')}: no such file`));
    const labelled = batch([0]);
    labelled[0] = 42;
    writeFileSync(bad, labelled);
    assert.throws(() => loadCifar10({ root, split: 'test' }), /record 0 has label 42, outside 0..9/);
    assert.throws(() => loadCifar10({ root, split: 'val' as never }), /split must be 'train' or 'test'/);
  });
});
