import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as tg from '../../src/index.js';
import { featureMapGrid, featureMapImage, featureMapSheet, type FeatureMapView } from '../../src/viz/feature-view.js';
import { VIRIDIS } from '../../src/viz/colormap-data.js';
import { encodePng } from '../../src/data/image-io.js';
import { upscaleNearest } from '../../src/viz/sheet.js';
import { withBackend } from '../helpers/check-op.js';
import { assertSameState, residualNet, snapshot, trainedLenet } from './attr-models.js';

/*
 * Feature maps as grid images: sizes, colour-scale semantics (per map vs per
 * layer), the input beside them, non-spatial layers as strips, hooks seeing
 * what a step-by-step forward computes (fused kernels active elsewhere), both
 * backends, deterministic bytes, the model left as found, and clear errors.
 */

type Tensor = tg.Tensor;
const { nn } = tg;
const sha = (img: Tensor) => createHash('sha256').update(encodePng(img)).digest('hex');
const throws = (fn: () => unknown, re: RegExp) => assert.throws(fn, (e: Error) => e instanceof tg.TensorError && re.test(e.message), `expected ${re}`);
const digit = () => tg.data.loadMnist({ split: 'test' }).images.select(0, 0); // [1, 28, 28], a 7
/** Cell k of a grid of `size`-pixel cells, `columns` wide, padding 2. */
const cell = (grid: Tensor, k: number, size: number, columns: number) =>
  grid.narrow(1, 2 + Math.floor(k / columns) * (size + 2), size).narrow(2, 2 + (k % columns) * (size + 2), size);
/** Mean relative luminance of an RGB image [3, H, W]. */
const luminance = (rgb: Tensor) => rgb.select(0, 0).mul(0.2126).add(rgb.select(0, 1).mul(0.7152)).add(rgb.select(0, 2).mul(0.0722)).mean().item();
const asView = (v: FeatureMapView | { kind: 'skipped' }): FeatureMapView => {
  assert.notEqual(v.kind, 'skipped');
  return v as FeatureMapView;
};

/** Conv(1 -> 3, no bias) + ReLU whose channel 1 is exactly 2 x channel 0 and channel 2 is dead (all zero). */
function doublingNet(): tg.nn.Sequential {
  const conv = new nn.Conv2d(1, 3, 3, { bias: false });
  tg.noGrad(() => {
    conv.weight.select(0, 1).copy_(conv.weight.select(0, 0).mul(2));
    conv.weight.select(0, 2).fill_(0);
  });
  return new nn.Sequential(conv, new nn.ReLU());
}

