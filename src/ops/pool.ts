import { TensorError } from '../core/errors.js';
import type { Tensor } from '../tensor/tensor.js';
import * as E from './elementwise.js';
import { adaptiveGeometry, avgParams, from5d, inputNote, poolCall, POOL_POSITIONAL, stridedGeometry, type SizeArg } from './pool-args.js';
import { adaptiveAvgPoolPrim, adaptiveMaxPoolPrim, avgPoolPrim, maxPoolPrim } from './pool-prims.js';

/*
 * PyTorch's functional pooling (max, avg, lp, adaptive) in 1, 2 and 3 spatial
 * dims. Each family is one N-d function; the 1d/2d/3d names only fix N. The
 * work is done by the 5-D primitives in pool-prims.ts (gradients included);
 * this file normalises arguments (pool-args.ts) and shapes results.
 *
 * Shapes: input `[N, C, ...spatial]` or unbatched `[C, ...spatial]` (1, 2 or 3
 * spatial dims); output `[N, C, ...out]` / `[C, ...out]`, where for the strided
 * pools `out = floor((in + 2*padding - dilation*(kernel-1) - 1) / stride) + 1`
 * per dim (ceil in ceilMode, minus a last window that would start in the right
 * padding).
 */

/** Options of `maxPool1d/2d/3d` (PyTorch's keyword arguments). */
export interface MaxPoolOptions {
  /** Window step per dim (default: the kernel size). */
  stride?: SizeArg | null;
  /** Implicit -Infinity padding on both sides of each dim, at most half the kernel (default 0). */
  padding?: SizeArg;
  /** Spacing between window taps (default 1). */
  dilation?: SizeArg;
  /** Round the output size up, keeping a last partial window (default false). */
  ceilMode?: boolean;
  /** Also return the argmax indices (default false). */
  returnIndices?: boolean;
}

/** Options of `avgPool1d/2d/3d`. */
export interface AvgPoolOptions {
  /** Window step per dim (default: the kernel size). */
  stride?: SizeArg | null;
  /** Implicit zero padding on both sides of each dim, at most half the kernel (default 0). */
  padding?: SizeArg;
  /** Round the output size up, keeping a last partial window (default false). */
  ceilMode?: boolean;
  /** Count padded positions in the divisor (default true). */
  countIncludePad?: boolean;
  /** Divide every window sum by this instead of the window size. */
  divisorOverride?: number;
}

/** Options of `lpPool1d/2d/3d`. */
export interface LpPoolOptions {
  /** Window step per dim (default: the kernel size). */
  stride?: SizeArg | null;
  /** Round the output size up, keeping a last partial window (default false). */
  ceilMode?: boolean;
}

/** Options of `adaptiveMaxPool1d/2d/3d`. */
export interface AdaptiveMaxPoolOptions {
  /** Also return the argmax indices, as `{ values, indices }` (default false). */
  returnIndices?: boolean;
}

/** An adaptive output size: one for every dim, or one per dim with `null` keeping the input size. */
export type AdaptiveSize = number | readonly (number | null)[];

/**
 * Max pooling with `returnIndices: true`. `indices` (int32, same shape as
 * `values`) is the flat position of each max within its input plane, as in
 * PyTorch: `w` (1-D), `h*W + w` (2-D), `(d*H + h)*W + w` (3-D).
 */
export interface PoolWithIndices {
  /** The pooled maxima, `[N, C, ...out]` (or `[C, ...out]`). */
  values: Tensor;
  /** int32, same shape as `values`: the flat position of each maximum within its input plane. */
  indices: Tensor;
}

type WithIndices<O> = O & { returnIndices: true };
type WithoutIndices<O> = O & { returnIndices?: false };

// ---- max -----------------------------------------------------------------

function maxPoolNd(op: string, n: number, input: Tensor, kernelSize: SizeArg, opts: MaxPoolOptions): Tensor | PoolWithIndices {
  const g = stridedGeometry(op, n, input, kernelSize, opts);
  const { out, indices } = maxPoolPrim(g.p5.x5, g.params, opts.returnIndices === true);
  const values = from5d(out, g.p5, g.outSize);
  return opts.returnIndices ? { values, indices: from5d(indices!, g.p5, g.outSize) } : values;
}

/**
 * 1-D max pooling: `[N, C, L]` or `[C, L]` -> `[N, C, Lout]` / `[C, Lout]`.
 * Padding counts as -Infinity. With dilation a window can fall entirely in
 * padding; like PyTorch it then yields -Infinity (index -1, no gradient).
 * @example F.maxPool1d(x, 3, { stride: 2, padding: 1 })
 */
