import '../../src/index.js';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { TensorError } from '../../src/index.js';
import type { RgbaImage } from '../../web/src/draw/ink.js';
import {
  MNIST_STYLE, clearPad, digitToStrokes, drawSegment, drawStroke, paintDigit, type PadStyle,
} from '../../web/src/draw/strokes.js';
import { DrawingPad } from '../../web/src/draw/pad.js';

function blank(size: number, style: PadStyle = MNIST_STYLE): RgbaImage {
  const img = { data: new Uint8ClampedArray(size * size * 4), width: size, height: size };
  clearPad(img, style);
  return img;
}

/** Ink (0..1) at pixel (x, y) of a white-on-black pad. */
const inkAt = (img: RgbaImage, x: number, y: number): number => img.data[4 * (y * img.width + x)]! / 255;

describe('drawSegment / drawStroke', () => {
  test('a thick segment: full ink on its axis, none beyond, a one-pixel anti-aliased edge', () => {
    const img = blank(40);
    drawSegment(img, { x: 10, y: 20 }, { x: 30, y: 20 }, 7);
    // Pixel centres are at +0.5; the brush radius is 3.5, coverage clamp(3.5 + 0.5 - d, 0, 1).
    assert.equal(inkAt(img, 20, 20), 1);        // d = 0.5
    assert.equal(inkAt(img, 20, 17), 1);        // d = 2.5
    assert.equal(inkAt(img, 20, 16), 128 / 255); // d = 3.5: half covered
    assert.equal(inkAt(img, 20, 23), 128 / 255); // d = 3.5
    assert.equal(inkAt(img, 20, 15), 0);        // d = 4.5
    assert.equal(inkAt(img, 20, 24), 0);
    assert.equal(inkAt(img, 36, 20), 0);        // beyond the round cap (d = 6.5)
  });

  test('edge coverage follows clamp(r + 0.5 - d, 0, 1)', () => {
    const img = blank(20);
    drawSegment(img, { x: 10, y: 10 }, { x: 10, y: 10 }, 6);  // a dot of radius 3
    for (let y = 0; y < 20; y++) {
      for (let x = 0; x < 20; x++) {
        const d = Math.hypot(x + 0.5 - 10, y + 0.5 - 10);
        const want = Math.round(255 * Math.min(1, Math.max(0, 3.5 - d))) / 255;
        assert.equal(inkAt(img, x, y), want, `pixel (${x}, ${y})`);
      }
    }
  });

  test('overlaps never blend twice: drawing is idempotent and order-independent', () => {
    const a = { x: 5, y: 5 }, b = { x: 30, y: 12 }, c = { x: 12, y: 33 };
    const once = blank(40);
    drawStroke(once, { points: [a, b, c], width: 7 });
    const twice = blank(40);
    drawStroke(twice, { points: [a, b, c], width: 7 });
    drawStroke(twice, { points: [a, b, c], width: 7 });
    assert.deepEqual(twice.data, once.data);
    const reversed = blank(40);
    drawSegment(reversed, c, b, 7);
    drawSegment(reversed, b, a, 7);
    assert.deepEqual(reversed.data, once.data);
  });

  test('pen-on-paper style paints the same coverage in its own colours', () => {
    const paper: PadStyle = { background: [250, 245, 230], ink: [20, 30, 90] };
    const light = blank(30);
    const dark = blank(30, paper);
    drawStroke(light, { points: [{ x: 4, y: 4 }, { x: 25, y: 22 }], width: 5 });
    drawStroke(dark, { points: [{ x: 4, y: 4 }, { x: 25, y: 22 }], width: 5 }, paper);
    // Coverage read back from the paper pad's red channel (250 -> 20) matches the white-on-black pad.
    for (let i = 0; i < 30 * 30; i++) {
      const want = light.data[4 * i]! / 255;
      const got = (250 - dark.data[4 * i]!) / 230;
      assert.ok(Math.abs(got - want) < 0.01, `pixel ${i}: ${got} vs ${want}`);
    }
  });

  test('bad arguments are TensorErrors naming the function', () => {
    const img = blank(10);
    assert.throws(() => drawSegment(img, { x: 0, y: 0 }, { x: 1, y: 1 }, 0), (e) => e instanceof TensorError && /drawSegment: width/.test(e.message));
    assert.throws(() => drawSegment(img, { x: NaN, y: 0 }, { x: 1, y: 1 }, 3), /drawSegment: points must be finite/);
    assert.throws(() => clearPad({ data: new Uint8ClampedArray(3), width: 1, height: 1 }), /clearPad: .*needs 4 bytes/);
  });
});

