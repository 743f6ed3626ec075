import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tg from '../../src/index.js';
import { checkOp, assertClose } from '../helpers/check-op.js';
import { nd, stridesOf, unravel, type ND } from '../helpers/ndarray.js';

const EPS = 1e-5;

/**
 * Normalises groups of elements: `key(idx)` names the group of each input
 * index; each group is shifted by its mean and divided by sqrt(biased var + eps).
 */
function normalizeGroups(x: ND, key: (idx: number[]) => number, eps = EPS): ND {
  const sums = new Map<number, { s: number; s2: number; n: number }>();
  const keys = Array.from({ length: x.data.length }, (_, i) => key(unravel(i, x.shape)));
  keys.forEach((k, i) => {
    const e = sums.get(k) ?? { s: 0, s2: 0, n: 0 };
    e.s += x.data[i]!;
    e.n++;
    sums.set(k, e);
  });
  keys.forEach((k, i) => {
    const e = sums.get(k)!;
    e.s2 += (x.data[i]! - e.s / e.n) ** 2;
  });
  const out = nd(x.shape);
  keys.forEach((k, i) => {
    const e = sums.get(k)!;
    out.data[i] = (x.data[i]! - e.s / e.n) / Math.sqrt(e.s2 / e.n + eps);
  });
  return out;
}

/** out[i] = y[i] * w[p(i)] + b[p(i)] with p the flat parameter index of element i. */
function affineRef(y: ND, param: (idx: number[]) => number, w?: ND, b?: ND): ND {
  const out = nd(y.shape, y.data);
  for (let i = 0; i < out.data.length; i++) {
    const p = param(unravel(i, y.shape));
    if (w) out.data[i] = out.data[i]! * w.data[p]!;
    if (b) out.data[i] = out.data[i]! + b.data[p]!;
  }
  return out;
}

const positive = (g: tg.Generator) => 0.3 + g.uniform();

