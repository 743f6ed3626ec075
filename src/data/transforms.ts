import { noGrad } from '../tensor/graph.js';
import { TensorError, fmtShape } from '../core/errors.js';
import { tensor } from '../tensor/create.js';
import { defaultGenerator, type Generator } from '../tensor/random.js';
import type { Tensor } from '../tensor/tensor.js';
import { flip, narrow, stack } from '../ops/movement.js';
import { pad, type PadMode } from '../ops/pad.js';
import { outputSize, resizeBilinear } from './resize.js';

/**
 * An image transform: a function from an image tensor to an image tensor.
 * Images are `[C, H, W]`; the transforms here also take batches `[N, C, H, W]`.
 * They never record gradients (each runs under `noGrad`).
 *
 * Random transforms draw from `generator` (default: the global one, seeded by
 * `tg.manualSeed`). On a batch they draw independently for every image (unlike
 * torchvision, which draws once per call): that is what augmenting a batch
 * from the DataLoader needs.
 */
export type Transform = (x: Tensor) => Tensor;

/** Options shared by the random transforms. */
export interface RandomTransformOptions {
  /** Source of randomness (default: the global generator). */
  generator?: Generator;
}

/** Checks for `[C,H,W]` or `[N,C,H,W]`; returns whether it is a batch. */
function checkImage(op: string, x: Tensor): boolean {
  if (x.ndim !== 3 && x.ndim !== 4) {
    throw new TensorError(`${op}: expected an image [C,H,W] or a batch [N,C,H,W] (got ${fmtShape(x.shape)})`);
  }
  return x.ndim === 4;
}

/** Applies `one` to the image, or to each image of a batch (then restacked). */
function perImage(x: Tensor, batched: boolean, one: (img: Tensor) => Tensor): Tensor {
  if (!batched) return one(x);
  if (x.shape[0] === 0) return x.clone();
  return stack(Array.from({ length: x.shape[0]! }, (_, i) => one(x.select(0, i))));
}

/**
 * Chains transforms left to right.
 * @example const augment = tg.data.compose(tg.data.randomCrop(28, { padding: 2 }), tg.data.normalize([0.1307], [0.3081]));
 */
export function compose<T = Tensor>(...transforms: ((x: T) => T)[]): (x: T) => T {
  transforms.forEach((t, i) => {
    if (typeof t !== 'function') throw new TensorError(`compose: transform ${i} is not a function (got ${typeof t})`);
  });
  return (x) => transforms.reduce((y, t) => t(y), x);
}

/**
 * Per-channel `(x - mean[c]) / std[c]`. `mean`/`std` have one entry per channel
 * (or one for all). Shape kept: `[C,H,W]` or `[N,C,H,W]`, floating point.
 * @example tg.data.normalize([0.1307], [0.3081])   // the usual MNIST statistics
 */
export function normalize(mean: readonly number[], std: readonly number[]): Transform {
  if (!Array.isArray(mean) || !Array.isArray(std) || mean.length === 0 || mean.length !== std.length) {
    throw new TensorError(`normalize: mean and std must be non-empty lists of equal length (got mean ${JSON.stringify(mean)}, std ${JSON.stringify(std)})`);
  }
  if ([...mean, ...std].some((v) => typeof v !== 'number' || !Number.isFinite(v)) || std.some((s) => s === 0)) {
    throw new TensorError(`normalize: mean and std must be finite numbers and std non-zero (got mean ${JSON.stringify(mean)}, std ${JSON.stringify(std)})`);
  }
  return (x) => noGrad(() => {
    checkImage('normalize', x);
    if (!x.isFloatingPoint()) throw new TensorError(`normalize: expected a float image (got ${x.dtype} ${fmtShape(x.shape)})`);
    const c = x.shape[x.ndim - 3]!;
    if (mean.length !== 1 && mean.length !== c) {
      throw new TensorError(`normalize: got ${mean.length} means/stds for an image with ${c} channels (${fmtShape(x.shape)})`);
    }
    const opts = { shape: [mean.length, 1, 1], dtype: x.dtype, backend: x.backend };
    return x.sub(tensor(mean, opts)).div(tensor(std, opts));
  });
}

