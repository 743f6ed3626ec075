import { positionalOptions, describeArg } from '../tensor/args.js';
import { TensorError, fmtShape } from '../core/errors.js';
import { Tensor } from '../tensor/tensor.js';
import { fromHost, requireFloat } from './core.js';
import { add, mul } from './elementwise.js';
import { indexSelect } from './indexing.js';

/*
 * F.interpolate (resizing the spatial dims of `[N, C, ...spatial]`), written as
 * separable composites: one pass per spatial dim. Nearest modes pick a source
 * index per output position (indexSelect); linear modes blend two neighbours,
 * `x[i0] * w0 + x[i1] * w1`. The indices and weights follow PyTorch's
 * UpSample.h formulas exactly (nearest in float32 arithmetic, as PyTorch does),
 * and gradients come from indexSelect (a scatter-add) and mul.
 */

/**
 * How `F.interpolate` samples: 'nearest' (PyTorch's legacy floor rule), 'nearest-exact' (samples at pixel
 * centres, like PIL), or linear blending for 1, 2 or 3 spatial dims ('linear', 'bilinear', 'trilinear').
 */
export type InterpolateMode = 'nearest' | 'nearest-exact' | 'linear' | 'bilinear' | 'trilinear';

/** Options of `F.interpolate` (PyTorch's keyword arguments). Give `size` or `scaleFactor`. */
export interface InterpolateOptions {
  /** Output spatial size: one number for every spatial dim or one per dim. */
  size?: number | readonly number[] | null;
  /** Multiplier of the spatial size (output = floor(input * scaleFactor)): one or one per dim. */
  scaleFactor?: number | readonly number[] | null;
  /** 'nearest' (default), 'nearest-exact', 'linear' (3-D input), 'bilinear' (4-D), 'trilinear' (5-D). */
  mode?: InterpolateMode;
  /** Linear modes: align the corner pixels' centres (default false). */
  alignCorners?: boolean | null;
  /** With scaleFactor: compute the sampling scale from the output size instead of 1/scaleFactor. */
  recomputeScaleFactor?: boolean | null;
}

/** The supported modes (for the layers' construction-time checks). */
export const INTERPOLATE_MODES: readonly InterpolateMode[] = ['nearest', 'nearest-exact', 'linear', 'bilinear', 'trilinear'];
const MODES = INTERPOLATE_MODES;
const LINEAR_RANK: Partial<Record<InterpolateMode, number>> = { linear: 3, bilinear: 4, trilinear: 5 };
const OPTION_NAMES = ['size', 'scaleFactor', 'mode', 'alignCorners', 'recomputeScaleFactor'] as const;

/** Expands a number-or-list argument to one value per spatial dim. */
function perDim(name: string, v: number | readonly number[], n: number, input: Tensor): number[] {
  const list = typeof v === 'number' ? new Array<number>(n).fill(v) : [...v];
  if (list.length !== n) {
    throw new TensorError(`interpolate: ${name} has ${list.length} values but the input ${fmtShape(input.shape)} has ${n} spatial dim${n > 1 ? 's' : ''}`);
  }
  return list;
}

interface Plan {
  mode: InterpolateMode;
  alignCorners: boolean;
  outSize: number[];
  /** PyTorch's per-dim `scales` argument: 1/scaleFactor when a scale factor is used, else null. */
  scales: (number | null)[];
}

function plan(input: Tensor, rest: readonly unknown[]): Plan {
  if (!(input instanceof Tensor)) throw new TensorError(`interpolate: input must be a Tensor (got ${describeArg(input)})`);
  const o = positionalOptions('interpolate', rest, OPTION_NAMES, OPTION_NAMES);
  const mode = (o.mode ?? 'nearest') as InterpolateMode;
  if (!MODES.includes(mode)) {
    throw new TensorError(`interpolate: mode must be one of ${MODES.map((m) => `'${m}'`).join(', ')} (got ${describeArg(o.mode)}); bicubic and area are not supported`);
  }
  if (input.ndim < 3 || input.ndim > 5) {
    throw new TensorError(`interpolate: input must be 3-D, 4-D or 5-D [N, C, ...spatial] (got shape ${fmtShape(input.shape)})`);
  }
  const want = LINEAR_RANK[mode];
  if (want !== undefined && input.ndim !== want) {
    throw new TensorError(`interpolate: mode '${mode}' needs a ${want}-D input (got shape ${fmtShape(input.shape)}); use ${['linear', 'bilinear', 'trilinear'][input.ndim - 3]} for ${input.ndim}-D`);
  }
  requireFloat('interpolate', input);
  const alignCorners = o.alignCorners ?? null;
  if (alignCorners !== null && typeof alignCorners !== 'boolean') throw new TensorError(`interpolate: alignCorners must be a boolean (got ${describeArg(alignCorners)})`);
  if (alignCorners !== null && want === undefined) {
    throw new TensorError(`interpolate: alignCorners can only be set with the linear modes (linear, bilinear, trilinear), not '${mode}'`);
  }
  const recompute = o.recomputeScaleFactor ?? null;
  if (recompute !== null && typeof recompute !== 'boolean') throw new TensorError(`interpolate: recomputeScaleFactor must be a boolean (got ${describeArg(recompute)})`);
  const n = input.ndim - 2;
  const inSize = input.shape.slice(2);
  if (inSize.some((d) => d === 0)) throw new TensorError(`interpolate: the input's spatial sizes must be positive (got shape ${fmtShape(input.shape)})`);
  const size = o.size ?? null, factor = o.scaleFactor ?? null;
  if ((size === null) === (factor === null)) {
    throw new TensorError(`interpolate: give exactly one of size and scaleFactor (got ${size === null ? 'neither' : 'both'})`);
  }
  const isNumList = (v: unknown) => typeof v === 'number' || (Array.isArray(v) && v.every((e) => typeof e === 'number'));
  let outSize: number[], scales: (number | null)[];
  if (size !== null) {
    if (!isNumList(size)) throw new TensorError(`interpolate: size must be a number or an array of numbers (got ${describeArg(size)})`);
    if (recompute !== null) throw new TensorError('interpolate: recomputeScaleFactor applies only with scaleFactor, not with size');
    outSize = perDim('size', size as number | number[], n, input);
    if (outSize.some((d) => !Number.isInteger(d) || d < 1)) throw new TensorError(`interpolate: size must hold positive integers (got ${describeArg(size)})`);
    scales = outSize.map(() => null);
  } else {
    if (!isNumList(factor)) throw new TensorError(`interpolate: scaleFactor must be a number or an array of numbers (got ${describeArg(factor)})`);
    const f = perDim('scaleFactor', factor as number | number[], n, input);
    if (f.some((v) => !(v > 0) || !Number.isFinite(v))) throw new TensorError(`interpolate: scaleFactor must be positive and finite (got ${describeArg(factor)})`);
    outSize = inSize.map((d, i) => Math.floor(d * f[i]!));
    if (outSize.some((d) => d < 1)) {
      throw new TensorError(`interpolate: scaleFactor ${describeArg(factor)} gives an empty output ${fmtShape(outSize)} for input ${fmtShape(input.shape)}`);
    }
    scales = recompute ? outSize.map(() => null) : f.map((v) => 1 / v);
  }
  return { mode, alignCorners: alignCorners ?? false, outSize, scales };
}

