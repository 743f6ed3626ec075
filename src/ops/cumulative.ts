import { TensorError } from '../core/errors.js';
import { normalizeDim } from '../core/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { filled } from './core.js';
import { add, cast, mul } from './elementwise.js';
import { cat, clone, narrow } from './movement.js';
import { checkArgs, describeArg as describe } from '../tensor/args.js';

/*
 * Inclusive scans along one dim, as composites: a Hillis-Steele scan with
 * ceil(log2 n) steps, each combining the running result with itself shifted
 * by 1, 2, 4, ... positions (the gap filled with the identity). Every step is
 * a cat/narrow/add (or mul), so gradients come from those rules: for cumsum a
 * reversed cumsum, for cumprod the exact product rule even with zeros (no
 * division by the input, unlike the textbook out/x formula).
 */

type Combine = (a: Tensor, b: Tensor) => Tensor;

function scan(op: string, x: Tensor, dim: number, identity: number, combine: Combine): Tensor {
  if (!(x instanceof Tensor)) throw new TensorError(`${op}: input must be a Tensor (got ${describe(x)})`);
  if (typeof dim !== 'number') throw new TensorError(`${op}: dim must be a number (got ${describe(dim)}); call ${op}(x, dim)`);
  const d = normalizeDim(op, dim, x.ndim);
  // Like PyTorch, bool and integer inputs accumulate as integers (int32 here; PyTorch uses int64).
  let y = x.dtype === 'bool' ? cast(x, 'int32') : x;
  // A result never aliases the input (as in PyTorch), even when no step runs.
  if (y.ndim === 0) return y === x ? clone(y) : y;
  const n = y.shape[d]!;
  for (let k = 1; k < n; k *= 2) {
    const pad = filled(y.shape.map((s, i) => (i === d ? k : s)), identity, y.dtype, y.backend);
    const shifted = cat([pad, narrow(y, d, 0, n - k)], d);
    y = combine(y, shifted);
  }
  return y === x ? clone(y) : y;
}

/**
 * Cumulative sum along `dim`: out[..., i, ...] = Σ_{j <= i} x[..., j, ...].
 * Same shape; bool/int32 inputs give int32.
 * @example tg.tensor([1, 2, 3]).cumsum(0) // [1, 3, 6]
 */
export function cumsum(x: Tensor, dim: number): Tensor {
  checkArgs('cumsum', arguments, { x: 'tensor', dim: 'dim' });
  return scan('cumsum', x, dim, 0, add);
}

/**
 * Cumulative product along `dim`: out[..., i, ...] = Π_{j <= i} x[..., j, ...].
 * Same shape; the gradient is exact with zeros in the input.
 * @example tg.tensor([1, 2, 3]).cumprod(0) // [1, 2, 6]
 */
export function cumprod(x: Tensor, dim: number): Tensor {
  checkArgs('cumprod', arguments, { x: 'tensor', dim: 'dim' });
  return scan('cumprod', x, dim, 1, mul);
}
