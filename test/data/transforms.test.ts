import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tg from '../../src/index.js';
import {
  compose, normalize, randomAffine, randomCrop, randomHorizontalFlip, randomVerticalFlip, resize, toTensor,
} from '../../src/data/index.js';

type Grid = number[][];

/** A [1, h, w] image with distinct pixel values 1..h*w. */
const image = (h: number, w: number) => tg.arange(1, h * w + 1, 1, { dtype: 'float32' }).reshape(1, h, w);
const plane = (x: tg.Tensor): Grid => (x.toArray() as Grid[])[0]!;

/** Zero padding by hand, independent of F.pad. */
function zeroPad(g: Grid, p: number): Grid {
  const w = g[0]!.length;
  const row = () => new Array<number>(w + 2 * p).fill(0);
  return [...Array.from({ length: p }, row), ...g.map((r) => [...new Array(p).fill(0), ...r, ...new Array(p).fill(0)]), ...Array.from({ length: p }, row)];
}

const window = (g: Grid, i: number, j: number, h: number, w: number): Grid => g.slice(i, i + h).map((r) => r.slice(j, j + w));

/** All (i, j) where `crop` equals the h x w window of `g` at (i, j). */
function matches(g: Grid, crop: Grid): [number, number][] {
  const h = crop.length, w = crop[0]!.length, out: [number, number][] = [];
  for (let i = 0; i + h <= g.length; i++) {
    for (let j = 0; j + w <= g[0]!.length; j++) {
      if (JSON.stringify(window(g, i, j, h, w)) === JSON.stringify(crop)) out.push([i, j]);
    }
  }
  return out;
}

describe('normalize', () => {
  test('per-channel (x - mean) / std, on images and batches', () => {
    const x = tg.tensor([[[0, 1]], [[2, 4]]]); // [2,1,2]
    const out = normalize([0.5, 1], [0.5, 2])(x);
    assert.deepEqual(out.toArray(), [[[-1, 1]], [[0.5, 1.5]]]);
    const batch = normalize([0.5, 1], [0.5, 2])(tg.stack([x, x]));
    assert.deepEqual(batch.shape, [2, 2, 1, 2]);
    assert.deepEqual((batch.toArray() as unknown[])[1], [[[-1, 1]], [[0.5, 1.5]]]);
  });

  test('errors and no gradient recording', () => {
    assert.throws(() => normalize([0.5], [0.5, 1]), /normalize: mean and std must be non-empty lists of equal length/);
    assert.throws(() => normalize([0.5], [0]), /std non-zero/);
    assert.throws(() => normalize([0, 0], [1, 1])(tg.zeros([3, 2, 2])), /normalize: got 2 means\/stds for an image with 3 channels \(\[3,2,2\]\)/);
    assert.throws(() => normalize([0], [1])(tg.zeros([2, 2])), /expected an image \[C,H,W\] or a batch \[N,C,H,W\] \(got \[2,2\]\)/);
    const x = tg.rand([1, 2, 2], { requiresGrad: true });
    assert.equal(normalize([0], [1])(x).requiresGrad, false);
  });
});

describe('randomCrop', () => {
  test('output size, and content is a window of the zero-padded image', () => {
    const x = image(5, 6);
    const padded = zeroPad(plane(x), 2);
    const g = new tg.Generator(0);
    const seen = new Set<string>();
    for (let t = 0; t < 20; t++) {
      const out = randomCrop([4, 3], { padding: 2, generator: g })(x);
      assert.deepEqual(out.shape, [1, 4, 3]);
      const at = matches(padded, plane(out));
      assert.ok(at.length > 0, 'crop must be a window of the padded image');
      seen.add(JSON.stringify(at));
    }
    assert.ok(seen.size > 5, 'crops should land in different places');
  });

  test('reflect padding, batch with one window per image', () => {
    const x = image(4, 4);
    const out = randomCrop(4, { padding: 1, paddingMode: 'reflect', generator: new tg.Generator(1) })(x);
    const reflected = tg.F.pad(x, [1, 1, 1, 1], { mode: 'reflect' });
    assert.ok(matches(plane(reflected), plane(out)).length > 0);
    const batch = randomCrop(3, { padding: 2, generator: new tg.Generator(2) })(tg.stack(Array(8).fill(x)));
    assert.deepEqual(batch.shape, [8, 1, 3, 3]);
    const crops = (batch.toArray() as Grid[][]).map((img) => JSON.stringify(img));
    assert.ok(new Set(crops).size > 1, 'each image of a batch gets its own window');
  });

  test('seeded generator reproduces the crop; errors', () => {
    const x = image(8, 8);
    const crop = () => randomCrop(5, { padding: 1, generator: new tg.Generator(9) })(x).toArray();
    assert.deepEqual(crop(), crop());
    assert.throws(() => randomCrop(9)(x), /randomCrop: crop size \[9,9\] is larger than the padded image \[8,8\]/);
    assert.throws(() => randomCrop(2, { padding: 8, paddingMode: 'reflect' })(x), /randomCrop: reflect padding/);
    assert.throws(() => randomCrop(0), /size must be a positive integer/);
    assert.throws(() => randomCrop(2, { padding: [1, 2, 3] as never }), /padding must be/);
  });
});