describe('paintDigit / digitToStrokes', () => {
  test('paintDigit paints each source pixel as its block, grey levels kept', () => {
    const digit = Float32Array.from({ length: 16 }, (_, i) => i / 15);
    const img = blank(40);
    paintDigit(img, digit, 4, 4);
    for (let y = 0; y < 40; y++) {
      for (let x = 0; x < 40; x++) {
        const v = digit[Math.floor(y / 10) * 4 + Math.floor(x / 10)]!;
        assert.equal(inkAt(img, x, y), Math.round(v * 255) / 255);
      }
    }
  });

  test('paintDigit area-averages when the pad is not a whole multiple', () => {
    const img = blank(3);
    paintDigit(img, [1, 0], 1, 2);   // left half inked on a 3-pixel-wide pad: the middle pixel is half
    assert.deepEqual([0, 1, 2].map((x) => inkAt(img, x, 1)), [1, 128 / 255, 0]);
  });

  test('digitToStrokes: one stroke per horizontal run, covering exactly its cells', () => {
    const digit = [
      0, 1, 1, 1, 0,
      0, 0, 0, 0, 0,
      1, 0, 0, 0.9, 0.2,
    ];
    const strokes = digitToStrokes(digit, 3, 5, 50, 30);
    assert.equal(strokes.length, 3);
    assert.deepEqual(strokes[0], { points: [{ x: 15, y: 5 }, { x: 35, y: 5 }], width: 10 });
    assert.deepEqual(strokes[1], { points: [{ x: 5, y: 25 }], width: 10 });
    assert.deepEqual(strokes[2], { points: [{ x: 35, y: 25 }], width: 10 });
    const img = { data: new Uint8ClampedArray(50 * 30 * 4), width: 50, height: 30 };
    clearPad(img);
    for (const s of strokes) drawStroke(img, s);
    assert.equal(inkAt(img, 25, 5), 1);   // inside the run
    assert.equal(inkAt(img, 25, 15), 0);  // the empty row stays empty
    assert.equal(inkAt(img, 5, 5), 0);    // before the run
  });

  test('bad images are TensorErrors', () => {
    assert.throws(() => paintDigit(blank(10), [1, 2, 3], 2, 2), /paintDigit: a 2x2 image needs 4 values but has 3/);
    assert.throws(() => digitToStrokes([1], 0, 1, 10, 10), /digitToStrokes: rows and cols must be positive integers/);
  });
});

describe('DrawingPad (the pad behind the canvas)', () => {
  test('begin/move/end draw the same pixels as drawStroke, and report each change', () => {
    const seen: boolean[] = [];
    const pad = new DrawingPad({ size: 60, brush: 6, onChange: (p) => seen.push(p.isEmpty) });
    assert.ok(pad.isEmpty);
    pad.begin({ x: 10, y: 10 });
    pad.move({ x: 40, y: 12 });
    pad.move({ x: 20, y: 50 });
    pad.end();
    pad.move({ x: 0, y: 0 });   // pen up: ignored
    assert.deepEqual(seen, [false, false, false]);
    const ref = blank(60);
    drawStroke(ref, { points: [{ x: 10, y: 10 }, { x: 40, y: 12 }, { x: 20, y: 50 }], width: 6 });
    assert.deepEqual(pad.pixels.data, ref.data);
  });

  test('clear erases, notifies every listener, and a removed listener is not called', () => {
    const pad = new DrawingPad({ size: 20, brush: 4 });
    let calls = 0;
    const stop = pad.onChange(() => calls++);
    pad.begin({ x: 5, y: 5 });
    pad.clear();
    assert.equal(calls, 2);
    assert.ok(pad.isEmpty);
    assert.deepEqual(pad.pixels.data, blank(20).data);
    stop();
    pad.begin({ x: 5, y: 5 });
    assert.equal(calls, 2);
  });

  test('bad options are TensorErrors', () => {
    assert.throws(() => new DrawingPad({ size: 0 }), /DrawingPad: size must be an integer in 1\.\.4096/);
    assert.throws(() => new DrawingPad({ brush: -1 }), /DrawingPad: brush must be a positive number/);
  });
});
