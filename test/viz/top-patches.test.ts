import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tg from '../../src/index.js';
import { topActivations, type Activation } from '../../src/viz/top-activations.js';
import { topPatches, topPatchesImage } from '../../src/viz/top-patches.js';
import { projectActivation, projectActivations, projectionImage } from '../../src/viz/guided-backprop.js';
import { cropWindow, fieldWindow } from '../../src/viz/receptive-window.js';
import { encodePng } from '../../src/data/image-io.js';
import { withBackend } from '../helpers/check-op.js';
import { assertSameState, dirtyState, residualNet, snapshot, trainedLenet } from './attr-models.js';

/*
 * Top activating patches (Zeiler & Fergus): the streamed top-k is exactly what
 * a brute-force scan finds, each patch is the input under the activation's
 * receptive field, each projection is zero outside that field, memory stays at
 * one batch, and the model is left as it was.
 */

type Tensor = tg.Tensor;

// Trained on wasm whatever the default backend (the reference backend's loops would take a minute);
// weights and images are kept as host data, so each backend gets its own copy.
const { state, testHost } = withBackend('wasm', () => {
  const trained = trainedLenet();
  const sd = trained.model.stateDict();
  return {
    state: Object.fromEntries(Object.entries(sd).map(([k, v]) => [k, { data: v.data(), shape: v.shape }])),
    testHost: trained.test.images.narrow(0, 0, 300).data(),
  };
});

/** The briefly trained LeNet-5 and the first `n` of the 300 test images on the current backend. */
function lenetHere(n = 300): { model: tg.models.LeNet5; images: Tensor } {
  const model = tg.models.lenet5();
  model.loadStateDict(Object.fromEntries(Object.entries(state).map(([k, v]) => [k, tg.tensor(v.data, { shape: v.shape })])));
  return { model, images: tg.tensor(testHost.subarray(0, n * 784), { shape: [n, 1, 28, 28] }) };
}

/** The k largest activations of each unit over a single forward pass of all images, sorted with the same tie rule. */
function bruteForce(model: tg.nn.Module, images: Tensor, layer: string, units: number[], k: number): Activation[][] {
  model.eval();
  const map = tg.viz.featureMaps(model, images, { layers: [layer] }).get(layer)!;
  const [n, c, h, w] = map.shape as [number, number, number, number];
  const data = map.data();
  return units.map((u) => {
    const all: Activation[] = [];
    for (let i = 0; i < n; i++) {
      for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) all.push({ value: data[((i * c + u) * h + y) * w + x]!, index: i, position: [y, x] });
    }
    all.sort((a, b) => b.value - a.value || a.index - b.index || a.position[0] - b.position[0] || a.position[1] - b.position[1]);
    return all.slice(0, k);
  });
}

/** The input pixels of `image` [1, 28, 28] in rows top..top+size-1, columns left..left+size-1, 0 outside. */
function manualCrop(image: Tensor, top: number, left: number, size: number): number[] {
  const px = image.data();
  const out: number[] = [];
  for (let y = top; y < top + size; y++) {
    for (let x = left; x < left + size; x++) out.push(y >= 0 && y < 28 && x >= 0 && x < 28 ? px[y * 28 + x]! : 0);
  }
  return out;
}

