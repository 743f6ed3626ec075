import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import jpeg from 'jpeg-js';
import * as tg from '../../src/index.js';
import { DataLoader, ImageFolder, readImage, writePng, normalize } from '../../src/data/index.js';

let dir = '';
before(() => { dir = mkdtempSync(join(tmpdir(), 'tg-images-')); });
after(() => rmSync(dir, { recursive: true, force: true }));

/** A [c, h, w] image whose values are exact multiples of 1/255 (so PNG round-trips exactly). */
function exactImage(c: number, h: number, w: number, seed: number): tg.Tensor {
  return tg.tensor(Float32Array.from({ length: c * h * w }, (_, i) => ((i * 37 + seed * 11) % 256) / 255), { shape: [c, h, w] });
}

/** Writes a w x h JPEG of one RGB colour with jpeg-js. */
function writeJpeg(path: string, w: number, h: number, rgb: [number, number, number]): void {
  const data = new Uint8Array(w * h * 4);
  for (let p = 0; p < w * h; p++) data.set([...rgb, 255], p * 4);
  writeFileSync(path, jpeg.encode({ width: w, height: h, data }, 100).data);
}

describe('readImage / writePng', () => {
  test('RGB and grayscale PNGs round-trip exactly; channels follow the file by default', () => {
    const rgb = exactImage(3, 4, 5, 1);
    writePng(join(dir, 'rgb.png'), rgb);
    const back = readImage(join(dir, 'rgb.png'));
    assert.deepEqual(back.shape, [3, 4, 5]);
    assert.deepEqual(back.toArray(), rgb.toArray());

    const gray = exactImage(1, 3, 2, 2);
    writePng(join(dir, 'gray.png'), gray.squeeze(0)); // [H, W] is accepted too
    assert.deepEqual(readImage(join(dir, 'gray.png')).toArray(), gray.toArray());
    const asRgb = readImage(join(dir, 'gray.png'), { channels: 3 });
    assert.deepEqual(asRgb.toArray(), tg.cat([gray, gray, gray]).toArray());
  });

  test('RGB -> grayscale uses PIL\'s luma (L = 0.299 R + 0.587 G + 0.114 B, in integers)', () => {
    const px = tg.tensor([[[1]], [[0]], [[0]]]); // pure red
    writePng(join(dir, 'red.png'), px);
    assert.equal(readImage(join(dir, 'red.png'), { channels: 1 }).item(), Math.fround(76 / 255));
  });

  test('values are clamped and rounded; size resizes; writes are atomic', () => {
    const out = join(dir, 'nested', 'deeper', 'clamp.png');
    writePng(out, tg.tensor([[[-0.5, 0.5, 2]]]));
    assert.deepEqual(readImage(out).toArray(), [[[0, 128 / 255, 1].map(Math.fround)]]);
    writePng(out, tg.zeros([1, 8, 6])); // overwrite in place
    assert.deepEqual(readImage(out, { size: [4, 3] }).shape, [1, 4, 3]);
    assert.deepEqual(readdirSync(join(dir, 'nested', 'deeper')), ['clamp.png']); // no temp files left
    assert.throws(() => writePng(out, tg.zeros([2, 3, 3])), /writePng: expected an image \[H,W\] or \[C,H,W\] with C = 1, 3 or 4/);
  });

  test('JPEG (encoded with jpeg-js) decodes to the colour it holds', () => {
    writeJpeg(join(dir, 'teal.jpg'), 8, 8, [0, 128, 128]);
    const x = readImage(join(dir, 'teal.jpg'));
    assert.deepEqual(x.shape, [3, 8, 8]);
    const mean = (x.mean([1, 2]).toArray() as number[]).map((v) => Math.round(v * 255));
    for (const [got, want] of mean.map((v, i) => [v, [0, 128, 128][i]!])) assert.ok(Math.abs(got! - want!) <= 2, `${mean} vs 0,128,128`);
  });

  test('errors name the path', () => {
    const corrupt = join(dir, 'corrupt.png');
    writeFileSync(corrupt, Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3));
    assert.throws(() => readImage(corrupt), (e: Error) => e.name === 'TensorError' && e.message.startsWith(`readImage: cannot decode ${corrupt}: `));
    const text = join(dir, 'notes.png');
    writeFileSync(text, 'hello');
    assert.throws(() => readImage(text), new RegExp(`readImage: cannot decode ${text}: not a PNG or JPEG file \\(starts with bytes 68 65 6c 6c\\)`));
    assert.throws(() => readImage(join(dir, 'absent.png')), /readImage: cannot read .*absent\.png: no such file/);
  });
});

