import { isFloating } from '../core/dtype.js';
import { checkArgs } from '../tensor/args.js';
import { normalizeDims } from '../core/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { filled } from './core.js';
import { abs, eq, gt, ne, sub } from './elementwise.js';
import { sum } from './reduce.js';

/*
 * Elementwise tests for special values (isnan, isinf, isfinite) and the
 * boolean reductions any/all. All return bool tensors and are not
 * differentiable, like PyTorch's. They are composites of comparisons:
 * NaN is the one value unequal to itself, and x - x is 0 exactly for
 * finite x and NaN for ±Inf and NaN.
 */

/** A bool tensor of x's shape filled with `value` (integer and bool tensors hold no NaN/Inf). */
const constantMask = (x: Tensor, value: boolean): Tensor => filled(x.shape, value ? 1 : 0, 'bool', x.backend);

/**
 * True where x is NaN (bool tensor, same shape).
 * @example tg.isnan(tg.tensor([1, NaN])) // [false, true]
 */
export function isnan(x: Tensor): Tensor {
  checkArgs('isnan', arguments, { x: 'tensor' });
  return isFloating(x.dtype) ? ne(x, x) : constantMask(x, false);
}

/**
 * True where x is +Inf or -Inf (bool tensor, same shape).
 * @example tg.isinf(tg.tensor([1, -Infinity])) // [false, true]
 */
export function isinf(x: Tensor): Tensor {
  checkArgs('isinf', arguments, { x: 'tensor' });
  return isFloating(x.dtype) ? eq(abs(x), Infinity) : constantMask(x, false);
}

/** True where x is +Inf. @example tg.isposinf(tg.tensor([Infinity, -Infinity])) // [true, false] */
export function isposinf(x: Tensor): Tensor {
  checkArgs('isposinf', arguments, { x: 'tensor' });
  return isFloating(x.dtype) ? eq(x, Infinity) : constantMask(x, false);
}

/** True where x is -Inf. @example tg.isneginf(tg.tensor([Infinity, -Infinity])) // [false, true] */
export function isneginf(x: Tensor): Tensor {
  checkArgs('isneginf', arguments, { x: 'tensor' });
  return isFloating(x.dtype) ? eq(x, -Infinity) : constantMask(x, false);
}

/**
 * True where x is neither NaN nor ±Inf (bool tensor, same shape).
 * @example tg.isfinite(tg.tensor([1, NaN, Infinity])) // [true, false, false]
 */
export function isfinite(x: Tensor): Tensor {
  checkArgs('isfinite', arguments, { x: 'tensor' });
  // x - x is exactly 0 for every finite x, NaN for NaN and ±Inf.
  return isFloating(x.dtype) ? eq(sub(x, x), 0) : constantMask(x, true);
}

type Dims = number | readonly number[] | undefined;

/**
 * True if any element along `dim` (all dims by default) is nonzero; NaN counts
 * as nonzero, an empty reduction gives false. Returns a bool tensor.
 * @example tg.tensor([[0, 1], [0, 0]]).any(1) // [true, false]
 */
export function any(x: Tensor, dim?: Dims | null, keepdim = false): Tensor {
  checkArgs('any', arguments, { x: 'tensor', dim: 'dims?', keepdim: 'bool?' });
  const d = dim ?? undefined;
  normalizeDims('any', d, x.ndim);
  return gt(sum(ne(x, 0), d, keepdim), 0);
}

/**
 * True if every element along `dim` (all dims by default) is nonzero; NaN
 * counts as nonzero, an empty reduction gives true. Returns a bool tensor.
 * @example tg.tensor([[1, 1], [0, 1]]).all(1) // [true, false]
 */
export function all(x: Tensor, dim?: Dims | null, keepdim = false): Tensor {
  checkArgs('all', arguments, { x: 'tensor', dim: 'dims?', keepdim: 'bool?' });
  const d = dim ?? undefined;
  normalizeDims('all', d, x.ndim);
  return eq(sum(eq(x, 0), d, keepdim), 0);
}
