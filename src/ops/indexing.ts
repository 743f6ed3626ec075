import { record } from '../tensor/graph.js';
import { TensorError, fmtShape } from '../core/errors.js';
import { normalizeDim } from '../core/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { deferCheck, hostData } from '../tensor/deferred-checks.js';
import { filled, sameBackend } from './core.js';
import { cast, eq } from './elementwise.js';
import { clone, expand, reshape, unsqueeze } from './movement.js';
import { arangeOn } from './range.js';
import { checkArgs, renamed } from '../tensor/args.js';

function checkIndex(op: string, x: Tensor, d: number, index: Tensor, sameRank: boolean): void {
  if (index.dtype !== 'int32') throw new TensorError(`${op}: index must be an int32 tensor (got ${index.dtype})`);
  if (sameRank && index.ndim !== x.ndim) {
    throw new TensorError(`${op}: index must have the same rank as the input (index ${fmtShape(index.shape)}, input ${fmtShape(x.shape)})`);
  }
  const n = x.shape[d]!;
  const vals = hostData(index);
  if (!vals) {
    // Indices computed on a GPU: checked there, reported at the next asynchronous read (deferred-checks.ts).
    deferCheck(index.lt(0).logicalOr(index.ge(n)).any(),
      `${op}: some index is out of bounds for dim ${d} with size ${n} (input ${fmtShape(x.shape)}, index ${fmtShape(index.shape)}; checked on the device, reported at this read)`);
    return;
  }
  for (let i = 0; i < vals.length; i++) {
    const v = vals[i]!;
    if (v < 0 || v >= n) {
      throw new TensorError(`${op}: index ${v} is out of bounds for dim ${d} with size ${n} (input ${fmtShape(x.shape)}, index ${fmtShape(index.shape)})`);
    }
  }
}

function checkSizes(op: string, x: Tensor, d: number, index: Tensor, what: string): void {
  index.shape.forEach((s, i) => {
    if (i !== d && s > x.shape[i]!) {
      throw new TensorError(`${op}: index ${fmtShape(index.shape)} is larger than ${what} ${fmtShape(x.shape)} at dim ${i}`);
    }
  });
}

/**
 * out[i][j] = x[index[i][j]][j] for dim 0 (and so on): picks along `dim`.
 * @example tg.gather(tg.tensor([[1, 2], [3, 4]]), 1, tg.tensor([[1], [0]], { dtype: 'int32' }))  // [[2], [3]]
 */
export function gather(x: Tensor, dim: number, index: Tensor): Tensor {
  checkArgs('gather', arguments, { x: 'tensor', dim: 'dim', index: 'tensor' });
  const d = normalizeDim('gather', dim, x.ndim);
  checkIndex('gather', x, d, index, true);
  checkSizes('gather', x, d, index, 'input');
  const backend = sameBackend('gather', x, index);
  const out = Tensor._fromStorage(backend.gather(x._storage, x.layout, d, index._storage, index.layout), index.shape, x.dtype);
  return record('gather', [x], out, [index], { dim: d });
}

/**
 * Out-of-place scatter-add: a copy of `x` where, for every position p of `index`, `src[p]` is added at
 * `p` with its coordinate on `dim` replaced by `index[p]` (int32). `index` and `src` have the same rank
 * as `x`; the result has `x`'s shape. Differentiable in `x` and `src`. Like torch.scatter_add.
 * @example tg.scatterAdd(tg.zeros([3]), 0, tg.tensor([0, 2, 0], { dtype: 'int32' }), tg.ones([3])) // [2, 0, 1]
 */
export function scatterAdd(x: Tensor, dim: number, index: Tensor, src: Tensor): Tensor {
  checkArgs('scatterAdd', arguments, { x: 'tensor', dim: 'dim', index: 'tensor', src: 'tensor' });
  const d = normalizeDim('scatterAdd', dim, x.ndim);
  checkIndex('scatterAdd', x, d, index, true);
  checkSizes('scatterAdd', x, d, index, 'input');
  checkSizes('scatterAdd', src, -1, index, 'src');
  const backend = sameBackend('scatterAdd', x, index, src);
  const s = cast(src, x.dtype);
  const out = clone(x).detach();
  backend.scatterAdd(out._storage, out.shape, d, index._storage, index.layout, s._storage, s.layout);
  return record('scatterAdd', [x, s], out, [index], { dim: d });
}

/**
 * Selects the entries `index` (0-D or 1-D int32, repeats allowed) along `dim`: `[A, B]` with dim 0 and
 * k indices -> `[k, B]`. Copies. Like torch.index_select.
 * @example tg.indexSelect(tg.arange(6).reshape(3, 2), 0, tg.tensor([2, 0], { dtype: 'int32' })) // [[4, 5], [0, 1]]
 */
export function indexSelect(x: Tensor, dim: number, index: Tensor): Tensor {
  checkArgs('indexSelect', arguments, { x: 'tensor', dim: 'dim', index: 'tensor' });
  const d = normalizeDim('indexSelect', dim, x.ndim);
  if (index.ndim > 1) throw new TensorError(`indexSelect: index must be 0-D or 1-D (got ${fmtShape(index.shape)})`);
  const n = index.numel();
  const outShape = x.shape.map((s, i) => (i === d ? n : s));
  const idxShape = x.shape.map((_, i) => (i === d ? n : 1));
  return renamed('gather', 'indexSelect', () => gather(x, d, expand(reshape(index, idxShape), outShape)));
}

/**
 * One-hot encoding of int32 class indices: `[...index.shape]` -> `[...index.shape, numClasses]`, int32.
 * numClasses defaults to max(index) + 1 (needs a synchronous read, so pass it for GPU tensors). Negative or
 * too large class values throw a TensorError. Like torch.nn.functional.one_hot.
 * @example tg.oneHot(tg.tensor([0, 2], { dtype: 'int32' }), 3) // [[1, 0, 0], [0, 0, 1]]
 */
export function oneHot(index: Tensor, numClasses = -1): Tensor {
  checkArgs('oneHot', arguments, { index: 'tensor', numClasses: 'int?' });
  if (index.dtype !== 'int32') throw new TensorError(`oneHot: index must be an int32 tensor (got ${index.dtype})`);
  const host = hostData(index);
  if (!host) {
    // Classes computed on a GPU: with numClasses given, range-checked there and reported at the next read.
    if (numClasses === -1) {
      throw new TensorError(`oneHot: numClasses is needed for class values computed on the ${index.backend.name} backend (max(index) + 1 would need a synchronous read); pass it, e.g. tg.F.oneHot(index, 10)`);
    }
    deferCheck(index.lt(0).logicalOr(index.ge(numClasses)).any(), `oneHot: some class value is out of range for numClasses ${numClasses} (checked on the device, reported at this read)`);
    return cast(eq(unsqueeze(index, -1), arangeOn(numClasses, 'int32', index.backend)), 'int32');
  }
  const vals = host;
  let maxV = -1;
  for (const v of vals) {
    if (v < 0) throw new TensorError(`oneHot: class values must be non-negative (got ${v})`);
    maxV = Math.max(maxV, v);
  }
  const c = numClasses === -1 ? maxV + 1 : numClasses;
  if (maxV >= c) throw new TensorError(`oneHot: class value ${maxV} is out of range for numClasses ${c}`);
  return cast(eq(unsqueeze(index, -1), arangeOn(c, 'int32', index.backend)), 'int32');
}

/** A zero tensor shaped like `shape` (used by gradient rules). @internal */
export function zerosOn(like: Tensor, shape: readonly number[]): Tensor {
  return filled(shape, 0, like.dtype, like.backend);
}