export function maxPool1d(input: Tensor, kernelSize: SizeArg, opts: WithIndices<MaxPoolOptions>): PoolWithIndices;
export function maxPool1d(input: Tensor, kernelSize: SizeArg, opts?: WithoutIndices<MaxPoolOptions>): Tensor;
export function maxPool1d(input: Tensor, kernelSize: SizeArg, opts?: MaxPoolOptions): Tensor | PoolWithIndices;
export function maxPool1d(input: Tensor, kernelSize: SizeArg, opts: MaxPoolOptions = {}): Tensor | PoolWithIndices {
  [input, kernelSize, opts] = poolCall('maxPool1d', arguments, { input: 'tensor', kernelSize: 'size' }, POOL_POSITIONAL.max) as [Tensor, SizeArg, MaxPoolOptions];
  return maxPoolNd('maxPool1d', 1, input, kernelSize, opts);
}

/**
 * 2-D max pooling: `[N, C, H, W]` or `[C, H, W]` -> `[N, C, Hout, Wout]` / `[C, Hout, Wout]`.
 * Padding counts as -Infinity; ties keep the first element in row-major order.
 * @example
 * const y = F.maxPool2d(x, 2);                                   // halve H and W
 * const { values, indices } = F.maxPool2d(x, 3, { stride: 2, padding: 1, returnIndices: true });
 */
export function maxPool2d(input: Tensor, kernelSize: SizeArg, opts: WithIndices<MaxPoolOptions>): PoolWithIndices;
export function maxPool2d(input: Tensor, kernelSize: SizeArg, opts?: WithoutIndices<MaxPoolOptions>): Tensor;
export function maxPool2d(input: Tensor, kernelSize: SizeArg, opts?: MaxPoolOptions): Tensor | PoolWithIndices;
export function maxPool2d(input: Tensor, kernelSize: SizeArg, opts: MaxPoolOptions = {}): Tensor | PoolWithIndices {
  [input, kernelSize, opts] = poolCall('maxPool2d', arguments, { input: 'tensor', kernelSize: 'size' }, POOL_POSITIONAL.max) as [Tensor, SizeArg, MaxPoolOptions];
  return maxPoolNd('maxPool2d', 2, input, kernelSize, opts);
}

/**
 * 3-D max pooling: `[N, C, D, H, W]` or `[C, D, H, W]` -> `[N, C, Dout, Hout, Wout]` / unbatched.
 * @example F.maxPool3d(x, [1, 2, 2])   // pool H and W only
 */
export function maxPool3d(input: Tensor, kernelSize: SizeArg, opts: WithIndices<MaxPoolOptions>): PoolWithIndices;
export function maxPool3d(input: Tensor, kernelSize: SizeArg, opts?: WithoutIndices<MaxPoolOptions>): Tensor;
export function maxPool3d(input: Tensor, kernelSize: SizeArg, opts?: MaxPoolOptions): Tensor | PoolWithIndices;
export function maxPool3d(input: Tensor, kernelSize: SizeArg, opts: MaxPoolOptions = {}): Tensor | PoolWithIndices {
  [input, kernelSize, opts] = poolCall('maxPool3d', arguments, { input: 'tensor', kernelSize: 'size' }, POOL_POSITIONAL.max) as [Tensor, SizeArg, MaxPoolOptions];
  return maxPoolNd('maxPool3d', 3, input, kernelSize, opts);
}

// ---- average -------------------------------------------------------------

function avgPoolNd(op: string, n: number, input: Tensor, kernelSize: SizeArg, opts: AvgPoolOptions): Tensor {
  const { stride, padding, ceilMode, countIncludePad = true, divisorOverride } = opts;
  const g = stridedGeometry(op, n, input, kernelSize, { stride, padding, ceilMode });
  const params = avgParams(op, g, countIncludePad, divisorOverride, input);
  return from5d(avgPoolPrim(g.p5.x5, params), g.p5, g.outSize);
}

/**
 * 1-D average pooling: `[N, C, L]` or `[C, L]` -> `[N, C, Lout]` / `[C, Lout]`.
 * Divisor as PyTorch: `divisorOverride` if given, else the window size counting
 * zero padding (but not the part past the padding that ceilMode may add), or
 * only the in-input elements when `countIncludePad` is false.
 * @example F.avgPool1d(x, 3, { stride: 1, padding: 1, countIncludePad: false })
 */
