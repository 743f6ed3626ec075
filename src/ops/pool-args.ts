import type { AdaptivePoolParams, AvgPoolParams, PoolParams } from '../backend/backend.js';
import { TensorError, fmtShape } from '../core/errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { requireFloat } from './core.js';
import { checkArgs, checkBool, describeArg, positionalOptions, type ArgSpec } from '../tensor/args.js';

/*
 * Argument normalisation for the pools in pool.ts (PyTorch's _pair/_triple and
 * pool2d_shape_check). Every N-d pool is run as a 3-d pool on a 5-D view
 * [N, C, D, H, W]: missing leading spatial dims become size 1 with kernel 1,
 * stride 1, padding 0, dilation 1, which leaves them untouched.
 */

import type { SizeArg } from './conv-args.js';
export type { SizeArg };

type Dims3 = [number, number, number];

/** An input seen as 5-D, and how to shape the result back. */
export interface Pool5d {
  /** The input as [batch, channels, D, H, W]. */
  readonly x5: Tensor;
  readonly batch: number;
  readonly channels: number;
  /** The N spatial sizes of the input. */
  readonly spatial: readonly number[];
  /** Leading output dims: [N, C], or [C] for an unbatched input. */
  readonly lead: readonly number[];
}

/** Prints per-dim values as one number when they agree (`3`), else as a list (`[3,1]`). */
export function fmtSizes(v: readonly number[]): string {
  return v.every((x) => x === v[0]) ? String(v[0]) : fmtShape(v);
}

/** The input-shape suffix every pool error message ends with. */
export function inputNote(input: Tensor): string {
  return `(input ${fmtShape(input.shape)})`;
}

/**
 * Checks dtype and rank and views the input as 5-D. Accepts `[N, C, ...spatial]`
 * or unbatched `[C, ...spatial]` with `n` spatial dims, like PyTorch. The batch
 * may be empty; channels and spatial dims may not (a pool of nothing is a bug).
 */
export function to5d(op: string, n: number, input: Tensor): Pool5d {
  requireFloat(op, input);
  const r = input.ndim;
  if (r !== n + 1 && r !== n + 2) {
    const names = ['L', 'H,W', 'D,H,W'][n - 1]!;
    throw new TensorError(
      `${op}: expected a ${n + 1}-D [C,${names}] or ${n + 2}-D [N,C,${names}] input, got ${r}-D ${inputNote(input)}`);
  }
  const unbatched = r === n + 1;
  const batch = unbatched ? 1 : input.shape[0]!;
  const lead = input.shape.slice(0, r - n);
  const channels = lead[lead.length - 1]!;
  const spatial = input.shape.slice(r - n);
  if (channels === 0 || spatial.some((s) => s === 0)) {
    throw new TensorError(`${op}: channel and spatial dims must be non-zero ${inputNote(input)}`);
  }
  const x5 = input.reshape([batch, channels, ...pad3(spatial, 1)]);
  return { x5, batch, channels, spatial, lead };
}

/** Shapes a 5-D pooling result `[batch, C, ...3 dims]` back to `[...lead, ...outSize]`. */
export function from5d(y5: Tensor, p: Pool5d, outSize: readonly number[]): Tensor {
  return y5.reshape([...p.lead, ...outSize]);
}

/** Left-fills an N-d size list to 3 dims with `fill`. */
export function pad3(v: readonly number[], fill: number): Dims3 {
  const out = [fill, fill, fill];
  out.splice(3 - v.length, v.length, ...v);
  return out as Dims3;
}

/**
 * Expands a size argument to `n` integers, each at least `min`. A list must have
 * 1 or `n` entries (PyTorch accepts a 1-tuple for every dim).
 */
