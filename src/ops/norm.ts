import { trailingOptions } from '../tensor/args.js';
import { TensorError, fmtShape } from '../core/errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { requireFloat, sameBackend } from './core.js';
import { cast, rsqrt } from './elementwise.js';
import { reshape } from './movement.js';
import { affine, centre, updateRunningStats } from './norm-common.js';
import { pad } from './pad.js';
import { avgPoolPrim } from './pool-prims.js';
import { batchNormFusable, batchNormTrainPrim } from './norm-prims.js';

/*
 * Normalisation layers as composites of reductions and elementwise ops, so
 * their gradients come from the gradient table. Variances used for
 * normalising are biased (divide by n), as in PyTorch.
 */

/** Options of `F.batchNorm` (PyTorch's training, momentum, eps keyword arguments). */
export interface BatchNormOptions {
  /** Use batch statistics (and update the running ones) instead of the running ones (default false, like F.batch_norm). */
  training?: boolean;
  /** Weight of the new batch statistic in the running average (default 0.1). */
  momentum?: number;
  /** Added to the variance before the square root (default 1e-5). */
  eps?: number;
}

/** Options of `F.layerNorm` and `F.groupNorm`. */
export interface NormOptions {
  /** Added to the variance before the square root (default 1e-5). */
  eps?: number;
}

/** Options of `F.localResponseNorm`: the constants of `b_c = a_c / (k + alpha / size · Σ a²)^beta`. */
export interface LocalResponseNormOptions {
  /** Scale of the windowed sum of squares (default 1e-4). */
  alpha?: number;
  /** Exponent (default 0.75). */
  beta?: number;
  /** Additive constant (default 1). */
  k?: number;
}

function checkEps(op: string, eps: number): void {
  if (typeof eps !== 'number' || !Number.isFinite(eps) || eps < 0) {
    throw new TensorError(`${op}: eps must be a finite number >= 0 (got ${eps})`);
  }
}

/** Throws unless `t` is absent or has exactly `shape` (for per-channel / per-feature parameters). */
function checkParam(op: string, name: string, t: Tensor | null | undefined, shape: readonly number[], input: Tensor, what: string): void {
  if (t == null) return;
  if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
    throw new TensorError(`${op}: ${name} must have shape ${fmtShape(shape)} (${what}) but has shape ${fmtShape(t.shape)} (input ${fmtShape(input.shape)})`);
  }
  sameBackend(op, input, t);
}

/**
 * Batch normalisation over `[N, C, ...]` (`F.batch_norm`): each channel is
 * normalised by its mean and biased variance over the batch and spatial dims,
 * then scaled by `weight[c]` and shifted by `bias[c]`.
 *
 * - training: uses the batch statistics and, where `runningMean`/`runningVar`
 *   are given (they may be null), updates them in place without recording
 *   gradients: `running = (1 - momentum) * running + momentum * batch`, with the
 *   UNBIASED batch variance for `runningVar`.
 * - eval: normalises with `runningMean` and `runningVar` (both required).
 *
 * Shapes: input `[N, C, *]`; runningMean, runningVar, weight, bias `[C]`; output as input.
 * @example
 * const y = F.batchNorm(x, runMean, runVar, gamma, beta, { training: true });
 */
