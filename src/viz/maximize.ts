/**
 * Activation maximisation (Simonyan et al. 2014; Olah, Mordvintsev & Schubert
 * 2017, "Feature Visualization"): gradient ascent on the input, starting from
 * faint noise, towards an image that a channel or a class responds to most.
 * Plain ascent finds high-frequency patterns no photo contains; the
 * regularisers keep the image readable: L2 decay (small values), jitter (a
 * random shift each step, so the pattern must work wherever it lands) and a
 * periodic Gaussian blur (Yosinski et al. 2015).
 */
import { TensorError, fmtShape } from '../core/errors.js';
import { withGradMode } from '../tensor/graph.js';
import { Generator } from '../tensor/random.js';
import { tensor } from '../tensor/create.js';
import { Tensor } from '../tensor/tensor.js';
import { checkOptionKeys } from '../tensor/args.js';
import { select } from '../ops/movement.js';
import { mean } from '../ops/reduce.js';
import type { Module } from '../nn/module.js';
import { captureForward, moduleAt } from './capture.js';
import { feeding, logitsOf, modelPlacement, numberIn, positiveInt } from './inspect.js';
import { inEvalFrozen } from './eval-frozen.js';
import { gaussianBlur, roll, type ImageDims } from './image-filters.js';

/** What `maximize` climbs (see MaximizeOptions.objective). */
export type MaximizeObjective = 'channel-mean' | 'channel-center' | 'logit';

/** Options of `tg.viz.maximize`: `unit` and `inputShape` are required; the rest tune the regularised gradient ascent. */
export interface MaximizeOptions {
  /** Module path whose output channel is maximised (as in `stateDict`; needed for the channel objectives). */
  layer?: string;
  /** Channel of `layer` (channel objectives) or class index ('logit'). */
  unit: number;
  /**
   * 'channel-mean': the mean of channel `unit` of the layer's output over all
   * positions; 'channel-center': its value at the central position (Olah et
   * al.'s "neuron" objective: one receptive field, so a first-layer unit shows
   * its filter, where the mean of a linear map only finds a flat image);
   * 'logit': the model's output `unit`. Default: 'channel-mean' when a layer is
   * given, else 'logit'.
   */
  objective?: MaximizeObjective;
  /** Shape of one input image `[C, H, W]` (the model is fed `[1, C, H, W]`). */
  inputShape: readonly [number, number, number];
  /** Gradient ascent steps (default 128). */
  steps?: number;
  /** Step size in input units: each step moves the image by lr times the gradient divided by its RMS (default 0.05). */
  lr?: number;
  /** Fraction of the image decayed towards 0 each step, the L2 penalty's gradient step (default 0.01; 0 = off). */
  l2?: number;
  /** Largest random shift in pixels, drawn per step and axis from -jitter..jitter (default 2; 0 = off). */
  jitter?: number;
  /** Blur the image every this many steps (default 4; 0 = never). */
  blurEvery?: number;
  /** Standard deviation of that blur in pixels (default 0.5). */
  blurSigma?: number;
  /**
   * Standard deviation of the starting noise, in input units (default 0.01).
   * Raise it (e.g. 1 for normalised inputs) when the objective stays flat: a
   * trained network's ReLUs can all be off for a near-constant input, and
   * then the gradient is exactly zero.
   */
  initStd?: number;
  /** Seed of the starting noise and the jitter (default 0): the same seed gives the same bytes. */
  seed?: number;
  /** Called after each step with the step index and the objective's value at it. */
  onStep?: (step: number, objective: number) => void;
}

/** What `tg.viz.maximize` returns: the optimised input (raw and for display) and the objective per step. */
export interface Maximized {
  /** The optimised input rescaled to [0, 1] (min -> 0, max -> 1) for display, `[C, H, W]`. */
  image: Tensor;
  /** The optimised input itself, in the model's input units, `[C, H, W]`. */
  input: Tensor;
  /** The objective at each step (on that step's jittered input, before its update). */
  curve: number[];
}

