import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tg from '../../src/index.js';
import { checkOp, randomShape } from '../helpers/check-op.js';
import { fromFn, get, map, reduceAxes, zip } from '../helpers/ndarray.js';

/** Normal values with NaN, ±Inf and 0 mixed in. */
const special = (g: tg.Generator): number => {
  const u = g.uniform();
  return u < 0.1 ? NaN : u < 0.2 ? Infinity : u < 0.3 ? -Infinity : u < 0.4 ? 0 : g.normal();
};
/** Mostly zeros, so any/all see both outcomes. */
const sparse = (g: tg.Generator): number => (g.uniform() < 0.6 ? 0 : g.uniform() < 0.2 ? NaN : g.normal());

const throwsNaming = (fn: () => unknown, op: string) =>
  assert.throws(fn, (e: unknown) => e instanceof tg.TensorError && e.message.startsWith(`${op}:`), `${op} should throw a TensorError naming it`);

describe('isnan / isinf / isfinite', () => {
  const cases: [string, (x: tg.Tensor) => tg.Tensor, (v: number) => boolean][] = [
    ['isnan', (x) => x.isnan(), Number.isNaN],
    ['isinf', (x) => tg.isinf(x), (v) => v === Infinity || v === -Infinity],
    ['isposinf', (x) => x.isposinf(), (v) => v === Infinity],
    ['isneginf', (x) => x.isneginf(), (v) => v === -Infinity],
    ['isfinite', (x) => x.isfinite(), Number.isFinite],
  ];
  for (const [name, op, ref] of cases) {
    test(name, async () => {
      await checkOp({ shapes: (g) => [randomShape(g, 0, 3)], op, reference: (x) => map(x, (v) => Number(ref(v))), values: special, grad: false });
      const out = op(tg.tensor([1, 2], { dtype: 'int32' }));
      assert.equal(out.dtype, 'bool');
      assert.deepEqual(out.toArray(), [name === 'isfinite', name === 'isfinite']);
    });
  }
  test('wrong calls', () => {
    throwsNaming(() => tg.isnan([1, 2] as unknown as tg.Tensor), 'isnan');
    throwsNaming(() => tg.isfinite(3 as unknown as tg.Tensor), 'isfinite');
  });
});

describe('any / all', () => {
  for (const [name, op, ref] of [
    ['any', (x: tg.Tensor, d: number[] | undefined, k: boolean) => x.any(d, k), (v: number[]) => Number(v.some((e) => e !== 0))],
    ['all', (x: tg.Tensor, d: number[] | undefined, k: boolean) => tg.all(x, d, k), (v: number[]) => Number(v.every((e) => e !== 0))],
  ] as const) {
    test(`${name} over random dims`, async () => {
      let axes: number[] | undefined;
      let keep = false;
      await checkOp({
        cases: 5,
        shapes: (g) => {
          const s = randomShape(g, 1, 3);
          axes = g.uniform() < 0.3 ? undefined : [g.randint(-s.length, s.length)];
          keep = g.uniform() < 0.5;
          return [s];
        },
        op: (x) => op(x, axes, keep),
        reference: (x) => reduceAxes(x, axes, keep, ref),
        values: sparse,
        grad: false,
      });
    });
  }
  test('empty reductions, dtypes, bool input', () => {
    assert.equal(tg.zeros([0]).any().item(), 0);
    assert.equal(tg.zeros([0]).all().item(), 1);
    assert.equal(tg.tensor([true, false]).any().dtype, 'bool');
    assert.deepEqual(tg.tensor([[1, 0], [2, 3]], { dtype: 'int32' }).all(1).toArray(), [false, true]);
  });
  test('wrong calls', () => {
    const x = tg.ones([2, 3]);
    throwsNaming(() => x.any(2), 'any');
    throwsNaming(() => x.all({ dim: 1 } as unknown as number), 'all');
    throwsNaming(() => x.any(0, 1 as unknown as boolean), 'any');
  });
});