export function batchNorm(
  input: Tensor,
  runningMean: Tensor | null,
  runningVar: Tensor | null,
  weight?: Tensor | null,
  bias?: Tensor | null,
  opts: BatchNormOptions = {},
): Tensor {
  opts = trailingOptions('batchNorm', arguments, { input: 'tensor', runningMean: 'tensor?', runningVar: 'tensor?', weight: 'tensor?', bias: 'tensor?' }, { training: 'bool?', momentum: 'finite?', eps: 'finite?' });
  const { training = false, momentum = 0.1, eps = 1e-5 } = opts;
  requireFloat('batchNorm', input);
  if (input.ndim < 2) {
    throw new TensorError(`batchNorm: expected an input of shape [N, C, *] with at least 2 dims (got input ${fmtShape(input.shape)})`);
  }
  checkEps('batchNorm', eps);
  if (typeof momentum !== 'number' || !Number.isFinite(momentum)) {
    throw new TensorError(`batchNorm: momentum must be a finite number (got ${momentum})`);
  }
  const c = input.shape[1]!;
  const per = `one per channel, C = ${c}`;
  checkParam('batchNorm', 'runningMean', runningMean, [c], input, per);
  checkParam('batchNorm', 'runningVar', runningVar, [c], input, per);
  checkParam('batchNorm', 'weight', weight, [c], input, per);
  checkParam('batchNorm', 'bias', bias, [c], input, per);
  if ((runningMean == null) !== (runningVar == null)) {
    throw new TensorError('batchNorm: runningMean and runningVar must both be given or both be null');
  }

  const dims = input.shape.map((_, i) => i).filter((i) => i !== 1);
  const chanShape = input.shape.map((d, i) => (i === 1 ? d : 1));
  if (training) {
    const count = input.numel() / Math.max(c, 1);
    if (count <= 1) {
      throw new TensorError(`batchNorm: expected more than 1 value per channel when training (input ${fmtShape(input.shape)})`);
    }
    // Where the backend has the fused kernel: one pass for statistics, normalisation and affine
    // (and one for the backward). The composite below is the definition.
    const r = batchNormFusable(input, weight, bias) ? batchNormTrainPrim(input, weight ?? null, bias ?? null, eps) : null;
    if (r) {
      if (runningMean != null && runningVar != null) updateRunningStats(runningMean, runningVar, r.mean, r.var, momentum, count);
      return r.y;
    }
    const centered = centre(input, dims);
    const varBiased = centered.square().mean(dims, true);
    if (runningMean != null && runningVar != null) {
      const mean = input.mean(dims, true);
      updateRunningStats(runningMean, runningVar, reshape(mean, [c]), reshape(varBiased, [c]), momentum, count);
    }
    return affine(centered.mul(rsqrt(varBiased.add(eps))), weight, bias, chanShape);
  }
  if (runningMean == null || runningVar == null) {
    throw new TensorError(`batchNorm: runningMean and runningVar are required when not training (input ${fmtShape(input.shape)})`);
  }
  // Running stats are buffers (maybe float32 beside a float64 input): compute in the input's dtype.
  const mean = reshape(cast(runningMean, input.dtype), chanShape);
  const invStd = rsqrt(reshape(cast(runningVar, input.dtype), chanShape).add(eps));
  return affine(input.sub(mean).mul(invStd), weight, bias, chanShape);
}

/**
 * Layer normalisation (`F.layer_norm`): normalises over the trailing dims
 * given by `normalizedShape` (mean and biased variance per leading index),
 * then applies the elementwise `weight` and `bias` of shape `normalizedShape`.
 *
 * Shapes: input `[*, ...normalizedShape]`; weight, bias `normalizedShape`; output as input.
 * @example
 * F.layerNorm(x, [768], gamma, beta)     // x: [batch, seq, 768]
 */
export function layerNorm(
  input: Tensor,
  normalizedShape: number | readonly number[],
  weight?: Tensor | null,
  bias?: Tensor | null,
  opts: NormOptions = {},
): Tensor {
  opts = trailingOptions('layerNorm', arguments, { input: 'tensor', normalizedShape: 'size', weight: 'tensor?', bias: 'tensor?' }, { eps: 'finite?' });
  const { eps = 1e-5 } = opts;
  requireFloat('layerNorm', input);
  checkEps('layerNorm', eps);
  const shape = typeof normalizedShape === 'number' ? [normalizedShape] : [...normalizedShape];
  const k = shape.length;
  const tail = input.shape.slice(input.ndim - k);
  if (k === 0 || shape.some((d) => !Number.isInteger(d) || d < 1) || k > input.ndim || tail.some((d, i) => d !== shape[i])) {
    throw new TensorError(`layerNorm: normalizedShape ${fmtShape(shape)} must be non-empty positive sizes matching the trailing dims of the input, i.e. input [*,${shape.join(',')}] (got input ${fmtShape(input.shape)})`);
  }
  const what = `normalizedShape ${fmtShape(shape)}`;
  checkParam('layerNorm', 'weight', weight, shape, input, what);
  checkParam('layerNorm', 'bias', bias, shape, input, what);
  const dims = shape.map((_, i) => input.ndim - k + i);
  const centered = centre(input, dims);
  const varBiased = centered.square().mean(dims, true);
  return affine(centered.mul(rsqrt(varBiased.add(eps))), weight, bias, shape);
}