describe('batchNorm', () => {
  for (const shape of [[4, 3], [3, 2, 4], [2, 3, 2, 2]]) {
    test(`training, affine ${JSON.stringify(shape)}`, async () => {
      await checkOp({
        shapes: [shape, [shape[1]!], [shape[1]!]],
        op: (x, w, b) => tg.F.batchNorm(x, null, null, w, b, { training: true }),
        reference: (x, w, b) => affineRef(normalizeGroups(x, (i) => i[1]!), (i) => i[1]!, w, b),
      });
    });
  }
  test('training, weight only and bias only (odd spatial size: vector loops and tails)', async () => {
    await checkOp({
      shapes: [[3, 2, 7], [2]],
      op: (x, w) => tg.F.batchNorm(x, null, null, w, null, { training: true }),
      reference: (x, w) => affineRef(normalizeGroups(x, (i) => i[1]!), (i) => i[1]!, w, undefined),
    });
    await checkOp({
      shapes: [[2, 3, 9], [3]],
      op: (x, b) => tg.F.batchNorm(x, null, null, null, b, { training: true }),
      reference: (x, b) => affineRef(normalizeGroups(x, (i) => i[1]!), (i) => i[1]!, undefined, b),
    });
  });
  test('training, no affine', async () => {
    await checkOp({
      shapes: [[3, 2, 5]],
      op: (x) => tg.F.batchNorm(x, null, null, null, null, { training: true, eps: 1e-3 }),
      reference: (x) => normalizeGroups(x, (i) => i[1]!, 1e-3),
    });
  });
  test('training with running stats gives the same output', async () => {
    await checkOp({
      shapes: [[2, 3, 3], [3], [3]],
      values: (g, i) => (i === 2 ? positive(g) : g.normal()),
      op: (x, rm, rv) => tg.F.batchNorm(x, rm.detach().clone(), rv.detach().clone(), null, null, { training: true }),
      reference: (x) => normalizeGroups(x, (i) => i[1]!),
      grad: [true, false, false],
    });
  });
  const evalRef = (x: ND, rm: ND, rv: ND, w?: ND, b?: ND) => {
    const out = nd(x.shape);
    for (let i = 0; i < out.data.length; i++) {
      const c = unravel(i, x.shape)[1]!;
      out.data[i] = (x.data[i]! - rm.data[c]!) / Math.sqrt(rv.data[c]! + EPS);
    }
    return affineRef(out, (i) => i[1]!, w, b);
  };
  for (const shape of [[5, 2], [2, 3, 2, 3]]) {
    test(`eval, affine ${JSON.stringify(shape)} (gradients to input, stats and parameters)`, async () => {
      const c = shape[1]!;
      await checkOp({
        shapes: [shape, [c], [c], [c], [c]],
        values: (g, i) => (i === 2 ? positive(g) : g.normal()),
        op: (x, rm, rv, w, b) => tg.F.batchNorm(x, rm, rv, w, b),
        reference: evalRef,
      });
    });
  }
  test('eval, no affine', async () => {
    await checkOp({
      shapes: [[3, 4, 2], [4], [4]],
      values: (g, i) => (i === 2 ? positive(g) : g.normal()),
      op: (x, rm, rv) => tg.F.batchNorm(x, rm, rv, null, null, { training: false }),
      reference: (x, rm, rv) => evalRef(x, rm, rv),
    });
  });

  test('running statistics: momentum and unbiased variance, updated in place', () => {
    // channel 0 sees [1, 3]: mean 2, biased var 1, unbiased var 2
    // channel 1 sees [2, 6]: mean 4, biased var 4, unbiased var 8
    const x = tg.tensor([[1, 2], [3, 6]], { requiresGrad: true });
    const rm = tg.zeros([2]);
    const rv = tg.ones([2]);
    const y = tg.F.batchNorm(x, rm, rv, null, null, { training: true });
    assertClose(rm.data(), [0.2, 0.4], 1e-6, 1e-7, 'runningMean after 1 step');
    assertClose(rv.data(), [0.9 + 0.1 * 2, 0.9 + 0.1 * 8], 1e-6, 1e-7, 'runningVar after 1 step');
    // the output uses the biased variance
    assertClose(y.data(), [-1 / Math.sqrt(1 + EPS), -2 / Math.sqrt(4 + EPS), 1 / Math.sqrt(1 + EPS), 2 / Math.sqrt(4 + EPS)], 1e-6, 1e-7, 'output');
    assert.equal(rm.requiresGrad, false);
    assert.equal(rv.requiresGrad, false);
    tg.F.batchNorm(x, rm, rv, null, null, { training: true, momentum: 0.5 });
    assertClose(rm.data(), [0.5 * 0.2 + 0.5 * 2, 0.5 * 0.4 + 0.5 * 4], 1e-6, 1e-7, 'runningMean after 2 steps');
    assertClose(rv.data(), [0.5 * 1.1 + 0.5 * 2, 0.5 * 1.7 + 0.5 * 8], 1e-6, 1e-7, 'runningVar after 2 steps');
    // spatial positions count as samples: [N=1, C=1, 4] -> unbiased var over 4 values
    const rm2 = tg.zeros([1]), rv2 = tg.zeros([1]);
    tg.F.batchNorm(tg.tensor([[[0, 2, 4, 6]]]), rm2, rv2, null, null, { training: true, momentum: 1 });
    assertClose(rm2.data(), [3], 1e-6, 1e-7, 'spatial running mean');
    assertClose(rv2.data(), [20 / 3], 1e-6, 1e-7, 'spatial running var');
    y.sum().backward();
    assert.ok(x.grad);
  });
  test('eval leaves the running statistics alone', () => {
    const rm = tg.tensor([1, 2]), rv = tg.tensor([4, 9]);
    const y = tg.F.batchNorm(tg.tensor([[3, 5]]), rm, rv, tg.tensor([2, 1]), tg.tensor([0, 1]));
    assertClose(y.data(), [2 * (2 / Math.sqrt(4 + EPS)), 3 / Math.sqrt(9 + EPS) + 1], 1e-6, 1e-7, 'eval output');
    assert.deepEqual(rm.toArray(), [1, 2]);
    assert.deepEqual(rv.toArray(), [4, 9]);
  });
  test('float32 running stats with a float64 input', () => {
    const rm = tg.zeros([2]), rv = tg.ones([2]);
    const x = tg.tensor([[1, 2], [3, 6]], { dtype: 'float64' });
    assert.equal(tg.F.batchNorm(x, rm, rv, null, null, { training: true }).dtype, 'float64');
    assert.equal(rm.dtype, 'float32');
    assert.equal(tg.F.batchNorm(x, rm, rv).dtype, 'float64');
  });
  test('errors', () => {
    const x = tg.zeros([4, 3, 2]);
    const c3 = tg.zeros([3]);
    assert.throws(() => tg.F.batchNorm(tg.zeros([1, 3]), null, null, null, null, { training: true }),
      { message: 'batchNorm: expected more than 1 value per channel when training (input [1,3])' });
    assert.throws(() => tg.F.batchNorm(x, tg.zeros([4]), c3), /batchNorm: runningMean must have shape \[3\] \(one per channel, C = 3\) but has shape \[4\] \(input \[4,3,2\]\)/);
    assert.throws(() => tg.F.batchNorm(x, c3, c3, tg.zeros([2])), /batchNorm: weight must have shape \[3\].*has shape \[2\]/);
    assert.throws(() => tg.F.batchNorm(x, c3, c3, null, tg.zeros([3, 1])), /batchNorm: bias must have shape \[3\]/);
    assert.throws(() => tg.F.batchNorm(x, null, null), /runningMean and runningVar are required when not training/);
    assert.throws(() => tg.F.batchNorm(x, c3, null, null, null, { training: true }), /both be given or both be null/);
    assert.throws(() => tg.F.batchNorm(tg.zeros([3]), null, null, null, null, { training: true }), /at least 2 dims/);
    assert.throws(() => tg.F.batchNorm(x, c3, c3, null, null, { eps: -1 }), /eps must be/);
    assert.throws(() => tg.F.batchNorm(tg.zeros([2, 3], { dtype: 'int32' }), c3, c3), /floating-point/);
  });
});

