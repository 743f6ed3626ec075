import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tg from '../../src/index.js';
import { checkOp, randomShape } from '../helpers/check-op.js';
import { fromFn, get, type ND } from '../helpers/ndarray.js';

const throwsNaming = (fn: () => unknown, op: string) =>
  assert.throws(fn, (e: unknown) => e instanceof tg.TensorError && e.message.startsWith(`${op}:`), `${op} should throw a TensorError naming it`);

/** The values along `dim` through index `idx` (with idx[dim] varying). */
function line(x: ND, idx: readonly number[], dim: number): number[] {
  return Array.from({ length: x.shape[dim]! }, (_, j) => get(x, idx.map((v, d) => (d === dim ? j : v))));
}

/** Reference scan along dim by plain loops. */
function scanRef(x: ND, dim: number, f: (acc: number, v: number) => number): ND {
  const d = dim < 0 ? dim + x.shape.length : dim;
  return fromFn(x.shape, (idx) => line(x, idx, d).slice(0, idx[d]! + 1).reduce(f));
}

describe('cumsum / cumprod', () => {
  for (const [name, op, f] of [
    ['cumsum', (x: tg.Tensor, d: number) => x.cumsum(d), (a: number, b: number) => a + b],
    ['cumprod', (x: tg.Tensor, d: number) => tg.cumprod(x, d), (a: number, b: number) => a * b],
  ] as const) {
    test(`${name} along random dims`, async () => {
      let dim = 0;
      await checkOp({
        cases: 5,
        shapes: (g) => {
          const s = randomShape(g, 1, 3, 6);
          dim = g.randint(-s.length, s.length);
          return [s];
        },
        op: (x) => op(x, dim),
        reference: (x) => scanRef(x, dim, f),
      });
    });
  }
  test('cumprod gradient is exact with zeros', async () => {
    await checkOp({ shapes: [[7]], op: (x) => x.cumprod(0), reference: (x) => scanRef(x, 0, (a, b) => a * b), values: (g) => (g.uniform() < 0.3 ? 0 : g.normal()) });
    const x = tg.tensor([2, 0, 3, 0, 5], { requiresGrad: true, dtype: 'float64' });
    x.cumprod(0).sum().backward();
    // d/dx1 of (2, 2x1, 6x1, 0, 0) at x1 = 0 is 2 + 6 = 8; later zeros kill the rest.
    assert.deepEqual(x.grad!.toArray(), [1, 8, 0, 0, 0]);
  });
  test('int and bool inputs, 0-d, fresh result', () => {
    assert.deepEqual(tg.tensor([true, true, false, true]).cumsum(0).toArray(), [1, 2, 2, 3]);
    assert.equal(tg.tensor([1, 2], { dtype: 'int32' }).cumsum(0).dtype, 'int32');
    const s = tg.tensor(4);
    assert.equal(s.cumsum(0).item(), 4);
    const one = tg.tensor([5]);
    assert.notEqual(one.cumsum(0)._storage, one._storage);
  });
  test('wrong calls', () => {
    throwsNaming(() => tg.ones([2, 3]).cumsum(2), 'cumsum');
    throwsNaming(() => tg.ones([2, 3]).cumsum(undefined as unknown as number), 'cumsum');
    throwsNaming(() => tg.cumprod([1, 2] as unknown as tg.Tensor, 0), 'cumprod');
  });
});

/** Stable order of a line with NaN as the largest value. */
function orderRef(vals: number[], descending: boolean): number[] {
  const key = (v: number) => (Number.isNaN(v) ? Infinity : v);
  const rank = (v: number) => (Number.isNaN(v) ? 1 : 0);
  return vals.map((_, i) => i).sort((a, b) => {
    const va = vals[a]!, vb = vals[b]!;
    let c = key(va) - key(vb) || rank(va) - rank(vb);
    if (Number.isNaN(c)) c = 0;
    return (descending ? -c : c) || a - b;
  });
}

