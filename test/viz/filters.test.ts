import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as tg from '../../src/index.js';
import { filterGrid, filterImages } from '../../src/viz/filters.js';
import { encodePng } from '../../src/data/image-io.js';
import { withBackend } from '../helpers/check-op.js';
import { assertSameState, residualNet, snapshot, trainedLenet } from './attr-models.js';

/*
 * Filters as images: per-filter min-max normalisation of the real weights,
 * RGB / grey / per-input-channel layouts, grids sized from the kernel, and
 * errors that say which layers are convolutions.
 */

type Tensor = tg.Tensor;
const { nn } = tg;

/** (w - min) / (max - min) over one filter [Cin, kH, kW], computed with tensor ops as the oracle. */
function minMax(w: Tensor): Tensor {
  const lo = w.min().item(), hi = w.max().item();
  return w.sub(lo).div(hi - lo);
}
const close = (a: Tensor, b: Tensor, what: string) => {
  assert.deepEqual(a.shape, b.shape, `${what}: shape`);
  assert.ok(a.allclose(b, 1e-5, 1e-6), `${what}: values`);
};
const sha = (img: Tensor) => createHash('sha256').update(encodePng(img)).digest('hex');
const throws = (fn: () => unknown, re: RegExp) => assert.throws(fn, (e: Error) => e instanceof tg.TensorError && re.test(e.message), `expected ${re}`);

for (const backend of ['wasm', 'reference'] as const) {
  describe(`${backend}: filterImages`, () => {
    test('LeNet-5: the first Conv2d by default, one grey [1, 5, 5] image per filter, each min-max normalised', () => withBackend(backend, () => {
      tg.manualSeed(1);
      const model = tg.models.lenet5();
      const f = filterImages(model);
      assert.equal(f.path, 'features.0');
      assert.deepEqual(f.weightShape, [6, 1, 5, 5]);
      assert.equal(f.layout, 'grey');
      assert.deepEqual(f.filters, [0, 1, 2, 3, 4, 5]);
      assert.equal(f.images.length, 6);
      assert.equal(f.columns, 3);
      f.images.forEach((img, i) => {
        close(img, minMax((model.features.at(0) as tg.nn.Conv2d).weight.select(0, i)), `filter ${i}`);
        assert.equal(img.min().item(), 0);
        assert.equal(img.max().item(), 1);
      });
    }));

    test('RGB input: one [3, k, k] image per filter, one scale across its three channels', () => withBackend(backend, () => {
      tg.manualSeed(2);
      const model = tg.models.resnet20();
      const f = filterImages(model);
      assert.equal(f.path, 'conv1');
      assert.equal(f.layout, 'rgb');
      assert.equal(f.images.length, 16);
      f.images.forEach((img, i) => close(img, minMax(model.conv1.weight.select(0, i)), `filter ${i}`));
    }));

    test('deeper layer: one grey image per (filter, input channel), filters as rows, normalised per filter', () => withBackend(backend, () => {
      tg.manualSeed(3);
      const model = tg.models.lenet5();
      const f = filterImages(model, { layer: 'features.3', filters: [2, 7] });
      assert.equal(f.layout, 'per-channel');
      assert.deepEqual(f.filters, [2, 7]);
      assert.equal(f.columns, 6);
      assert.equal(f.images.length, 12);
      const w = (model.features.at(3) as tg.nn.Conv2d).weight;
      f.filters.forEach((o, r) => {
        const norm = minMax(w.select(0, o));
        for (let c = 0; c < 6; c++) close(f.images[r * 6 + c]!, norm.narrow(0, c, 1), `filter ${o}, input channel ${c}`);
      });
    }));

    test('a residual block\'s inner conv by path; a constant filter is mid grey, not NaN', () => withBackend(backend, () => {
      tg.manualSeed(4);
      const model = residualNet();
      const path = '3.body.0';
      const conv = model.namedModules().find(([p]) => p === path)![1] as tg.nn.Conv2d;
      tg.noGrad(() => conv.weight.select(0, 5).fill_(0.25));
      const f = filterImages(model, { layer: path });
      assert.equal(f.path, path);
      assert.equal(f.images.length, 8 * 8);
      for (let c = 0; c < 8; c++) assert.deepEqual(Array.from(f.images[5 * 8 + c]!.data()), new Array(9).fill(0.5));
    }));
  });

  test(`${backend}: filterGrid size: LeNet-5's 6 filters of 5x5 upscaled 8x into 3 columns`, () => withBackend(backend, () => {
    tg.manualSeed(5);
    const model = tg.models.lenet5();
    const grid = filterGrid(model);
    assert.deepEqual(grid.shape, [1, 2 * 42 + 2, 3 * 42 + 2]);
    const deep = filterGrid(model, { layer: 'features.3', cellSize: 10, padding: 1 });
    assert.deepEqual(deep.shape, [1, 16 * 11 + 1, 6 * 11 + 1]);
    // The top-left cell is filter 0 enlarged: its first 8x8 block is one weight.
    const img0 = filterImages(model).images[0]!;
    assert.equal(grid.data()[2 * grid.shape[2]! + 2], img0.data()[0]);
    assert.equal(grid.data()[9 * grid.shape[2]! + 9], img0.data()[0]);
  }));
}

