import { TensorError, fmtShape } from '../core/errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { checkArgs, positionalOptions, type ArgSpec } from '../tensor/args.js';

/*
 * Argument normalisation for the user-facing convolutions in conv.ts: per-dim
 * sizes, padding forms, and the output-size arithmetic. Kept apart so conv.ts
 * reads as "validate, build ConvParams, call the primitive".
 */

/** One value for every spatial dim, or one per spatial dim. */
export type SizeArg = number | readonly number[];

/**
 * Convolution padding:
 * - a number: that many zeros before and after every spatial dim;
 * - an array of n numbers: symmetric padding per spatial dim;
 * - an array of 2n numbers `[before_0, after_0, before_1, after_1, ...]` in dim
 *   order (first spatial dim first — NOT the reversed order of `F.pad`);
 * - `'valid'`: no padding;
 * - `'same'`: output size = input size (stride 1 only); the total d·(k−1) is split
 *   PyTorch-style, `before = floor(total / 2)` and `after` the rest.
 */
export type ConvPadding = SizeArg | 'valid' | 'same';

/** Keyword options of conv1d/2d/3d (PyTorch names). */
export interface ConvOptions {
  /** Step between windows (default 1). */
  stride?: SizeArg;
  /** See {@link ConvPadding} (default 0). */
  padding?: ConvPadding;
  /** Spacing between kernel taps (default 1). */
  dilation?: SizeArg;
  /** Channel groups; in and out channels must both be divisible by it (default 1). */
  groups?: number;
}

/** Keyword options of convTranspose1d/2d/3d (PyTorch names). */
export interface ConvTransposeOptions {
  /** Stride of the convolution being transposed (default 1). */
  stride?: SizeArg;
  /** Zero-padding of the convolution being transposed: crops that many positions from both ends of the output (default 0). */
  padding?: SizeArg;
  /** Extra positions added at the end of each output dim; must be smaller than stride or dilation (default 0). */
  outputPadding?: SizeArg;
  /** Spacing between kernel taps (default 1). */
  dilation?: SizeArg;
  /** Channel groups (default 1). */
  groups?: number;
}

const show = (v: unknown): string => (Array.isArray(v) ? fmtShape(v as number[]) : JSON.stringify(v));

/**
 * Expands a number-or-array option to `n` integers `>= min`.
 * `min` is 1 for stride/dilation, 0 for padding.
 */
export function perDim(op: string, name: string, v: SizeArg | undefined, n: number, dflt: number, min: number): number[] {
  let out: number[];
  if (v === undefined) out = new Array<number>(n).fill(dflt);
  else if (typeof v === 'number') out = new Array<number>(n).fill(v);
  else if (Array.isArray(v) && v.length === n) out = [...(v as readonly number[])];
  else throw new TensorError(`${op}: ${name} must be a number or an array of ${n} numbers (got ${show(v)})`);
  if (!out.every((x) => typeof x === 'number' && Number.isInteger(x) && x >= min)) {
    const what = min >= 1 ? 'positive' : 'non-negative';
    throw new TensorError(`${op}: ${name} must be ${what} integers (got ${show(v)})`);
  }
  return out;
}

/** Validates `groups` (a positive integer). */
export function checkGroups(op: string, groups: number | undefined): number {
  const g = groups ?? 1;
  if (!Number.isInteger(g) || g < 1) throw new TensorError(`${op}: groups must be a positive integer (got ${show(groups)})`);
  return g;
}

/** Padding before and after each of the n spatial dims. */
export interface SidePadding {
  before: number[];
  after: number[];
}

/** Resolves any {@link ConvPadding} form into per-side padding for kernel `k`, dilation `d`, stride `s`. */
export function resolvePadding(op: string, padding: ConvPadding | undefined, n: number, k: number[], d: number[], s: number[]): SidePadding {
  if (padding === 'valid') return { before: new Array<number>(n).fill(0), after: new Array<number>(n).fill(0) };
  if (padding === 'same') {
    // With stride > 1 no symmetric-ish padding keeps the size; PyTorch refuses it too.
    if (s.some((v) => v !== 1)) throw new TensorError(`${op}: padding 'same' requires stride 1 (got stride ${fmtShape(s)})`);
    const total = k.map((kk, i) => d[i]! * (kk - 1));
    const before = total.map((t) => Math.floor(t / 2));
    return { before, after: total.map((t, i) => t - before[i]!) };
  }
  if (typeof padding === 'string') {
    throw new TensorError(`${op}: padding must be a number, an array, 'valid' or 'same' (got ${show(padding)})`);
  }
  if (Array.isArray(padding) && padding.length === 2 * n && n > 0) {
    const sides = perDim(op, 'padding', padding, 2 * n, 0, 0);
    return { before: sides.filter((_, i) => i % 2 === 0), after: sides.filter((_, i) => i % 2 === 1) };
  }
  if (Array.isArray(padding) && padding.length !== n) {
    throw new TensorError(`${op}: padding must be a number, an array of ${n} (per dim) or ${2 * n} (per side: before, after for each dim) numbers, 'valid' or 'same' (got ${show(padding)})`);
  }
  const sym = perDim(op, 'padding', padding as SizeArg | undefined, n, 0, 0);
  return { before: sym, after: [...sym] };
}

