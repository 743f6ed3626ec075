import { TensorError, fmtShape } from '../core/errors.js';
import { dropoutCall } from '../tensor/args.js';
import { tensor } from '../tensor/create.js';
import { defaultGenerator, type Generator } from '../tensor/random.js';
import type { Tensor } from '../tensor/tensor.js';
import { requireFloat } from './core.js';
import { reshape } from './movement.js';

/*
 * Dropout as `input * mask` with a constant mask drawn on the host from a
 * seedable Generator, so the gradient is `mask` (zeros and 1/(1-p)) for free
 * and `tg.manualSeed` makes every mask reproducible. A unit is kept with
 * probability 1 - p (PyTorch's bernoulli_(1 - p)).
 */

/** Options of the dropout functions (`F.dropout`, `F.dropout2d`, `F.alphaDropout`, ...). */
export interface DropoutOptions {
  /** Source of the masks (default: the global generator seeded by `tg.manualSeed`). */
  generator?: Generator;
}

/** SELU's negative saturation value, -scale * alpha (PyTorch's alpha_dropout constant). */
const SELU_SATURATION = 1.7580993408473766;

function checkP(op: string, p: number): void {
  if (typeof p !== 'number' || !(p >= 0 && p <= 1)) {
    throw new TensorError(`${op}: p (the probability of zeroing an element) must be in [0, 1] (got ${p})`);
  }
}

/**
 * Draws the mask (of `maskShape`, broadcastable to the input) and returns
 * `input * scale(mask) + shift(mask)`; `shift` only for alpha dropout.
 */
function applyMask(
  input: Tensor,
  maskShape: readonly number[],
  p: number,
  opts: DropoutOptions,
  scale: (kept: boolean) => number,
  shift?: (kept: boolean) => number,
): Tensor {
  const g = opts.generator ?? defaultGenerator;
  const n = maskShape.reduce((a, b) => a * b, 1);
  const mul = new Float64Array(n);
  const add = shift ? new Float64Array(n) : null;
  for (let i = 0; i < n; i++) {
    const kept = g.uniform() < 1 - p;
    mul[i] = scale(kept);
    if (add) add[i] = shift!(kept);
  }
  const like = { dtype: input.dtype, shape: maskShape, backend: input.backend };
  const out = input.mul(tensor(mul, like));
  return add ? out.add(tensor(add, like)) : out;
}

/** Shared front of every dropout: validation and the cases that draw no mask. */
function trivial(op: string, input: Tensor, p: number, training: boolean): Tensor | null {
  checkP(op, p);
  requireFloat(op, input);
  if (!training || p === 0 || input.numel() === 0) return input;
  // Like PyTorch: p = 1 drops everything (multiplying keeps the graph and dtype).
  if (p === 1) return input.mul(0);
  return null;
}

/** Mask shape for channel-wise dropout on `[N, C, *]`: one draw per (sample, channel). */
function channelMaskShape(op: string, input: Tensor): number[] {
  if (input.ndim < 2) throw new TensorError(`${op}: expected an input of shape [N, C, *] with at least 2 dims (got input ${fmtShape(input.shape)})`);
  return input.shape.map((d, i) => (i < 2 ? d : 1));
}

/**
 * Dropout (`F.dropout`): in training, zeroes each element independently with
 * probability `p` and scales the others by `1 / (1 - p)`, so the expectation
 * is unchanged; otherwise returns `input` itself. `p = 1` gives zeros.
 *
 * Shapes: any input; output as input. Gradient: the same mask, `0` or `1 / (1 - p)`.
 * @example
 * tg.manualSeed(0);
 * const y = F.dropout(x, 0.2, model.training);
 */
export function dropout(input: Tensor, p = 0.5, training = true, opts: DropoutOptions = {}): Tensor {
  [input, p, training, opts] = dropoutCall('dropout', arguments);
  const done = trivial('dropout', input, p, training);
  if (done) return done;
  return applyMask(input, input.shape, p, opts, (kept) => (kept ? 1 / (1 - p) : 0));
}

/** Channel-wise dropout on `[N, C, *]` (PyTorch's feature_dropout). */
function featureDropout(op: string, input: Tensor, p: number, training: boolean, opts: DropoutOptions): Tensor {
  const maskShape = channelMaskShape(op, input);
  const done = trivial(op, input, p, training);
  if (done) return done;
  return applyMask(input, maskShape, p, opts, (kept) => (kept ? 1 / (1 - p) : 0));
}

/** Runs channel dropout on an input that may lack the batch dim (`unbatchedRank`). */
function featureDropoutNd(op: string, rank: number, input: Tensor, p: number, training: boolean, opts: DropoutOptions): Tensor {
  if (input.ndim !== rank && input.ndim !== rank + 1) {
    const s = rank - 1;
    throw new TensorError(`${op}: expected a ${rank}-D [C, ${s}-D spatial] or ${rank + 1}-D [N, C, ${s}-D spatial] input (got input ${fmtShape(input.shape)}); use dropout for element-wise dropout`);
  }
  if (input.ndim === rank + 1) return featureDropout(op, input, p, training, opts);
  return reshape(featureDropout(op, reshape(input, [1, ...input.shape]), p, training, opts), input.shape);
}

