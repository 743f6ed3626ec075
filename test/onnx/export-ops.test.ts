// ONNX export of every layer and tensor op the exporter knows, checked in onnxruntime-node
// against tensorgrad's eval-mode forward (max abs error <= 1e-4, two batch sizes):
// one small model per layer configuration (so a failure names the op), then one model
// that uses all of them at once.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tg from '../../src/index.js';
import { checkAgainstOrt } from './export-helpers.js';
import { build, CASES, EveryOp, img, TensorOps } from './roundtrip-cases.js';

// The layer cases and models are shared with the round-trip tests (roundtrip-cases.ts).

describe('onnx.exportModel: each layer runs in onnxruntime like in tensorgrad', () => {
  CASES.forEach(([name, make, sample], i) => {
    test(name, async () => {
      await checkAgainstOrt(build(make, i), sample);
    });
  });
  test('tensor ops in forward (add, mul, sub, div, mean, cat, exp, neg, abs, sqrt, transpose, slice, matmul, pad, reshape, sum, amax, pow, log1p)', async () => {
    tg.manualSeed(7);
    await checkAgainstOrt(new TensorOps(), img);
  });
});

describe('onnx.exportModel: one model using every exported op', () => {
  test('all layers and tensor ops together, batch 2 and 5, dynamic batch', async () => {
    tg.manualSeed(11);
    const model = new EveryOp(CASES.map((c) => c[2]), CASES.map(([, make], i) => build(make, 100 + i)));
    const { bytes } = await checkAgainstOrt(model, [256], { batches: [2, 5] });
    assert.ok(bytes.length > 1000);
  });
  test('opset 18 and 19 (ReduceMax axes input, Pad wrap) give the same numbers', async () => {
    for (const opset of [18, 19]) {
      tg.manualSeed(11);
      const model = new EveryOp(CASES.map((c) => c[2]), CASES.map(([, make], i) => build(make, 100 + i)));
      await checkAgainstOrt(model, [256], { batches: [2, 3], opts: { opset } });
    }
  });
});
