import type { ReduceOp } from '../backend/backend.js';
import { record } from '../tensor/graph.js';
import type { DType } from '../core/dtype.js';
import { isFloating } from '../core/dtype.js';
import { TensorError, fmtShape } from '../core/errors.js';
import { normalizeDim, normalizeDims } from '../core/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { cast, exp, log, sqrt, sub, where } from './elementwise.js';
import { requireFloat } from './core.js';
import { reduceCall, varianceCall } from '../tensor/args.js';
import { gather } from './indexing.js';

type Dims = number | readonly number[] | undefined;

/** Output shape of a reduction over sorted `axes`. */
export function reducedShape(shape: readonly number[], axes: readonly number[], keepdim: boolean): number[] {
  const set = new Set(axes);
  return keepdim ? shape.map((d, i) => (set.has(i) ? 1 : d)) : shape.filter((_, i) => !set.has(i));
}

function reducePrim(op: ReduceOp & ('sum' | 'prod' | 'max' | 'min'), x: Tensor, dim: Dims, keepdim: boolean, outDtype: DType, nanAware = false): Tensor {
  const axes = normalizeDims(op, dim, x.ndim);
  if ((op === 'max' || op === 'min') && axes.some((a) => x.shape[a] === 0)) {
    throw new TensorError(`${op}: cannot reduce over an empty dimension (shape ${fmtShape(x.shape)}, dim ${JSON.stringify(dim)})`);
  }
  const input = cast(x, outDtype);
  const s = x.backend.reduce(op, input._storage, input.layout, axes, outDtype);
  const out = Tensor._fromStorage(s, reducedShape(x.shape, axes, keepdim), outDtype);
  if (!isFloating(outDtype)) return out;
  const saved = op === 'sum' ? [] : [input, out];
  return record(op, [input], out, saved, { axes, keepdim, nanAware });
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
  [x, dim, keepdim] = reduceCall('sum', arguments, 'dims?');
  return reducePrim('sum', x, dim, keepdim, sumDtype(x.dtype));
}

/**
 * Product over `dim` (all dims by default; a dim or a list): `[A, B]` with dim 1 -> `[A]` (`[A, 1]` with
 * keepdim). The gradient is exact with zeros present. Integer and bool inputs reduce in int32. Like torch.prod.
 * @example tg.prod(tg.tensor([[1, 2], [3, 4]]), 1) // [2, 12]
 */
export function prod(x: Tensor, dim?: Dims, keepdim = false): Tensor {
  [x, dim, keepdim] = reduceCall('prod', arguments, 'dims?');
  return reducePrim('prod', x, dim, keepdim, sumDtype(x.dtype));
}

/** Values and int32 indices of a maximum or minimum along one dim (PyTorch's `torch.return_types.max`). */
export interface ValuesIndices {
  /** The extreme values along the dim (the input's dtype; the dim removed unless keepdim). */
  values: Tensor;
  /** int32 positions along the dim; the FIRST extremum on ties (the first NaN where there is one). */
  indices: Tensor;
}

/**
 * Maximum. Without `dim`: the maximum of all elements as a 0-d tensor (the gradient is
 * split evenly between tied maxima, or between the NaNs if there is one, as PyTorch).
 * With `dim`: `{ values, indices }` along that one dim, like `torch.max(x, dim)`; the
 * whole gradient goes to the returned (first) maximum. Use {@link amax} to reduce over
 * several dims. NaN propagates.
 * @example
 * const { values, indices } = tg.max(x, 1);   // x [N, C] -> values [N], indices [N] (int32)
 * x.max()                                     // 0-d tensor
 */
export function max(x: Tensor, dim?: undefined, keepdim?: boolean): Tensor;
export function max(x: Tensor, dim: number, keepdim?: boolean): ValuesIndices;
export function max(x: Tensor, dim?: number, keepdim = false): Tensor | ValuesIndices {
  [x, dim, keepdim] = reduceCall('max', arguments, 'any') as [Tensor, number | undefined, boolean];
  return dim === undefined ? fullExtremum('max', x, keepdim) : extremumAlong('max', x, dim, keepdim);
}

/**
 * Minimum: as {@link max}. Without `dim` a 0-d tensor; with `dim` `{ values, indices }`.
 * @example
 * const { values, indices } = tg.min(x, 0, true);   // x [N, C] -> [1, C] each
 */
