import '../../src/index.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tg from '../../src/index.js';
import { saliency } from '../../src/viz/saliency.js';
import { setFusedKernelsEnabled } from '../../src/ops/fused.js';
import { withBackend } from '../helpers/check-op.js';
import { OnePixel, assertSameState, dirtyState, residualNet, snapshot, trainedLenet, values } from './attr-models.js';

/*
 * Saliency = |d logit / d input|, max over channels (Simonyan et al. 2014),
 * optionally averaged over noisy copies (SmoothGrad). The oracle is a model
 * that reads one pixel: its gradient exists at that pixel only.
 */

for (const backend of ['wasm', 'reference'] as const) {
  test(`${backend}: saliency of a one-pixel model is non-zero only at that pixel, |w[target]| there`, () => withBackend(backend, () => {
    const model = new OnePixel(5, 9);
    const image = tg.rand([3, 12, 16], { generator: new tg.Generator(1) });
    for (const [target, w] of [[0, 3], [1, 1], [2, 0.5]] as const) {
      for (const smoothGrad of [undefined, { samples: 7, noise: 0.2, seed: 3 }]) {
        const heat = saliency(model, image, { target, smoothGrad });
        assert.deepEqual(heat.shape, [12, 16]);
        values(heat).forEach((v, i) => {
          if (i === 5 * 16 + 9) assert.ok(Math.abs(v - w) < 1e-6, `value at the pixel ${v}, want ${w}`);
          else assert.equal(v, 0, `pixel ${i} must be 0 (smoothGrad ${Boolean(smoothGrad)})`);
        });
      }
    }
    // 'predicted' with p > 0 picks logit 0 (w = 3), the largest.
    const heat = saliency(model, image.unsqueeze(0).add(0.1), { target: 'predicted' });
    assert.ok(Math.abs(heat.data()[5 * 16 + 9]! - 3) < 1e-6);
  }));

  test(`${backend}: saliency on a residual model with batch norm leaves the model as it found it`, () => withBackend(backend, () => {
    tg.manualSeed(2);
    const model = residualNet();
    const x = tg.rand([3, 16, 16]);
    dirtyState(model, tg.rand([4, 3, 16, 16]));
    const before = snapshot(model);
    const heat = saliency(model, x, { target: 'predicted' });
    assertSameState(model, before, 'saliency');
    assert.deepEqual(heat.shape, [16, 16]);
    const v = values(heat);
    assert.ok(v.every((a) => Number.isFinite(a) && a >= 0), 'finite, non-negative');
    assert.ok(Math.max(...v) > Math.min(...v), 'not constant');
    const smooth = saliency(model, x, { target: 2, smoothGrad: { samples: 4, seed: 1 } });
    assertSameState(model, before, 'saliency with smoothGrad');
    assert.deepEqual(smooth.shape, [16, 16]);
  }));
}

test('SmoothGrad is deterministic per seed: the same bytes for a seed, another map for another seed', () => {
  tg.manualSeed(4);
  const model = tg.models.lenet5();
  const x = tg.rand([1, 28, 28]);
  const run = (seed: number) => Buffer.from(saliency(model, x, { target: 3, smoothGrad: { samples: 6, noise: 0.1, seed } }).data().buffer);
  assert.ok(run(5).equals(run(5)), 'same seed, same bytes');
  assert.ok(!run(5).equals(run(6)), 'another seed, another map');
  // Batching changes only speed: each copy's gradient depends on that copy alone.
  const batched = saliency(model, x, { target: 3, smoothGrad: { samples: 6, noise: 0.1, seed: 5 }, batchSize: 4 });
  const whole = new Float32Array(run(5).buffer.slice(0));
  const maxDiff = Math.max(...values(batched).map((v, i) => Math.abs(v - whole[i]!)));
  assert.ok(maxDiff < 1e-6, `batch size does not change the map (max diff ${maxDiff})`);
});

