import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tg from '../../src/index.js';
import { assertClose, backendByName, checkOp, randomShape } from '../helpers/check-op.js';
import { reduceAxes, map, zip } from '../helpers/ndarray.js';
import type { ND } from '../helpers/ndarray.js';

/** A random subset of axes (possibly all, possibly negative indices) for a shape. */
function randomAxes(g: tg.Generator, rank: number): number[] {
  const axes = [...Array(rank).keys()].filter(() => g.uniform() < 0.5);
  if (!axes.length) axes.push(g.randint(0, rank));
  return axes.map((a) => (g.uniform() < 0.3 ? a - rank : a));
}

const sum = (v: number[]) => v.reduce((a, b) => a + b, 0);
const mean = (v: number[]) => sum(v) / v.length;
const variance = (v: number[], correction: number) => {
  const m = mean(v);
  return sum(v.map((x) => (x - m) ** 2)) / (v.length - correction);
};
const reducers: [string, (x: tg.Tensor, axes: number[], keep: boolean) => tg.Tensor, (v: number[]) => number][] = [
  ['sum', (x, a, k) => x.sum(a, k), sum],
  ['mean', (x, a, k) => x.mean(a, k), mean],
  ['prod', (x, a, k) => x.prod(a, k), (v) => v.reduce((a, b) => a * b, 1)],
  ['amax', (x, a, k) => x.amax(a, k), (v) => Math.max(...v)],
  ['amin', (x, a, k) => x.amin(a, k), (v) => Math.min(...v)],
  ['var', (x, a, k) => x.var(a, { keepdim: k }), (v) => variance(v, 1)],
  ['var correction 0', (x, a, k) => x.var(a, { keepdim: k, correction: 0 }), (v) => variance(v, 0)],
  ['std', (x, a, k) => x.std(a, { keepdim: k }), (v) => Math.sqrt(variance(v, 1))],
  ['logsumexp', (x, a, k) => x.logsumexp(a, k), (v) => Math.log(sum(v.map(Math.exp)))],
];

describe('reductions over random axes', () => {
  for (const [name, op, ref] of reducers) {
    test(name, async () => {
      let axes: number[] = [];
      let keep = false;
      await checkOp({
        cases: 4,
        shapes: (g) => {
          const s = randomShape(g, 1, 3, 4).map((d) => d + 1); // >= 2 per dim so var is defined
          axes = randomAxes(g, s.length);
          keep = g.uniform() < 0.5;
          return [s];
        },
        op: (x) => op(x, axes, keep),
        reference: (x) => reduceAxes(x, axes, keep, ref),
      });
    });
  }
  test('reductions over all elements', async () => {
    await checkOp({ shapes: [[3, 4]], op: (x) => x.sum(), reference: (x) => reduceAxes(x, undefined, false, sum) });
    await checkOp({ shapes: [[3, 4]], op: (x) => x.max(), reference: (x) => reduceAxes(x, undefined, false, (v) => Math.max(...v)) });
  });
});

describe('reduction gradients in special cases', () => {
  test('prod is exact with one and with several zeros', () => {
    const x = tg.tensor([[2, 0, 3], [0, 0, 5], [1, 2, 4]], { requiresGrad: true, dtype: 'float64' });
    x.prod(1).sum().backward();
    assert.deepEqual(x.grad!.toArray(), [[0, 6, 0], [0, 0, 0], [8, 4, 2]]);
  });
  test('max() without dim and amax share the gradient between ties', () => {
    const x = tg.tensor([1, 3, 3, 2], { requiresGrad: true });
    x.max().backward();
    assert.deepEqual(x.grad!.toArray(), [0, 0.5, 0.5, 0]);
    const y = tg.tensor([[1, 3, 3], [2, 2, 0]], { requiresGrad: true });
    y.amax(1).sum().backward();
    assert.deepEqual(y.grad!.toArray(), [[0, 0.5, 0.5], [0.5, 0.5, 0]]);
  });
  test('logsumexp of all -inf is -inf, of large values is finite', () => {
    assert.equal(tg.tensor([-Infinity, -Infinity]).logsumexp(0).item(), -Infinity);
    assert.ok(Math.abs(tg.tensor([1000, 1000], { dtype: 'float64' }).logsumexp(0).item() - (1000 + Math.LN2)) < 1e-9);
  });
});

