import '../../src/index.js';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { TensorError, data } from '../../src/index.js';
import { DATASETS } from '../../src/data/named-datasets.js';
import {
  BOX, FIELD, MNIST_NORMALIZATION, centreOfMass, inkBoundingBox, preprocessDrawing, preprocessInk, resizeArea,
} from '../../web/src/draw/preprocess.js';
import { detectPolarity, inkFromRgba, type RgbaImage } from '../../web/src/draw/ink.js';
import { MNIST_STYLE, clearPad, digitToStrokes, drawStroke, paintDigit, type PadStyle, type Stroke } from '../../web/src/draw/strokes.js';

const SIZE = 280;
const PAPER: PadStyle = { background: [255, 255, 255], ink: [0, 0, 0] };

function pad(style: PadStyle = MNIST_STYLE, size = SIZE): RgbaImage {
  const img = { data: new Uint8ClampedArray(size * size * 4), width: size, height: size };
  clearPad(img, style);
  return img;
}

/** A "7" drawn off-centre in the pad's top-left: a wide bar and a long diagonal, so its mass is not at its box's centre. */
const SEVEN: Stroke[] = [
  { points: [{ x: 30, y: 30 }, { x: 150, y: 34 }, { x: 70, y: 190 }], width: 16 },
  { points: [{ x: 60, y: 110 }, { x: 130, y: 110 }], width: 12 },
];

function drawn(style: PadStyle = MNIST_STYLE): RgbaImage {
  const img = pad(style);
  for (const s of SEVEN) drawStroke(img, s, style);
  return img;
}

function correlation(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  let ma = 0, mb = 0;
  for (let i = 0; i < n; i++) { ma += a[i]! / n; mb += b[i]! / n; }
  let sab = 0, saa = 0, sbb = 0;
  for (let i = 0; i < n; i++) {
    const da = a[i]! - ma, db = b[i]! - mb;
    sab += da * db; saa += da * da; sbb += db * db;
  }
  return sab / Math.sqrt(saa * sbb);
}

/** A 28x28 image moved by (dx, dy) pixels, zeros shifted in. */
function shifted(a: Float32Array, dx: number, dy: number): Float32Array {
  const out = new Float32Array(FIELD * FIELD);
  for (let y = 0; y < FIELD; y++) {
    for (let x = 0; x < FIELD; x++) {
      const sx = x - dx, sy = y - dy;
      if (sx >= 0 && sx < FIELD && sy >= 0 && sy < FIELD) out[y * FIELD + x] = a[sy * FIELD + sx]!;
    }
  }
  return out;
}

/** The first `n` MNIST test digits, [0, 1] floats, with labels. */
function mnistTest(n: number): { images: Float32Array[]; labels: number[] } {
  const dir = data.mnistDataDir();
  const img = data.readIdx(join(dir, 't10k-images-idx3-ubyte'));
  const lab = data.readIdx(join(dir, 't10k-labels-idx1-ubyte'));
  const images = Array.from({ length: n }, (_, k) => Float32Array.from(img.data.subarray(k * 784, (k + 1) * 784), (v) => v / 255));
  return { images, labels: Array.from(lab.data.subarray(0, n)) };
}

