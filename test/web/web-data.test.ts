import '../../src/index.js';
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { TensorError, data } from '../../src/index.js';
import {
  WEB_DATA_HEADER_BYTES, decodeWebData, encodeWebData, inflateGzip, readWebData, type WebData,
} from '../../web/src/data/web-data.js';

const ROOT = join(import.meta.dirname, '../..');
let dir = '';
before(() => { dir = mkdtempSync(join(tmpdir(), 'tg-webdata-')); });
after(() => rmSync(dir, { recursive: true, force: true }));

const files = new Map<string, Uint8Array>();
/** An MNIST IDX file's elements, parsed once (the training images are 47 MB). */
function idx(name: string): Uint8Array {
  if (!files.has(name)) files.set(name, data.readIdx(join(data.mnistDataDir(), name)).data as Uint8Array);
  return files.get(name)!;
}

/** The first `n` images and labels of an MNIST split, as the IDX files hold them. */
function mnist(prefix: 'train' | 't10k', n: number): { images: Uint8Array; labels: Uint8Array } {
  return { images: idx(`${prefix}-images-idx3-ubyte`).slice(0, n * 784), labels: idx(`${prefix}-labels-idx1-ubyte`).slice(0, n) };
}

function sample(): WebData {
  const tr = mnist('train', 5);
  const te = mnist('t10k', 3);
  return { rows: 28, cols: 28, classes: 10, train: { count: 5, ...tr }, test: { count: 3, ...te } };
}

/** A valid bundle with one header field (a uint32 at `offset`) overwritten. */
function withField(offset: number, value: number): Uint8Array {
  const bytes = encodeWebData(sample());
  new DataView(bytes.buffer).setUint32(offset, value, true);
  return bytes;
}

const rejects = (bytes: Uint8Array, pattern: RegExp) =>
  assert.throws(() => readWebData(bytes), (e) => e instanceof TensorError && pattern.test(e.message));

describe('web data bundle', () => {
  test('round-trips real MNIST images and labels', () => {
    const d = sample();
    const bytes = encodeWebData(d);
    assert.equal(bytes.length, WEB_DATA_HEADER_BYTES + 8 * (784 + 1));
    const back = readWebData(bytes);
    assert.deepEqual([back.rows, back.cols, back.classes, back.train.count, back.test.count], [28, 28, 10, 5, 3]);
    assert.deepEqual(back.train.images, d.train.images);
    assert.deepEqual(back.train.labels, d.train.labels);
    assert.deepEqual(back.test.images, d.test.images);
    assert.deepEqual(Array.from(back.test.labels), [7, 2, 1]);   // MNIST's first three test labels
    assert.deepEqual(Array.from(back.train.labels), [5, 0, 4, 1, 9]);
  });

  test('reads from a view at an offset of a larger buffer (as fetch/inflate may hand it)', () => {
    const bytes = encodeWebData(sample());
    const big = new Uint8Array(bytes.length + 7);
    big.set(bytes, 3);
    const back = readWebData(big.subarray(3, 3 + bytes.length));
    assert.deepEqual(back.test.images, sample().test.images);
  });

  test('an empty split is allowed (a bundle of test images only)', () => {
    const d = sample();
    const back = readWebData(encodeWebData({ ...d, train: { count: 0, images: new Uint8Array(0), labels: new Uint8Array(0) } }));
    assert.equal(back.train.count, 0);
    assert.equal(back.test.count, 3);
  });

  test('gzip through DecompressionStream, as the page does; decodeWebData takes either form', async () => {
    const bytes = encodeWebData(sample());
    const back = readWebData(await inflateGzip(gzipSync(bytes)));
    assert.deepEqual(back.train.images, sample().train.images);
    // A host sending Content-Encoding: gzip hands fetch's caller the inflated bytes.
    for (const input of [gzipSync(bytes), bytes]) assert.deepEqual((await decodeWebData(input)).test.labels, sample().test.labels);
  });

  test('rejects truncated and hostile headers with clear errors, before allocating', () => {
    const good = encodeWebData(sample());
    rejects(good.subarray(0, 10), /10 bytes is shorter than the 28-byte header/);
    rejects(good.subarray(0, good.length - 1), /declares 5 train \+ 3 test images of 28x28 \(6308 bytes\) but the data has 6307 bytes \(truncated\)/);
    const long = new Uint8Array(good.length + 1);
    long.set(good);
    rejects(long, /\(trailing bytes\)/);
    const bad = good.slice();
    bad[0] = 0x58;
    rejects(bad, /bad magic "XGWD", expected "TGWD"/);
    rejects(gzipSync(good), /inflate them first with inflateGzip/);
    rejects(withField(4, 2), /unsupported version 2/);
    // 4 billion images claimed by a 6 KB file: refused from the header, nothing allocated.
    rejects(withField(8, 0xffffffff), /declares 4294967295 train/);
    rejects(withField(16, 0), /rows must be an integer in 1\.\.4096 \(got 0\)/);
    rejects(withField(20, 0xffffffff), /cols must be an integer in 1\.\.4096/);
    rejects(withField(24, 0), /classes must be an integer in 1\.\.256/);
    rejects(withField(24, 5), /train label 5 at index 0 is not below classes \(5\)/);
    assert.throws(() => readWebData([1, 2, 3] as unknown as Uint8Array), /readWebData: expected a Uint8Array/);
  });

  test('encodeWebData checks its input', () => {
    const d = sample();
    assert.throws(() => encodeWebData({ ...d, train: { ...d.train, count: 6 } }), /encodeWebData: train.images has 3920 bytes but 6 images of 28x28 need 4704/);
    assert.throws(() => encodeWebData({ ...d, test: { ...d.test, labels: Uint8Array.of(1, 2, 10) } }), /test label 10 at index 2 is not below classes \(10\)/);
  });

  test('inflateGzip refuses a decompression bomb and corrupt data', async () => {
    const bomb = gzipSync(new Uint8Array(4 * 2 ** 20));   // 4 MiB of zeros in ~4 KB
    await assert.rejects(inflateGzip(bomb, 2 ** 20), /inflateGzip: inflated data exceeds the 1048576-byte limit/);
    await assert.rejects(inflateGzip(Uint8Array.of(1, 2, 3)), /inflateGzip: not gzip data/);
    const cut = gzipSync(encodeWebData(sample()));
    await assert.rejects(inflateGzip(cut.subarray(0, cut.length - 20)), (e) => e instanceof TensorError && /inflateGzip: corrupt gzip data/.test(e.message));
  });

  test('scripts/build-web-data.mjs writes a bundle the reader accepts', () => {
    const out = join(dir, 'mnist-web.bin.gz');
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts/build-web-data.mjs'), '--train', '40', '--test', '10', '--out', out], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /40 train \+ 10 test images of 28x28/);
    return inflateGzip(new Uint8Array(readFileSync(out))).then((raw) => {
      const back = readWebData(raw);
      assert.deepEqual([back.train.count, back.test.count], [40, 10]);
      // Bundle index i is MNIST index i.
      assert.deepEqual(back.test.images, mnist('t10k', 10).images);
      assert.deepEqual(back.train.labels, mnist('train', 40).labels);
    });
  });

  test('the build script refuses bad counts', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts/build-web-data.mjs'), '--train', '0'], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /--train must be an integer in 1\.\.60000 \(got 0\)/);
  });
});
