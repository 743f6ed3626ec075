/**
 * Sort permutations computed on the device, for tensors whose values cannot
 * be read synchronously (GPU results): each element's rank along the line is
 * the number of elements that go before it (smaller, or equal and earlier:
 * a stable order), and the permutation is read off the ranks. That costs n²
 * comparisons per line of length n, which a GPU does in one pass for lines
 * up to a few thousand; longer lines are refused with what to do instead.
 * NaN sorts as larger than every number and equal to itself, as on the host.
 */
import { TensorError, fmtShape } from '../core/errors.js';
import { Tensor } from '../tensor/tensor.js';
import { noGrad } from '../tensor/graph.js';
import { cast, eq, gt, logicalAnd, logicalOr, lt, mul, ne } from './elementwise.js';
import { transpose, unsqueeze } from './movement.js';
import { arangeOn } from './range.js';
import { sum } from './reduce.js';

/** Most n² comparisons (over all lines) a device sort materialises at once. */
const MAX_PAIRS = 2 ** 26;

/** int32 indices `x.shape` ordering each line along dim d (stable), computed with tensor ops on x's backend. */
export function sortIndicesOnDevice(op: string, x: Tensor, d: number, descending: boolean): Tensor {
  const n = x.shape[d]!;
  const lines = x.numel() / Math.max(1, n);
  if (lines * n * n > MAX_PAIRS) {
    throw new TensorError(
      `${op}: sorting ${lines} lines of ${n} elements (shape ${fmtShape(x.shape)}) on the ${x.backend.name} backend would compare ${lines * n * n} pairs (limit ${MAX_PAIRS}); ` +
        "move the tensor to a CPU backend first: `await tg.toBackendAsync(x, 'wasm')`",
    );
  }
  return noGrad(() => {
    const line = transpose(x, d, -1); // [..., n]
    const nan = ne(line, line);
    const xi = unsqueeze(line, -1), xj = unsqueeze(line, -2); // element i down, element j across
    const nanI = unsqueeze(nan, -1), nanJ = unsqueeze(nan, -2);
    // j strictly before i by value: smaller (ascending) or larger (descending); NaN is the largest value.
    const before = descending
      ? logicalOr(logicalAnd(gt(xj, xi), logicalNotOf(nanI)), logicalAnd(nanJ, logicalNotOf(nanI)))
      : logicalOr(lt(xj, xi), logicalAnd(nanI, logicalNotOf(nanJ)));
    const same = logicalOr(eq(xj, xi), logicalAnd(nanI, nanJ));
    const idx = arangeOn(n, 'int32', x.backend);
    const earlier = lt(unsqueeze(idx, 0), unsqueeze(idx, 1)); // [i, j]: j < i
    const rank = sum(cast(logicalOr(before, logicalAnd(same, earlier)), 'int32'), -1); // [..., n]: i's position
    // indices[k] = the i whose rank is k: Σ_i i·[rank_i = k].
    const hit = eq(unsqueeze(rank, -2), unsqueeze(idx, 1)); // [..., k, i]
    const order = sum(mul(cast(hit, 'int32'), idx), -1);
    return transpose(order, d, -1).contiguous();
  });
}

function logicalNotOf(t: Tensor): Tensor {
  return eq(t, false);
}