/** Checks `(n, {kernel, ...})` of the output-size helpers: non-negative integers, kernel required. */
function sizeCall(op: string, args: ArrayLike<unknown>, keys: readonly string[]): void {
  checkArgs(op, args, { n: 'int', opts: keys });
  const o = (args[1] ?? {}) as Record<string, unknown>;
  if (o.kernel === undefined) throw new TensorError(`${op}: opts.kernel is required, e.g. ${op}(32, { kernel: 5, padding: 2 })`);
  checkArgs(op, keys.map((k) => o[k]), Object.fromEntries(keys.map((k, i) => [k, i ? 'int?' : 'int'])) as Record<string, ArgSpec>);
}

/**
 * Output length of a convolution along one dim:
 * `floor((n + 2p − d(k−1) − 1) / s) + 1` (PyTorch's formula; may be <= 0 for
 * inputs too small for the kernel, which the conv ops reject).
 * @example convOutputSize(32, { kernel: 5, padding: 2 }) // 32
 */
export function convOutputSize(n: number, opts: { kernel: number; stride?: number; padding?: number; dilation?: number }): number {
  sizeCall('convOutputSize', arguments, ['kernel', 'stride', 'padding', 'dilation']);
  const { kernel: k, stride: s = 1, padding: p = 0, dilation: d = 1 } = opts;
  return Math.floor((n + 2 * p - d * (k - 1) - 1) / s) + 1;
}

/**
 * Output length of a transposed convolution along one dim:
 * `(n − 1)s − 2p + d(k−1) + outputPadding + 1`.
 * @example convTransposeOutputSize(16, { kernel: 4, stride: 2, padding: 1 }) // 32
 */
export function convTransposeOutputSize(
  n: number,
  opts: { kernel: number; stride?: number; padding?: number; outputPadding?: number; dilation?: number },
): number {
  sizeCall('convTransposeOutputSize', arguments, ['kernel', 'stride', 'padding', 'outputPadding', 'dilation']);
  const { kernel: k, stride: s = 1, padding: p = 0, outputPadding: op = 0, dilation: d = 1 } = opts;
  return (n - 1) * s - 2 * p + d * (k - 1) + op + 1;
}

/** Left-pads a per-dim list to the 3 spatial dims of ConvParams (1-D/2-D convs use size-1 leading dims). */
export function to3(v: readonly number[], fill: number): [number, number, number] {
  const full = [...new Array<number>(3 - v.length).fill(fill), ...v];
  return [full[0]!, full[1]!, full[2]!];
}

/** PyTorch's positional options after (input, weight, bias) of F.conv1d/2d/3d. */
export type ConvFnArgs = [stride?: SizeArg | ConvOptions, padding?: ConvPadding, dilation?: SizeArg, groups?: number];
/** PyTorch's positional options after (input, weight, bias) of F.convTranspose1d/2d/3d (groups before dilation). */
export type ConvTransposeFnArgs = [stride?: SizeArg | ConvTransposeOptions, padding?: SizeArg, outputPadding?: SizeArg, groups?: number, dilation?: SizeArg];
const CONV_NAMES = ['stride', 'padding', 'dilation', 'groups'] as const;
const CONV_T_NAMES = ['stride', 'padding', 'outputPadding', 'groups', 'dilation'] as const;

/**
 * Checks a functional convolution call `(input, weight, bias?, ...options)`:
 * tensors where tensors belong, and the options in PyTorch's positional order
 * and/or as one options object (unknown keys, extra values throw).
 * @example convCall('conv2d', [x, w, null, 1, 1], false) // [x, w, null, { stride: 1, padding: 1 }]
 */
export function convCall(op: string, args: ArrayLike<unknown>, transpose: boolean): [Tensor, Tensor, Tensor | null, ConvOptions & ConvTransposeOptions] {
  const a = Array.from(args);
  checkArgs(op, a.slice(0, 3), { input: 'tensor', weight: 'tensor', bias: 'tensor?' });
  const names = transpose ? CONV_T_NAMES : CONV_NAMES;
  const opts = positionalOptions(op, a.slice(3), names, names);
  return [a[0] as Tensor, a[1] as Tensor, (a[2] ?? null) as Tensor | null, opts as ConvOptions & ConvTransposeOptions];
}
