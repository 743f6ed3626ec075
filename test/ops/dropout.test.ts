import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tg from '../../src/index.js';

const F = tg.F;
const arr = (t: tg.Tensor) => Array.from(t.data());
const meanOf = (xs: ArrayLike<number>) => Array.from(xs).reduce((a, b) => a + b, 0) / xs.length;

describe('dropout', () => {
  test('seeded masks are reproducible (global seed and explicit generator)', () => {
    const x = tg.ones([64]);
    tg.manualSeed(7);
    const a = arr(F.dropout(x, 0.5));
    const a2 = arr(F.dropout(x, 0.5));
    tg.manualSeed(7);
    assert.deepEqual(arr(F.dropout(x, 0.5)), a);
    assert.deepEqual(arr(F.dropout(x, 0.5)), a2);
    assert.notDeepEqual(a, a2, 'successive draws differ');
    const g1 = new tg.Generator(3), g2 = new tg.Generator(3);
    assert.deepEqual(arr(F.dropout(x, 0.3, true, { generator: g1 })), arr(F.dropout(x, 0.3, true, { generator: g2 })));
  });

  test('fraction of zeros is about p and kept values are scaled by 1/(1-p)', () => {
    const n = 100_000;
    for (const p of [0.1, 0.5, 0.8]) {
      const y = F.dropout(tg.ones([n], { dtype: 'float64' }), p, true, { generator: new tg.Generator(11) }).data();
      let zeros = 0;
      for (const v of y) {
        if (v === 0) zeros++;
        else assert.ok(Math.abs(v - 1 / (1 - p)) < 1e-12, `kept value ${v}`);
      }
      // sd of the fraction is sqrt(p(1-p)/n) <= 0.0016; allow ~6 sd
      assert.ok(Math.abs(zeros / n - p) < 0.01, `p ${p}: zero fraction ${zeros / n}`);
      assert.ok(Math.abs(meanOf(y) - 1) < 0.03, `p ${p}: mean ${meanOf(y)}`);
    }
  });

  test('expectation is preserved elementwise over many samples', () => {
    const g = new tg.Generator(5);
    const x = tg.randn([20], { dtype: 'float64', generator: g });
    const samples = 2000, p = 0.3;
    const acc = new Float64Array(20);
    for (let s = 0; s < samples; s++) F.dropout(x, p, true, { generator: g }).data().forEach((v, i) => (acc[i] += v / samples));
    const xs = x.data();
    // per-element sd of the average: |x| sqrt(p / (1-p) / samples) ~ 0.015 |x|
    acc.forEach((m, i) => assert.ok(Math.abs(m - xs[i]!) < 0.08 * Math.abs(xs[i]!) + 1e-9, `element ${i}: ${m} vs ${xs[i]}`));
  });

  test('gradient is the mask: 0 or 1/(1-p)', () => {
    const p = 0.4;
    const x = tg.rand([6, 7], { dtype: 'float64', requiresGrad: true }).detach().add(0.5).requiresGrad_();
    const y = F.dropout(x, p, true, { generator: new tg.Generator(2) });
    const w = tg.randn([6, 7], { dtype: 'float64' });
    y.mul(w).sum().backward();
    const ys = y.data(), xs = x.data(), ws = w.data(), gs = x.grad!.data();
    for (let i = 0; i < ys.length; i++) {
      const mask = ys[i]! === 0 ? 0 : 1 / (1 - p);
      assert.ok(Math.abs(ys[i]! - xs[i]! * mask) < 1e-12, 'forward is x * mask');
      assert.ok(Math.abs(gs[i]! - ws[i]! * mask) < 1e-12, `grad ${gs[i]} vs ${ws[i]! * mask}`);
    }
  });

  test('eval and p = 0 are the identity; p = 1 gives zeros', () => {
    const x = tg.randn([3, 4], { requiresGrad: true });
    assert.equal(F.dropout(x, 0.5, false), x);
    assert.equal(F.dropout(x, 0), x);
    assert.equal(F.dropout2d(tg.zeros([1, 2, 2, 2]), 0.5, false).shape.length, 4);
    const z = F.dropout(x, 1);
    assert.ok(arr(z).every((v) => v === 0), 'all zero (-0 for negative inputs, as x * 0 in PyTorch)');
    z.sum().backward();
    assert.deepEqual(arr(x.grad!), new Array(12).fill(0));
  });

  test('keeps dtype and backend; float64 mask is exact', () => {
    assert.equal(F.dropout(tg.ones([4], { dtype: 'float64' }), 0.5).dtype, 'float64');
    assert.equal(F.dropout(tg.ones([4]), 0.5).dtype, 'float32');
  });

  test('p must be in [0, 1]; integer inputs are rejected', () => {
    const x = tg.ones([3]);
    for (const p of [-0.1, 1.5, NaN]) {
      assert.throws(() => F.dropout(x, p), /^TensorError: dropout: p \(the probability of zeroing an element\) must be in \[0, 1\]/);
      assert.throws(() => F.dropout(x, p, false), /must be in \[0, 1\]/, 'checked in eval too');
    }
    assert.throws(() => F.dropout2d(tg.ones([1, 2, 2, 2]), 2), /^TensorError: dropout2d: p/);
    assert.throws(() => F.alphaDropout(x, -1), /^TensorError: alphaDropout: p/);
    assert.throws(() => F.dropout(tg.ones([3], { dtype: 'int32' }), 0.5), /dropout: expected a floating-point tensor/);
  });
});