/**
 * Finds an input `[C, H, W]` that makes `model` respond strongly: one channel
 * of a layer (its mean over the positions, or its value at the centre) or one
 * class logit.
 * Starts from seeded noise (std `initStd`, default 0.01) around 0; each step shifts the image by
 * a random jitter, takes the gradient of the objective, shifts it back and
 * moves up it with a step normalised by the gradient's RMS, shrinks the image
 * by `l2`, and every `blurEvery` steps blurs it. The model runs in eval mode
 * with its parameters frozen and is left as it was. Deterministic for a seed.
 * Choose a conv's output (before its ReLU) as the layer: after a ReLU, a unit
 * that is off for the starting noise has zero gradient, so nothing climbs and
 * the image stays blurred noise (the curve then stays at 0).
 * @example
 * const { image, curve } = tg.viz.maximize(model, { layer: 'features.3', unit: 5, inputShape: [1, 28, 28], steps: 128, seed: 0 });
 * image.shape // [1, 28, 28]; curve[127] > curve[0]
 */
export function maximize(model: Module, opts: MaximizeOptions): Maximized {
  const fn = 'maximize';
  if (opts === undefined || opts === null) throw new TensorError(`${fn}: options {unit, inputShape, ...} are required`);
  checkOptionKeys(fn, opts, ['layer', 'unit', 'objective', 'inputShape', 'steps', 'lr', 'l2', 'jitter', 'blurEvery', 'blurSigma', 'initStd', 'seed', 'onStep']);
  const dims = checkInputShape(opts.inputShape);
  const objective = opts.objective ?? (opts.layer !== undefined ? 'channel-mean' : 'logit');
  if (!['channel-mean', 'channel-center', 'logit'].includes(objective)) throw new TensorError(`${fn}: objective must be 'channel-mean', 'channel-center' or 'logit' (got ${JSON.stringify(objective)})`);
  if (objective !== 'logit' && opts.layer === undefined) throw new TensorError(`${fn}: objective '${objective}' needs a layer path (e.g. layer: 'features.0')`);
  if (objective === 'logit' && opts.layer !== undefined) throw new TensorError(`${fn}: objective 'logit' reads the model's output; leave out layer (got '${opts.layer}')`);
  if (opts.layer !== undefined) moduleAt(model, opts.layer, fn);
  const unit = opts.unit;
  if (typeof unit !== 'number' || !Number.isInteger(unit) || unit < 0) throw new TensorError(`${fn}: unit must be a non-negative integer (got ${JSON.stringify(unit) ?? String(unit)})`);
  const steps = positiveInt(fn, 'steps', opts.steps, 128);
  const lr = numberIn(fn, 'lr', opts.lr, 0.05, 0);
  const l2 = numberIn(fn, 'l2', opts.l2, 0.01, 0, 1);
  const jitter = opts.jitter === 0 ? 0 : positiveInt(fn, 'jitter', opts.jitter, 2);
  const blurEvery = opts.blurEvery === 0 ? 0 : positiveInt(fn, 'blurEvery', opts.blurEvery, 4);
  const blurSigma = numberIn(fn, 'blurSigma', opts.blurSigma, 0.5, 0);
  const initStd = numberIn(fn, 'initStd', opts.initStd, 0.01, 0);
  const seed = opts.seed ?? 0;
  if (!Number.isSafeInteger(seed)) throw new TensorError(`${fn}: seed must be an integer (got ${String(seed)})`);
  if (opts.onStep !== undefined && typeof opts.onStep !== 'function') throw new TensorError(`${fn}: onStep must be a function (got ${typeof opts.onStep})`);

  const { backend, dtype } = modelPlacement(model);
  const shape = [1, dims.channels, dims.height, dims.width];
  // Reads the objective for input `x` [1, C, H, W] as a scalar tensor with its graph back to x.
  const score = (x: Tensor): Tensor => {
    if (objective === 'logit') return pick(logitsOf(fn, model, x), unit, "the model's output", 'logits', false);
    const { maps } = feeding(fn, x, () => captureForward(model, x, { layers: [opts.layer!] }));
    const out = maps.get(opts.layer!);
    if (!out || out.ndim < 2 || out.shape[0] !== 1) {
      throw new TensorError(`${fn}: layer '${opts.layer}' ${out ? `returned ${fmtShape(out.shape)}, not [1, channels, ...]` : 'did not run in the forward pass (or did not return a tensor)'}`);
    }
    return pick(out, unit, `layer '${opts.layer}'`, 'channels', objective === 'channel-center');
  };

  return inEvalFrozen(model, () => withGradMode(true, () => {
    const g = new Generator(seed);
    let x: Float32Array = new Float32Array(dims.channels * dims.height * dims.width).map(() => initStd * g.normal());
    const curve: number[] = [];
    for (let step = 0; step < steps; step++) {
      const dy = jitter ? g.randint(-jitter, jitter + 1) : 0, dx = jitter ? g.randint(-jitter, jitter + 1) : 0;
      const xt = tensor(roll(x, dims, dy, dx), { shape, backend, dtype, requiresGrad: true });
      const obj = score(xt);
      curve.push(obj.item());
      const grad = obj.requiresGrad ? (obj.backward(), xt.grad) : null;
      x = ascend(x, grad ? roll(toF32(grad.data()), dims, -dy, -dx) : null, lr, l2);
      if (blurEvery && (step + 1) % blurEvery === 0) x = gaussianBlur(x, dims, blurSigma);
      opts.onStep?.(step, curve[step]!);
    }
    const input = tensor(x, { shape: [dims.channels, dims.height, dims.width], backend });
    return { image: tensor(rescale(x), { shape: [dims.channels, dims.height, dims.width], backend }), input, curve };
  }));
}