/** Options of {@link randomCrop}. */
export interface RandomCropOptions extends RandomTransformOptions {
  /**
   * Border added before cropping: `p` (all sides), `[leftRight, topBottom]`, or
   * `[left, top, right, bottom]` (torchvision's order). Default 0.
   */
  padding?: number | readonly [number, number] | readonly [number, number, number, number];
  /** How the border is filled (F.pad modes; torchvision's 'edge' is 'replicate'). Default 'constant'. */
  paddingMode?: PadMode;
  /** Fill value for the 'constant' mode (default 0). */
  fill?: number;
}

/**
 * Pads (optionally), then crops a random `size` window: `size` is `s` (square)
 * or `[h, w]`. Shape: `[C,H,W]` -> `[C,h,w]`; `[N,C,H,W]` -> `[N,C,h,w]` with
 * a different window per image.
 * @example tg.data.randomCrop(32, { padding: 4 })   // the classic CIFAR-10 augmentation
 */
export function randomCrop(size: number | readonly [number, number], opts: RandomCropOptions = {}): Transform {
  const [th, tw] = typeof size === 'number' ? [size, size] : size;
  if (![th, tw].every((s) => Number.isInteger(s) && s > 0)) throw new TensorError(`randomCrop: size must be a positive integer or [h, w] (got ${JSON.stringify(size)})`);
  const [left, top, right, bottom] = paddingSides(opts.padding ?? 0);
  const { paddingMode = 'constant', fill = 0 } = opts;
  return (x) => noGrad(() => {
    const batched = checkImage('randomCrop', x);
    const h = x.shape[x.ndim - 2]!, w = x.shape[x.ndim - 1]!;
    if (paddingMode === 'reflect' && (Math.max(left, right) >= w || Math.max(top, bottom) >= h)) {
      throw new TensorError(`randomCrop: reflect padding ${JSON.stringify([left, top, right, bottom])} must be smaller than the image (${fmtShape(x.shape)})`);
    }
    const padded = left || top || right || bottom
      ? pad(x, [left, right, top, bottom], paddingMode === 'constant' ? { mode: 'constant', value: fill } : { mode: paddingMode })
      : x;
    const ph = h + top + bottom, pw = w + left + right;
    if (th > ph || tw > pw) {
      throw new TensorError(`randomCrop: crop size [${th},${tw}] is larger than the padded image [${ph},${pw}] (input ${fmtShape(x.shape)})`);
    }
    const g = opts.generator ?? defaultGenerator;
    return perImage(padded, batched, (img) => {
      const i = g.randint(0, ph - th + 1), j = g.randint(0, pw - tw + 1);
      return narrow(narrow(img, -2, i, th), -1, j, tw);
    });
  });
}

function paddingSides(p: RandomCropOptions['padding']): [number, number, number, number] {
  const sides: number[] = typeof p === 'number' ? [p, p, p, p]
    : Array.isArray(p) && p.length === 2 ? [p[0]!, p[1]!, p[0]!, p[1]!]
      : Array.isArray(p) && p.length === 4 ? [...p] : [];
  if (sides.length !== 4 || sides.some((s) => !Number.isInteger(s) || s < 0)) {
    throw new TensorError(`randomCrop: padding must be a non-negative integer, [leftRight, topBottom] or [left, top, right, bottom] (got ${JSON.stringify(p)})`);
  }
  return sides as [number, number, number, number];
}

/**
 * Mirrors left-right with probability `p` (default 0.5), per image.
 * @example tg.data.randomHorizontalFlip(0.5, { generator: new tg.Generator(0) })
 */
export function randomHorizontalFlip(p = 0.5, opts: RandomTransformOptions = {}): Transform {
  return randomFlip('randomHorizontalFlip', -1, p, opts);
}

/** Mirrors top-bottom with probability `p` (default 0.5), per image. @example tg.data.randomVerticalFlip(0.5) */
export function randomVerticalFlip(p = 0.5, opts: RandomTransformOptions = {}): Transform {
  return randomFlip('randomVerticalFlip', -2, p, opts);
}

function randomFlip(op: string, dim: number, p: number, opts: RandomTransformOptions): Transform {
  if (typeof p !== 'number' || !(p >= 0 && p <= 1)) throw new TensorError(`${op}: p must be a probability in [0, 1] (got ${p})`);
  return (x) => noGrad(() => {
    const g = opts.generator ?? defaultGenerator;
    // As torchvision: flip when a uniform draw falls below p.
    return perImage(x, checkImage(op, x), (img) => (g.uniform() < p ? flip(img, dim) : img));
  });
}

