import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tg from '../../src/index.js';
import { checkOp, randomShape, broadcastableTo } from '../helpers/check-op.js';
import { map, zip } from '../helpers/ndarray.js';

const erf = (x: number): number => {
  // Independent series/continued-fraction free check: numeric integral of 2/sqrt(pi) e^{-t^2} by Simpson's rule.
  const n = 2000, h = x / n;
  let s = 1 + Math.exp(-x * x);
  for (let i = 1; i < n; i++) s += (i % 2 ? 4 : 2) * Math.exp(-((i * h) ** 2));
  return ((2 / Math.sqrt(Math.PI)) * s * h) / 3;
};

const positive = (g: tg.Generator) => 0.2 + 2 * g.uniform();
/** Values kept away from kinks (|x| >= 0.05) so finite differences are valid. */
const awayFromZero = (g: tg.Generator) => {
  const v = g.normal();
  return Math.abs(v) < 0.05 ? 0.5 : v;
};

const unaryCases: [string, (x: tg.Tensor) => tg.Tensor, (x: number) => number, ((g: tg.Generator) => number)?][] = [
  ['neg', (x) => x.neg(), (x) => -x],
  ['abs', (x) => x.abs(), Math.abs, awayFromZero],
  ['exp', (x) => x.exp(), Math.exp],
  ['expm1', (x) => x.expm1(), Math.expm1],
  ['log', (x) => x.log(), Math.log, positive],
  ['log1p', (x) => x.log1p(), Math.log1p, positive],
  ['sqrt', (x) => x.sqrt(), Math.sqrt, positive],
  ['rsqrt', (x) => x.rsqrt(), (x) => 1 / Math.sqrt(x), positive],
  ['reciprocal', (x) => x.reciprocal(), (x) => 1 / x, positive],
  ['square', (x) => x.square(), (x) => x * x],
  ['sin', (x) => x.sin(), Math.sin],
  ['cos', (x) => x.cos(), Math.cos],
  ['tanh', (x) => x.tanh(), Math.tanh],
  ['sigmoid', (x) => x.sigmoid(), (x) => 1 / (1 + Math.exp(-x))],
  ['relu', (x) => x.relu(), (x) => Math.max(x, 0), awayFromZero],
  ['erf', (x) => x.erf(), erf],
  ['sign', (x) => x.sign(), Math.sign, awayFromZero],
  ['floor', (x) => x.floor(), Math.floor, (g) => Math.floor(g.normal() * 3) + 0.25 + 0.5 * g.uniform()],
];

describe('unary ops', () => {
  for (const [name, op, ref, values] of unaryCases) {
    test(name, async () => {
      await checkOp({ shapes: (g) => [randomShape(g, 0, 3)], op, reference: (x) => map(x, ref), values, cases: 3, tol: { f64: 1e-9 } });
    });
  }
});

const binaryCases: [string, (a: tg.Tensor, b: tg.Tensor) => tg.Tensor, (a: number, b: number) => number, ((g: tg.Generator, i: number) => number)?][] = [
  ['add', (a, b) => a.add(b), (a, b) => a + b],
  ['add alpha', (a, b) => a.add(b, 2.5), (a, b) => a + 2.5 * b],
  ['sub', (a, b) => a.sub(b), (a, b) => a - b],
  ['mul', (a, b) => a.mul(b), (a, b) => a * b],
  ['div', (a, b) => a.div(b), (a, b) => a / b, (g, i) => (i === 1 ? positive(g) : g.normal())],
  ['pow', (a, b) => a.pow(b), Math.pow, (g, i) => (i === 0 ? positive(g) : g.normal())],
  ['maximum', (a, b) => a.maximum(b), Math.max],
  ['minimum', (a, b) => a.minimum(b), Math.min],
];

