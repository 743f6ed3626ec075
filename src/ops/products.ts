import { TensorError, fmtShape } from '../core/errors.js';
import { Tensor } from '../tensor/tensor.js';
import { mul } from './elementwise.js';
import { matmul } from './linalg.js';
import { checkArgs, describeArg as describe } from '../tensor/args.js';
import { reshape } from './movement.js';

/*
 * The strict-shape products of PyTorch: mm, bmm, mv, dot, outer. Unlike
 * matmul they neither broadcast nor promote 1-D operands, so a wrong rank is
 * an error naming the op instead of a silently different product.
 */

function check(op: string, a: unknown, b: unknown, ranks: [number, number]): asserts a is Tensor {
  for (const [i, t] of [a, b].entries()) {
    if (!(t instanceof Tensor)) throw new TensorError(`${op}: argument ${i + 1} must be a Tensor (got ${describe(t)})`);
    if (t.ndim !== ranks[i]) {
      throw new TensorError(`${op}: argument ${i + 1} must be ${ranks[i]}-D (got shape ${fmtShape(t.shape)})`);
    }
  }
}

/** mm/bmm/mv/dot: the ranks, bmm's equal batch sizes and the contracted sizes checked, then matmul. */
function product(op: string, a: Tensor, b: Tensor, ranks: [number, number]): Tensor {
  check(op, a, b, ranks);
  if (a.ndim === 3 && a.shape[0] !== b.shape[0]) {
    throw new TensorError(`${op}: batch sizes differ (${fmtShape(a.shape)} and ${fmtShape(b.shape)}: ${a.shape[0]} vs ${b.shape[0]})`);
  }
  // a's last dim against b's first (1-D, 2-D) or middle (3-D) dim.
  const [ka, kb] = [a.shape[a.ndim - 1]!, b.shape[Math.max(b.ndim - 2, 0)]!];
  if (ka !== kb) throw new TensorError(`${op}: shapes ${fmtShape(a.shape)} and ${fmtShape(b.shape)} cannot be multiplied (${ka} vs ${kb})`);
  return matmul(a, b);
}

/**
 * Matrix product of two 2-D tensors: `[n, m] @ [m, p] -> [n, p]` (no broadcasting).
 * @example tg.mm(tg.randn([2, 3]), tg.randn([3, 4]))  // [2, 4]
 */
export function mm(a: Tensor, b: Tensor): Tensor {
  checkArgs('mm', arguments, { a: 'any', b: 'any' });
  return product('mm', a, b, [2, 2]);
}

/**
 * Batched matrix product of two 3-D tensors with equal batch sizes:
 * `[b, n, m] @ [b, m, p] -> [b, n, p]` (no broadcasting).
 * @example tg.bmm(tg.randn([8, 2, 3]), tg.randn([8, 3, 4]))  // [8, 2, 4]
 */
export function bmm(a: Tensor, b: Tensor): Tensor {
  checkArgs('bmm', arguments, { a: 'any', b: 'any' });
  return product('bmm', a, b, [3, 3]);
}

/**
 * Matrix-vector product: `[n, m] @ [m] -> [n]`.
 * @example tg.mv(tg.eye(3), tg.tensor([1, 2, 3]))  // [1, 2, 3]
 */
export function mv(a: Tensor, v: Tensor): Tensor {
  checkArgs('mv', arguments, { a: 'any', v: 'any' });
  return product('mv', a, v, [2, 1]);
}

/**
 * Inner product of two 1-D tensors of equal length (a 0-d tensor).
 * @example tg.dot(tg.tensor([1, 2]), tg.tensor([3, 4]))  // 11
 */
export function dot(a: Tensor, b: Tensor): Tensor {
  checkArgs('dot', arguments, { a: 'any', b: 'any' });
  return product('dot', a, b, [1, 1]);
}

/**
 * Outer product of two 1-D tensors: `[n], [m] -> [n, m]`, out[i][j] = a[i] b[j].
 * @example tg.outer(tg.tensor([1, 2]), tg.tensor([3, 4, 5]))  // [[3,4,5],[6,8,10]]
 */
export function outer(a: Tensor, b: Tensor): Tensor {
  checkArgs('outer', arguments, { a: 'any', b: 'any' });
  check('outer', a, b, [1, 1]);
  return mul(reshape(a, [a.shape[0]!, 1]), reshape(b, [1, b.shape[0]!]));
}
