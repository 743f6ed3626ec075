/**
 * Per-op import checks against onnxruntime-node: normalisation ops (LRN,
 * GroupNormalization at opsets 18 and 21, InstanceNormalization,
 * LayerNormalization with a non-last axis). Forward within 1e-5, backward
 * finite, float64 gradcheck for each op's data input and weights.
 */
import '../../src/index.js';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tg from '../../src/index.js';
import { buildModel, checkAgainstOrt, floatInit, randomValues, single } from './import-ops-helpers.js';

describe('onnx import ops vs onnxruntime: normalisation', () => {
  test('LRN (size 3 and 4, alpha/beta/bias)', async () => {
    await checkAgainstOrt('LRN size 3', { ...single('LRN', [2, 5, 3, 3], { size: 3 }), gradcheck: [0] });
    await checkAgainstOrt('LRN size 5', single('LRN', [2, 6, 3, 2], { size: 5, alpha: 0.01, beta: 0.6, bias: 2.5 }));
  });

  // onnxruntime's CPU kernel refuses even sizes, so the ONNX spec's window is checked by hand:
  // channels c - floor((size-1)/2) .. c + ceil((size-1)/2) (PyTorch's window is the mirror image).
  test('LRN with an even size follows the ONNX window, not PyTorch\'s', () => {
    const [n, c, hw, size, alpha, beta, bias] = [2, 6, 3, 4, 0.01, 0.6, 2.5];
    const bytes = buildModel(single('LRN', [n, c, hw], { size, alpha, beta, bias }));
    const xs = randomValues(n * c * hw, 7);
    const y = tg.onnx.loadModel(bytes).forward(tg.tensor(Float32Array.from(xs), { shape: [n, c, hw] })) as tg.Tensor;
    const got = y.data();
    const [lo, hi] = [Math.floor((size - 1) / 2), Math.ceil((size - 1) / 2)];
    let err = 0;
    for (let b = 0; b < n; b++) for (let ch = 0; ch < c; ch++) for (let s = 0; s < hw; s++) {
      let sq = 0;
      for (let k = Math.max(0, ch - lo); k <= Math.min(c - 1, ch + hi); k++) sq += xs[(b * c + k) * hw + s]! ** 2;
      const i = (b * c + ch) * hw + s;
      err = Math.max(err, Math.abs(got[i]! - xs[i]! / (bias + (alpha / size) * sq) ** beta));
    }
    assert.ok(err <= 1e-6, `LRN size 4: max abs error ${err}`);
  });

  test('GroupNormalization opset 18 (per-group scale/bias) and 21 (per-channel)', async () => {
    await checkAgainstOrt('GroupNorm opset 18', single('GroupNormalization', [2, 6, 3, 3], { num_groups: 3, epsilon: 1e-3 }, [floatInit('s', [3], 11), floatInit('b', [3], 12)], 18));
    await checkAgainstOrt('GroupNorm opset 21', single('GroupNormalization', [2, 6, 4], { num_groups: 2 }, [floatInit('s', [6], 13), floatInit('b', [6], 14)], 21));
  });

  test('GroupNormalization gradcheck (x, scale, bias as inputs)', async () => {
    await checkAgainstOrt('GroupNorm grad', {
      nodes: [{ op: 'GroupNormalization', inputs: ['x', 's', 'b'], attrs: { num_groups: 2 } }],
      inputs: [{ name: 'x', shape: [2, 4, 3] }, { name: 's', shape: [4] }, { name: 'b', shape: [4] }],
      opset: 21, gradcheck: [0, 1, 2],
    });
  });

  test('InstanceNormalization (1-D and 2-D spatial)', async () => {
    await checkAgainstOrt('InstanceNorm 2d', single('InstanceNormalization', [2, 3, 4, 4], { epsilon: 1e-4 }, [floatInit('s', [3], 21), floatInit('b', [3], 22)]));
    await checkAgainstOrt('InstanceNorm 1d grad', {
      nodes: [{ op: 'InstanceNormalization', inputs: ['x', 's', 'b'] }],
      inputs: [{ name: 'x', shape: [2, 3, 5] }, { name: 's', shape: [3] }, { name: 'b', shape: [3] }],
      gradcheck: [0, 1, 2],
    });
  });

  test('LayerNormalization over the last two axes', async () => {
    await checkAgainstOrt('LayerNorm axis -2', single('LayerNormalization', [2, 3, 4], { axis: -2 }, [floatInit('s', [3, 4], 31), floatInit('b', [3, 4], 32)]));
  });
});