export function sizeArg(op: string, name: string, v: SizeArg, n: number, min: number, input: Tensor): number[] {
  if (typeof v !== 'number' && !Array.isArray(v)) {
    throw new TensorError(`${op}: ${name} must be a number or a list of ${n} numbers, got ${describeArg(v)} ${inputNote(input)}`);
  }
  const list = typeof v === 'number' ? [v] : [...v];
  if (list.length !== 1 && list.length !== n) {
    throw new TensorError(`${op}: ${name} must be a number or a list of ${n} numbers, got ${fmtShape(list)} ${inputNote(input)}`);
  }
  const bound = min === 0 ? 'non-negative' : 'positive';
  for (const x of list) {
    if (!Number.isInteger(x) || x < min) {
      throw new TensorError(`${op}: ${name} must be ${bound} integers, got ${typeof v === 'number' ? v : fmtShape(list)} ${inputNote(input)}`);
    }
  }
  return list.length === n ? list : Array<number>(n).fill(list[0]!);
}

/**
 * PyTorch's pooling output size along one dim:
 * `floor_or_ceil((in + 2p - d(k-1) - 1) / s) + 1`, and in ceil mode the last
 * window is dropped when it would start in the right padding (it would see no
 * input, or only padding PyTorch never reads).
 */
export function pooledSize(inSize: number, k: number, s: number, p: number, d: number, ceilMode: boolean): number {
  const span = inSize + 2 * p - d * (k - 1) - 1;
  let out = (ceilMode ? Math.ceil(span / s) : Math.floor(span / s)) + 1;
  if (ceilMode && (out - 1) * s >= inSize + p) out--;
  return out;
}

/** Options shared by the strided pools (max, avg, lp). */
export interface StridedPoolArgs {
  stride?: SizeArg | null;
  padding?: SizeArg;
  dilation?: SizeArg;
  ceilMode?: boolean;
}

/** A validated strided pooling: the 5-D input, the backend geometry and the N-d output size. */
export interface StridedGeometry {
  readonly p5: Pool5d;
  readonly params: PoolParams;
  readonly outSize: number[];
  /** Product of the kernel sizes (lp pooling scales by it). */
  readonly kernelNumel: number;
}

/**
 * Validates a max/avg/lp pooling call and computes its geometry. Follows
 * PyTorch's pool shape check: positive kernel, stride (default: the kernel) and
 * dilation, `padding <= floor(kernel / 2)` per dim, and a non-empty output.
 */
export function stridedGeometry(op: string, n: number, input: Tensor, kernelSize: SizeArg, a: StridedPoolArgs): StridedGeometry {
  const p5 = to5d(op, n, input);
  const k = sizeArg(op, 'kernelSize', kernelSize, n, 1, input);
  const s = a.stride == null ? k : sizeArg(op, 'stride', a.stride, n, 1, input);
  const pad = sizeArg(op, 'padding', a.padding ?? 0, n, 0, input);
  const d = sizeArg(op, 'dilation', a.dilation ?? 1, n, 1, input);
  if (pad.some((p, i) => p > Math.floor(k[i]! / 2))) {
    throw new TensorError(`${op}: padding ${fmtSizes(pad)} must be at most half of kernel size ${fmtSizes(k)} ${inputNote(input)}`);
  }
  const ceilMode = a.ceilMode ?? false;
  const outSize = p5.spatial.map((len, i) => pooledSize(len, k[i]!, s[i]!, pad[i]!, d[i]!, ceilMode));
  if (outSize.some((o) => o < 1)) {
    const dil = d.some((x) => x !== 1) ? `, dilation ${fmtSizes(d)}` : '';
    throw new TensorError(
      `${op}: output size would be ${fmtSizes(outSize.map((o) => Math.max(o, 0)))} ` +
      `(input ${fmtShape(input.shape)}, kernel ${fmtSizes(k)}, stride ${fmtSizes(s)}, padding ${fmtSizes(pad)}${dil})`);
  }
  const params: PoolParams = {
    batch: p5.batch, channels: p5.channels, inSize: pad3(p5.spatial, 1), outSize: pad3(outSize, 1),
    kernelSize: pad3(k, 1), stride: pad3(s, 1), padding: pad3(pad, 0), dilation: pad3(d, 1),
  };
  return { p5, params, outSize, kernelNumel: k.reduce((x, y) => x * y, 1) };
}