for (const backend of ['wasm', 'reference'] as const) {
  describe(`topActivations / topPatches on ${backend}`, () => {
    // LeNet-5 fields (hand-derived: conv 5x5 pad 2, pool 2, conv 5x5, pool 2):
    // features.3 (conv2) size 14, jump 2, start 4.5 -> rows 2y-2 .. 2y+11;
    // features.5 (pool2) size 16, jump 4, start 5.5 -> rows 4y-2 .. 4y+13.
    const cases = [
      { layer: 'features.3', units: [0, 8, 11], size: 14, jump: 2 },
      { layer: 'features.5', units: [2, 8, 15], size: 16, jump: 4 },
    ];

    for (const c of cases) {
      test(`${c.layer}: the streamed top-k equals a brute-force scan, from a tensor, a Dataset and a DataLoader`, () => withBackend(backend, () => {
        // The reference backend's plain loops are slower: fewer images there (the batches still do not divide them).
        const n = backend === 'wasm' ? 300 : 130;
        const { model, images } = lenetHere(n);
        const want = bruteForce(model, images, c.layer, c.units, 7);
        assert.ok(want.every((top) => top[0]!.value > 0), 'the units fire on some digit');
        const fromTensor = topActivations(model, images, { layer: c.layer, units: c.units, k: 7, batchSize: 64 });
        const ds = new tg.data.TensorDataset(images, tg.zeros([n], { dtype: 'int32' }));
        const fromDataset = topActivations(model, ds, { layer: c.layer, units: c.units, k: 7, batchSize: 50 });
        const fromLoader = topActivations(model, new tg.data.DataLoader(ds, { batchSize: 128 }), { layer: c.layer, units: c.units, k: 7 });
        for (const got of [fromTensor, fromDataset, fromLoader]) {
          assert.equal(got.count, n);
          assert.deepEqual(got.units.map((u) => u.unit), c.units);
          // Exactly: each image's activations do not depend on the batch it ran in.
          got.units.forEach((u, j) => assert.deepEqual(u.top, want[j], `unit ${u.unit}`));
        }
      }));

      test(`${c.layer}: each patch is the input under the receptive field, and each projection is zero outside it`, () => withBackend(backend, () => {
        const { model, images } = lenetHere(backend === 'wasm' ? 300 : 130);
        const tp = topPatches(model, images, { layer: c.layer, units: c.units.slice(0, 2), k: 3, batchSize: 100 });
        assert.deepEqual(tp.field, { size: [c.size, c.size], jump: [c.jump, c.jump], start: [(c.size - 1) / 2 - 2, (c.size - 1) / 2 - 2] });
        for (const u of tp.units) {
          for (const e of u.entries) {
            const [y, x] = e.position;
            const top = c.jump * y - 2, left = c.jump * x - 2;
            assert.deepEqual(e.window, { top, left, height: c.size, width: c.size });
            const image = images.select(0, e.index);
            assert.deepEqual(e.patch.shape, [1, c.size, c.size]);
            assert.deepEqual(Array.from(e.patch.data()), manualCrop(image, top, left, c.size), `unit ${u.unit} image ${e.index} at [${y}, ${x}]`);
            assert.deepEqual(e.projection!.shape, [1, c.size, c.size]);
            for (const method of ['guided', 'deconvnet', 'gradient'] as const) {
              const single = projectActivation(model, image, { layer: c.layer, unit: u.unit, position: e.position, method });
              if (method === 'guided') {
                // topPatches projects a unit's k images in one batch: the same as one by one.
                const alone = projectionImage(single, e.window);
                assert.ok(e.projection!.allclose(alone, 1e-5, 1e-6), `batched vs single: max |diff| ${e.projection!.sub(alone).abs().max().item()}`);
              }
              const p = single.data();
              let inside = 0;
              for (let py = 0; py < 28; py++) {
                for (let px = 0; px < 28; px++) {
                  const v = p[py * 28 + px]!;
                  if (py >= top && py < top + c.size && px >= left && px < left + c.size) inside = Math.max(inside, Math.abs(v));
                  else assert.equal(v, 0, `${method} projection at pixel [${py}, ${px}] outside rows ${top}.., columns ${left}..`);
                }
              }
              assert.ok(inside > 0, `${method}: the projection is not all zero inside the window`);
            }
          }
        }
      }));
    }

    test('a small residual model: the patch window follows the traced field through the skip connection', () => withBackend(backend, () => {
      tg.manualSeed(3);
      const model = residualNet();
      const images = tg.rand([20, 3, 16, 16]);
      // Layer '3' is the residual block's output relu(x + f(x)): the branch is the wider, three 3x3 convs deep, field 7.
      const tp = topPatches(model, images, { layer: '3', units: [1], k: 4, batchSize: 8 });
      assert.deepEqual(tp.field, { size: [7, 7], jump: [1, 1], start: [0, 0] });
      assert.deepEqual(fieldWindow(tp.field, [0, 0], [16, 16]), { top: -3, left: -3, height: 7, width: 7 });
      for (const e of tp.units[0]!.entries) {
        const [y, x] = e.position;
        assert.deepEqual(e.window, { top: y - 3, left: x - 3, height: 7, width: 7 });
        assert.deepEqual(e.patch.shape, [3, 7, 7]);
        const p = projectActivation(model, images.select(0, e.index), { layer: '3', unit: 1, position: e.position });
        const outside = p.sub(cropAndEmbed(p, e.window)).abs().max().item();
        assert.equal(outside, 0, 'zero outside the window');
      }
    }));
  });
}

/** `p` with everything outside `window` set to zero (the crop put back in place). */
function cropAndEmbed(p: Tensor, w: { top: number; left: number; height: number; width: number }): Tensor {
  const [c, h, wd] = p.shape as [number, number, number];
  const crop = cropWindow(p, w).data();
  const out = new Float32Array(c * h * wd);
  for (let ch = 0; ch < c; ch++) {
    for (let y = 0; y < w.height; y++) {
      for (let x = 0; x < w.width; x++) {
        const iy = w.top + y, ix = w.left + x;
        if (iy >= 0 && iy < h && ix >= 0 && ix < wd) out[(ch * h + iy) * wd + ix] = crop[(ch * w.height + y) * w.width + x]!;
      }
    }
  }
  return tg.tensor(out, { shape: [c, h, wd] });
}

