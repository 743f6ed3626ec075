import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { readIdx, encodeIdx, loadIdxDataset } from '../../src/data/index.js';
import { DEFAULT_MAX_IDX_BYTES } from '../../src/data/idx.js';

let dir = '';
before(() => { dir = mkdtempSync(join(tmpdir(), 'tg-idx-')); });
after(() => rmSync(dir, { recursive: true, force: true }));

/** A 2x3 uint8 IDX file written byte by byte from the format description. */
const handMade = Uint8Array.of(
  0x00, 0x00, 0x08, 0x02, // magic: ubyte, 2 dims
  0x00, 0x00, 0x00, 0x02, // dim 0 = 2
  0x00, 0x00, 0x00, 0x03, // dim 1 = 3
  1, 2, 3, 250, 251, 252,
);

describe('readIdx', () => {
  test('parses a hand-written file, from a path and from bytes', () => {
    const p = join(dir, 'small-idx2-ubyte');
    writeFileSync(p, handMade);
    for (const src of [p, handMade]) {
      const f = readIdx(src);
      assert.equal(f.type, 'uint8');
      assert.deepEqual(f.dims, [2, 3]);
      assert.deepEqual([...f.data], [1, 2, 3, 250, 251, 252]);
    }
  });

  test('big-endian multi-byte types round-trip through encodeIdx', () => {
    const cases = [
      Int8Array.of(-128, 0, 127),
      Int16Array.of(-30000, 1, 30000),
      Int32Array.of(-2e9, 7, 2e9),
      Float32Array.of(-1.5, 0.25, 3e38),
      Float64Array.of(Math.PI, -0, 1e300),
    ];
    for (const data of cases) {
      const f = readIdx(encodeIdx([3], data));
      assert.equal(f.data.constructor, data.constructor);
      assert.deepEqual([...f.data], [...data]);
    }
    const bytes = encodeIdx([1, 2], Int32Array.of(1, 256));
    assert.deepEqual([...bytes.subarray(0, 4)], [0, 0, 0x0c, 2]);
    assert.deepEqual([...bytes.subarray(12)], [0, 0, 0, 1, 0, 0, 1, 0]); // big-endian
    assert.deepEqual([...encodeIdx([2, 3], Uint8Array.of(1, 2, 3, 250, 251, 252))], [...handMade]);
  });

  test('gzip is read transparently', () => {
    const p = join(dir, 'small-idx2-ubyte.gz');
    writeFileSync(p, gzipSync(handMade));
    assert.deepEqual(readIdx(p).dims, [2, 3]);
  });

  test('errors name the path and the problem', () => {
    const bad = join(dir, 'bad-magic');
    writeFileSync(bad, Uint8Array.of(0x12, 0x34, 0x08, 0x01, 0, 0, 0, 0));
    assert.throws(() => readIdx(bad), (e: Error) => e.name === 'TensorError' && e.message.startsWith(`readIdx: ${bad}: bad magic number 0x12340801 (expected`));
    const badType = join(dir, 'bad-type');
    writeFileSync(badType, Uint8Array.of(0, 0, 0x0a, 0x01, 0, 0, 0, 0));
    assert.throws(() => readIdx(badType), /bad magic number 0x00000a01/);

    const truncated = join(dir, 'truncated');
    writeFileSync(truncated, handMade.subarray(0, handMade.length - 1));
    assert.throws(() => readIdx(truncated), new RegExp(`readIdx: ${truncated}: truncated: header declares uint8 dims \\[2,3\\], i\\.e\\. 18 bytes in all, but the file has 17`));
    const trailing = join(dir, 'trailing');
    writeFileSync(trailing, Uint8Array.of(...handMade, 0));
    assert.throws(() => readIdx(trailing), /trailing bytes/);
    const shortHeader = join(dir, 'short-header');
    writeFileSync(shortHeader, Uint8Array.of(0, 0, 8, 3, 0, 0, 0, 1));
    assert.throws(() => readIdx(shortHeader), /truncated header: 3 dims need 16 header bytes but the file has 8/);

    const notGz = join(dir, 'fake.gz');
    writeFileSync(notGz, handMade);
    assert.throws(() => readIdx(notGz), new RegExp(`readIdx: ${notGz}: the name ends in .gz but the file is not gzip data`));
    const corruptGz = join(dir, 'corrupt.gz');
    writeFileSync(corruptGz, gzipSync(handMade).subarray(0, 12));
    assert.throws(() => readIdx(corruptGz), new RegExp(`readIdx: ${corruptGz}: corrupt gzip data`));

    const missing = join(dir, 'missing-idx1-ubyte');
    assert.throws(() => readIdx(missing), new RegExp(`readIdx: cannot read ${missing}: no such file`));
    assert.throws(() => readIdx(Uint8Array.of(0, 0)), /readIdx: <bytes>: file is 2 bytes, too short/);
  });
});