for (const backend of ['wasm', 'reference'] as const) {
  describe(`${backend}: featureMapGrid`, () => {
    test('LeNet-5 sizes: 6 maps of 28x28 upscaled 2x in 3 columns; 16 of 10x10 upscaled 5x; logits as a strip', () => withBackend(backend, () => {
      tg.manualSeed(1);
      const model = tg.models.lenet5();
      const x = digit();
      const v0 = featureMapGrid(model, x, { layer: 'features.0' });
      assert.equal(v0.kind, 'maps');
      assert.deepEqual(v0.shape, [1, 6, 28, 28]);
      assert.deepEqual(v0.image.shape, [3, 2 * 58 + 2, 3 * 58 + 2]);
      assert.deepEqual(v0.channels, [0, 1, 2, 3, 4, 5]);
      const v3 = featureMapGrid(model, x.unsqueeze(0), { layer: 'features.3', map: 'grey' });
      assert.deepEqual(v3.image.shape, [1, 4 * 52 + 2, 4 * 52 + 2]);
      const logits = featureMapGrid(model, x, { layer: 'classifier.5' });
      assert.equal(logits.kind, 'vector');
      assert.deepEqual(logits.image.shape, [3, 14, 140], 'ten 14-pixel squares in one row');
      const two = featureMapGrid(model, x, { layer: 'features.0', channels: [4, 1] });
      assert.deepEqual(two.channels, [4, 1]);
      assert.deepEqual(cell(two.image, 0, 56, 2).data(), cell(v0.image, 4, 56, 3).data(), 'channel 4 drawn first');
    }));

    test('per-map: a channel with double the values looks the same; per-layer: it is brighter; a dead channel is the lowest colour', () => withBackend(backend, () => {
      tg.manualSeed(2);
      const model = doublingNet();
      const x = tg.rand([1, 12, 12]);
      const perMap = featureMapGrid(model, x, { layer: '1' });
      const perLayer = featureMapGrid(model, x, { layer: '1', scale: 'per-layer' });
      const size = 10 * 5; // 10x10 maps upscaled 5x
      assert.deepEqual(cell(perMap.image, 0, size, 2).data(), cell(perMap.image, 1, size, 2).data());
      assert.deepEqual(cell(perLayer.image, 1, size, 2).data(), cell(perMap.image, 1, size, 2).data(), 'the stronger channel spans the layer\'s range');
      // On the layer's scale the weaker channel's peak sits at the middle of the map, the stronger one's at the top.
      const [weak, strong] = [0, 1].map((k) => luminance(cell(perLayer.image, k, size, 2)));
      assert.ok(weak! < strong!, 'the weaker channel is darker');
      const peak = (k: number) => { const c = cell(perLayer.image, k, size, 2).select(0, 1); return c.max().item(); };
      assert.ok(Math.abs(peak(0) - (VIRIDIS[3 * 127 + 1]! + VIRIDIS[3 * 128 + 1]!) / 2) < 1e-6, 'weaker peak: middle colour');
      assert.equal(peak(1), Math.fround(VIRIDIS[3 * 255 + 1]!), 'stronger peak: top colour');
      assert.deepEqual(perLayer.ranges[0], perLayer.ranges[1]);
      assert.equal(perMap.ranges[1]![1], 2 * perMap.ranges[0]![1]);
      for (const v of [perMap, perLayer]) {
        const dead = cell(v.image, 2, size, 2);
        assert.ok(!dead.isnan().any().item());
        for (let k = 0; k < 3; k++) assert.ok(dead.select(0, k).eq(Math.fround(VIRIDIS[k]!)).all().item(), 'dead channel = viridis\' first row');
      }
    }));
  });

  test(`${backend}: hooks see what a step-by-step forward computes (LeNet-5 Sequential, fused kernels active where no hook looks)`, () => withBackend(backend, () => {
    tg.manualSeed(3);
    const model = tg.models.lenet5();
    model.eval();
    const x = digit().unsqueeze(0);
    const layers = ['features.1', 'features.5', 'classifier.5'];
    const sheet = featureMapSheet(model, x, { layers, scale: 'per-layer' });
    assert.deepEqual(sheet.layers.map((l) => l.path), layers);
    // Step by step: every leaf's own forward, in order (nothing fused).
    const leaves = [...model.features.namedChildren().map(([n, m]) => [`features.${n}`, m] as const), ...model.classifier.namedChildren().map(([n, m]) => [`classifier.${n}`, m] as const)];
    const outs = new Map<string, Tensor>();
    tg.noGrad(() => leaves.reduce((y, [name, m]) => {
      const out = m.forward(y) as Tensor;
      outs.set(name, out);
      return out;
    }, x));
    for (const l of sheet.layers.map(asView)) {
      const want = featureMapImage(outs.get(l.path)!.squeeze(0), { scale: 'per-layer' }).image;
      assert.deepEqual(l.image.shape, want.shape);
      assert.ok(l.image.allclose(want, 0, 1e-4), `${l.path}: max |diff| ${l.image.sub(want).abs().max().item()}`);
    }
  }));

  test(`${backend}: residual model: a block and layers inside it; the model is left as found (modes, grads, BN statistics)`, () => withBackend(backend, () => {
    tg.manualSeed(4);
    const model = residualNet(); // in training mode
    const stats = model.buffers().map((b) => Array.from(b.data()));
    const before = snapshot(model);
    const sheet = featureMapSheet(model, tg.rand([3, 16, 16]), { layers: ['3', '3.body.1', '0', '6'] });
    assert.deepEqual(sheet.layers.map((l) => [l.path, l.kind]), [['0', 'maps'], ['3.body.1', 'maps'], ['3', 'maps'], ['6', 'vector']]);
    assert.deepEqual(sheet.layers[2]!.shape, [1, 8, 16, 16]);
    assert.deepEqual(sheet.input.shape, [3, 48, 48], 'RGB input, upscaled 3x like 16x16 maps');
    assertSameState(model, before, 'featureMapSheet');
    assert.deepEqual(model.buffers().map((b) => Array.from(b.data())), stats, 'eval mode: batch-norm statistics untouched');
  }));
}

