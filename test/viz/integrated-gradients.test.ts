import '../../src/index.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tg from '../../src/index.js';
import { integratedGradients } from '../../src/viz/integrated-gradients.js';
import { withBackend } from '../helpers/check-op.js';
import { OnePixel, assertSameState, dirtyState, residualNet, snapshot, trainedLenet, values } from './attr-models.js';

/*
 * Integrated gradients (Sundararajan et al. 2017): (x - b) times the mean
 * gradient on the path from the baseline b to x (midpoint rule). Oracle: on a
 * linear model the gradient is the weight row everywhere, so the attributions
 * are exactly (x - b) * w[target] for any number of steps; on a network they
 * add up to f(x) - f(b) up to the quadrature error.
 */

/** Flatten -> Linear(C*H*W, K): logit k = w[k] . x + bias[k]. */
function linearModel(c: number, h: number, w: number, k: number): { model: tg.nn.Module; weight: number[][] } {
  const lin = new tg.nn.Linear(c * h * w, k);
  const model = new tg.nn.Sequential(new tg.nn.Flatten(), lin);
  return { model, weight: lin.weight.toArray() as number[][] };
}

const maxAbs = (a: number[]) => Math.max(...a.map(Math.abs));

for (const backend of ['wasm', 'reference'] as const) {
  test(`${backend}: integrated gradients of a linear model are (x - baseline) * w[target] for any steps`, () => withBackend(backend, () => {
    tg.manualSeed(1);
    const [C, H, W, K] = [3, 5, 6, 4];
    const { model, weight } = linearModel(C, H, W, K);
    const x = tg.randn([C, H, W]);
    const xv = values(x);
    const bTensor = tg.randn([C, H, W]).mul(0.3);
    for (const baseline of [undefined, -0.5, bTensor, bTensor.unsqueeze(0)]) {
      const bv = baseline instanceof tg.Tensor ? values(baseline) : xv.map(() => baseline ?? 0);
      for (const steps of [1, 3, 32]) {
        for (const target of [0, 2]) {
          const ig = integratedGradients(model, x, { target, steps, baseline });
          assert.deepEqual(ig.attributions.shape, [C, H, W]);
          assert.deepEqual(ig.heat.shape, [H, W]);
          assert.equal(ig.target, target);
          const a = values(ig.attributions);
          const want = xv.map((v, i) => (v - bv[i]!) * weight[target]![i]!);
          a.forEach((v, i) => assert.ok(Math.abs(v - want[i]!) < 1e-5, `steps ${steps}, value ${i}: ${v} vs ${want[i]}`));
          // heat = the channels summed
          values(ig.heat).forEach((v, p) => {
            const s = want[p]! + want[H * W + p]! + want[2 * H * W + p]!;
            assert.ok(Math.abs(v - s) < 1e-5, `heat ${p}: ${v} vs ${s}`);
          });
          // Completeness is exact on a linear model (the bias cancels).
          assert.ok(Math.abs(ig.error) < 1e-4, `completeness error ${ig.error}`);
          assert.ok(Math.abs(ig.sum - want.reduce((s, v) => s + v, 0)) < 1e-4);
          assert.ok(Math.abs(ig.error - (ig.sum - (ig.logit - ig.baselineLogit))) < 1e-12, 'error is sum - (logit - baselineLogit)');
        }
      }
    }
  }));

  test(`${backend}: integrated gradients on a residual model with batch norm leave the model as they found it; completeness holds`, () => withBackend(backend, () => {
    tg.manualSeed(2);
    const model = residualNet();
    const x = tg.rand([3, 16, 16]);
    dirtyState(model, tg.rand([4, 3, 16, 16]));
    const before = snapshot(model);
    const ig = integratedGradients(model, x, { target: 'predicted', steps: 16 });
    assertSameState(model, before, 'integratedGradients');
    assert.deepEqual(ig.heat.shape, [16, 16]);
    const v = values(ig.heat);
    assert.ok(v.every(Number.isFinite) && Math.max(...v) > Math.min(...v), 'finite, not constant');
    const delta = ig.logit - ig.baselineLogit;
    assert.ok(Math.abs(ig.error) < 0.05 * Math.abs(delta) + 1e-3, `completeness: sum ${ig.sum} vs f(x) - f(b) ${delta}`);
    // The logit of x is the model's own (eval mode).
    const want = tg.noGrad(() => { model.eval(); return model.forward(x.unsqueeze(0)); }).data()[ig.target]!;
    model.train();
    assert.ok(Math.abs(ig.logit - want) < 1e-5);
  }));
}