describe('preprocessDrawing (MNIST-like: fit 20x20, centre of mass at the centre)', () => {
  test('a drawn digit lands centred, fits 20x20 and keeps its aspect ratio', () => {
    const r = preprocessDrawing(drawn());
    assert.ok(r);
    assert.equal(r.polarity, 'light-on-dark');
    assert.equal(r.pixels.length, FIELD * FIELD);
    const c = centreOfMass(r.pixels, FIELD, FIELD)!;
    assert.ok(Math.abs(c.x - 14) <= 0.5 && Math.abs(c.y - 14) <= 0.5, `centre of mass (${c.x}, ${c.y})`);
    const out = inkBoundingBox(r.pixels, FIELD, FIELD)!;
    assert.deepEqual(out, r.placed, 'the ink fills exactly the placed box');
    assert.equal(Math.max(out.width, out.height), BOX, 'the longer side is scaled to 20');
    // Aspect ratio: the shorter side is the source's ratio times 20, rounded.
    const { box } = r;
    assert.ok(box.height > box.width, 'the 7 is taller than wide');
    assert.equal(out.width, Math.round((box.width / box.height) * BOX));
    assert.ok(r.pixels.every((v) => v >= 0 && v <= 1 + 1e-6));
  });

  test('white-on-black, black-on-white and strokes on a transparent canvas give the same digit', () => {
    const a = preprocessDrawing(drawn())!;
    const b = preprocessDrawing(drawn(PAPER))!;
    assert.equal(b.polarity, 'dark-on-light');
    const clear = { data: new Uint8ClampedArray(SIZE * SIZE * 4), width: SIZE, height: SIZE };
    // A transparent canvas with black strokes: colour 0 everywhere, the stroke carried by alpha.
    const ink = inkFromRgba(drawn(), 'light-on-dark');
    ink.forEach((v, i) => { clear.data[4 * i + 3] = Math.round(v * 255); });
    assert.equal(detectPolarity(clear), 'dark-on-light');
    const c = preprocessDrawing(clear)!;
    for (const other of [b, c]) {
      assert.deepEqual(other.placed, a.placed);
      const maxDiff = Math.max(...a.pixels.map((v, i) => Math.abs(v - other.pixels[i]!)));
      assert.ok(maxDiff < 2 / 255, `max difference ${maxDiff}`);
    }
  });

  test('an empty drawing gives null, never NaN', () => {
    assert.equal(preprocessDrawing(pad()), null);
    assert.equal(preprocessDrawing(pad(PAPER)), null);
    assert.equal(preprocessDrawing({ data: new Uint8ClampedArray(16 * 4 * 4), width: 16, height: 4 }), null);
    assert.equal(preprocessInk(new Float32Array(9), 3, 3), null);
  });

  test('a thin vertical stroke stays thin (aspect ratio kept, not stretched to 20x20)', () => {
    const img = pad();
    drawStroke(img, { points: [{ x: 200, y: 40 }, { x: 200, y: 240 }], width: 20 });
    const r = preprocessDrawing(img)!;
    assert.equal(r.placed.height, BOX);
    assert.equal(r.placed.width, Math.round((r.box.width / r.box.height) * BOX));
    assert.ok(r.placed.width <= 3, `width ${r.placed.width}`);
  });

  test('input is the pixels normalised with the CLI\'s MNIST statistics', () => {
    assert.deepEqual(DATASETS.mnist!.normalize, { mean: [MNIST_NORMALIZATION.mean], std: [MNIST_NORMALIZATION.std] });
    const r = preprocessDrawing(drawn())!;
    r.input.forEach((v, i) => assert.ok(Math.abs(v - (r.pixels[i]! - 0.1307) / 0.3081) < 1e-5));
    assert.ok(Math.abs(r.input[0]! - -0.1307 / 0.3081) < 1e-6, 'background is -0.424');
  });

  test('a real MNIST test digit painted onto a 280x280 pad comes back as the original', () => {
    // MNIST digits are already boxed to 20 and centred, so preprocessing one painted 10x
    // larger must give it back: same placement, pixels equal up to 8-bit rounding.
    const { images } = mnistTest(20);
    for (const [k, original] of images.entries()) {
      const img = pad();
      paintDigit(img, original, 28, 28);
      const r = preprocessDrawing(img)!;
      assert.deepEqual(r.placed, inkBoundingBox(original, FIELD, FIELD), `digit ${k}: placement`);
      const corr = correlation(r.pixels, original);
      assert.ok(corr > 0.99, `digit ${k}: correlation ${corr.toFixed(4)}`);
    }
  });

  test('the same digits drawn as pen strokes (what pointer events can do) keep their shape', () => {
    // Strokes lose the grey edge pixels, so the bounding box (hence scale and shift) can move
    // by a pixel; thin lines then correlate poorly pixel for pixel. Shape is compared up to a
    // one-pixel shift (first 300 test digits: worst 0.86, median 0.965; unshifted median 0.96).
    const { images } = mnistTest(20);
    const unshifted: number[] = [];
    for (const [k, original] of images.entries()) {
      const img = pad();
      for (const s of digitToStrokes(original, 28, 28, SIZE, SIZE)) drawStroke(img, s);
      const { pixels } = preprocessDrawing(img)!;
      unshifted.push(correlation(pixels, original));
      let best = -1;
      for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) best = Math.max(best, correlation(shifted(pixels, dx, dy), original));
      assert.ok(best > 0.8, `digit ${k}: best correlation within a 1-pixel shift ${best.toFixed(3)}`);
    }
    unshifted.sort((a, b) => a - b);
    assert.ok(unshifted[10]! > 0.9, `median correlation ${unshifted[10]!.toFixed(3)}`);
  });

  test('resizeArea averages areas exactly (total ink scales with area)', () => {
    const src = Float32Array.from({ length: 36 }, (_, i) => (i % 6 < 3 ? 1 : 0));  // left half inked, 6x6
    const out = resizeArea(src, 6, { x: 0, y: 0, width: 6, height: 6 }, 4, 4);
    // Output columns cover source [0,1.5), [1.5,3), [3,4.5), [4.5,6).
    assert.deepEqual(Array.from(out.subarray(0, 4)), [1, 1, 0, 0]);
    const odd = resizeArea(src, 6, { x: 1, y: 0, width: 4, height: 6 }, 3, 2);
    // Columns 1..4 -> 3 cells of 4/3: [1, 2.33) all ink, [2.33, 3.67) half ink, [3.67, 5) none.
    assert.ok(Math.abs(odd[0]! - 1) < 1e-6 && Math.abs(odd[1]! - 0.5) < 1e-6 && Math.abs(odd[2]!) < 1e-6);
  });

  test('bad input is a TensorError naming the function', () => {
    assert.throws(() => preprocessDrawing({ data: new Uint8ClampedArray(10), width: 2, height: 2 }), (e) => e instanceof TensorError && /detectPolarity: .*needs 16 bytes/.test(e.message));
    assert.throws(() => preprocessInk(new Float32Array(5), 2, 2), /preprocessInk: .*needs 4 values/);
    assert.throws(() => inkFromRgba({ data: new Uint8ClampedArray(0), width: 0, height: 0 }, 'light-on-dark'), /inkFromRgba: width and height must be positive/);
  });
});