describe('±Inf and NaN propagate through reductions as in PyTorch', () => {
  // Rows long enough for the wasm SIMD paths (row and column kernels, lane tails), with
  // ±Inf/NaN planted at random places; the oracle is plain double arithmetic (Math.max
  // propagates NaN; a plain sum gives inf + -inf = NaN).
  const plain: [string, (x: tg.Tensor, a: number[]) => tg.Tensor, (v: number[]) => number][] = [
    ['sum', (x, a) => x.sum(a), (v) => v.reduce((p, q) => p + q, 0)],
    ['amax', (x, a) => x.amax(a), (v) => Math.max(...v)],
    ['amin', (x, a) => x.amin(a), (v) => Math.min(...v)],
    ['prod', (x, a) => x.prod(a), (v) => v.reduce((p, q) => p * q, 1)],
  ];
  const specials = [Infinity, -Infinity, NaN];
  for (const name of tg.listBackends().filter((n) => n !== 'webgpu')) { // CPU backends only: float64 and synchronous reads
    test(`${name}: sum, amax, amin, prod over rows, columns and all, float32 and float64`, () => {
      const backend = backendByName(name);
      const g = new tg.Generator(11);
      for (const shape of [[3, 13], [13, 3], [2, 9, 5], [37]]) {
        const n = shape.reduce((p, q) => p * q, 1);
        const data = Float64Array.from({ length: n }, () => (g.uniform() < 0.08 ? specials[g.randint(0, 3)]! : g.uniform() + 0.5));
        for (const axes of [[shape.length - 1], [0], shape.map((_, i) => i)]) {
          for (const [op, f, ref] of plain) {
            const want = reduceAxes({ shape, data }, axes, false, ref).data;
            for (const dtype of ['float64', 'float32'] as const) {
              const got = f(tg.tensor(data, { shape, dtype, backend }), axes).data();
              assertClose(got, want, 1e-5, 1e-5, `${name} ${dtype} ${op} over ${JSON.stringify(axes)} of ${JSON.stringify(shape)}`);
            }
          }
        }
      }
    });
  }
});

describe('max and min along a dim: { values, indices }', () => {
  for (const name of tg.listBackends().filter((n) => n !== 'webgpu')) { // CPU backends only: float64 and synchronous reads
    test(`${name}: values, int32 indices, keepdim, the whole gradient to the first maximum`, () => {
      const backend = backendByName(name);
      const x = tg.tensor([[1, 3, 3], [2, 2, 0]], { requiresGrad: true, backend });
      const { values, indices } = x.max(1);
      assert.deepEqual(values.toArray(), [3, 2]);
      assert.deepEqual(indices.toArray(), [1, 0]);
      assert.equal(indices.dtype, 'int32');
      values.sum().backward();
      assert.deepEqual(x.grad!.toArray(), [[0, 1, 0], [1, 0, 0]]);
      const m = tg.min(x, 0, true);
      assert.deepEqual(m.values.toArray(), [[1, 2, 0]]);
      assert.deepEqual(m.indices.toArray(), [[0, 1, 1]]);
      const nan = tg.tensor([[1, NaN, 3, NaN]], { backend });
      assert.deepEqual(nan.max(1).indices.toArray(), [1]);
      assert.ok(Number.isNaN(nan.min(-1).values.item()));
      const s = tg.tensor(5, { backend }).max(0);
      assert.deepEqual([s.values.shape, s.indices.shape, s.values.item(), s.indices.item()], [[], [], 5, 0]);
    });
  }
  test('matches checkOp with a float64 reference (random data has no ties)', async () => {
    for (const dim of [0, 1, -1]) {
      await checkOp({ shapes: [[3, 4, 2]], op: (x) => x.max(dim).values, reference: (x) => reduceAxes(x, [dim < 0 ? dim + 3 : dim], false, (v) => Math.max(...v)) });
      await checkOp({ shapes: [[3, 4, 2]], op: (x) => tg.min(x, dim, true).values, reference: (x) => reduceAxes(x, [dim < 0 ? dim + 3 : dim], true, (v) => Math.min(...v)) });
    }
  });
  test('several dims are refused with a pointer to amax', () => {
    const x = tg.zeros([2, 3]);
    assert.throws(() => (x as unknown as { max(d: number[]): unknown }).max([0, 1]), /max: dim must be one integer \(got \[0,1\]\); use amax/);
    assert.throws(() => x.min(2), /min: dim 2 is out of range/);
    assert.throws(() => x.max(0.5), /max: dim must be one integer/);
    assert.throws(() => tg.zeros([2, 0]).max(1), /max: cannot reduce over an empty dimension/);
  });
});

