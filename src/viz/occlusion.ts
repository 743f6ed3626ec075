/**
 * Occlusion sensitivity (Zeiler & Fergus 2014, "Visualizing and Understanding
 * Convolutional Networks", fig. 7): cover a square of the image, see how much
 * the probability of the class drops (or, with `score: 'logit'`, its logit).
 * Unlike a gradient, it measures what happens when a whole region is taken
 * away, so it needs no autograd and works on any model that maps images to
 * class scores.
 */
import { TensorError } from '../core/errors.js';
import { noGrad } from '../tensor/graph.js';
import { tensor } from '../tensor/create.js';
import type { Tensor } from '../tensor/tensor.js';
import { checkOptionKeys } from '../tensor/args.js';
import type { Module } from '../nn/module.js';
import {
  batchOf, logitsOf, positiveInt, probabilityOf, readImage, resolveTarget,
  type ImageInput, type Target,
} from './inspect.js';
import { inEvalFrozen } from './eval-frozen.js';

/**
 * What `tg.viz.occlusion` measures the drop of: the target class's softmax
 * probability, or its logit (the score before softmax).
 */
export type OcclusionScore = 'probability' | 'logit';

/** Options of `tg.viz.occlusion`: the watched class and score, patch size, stride and fill, and batching. */
export interface OcclusionOptions {
  /** Class whose score is watched: an index, or 'predicted' (default): the model's top class for the image. */
  target?: Target;
  /**
   * What drops (default 'probability'). 'logit' reads the class's logit
   * instead: on a digit classified with p = 1.000 hiding a stroke barely moves
   * the probability (softmax is saturated) but still moves the logit, and the
   * logit does not also measure the other classes.
   */
  score?: OcclusionScore;
  /** Side of the square patch in pixels (default: a quarter of the image's shorter side, at least 1). */
  size?: number;
  /** Step between patch positions in pixels (default: half the patch size, at least 1). */
  stride?: number;
  /**
   * Value the patch is filled with: a number (default 0.5, the grey of the
   * paper for images in [0, 1]) or 'mean', each channel's mean over the image
   * (the neutral choice for normalised inputs).
   */
  fill?: number | 'mean';
  /** Occluded copies per forward pass (default 32); only memory and speed depend on it. */
  batchSize?: number;
  /** Called after each batch with the number of patch positions done and the total. */
  onProgress?: (done: number, total: number) => void;
}

/**
 * Occlusion sensitivity map of `model` for one image: for each position of a
 * `size` x `size` patch (slid by `stride`; the last row and column of
 * positions touch the image's edge, so every pixel is covered), the drop
 * `p(target | image) - p(target | image with the patch filled)` (with
 * `score: 'logit'`, the same difference of the target's logit); each pixel
 * gets the mean drop over the positions whose patch covers it. Positive: the
 * region supports the class; negative: hiding it makes the class more likely.
 * Forward passes only, batched, without gradients.
 *
 * Shapes: `image [C, H, W]` or `[1, C, H, W]`, the model maps `[N, C, H, W]`
 * to logits `[N, K]`; returns a heatmap `[H, W]` (float32; in [-1, 1] for
 * 'probability', unbounded logit units for 'logit'; a diverging colormap shows
 * its sign). The model runs in eval mode and is left as it was.
 * @example
 * const heat = tg.viz.occlusion(model, x, { target: 7, size: 7, stride: 2, fill: 0.5 });
 * heat.shape // [28, 28]
 * writePng('occlusion.png', tg.viz.colormap(heat, { map: 'diverging', range: [-1, 1] }));
 * const logitDrop = tg.viz.occlusion(model, x, { target: 7, size: 7, stride: 2, fill: 0.5, score: 'logit' });
 * writePng('occlusion-logit.png', tg.viz.colormap(logitDrop, { map: 'diverging' }));
 */