describe('featureMapSheet', () => {
  test('default: every leaf in the order it ran, the input beside them; non-spatial layers as strips', () => {
    tg.manualSeed(5);
    const model = tg.models.lenet5();
    const x = digit();
    const sheet = featureMapSheet(model, x);
    assert.deepEqual(sheet.layers.map((l) => l.path), [0, 1, 2, 3, 4, 5].map((i) => `features.${i}`).concat([0, 1, 2, 3, 4, 5].map((i) => `classifier.${i}`)));
    assert.deepEqual(sheet.layers.map((l) => l.kind), [...new Array(6).fill('maps'), ...new Array(6).fill('vector')]);
    assert.deepEqual(sheet.input.data(), upscaleNearest(x, 2).data(), 'an input in [0, 1] is shown as it is');
    const shifted = featureMapSheet(model, x.mul(2).sub(1), { layers: ['features.0'] }).input;
    assert.ok(shifted.allclose(upscaleNearest(x, 2), 0, 1e-6), 'a normalised input is rescaled to [0, 1] for display');
  });

  test('layers that are not drawn are listed with a note: a 3-D output, a layer that did not run', () => {
    class Odd extends nn.Module {
      conv = new nn.Conv1d(1, 2, 3);
      unused = new nn.ReLU();
      forward(x: Tensor): Tensor { return this.conv.forward(x.flatten(2)); }
    }
    const sheet = featureMapSheet(new Odd(), tg.rand([1, 4, 4]), { layers: ['conv', 'unused'] });
    assert.deepEqual(sheet.layers.map((l) => [l.path, l.kind]), [['conv', 'skipped'], ['unused', 'skipped']]);
    assert.match((sheet.layers[0] as { note: string }).note, /output \[1, ?2, ?14\] is neither spatial/);
    assert.match((sheet.layers[1] as { note: string }).note, /did not run/);
    throws(() => featureMapGrid(new Odd(), tg.rand([1, 4, 4]), { layer: 'conv' }), /featureMapGrid: cannot draw layer 'conv': output \[1, ?2, ?14\] is neither spatial/);
  });

  // Trained on wasm whatever the default backend (40 Adam steps take ~30 s on the reference backend); both backends render above.
  test('trained LeNet-5: non-constant maps; same seed, same PNG bytes', () => withBackend('wasm', () => {
    const render = () => {
      const { model } = trainedLenet(40);
      return featureMapSheet(model, digit(), { layers: ['features.1', 'features.4', 'classifier.5'] });
    };
    const a = render(), b = render();
    a.layers.map(asView).forEach((l, i) => {
      assert.ok(l.image.std().item() > 0.05, `${l.path}: has contrast`);
      assert.equal(sha(l.image), sha(asView(b.layers[i]!).image), `${l.path}: deterministic bytes`);
    });
    const conv1 = asView(a.layers[0]!);
    assert.ok(conv1.ranges.filter(([lo, hi]) => hi > lo).length >= 3, 'most first-layer maps respond to a digit');
    // The trained model calls the 7 a 7: the brightest logit square is class 7.
    const logits = asView(a.layers[2]!).image.select(0, 1); // viridis green grows with the value
    const centres = Array.from({ length: 10 }, (_, c) => logits.data()[7 * 140 + c * 14 + 7]!);
    assert.equal(centres.indexOf(Math.max(...centres)), 7);
  }));
});

describe('featureMapGrid / featureMapSheet / featureMapImage: errors', () => {
  const model = tg.models.lenet5();
  const x = tg.rand([1, 28, 28]);
  test('unknown layer lists the valid ones; channel out of range names the layer and its channel count', () => {
    throws(() => featureMapGrid(model, x, { layer: 'conv1' }), /featureMapGrid: unknown layer 'conv1' \(valid layers: features, features\.0, .*classifier\.5\)/);
    throws(() => featureMapSheet(model, x, { layers: ['features.0', 'nope'] }), /featureMapSheet: unknown layer 'nope' \(valid layers: /);
    throws(() => featureMapGrid(model, x, { layer: 'features.3', channels: [16] }), /featureMapGrid: channel 16 is out of range for layer 'features\.3', which has 16 channels \(0\.\.15\)/);
  });
  test('wrong input shape, bad options', () => {
    throws(() => featureMapGrid(model, tg.rand([2, 1, 28, 28]), { layer: 'features.0' }), /featureMapGrid: expected one image \[C, H, W\] or \[1, C, H, W\] \(got \[2, ?1, ?28, ?28\]\)/);
    throws(() => featureMapSheet(model, tg.rand([28, 28])), /featureMapSheet: expected one image \[C, H, W\] or \[1, C, H, W\] \(got \[28, ?28\]\)/);
    throws(() => featureMapGrid(model, x, { layer: 'features.0', scale: 'global' as 'per-map' }), /featureMapGrid: scale must be 'per-map' or 'per-layer' \(got "global"\)/);
    throws(() => featureMapGrid(model, x, { layer: 'features.0', map: 'jet' as 'grey' }), /featureMapGrid: map must be one of 'viridis', 'magma', 'diverging'/);
    throws(() => featureMapGrid(model, x, {} as { layer: string }), /featureMapGrid: options\.layer is required/);
    throws(() => featureMapImage(tg.rand([1, 2, 3, 4])), /featureMapImage: expected one sample's output \[C, H, W\] or \[F\] \(got \[1, ?2, ?3, ?4\]\)/);
    throws(() => featureMapSheet(model, x, { maxChannels: 0 }), /featureMapSheet: maxChannels must be a positive integer/);
  });
});
