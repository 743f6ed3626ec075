/**
 * Integrated gradients (Sundararajan, Taly & Yan 2017, "Axiomatic Attribution
 * for Deep Networks"): the gradient of the class score averaged along the
 * straight path from a baseline image to the image, times (image - baseline).
 * Unlike a plain gradient it measures contribution, not sensitivity: the
 * attributions add up to score(image) - score(baseline) (completeness), up to
 * the error of the path integral's `steps`-point quadrature.
 */
import { TensorError, fmtShape } from '../core/errors.js';
import { isFloating } from '../core/dtype.js';
import { noGrad } from '../tensor/graph.js';
import { tensor } from '../tensor/create.js';
import { Tensor } from '../tensor/tensor.js';
import { checkOptionKeys } from '../tensor/args.js';
import type { Module } from '../nn/module.js';
import {
  batchOf, logitsOf, positiveInt, readImage, resolveTarget,
  type ImageInput, type Target,
} from './inspect.js';
import { inEvalFrozen } from './eval-frozen.js';
import { batchInputGradient } from './saliency.js';

/** Options of `tg.viz.integratedGradients`: the explained class, the baseline, the number of steps and batching. */
export interface IntegratedGradientsOptions {
  /** Class whose score (logit) is explained: an index, or 'predicted' (default): the model's top class for the image. */
  target?: Target;
  /**
   * The reference image the path starts from, in the model's input space
   * (after any normalisation): a number for a constant image (default 0), or
   * a tensor of the image's shape. For normalised MNIST, black is
   * `(0 - 0.1307) / 0.3081`, not 0.
   */
  baseline?: number | Tensor;
  /**
   * Points on the path (default 32): the midpoint Riemann sum at
   * alpha = (k + 0.5) / steps, k = 0 .. steps - 1. Its error shrinks as
   * 1 / steps² where the gradient is smooth, roughly as 1 / steps across the
   * kinks of ReLUs; `error` in the result shows it.
   */
  steps?: number;
  /** Path points per forward/backward pass (default 16); only memory and speed depend on it. */
  batchSize?: number;
  /** Called after each batch with the number of path points done and the total (`steps`). */
  onProgress?: (done: number, total: number) => void;
}

/** What `tg.viz.integratedGradients` returns: the heatmap, the attributions per channel and the completeness check. */
export interface IntegratedGradientsResult {
  /** Attributions summed over the colour channels, `[H, W]` (float32, signed, unnormalised: pass it to `colormap` with `map: 'diverging'`). */
  heat: Tensor;
  /** Attributions per input value, `[C, H, W]` (float32, signed), in the score's (logit) units. */
  attributions: Tensor;
  /** The class explained (the resolved `target`). */
  target: number;
  /** Sum of all attributions. */
  sum: number;
  /** The target logit for the image, f(x). */
  logit: number;
  /** The target logit for the baseline, f(baseline). */
  baselineLogit: number;
  /** Completeness error `sum - (logit - baselineLogit)`: zero for exact integration; it shrinks with `steps`. */
  error: number;
}

/**
 * Integrated gradients of `model` for one image: attribution
 * `(x - b) * mean_k d score / d input at b + alpha_k (x - b)` for every input
 * value, where score is the target class's logit, b the baseline and alpha_k
 * = (k + 0.5) / steps (midpoint rule). The attributions add up to
 * `f(x) - f(b)`; the result carries both sides and their difference (`error`)
 * so that convergence can be checked. For a linear model they are exactly
 * `(x - b) * w[target]` for any `steps`.
 *
 * Shapes: `image [C, H, W]` or `[1, C, H, W]`, `baseline` a number or a tensor
 * of the image's shape, the model maps `[N, C, H, W]` to logits `[N, K]`;
 * returns `heat [H, W]` (the channels summed, like `saliency`'s map but
 * signed) and `attributions [C, H, W]`. The model runs in eval mode with its
 * parameters frozen (their `.grad` are not touched) and is left as it was.
 * @example
 * const ig = tg.viz.integratedGradients(model, x, { target: 'predicted', baseline: 0, steps: 32 });
 * ig.heat.shape // [28, 28]
 * console.log(`sum ${ig.sum.toFixed(3)} vs f(x) - f(b) ${(ig.logit - ig.baselineLogit).toFixed(3)}`);
 * writePng('ig.png', tg.viz.colormap(ig.heat, { map: 'diverging' }));
 */