describe('binary ops with broadcasting', () => {
  for (const [name, op, ref, values] of binaryCases) {
    test(name, async () => {
      await checkOp({
        shapes: (g) => {
          const s = randomShape(g, 1, 3);
          return g.uniform() < 0.5 ? [s, broadcastableTo(g, s)] : [broadcastableTo(g, s), s];
        },
        op, reference: (a, b) => zip(ref, a, b), values, cases: 4,
      });
    });
  }
  test('scalar operands', async () => {
    await checkOp({ shapes: [[2, 3]], op: (a) => tg.sub(3, a.mul(2)).div(4).pow(2), reference: (a) => map(a, (x) => ((3 - 2 * x) / 4) ** 2) });
  });
});

describe('where and clamp', () => {
  test('where routes values and gradients', async () => {
    await checkOp({
      shapes: [[3, 4], [4], [3, 1]],
      op: (c, a, b) => tg.where(c.gt(0), a, b),
      reference: (c, a, b) => zip((cv, av, bv) => (cv > 0 ? av : bv), c, a, b),
      grad: [false, true, true],
    });
  });
  test('clamp: gradient 1 inside [min, max]', async () => {
    await checkOp({ shapes: [[5, 3]], op: (x) => x.clamp(-0.5, 0.7), reference: (x) => map(x, (v) => Math.min(Math.max(v, -0.5), 0.7)), values: (g) => {
      const v = g.normal();
      return Math.abs(v + 0.5) < 0.02 || Math.abs(v - 0.7) < 0.02 ? 0.1 : v;
    } });
  });
  test('clamp with only a lower bound', () => {
    const x = tg.tensor([-2, 0.5, 3]);
    assert.deepEqual(x.clamp(0).toArray(), [0, 0.5, 3]);
  });
});

describe('comparisons and logical ops', () => {
  test('return bool with broadcasting', () => {
    const a = tg.tensor([[1, 2, 3]]);
    const b = tg.tensor([[2], [1]]);
    assert.equal(a.lt(b).dtype, 'bool');
    assert.deepEqual(a.lt(b).toArray(), [[true, false, false], [false, false, false]]);
    assert.deepEqual(a.ge(2).toArray(), [[false, true, true]]);
    assert.deepEqual(a.eq(b).toArray(), [[false, true, false], [true, false, false]]);
    assert.deepEqual(a.ne(2).logicalAnd(a.gt(1)).toArray(), [[false, false, true]]);
    assert.deepEqual(a.eq(1).logicalOr(a.eq(3)).logicalNot().toArray(), [[false, true, false]]);
    assert.deepEqual(a.le(b).toArray(), [[true, true, false], [true, false, false]]);
  });
  test('comparisons do not record gradients', () => {
    const x = tg.randn([3], { requiresGrad: true });
    assert.equal(x.gt(0).requiresGrad, false);
  });
});

describe('dtype promotion', () => {
  test('int32 + float32 -> float32; float32 + float64 -> float64; int / int -> float32', () => {
    const i = tg.tensor([1, 2], { dtype: 'int32' });
    const f = tg.tensor([0.5, 0.5]);
    const d = tg.tensor([1, 1], { dtype: 'float64' });
    assert.equal(i.add(f).dtype, 'float32');
    assert.equal(f.add(d).dtype, 'float64');
    assert.equal(i.div(i).dtype, 'float32');
    assert.equal(i.add(1).dtype, 'int32');
    assert.equal(i.add(0.5).dtype, 'float32');
    assert.equal(f.add(2).dtype, 'float32');
    assert.deepEqual(i.div(tg.tensor([2, 4], { dtype: 'int32' })).toArray(), [0.5, 0.5]);
  });
  test('gradient of a float32 leaf used in a float64 op is float32', () => {
    const x = tg.tensor([1, 2], { requiresGrad: true });
    x.mul(tg.tensor([3, 4], { dtype: 'float64' })).sum().backward();
    assert.equal(x.grad!.dtype, 'float32');
    assert.deepEqual(x.grad!.toArray(), [3, 4]);
  });
});