describe('IDX limits and label validation', () => {
  test('a small .gz that inflates far beyond its header (or claims gigabytes) fails early and bounded', () => {
    assert.equal(DEFAULT_MAX_IDX_BYTES, 2 ** 30);
    // 64 MB of zeros behind a header that declares 5 labels: ~64 KB of gzip.
    const bomb = new Uint8Array(64 * 2 ** 20);
    bomb.set(encodeIdx([5], Uint8Array.of(1, 2, 3, 4, 5)).subarray(0, 8));
    const path = join(dir, 'bomb-labels.gz');
    writeFileSync(path, gzipSync(bomb, { level: 9 }));
    const before = process.memoryUsage().arrayBuffers;
    assert.throws(() => readIdx(path), new RegExp(`readIdx: ${path}: trailing bytes: the gzip data inflates to more than the 13 bytes its IDX header declares`));
    assert.ok(process.memoryUsage().arrayBuffers - before < 32 * 2 ** 20);
    // A header declaring 4 GB of uint8 is refused from the header alone.
    const huge = encodeIdx([1], Uint8Array.of(0)).slice(0, 8);
    new DataView(huge.buffer).setUint32(4, 0xffffffff);
    const hugePath = join(dir, 'huge.gz');
    writeFileSync(hugePath, gzipSync(Uint8Array.of(...huge, ...new Uint8Array(1000))));
    assert.throws(() => readIdx(hugePath), /huge\.gz: header declares uint8 dims \[4294967295\], i\.e\. 4294967303 bytes, above the limit of 1073741824 \(raise it with readIdx\(path, \{ maxBytes \}\)\)/);
    assert.throws(() => readIdx(handMade, { maxBytes: 10 }), /<bytes>: 18 bytes is above the limit of 10/);
    assert.deepEqual(readIdx(gzipSync(handMade), { maxBytes: 18 }).dims, [2, 3]);
    assert.throws(() => readIdx(handMade, { maxBytes: -1 }), /readIdx: maxBytes must be a positive integer \(got -1\)/);
  });

  test('loadIdxDataset checks labels against numClasses at load time, naming the file and the index', () => {
    const images = join(dir, 'imgs');
    const labels = join(dir, 'labs.gz');
    writeFileSync(images, encodeIdx([3, 2, 2], new Uint8Array(12)));
    writeFileSync(labels, gzipSync(encodeIdx([3], Uint8Array.of(1, 12, 3))));
    assert.throws(() => loadIdxDataset(images, labels, { numClasses: 10, cache: false }),
      new RegExp(`^TensorError: loadIdxDataset: ${labels}: label 12 at index 1 is out of range \\(expected 0\\.\\.9\\)`));
    assert.equal(loadIdxDataset(images, labels, { cache: false }).labels.shape[0], 3); // no class count: any non-negative label
    writeFileSync(labels, gzipSync(encodeIdx([3], Int32Array.of(1, -4, 3))));
    assert.throws(() => loadIdxDataset(images, labels, { cache: false }), /label -4 at index 1 is out of range \(labels must be non-negative\)/);
    writeFileSync(images, encodeIdx([0, 2, 2], new Uint8Array(0)));
    assert.throws(() => loadIdxDataset(images, labels, { cache: false }), /empty image set \(dims \[0,2,2\]\)/);
  });
});