export function integratedGradients(model: Module, image: Tensor, opts: IntegratedGradientsOptions = {}): IntegratedGradientsResult {
  const fn = 'integratedGradients';
  checkOptionKeys(fn, opts, ['target', 'baseline', 'steps', 'batchSize', 'onProgress']);
  const steps = positiveInt(fn, 'steps', opts.steps, 32);
  const batchSize = positiveInt(fn, 'batchSize', opts.batchSize, 16);
  if (opts.onProgress !== undefined && typeof opts.onProgress !== 'function') throw new TensorError(`${fn}: onProgress must be a function (got ${typeof opts.onProgress})`);
  const img = readImage(fn, image, model);
  const base = baselineValues(fn, img, image, opts.baseline ?? 0);
  const n = img.values.length;
  const diff = new Float64Array(n);
  for (let i = 0; i < n; i++) diff[i] = img.values[i]! - base[i]!;

  return inEvalFrozen(model, () => {
    const { target, logits } = resolveTarget(fn, model, batchOf(img, img.values), opts.target ?? 'predicted');
    const baselineLogit = Number(noGrad(() => logitsOf(fn, model, batchOf(img, base))).data()[target]);
    const grad = new Float64Array(n);
    for (let start = 0; start < steps; start += batchSize) {
      const count = Math.min(batchSize, steps - start);
      const values = new Float32Array(count * n);
      for (let k = 0; k < count; k++) {
        const alpha = (start + k + 0.5) / steps;
        for (let i = 0; i < n; i++) values[k * n + i] = base[i]! + alpha * diff[i]!;
      }
      const g = batchInputGradient(fn, model, img, values, target);
      for (let k = 0; k < count; k++) for (let i = 0; i < n; i++) grad[i]! += g[k * n + i]!;
      opts.onProgress?.(start + count, steps);
    }
    const hw = img.height * img.width;
    const attr = new Float32Array(n);
    const heat = new Float32Array(hw);
    let total = 0;
    for (let i = 0; i < n; i++) {
      const a = (diff[i]! * grad[i]!) / steps;
      attr[i] = a;
      heat[i % hw]! += a;
      total += a;
    }
    const logit = logits[target]!;
    return {
      heat: tensor(heat, { shape: [img.height, img.width], backend: img.backend }),
      attributions: tensor(attr, { shape: [img.channels, img.height, img.width], backend: img.backend }),
      target, sum: total, logit, baselineLogit, error: total - (logit - baselineLogit),
    };
  });
}

/** The baseline's values in the image's layout: a finite number everywhere, or a floating tensor of the image's shape. */
function baselineValues(fn: string, img: ImageInput, image: Tensor, baseline: unknown): Float32Array {
  if (typeof baseline === 'number') {
    if (!Number.isFinite(baseline)) throw new TensorError(`${fn}: baseline must be a finite number or a Tensor of the image's shape (got ${String(baseline)})`);
    return new Float32Array(img.values.length).fill(baseline);
  }
  if (!(baseline instanceof Tensor)) {
    throw new TensorError(`${fn}: baseline must be a number or a Tensor of the image's shape (got ${JSON.stringify(baseline) ?? typeof baseline})`);
  }
  const want = [img.channels, img.height, img.width];
  const s = baseline.shape;
  const same = (s.length === 3 || (s.length === 4 && s[0] === 1)) && s.slice(-3).every((d, i) => d === want[i]);
  if (!same) throw new TensorError(`${fn}: baseline must have the image's shape ${fmtShape(image.shape)} (got ${fmtShape(s)})`);
  if (!isFloating(baseline.dtype)) throw new TensorError(`${fn}: baseline must be float32 or float64 (got ${baseline.dtype})`);
  const raw = baseline.data();
  return raw instanceof Float32Array ? raw.slice() : Float32Array.from(raw as ArrayLike<number>);
}
