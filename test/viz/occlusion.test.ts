import '../../src/index.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tg from '../../src/index.js';
import { occlusion, positions } from '../../src/viz/occlusion.js';
import { setFusedKernelsEnabled } from '../../src/ops/fused.js';
import { withBackend } from '../helpers/check-op.js';
import { OnePixel, assertSameState, dirtyState, residualNet, snapshot, trainedLenet, values } from './attr-models.js';

/*
 * Occlusion sensitivity (Zeiler & Fergus 2014, fig. 7): the drop in the target
 * class probability when a patch is filled, averaged over the patches that
 * cover each pixel. Oracle: a model that reads one pixel.
 */

const softmax = (z: number[]) => {
  const m = Math.max(...z);
  const e = z.map((v) => Math.exp(v - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
};

test('patch positions step by the stride and end at the far edge', () => {
  assert.deepEqual(positions(10, 4, 3), [0, 3, 6]);
  assert.deepEqual(positions(10, 4, 4), [0, 4, 6]);
  assert.deepEqual(positions(5, 5, 2), [0]);
  assert.deepEqual(positions(7, 1, 1), [0, 1, 2, 3, 4, 5, 6]);
});

for (const backend of ['wasm', 'reference'] as const) {
  test(`${backend}: occlusion of a one-pixel model peaks at that pixel, equals the exact drop there, and is zero far away`, () => withBackend(backend, () => {
    const [py, px] = [6, 10];
    const model = new OnePixel(py, px);
    const image = tg.rand([1, 16, 20], { generator: new tg.Generator(2) }).mul(0.5);
    const data = image.data() as Float32Array;
    data[py * 20 + px] = 1; // the pixel the model reads is bright; the fill below is 0
    const img = tg.tensor(data, { shape: [1, 16, 20] });
    const size = 5, stride = 2;
    const seen: [number, number][] = [];
    const heat = occlusion(model, img, { target: 0, size, stride, fill: 0, batchSize: 7, onProgress: (d, t) => seen.push([d, t]) });
    assert.deepEqual(heat.shape, [16, 20]);
    const v = values(heat);
    // Exact drop where every covering patch hides the pixel: p0(logits at 1) - p0(logits at 0).
    const want = softmax([3, -1, 0.5])[0]! - softmax([0, 0, 0])[0]!;
    assert.ok(Math.abs(v[py * 20 + px]! - want) < 1e-5, `drop at the pixel ${v[py * 20 + px]} want ${want}`);
    // The peak: the pixel itself, and pixels whose every covering patch also hides it (so within size - 1 of it).
    const peak = Math.max(...v);
    assert.equal(v[py * 20 + px], peak, 'the map peaks at the pixel the model reads');
    v.forEach((a, i) => {
      if (a === peak) assert.ok(Math.abs(Math.floor(i / 20) - py) < size && Math.abs((i % 20) - px) < size, `peak pixel ${i} is near the read pixel`);
    });
    // A pixel no patch shares with (py, px) is never covered together with it.
    const ys = positions(16, size, stride), xs = positions(20, size, stride);
    const shares = (y: number, x: number) => ys.some((y0) => xs.some((x0) => y0 <= y && y < y0 + size && x0 <= x && x < x0 + size && y0 <= py && py < y0 + size && x0 <= px && px < x0 + size));
    for (let y = 0; y < 16; y++) for (let x = 0; x < 20; x++) if (!shares(y, x)) assert.equal(v[y * 20 + x], 0, `pixel (${y}, ${x}) far from the read pixel`);
    assert.ok(v.filter((a) => a === 0).length > 100, 'most of the image is far away');
    // Progress: after every batch of 7 windows, ending at the total.
    const total = ys.length * xs.length;
    assert.deepEqual(seen.map(([, t]) => t), seen.map(() => total));
    assert.deepEqual(seen.map(([d]) => d), Array.from({ length: Math.ceil(total / 7) }, (_, k) => Math.min(total, 7 * (k + 1))));
  }));

  test(`${backend}: occlusion on a residual model is deterministic, leaves the model as it was, and 'mean' fill works`, () => withBackend(backend, () => {
    tg.manualSeed(3);
    const model = residualNet();
    dirtyState(model, tg.rand([4, 3, 16, 16]));
    const before = snapshot(model);
    const x = tg.rand([1, 3, 16, 16]);
    const a = occlusion(model, x, { target: 'predicted', size: 4, stride: 2 });
    const b = occlusion(model, x, { target: 'predicted', size: 4, stride: 2, batchSize: 5 });
    assertSameState(model, before, 'occlusion');
    assert.deepEqual(a.shape, [16, 16]);
    assert.ok(values(a).every((v, i) => Math.abs(v - values(b)[i]!) < 1e-6), 'batch size does not change the map');
    const m = values(occlusion(model, x, { target: 1, fill: 'mean' }));
    assert.ok(m.every((v) => Number.isFinite(v) && Math.abs(v) <= 1));
    assert.ok(Math.max(...m) > Math.min(...m), 'not constant');
  }));
}

test('occlusion of a trained LeNet-5: covering the digit hurts the predicted class, fused kernels give the same map', () => {
  const { model, test: data } = trainedLenet();
  const img = data.images.select(0, 0);
  const heat = values(occlusion(model, img, { target: 'predicted', size: 7, stride: 3, fill: 0 }));
  const ink = values(img.reshape([784]));
  const inked = heat.filter((_, k) => ink[k]! > 0.3), corner = [0, 1, 2, 28, 29, 30, 56, 57, 58].map((k) => heat[k]!);
  const mean = (a: number[]) => a.reduce((s, v) => s + v, 0) / a.length;
  assert.ok(mean(inked) > 0.01 && mean(inked) > mean(corner.map(Math.abs)) + 0.01, `drop on the strokes ${mean(inked)}, in the corner ${mean(corner)}`);
  setFusedKernelsEnabled(false);
  let plain: number[];
  try {
    plain = values(occlusion(model, img, { target: 'predicted', size: 7, stride: 3, fill: 0 }));
  } finally {
    setFusedKernelsEnabled(undefined);
  }
  heat.forEach((v, i) => assert.ok(Math.abs(v - plain[i]!) < 1e-4, `pixel ${i}: fused ${v} vs plain ${plain[i]}`));
});

for (const backend of ['wasm', 'reference'] as const) {
  test(`${backend}: logit occlusion of a linear model is the analytic drop w[target] . (x - fill) over each patch, averaged per pixel`, () => withBackend(backend, () => {
    tg.manualSeed(6);
    const [C, H, W] = [2, 7, 9];
    const lin = new tg.nn.Linear(C * H * W, 3);
    const model = new tg.nn.Sequential(new tg.nn.Flatten(), lin);
    const w = lin.weight.toArray() as number[][];
    const x = tg.randn([C, H, W]);
    const xv = values(x);
    const size = 3, stride = 2, fill = 0.25, target = 1;
    const heat = values(occlusion(model, x, { target, size, stride, fill, score: 'logit', batchSize: 4 }));
    const ys = positions(H, size, stride), xs = positions(W, size, stride);
    const drop = new Array<number>(H * W).fill(0), covered = new Array<number>(H * W).fill(0);
    for (const y0 of ys) {
      for (const x0 of xs) {
        let d = 0;
        for (let c = 0; c < C; c++) for (let y = y0; y < y0 + size; y++) for (let x1 = x0; x1 < x0 + size; x1++) d += w[target]![c * H * W + y * W + x1]! * (xv[c * H * W + y * W + x1]! - fill);
        for (let y = y0; y < y0 + size; y++) for (let x1 = x0; x1 < x0 + size; x1++) { drop[y * W + x1]! += d; covered[y * W + x1]! += 1; }
      }
    }
    heat.forEach((v, p) => assert.ok(Math.abs(v - drop[p]! / covered[p]!) < 1e-4, `pixel ${p}: ${v} vs ${drop[p]! / covered[p]!}`));
    // The default measures the probability, exactly as before: the same bytes as score: 'probability'.
    const a = occlusion(model, x, { target, size, stride, fill });
    const b = occlusion(model, x, { target, size, stride, fill, score: 'probability' });
    assert.ok(Buffer.from(a.data().buffer).equals(Buffer.from(b.data().buffer)));
    assert.ok(values(a).every((v) => Math.abs(v) <= 1));
  }));
}

test('logit occlusion sees a confident digit that probability occlusion barely does', () => {
  const { model, test: data } = trainedLenet();
  // The most confident of the first 32 test digits.
  const probs = tg.F.softmax(tg.noGrad(() => model.forward(data.images.narrow(0, 0, 32))), 1);
  const best = (probs.amax(1).toArray() as number[]).reduce((a, p, i, all) => (p > all[a]! ? i : a), 0);
  const img = data.images.select(0, best);
  const prob = values(occlusion(model, img, { size: 7, stride: 3, fill: 0 }));
  const logit = values(occlusion(model, img, { size: 7, stride: 3, fill: 0, score: 'logit' }));
  assert.ok(Math.max(...logit) > 1, `hiding part of the digit costs its logit more than 1 (${Math.max(...logit)})`);
  assert.ok(Math.max(...logit) > 5 * Math.max(...prob), `logit drop ${Math.max(...logit)} vs probability drop ${Math.max(...prob)}`);
});

test('occlusion errors name the function and the bad argument', () => {
  const model = tg.models.lenet5();
  const x = tg.rand([1, 28, 28]);
  assert.throws(() => occlusion(model, tg.rand([1, 1, 1, 28, 28])), /^TensorError: occlusion: image must be \[C, H, W\] or \[1, C, H, W\] \(got \[1,1,1,28,28\]\)/);
  assert.throws(() => occlusion(model, tg.rand([3, 28, 28])), /occlusion: the model cannot take an image \[3,28,28\]/);
  assert.throws(() => occlusion(model, x, { size: 29 }), /occlusion: size 29 is larger than the image \(28x28\)/);
  assert.throws(() => occlusion(model, x, { stride: 0 }), /occlusion: stride must be a positive integer \(got 0\)/);
  assert.throws(() => occlusion(model, x, { size: 3, stride: 5 }), /occlusion: stride 5 is larger than size 3, which would leave pixels no window covers/);
  assert.throws(() => occlusion(model, x, { fill: 'grey' as never }), /occlusion: fill must be a number or 'mean' \(got "grey"\)/);
  assert.throws(() => occlusion(model, x, { target: -1 }), /occlusion: target must be 'predicted' or a class index in 0\.\.9/);
  assert.throws(() => occlusion(model, x, { onProgress: 3 as never }), /occlusion: onProgress must be a function/);
  assert.throws(() => occlusion(model, x, { score: 'prob' as never }), /occlusion: score must be 'probability' or 'logit' \(got "prob"\)/);
});