/** Average-pool params from a (dilation-free) geometry plus PyTorch's divisor rules. */
export function avgParams(op: string, g: StridedGeometry, countIncludePad: boolean, divisorOverride: number | undefined, input: Tensor): AvgPoolParams {
  if (divisorOverride !== undefined && (!Number.isInteger(divisorOverride) || divisorOverride === 0)) {
    throw new TensorError(`${op}: divisorOverride must be a non-zero integer, got ${divisorOverride} ${inputNote(input)}`);
  }
  return { ...g.params, countIncludePad, ...(divisorOverride !== undefined ? { divisorOverride } : {}) };
}

/**
 * Validates an adaptive pooling call. `outputSize` is a number or a per-dim list
 * where `null` keeps that input size; every size must be a positive integer.
 */
export function adaptiveGeometry(
  op: string, n: number, input: Tensor, outputSize: number | readonly (number | null)[],
): { p5: Pool5d; params: AdaptivePoolParams; outSize: number[] } {
  const p5 = to5d(op, n, input);
  if (typeof outputSize !== 'number' && !Array.isArray(outputSize)) {
    throw new TensorError(`${op}: outputSize must be a number or a list of ${n} sizes, got ${describeArg(outputSize)} ${inputNote(input)}`);
  }
  const list = typeof outputSize === 'number' ? [outputSize] : [...outputSize];
  const shown = typeof outputSize === 'number' ? String(outputSize) : `[${list.map(String).join(',')}]`;
  if (list.length !== 1 && list.length !== n) {
    throw new TensorError(`${op}: outputSize must be a number or a list of ${n} sizes, got ${shown} ${inputNote(input)}`);
  }
  const full = list.length === n ? list : Array<number | null>(n).fill(list[0]!);
  const outSize = full.map((o, i) => (o === null ? p5.spatial[i]! : o));
  if (outSize.some((o) => !Number.isInteger(o) || o < 1)) {
    throw new TensorError(`${op}: outputSize must be positive integers (or null to keep a dim), got ${shown} ${inputNote(input)}`);
  }
  const params: AdaptivePoolParams = {
    batch: p5.batch, channels: p5.channels, inSize: pad3(p5.spatial, 1), outSize: pad3(outSize, 1),
  };
  return { p5, params, outSize };
}

/** PyTorch's positional option order of each functional pool (after input and kernelSize / outputSize). */
export const POOL_POSITIONAL = {
  max: ['stride', 'padding', 'dilation', 'ceilMode', 'returnIndices'],
  avg: ['stride', 'padding', 'ceilMode', 'countIncludePad', 'divisorOverride'],
  lp: ['stride', 'ceilMode'],
  adaptiveMax: ['returnIndices'],
  none: [],
} as const;

/**
 * Checks a functional pooling call: `lead` names the leading arguments with
 * their kinds (`{ input: 'tensor', kernelSize: 'size' }`); the rest are the
 * options in PyTorch's positional order (`names`) and/or one options object.
 * Returns the leading values followed by the merged options.
 * @example poolCall('maxPool2d', [x, 2, 2], { input: 'tensor', kernelSize: 'size' }, POOL_POSITIONAL.max) // [x, 2, { stride: 2 }]
 */
export function poolCall(op: string, args: ArrayLike<unknown>, lead: Readonly<Record<string, ArgSpec>>, names: readonly string[]): unknown[] {
  const a = Array.from(args);
  const k = Object.keys(lead).length;
  checkArgs(op, a.slice(0, k), lead);
  const opts = positionalOptions(op, a.slice(k), names, names);
  for (const key of ['ceilMode', 'countIncludePad', 'returnIndices']) if (opts[key] !== undefined) checkBool(op, key, opts[key]);
  return [...a.slice(0, k), opts];
}