/**
 * Channel `unit` (dim 1) of `t` [1, C, ...], after checking that channel
 * exists: its mean over the positions, or its value at the central position
 * (index floor(size / 2) along each spatial dim).
 */
function pick(t: Tensor, unit: number, what: string, noun: string, center: boolean): Tensor {
  const n = t.shape[1]!;
  if (unit >= n) throw new TensorError(`maximize: unit ${unit} is out of range for ${what} (${n} ${noun}: 0..${n - 1})`);
  let c = select(select(t, 0, 0), 0, unit);
  if (center) while (c.ndim > 0) c = select(c, 0, Math.floor(c.shape[0]! / 2));
  return mean(c);
}

/** x * (1 - l2) + lr * grad / rms(grad): one regularised, scale-free ascent step. */
function ascend(x: Float32Array, grad: Float32Array | null, lr: number, l2: number): Float32Array {
  let sq = 0;
  if (grad) for (const v of grad) sq += v * v;
  const rms = Math.sqrt(sq / x.length);
  // A zero gradient (a dead unit) leaves only the decay: dividing by it would give NaN.
  const k = grad && rms > 0 ? lr / rms : 0;
  return x.map((v, i) => v * (1 - l2) + (k ? k * grad![i]! : 0));
}

/** Linear map of the values onto [0, 1] (a constant image becomes 0.5). */
function rescale(x: Float32Array): Float32Array {
  let lo = Infinity, hi = -Infinity;
  for (const v of x) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  return hi > lo ? x.map((v) => (v - lo) / (hi - lo)) : new Float32Array(x.length).fill(0.5);
}

function toF32(d: ArrayLike<number>): Float32Array {
  return d instanceof Float32Array ? d : Float32Array.from(d);
}

function checkInputShape(s: unknown): ImageDims {
  const ok = Array.isArray(s) && s.length === 3 && s.every((d) => Number.isInteger(d) && d > 0);
  if (!ok) throw new TensorError(`maximize: inputShape must be [C, H, W] with positive integers, e.g. [1, 28, 28] (got ${JSON.stringify(s) ?? String(s)})`);
  const [channels, height, width] = s as [number, number, number];
  return { channels, height, width };
}