describe('topActivations streams with bounded memory', () => {
  test('a 1000-image dataset is read batch by batch: never more than one batch of activations, progress reported per batch', () => {
    const { model } = lenetHere();
    const gen = new tg.Generator(7);
    let gets = 0;
    const ds: tg.data.Dataset<Tensor> = { length: 1000, get: (i) => (gets++, tg.rand([1, 28, 28], { generator: gen }).mul(i % 3)) };
    const batchSizes: number[] = [];
    const hook = model.features.at(3).registerForwardHook((_m, _in, out) => void batchSizes.push((out as Tensor).shape[0]!));
    const progress: [number, number, number][] = [];
    try {
      const top = topActivations(model, ds, { layer: 'features.3', units: [1], k: 5, batchSize: 96, onProgress: (done, total) => progress.push([done, total, gets]) });
      assert.equal(top.units[0]!.top.length, 5);
    } finally {
      hook.remove();
    }
    // By construction: each forward sees one batch, and images are fetched only for the batch being run.
    assert.ok(batchSizes.every((n) => n <= 96), `forward batch sizes ${batchSizes}`);
    assert.equal(batchSizes.reduce((a, b) => a + b, 0), 1000);
    assert.deepEqual(progress.map((p) => p[0]), [96, 192, 288, 384, 480, 576, 672, 768, 864, 960, 1000]);
    assert.ok(progress.every(([done, total, fetched]) => total === 1000 && fetched === done), 'no image is fetched ahead of its batch');
  });
});

describe('topPatches output and contract', () => {
  test('one image per unit: size, non-constant content, the same PNG bytes on a second run', () => {
    const { model, images } = lenetHere();
    const run = () => topPatches(model, images, { layer: 'features.5', units: [2, 8], k: 6, batchSize: 128 });
    const a = run(), b = run();
    for (let u = 0; u < 2; u++) {
      const img = topPatchesImage(a.units[u]!.entries, { scale: 3 });
      // 2 rows (patches, projections) of 6 patches 48 px wide with 2 px padding.
      assert.deepEqual(img.shape, [1, 2 * 50 + 2, 6 * 50 + 2]);
      assert.ok(img.max().item() > img.min().item(), 'not constant');
      assert.ok(encodePng(img).equals(encodePng(topPatchesImage(b.units[u]!.entries, { scale: 3 }))), 'same bytes');
    }
    const none = topPatches(model, images, { layer: 'features.5', units: [2], k: 2, projection: 'none' });
    assert.equal(none.units[0]!.entries[0]!.projection, null);
    assert.deepEqual(topPatchesImage(none.units[0]!.entries).shape, [1, 20, 38]);
  });

  test('a layer past the spatial part (Linear after flatten): the field is global and each patch is the whole image', () => {
    const { model, images } = lenetHere(60);
    const tp = topPatches(model, images, { layer: 'classifier.1', units: [3], k: 2, batchSize: 32 });
    assert.equal(tp.field, 'global');
    assert.deepEqual(tp.mapSize, [1, 1]);
    for (const e of tp.units[0]!.entries) {
      assert.deepEqual(e.position, [0, 0]);
      assert.deepEqual(e.window, { top: 0, left: 0, height: 28, width: 28 });
      assert.deepEqual(Array.from(e.patch.data()), Array.from(images.select(0, e.index).data()));
      assert.deepEqual(e.projection!.shape, [1, 28, 28]);
    }
  });

  test('leaves the model as it found it: training flags, requiresGrad, grads, no hooks', () => {
    const { model, images } = lenetHere();
    dirtyState(model, images.narrow(0, 0, 4));
    const before = snapshot(model);
    topPatches(model, images.narrow(0, 0, 40), { layer: 'features.3', units: [0], k: 2, batchSize: 16 });
    assertSameState(model, before, 'topPatches');
    assert.ok(model.modules().every((m) => !m.hasForwardHooks()), 'hooks removed');
  });

  test('bad input: one clear TensorError naming the function and the argument', () => {
    const { model, images } = lenetHere();
    const opts = { layer: 'features.3', units: [0] };
    assert.throws(() => topActivations(model, images, { ...opts, layer: 'features.9' }), /topActivations: unknown layer 'features.9' \(valid layers: features, features.0, .*classifier.5\)/);
    assert.throws(() => topActivations(model, images, { ...opts, units: [16] }), /topActivations: unit 16 is out of range for layer 'features.3', which has 16 channels/);
    assert.throws(() => topActivations(model, images, { ...opts, units: [] }), /topActivations: units must be a non-empty list/);
    assert.throws(() => topActivations(model, images, { ...opts, k: 0 }), /topActivations: k must be a positive integer/);
    assert.throws(() => topActivations(model, images.select(0, 0), opts), /topActivations: images must be \[N, C, H, W\] \(got \[1,28,28\]\)/);
    assert.throws(() => topActivations(model, new tg.data.DataLoader(new tg.data.TensorDataset(images), { shuffle: true }), opts), /topActivations: the DataLoader shuffles/);
    assert.throws(() => topActivations(model, { length: 2, get: () => 3 }, opts), /topActivations: each dataset item must be an image tensor \[C, H, W\] or a tuple whose first element is one \(got number\)/);
    assert.throws(() => topPatches(model, images, { ...opts, projection: 'magic' as 'guided' }), /topPatches: projection must be/);
    assert.throws(() => projectActivations(model, images.narrow(0, 0, 3), [{ unit: 0 }], { layer: 'features.3' }), /projectActivations: expected one target \{ unit, position \} per image \(3 images, got 1\)/);
  });
});