/**
 * Channel-wise dropout for 1-D feature maps (`F.dropout1d`): zeroes whole
 * channels `[n, c, :]` with probability `p`, scaling kept ones by `1 / (1 - p)`.
 *
 * Shapes: input `[N, C, L]` or unbatched `[C, L]`; output as input.
 * @example F.dropout1d(x, 0.1)   // x: [N, C, L]
 */
export function dropout1d(input: Tensor, p = 0.5, training = true, opts: DropoutOptions = {}): Tensor {
  [input, p, training, opts] = dropoutCall('dropout1d', arguments);
  return featureDropoutNd('dropout1d', 2, input, p, training, opts);
}

/**
 * Channel-wise dropout for 2-D feature maps (`F.dropout2d`): zeroes whole
 * channels `[n, c, :, :]` with probability `p`, scaling kept ones by `1 / (1 - p)`.
 *
 * Shapes: input `[N, C, H, W]`; a 3-D input is read as `[N, C, L]` (PyTorch's
 * current behaviour: channel-wise 1-D dropout, not an unbatched `[C, H, W]`);
 * output as input.
 * @example F.dropout2d(x, 0.25)   // x: [N, C, H, W]
 */
export function dropout2d(input: Tensor, p = 0.5, training = true, opts: DropoutOptions = {}): Tensor {
  [input, p, training, opts] = dropoutCall('dropout2d', arguments);
  if (input.ndim !== 3 && input.ndim !== 4) {
    throw new TensorError(`dropout2d: expected a 4-D [N, C, H, W] (or 3-D [N, C, L]) input (got input ${fmtShape(input.shape)}); use dropout1d, dropout3d or dropout`);
  }
  return featureDropout('dropout2d', input, p, training, opts);
}

/**
 * Channel-wise dropout for 3-D feature maps (`F.dropout3d`): zeroes whole
 * channels `[n, c, :, :, :]` with probability `p`, scaling kept ones by `1 / (1 - p)`.
 *
 * Shapes: input `[N, C, D, H, W]` or unbatched `[C, D, H, W]`; output as input.
 * @example F.dropout3d(x, 0.2)   // x: [N, C, D, H, W]
 */
export function dropout3d(input: Tensor, p = 0.5, training = true, opts: DropoutOptions = {}): Tensor {
  [input, p, training, opts] = dropoutCall('dropout3d', arguments);
  return featureDropoutNd('dropout3d', 4, input, p, training, opts);
}

/**
 * The affine map of alpha dropout: dropped units take SELU's saturation value
 * `-alpha'` and then `a * x + b` restores zero mean and unit variance, with
 * `a = 1 / sqrt((alpha'^2 p + 1)(1 - p))` and `b = a * alpha' * p`.
 */
function alphaMask(input: Tensor, maskShape: readonly number[], p: number, opts: DropoutOptions): Tensor {
  const al = SELU_SATURATION;
  const a = 1 / Math.sqrt((al * al * p + 1) * (1 - p));
  return applyMask(input, maskShape, p, opts, (kept) => (kept ? a : 0), (kept) => (kept ? a * al * p : a * al * (p - 1)));
}

/**
 * Alpha dropout for SELU networks (`F.alpha_dropout`): keeps zero mean and
 * unit variance of its input. A dropped element becomes `a * (-alpha') + b`,
 * a kept one `a * x + b` (see PyTorch; alpha' = 1.7580993408473766).
 *
 * Shapes: any input; output as input.
 * @example F.alphaDropout(F.selu(x), 0.1)
 */
export function alphaDropout(input: Tensor, p = 0.5, training = true, opts: DropoutOptions = {}): Tensor {
  [input, p, training, opts] = dropoutCall('alphaDropout', arguments);
  const done = trivial('alphaDropout', input, p, training);
  if (done) return done;
  return alphaMask(input, input.shape, p, opts);
}

/**
 * Channel-wise alpha dropout (`F.feature_alpha_dropout`): like alphaDropout
 * with one draw per (sample, channel) of an `[N, C, *]` input.
 * @example F.featureAlphaDropout(F.selu(x), 0.1)   // x: [N, C, H, W]
 */
export function featureAlphaDropout(input: Tensor, p = 0.5, training = true, opts: DropoutOptions = {}): Tensor {
  [input, p, training, opts] = dropoutCall('featureAlphaDropout', arguments);
  const maskShape = channelMaskShape('featureAlphaDropout', input);
  const done = trivial('featureAlphaDropout', input, p, training);
  if (done) return done;
  return alphaMask(input, maskShape, p, opts);
}
