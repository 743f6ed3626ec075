/**
 * Saliency maps (Simonyan, Vedaldi & Zisserman 2014, "Deep Inside
 * Convolutional Networks"): how much each pixel can move the class score,
 * read off the gradient of the score with respect to the input. SmoothGrad
 * (Smilkov et al. 2017) averages the map over noisy copies of the image,
 * which removes most of the speckle a single gradient shows.
 */
import { TensorError } from '../core/errors.js';
import { Generator } from '../tensor/random.js';
import { withGradMode } from '../tensor/graph.js';
import { tensor } from '../tensor/create.js';
import type { Tensor } from '../tensor/tensor.js';
import { checkOptionKeys } from '../tensor/args.js';
import { select } from '../ops/movement.js';
import { sum } from '../ops/reduce.js';
import type { Module } from '../nn/module.js';
import {
  batchOf, logitsOf, numberIn, positiveInt, readImage, resolveTarget,
  type ImageInput, type Target,
} from './inspect.js';
import { inEvalFrozen } from './eval-frozen.js';

/** SmoothGrad settings (Smilkov et al. 2017) of `tg.viz.saliency`: noisy copies, noise level, seed. */
export interface SmoothGradOptions {
  /** Noisy copies to average (default 25; Smilkov et al. find little change beyond 50). */
  samples?: number;
  /**
   * Standard deviation of the Gaussian noise as a fraction of the image's value
   * range max - min (default 0.15; the paper recommends 0.1-0.2). A constant
   * image uses a range of 1.
   */
  noise?: number;
  /** Seed of the noise (default 0): the same seed gives the same map, bit for bit. */
  seed?: number;
}

/** Options of `tg.viz.saliency`: the explained class, SmoothGrad and batching. */
export interface SaliencyOptions {
  /** Class whose score is explained: an index, or 'predicted' (default): the model's top class for the image. */
  target?: Target;
  /** Average over noisy copies (SmoothGrad); `{}` takes the defaults. Off when absent. */
  smoothGrad?: SmoothGradOptions;
  /** Noisy copies per forward/backward pass (default 16); only memory and speed depend on it. */
  batchSize?: number;
}

/**
 * Saliency map of `model` for one image: `|d score / d input|`, the largest
 * over the colour channels, where score is the target class's logit (before
 * softmax, so that it does not also measure the other classes). With
 * `smoothGrad`, the maps of `samples` noisy copies are averaged.
 *
 * Shapes: `image [C, H, W]` or `[1, C, H, W]`, the model maps `[N, C, H, W]`
 * to logits `[N, K]`; returns a heatmap `[H, W]` (float32, >= 0, unnormalised:
 * pass it to `colormap` for an image). The model runs in eval mode with its
 * parameters frozen (their `.grad` are not touched) and is left as it was.
 * @example
 * const heat = tg.viz.saliency(model, x, { target: 'predicted', smoothGrad: { samples: 25, noise: 0.15, seed: 0 } });
 * heat.shape // [28, 28]
 * writePng('saliency.png', tg.viz.colormap(heat, { map: 'magma' }));
 */
export function saliency(model: Module, image: Tensor, opts: SaliencyOptions = {}): Tensor {
  const fn = 'saliency';
  checkOptionKeys(fn, opts, ['target', 'smoothGrad', 'batchSize']);
  checkOptionKeys(fn, opts.smoothGrad, ['samples', 'noise', 'seed'], 'smoothGrad');
  const batchSize = positiveInt(fn, 'batchSize', opts.batchSize, 16);
  const img = readImage(fn, image, model);
  const copies = opts.smoothGrad ? noisyCopies(img, opts.smoothGrad) : [img.values];
  return inEvalFrozen(model, () => {
    const { target } = resolveTarget(fn, model, batchOf(img, img.values), opts.target ?? 'predicted');
    const hw = img.height * img.width;
    const heat = new Float64Array(hw);
    for (let start = 0; start < copies.length; start += batchSize) {
      const chunk = copies.slice(start, start + batchSize);
      const grads = inputGradient(model, img, chunk, target);
      for (let k = 0; k < chunk.length; k++) {
        for (let p = 0; p < hw; p++) {
          let m = 0;
          for (let c = 0; c < img.channels; c++) m = Math.max(m, Math.abs(grads[(k * img.channels + c) * hw + p]!));
          heat[p]! += m;
        }
      }
    }
    for (let p = 0; p < hw; p++) heat[p]! /= copies.length;
    return tensor(Float32Array.from(heat), { shape: [img.height, img.width], backend: img.backend });
  });
}

/**
 * d logit[target] / d input for each image in `copies` (one batch), laid out
 * like the batch `[N, C, H, W]`. Zero where the score does not depend on the
 * input at all (no graph reaches it).
 */
function inputGradient(model: Module, img: ImageInput, copies: readonly Float32Array[], target: number): Float32Array {
  const per = img.channels * img.height * img.width;
  const values = new Float32Array(copies.length * per);
  copies.forEach((c, k) => values.set(c, k * per));
  return batchInputGradient('saliency', model, img, values, target);
}

/**
 * d logit[target] / d input for a batch of images laid end to end in `values`
 * (`[N, C, H, W]` of `img`'s geometry), in the same layout, with gradients on
 * even inside noGrad. Zero where the score does not depend on the input at
 * all (no graph reaches it). Shared by saliency and integratedGradients.
 * @internal
 */
export function batchInputGradient(fn: string, model: Module, img: ImageInput, values: Float32Array, target: number): Float32Array {
  return withGradMode(true, () => {
    const x = batchOf(img, values, true);
    // Summing the per-image scores is exact: image k's score depends only on image k (eval mode).
    const score = sum(select(logitsOf(fn, model, x), 1, target));
    if (!score.requiresGrad) return new Float32Array(values.length);
    score.backward();
    const g = x.grad;
    if (!g) return new Float32Array(values.length);
    const d = g.data();
    return d instanceof Float32Array ? d : Float32Array.from(d as ArrayLike<number>);
  });
}

/** `samples` copies of the image with seeded Gaussian noise of std `noise * (max - min)`. */
function noisyCopies(img: ImageInput, o: SmoothGradOptions): Float32Array[] {
  const fn = 'saliency';
  const samples = positiveInt(fn, 'smoothGrad.samples', o.samples, 25);
  const noise = numberIn(fn, 'smoothGrad.noise', o.noise, 0.15, 0);
  const seed = o.seed ?? 0;
  if (!Number.isSafeInteger(seed)) throw new TensorError(`${fn}: smoothGrad.seed must be an integer (got ${String(seed)})`);
  let lo = Infinity, hi = -Infinity;
  for (const v of img.values) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  const std = noise * (hi > lo ? hi - lo : 1);
  const g = new Generator(seed);
  return Array.from({ length: samples }, () => img.values.map((v) => v + std * g.normal()));
}
