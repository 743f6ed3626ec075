import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import jpeg from 'jpeg-js';
import * as tg from '../../src/index.js';
import { DEFAULT_MAX_IMAGE_PIXELS, decodeImage, encodePng, readImage } from '../../src/data/image-io.js';
import { ImageFolder } from '../../src/data/image-folder.js';
import { IEND, ihdr, pngChunks, pngFromChunks } from '../helpers/png-bytes.js';

let dir = '';
before(() => { dir = mkdtempSync(join(tmpdir(), 'tg-image-limits-')); });
after(() => rmSync(dir, { recursive: true, force: true }));

/** Filter-0 scanlines of 8-bit gray rows. */
const scanlines = (rows: number[][]) => Uint8Array.from(rows.flatMap((r) => [0, ...r]));
const idat = (raw: Uint8Array) => ({ type: 'IDAT', data: new Uint8Array(deflateSync(raw)) });
const rejects = (fn: () => unknown, re: RegExp) => assert.throws(fn, (e: Error) => e.name === 'TensorError' && re.test(e.message));

function smallJpeg(w: number, h: number): Uint8Array {
  const data = Buffer.alloc(w * h * 4, 120);
  return new Uint8Array(jpeg.encode({ width: w, height: h, data }, 90).data);
}

describe('decoded-size limits and structural checks (PNG, JPEG)', () => {
  test('the default limit is 4096x4096 pixels', () => {
    assert.equal(DEFAULT_MAX_IMAGE_PIXELS, 16_777_216);
  });

  test('a tiny PNG claiming 20000x20000 is refused from its header, naming the file, the size and how to raise the limit', () => {
    const bytes = pngFromChunks([ihdr(20000, 20000, 8, 6), { type: 'IDAT', data: Uint8Array.of(0x78, 0x9c, 3, 0, 0, 0, 0, 1) }, IEND]);
    assert.ok(bytes.length < 80); // the file was 73 bytes
    const before = process.memoryUsage().arrayBuffers;
    rejects(() => decodeImage(bytes, { name: 'bomb.png' }),
      /^readImage: cannot decode bomb\.png: 20000x20000 = 400000000 pixels exceeds the limit of 16777216 pixels \(raise it with \{ maxPixels \} or the TENSORGRAD_MAX_IMAGE_PIXELS/);
    // Raising the limit does not make it allocate either: the few compressed bytes cannot hold the image.
    rejects(() => decodeImage(bytes, { name: 'bomb.png', maxPixels: 1e9 }), /bomb\.png: truncated or corrupt PNG: header declares 20000x20000 .* only 8 compressed bytes/);
    assert.ok(process.memoryUsage().arrayBuffers - before < 64 * 2 ** 20);
  });

  test('maxPixels and TENSORGRAD_MAX_IMAGE_PIXELS lower or raise the limit; bad values are refused', () => {
    const png = encodePng(tg.rand([3, 20, 30]));
    assert.deepEqual(decodeImage(png).shape, [3, 20, 30]);
    rejects(() => decodeImage(png, { maxPixels: 599 }), /30x20 = 600 pixels exceeds the limit of 599 pixels/);
    rejects(() => decodeImage(png, { maxPixels: 0 }), /readImage: maxPixels must be a positive integer number of pixels \(got 0\)/);
    rejects(() => decodeImage(png, { size: [5000, 4000] }), /resizing to 5000x4000 = 20000000 pixels exceeds the limit/);
    const saved = process.env.TENSORGRAD_MAX_IMAGE_PIXELS;
    try {
      process.env.TENSORGRAD_MAX_IMAGE_PIXELS = '100';
      rejects(() => decodeImage(png), /exceeds the limit of 100 pixels/);
      assert.deepEqual(decodeImage(png, { maxPixels: 600 }).shape, [3, 20, 30]); // the option wins
      process.env.TENSORGRAD_MAX_IMAGE_PIXELS = 'lots';
      rejects(() => decodeImage(png), /TENSORGRAD_MAX_IMAGE_PIXELS must be a positive integer number of pixels \(got "lots"\)/);
    } finally {
      if (saved === undefined) delete process.env.TENSORGRAD_MAX_IMAGE_PIXELS;
      else process.env.TENSORGRAD_MAX_IMAGE_PIXELS = saved;
    }
  });

  test('a PNG without pixel data, or with a short or corrupt stream, is an error (never a black image)', () => {
    const raw = scanlines([[10, 20, 30], [40, 50, 60]]);
    const good = pngFromChunks([ihdr(3, 2, 8, 0), idat(raw), IEND]);
    assert.deepEqual(decodeImage(good).mul(255).round().toArray(), [[[10, 20, 30], [40, 50, 60]]]);
    rejects(() => decodeImage(pngFromChunks([ihdr(3, 2, 8, 0), IEND]), { name: 'empty.png' }), /empty\.png: PNG has no pixel data \(no IDAT chunk\)/);
    rejects(() => decodeImage(pngFromChunks([ihdr(3, 2, 8, 0), idat(raw.subarray(0, 5)), IEND])), /inflates to 5 bytes but a 3x2 image needs 8/);
    rejects(() => decodeImage(pngFromChunks([ihdr(3, 2, 8, 0), idat(Uint8Array.of(...raw, 0, 0)), IEND])), /inflates to more than the 8 bytes/);
    const cut = idat(raw);
    cut.data = cut.data.subarray(0, cut.data.length - 3);
    rejects(() => decodeImage(pngFromChunks([ihdr(3, 2, 8, 0), cut, IEND])), /corrupt PNG pixel data \(zlib: unexpected end of file\)/);
    rejects(() => decodeImage(pngFromChunks([ihdr(3, 2, 8, 0), { type: 'IDAT', data: Uint8Array.of(1, 2, 3, 4, 5, 6) }, IEND])), /corrupt PNG pixel data/);
    rejects(() => decodeImage(good.subarray(0, good.length - 12)), /truncated PNG: the file ends before the IEND chunk/);
    rejects(() => decodeImage(pngFromChunks([ihdr(3, 2, 3, 0), idat(raw), IEND])), /bit depth 3 is invalid for colour type 0/);
    rejects(() => decodeImage(pngFromChunks([ihdr(3, 2, 8, 3), idat(raw), IEND])), /a palette image without a PLTE chunk/);
  });

  test('palette (2-bit), 16-bit and Adam7-interlaced PNGs still decode, with their exact sizes checked', () => {
    // 2-bit palette, 3x1: indices 0, 1, 2 -> packed 00 01 10 00.
    const plte = { type: 'PLTE', data: Uint8Array.of(0, 0, 0, 255, 0, 0, 0, 0, 255) };
    const pal = pngFromChunks([ihdr(3, 1, 2, 3), plte, idat(Uint8Array.of(0, 0b00011000)), IEND]);
    assert.deepEqual(decodeImage(pal).mul(255).round().toArray(), [[[0, 255, 0]], [[0, 0, 0]], [[0, 0, 255]]]);
    // 16-bit gray, 2x1.
    const g16 = pngFromChunks([ihdr(2, 1, 16, 0), idat(Uint8Array.of(0, 0xff, 0xff, 0x80, 0x00)), IEND]);
    assert.deepEqual(decodeImage(g16).mul(255).round().toArray(), [[[255, 128]]]);
    // Interlaced 3x3 8-bit gray: passes 1 (0,0), 2 none, 3 none, 4 (2,0), 5 (0,2),(2,2), 6 (1,0),(1,2), 7 row 1.
    const px = [[1, 2, 3], [4, 5, 6], [7, 8, 9]];
    const passes = [[0, 1], [0, 3], [0, 7, 9], [0, 2], [0, 8], [0, 4, 5, 6]];
    const inter = pngFromChunks([ihdr(3, 3, 8, 0, 1), idat(Uint8Array.from(passes.flat())), IEND]);
    assert.deepEqual(decodeImage(inter).mul(255).round().toArray(), [px]);
    const short = pngFromChunks([ihdr(3, 3, 8, 0, 1), idat(Uint8Array.from(passes.flat().slice(0, -1))), IEND]);
    rejects(() => decodeImage(short), /inflates to 14 bytes but a 3x3 image needs 15/);
  });

  test('JPEG: no scan, a frame larger than its data, over the limit, or unsupported coding are errors', () => {
    const good = smallJpeg(16, 8);
    assert.deepEqual(decodeImage(good).shape, [3, 8, 16]);
    const at = (m: number) => good.findIndex((b, i) => b === 0xff && good[i + 1] === m);
    const sos = at(0xda), sof = at(0xc0);
    rejects(() => decodeImage(Uint8Array.of(...good.subarray(0, sos), 0xff, 0xd9), { name: 'x.jpg' }), /x\.jpg: JPEG has no image data \(EOI before any SOS scan\)/);
    const tall = good.slice();
    new DataView(tall.buffer).setUint16(sof + 5, 4000);
    rejects(() => decodeImage(tall), /header declares 16x4000 \(1000 8x8 blocks\) but only \d+ bytes of image data follow/);
    new DataView(tall.buffer).setUint16(sof + 7, 60000);
    rejects(() => decodeImage(tall), /60000x4000 = 240000000 pixels exceeds the limit/);
    const lossless = good.slice();
    lossless[sof + 1] = 0xc3;
    rejects(() => decodeImage(lossless), /unsupported JPEG coding/);
    rejects(() => decodeImage(good.subarray(0, good.length - 40)), /cannot decode/);
  });

  test('readImage names the path; decodeImage refuses non-bytes', () => {
    const p = join(dir, 'empty.png');
    writeFileSync(p, pngFromChunks([ihdr(4, 4, 8, 0), IEND]));
    rejects(() => readImage(p), new RegExp(`^readImage: cannot decode ${p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: PNG has no pixel data`));
    rejects(() => decodeImage('x.png' as unknown as Uint8Array), /expected the file's bytes as a Uint8Array or Buffer \(got string\)/);
    assert.equal(pngChunks(encodePng(tg.zeros([1, 2, 2])))[0]!.type, 'IHDR');
  });

  test('ImageFolder: a symlink cycle is an error, not an endless walk', () => {
    const root = join(dir, 'folder');
    mkdirSync(join(root, 'a', 'sub'), { recursive: true });
    writeFileSync(join(root, 'a', 'x.png'), encodePng(tg.zeros([1, 2, 2])));
    symlinkSync(join(root, 'a'), join(root, 'a', 'sub', 'loop'));
    rejects(() => new ImageFolder(root), /ImageFolder: .*loop links back to its own parent folder .* \(a symlink cycle\)/);
  });
});