export function occlusion(model: Module, image: Tensor, opts: OcclusionOptions = {}): Tensor {
  const fn = 'occlusion';
  checkOptionKeys(fn, opts, ['target', 'score', 'size', 'stride', 'fill', 'batchSize', 'onProgress']);
  const img = readImage(fn, image, model);
  const { height: H, width: W } = img;
  const size = positiveInt(fn, 'size', opts.size, Math.max(1, Math.round(Math.min(H, W) / 4)));
  if (size > H || size > W) throw new TensorError(`${fn}: size ${size} is larger than the image (${H}x${W})`);
  const stride = positiveInt(fn, 'stride', opts.stride, Math.max(1, Math.round(size / 2)));
  // A stride beyond the window would leave pixels that no window covers (their drop undefined).
  if (stride > size) throw new TensorError(`${fn}: stride ${stride} is larger than size ${size}, which would leave pixels no window covers`);
  const batchSize = positiveInt(fn, 'batchSize', opts.batchSize, 32);
  if (opts.onProgress !== undefined && typeof opts.onProgress !== 'function') throw new TensorError(`${fn}: onProgress must be a function (got ${typeof opts.onProgress})`);
  const fill = fillValues(img, opts.fill ?? 0.5);
  const score = opts.score ?? 'probability';
  if (score !== 'probability' && score !== 'logit') throw new TensorError(`${fn}: score must be 'probability' or 'logit' (got ${JSON.stringify(score) ?? String(score)})`);
  const scoreOf = score === 'logit' ? (l: ArrayLike<number>, i: number) => Number(l[i]) : probabilityOf;
  const windows = positions(H, size, stride).flatMap((y) => positions(W, size, stride).map((x) => [y, x] as const));

  return inEvalFrozen(model, () => noGrad(() => {
    const { target, logits } = resolveTarget(fn, model, batchOf(img, img.values), opts.target ?? 'predicted');
    const base = scoreOf(logits, target);
    const drop = new Float64Array(H * W);
    const covered = new Float64Array(H * W);
    for (let start = 0; start < windows.length; start += batchSize) {
      const batch = windows.slice(start, start + batchSize);
      const values = new Float32Array(batch.length * img.values.length);
      batch.forEach(([y, x], k) => values.set(occluded(img, y, x, size, fill), k * img.values.length));
      const out = logitsOf(fn, model, batchOf(img, values)).data();
      const k = out.length / batch.length;
      batch.forEach(([y0, x0], b) => {
        const d = base - scoreOf(out.subarray(b * k, (b + 1) * k) as ArrayLike<number>, target);
        for (let y = y0; y < y0 + size; y++) {
          for (let x = x0; x < x0 + size; x++) {
            drop[y * W + x]! += d;
            covered[y * W + x]! += 1;
          }
        }
      });
      opts.onProgress?.(start + batch.length, windows.length);
    }
    const heat = new Float32Array(H * W);
    for (let p = 0; p < H * W; p++) heat[p] = drop[p]! / covered[p]!;
    return tensor(heat, { shape: [H, W], backend: img.backend });
  }));
}

/** Top-left offsets 0, stride, 2*stride, ... of a window of `size` in `n` pixels, plus n - size so the far edge is covered. */
export function positions(n: number, size: number, stride: number): number[] {
  const out: number[] = [];
  for (let p = 0; p + size <= n; p += stride) out.push(p);
  if (out[out.length - 1] !== n - size) out.push(n - size);
  return out;
}

/** The fill value of each channel. */
function fillValues(img: ImageInput, fill: unknown): number[] {
  if (fill === 'mean') {
    const hw = img.height * img.width;
    return Array.from({ length: img.channels }, (_, c) => {
      let s = 0;
      for (let p = 0; p < hw; p++) s += img.values[c * hw + p]!;
      return s / hw;
    });
  }
  if (typeof fill !== 'number' || !Number.isFinite(fill)) throw new TensorError(`occlusion: fill must be a number or 'mean' (got ${JSON.stringify(fill) ?? String(fill)})`);
  return new Array<number>(img.channels).fill(fill);
}

/** A copy of the image with the size x size square at (y0, x0) set to the fill values. */
function occluded(img: ImageInput, y0: number, x0: number, size: number, fill: readonly number[]): Float32Array {
  const out = img.values.slice();
  const { height: H, width: W } = img;
  for (let c = 0; c < img.channels; c++) {
    for (let y = y0; y < y0 + size; y++) out.fill(fill[c]!, c * H * W + y * W + x0, c * H * W + y * W + x0 + size);
  }
  return out;
}