describe('ImageFolder', () => {
  let root = '';
  before(() => {
    root = join(dir, 'folder');
    for (const c of ['dog', 'ant', 'cat']) mkdirSync(join(root, c), { recursive: true });
    writePng(join(root, 'dog', 'b.png'), exactImage(3, 6, 6, 3));
    writePng(join(root, 'dog', 'a.png'), exactImage(1, 6, 6, 4)); // grayscale file in an RGB dataset
    writePng(join(root, 'ant', 'x.PNG'), exactImage(3, 6, 6, 5)); // extension case does not matter
    mkdirSync(join(root, 'cat', 'sub'));
    writeJpeg(join(root, 'cat', 'sub', 'c.jpeg'), 6, 6, [200, 10, 10]); // found recursively
    writeFileSync(join(root, 'cat', 'readme.txt'), 'not an image');
    writeFileSync(join(root, 'stray.png'), 'files at the root are not classes');
  });

  test('classes sorted, labels, samples in order', () => {
    const ds = new ImageFolder(root);
    assert.deepEqual(ds.classes, ['ant', 'cat', 'dog']);
    assert.deepEqual(ds.classToIdx, { ant: 0, cat: 1, dog: 2 });
    assert.equal(ds.length, 4);
    assert.deepEqual(ds.samples.map(([p, y]) => [p.slice(root.length + 1), y]), [
      [join('ant', 'x.PNG'), 0], [join('cat', 'sub', 'c.jpeg'), 1], [join('dog', 'a.png'), 2], [join('dog', 'b.png'), 2],
    ]);
    assert.deepEqual(ds.targets, [0, 1, 2, 2]);
  });

  test('RGB by default (grayscale files replicated), grayscale on request, transform and size', () => {
    const rgb = new ImageFolder(root);
    const [gray3, y] = rgb.get(2);
    assert.equal(y, 2);
    assert.deepEqual(gray3.shape, [3, 6, 6]);
    assert.deepEqual(gray3.select(0, 0).toArray(), gray3.select(0, 2).toArray());
    const gray = new ImageFolder(root, { channels: 1, size: [4, 4], transform: normalize([0.5], [0.5]) });
    const [x] = gray.get(0);
    assert.deepEqual(x.shape, [1, 4, 4]);
    assert.ok(x.min().item() >= -1 && x.max().item() <= 1);
  });

  test('works with the DataLoader', () => {
    const batches = [...new DataLoader(new ImageFolder(root, { channels: 1 }), { batchSize: 3 })];
    assert.deepEqual(batches.map(([x, y]) => [x.shape, y.dtype]), [[[3, 1, 6, 6], 'int32'], [[1, 1, 6, 6], 'int32']]);
    assert.deepEqual(batches[0]![1].toArray(), [0, 1, 2]);
  });

  test('errors: corrupt image on get, empty class, missing root, no classes', () => {
    const broken = join(dir, 'broken');
    mkdirSync(join(broken, 'a'), { recursive: true });
    writeFileSync(join(broken, 'a', 'bad.png'), Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13));
    const ds = new ImageFolder(broken);
    assert.throws(() => ds.get(0), new RegExp(`readImage: cannot decode ${join(broken, 'a', 'bad.png')}: `));
    mkdirSync(join(broken, 'b'));
    assert.throws(() => new ImageFolder(broken), /ImageFolder: found no image files for the classes b in/);
    assert.throws(() => new ImageFolder(join(dir, 'nowhere')), /ImageFolder: cannot read root .*nowhere: no such folder/);
    const flat = join(dir, 'flat');
    mkdirSync(flat);
    assert.throws(() => new ImageFolder(flat), /ImageFolder: no class folders in/);
    assert.throws(() => new ImageFolder(root, { channels: 2 as never }), /channels must be 1 or 3/);
  });
});
