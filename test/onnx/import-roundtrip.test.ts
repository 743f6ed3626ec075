/**
 * Round trip tensorgrad -> tg.onnx.exportModel -> tg.onnx.loadModel: identical
 * outputs, the same stateDict keys (BN's num_batches_tracked is not part of the
 * ONNX graph), and parameter gradients identical up to float32 summation order:
 * nn.Sequential runs Conv -> ReLU -> MaxPool as one fused kernel (nn/fusion.ts)
 * whose bias gradient sums in another order than the unfused ops the importer
 * records (seen: 6e-9 on a 0.05 gradient), so gradients are compared within
 * 1e-6 of the largest one.
 */
import '../../src/index.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tg from '../../src/index.js';
import { buildModel } from '../../src/models/registry.js';
import { exportModel } from '../../src/onnx/export.js';
import { loadModel } from '../../src/onnx/import.js';

function exported(model: tg.nn.Module, x: tg.Tensor): Uint8Array {
  try {
    return exportModel(model, x);
  } catch (e) {
    if (/not implemented/.test((e as Error).message)) assert.fail('export not available yet (src/onnx/export.ts is still a stub): this round trip runs once it works');
    throw e;
  }
}

for (const [name, inputShape] of [['lenet5', [1, 28, 28]], ['resnet20', [3, 32, 32]], ['mlp', [1, 28, 28]]] as const) {
  test(`${name}: export -> import gives identical outputs and gradients`, () => {
    tg.manualSeed(3);
    const model = buildModel(name, { numClasses: 10, inputShape: [...inputShape] }).eval();
    const x = tg.randn([3, ...inputShape]);
    const back = loadModel(exported(model, tg.randn([1, ...inputShape])));
    const keys = Object.keys(model.stateDict()).filter((k) => !k.endsWith('num_batches_tracked'));
    assert.deepEqual(Object.keys(back.stateDict()).sort(), keys.sort());
    const y1 = model.forward(x) as tg.Tensor, y2 = back.forward(x) as tg.Tensor;
    assert.deepEqual(Array.from(y2.data()), Array.from(y1.data()));
    y1.square().sum().backward();
    y2.square().sum().backward();
    const g1 = new Map(model.namedParameters()), g2 = new Map(back.namedParameters());
    for (const [k, p] of g1) {
      const a = p.grad!.data(), b = g2.get(k)!.grad!.data();
      let diff = 0, scale = 0;
      a.forEach((v, i) => { diff = Math.max(diff, Math.abs(v - b[i]!)); scale = Math.max(scale, Math.abs(v)); });
      assert.ok(diff <= 1e-6 * scale, `${k}: gradients differ by ${diff} (largest ${scale})`);
    }
  });
}