export function avgPool1d(input: Tensor, kernelSize: SizeArg, opts: AvgPoolOptions = {}): Tensor {
  [input, kernelSize, opts] = poolCall('avgPool1d', arguments, { input: 'tensor', kernelSize: 'size' }, POOL_POSITIONAL.avg) as [Tensor, SizeArg, AvgPoolOptions];
  return avgPoolNd('avgPool1d', 1, input, kernelSize, opts);
}

/**
 * 2-D average pooling: `[N, C, H, W]` or `[C, H, W]` -> `[N, C, Hout, Wout]` / `[C, Hout, Wout]`
 * (divisor rules as {@link avgPool1d}).
 * @example F.avgPool2d(x, 2)   // 2x2 means, halving H and W
 */
export function avgPool2d(input: Tensor, kernelSize: SizeArg, opts: AvgPoolOptions = {}): Tensor {
  [input, kernelSize, opts] = poolCall('avgPool2d', arguments, { input: 'tensor', kernelSize: 'size' }, POOL_POSITIONAL.avg) as [Tensor, SizeArg, AvgPoolOptions];
  return avgPoolNd('avgPool2d', 2, input, kernelSize, opts);
}

/**
 * 3-D average pooling: `[N, C, D, H, W]` or `[C, D, H, W]` -> `[N, C, Dout, Hout, Wout]` / unbatched.
 * @example F.avgPool3d(x, 2, { ceilMode: true })
 */
export function avgPool3d(input: Tensor, kernelSize: SizeArg, opts: AvgPoolOptions = {}): Tensor {
  [input, kernelSize, opts] = poolCall('avgPool3d', arguments, { input: 'tensor', kernelSize: 'size' }, POOL_POSITIONAL.avg) as [Tensor, SizeArg, AvgPoolOptions];
  return avgPoolNd('avgPool3d', 3, input, kernelSize, opts);
}

// ---- power average (Lp) --------------------------------------------------

function lpPoolNd(op: string, n: number, input: Tensor, normType: number, kernelSize: SizeArg, opts: LpPoolOptions): Tensor {
  const g = stridedGeometry(op, n, input, kernelSize, { stride: opts.stride, ceilMode: opts.ceilMode });
  if (!(normType > 0 && Number.isFinite(normType))) {
    throw new TensorError(`${op}: normType must be a positive finite number, got ${normType} ${inputNote(input)}`);
  }
  const params = avgParams(op, g, true, undefined, input);
  // PyTorch: avg_pool(x^p) * kernelNumel, then ^(1/p). In ceilMode a partial
  // last window is averaged over its in-input size before the scaling, so it is
  // scaled up as if the window were full (PyTorch does the same).
  const s = avgPoolPrim(g.p5.x5.pow(normType), params).mul(g.kernelNumel);
  // PyTorch routes s through sign(s) * relu(|s|), which leaves the value alone
  // but gives an all-zero window gradient 0 instead of 0 * inf; the where's do that.
  const zero = s.eq(0);
  const root = E.where(zero, 0, E.where(zero, 1, s).pow(1 / normType));
  return from5d(root, g.p5, g.outSize);
}

/**
 * 1-D power-average pooling: `(sum over window of x^p)^(1/p)` with p = `normType`,
 * `[N, C, L]` or `[C, L]` -> `[N, C, Lout]` / `[C, Lout]`. No padding. p = 1 is
 * sum pooling; large p approaches max pooling (for non-negative x). Like
 * PyTorch, x^p is taken as is (negative x with fractional p gives NaN).
 * @example F.lpPool1d(x, 2, 3, { stride: 2 })
 */
export function lpPool1d(input: Tensor, normType: number, kernelSize: SizeArg, opts: LpPoolOptions = {}): Tensor {
  [input, normType, kernelSize, opts] = poolCall('lpPool1d', arguments, { input: 'tensor', normType: 'number', kernelSize: 'size' }, POOL_POSITIONAL.lp) as [Tensor, number, SizeArg, LpPoolOptions];
  return lpPoolNd('lpPool1d', 1, input, normType, kernelSize, opts);
}

/**
 * 2-D power-average pooling (see {@link lpPool1d}): `[N, C, H, W]` or `[C, H, W]` -> `[N, C, Hout, Wout]` / unbatched.
 * @example F.lpPool2d(x, 2, 2)   // L2 norm of each 2x2 block
 */
export function lpPool2d(input: Tensor, normType: number, kernelSize: SizeArg, opts: LpPoolOptions = {}): Tensor {
  [input, normType, kernelSize, opts] = poolCall('lpPool2d', arguments, { input: 'tensor', normType: 'number', kernelSize: 'size' }, POOL_POSITIONAL.lp) as [Tensor, number, SizeArg, LpPoolOptions];
  return lpPoolNd('lpPool2d', 2, input, normType, kernelSize, opts);
}

