import type { ReduceOp } from '../backend/backend.js';
import { record } from '../autograd/engine.js';
import type { DType } from '../tensor/dtype.js';
import { isFloating } from '../tensor/dtype.js';
import { TensorError, fmtShape } from '../tensor/errors.js';
import { normalizeDim, normalizeDims } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { cast, exp, log, sqrt, sub, where } from './elementwise.js';
import { requireFloat } from './core.js';

type Dims = number | readonly number[] | undefined;

/** Output shape of a reduction over sorted `axes`. */
export function reducedShape(shape: readonly number[], axes: readonly number[], keepdim: boolean): number[] {
  const set = new Set(axes);
  return keepdim ? shape.map((d, i) => (set.has(i) ? 1 : d)) : shape.filter((_, i) => !set.has(i));
}

function reducePrim(op: ReduceOp & ('sum' | 'prod' | 'max' | 'min'), x: Tensor, dim: Dims, keepdim: boolean, outDtype: DType): Tensor {
  const axes = normalizeDims(op, dim, x.ndim);
  if ((op === 'max' || op === 'min') && axes.some((a) => x.shape[a] === 0)) {
    throw new TensorError(`${op}: cannot reduce over an empty dimension (shape ${fmtShape(x.shape)}, dim ${JSON.stringify(dim)})`);
  }
  const input = cast(x, outDtype);
  const s = x.backend.reduce(op, input._storage, input.layout, axes, outDtype);
  const out = Tensor._fromStorage(s, reducedShape(x.shape, axes, keepdim), outDtype);
  if (!isFloating(outDtype)) return out;
  const saved = op === 'sum' ? [] : [input, out];
  return record(op, [input], out, saved, { axes, keepdim });
}

/** Sums bool and int32 as int32 (PyTorch sums them as int64), floats in their own dtype. */
function sumDtype(dtype: DType): DType {
  return dtype === 'bool' ? 'int32' : dtype;
}

/**
 * Sum over `dim` (all dims by default).
 * @example tg.ones([2, 3]).sum(1) // [3, 3]
 */
export function sum(x: Tensor, dim?: Dims, keepdim = false): Tensor {
  return reducePrim('sum', x, dim, keepdim, sumDtype(x.dtype));
}

/** Product over `dim` (all by default); the gradient is exact with zeros present. */
export function prod(x: Tensor, dim?: Dims, keepdim = false): Tensor {
  return reducePrim('prod', x, dim, keepdim, sumDtype(x.dtype));
}

/** Maximum over `dim` (all by default). Ties share the gradient equally. */
export function max(x: Tensor, dim?: Dims, keepdim = false): Tensor {
  return reducePrim('max', x, dim, keepdim, x.dtype);
}

/** Minimum over `dim` (all by default). */
export function min(x: Tensor, dim?: Dims, keepdim = false): Tensor {
  return reducePrim('min', x, dim, keepdim, x.dtype);
}

/** Number of elements a reduction over `dim` combines. */
function countOf(x: Tensor, dim: Dims, op: string): number {
  return normalizeDims(op, dim, x.ndim).reduce((n, a) => n * x.shape[a]!, 1);
}

/** Arithmetic mean over `dim` (floating dtypes only, like PyTorch). */
export function mean(x: Tensor, dim?: Dims, keepdim = false): Tensor {
  requireFloat('mean', x);
  return sum(x, dim, keepdim).div(countOf(x, dim, 'mean'));
}

export interface VarOptions {
  /** Bessel's correction: divide by N - correction (default 1, unbiased). */
  correction?: number;
  keepdim?: boolean;
}

/** Variance over `dim` with `correction` (default 1). */
export function variance(x: Tensor, dim?: Dims, opts: VarOptions = {}): Tensor {
  requireFloat('var', x);
  const { correction = 1, keepdim = false } = opts;
  const n = countOf(x, dim, 'var');
  const centered = sub(x, mean(x, dim, true));
  return sum(centered.mul(centered), dim, keepdim).div(Math.max(n - correction, 0));
}

/** Standard deviation over `dim` with `correction` (default 1). */
export function std(x: Tensor, dim?: Dims, opts: VarOptions = {}): Tensor {
  return sqrt(variance(x, dim, opts));
}

/** log(sum(exp(x))) over `dim`, computed stably by shifting by the max. */
export function logsumexp(x: Tensor, dim: Dims, keepdim = false): Tensor {
  requireFloat('logsumexp', x);
  const m = max(x, dim, true).detach();
  // An all -inf slice would give inf - inf = NaN; shift by 0 there instead.
  const shift = where(m.abs().eq(Infinity), 0, m);
  const out = log(sum(exp(sub(x, shift)), dim, true)).add(shift);
  return keepdim ? out : out.squeeze(normalizeDims('logsumexp', dim, x.ndim));
}

function argReduce(op: 'argmax' | 'argmin', x: Tensor, dim: number | undefined, keepdim: boolean): Tensor {
  if (dim === undefined) {
    if (x.numel() === 0) throw new TensorError(`${op}: cannot reduce an empty tensor`);
    const flat = x.reshape([-1]);
    const s = x.backend.reduce(op, flat._storage, flat.layout, [0], 'int32');
    const shape = keepdim ? x.shape.map(() => 1) : [];
    return Tensor._fromStorage(s, shape, 'int32');
  }
  const d = normalizeDim(op, dim, x.ndim);
  if (x.shape[d] === 0) throw new TensorError(`${op}: cannot reduce over an empty dimension (shape ${fmtShape(x.shape)}, dim ${dim})`);
  const s = x.backend.reduce(op, x._storage, x.layout, [d], 'int32');
  return Tensor._fromStorage(s, reducedShape(x.shape, [d], keepdim), 'int32');
}

/** Index (int32) of the maximum along `dim`, or in the flattened tensor. */
export function argmax(x: Tensor, dim?: number, keepdim = false): Tensor {
  return argReduce('argmax', x, dim, keepdim);
}

/** Index (int32) of the minimum along `dim`, or in the flattened tensor. */
export function argmin(x: Tensor, dim?: number, keepdim = false): Tensor {
  return argReduce('argmin', x, dim, keepdim);
}