export function min(x: Tensor, dim?: undefined, keepdim?: boolean): Tensor;
export function min(x: Tensor, dim: number, keepdim?: boolean): ValuesIndices;
export function min(x: Tensor, dim?: number, keepdim = false): Tensor | ValuesIndices {
  [x, dim, keepdim] = reduceCall('min', arguments, 'any') as [Tensor, number | undefined, boolean];
  return dim === undefined ? fullExtremum('min', x, keepdim) : extremumAlong('min', x, dim, keepdim);
}

/**
 * Maximum over `dim` (one dim, several, or all by default) as a tensor, like `torch.amax`;
 * tied maxima share the gradient evenly. NaN propagates.
 * @example tg.tensor([[1, 3, 3], [2, 0, 1]]).amax(1)   // [3, 2]
 */
export function amax(x: Tensor, dim?: Dims, keepdim = false): Tensor {
  [x, dim, keepdim] = reduceCall('amax', arguments, 'dims?');
  return reducePrim('max', x, dim, keepdim, x.dtype);
}

/**
 * Minimum over `dim` (one dim, several, or all by default) as a tensor, like `torch.amin`.
 * @example tg.tensor([[1, 3, 3], [2, 0, 1]]).amin([0, 1])   // 0
 */
export function amin(x: Tensor, dim?: Dims, keepdim = false): Tensor {
  [x, dim, keepdim] = reduceCall('amin', arguments, 'dims?');
  return reducePrim('min', x, dim, keepdim, x.dtype);
}

/** torch.max() with no dim: the gradient rule splits evenly between ties, NaNs first (attr nanAware). */
function fullExtremum(op: 'max' | 'min', x: Tensor, keepdim: boolean): Tensor {
  if (typeof keepdim !== 'boolean') throw new TensorError(`${op}: keepdim must be a boolean (got ${String(keepdim)})`);
  return reducePrim(op, x, undefined, keepdim, x.dtype, true);
}

/** torch.max(x, dim): argmax/argmin, then gather the values so the gradient flows to that index only. */
function extremumAlong(op: 'max' | 'min', x: Tensor, dim: number, keepdim: boolean): ValuesIndices {
  if (typeof dim !== 'number' || !Number.isInteger(dim)) {
    throw new TensorError(`${op}: dim must be one integer (got ${JSON.stringify(dim)}); use ${op === 'max' ? 'amax' : 'amin'}(x, dims) to reduce over several dims`);
  }
  if (typeof keepdim !== 'boolean') throw new TensorError(`${op}: keepdim must be a boolean (got ${String(keepdim)})`);
  if (x.ndim === 0) {
    // A 0-d tensor has one position: the value itself, at index 0 (as PyTorch).
    normalizeDim(op, dim, 0);
    const r = extremumAlong(op, x.reshape([1]), 0, false);
    return { values: r.values.reshape([]), indices: r.indices.reshape([]) };
  }
  const d = normalizeDim(op, dim, x.ndim);
  const indices = argReduce(op === 'max' ? 'argmax' : 'argmin', x, d, true, op);
  const values = gather(x, d, indices);
  return keepdim ? { values, indices } : { values: values.squeeze(d), indices: indices.squeeze(d) };
}

/** Number of elements a reduction over `dim` combines. */
function countOf(x: Tensor, dim: Dims, op: string): number {
  return normalizeDims(op, dim, x.ndim).reduce((n, a) => n * x.shape[a]!, 1);
}

/**
 * Arithmetic mean over `dim` (all dims by default; a dim or a list): `[A, B]` with dim 0 -> `[B]`
 * (`[1, B]` with keepdim). Floating dtypes only (integers throw a TensorError), like torch.mean.
 * @example tg.mean(tg.tensor([[1, 2], [3, 4]]), 0) // [2, 3]
 */
export function mean(x: Tensor, dim?: Dims, keepdim = false): Tensor {
  [x, dim, keepdim] = reduceCall('mean', arguments, 'dims?');
  requireFloat('mean', x);
  return sum(x, dim, keepdim).div(countOf(x, dim, 'mean'));
}

export interface VarOptions {
  /** Bessel's correction: divide by N - correction (default 1, unbiased). */
  correction?: number;
  /** Keep the reduced dims with size 1. Default false. */
  keepdim?: boolean;
}

