/**
 * Round trip tensorgrad -> tg.onnx.exportModel -> tg.onnx.loadModel: identical
 * outputs, the same stateDict keys (BN's num_batches_tracked is not part of the
 * ONNX graph), and parameter gradients bit-identical when both sides run the
 * same kernels.
 *
 * Why fused kernels are the one exception: nn.Sequential runs Conv -> ReLU ->
 * MaxPool through the backend's fused conv epilogue (nn/fusion.ts), while the
 * imported graph runs Conv, Relu and MaxPool as separate ops. Forward values
 * are identical either way, but the fused backward
 * (src/backend/wasm/conv.ts wasmConvEpilogueBackward) computes the conv bias
 * gradient in its own summation order: each image's channel plane is summed in
 * four float32 SIMD lanes, and the per-image sums are accumulated in float64
 * and rounded to float32 once, whereas the unfused conv backward reduces the
 * same gradient in another order. Only the bias gradients of fused convs differ
 * (LeNet-5's features.0.bias and features.3.bias: 5.6e-9 and 3.7e-9 on the
 * wasm backend); with fused kernels off (setFusedKernelsEnabled(false), the
 * in-process TENSORGRAD_FUSED=0) every gradient is bit-identical, which the
 * first loop checks. With them on, gradients are compared within 1e-6 of the
 * largest one.
 */
import '../../src/index.js';
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tg from '../../src/index.js';
import { buildModel } from '../../src/models/registry.js';
import { exportModel } from '../../src/onnx/export.js';
import { loadModel } from '../../src/onnx/import.js';
import { setFusedKernelsEnabled } from '../../src/ops/fused.js';

after(() => setFusedKernelsEnabled(undefined));

for (const fused of [false, true]) {
  for (const [name, inputShape] of [['lenet5', [1, 28, 28]], ['resnet20', [3, 32, 32]], ['mlp', [1, 28, 28]]] as const) {
    test(`${name}: export -> import gives identical outputs and ${fused ? 'gradients within 1e-6 (fused kernels on)' : 'bit-identical gradients (fused kernels off)'}`, () => {
      setFusedKernelsEnabled(fused);
      try {
        tg.manualSeed(3);
        const model = buildModel(name, { numClasses: 10, inputShape: [...inputShape] }).eval();
        const x = tg.randn([3, ...inputShape]);
        const back = loadModel(exportModel(model, tg.randn([1, ...inputShape])));
        const keys = Object.keys(model.stateDict()).filter((k) => !k.endsWith('num_batches_tracked'));
        assert.deepEqual(Object.keys(back.stateDict()).sort(), keys.sort());
        const y1 = model.forward(x) as tg.Tensor, y2 = back.forward(x) as tg.Tensor;
        assert.deepEqual(Array.from(y2.data()), Array.from(y1.data()));
        y1.square().sum().backward();
        y2.square().sum().backward();
        const g2 = new Map(back.namedParameters());
        for (const [k, p] of model.namedParameters()) {
          const a = p.grad!.data(), b = g2.get(k)!.grad!.data();
          if (!fused) {
            assert.deepEqual(Array.from(b), Array.from(a), `${k}: gradients differ with fused kernels off`);
            continue;
          }
          let diff = 0, scale = 0;
          a.forEach((v, i) => { diff = Math.max(diff, Math.abs(v - b[i]!)); scale = Math.max(scale, Math.abs(v)); });
          assert.ok(diff <= 1e-6 * scale, `${k}: gradients differ by ${diff} (largest ${scale})`);
        }
      } finally {
        setFusedKernelsEnabled(undefined);
      }
    });
  }
}