describe('layerNorm', () => {
  const trailingKey = (x: ND, k: number) => (idx: number[]) => idx.slice(0, x.shape.length - k).reduce((a, v, d) => a * x.shape[d]! + v, 0);
  const paramIndex = (shape: number[], k: number) => (idx: number[]) => {
    const tail = shape.slice(shape.length - k);
    const st = stridesOf(tail);
    return idx.slice(shape.length - k).reduce((a, v, d) => a + v * st[d]!, 0);
  };
  for (const [shape, ns] of [[[3, 4], [4]], [[2, 3, 4], [4]], [[2, 3, 4], [3, 4]], [[5], [5]]] as [number[], number[]][]) {
    test(`input ${JSON.stringify(shape)} normalizedShape ${JSON.stringify(ns)}, affine`, async () => {
      await checkOp({
        shapes: [shape, ns, ns],
        op: (x, w, b) => tg.F.layerNorm(x, ns, w, b),
        reference: (x, w, b) => affineRef(normalizeGroups(x, trailingKey(x, ns.length)), paramIndex(shape, ns.length), w, b),
      });
    });
  }
  test('no affine, number normalizedShape, custom eps', async () => {
    await checkOp({
      shapes: [[2, 2, 3]],
      op: (x) => tg.F.layerNorm(x, 3, null, null, { eps: 1e-2 }),
      reference: (x) => normalizeGroups(x, trailingKey(x, 1), 1e-2),
    });
  });
  test('errors', () => {
    const x = tg.zeros([2, 4]);
    assert.throws(() => tg.F.layerNorm(x, [3]), /layerNorm: normalizedShape \[3\] must be .*input \[\*,3\] \(got input \[2,4\]\)/);
    assert.throws(() => tg.F.layerNorm(x, [2, 2, 4]), /normalizedShape \[2,2,4\]/);
    assert.throws(() => tg.F.layerNorm(x, []), /normalizedShape \[\]/);
    assert.throws(() => tg.F.layerNorm(x, [4], tg.zeros([3])), /layerNorm: weight must have shape \[4\] \(normalizedShape \[4\]\) but has shape \[3\]/);
    assert.throws(() => tg.F.layerNorm(x, [4], null, tg.zeros([1, 4])), /layerNorm: bias must have shape \[4\]/);
  });
});