/**
 * 3-D power-average pooling (see {@link lpPool1d}): `[N, C, D, H, W]` or `[C, D, H, W]` -> `[N, C, Dout, Hout, Wout]` / unbatched.
 * @example F.lpPool3d(x, 3, [1, 2, 2])
 */
export function lpPool3d(input: Tensor, normType: number, kernelSize: SizeArg, opts: LpPoolOptions = {}): Tensor {
  [input, normType, kernelSize, opts] = poolCall('lpPool3d', arguments, { input: 'tensor', normType: 'number', kernelSize: 'size' }, POOL_POSITIONAL.lp) as [Tensor, number, SizeArg, LpPoolOptions];
  return lpPoolNd('lpPool3d', 3, input, normType, kernelSize, opts);
}

// ---- adaptive ------------------------------------------------------------

function adaptiveAvgPoolNd(op: string, n: number, input: Tensor, outputSize: AdaptiveSize): Tensor {
  const g = adaptiveGeometry(op, n, input, outputSize);
  return from5d(adaptiveAvgPoolPrim(g.p5.x5, g.params), g.p5, g.outSize);
}

function adaptiveMaxPoolNd(op: string, n: number, input: Tensor, outputSize: AdaptiveSize, opts: AdaptiveMaxPoolOptions): Tensor | PoolWithIndices {
  const g = adaptiveGeometry(op, n, input, outputSize);
  const { out, indices } = adaptiveMaxPoolPrim(g.p5.x5, g.params);
  const values = from5d(out, g.p5, g.outSize);
  return opts.returnIndices ? { values, indices: from5d(indices, g.p5, g.outSize) } : values;
}

/**
 * 1-D adaptive average pooling to a fixed length: `[N, C, L]` or `[C, L]` ->
 * `[N, C, outputSize]` / `[C, outputSize]`. Output `o` averages input
 * `[floor(o*L/out), ceil((o+1)*L/out))`, so windows may differ in size or overlap.
 * @example F.adaptiveAvgPool1d(x, 4)
 */
export function adaptiveAvgPool1d(input: Tensor, outputSize: AdaptiveSize): Tensor {
  poolCall('adaptiveAvgPool1d', arguments, { input: 'tensor', outputSize: 'any' }, POOL_POSITIONAL.none);
  return adaptiveAvgPoolNd('adaptiveAvgPool1d', 1, input, outputSize);
}

/**
 * 2-D adaptive average pooling: `[N, C, H, W]` or `[C, H, W]` -> `[N, C, oh, ow]` / `[C, oh, ow]`
 * (windows as {@link adaptiveAvgPool1d} per dim; `null` keeps a dim's size).
 * @example F.adaptiveAvgPool2d(x, [7, null])
 */
export function adaptiveAvgPool2d(input: Tensor, outputSize: AdaptiveSize): Tensor {
  poolCall('adaptiveAvgPool2d', arguments, { input: 'tensor', outputSize: 'any' }, POOL_POSITIONAL.none);
  return adaptiveAvgPoolNd('adaptiveAvgPool2d', 2, input, outputSize);
}

/**
 * 3-D adaptive average pooling: `[N, C, D, H, W]` or `[C, D, H, W]` -> `[N, C, od, oh, ow]` / unbatched.
 * @example F.adaptiveAvgPool3d(x, 1)
 */
export function adaptiveAvgPool3d(input: Tensor, outputSize: AdaptiveSize): Tensor {
  poolCall('adaptiveAvgPool3d', arguments, { input: 'tensor', outputSize: 'any' }, POOL_POSITIONAL.none);
  return adaptiveAvgPoolNd('adaptiveAvgPool3d', 3, input, outputSize);
}

/**
 * 1-D adaptive max pooling over the adaptive windows of {@link adaptiveAvgPool1d}:
 * `[N, C, L]` or `[C, L]` -> `[N, C, outputSize]` / `[C, outputSize]`, optionally with indices.
 * @example const { values, indices } = F.adaptiveMaxPool1d(x, 5, { returnIndices: true });
 */
