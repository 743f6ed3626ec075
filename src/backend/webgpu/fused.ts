/**
 * The WebGPU backend's optional fused kernels (see FusedKernels in
 * ../backend.ts): SGD and Adam updates in place, softmax cross-entropy rows,
 * training batch norm and the conv epilogues, with their backwards, in the
 * fused-*.ts files beside this one. Each works in float32 and declines
 * (null/false) anything else, and the tensor-op composite that defines it runs.
 */
import type { FusedKernels } from '../backend.js';
import type { GpuContext } from './context.js';
import { webgpuAdamStep, webgpuSgdStep } from './fused-optim.js';
import { webgpuCrossEntropyRows, webgpuCrossEntropyRowsBackward } from './fused-loss.js';
import { webgpuBatchNormTrain, webgpuBatchNormTrainBackward } from './fused-batchnorm.js';
import { webgpuConvEpilogue, webgpuConvEpilogueBackward } from './fused-conv.js';

/**
 * The fused kernels over one GPU context.
 * @example const k = webgpuFusedKernels(ctx); k.sgdStep!(p, g, null, n, opts);
 */
export function webgpuFusedKernels(ctx: GpuContext): FusedKernels {
  return {
    sgdStep: (p, grad, buf, n, o) => webgpuSgdStep(ctx, p, grad, buf, n, o),
    adamStep: (p, grad, m, v, vMax, n, o) => webgpuAdamStep(ctx, p, grad, m, v, vMax, n, o),
    crossEntropyRows: (logits, targets, rows, classes, ignoreIndex, eps) =>
      webgpuCrossEntropyRows(ctx, logits, targets, rows, classes, ignoreIndex, eps),
    crossEntropyRowsBackward: (logits, targets, g, rows, classes, ignoreIndex, eps) =>
      webgpuCrossEntropyRowsBackward(ctx, logits, targets, g, rows, classes, ignoreIndex, eps),
    batchNormTrain: (x, weight, bias, n, c, s, eps) => webgpuBatchNormTrain(ctx, x, weight, bias, n, c, s, eps),
    batchNormTrainBackward: (x, gy, mean, variance, weight, n, c, s, eps) =>
      webgpuBatchNormTrainBackward(ctx, x, gy, mean, variance, weight, n, c, s, eps),
    convEpilogue: (x, w, p, e) => webgpuConvEpilogue(ctx, x, w, p, e),
    convEpilogueBackward: (g, y, n, c, s, bias) => webgpuConvEpilogueBackward(ctx, g, y, n, c, s, bias),
  };
}