/** Checks that each [n, c] slice of y is all zero or all x / (1-p); returns the fraction dropped. */
function channelsAllOrNothing(x: tg.Tensor, y: tg.Tensor, p: number): number {
  const [n, c] = [x.shape[0]!, x.shape[1]!];
  const per = x.numel() / (n * c);
  const xs = x.data(), ys = y.data();
  let dropped = 0;
  for (let ch = 0; ch < n * c; ch++) {
    const zeroed = ys[ch * per] === 0;
    if (zeroed) dropped++;
    for (let j = 0; j < per; j++) {
      const want = zeroed ? 0 : xs[ch * per + j]! / (1 - p);
      assert.ok(Math.abs(ys[ch * per + j]! - want) < 1e-5 * (1 + Math.abs(want)), `channel ${ch} element ${j}: ${ys[ch * per + j]} vs ${want}`);
    }
  }
  return dropped / (n * c);
}

describe('channel dropout', () => {
  const positive = (shape: number[]) => tg.rand(shape, { generator: new tg.Generator(1) }).add(0.5);

  test('dropout2d zeroes whole channels of [N, C, H, W] with probability p', () => {
    tg.manualSeed(3);
    const x = positive([40, 50, 2, 3]);
    const frac = channelsAllOrNothing(x, F.dropout2d(x, 0.3), 0.3);
    assert.ok(Math.abs(frac - 0.3) < 0.04, `dropped fraction ${frac}`); // sd 0.0065
  });

  test('dropout2d on 3-D input is channel-wise over [N, C, L] (PyTorch behaviour)', () => {
    const x = positive([6, 5, 4]);
    channelsAllOrNothing(x, F.dropout2d(x, 0.5, true, { generator: new tg.Generator(4) }), 0.5);
  });

  test('dropout1d and dropout3d, batched and unbatched', () => {
    const g = new tg.Generator(9);
    const x3 = positive([4, 6, 5]);
    channelsAllOrNothing(x3, F.dropout1d(x3, 0.5, true, { generator: g }), 0.5);
    const x2 = positive([6, 5]);
    channelsAllOrNothing(x2.unsqueeze(0), F.dropout1d(x2, 0.5, true, { generator: g }).unsqueeze(0), 0.5);
    const x5 = positive([2, 4, 2, 2, 3]);
    channelsAllOrNothing(x5, F.dropout3d(x5, 0.5, true, { generator: g }), 0.5);
    const x4 = positive([5, 2, 2, 3]);
    const y4 = F.dropout3d(x4, 0.5, true, { generator: g });
    assert.deepEqual(y4.shape, [5, 2, 2, 3]);
    channelsAllOrNothing(x4.unsqueeze(0), y4.unsqueeze(0), 0.5);
  });

  test('gradient of channel dropout is the channel mask', () => {
    const x = tg.randn([2, 3, 2, 2], { dtype: 'float64', requiresGrad: true });
    const y = F.dropout2d(x, 0.5, true, { generator: new tg.Generator(8) });
    y.sum().backward();
    const ys = y.data(), xs = x.data(), gs = x.grad!.data();
    for (let i = 0; i < ys.length; i++) assert.ok(Math.abs(gs[i]! * xs[i]! - ys[i]!) < 1e-12);
  });

  test('rank errors', () => {
    assert.throws(() => F.dropout2d(tg.ones([2, 3]), 0.5), /^TensorError: dropout2d: expected a 4-D \[N, C, H, W\] \(or 3-D \[N, C, L\]\) input \(got input \[2,3\]\)/);
    assert.throws(() => F.dropout2d(tg.ones([1, 2, 3, 4, 5]), 0.5), /dropout2d: .*got input \[1,2,3,4,5\]/);
    assert.throws(() => F.dropout1d(tg.ones([1, 2, 3, 4]), 0.5), /dropout1d: expected a 2-D \[C, 1-D spatial\] or 3-D \[N, C, 1-D spatial\] input/);
    assert.throws(() => F.dropout3d(tg.ones([2, 3, 4]), 0.5), /dropout3d: expected a 4-D/);
    assert.throws(() => F.featureAlphaDropout(tg.ones([3]), 0.5), /featureAlphaDropout: expected an input of shape \[N, C, \*\]/);
  });
});