/**
 * Group normalisation (`F.group_norm`): splits the C channels into
 * `numGroups` groups of C / numGroups consecutive channels and normalises each
 * group of each sample over its channels and spatial positions; then applies
 * per-channel `weight` and `bias`.
 *
 * Shapes: input `[N, C, *]` with C divisible by numGroups; weight, bias `[C]`; output as input.
 * @example
 * F.groupNorm(x, 8, gamma, beta)     // x: [N, 32, H, W]
 */
export function groupNorm(
  input: Tensor,
  numGroups: number,
  weight?: Tensor | null,
  bias?: Tensor | null,
  opts: NormOptions = {},
): Tensor {
  opts = trailingOptions('groupNorm', arguments, { input: 'tensor', numGroups: 'int', weight: 'tensor?', bias: 'tensor?' }, { eps: 'finite?' });
  const { eps = 1e-5 } = opts;
  requireFloat('groupNorm', input);
  checkEps('groupNorm', eps);
  if (input.ndim < 2) {
    throw new TensorError(`groupNorm: expected an input of shape [N, C, *] with at least 2 dims (got input ${fmtShape(input.shape)})`);
  }
  const [n, c] = [input.shape[0]!, input.shape[1]!];
  if (!Number.isInteger(numGroups) || numGroups < 1 || c % numGroups !== 0) {
    throw new TensorError(`groupNorm: numGroups ${numGroups} must be a positive integer dividing the number of channels ${c} (input ${fmtShape(input.shape)})`);
  }
  const per = `one per channel, C = ${c}`;
  checkParam('groupNorm', 'weight', weight, [c], input, per);
  checkParam('groupNorm', 'bias', bias, [c], input, per);
  const grouped = reshape(input, [n, numGroups, -1]);
  const centered = centre(grouped, 2);
  const varBiased = centered.square().mean(2, true);
  const y = reshape(centered.mul(rsqrt(varBiased.add(eps))), input.shape);
  return affine(y, weight, bias, input.shape.map((d, i) => (i === 1 ? d : 1)));
}

/**
 * Local response normalisation across channels (`F.local_response_norm`, AlexNet):
 * `b_c = a_c / (k + alpha / size * sum_{c'} a_{c'}^2)^beta`, the sum running over
 * the window of `size` channels from `c - floor(size/2)` to `c + floor((size-1)/2)`
 * (channels outside [0, C) count as zero).
 *
 * Shapes: input `[N, C, *]` with at least 3 dims; output as input.
 * @example
 * F.localResponseNorm(x, 5, { alpha: 1e-4, beta: 0.75, k: 2 })
 */
export function localResponseNorm(input: Tensor, size: number, opts: LocalResponseNormOptions = {}): Tensor {
  opts = trailingOptions('localResponseNorm', arguments, { input: 'tensor', size: 'int' }, { alpha: 'finite?', beta: 'finite?', k: 'finite?' });
  const { alpha = 1e-4, beta = 0.75, k = 1 } = opts;
  requireFloat('localResponseNorm', input);
  if (input.ndim < 3) {
    throw new TensorError(`localResponseNorm: expected an input of shape [N, C, *] with at least 3 dims (got input ${fmtShape(input.shape)})`);
  }
  if (!Number.isInteger(size) || size < 1) {
    throw new TensorError(`localResponseNorm: size must be a positive integer (got ${size})`);
  }
  for (const [name, v] of [['alpha', alpha], ['beta', beta], ['k', k]] as const) {
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new TensorError(`localResponseNorm: ${name} must be a finite number (got ${v})`);
  }
  if (input.numel() === 0) return input;
  const [n, c] = [input.shape[0]!, input.shape[1]!];
  const spatial = input.numel() / (n * c);
  // As PyTorch: zero-pad the channel dim (floor(size/2) before, floor((size-1)/2) after)
  // and average squares over windows of `size` channels with a 3-D average pool.
  const sq = reshape(input.square(), [n, 1, c, spatial, 1]);
  const padded = pad(sq, [0, 0, 0, 0, Math.floor(size / 2), Math.floor((size - 1) / 2)]);
  const avg = avgPoolPrim(padded, {
    batch: n,
    channels: 1,
    inSize: [c + size - 1, spatial, 1],
    kernelSize: [size, 1, 1],
    outSize: [c, spatial, 1],
    stride: [1, 1, 1],
    padding: [0, 0, 0],
    dilation: [1, 1, 1],
    countIncludePad: true,
  });
  const div = reshape(avg, input.shape).mul(alpha).add(k).pow(beta);
  return input.div(div);
}