describe('flips', () => {
  test('p = 1 always flips, p = 0 never', () => {
    const x = image(2, 3);
    assert.deepEqual(plane(randomHorizontalFlip(1)(x)), [[3, 2, 1], [6, 5, 4]]);
    assert.deepEqual(plane(randomVerticalFlip(1)(x)), [[4, 5, 6], [1, 2, 3]]);
    assert.deepEqual(plane(randomHorizontalFlip(0)(x)), plane(x));
    assert.throws(() => randomHorizontalFlip(2), /randomHorizontalFlip: p must be a probability in \[0, 1\] \(got 2\)/);
  });

  test('p = 0.5 flips about half the images of a batch, reproducibly', () => {
    const x = image(2, 3);
    const run = () => (randomHorizontalFlip(0.5, { generator: new tg.Generator(4) })(tg.stack(Array(40).fill(x))).toArray() as Grid[][]);
    const flipped = run().filter((img) => img[0]![0]![0] === 3).length;
    assert.ok(flipped > 10 && flipped < 30, `flipped ${flipped} of 40`);
    assert.deepEqual(run(), run());
  });
});

describe('randomAffine', () => {
  test('shifts by a whole number of pixels within the range, filling with zeros', () => {
    const x = image(7, 7);
    const g = new tg.Generator(5);
    const shifts = new Set<string>();
    for (let t = 0; t < 20; t++) {
      const out = plane(randomAffine({ translate: [0.3, 0.2], generator: g })(x));
      // Find the (dx, dy) that explains the output: out[y][x] = in[y - dy][x - dx] or 0.
      const found: string[] = [];
      for (let dy = -2; dy <= 2; dy++) {
        for (let dx = -3; dx <= 3; dx++) {
          const ref = Array.from({ length: 7 }, (_, yy) => Array.from({ length: 7 }, (_, xx) => {
            const sy = yy - dy, sx = xx - dx;
            return sy >= 0 && sy < 7 && sx >= 0 && sx < 7 ? sy * 7 + sx + 1 : 0;
          }));
          if (JSON.stringify(ref) === JSON.stringify(out)) found.push(`${dx},${dy}`);
        }
      }
      assert.equal(found.length, 1, 'output must be the input shifted within [-2.1, 2.1] x [-1.4, 1.4]');
      shifts.add(found[0]!);
    }
    assert.ok(shifts.size > 3, 'different shifts across calls');
    assert.throws(() => randomAffine({ translate: [1.5, 0] }), /randomAffine: translate must be \[fx, fy\]/);
  });
});

describe('resize', () => {
  test('bilinear upsampling, align_corners=False (PyTorch values)', () => {
    const x = tg.tensor([[[0, 1], [2, 3]]]);
    assert.deepEqual(resize([4, 4])(x).toArray(), [[
      [0, 0.25, 0.75, 1],
      [0.5, 0.75, 1.25, 1.5],
      [1.5, 1.75, 2.25, 2.5],
      [2, 2.25, 2.75, 3],
    ]]);
  });

  test('downsampling, batches, smaller-edge rule', () => {
    const x = tg.arange(16, undefined, 1, { dtype: 'float32' }).reshape(1, 1, 4, 4);
    assert.deepEqual(resize(2)(x).toArray(), [[[[2.5, 4.5], [10.5, 12.5]]]]);
    assert.deepEqual(resize(2)(tg.zeros([3, 4, 8])).shape, [3, 2, 4]);
    assert.deepEqual(resize(3)(tg.zeros([1, 9, 6])).shape, [1, 4, 3]);
    assert.deepEqual(resize([5, 7])(tg.zeros([2, 1, 3, 3])).shape, [2, 1, 5, 7]);
    assert.throws(() => resize(0), /resize: size must be a positive integer/);
  });
});

describe('toTensor and compose', () => {
  test('HWC uint8 -> CHW float32 in [0, 1]; HW -> [1,H,W]', () => {
    const rgb = Uint8Array.of(255, 0, 51, 0, 255, 102); // 1 x 2 pixels
    const t = toTensor(rgb, [1, 2, 3]);
    assert.deepEqual(t.shape, [3, 1, 2]);
    assert.equal(t.dtype, 'float32');
    assert.deepEqual(t.toArray(), [[[1, 0]], [[0, 1]], [[Math.fround(0.2), Math.fround(0.4)]]]);
    assert.deepEqual(toTensor([0, 255], [1, 2]).toArray(), [[[0, 1]]]);
    assert.throws(() => toTensor([1, 2, 3], [2, 2]), /toTensor: shape \[2,2\] needs 4 values but got 3/);
  });

  test('compose applies left to right', () => {
    const x = tg.tensor([[[0, 1], [2, 3]]]);
    const t = compose(randomHorizontalFlip(1), normalize([1], [2]), resize([1, 1]));
    assert.deepEqual(t(x).toArray(), [[[0.25]]]);
    assert.throws(() => compose(resize(1), 3 as never), /compose: transform 1 is not a function/);
  });
});