describe('argmax and argmin', () => {
  test('per dim and flattened, first occurrence on ties', () => {
    const x = tg.tensor([[1, 5, 5], [7, 0, -1]]);
    assert.deepEqual(x.argmax(1).toArray(), [1, 0]);
    assert.deepEqual(x.argmin(1).toArray(), [0, 2]);
    assert.deepEqual(x.argmax(0, true).toArray(), [[1, 0, 0]]);
    assert.equal(x.argmax().item(), 3);
    assert.equal(x.argmax().dtype, 'int32');
  });
  test('matches a plain reference on random data', () => {
    const g = new tg.Generator(5);
    const data = Float64Array.from({ length: 60 }, () => g.normal());
    const x = tg.tensor(data, { shape: [3, 4, 5], dtype: 'float64' });
    const got = x.argmax(1).data();
    for (let i = 0; i < 3; i++) for (let k = 0; k < 5; k++) {
      let best = 0;
      for (let j = 1; j < 4; j++) if (data[i * 20 + j * 5 + k]! > data[i * 20 + best * 5 + k]!) best = j;
      assert.equal(got[i * 5 + k], best);
    }
  });
});

describe('sum dtypes', () => {
  test('bool and int32 sum to int32; mean of ints is refused', () => {
    assert.equal(tg.tensor([true, false, true]).sum().item(), 2);
    assert.equal(tg.tensor([true]).sum().dtype, 'int32');
    assert.throws(() => tg.arange(3).mean(), /mean: expected a floating-point tensor/);
  });
  test('float32 sums of many elements stay accurate', () => {
    const x = tg.full([1_000_000], 0.1);
    assert.ok(Math.abs(x.sum().item() - 100000) < 1);
  });
});

describe('softmax family (composites of reductions)', () => {
  const softmaxRef = (x: ND, dim: number): ND => {
    const m = reduceAxes(x, [dim], true, (v) => Math.max(...v));
    const e = zip((a, b) => Math.exp(a - b), x, m);
    const s = reduceAxes(e, [dim], true, sum);
    return zip((a, b) => a / b, e, s);
  };
  test('softmax and logSoftmax over each dim', async () => {
    for (const dim of [0, 1, -1]) {
      await checkOp({ shapes: [[3, 4]], op: (x) => x.softmax(dim), reference: (x) => softmaxRef(x, dim) });
      await checkOp({ shapes: [[2, 5]], op: (x) => x.logSoftmax(dim), reference: (x) => map(softmaxRef(x, dim), Math.log) });
    }
  });
  test('softmax is stable for large logits', () => {
    const y = tg.tensor([[1000, 1001]]).softmax(1).toArray() as number[][];
    assert.ok(Math.abs(y[0]![1]! - 0.7310586) < 1e-6);
  });
});