function sortRef(x: ND, dim: number, descending: boolean, what: 'values' | 'indices', k?: number): ND {
  const d = dim < 0 ? dim + x.shape.length : dim;
  const shape = x.shape.map((s, i) => (i === d && k !== undefined ? k : s));
  return fromFn(shape, (idx) => {
    const vals = line(x, idx, d);
    const j = orderRef(vals, descending)[idx[d]!]!;
    return what === 'values' ? vals[j]! : j;
  });
}

/** Values with ties and NaNs so stability and NaN placement are exercised. */
const tiedValues = (g: tg.Generator): number => (g.uniform() < 0.1 ? NaN : Math.round(g.normal() * 2));
/** Distinct values, so finite differences do not straddle a reordering. */
const distinct = (g: tg.Generator): number => g.normal() + 0.01 * g.uniform();

describe('sort / argsort / topk', () => {
  for (const descending of [false, true]) {
    test(`sort values and indices (descending ${descending})`, async () => {
      let dim = -1;
      const shapes = (g: tg.Generator) => {
        const s = randomShape(g, 1, 3, 5);
        dim = g.randint(-s.length, s.length);
        return [s];
      };
      await checkOp({ cases: 4, shapes, op: (x) => x.sort(dim, descending).values, reference: (x) => sortRef(x, dim, descending, 'values'), values: distinct });
      await checkOp({ cases: 4, shapes, op: (x) => tg.sort(x, { dim, descending }).indices.float(), reference: (x) => sortRef(x, dim, descending, 'indices'), values: tiedValues, grad: false });
      await checkOp({ cases: 3, shapes, op: (x) => x.argsort(dim, descending).float(), reference: (x) => sortRef(x, dim, descending, 'indices'), values: tiedValues, grad: false });
    });
  }
  test('NaN placement and stability', () => {
    const x = tg.tensor([2, NaN, 1, 2, NaN, 1]);
    assert.deepEqual(x.argsort().toArray(), [2, 5, 0, 3, 1, 4]);
    assert.deepEqual(x.argsort(0, true).toArray(), [1, 4, 0, 3, 2, 5]);
    const r = tg.tensor([[3, 1, 2]], { dtype: 'int32' }).sort(1);
    assert.deepEqual(r.values.toArray(), [[1, 2, 3]]);
    assert.equal(r.values.dtype, 'int32');
    assert.equal(r.indices.dtype, 'int32');
    assert.equal(tg.tensor(5).sort().values.item(), 5);
  });
  test('topk largest and smallest', async () => {
    for (const largest of [true, false]) {
      let dim = -1, k = 1;
      const shapes = (g: tg.Generator) => {
        const s = randomShape(g, 1, 3, 5);
        dim = g.randint(-s.length, s.length);
        k = g.randint(0, s[dim < 0 ? dim + s.length : dim]! + 1);
        return [s];
      };
      await checkOp({ cases: 4, shapes, op: (x) => x.topk(k, dim, largest).values, reference: (x) => sortRef(x, dim, largest, 'values', k), values: distinct });
      await checkOp({ cases: 3, shapes, op: (x) => tg.topk(x, k, { dim, largest }).indices.float(), reference: (x) => sortRef(x, dim, largest, 'indices', k), values: tiedValues, grad: false });
    }
  });
  test('wrong calls', () => {
    const x = tg.randn([3, 4]);
    throwsNaming(() => x.sort(2), 'sort');
    throwsNaming(() => x.sort(0, 1 as unknown as boolean), 'sort');
    throwsNaming(() => x.sort({ descendng: true } as unknown as tg.SortOptions), 'sort');
    throwsNaming(() => x.argsort('0' as unknown as number), 'argsort');
    throwsNaming(() => x.topk(5), 'topk');
    throwsNaming(() => x.topk(-1), 'topk');
    throwsNaming(() => x.topk(1.5), 'topk');
    throwsNaming(() => x.topk(2, 0, 'yes' as unknown as boolean), 'topk');
    throwsNaming(() => tg.topk([1, 2] as unknown as tg.Tensor, 1), 'topk');
  });
});
