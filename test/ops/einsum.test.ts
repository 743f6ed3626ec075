import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tg from '../../src/index.js';
import { checkOp } from '../helpers/check-op.js';
import { fromFn, get, type ND } from '../helpers/ndarray.js';

const throwsNaming = (fn: () => unknown, op: string) =>
  assert.throws(fn, (e: unknown) => e instanceof tg.TensorError && e.message.startsWith(`${op}:`), `${op} should throw a TensorError naming it`);

/**
 * Naive einsum over letters only: loops over every assignment of every label
 * and accumulates the product of the operands into the output (size-1 dims
 * broadcast). Implicit output: letters used once, sorted.
 */
function einsumRef(equation: string, xs: ND[]): ND {
  const [lhs, rhs] = equation.split('->') as [string, string | undefined];
  const terms = lhs.split(',');
  const all = [...new Set(terms.join(''))];
  const out = rhs ?? all.filter((l) => terms.join('').split(l).length === 2).sort().join('');
  const size = new Map<string, number>();
  terms.forEach((t, i) => [...t].forEach((l, d) => size.set(l, Math.max(size.get(l) ?? 1, xs[i]!.shape[d]!))));
  const outShape = [...out].map((l) => size.get(l)!);
  const result = fromFn(outShape, () => 0);
  const assign = new Map<string, number>();
  const walk = (k: number) => {
    if (k === all.length) {
      let p = 1;
      terms.forEach((t, i) => (p *= get(xs[i]!, [...t].map((l, d) => (xs[i]!.shape[d] === 1 ? 0 : assign.get(l)!)))));
      const o = [...out].reduce((acc, l, d) => acc * outShape[d]! + assign.get(l)!, 0);
      result.data[o] += p;
      return;
    }
    for (let v = 0; v < size.get(all[k]!)!; v++) {
      assign.set(all[k]!, v);
      walk(k + 1);
    }
  };
  walk(0);
  return result;
}

const cases: { eq: string; shapes: number[][]; ref?: string }[] = [
  { eq: 'ij,jk->ik', shapes: [[2, 3], [3, 4]] },
  { eq: 'ij,jk', shapes: [[2, 3], [3, 4]] },
  { eq: 'bij,bjk->bik', shapes: [[2, 2, 3], [2, 3, 4]] },
  { eq: 'ij->ji', shapes: [[2, 3]] },
  { eq: 'ii->', shapes: [[3, 3]] },
  { eq: 'ii', shapes: [[3, 3]] },
  { eq: 'ii->i', shapes: [[3, 3]] },
  { eq: 'i,j->ij', shapes: [[3], [4]] },
  { eq: 'i,i->', shapes: [[4], [4]] },
  { eq: 'ij->', shapes: [[2, 3]] },
  { eq: 'ijk->kj', shapes: [[2, 3, 2]] },
  { eq: 'bhqd,bhkd->bhqk', shapes: [[1, 2, 3, 2], [1, 2, 2, 2]] },
  { eq: 'ij,jk,kl->il', shapes: [[2, 3], [3, 2], [2, 2]] },
  { eq: 'ij,ij->ij', shapes: [[2, 3], [1, 3]] },
  { eq: 'iij->j', shapes: [[2, 2, 3]] },
  { eq: 'ba,ac', shapes: [[2, 3], [3, 2]] },
  { eq: '...ij,...jk->...ik', shapes: [[2, 2, 3], [2, 3, 2]], ref: 'bij,bjk->bik' },
  { eq: '...ij->...ji', shapes: [[2, 3, 2]], ref: 'bij->bji' },
  { eq: 'i...->...', shapes: [[3, 2]], ref: 'ia->a' },
  { eq: 'b i j , b j -> b i', shapes: [[2, 3, 2], [2, 2]], ref: 'bij,bj->bi' },
];

describe('einsum', () => {
  for (const c of cases) {
    test(c.eq, async () => {
      await checkOp({ shapes: c.shapes, op: (...xs) => tg.einsum(c.eq, ...xs), reference: (...xs) => einsumRef((c.ref ?? c.eq).replace(/\s+/g, ''), xs) });
    });
  }
  test('operands as one array; integer operands', () => {
    const a = tg.tensor([[1, 2], [3, 4]], { dtype: 'int32' });
    assert.deepEqual(tg.einsum('ij,jk->ik', [a, a]).toArray(), [[7, 10], [15, 22]]);
    assert.equal(tg.einsum('ii', a).item(), 5);
  });
  test('wrong calls', () => {
    const a = tg.ones([2, 3]), b = tg.ones([3, 4]);
    throwsNaming(() => tg.einsum('ij,jk->ik', a), 'einsum');
    throwsNaming(() => tg.einsum('ij->ik', a), 'einsum');
    throwsNaming(() => tg.einsum('ijk->i', a), 'einsum');
    throwsNaming(() => tg.einsum('ij,jk->ii', a, b), 'einsum');
    throwsNaming(() => tg.einsum('ij,kj->ik', a, b), 'einsum');
    throwsNaming(() => tg.einsum('i1->i', a), 'einsum');
    throwsNaming(() => tg.einsum('i...j...->i', a), 'einsum');
    throwsNaming(() => tg.einsum('ij->j->i', a), 'einsum');
    throwsNaming(() => tg.einsum('ij'), 'einsum');
    throwsNaming(() => tg.einsum(a as unknown as string, b), 'einsum');
    throwsNaming(() => tg.einsum('ij', [1, 2] as unknown as tg.Tensor), 'einsum');
  });
});