/** PyTorch's nearest_idx, in float32 arithmetic like its CPU kernel. */
function nearestIndex(dst: number, inSize: number, outSize: number, scale: number | null, exact: boolean): number {
  if (!exact && outSize === inSize) return dst;
  if (!exact && outSize === 2 * inSize) return dst >> 1;
  const s = Math.fround(scale ?? inSize / outSize);
  const src = Math.floor(Math.fround((exact ? dst + 0.5 : dst) * s));
  return Math.min(src, inSize - 1);
}

/** PyTorch's area_pixel_compute_scale + source index for linear modes: [i0, i1, w0, w1]. */
function linearTaps(dst: number, inSize: number, outSize: number, scale: number | null, alignCorners: boolean): [number, number, number, number] {
  let src: number;
  if (alignCorners) src = outSize > 1 ? ((inSize - 1) / (outSize - 1)) * dst : 0;
  else src = Math.max((scale ?? inSize / outSize) * (dst + 0.5) - 0.5, 0);
  const i0 = Math.min(Math.floor(src), inSize - 1);
  const i1 = Math.min(i0 + 1, inSize - 1);
  const w1 = src - i0;
  return [i0, i1, 1 - w1, w1];
}

/**
 * Resizes the spatial dims of `[N, C, L]`, `[N, C, H, W]` or `[N, C, D, H, W]`
 * to `size` or by `scaleFactor`, with PyTorch's modes and index conventions:
 * 'nearest' (default), 'nearest-exact', and 'linear'/'bilinear'/'trilinear'
 * (3-D/4-D/5-D input) with `alignCorners`. Differentiable in the input.
 * Also PyTorch's positional form `interpolate(x, size, scaleFactor, mode, alignCorners)`.
 * @example
 * F.interpolate(x, { scaleFactor: 2 })                                   // [N,C,H,W] -> [N,C,2H,2W]
 * F.interpolate(x, { size: [32, 32], mode: 'bilinear', alignCorners: false })
 */
export function interpolate(input: Tensor, ...rest: [options?: InterpolateOptions] | unknown[]): Tensor {
  const p = plan(input, rest);
  let y = input;
  p.outSize.forEach((out, i) => {
    const axis = i + 2, inSize = input.shape[axis]!, scale = p.scales[i]!;
    if (p.mode === 'nearest' || p.mode === 'nearest-exact') {
      if (out === inSize && p.mode === 'nearest') return;
      const idx = Array.from({ length: out }, (_, d) => nearestIndex(d, inSize, out, scale, p.mode === 'nearest-exact'));
      y = indexSelect(y, axis, fromHost(idx, [out], 'int32', y.backend));
      return;
    }
    const taps = Array.from({ length: out }, (_, d) => linearTaps(d, inSize, out, scale, p.alignCorners));
    const wShape = y.shape.map((s, j) => (j === axis ? out : 1));
    const w = (k: 2 | 3) => fromHost(taps.map((t) => t[k]), wShape, y.dtype, y.backend);
    const lo = indexSelect(y, axis, fromHost(taps.map((t) => t[0]), [out], 'int32', y.backend));
    const hi = indexSelect(y, axis, fromHost(taps.map((t) => t[1]), [out], 'int32', y.backend));
    y = add(mul(lo, w(2)), mul(hi, w(3)));
  });
  // A result never aliases the input, even when no dim changes size.
  return y === input ? y.clone() : y;
}