test('completeness error is small and shrinks with steps on a trained LeNet-5', () => {
  const { model, test: data } = trainedLenet();
  const img = data.images.select(0, 0);
  const errs = [2, 8, 64].map((steps) => integratedGradients(model, img, { target: 'predicted', steps }));
  const delta = errs[0]!.logit - errs[0]!.baselineLogit;
  assert.ok(Math.abs(delta) > 1, `the logit moves from black to the digit (${delta})`);
  errs.forEach((r) => assert.ok(Math.abs(r.logit - errs[0]!.logit) < 1e-9 && Math.abs(r.baselineLogit - errs[0]!.baselineLogit) < 1e-9));
  const e = errs.map((r) => Math.abs(r.error));
  assert.ok(e[2]! < e[0]! && e[2]! <= e[1]! + 1e-6, `|error| shrinks with steps: ${e.join(', ')}`);
  assert.ok(e[2]! < 0.02 * Math.abs(delta), `|error| at 64 steps ${e[2]} vs f(x) - f(b) ${delta}`);
  // Attributions on black background pixels are exactly zero (x - b = 0 there).
  const ink = values(img.reshape([784]));
  const heat = values(errs[2]!.heat);
  ink.forEach((v, k) => { if (v === 0) assert.ok(heat[k] === 0, `background pixel ${k}: ${heat[k]}`); });
});

test('batching and progress: batchSize changes only speed; onProgress counts path points', () => {
  tg.manualSeed(4);
  const model = tg.models.lenet5();
  const x = tg.rand([1, 28, 28]);
  const seen: [number, number][] = [];
  const one = integratedGradients(model, x, { target: 3, steps: 10, batchSize: 1 });
  const batched = integratedGradients(model, x, { target: 3, steps: 10, batchSize: 4, onProgress: (d, t) => seen.push([d, t]) });
  const d = values(one.attributions).map((v, i) => v - values(batched.attributions)[i]!);
  assert.ok(maxAbs(d) < 1e-6 * Math.max(1, maxAbs(values(one.attributions))), `batch size does not change the attributions (max diff ${maxAbs(d)})`);
  assert.ok(Math.abs(one.sum - batched.sum) < 1e-5);
  assert.deepEqual(seen, [[4, 10], [8, 10], [10, 10]]);
  // The same call twice gives the same bytes.
  const again = integratedGradients(model, x, { target: 3, steps: 10, batchSize: 4 });
  assert.ok(Buffer.from(again.heat.data().buffer).equals(Buffer.from(batched.heat.data().buffer)));
});

test('integrated gradients work inside tg.noGrad and on a one-pixel model are zero but at that pixel', () => {
  const model = new OnePixel(2, 3);
  const x = tg.rand([2, 5, 6], { generator: new tg.Generator(3) });
  const ig = tg.noGrad(() => integratedGradients(model, x, { target: 1, baseline: 0.25 }));
  const a = values(ig.attributions);
  a.forEach((v, i) => {
    if (i === 2 * 6 + 3) assert.ok(Math.abs(v - -1 * (values(x)[i]! - 0.25)) < 1e-6, `at the pixel: ${v}`);
    else assert.ok(v === 0, `value ${i}: ${v}`);
  });
});

test('integratedGradients errors name the function and the bad argument', () => {
  const model = tg.models.lenet5();
  const x = tg.rand([1, 28, 28]);
  assert.throws(() => integratedGradients(model, tg.rand([2, 1, 28, 28])), /^TensorError: integratedGradients: image must be \[C, H, W\] or \[1, C, H, W\] \(got \[2,1,28,28\]\)/);
  assert.throws(() => integratedGradients(model, tg.zeros([1, 28, 28], { dtype: 'int32' })), /integratedGradients: image must be float32 or float64 \(got int32\)/);
  assert.throws(() => integratedGradients(model, tg.rand([3, 28, 28])), /integratedGradients: the model cannot take an image \[3,28,28\]/);
  assert.throws(() => integratedGradients(model, x, { target: 10 }), /integratedGradients: target must be 'predicted' or a class index in 0\.\.9 \(the model has 10 outputs; got 10\)/);
  assert.throws(() => integratedGradients(model, x, { steps: 0 }), /integratedGradients: steps must be a positive integer \(got 0\)/);
  assert.throws(() => integratedGradients(model, x, { steps: 2.5 }), /integratedGradients: steps must be a positive integer \(got 2\.5\)/);
  assert.throws(() => integratedGradients(model, x, { batchSize: -1 }), /integratedGradients: batchSize must be a positive integer \(got -1\)/);
  assert.throws(() => integratedGradients(model, x, { baseline: NaN }), /integratedGradients: baseline must be a finite number or a Tensor of the image's shape \(got NaN\)/);
  assert.throws(() => integratedGradients(model, x, { baseline: 'black' as never }), /integratedGradients: baseline must be a number or a Tensor of the image's shape \(got "black"\)/);
  assert.throws(() => integratedGradients(model, x, { baseline: tg.zeros([28, 28]) }), /integratedGradients: baseline must have the image's shape \[1,28,28\] \(got \[28,28\]\)/);
  assert.throws(() => integratedGradients(model, x, { baseline: tg.zeros([1, 28, 28], { dtype: 'int32' }) }), /integratedGradients: baseline must be float32 or float64 \(got int32\)/);
  assert.throws(() => integratedGradients(model, x, { onProgress: 3 as never }), /integratedGradients: onProgress must be a function/);
  assert.throws(() => integratedGradients(model, x, { step: 8 } as never), /integratedGradients: unknown option 'step'/);
});