describe('maskedFill', () => {
  test('with a number and with a 0-d tensor (gradient to both)', async () => {
    let mask: tg.Tensor;
    let maskNd: ReturnType<typeof fromFn>;
    await checkOp({
      cases: 3,
      shapes: (g) => {
        const s = randomShape(g, 1, 3);
        const ms = s.map((d) => (g.uniform() < 0.4 ? 1 : d)).slice(g.randint(0, s.length));
        maskNd = fromFn(ms, () => Number(g.uniform() < 0.5));
        mask = tg.tensor(maskNd.data, { shape: ms, dtype: 'bool' });
        return [s];
      },
      op: (x) => x.maskedFill(mask.toBackend(x.backend), -2.5),
      reference: (x) => zip((v, m) => (m ? -2.5 : v), x, maskNd),
    });
    await checkOp({
      shapes: [[3, 4], []],
      op: (x, v) => tg.maskedFill(x, tg.tensor([[true, false, true, false]]).toBackend(x.backend), v!),
      reference: (x, v) => fromFn(x.shape, ([i, j]) => (j! % 2 === 0 ? v!.data[0]! : get(x, [i!, j!]))),
    });
  });
  test('keeps the input dtype', () => {
    const x = tg.tensor([1, 2, 3], { dtype: 'int32' });
    const y = x.maskedFill(tg.tensor([false, true, false]), 7.9);
    assert.equal(y.dtype, 'int32');
    assert.deepEqual(y.toArray(), [1, 7, 3]);
  });
  test('wrong calls', () => {
    const x = tg.ones([2, 3]);
    throwsNaming(() => x.maskedFill(tg.ones([2, 3]), 0), 'maskedFill');
    throwsNaming(() => x.maskedFill(tg.ones([4, 3]).bool(), 0), 'maskedFill');
    throwsNaming(() => x.maskedFill(tg.ones([2, 2, 3]).bool(), 0), 'maskedFill');
    throwsNaming(() => x.maskedFill(tg.ones([3]).bool(), tg.ones([3])), 'maskedFill');
    throwsNaming(() => x.maskedFill(tg.ones([3]).bool(), 'a' as unknown as number), 'maskedFill');
  });
});

describe('tril / triu', () => {
  for (const [name, keep] of [['tril', (i: number, j: number, k: number) => j - i <= k], ['triu', (i: number, j: number, k: number) => j - i >= k]] as const) {
    test(name, async () => {
      let k = 0;
      await checkOp({
        cases: 4,
        shapes: (g) => {
          k = g.randint(-2, 3);
          return [randomShape(g, 2, 4)];
        },
        op: (x) => (name === 'tril' ? x.tril(k) : tg.triu(x, k)),
        reference: (x) => fromFn(x.shape, (idx) => (keep(idx[idx.length - 2]!, idx[idx.length - 1]!, k) ? get(x, idx) : 0)),
      });
    });
  }
  test('bool and int inputs keep their dtype', () => {
    assert.deepEqual(tg.ones([2, 2], { dtype: 'bool' }).tril().toArray(), [[true, false], [true, true]]);
    assert.equal(tg.ones([2, 2], { dtype: 'int32' }).triu().dtype, 'int32');
  });
  test('wrong calls', () => {
    throwsNaming(() => tg.ones([3]).tril(), 'tril');
    throwsNaming(() => tg.ones([3, 3]).triu(0.5), 'triu');
  });
});

describe('.T, mT, long(), retainGrad()', () => {
  test('.T reverses the dims as a view; mT swaps the last two', async () => {
    const x = tg.arange(24).reshape(2, 3, 4);
    assert.deepEqual(x.T.shape, [4, 3, 2]);
    assert.equal(x.T._storage, x._storage);
    const m = tg.tensor([[1, 2, 3], [4, 5, 6]]);
    assert.deepEqual(m.T.toArray(), [[1, 4], [2, 5], [3, 6]]);
    assert.deepEqual(x.mT.shape, [2, 4, 3]);
    throwsNaming(() => tg.ones([3]).mT, 'mT');
    await checkOp({ shapes: [[2, 3, 4]], op: (a) => a.T.mul(a.T), reference: (a) => fromFn([4, 3, 2], ([i, j, k]) => get(a, [k!, j!, i!]) ** 2) });
  });
  test('long() is int32 (no int64 in tensorgrad)', () => {
    const y = tg.tensor([1.7, -2.2]).long();
    assert.equal(y.dtype, 'int32');
    assert.deepEqual(y.toArray(), [1, -2]);
  });
  test('retainGrad keeps an intermediate gradient on every backend', () => {
    for (const name of tg.listBackends().filter((n) => n !== 'webgpu')) { // CPU backends only: float64 and synchronous reads
      const backend = tg.getBackend();
      tg.setBackend(name);
      try {
        const x = tg.tensor([1, 2, 3], { requiresGrad: true });
        const h = x.mul(2);
        h.retainGrad();
        assert.equal(h.retainsGrad, true);
        const y = h.mul(h).sum();
        y.backward(undefined, { retainGraph: true });
        assert.deepEqual(h.grad!.toArray(), [4, 8, 12]);          // dy/dh = 2h
        assert.deepEqual(x.grad!.toArray(), [8, 16, 24]);
        // A second backward accumulates, as for leaves.
        h.mul(3).sum().backward();
        assert.deepEqual(h.grad!.toArray(), [7, 11, 15]);
        // Leaves: a no-op; the root itself can retain its gradient.
        x.retainGrad();
        const r = x.sum();
        r.retainGrad();
        r.backward();
        assert.equal(r.grad!.item(), 1);
        const other = tg.tensor([1, 2]).mul(2);
        throwsNaming(() => other.retainGrad(), 'retainGrad');
      } finally {
        tg.setBackend(backend);
      }
    }
  });
});