describe('groupNorm', () => {
  const cases: [number[], number][] = [[[2, 4, 3], 2], [[2, 6, 2, 2], 3], [[1, 4, 5], 1], [[3, 4], 4]];
  for (const [shape, groups] of cases) {
    test(`input ${JSON.stringify(shape)}, ${groups} groups, affine`, async () => {
      const c = shape[1]!;
      await checkOp({
        shapes: [shape, [c], [c]],
        op: (x, w, b) => tg.F.groupNorm(x, groups, w, b),
        // group of an element: (n, floor(c / (C / G)))
        reference: (x, w, b) => affineRef(normalizeGroups(x, (i) => i[0]! * groups + Math.floor(i[1]! / (c / groups))), (i) => i[1]!, w, b),
      });
    });
  }
  test('no affine', async () => {
    await checkOp({
      shapes: [[2, 4, 3]],
      op: (x) => tg.F.groupNorm(x, 2),
      reference: (x) => normalizeGroups(x, (i) => i[0]! * 2 + Math.floor(i[1]! / 2)),
    });
  });
  test('errors', () => {
    const x = tg.zeros([2, 6, 3]);
    assert.throws(() => tg.F.groupNorm(x, 4), { message: 'groupNorm: numGroups 4 must be a positive integer dividing the number of channels 6 (input [2,6,3])' });
    assert.throws(() => tg.F.groupNorm(x, 0), /numGroups 0/);
    assert.throws(() => tg.F.groupNorm(x, 3, tg.zeros([3])), /groupNorm: weight must have shape \[6\] \(one per channel, C = 6\) but has shape \[3\]/);
    assert.throws(() => tg.F.groupNorm(tg.zeros([6]), 3), /at least 2 dims/);
  });
});

describe('localResponseNorm', () => {
  /** b_c = a_c / (k + alpha/size * sum_{c' in [c - floor(size/2), c + floor((size-1)/2)]} a_c'^2)^beta */
  const lrnRef = (x: ND, size: number, alpha: number, beta: number, k: number): ND => {
    const out = nd(x.shape);
    const C = x.shape[1]!;
    const cStride = stridesOf(x.shape)[1]!;
    for (let i = 0; i < x.data.length; i++) {
      const c = unravel(i, x.shape)[1]!;
      let s = 0;
      for (let cc = c - Math.floor(size / 2); cc <= c + Math.floor((size - 1) / 2); cc++) {
        if (cc >= 0 && cc < C) s += x.data[i + (cc - c) * cStride]! ** 2;
      }
      out.data[i] = x.data[i]! / (k + (alpha / size) * s) ** beta;
    }
    return out;
  };
  const cases: [number[], number, number, number, number][] = [
    [[2, 5, 3], 2, 0.5, 0.75, 1],
    [[1, 6, 2, 3], 3, 0.3, 0.75, 2],
    [[2, 7, 2, 2], 5, 1, 0.5, 1],
    [[1, 3, 2, 1, 2], 5, 0.8, 1.2, 1.5],
    [[2, 4, 3], 1, 0.5, 0.75, 1],
  ];
  for (const [shape, size, alpha, beta, k] of cases) {
    test(`size ${size}, input ${JSON.stringify(shape)}`, async () => {
      await checkOp({
        shapes: [shape],
        op: (x) => tg.F.localResponseNorm(x, size, { alpha, beta, k }),
        reference: (x) => lrnRef(x, size, alpha, beta, k),
      });
    });
  }
  test('PyTorch defaults (alpha 1e-4, beta 0.75, k 1)', async () => {
    await checkOp({ shapes: [[1, 4, 2]], values: (g) => 20 * g.normal(), op: (x) => tg.F.localResponseNorm(x, 3), reference: (x) => lrnRef(x, 3, 1e-4, 0.75, 1) });
  });
  test('errors', () => {
    assert.throws(() => tg.F.localResponseNorm(tg.zeros([2, 3]), 2), /localResponseNorm: .*at least 3 dims \(got input \[2,3\]\)/);
    assert.throws(() => tg.F.localResponseNorm(tg.zeros([1, 3, 2]), 0), /size must be a positive integer/);
    assert.throws(() => tg.F.localResponseNorm(tg.zeros([1, 3, 2]), 2, { beta: NaN }), /beta must be a finite number/);
  });
});
