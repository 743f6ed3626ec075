import { TensorError, fmtShape } from '../core/errors.js';
import { broadcastShapes } from '../core/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { scalar } from './core.js';
import { cast, ge, le, sub, where } from './elementwise.js';
import { reshape } from './movement.js';
import { arangeOn } from './range.js';
import { checkArgs, describeArg as describe } from '../tensor/args.js';

/*
 * Masking composites: maskedFill and the triangular parts tril/triu. All are
 * `where(mask, ., .)`, so gradients flow to the kept elements only (and, for
 * maskedFill with a tensor value, to the value), as in PyTorch.
 */

/**
 * A copy of x with `value` where `mask` is true. `mask` is a bool tensor
 * broadcastable to x's shape; `value` a number or a 0-d tensor (then the
 * gradient flows to it too). The result keeps x's dtype and shape.
 * @example scores.maskedFill(padMask, -Infinity)
 */
export function maskedFill(x: Tensor, mask: Tensor, value: number | Tensor): Tensor {
  checkArgs('maskedFill', arguments, { x: 'tensor', mask: 'tensor', value: 'tensorLike' });
  if (!(x instanceof Tensor)) throw new TensorError(`maskedFill: input must be a Tensor (got ${describe(x)})`);
  if (!(mask instanceof Tensor) || mask.dtype !== 'bool') {
    throw new TensorError(`maskedFill: mask must be a bool tensor (got ${mask instanceof Tensor ? `${mask.dtype} of shape ${fmtShape(mask.shape)}` : describe(mask)}); build one with a comparison such as x.eq(0)`);
  }
  const shape = broadcastShapes('maskedFill', x.shape, mask.shape);
  if (shape.join() !== x.shape.join()) {
    throw new TensorError(`maskedFill: mask of shape ${fmtShape(mask.shape)} does not broadcast to the input's shape ${fmtShape(x.shape)}`);
  }
  let v: Tensor;
  if (typeof value === 'number' || typeof value === 'boolean') v = scalar(Number(value), x.dtype, x.backend);
  else if (value instanceof Tensor) {
    if (value.ndim !== 0) {
      throw new TensorError(`maskedFill: a tensor value must be 0-dimensional (got shape ${fmtShape(value.shape)}); use tg.where(mask, value, x) to fill from a tensor`);
    }
    v = cast(value, x.dtype);
  } else throw new TensorError(`maskedFill: value must be a number or a 0-d tensor (got ${describe(value)})`);
  return where(mask, v, x);
}

/** Bool mask `[rows, cols]` of positions with `col - row` compared to `diagonal`. */
function triangleMask(op: 'tril' | 'triu', x: Tensor, diagonal: number): Tensor {
  if (!(x instanceof Tensor)) throw new TensorError(`${op}: input must be a Tensor (got ${describe(x)})`);
  if (x.ndim < 2) throw new TensorError(`${op}: input must have at least 2 dims (got shape ${fmtShape(x.shape)})`);
  if (typeof diagonal !== 'number' || !Number.isInteger(diagonal)) {
    throw new TensorError(`${op}: diagonal must be an integer (got ${describe(diagonal)})`);
  }
  const [rows, cols] = x.shape.slice(-2) as [number, number];
  const r = reshape(arangeOn(rows, 'int32', x.backend), [rows, 1]);
  const c = reshape(arangeOn(cols, 'int32', x.backend), [1, cols]);
  const offset = sub(c, r);
  return op === 'tril' ? le(offset, diagonal) : ge(offset, diagonal);
}

/**
 * The lower triangle of the last two dims: elements with `col - row <= diagonal`
 * kept, the rest 0 (batched over leading dims). diagonal > 0 keeps more
 * diagonals above the main one, < 0 fewer.
 * @example tg.ones([3, 3]).tril()   // [[1,0,0],[1,1,0],[1,1,1]]
 */
export function tril(x: Tensor, diagonal = 0): Tensor {
  checkArgs('tril', arguments, { x: 'tensor', diagonal: 'int?' });
  const mask = triangleMask('tril', x, diagonal);
  return where(mask, x, scalar(0, x.dtype, x.backend));
}

/**
 * The upper triangle of the last two dims: elements with `col - row >= diagonal`
 * kept, the rest 0 (batched over leading dims).
 * @example tg.ones([3, 3]).triu(1)  // [[0,1,1],[0,0,1],[0,0,0]]
 */
export function triu(x: Tensor, diagonal = 0): Tensor {
  checkArgs('triu', arguments, { x: 'tensor', diagonal: 'int?' });
  const mask = triangleMask('triu', x, diagonal);
  return where(mask, x, scalar(0, x.dtype, x.backend));
}