test('saliency with fused kernels active equals saliency with them off (LeNet-5 fuses conv+ReLU+pool)', () => {
  tg.manualSeed(5);
  const model = tg.models.lenet5();
  const x = tg.rand([1, 1, 28, 28]);
  const fused = values(saliency(model, x, { target: 1 }));
  let plain: number[];
  setFusedKernelsEnabled(false);
  try {
    plain = values(saliency(model, x, { target: 1 }));
  } finally {
    setFusedKernelsEnabled(undefined);
  }
  const scale = Math.max(...plain);
  assert.ok(scale > 0);
  fused.forEach((v, i) => assert.ok(Math.abs(v - plain[i]!) <= 1e-4 * scale, `pixel ${i}: fused ${v} vs plain ${plain[i]}`));
});

test('saliency of a trained LeNet-5 lies on and around the digit more than in the far background', () => {
  const { model, test: data } = trainedLenet();
  let onDigit = 0, far = 0;
  for (let i = 0; i < 8; i++) {
    const img = data.images.select(0, i);
    const heat = values(saliency(model, img, { target: 'predicted', smoothGrad: { samples: 8, seed: i } }));
    // Pixels within 2 of a stroke vs pixels at least 5 away from any stroke.
    const ink = values(tg.F.maxPool2d(img.unsqueeze(0).gt(0.3).to('float32'), 5, { stride: 1, padding: 2 }).reshape([784]));
    const wide = values(tg.F.maxPool2d(img.unsqueeze(0).gt(0.3).to('float32'), 11, { stride: 1, padding: 5 }).reshape([784]));
    const mean = (pick: (k: number) => boolean) => {
      const sel = heat.filter((_, k) => pick(k));
      return sel.reduce((a, b) => a + b, 0) / Math.max(1, sel.length);
    };
    onDigit += mean((k) => ink[k] === 1);
    far += mean((k) => wide[k] === 0);
  }
  assert.ok(onDigit > 2 * far, `mean saliency near strokes ${onDigit / 8} vs far background ${far / 8}`);
});

test('saliency errors name the function and the bad argument', () => {
  const model = tg.models.lenet5();
  assert.throws(() => saliency(model, tg.rand([2, 1, 28, 28])), /^TensorError: saliency: image must be \[C, H, W\] or \[1, C, H, W\] \(got \[2,1,28,28\]\)/);
  assert.throws(() => saliency(model, tg.rand([28, 28])), /saliency: image must be \[C, H, W\] or \[1, C, H, W\] \(got \[28,28\]\)/);
  assert.throws(() => saliency(model, tg.zeros([1, 28, 28], { dtype: 'int32' })), /saliency: image must be float32 or float64 \(got int32\)/);
  assert.throws(() => saliency(model, tg.rand([3, 28, 28])), /saliency: the model cannot take an image \[3,28,28\]: conv2d: input has 3 channels but weight expects 1/);
  assert.throws(() => saliency(model, tg.rand([1, 32, 32])), /saliency: the model cannot take an image \[1,32,32\]/);
  assert.throws(() => saliency(model, tg.rand([1, 28, 28]), { target: 10 }), /saliency: target must be 'predicted' or a class index in 0\.\.9 \(the model has 10 outputs; got 10\)/);
  assert.throws(() => saliency(model, tg.rand([1, 28, 28]), { target: 'max' as never }), /saliency: target must be/);
  assert.throws(() => saliency(model, tg.rand([1, 28, 28]), { smoothGrad: { samples: 0 } }), /saliency: smoothGrad\.samples must be a positive integer \(got 0\)/);
  assert.throws(() => saliency(model, tg.rand([1, 28, 28]), { smoothGrad: { nosie: 0.1 } as never }), /saliency: unknown option 'nosie'/);
  assert.throws(() => saliency(model, tg.rand([1, 28, 28]), { taget: 1 } as never), /saliency: unknown option 'taget'/);
});

test('an image on another backend than the model is fed to the model on its own backend', () => {
  const model = withBackend('wasm', () => new OnePixel(2, 3));
  const image = withBackend('reference', () => tg.rand([1, 6, 6]));
  const heat = saliency(model, image, { target: 0 });
  assert.equal(heat.backend, model.w.backend);
  assert.ok(Math.abs(heat.data()[2 * 6 + 3]! - 3) < 1e-6);
});
