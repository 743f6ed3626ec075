import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { readIdx, encodeIdx } from '../../src/data/index.js';

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
