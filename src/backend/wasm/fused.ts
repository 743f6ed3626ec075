/**
 * The wasm backend's optional fused kernels (Backend.fused, see
 * ../backend.ts, FusedKernels): float32 SIMD passes for the SGD and Adam updates,
 * softmax cross-entropy rows, training batch norm, the conv epilogues
 * (bias + ReLU, and the 2×2 max-pool variant, whose input and weight
 * gradients come straight from the pooled gradient) and the linear layer's
 * (bias + ReLU in the GEMM's store, linear.ts), with their backwards. Each
 * declines (null/false) what it does not handle, float64 above all, and the
 * tensor-op composite that defines it runs instead.
 */
import type { FusedKernels } from '../backend.js';
import type { Storage } from '../backend.js';
import { ws, type WasmContext } from './context.js';
import { wasmConv, wasmConvEpilogueBackward } from './conv.js';
import { wasmConvPoolBackward } from './conv-pool-backward.js';
import { wasmAdamStep, wasmSgdStep, wasmUpdateBatch } from './optim.js';
import { wasmCrossEntropyRows, wasmCrossEntropyRowsBackward, wasmCrossEntropyReduced, wasmCrossEntropyReducedBackward } from './loss.js';
import { wasmBatchNormTrain, wasmBatchNormTrainBackward } from './batchnorm.js';
import { wasmLinearEpilogue, wasmLinearEpilogueBackward } from './linear.js';

const opt = (s: Storage | null) => (s ? ws(s) : null);

/**
 * The fused kernels over one wasm context: thin unwrap-and-call closures, so
 * a fused call costs what the direct driver call costs.
 * @example const k = wasmFusedKernels(ctx); k.sgdStep!(p, g, null, n, opts);
 */
export function wasmFusedKernels(ctx: WasmContext): FusedKernels {
  return {
    sgdStep: (p, grad, buf, n, o) => wasmSgdStep(ctx, ws(p), ws(grad), opt(buf), n, o),
    adamStep: (p, grad, m, v, vMax, n, o) => wasmAdamStep(ctx, ws(p), ws(grad), ws(m), ws(v), opt(vMax), n, o),
    updateBatch: (run) => wasmUpdateBatch(ctx, run),
    crossEntropyRows: (logits, targets, rows, classes, ignoreIndex, eps) =>
      wasmCrossEntropyRows(ctx, ws(logits), ws(targets), rows, classes, ignoreIndex, eps),
    crossEntropyRowsBackward: (logits, targets, g, rows, classes, ignoreIndex, eps) =>
      wasmCrossEntropyRowsBackward(ctx, ws(logits), ws(targets), ws(g), rows, classes, ignoreIndex, eps),
    crossEntropyReduced: (logits, targets, rows, classes, ignoreIndex, eps, divisor) =>
      wasmCrossEntropyReduced(ctx, ws(logits), ws(targets), rows, classes, ignoreIndex, eps, divisor),
    crossEntropyReducedBackward: (logits, targets, g, rows, classes, ignoreIndex, eps, divisor) =>
      wasmCrossEntropyReducedBackward(ctx, ws(logits), ws(targets), ws(g), rows, classes, ignoreIndex, eps, divisor),
    batchNormTrain: (x, weight, bias, n, c, s, eps) => wasmBatchNormTrain(ctx, ws(x), opt(weight), opt(bias), n, c, s, eps),
    batchNormTrainBackward: (x, gy, mean, variance, weight, n, c, s, eps) =>
      wasmBatchNormTrainBackward(ctx, ws(x), ws(gy), ws(mean), ws(variance), opt(weight), n, c, s, eps),
    convEpilogue: (x, w, p, e) => wasmConv(ctx, ws(x), ws(w), p, {
      bias: opt(e.bias), relu: e.relu, pool2x2: e.pool2x2 === true, poolIndices: e.poolIndices && ws(e.poolIndices),
    }),
    convEpilogueBackward: (g, y, n, c, s, bias) => wasmConvEpilogueBackward(ctx, ws(g), opt(y), n, c, s, bias),
    convPoolBackward: (g, indices, x, w, p) => wasmConvPoolBackward(ctx, ws(g), ws(indices), opt(x), opt(w), p),
    linearEpilogue: (x, w, bias, rows, inF, outF, relu) => wasmLinearEpilogue(ctx, ws(x), ws(w), opt(bias), rows, inF, outF, relu),
    linearEpilogueBackward: (g, y, rows, features, bias) => wasmLinearEpilogueBackward(ctx, ws(g), opt(y), rows, features, bias),
  };
}