describe('filters of a trained LeNet-5', () => {
  // Trained on wasm whatever the default backend (40 Adam steps take ~30 s on the reference backend); the reference render is checked below.
  test('non-constant, not the same as at initialisation, deterministic PNG bytes for a fixed seed, model untouched', () => withBackend('wasm', () => {
    const { model } = trainedLenet(40);
    const before = snapshot(model);
    const grid = filterGrid(model);
    assertSameState(model, before, 'filterGrid');
    const f = filterImages(model);
    for (const img of f.images) assert.ok(img.std().item() > 0.1, 'each filter has contrast');
    tg.manualSeed(0);
    const init = filterGrid(tg.models.lenet5());
    assert.notEqual(sha(grid), sha(init), 'training changed the filters');
    assert.equal(sha(filterGrid(trainedLenet(40).model)), sha(grid), 'same seed, same bytes');
    // The same weights render to the same bytes on the other backend.
    const state = model.stateDict();
    const other = withBackend('reference', () => {
      const m = tg.models.lenet5();
      m.loadStateDict(Object.fromEntries(Object.entries(state).map(([k, v]) => [k, tg.tensor(v.data(), { shape: v.shape })])));
      return filterGrid(m);
    });
    assert.equal(sha(other), sha(grid));
  }));
});

describe('filterImages / filterGrid: errors', () => {
  const model = tg.models.lenet5();
  test('unknown layer lists the valid ones; a non-conv layer lists the conv layers', () => {
    throws(() => filterImages(model, { layer: 'features.9' }), /filterImages: unknown layer 'features\.9' \(valid layers: features, features\.0, .*classifier\.5\)/);
    throws(() => filterImages(model, { layer: 'features.1' }), /filterImages: layer 'features\.1' is a ReLU, not a Conv2d \(conv layers: features\.0, features\.3\)/);
    throws(() => filterGrid(model, { layer: 'classifier' }), /filterImages: layer 'classifier' is a Sequential, not a Conv2d/);
  });
  test('a model without Conv2d; a Conv1d; filter out of range names the layer and its channel count; bad cellSize', () => {
    throws(() => filterImages(tg.models.mlp({ sizes: [4, 3, 2] })), /filterImages: found no Conv2d layer to show \(the model has no Conv2d layer\)/);
    throws(() => filterImages(new nn.Sequential(new nn.Conv1d(2, 3, 3)), { layer: '0' }), /filterImages: layer '0' is a Conv1d, not a Conv2d \(the model has no Conv2d layer\)/);
    throws(() => filterImages(model, { filters: [6] }), /filterImages: filter 6 is out of range for layer 'features\.0', which has 6 output channels \(0\.\.5\)/);
    throws(() => filterGrid(model, { cellSize: 0 }), /filterGrid: cellSize must be a positive integer \(got 0\)/);
  });
});