/**
 * Variance over `dim` (all dims by default), dividing by N - `correction` (default 1, unbiased):
 * `[A, B]` with dim 1 -> `[A]`. Floating dtypes only. Exported as `tg.var`; like torch.var.
 * @example tg.var(tg.tensor([1, 2, 3, 4])) // 1.6667
 */
export function variance(x: Tensor, dim?: Dims, opts: VarOptions = {}): Tensor {
  [x, dim, opts] = varianceCall('var', arguments);
  requireFloat('var', x);
  const { correction = 1, keepdim = false } = opts;
  const n = countOf(x, dim, 'var');
  const centered = sub(x, mean(x, dim, true));
  return sum(centered.mul(centered), dim, keepdim).div(Math.max(n - correction, 0));
}

/**
 * Standard deviation over `dim` (all dims by default): the square root of `var` with the same
 * `correction` (default 1) and `keepdim`. Floating dtypes only. Like torch.std.
 * @example tg.std(tg.tensor([[1, 3], [2, 6]]), 1, { correction: 0 }) // [1, 2]
 */
export function std(x: Tensor, dim?: Dims, opts: VarOptions = {}): Tensor {
  [x, dim, opts] = varianceCall('std', arguments);
  return sqrt(variance(x, dim, opts));
}

/**
 * `log(sum(exp(x)))` over `dim` (required), computed stably by shifting by the max: `[N, C]` with dim 1
 * -> `[N]`. Floating dtypes only. Like torch.logsumexp.
 * @example tg.logsumexp(tg.tensor([[0, 0], [1000, 1000]]), 1) // [0.6931, 1000.6931]
 */
export function logsumexp(x: Tensor, dim: Dims, keepdim = false): Tensor {
  [x, dim, keepdim] = reduceCall('logsumexp', arguments, 'dims');
  requireFloat('logsumexp', x);
  const m = amax(x, dim, true).detach();
  // An all -inf slice would give inf - inf = NaN; shift by 0 there instead.
  const shift = where(m.abs().eq(Infinity), 0, m);
  const out = log(sum(exp(sub(x, shift)), dim, true)).add(shift);
  return keepdim ? out : out.squeeze(normalizeDims('logsumexp', dim, x.ndim));
}

function argReduce(op: 'argmax' | 'argmin', x: Tensor, dim: number | undefined, keepdim: boolean, name: string = op): Tensor {
  if (dim === undefined) {
    if (x.numel() === 0) throw new TensorError(`${name}: cannot reduce an empty tensor`);
    const flat = x.reshape([-1]);
    const s = x.backend.reduce(op, flat._storage, flat.layout, [0], 'int32');
    const shape = keepdim ? x.shape.map(() => 1) : [];
    return Tensor._fromStorage(s, shape, 'int32');
  }
  if (typeof dim !== 'number') throw new TensorError(`${name}: dim must be one integer (got ${JSON.stringify(dim)})`);
  const d = normalizeDim(name, dim, x.ndim);
  if (x.ndim === 0) {
    const s = x.backend.reduce(op, x._storage, { shape: [1], strides: [1], offset: x.layout.offset }, [0], 'int32');
    return Tensor._fromStorage(s, [], 'int32');
  }
  if (x.shape[d] === 0) throw new TensorError(`${name}: cannot reduce over an empty dimension (shape ${fmtShape(x.shape)}, dim ${dim})`);
  const s = x.backend.reduce(op, x._storage, x.layout, [d], 'int32');
  return Tensor._fromStorage(s, reducedShape(x.shape, [d], keepdim), 'int32');
}

/**
 * Index (int32) of the maximum along `dim`, or in the flattened tensor; the first one on
 * ties, and the first NaN where there is one (as PyTorch).
 * @example tg.tensor([[1, 5, 5]]).argmax(1)   // [1]
 */
export function argmax(x: Tensor, dim?: number, keepdim = false): Tensor {
  [x, dim, keepdim] = reduceCall('argmax', arguments, 'dim?') as [Tensor, number | undefined, boolean];
  return argReduce('argmax', x, dim, keepdim);
}

/**
 * Index (int32) of the minimum along `dim`, or in the flattened tensor (first on ties, NaN first).
 * @example tg.tensor([[2, 0, 0]]).argmin(1)   // [1]
 */
export function argmin(x: Tensor, dim?: number, keepdim = false): Tensor {
  [x, dim, keepdim] = reduceCall('argmin', arguments, 'dim?') as [Tensor, number | undefined, boolean];
  return argReduce('argmin', x, dim, keepdim);
}