/** Options of {@link randomAffine}. */
export interface RandomAffineOptions extends RandomTransformOptions {
  /**
   * Maximum shift as fractions `[fx, fy]` of the width and height: the image
   * moves by a whole number of pixels `dx` in `[-fx*W, fx*W]`, `dy` in `[-fy*H, fy*H]`.
   */
  translate: readonly [number, number];
  /** Value of the pixels shifted in (default 0). */
  fill?: number;
}

/**
 * Random translation (torchvision's `RandomAffine(degrees=0, translate=...)`):
 * shifts the image by a random integer offset, filling the vacated border with
 * `fill`. Rotation, scale and shear are not supported. Shape kept.
 * @example tg.data.randomAffine({ translate: [0.1, 0.1] })   // up to +-2.8 px on MNIST
 */
export function randomAffine(opts: RandomAffineOptions): Transform {
  const t = opts?.translate;
  if (!Array.isArray(t) || t.length !== 2 || t.some((f) => typeof f !== 'number' || !(f >= 0 && f <= 1))) {
    throw new TensorError(`randomAffine: translate must be [fx, fy] with fractions in [0, 1] (got ${JSON.stringify(t)})`);
  }
  const fill = opts.fill ?? 0;
  return (x) => noGrad(() => {
    const batched = checkImage('randomAffine', x);
    const h = x.shape[x.ndim - 2]!, w = x.shape[x.ndim - 1]!;
    const g = opts.generator ?? defaultGenerator;
    const shift = (max: number) => Math.round(-max + 2 * max * g.uniform());
    return perImage(x, batched, (img) => {
      const dx = shift(t[0]! * w), dy = shift(t[1]! * h);
      // out[y][x] = img[y - dy][x - dx]: pad one side by the shift, crop the other.
      return pad(img, [dx, -dx, dy, -dy], { mode: 'constant', value: fill });
    });
  });
}

/**
 * Bilinear resize (align_corners=False, no antialiasing: see `resizeBilinear`).
 * `size` is `[h, w]`, or a number for the smaller edge keeping the aspect ratio
 * (torchvision's rule). Shape: `[C,H,W]` -> `[C,h,w]`, `[N,C,H,W]` -> `[N,C,h,w]`.
 * @example tg.data.resize(32)   // MNIST [1,28,28] -> [1,32,32] for LeNet-5's original input
 */
export function resize(size: number | readonly [number, number]): Transform {
  outputSize(size, 1, 1); // validate now, not at the first image
  return (x) => {
    checkImage('resize', x);
    return resizeBilinear(x, outputSize(size, x.shape[x.ndim - 2]!, x.shape[x.ndim - 1]!));
  };
}

/**
 * Raw 8-bit pixels to a float32 `[C, H, W]` tensor in [0, 1] (torchvision's
 * `ToTensor`): `shape` is `[H, W]` (grayscale, gives C = 1) or `[H, W, C]`
 * (interleaved, as decoders produce), values 0..255 divided by 255.
 * @example tg.data.toTensor(png.data, [png.height, png.width, 4])   // RGBA -> [4,H,W]
 */
export function toTensor(pixels: ArrayLike<number>, shape: readonly [number, number] | readonly [number, number, number]): Tensor {
  if (!Array.isArray(shape) || (shape.length !== 2 && shape.length !== 3) || shape.some((s) => !Number.isInteger(s) || s < 0)) {
    throw new TensorError(`toTensor: shape must be [H, W] or [H, W, C] (got ${JSON.stringify(shape)})`);
  }
  const [h, w, c = 1] = shape;
  if (pixels.length !== h * w * c) {
    throw new TensorError(`toTensor: shape ${fmtShape(shape)} needs ${h * w * c} values but got ${pixels.length}`);
  }
  const out = new Float32Array(h * w * c);
  const plane = h * w;
  // HWC (channel fastest) -> CHW (planes).
  for (let p = 0; p < plane; p++) {
    for (let k = 0; k < c; k++) out[k * plane + p] = pixels[p * c + k]! / 255;
  }
  return tensor(out, { shape: [c, h, w] });
}