describe('alpha dropout', () => {
  const alphaP = 1.7580993408473766;
  test('keeps zero mean and unit variance of a standard normal input', () => {
    const g = new tg.Generator(21);
    const x = tg.randn([100_000], { dtype: 'float64', generator: g });
    const y = F.alphaDropout(x, 0.2, true, { generator: g }).data();
    const m = meanOf(y);
    const v = meanOf(Array.from(y, (t) => (t - m) ** 2));
    assert.ok(Math.abs(m) < 0.02, `mean ${m}`);
    assert.ok(Math.abs(v - 1) < 0.03, `variance ${v}`);
  });
  test('kept: a x + b; dropped: a (-alpha) + b (PyTorch constants)', () => {
    const p = 0.5;
    const a = 1 / Math.sqrt((alphaP * alphaP * p + 1) * (1 - p));
    const b = a * alphaP * p;
    const x = tg.tensor([0.5, 2, -1, 3, 1.5, -0.25, 0.75, 4], { dtype: 'float64' });
    const y = F.alphaDropout(x, p, true, { generator: new tg.Generator(13) }).data();
    let kept = 0, dropped = 0;
    x.data().forEach((xv, i) => {
      if (Math.abs(y[i]! - (a * xv + b)) < 1e-12) kept++;
      else if (Math.abs(y[i]! - (-a * alphaP + b)) < 1e-12) dropped++;
    });
    assert.equal(kept + dropped, 8);
    assert.ok(kept > 0 && dropped > 0);
    assert.equal(F.alphaDropout(x, p, false), x);
  });
  test('featureAlphaDropout acts per channel', () => {
    const x = tg.ones([3, 4, 5], { dtype: 'float64' });
    const y = F.featureAlphaDropout(x, 0.5, true, { generator: new tg.Generator(1) }).data();
    for (let ch = 0; ch < 12; ch++) {
      const first = y[ch * 5]!;
      for (let j = 1; j < 5; j++) assert.equal(y[ch * 5 + j], first);
    }
  });
});