export function adaptiveMaxPool1d(input: Tensor, outputSize: AdaptiveSize, opts: WithIndices<AdaptiveMaxPoolOptions>): PoolWithIndices;
export function adaptiveMaxPool1d(input: Tensor, outputSize: AdaptiveSize, opts?: WithoutIndices<AdaptiveMaxPoolOptions>): Tensor;
export function adaptiveMaxPool1d(input: Tensor, outputSize: AdaptiveSize, opts?: AdaptiveMaxPoolOptions): Tensor | PoolWithIndices;
export function adaptiveMaxPool1d(input: Tensor, outputSize: AdaptiveSize, opts: AdaptiveMaxPoolOptions = {}): Tensor | PoolWithIndices {
  [input, outputSize, opts] = poolCall('adaptiveMaxPool1d', arguments, { input: 'tensor', outputSize: 'any' }, POOL_POSITIONAL.adaptiveMax) as [Tensor, AdaptiveSize, AdaptiveMaxPoolOptions];
  return adaptiveMaxPoolNd('adaptiveMaxPool1d', 1, input, outputSize, opts);
}

/**
 * 2-D adaptive max pooling: `[N, C, H, W]` or `[C, H, W]` -> `[N, C, oh, ow]` / `[C, oh, ow]`.
 * @example F.adaptiveMaxPool2d(x, [3, 3])
 */
export function adaptiveMaxPool2d(input: Tensor, outputSize: AdaptiveSize, opts: WithIndices<AdaptiveMaxPoolOptions>): PoolWithIndices;
export function adaptiveMaxPool2d(input: Tensor, outputSize: AdaptiveSize, opts?: WithoutIndices<AdaptiveMaxPoolOptions>): Tensor;
export function adaptiveMaxPool2d(input: Tensor, outputSize: AdaptiveSize, opts?: AdaptiveMaxPoolOptions): Tensor | PoolWithIndices;
export function adaptiveMaxPool2d(input: Tensor, outputSize: AdaptiveSize, opts: AdaptiveMaxPoolOptions = {}): Tensor | PoolWithIndices {
  [input, outputSize, opts] = poolCall('adaptiveMaxPool2d', arguments, { input: 'tensor', outputSize: 'any' }, POOL_POSITIONAL.adaptiveMax) as [Tensor, AdaptiveSize, AdaptiveMaxPoolOptions];
  return adaptiveMaxPoolNd('adaptiveMaxPool2d', 2, input, outputSize, opts);
}

/**
 * 3-D adaptive max pooling: `[N, C, D, H, W]` or `[C, D, H, W]` -> `[N, C, od, oh, ow]` / unbatched.
 * @example F.adaptiveMaxPool3d(x, [2, null, null])
 */
export function adaptiveMaxPool3d(input: Tensor, outputSize: AdaptiveSize, opts: WithIndices<AdaptiveMaxPoolOptions>): PoolWithIndices;
export function adaptiveMaxPool3d(input: Tensor, outputSize: AdaptiveSize, opts?: WithoutIndices<AdaptiveMaxPoolOptions>): Tensor;
export function adaptiveMaxPool3d(input: Tensor, outputSize: AdaptiveSize, opts?: AdaptiveMaxPoolOptions): Tensor | PoolWithIndices;
export function adaptiveMaxPool3d(input: Tensor, outputSize: AdaptiveSize, opts: AdaptiveMaxPoolOptions = {}): Tensor | PoolWithIndices {
  [input, outputSize, opts] = poolCall('adaptiveMaxPool3d', arguments, { input: 'tensor', outputSize: 'any' }, POOL_POSITIONAL.adaptiveMax) as [Tensor, AdaptiveSize, AdaptiveMaxPoolOptions];
  return adaptiveMaxPoolNd('adaptiveMaxPool3d', 3, input, outputSize, opts);
}

// ---- global --------------------------------------------------------------

/**
 * Mean over all of H and W: `[N, C, H, W]` -> `[N, C, 1, 1]` (unbatched `[C, H, W]` ->
 * `[C, 1, 1]`); the classifier-head pooling of ResNet-style models.
 * Same as `adaptiveAvgPool2d(input, 1)`.
 * @example F.globalAvgPool2d(features).flatten(1)   // [N, C]
 */
export function globalAvgPool2d(input: Tensor): Tensor {
  poolCall('globalAvgPool2d', arguments, { input: 'tensor' }, POOL_POSITIONAL.none);
  return adaptiveAvgPoolNd('globalAvgPool2d', 2, input, 1);
}

/**
 * Max over all of H and W: `[N, C, H, W]` -> `[N, C, 1, 1]` (unbatched `[C, H, W]` ->
 * `[C, 1, 1]`). Same as `adaptiveMaxPool2d(input, 1)`.
 * @example F.globalMaxPool2d(features).flatten(1)   // [N, C]
 */
export function globalMaxPool2d(input: Tensor): Tensor {
  poolCall('globalMaxPool2d', arguments, { input: 'tensor' }, POOL_POSITIONAL.none);
  return adaptiveMaxPoolNd('globalMaxPool2d', 2, input, 1, {}) as Tensor;
}
