/**
 * Optional fused kernels a backend may offer beside the required contract
 * (Backend in backend.ts). Each one computes, in one pass, what a short
 * composite of tensor ops computes; that composite is the definition, and
 * it runs whenever a backend lacks the kernel, declines a call, or fused
 * kernels are switched off (TENSORGRAD_FUSED=0, see src/ops/fused.ts). A new
 * backend needs none of them; test/backend/capabilities.test.ts checks every
 * kernel the wasm backend offers against its composite.
 *
 * Every kernel may DECLINE a call it does not handle (a dtype, a geometry) by
 * returning null (false for the in-place optimizer updates) before it writes
 * anything; the op layer then runs the composite. Inputs are whole
 * contiguous storages (offset 0) of one backend.
 */
import type { ConvParams, PoolParams, Storage } from './backend.js';

/** One SGD step's settings (torch.optim.SGD); `firstStep` sets the momentum buffer to the gradient. */
export interface SgdStepOptions {
  lr: number; momentum: number; dampening: number; weightDecay: number; nesterov: boolean; maximize: boolean; firstStep: boolean;
}

/** One Adam step's settings (torch.optim.Adam/AdamW); `step` counts from 1; `decoupled`: AdamW's weight decay. */
export interface AdamStepOptions {
  lr: number; beta1: number; beta2: number; eps: number; weightDecay: number; decoupled: boolean; maximize: boolean; step: number;
}

/**
 * What a fused convolution does to its output before storing it: add a bias
 * `[outChannels]` (or not), then ReLU (or not), then (pool2x2) 2×2/stride-2
 * max pooling over the last two dims, which makes the stored output
 * `[batch, outChannels, oD, floor(oH/2), floor(oW/2)]`; the full-size
 * activation is never stored, so a backward needs `poolIndices`.
 */
export interface ConvEpilogue {
  bias: Storage | null;
  relu: boolean;
  pool2x2?: boolean;
  /**
   * With pool2x2, where to write the pooling's argmax indices (int32, shaped
   * like the pooled output, flat positions within each output plane
   * (oD, oH, oW), as maxPool returns them), for a backward; omitted: none are made.
   */
  poolIndices?: Storage;
}

/** The max-pooling parameters of a pooled conv epilogue (2×2 windows, stride 2, no padding). */
export function convPool2x2Params(p: ConvParams): PoolParams {
  const [oD, oH, oW] = p.outSize;
  return {
    batch: p.batch, channels: p.outChannels, inSize: [oD, oH, oW], kernelSize: [1, 2, 2],
    outSize: [oD, Math.floor(oH / 2), Math.floor(oW / 2)], stride: [1, 2, 2], padding: [0, 0, 0], dilation: [1, 1, 1],
  };
}

/**
 * The optional fused kernels. All members are optional; each names the
 * composite that defines it.
 * @example
 * const k = fusedKernels(backend);   // src/ops/fused.ts: null when absent or switched off
 * const y = k?.crossEntropyRows?.(x, t, rows, classes, -100, 0) ?? null;  // null: run the composite
 */
export interface FusedKernels {
  /**
   * SGD update in place on `n` elements of p, its gradient and the momentum
   * buffer (null without momentum):
   *   d = ±grad + wd·p;  buf = firstStep ? d : μ·buf + (1-dampening)·d;
   *   d = nesterov ? d + μ·buf : buf;  p -= lr·d.
   * The composite in src/optim/sgd.ts (SGD.update's tensor-op path) is the definition.
   * Returns false (nothing written) to decline.
   */
  sgdStep?(p: Storage, grad: Storage, buf: Storage | null, n: number, o: SgdStepOptions): boolean;
  /**
   * Adam/AdamW update in place (m, v: moment estimates; vMax: AMSGrad's running max, or null):
   *   d = ±grad (+ wd·p, or p *= 1 - lr·wd when decoupled);  m = β1 m + (1-β1) d;  v = β2 v + (1-β2) d²;
   *   v̂ = amsgrad ? (vMax = max(vMax, v)) : v;  p -= lr/(1-β1^t) · m / (sqrt(v̂)/sqrt(1-β2^t) + eps).
   * The composite in src/optim/adam.ts (adamStep's tensor-op path) is the definition.
   * Returns false (nothing written) to decline.
   */
  adamStep?(p: Storage, grad: Storage, m: Storage, v: Storage, vMax: Storage | null, n: number, o: AdamStepOptions): boolean;

  /**
   * Softmax cross-entropy per row: logits `[rows, classes]` and int32 class
   * indices `[rows]` -> `[rows]` losses `-(1-ε) logp[t] - (ε/C) Σ_c logp[c]`
   * (logp = logSoftmax over the row), 0 where the target is `ignoreIndex`.
   * The composite in src/ops/loss-class.ts (crossEntropy's logSoftmax + pickTargets path) is the definition.
   */
  crossEntropyRows?(logits: Storage, targets: Storage, rows: number, classes: number, ignoreIndex: number, labelSmoothing: number): Storage | null;
  /**
   * Its gradient w.r.t. the logits given the per-row upstream gradient g `[rows]`:
   * g·(softmax - (1-ε) onehot(t) - ε/C), 0 on ignored rows -> `[rows, classes]`.
   * The composite in src/ops/loss-prims.ts (crossEntropyRowsBackwardPrim) is the definition.
   */
  crossEntropyRowsBackward?(
    logits: Storage, targets: Storage, g: Storage, rows: number, classes: number, ignoreIndex: number, labelSmoothing: number,
  ): Storage | null;

  /**
   * Training-mode batch norm over x `[n, c, s]`: per-channel batch mean and
   * biased variance, y = (x - mean)/sqrt(var + eps)·weight + bias (weight/bias
   * `[c]`, null = 1/0). The composite in src/ops/norm.ts (batchNorm's training path) is the definition.
   */
  batchNormTrain?(x: Storage, weight: Storage | null, bias: Storage | null, n: number, c: number, s: number, eps: number):
    { y: Storage; mean: Storage; var: Storage } | null;
  /**
   * Its backward from gy `[n, c, s]`, with x̂ = (x - mean)/σ, M = n·s:
   * dbias = Σ gy, dweight = Σ gy·x̂, dx = weight/σ · (gy - dbias/M - x̂·dweight/M).
   * The composite in src/ops/norm-prims.ts (batchNormTrainBackwardPrim) is the definition.
   */
  batchNormTrainBackward?(x: Storage, gy: Storage, mean: Storage, variance: Storage, weight: Storage | null, n: number, c: number, s: number, eps: number):
    { dx: Storage; dweight: Storage; dbias: Storage } | null;

  /**
   * Convolution with an epilogue in the same pass: conv(x, w) + bias, then
   * ReLU, then (pool2x2) 2×2 max pooling writing `poolIndices` if given.
   * The composite in src/ops/conv-prims.ts (convPrim / convReluPoolPrim without
   * the kernel: conv, add, relu, maxPool) is the definition.
   */
  convEpilogue?(x: Storage, w: Storage, p: ConvParams, epilogue: ConvEpilogue): Storage | null;
  /**
   * Backward of the epilogue over g `[n, c, s]`: with `y` (the epilogue's
   * output, ReLU applied) g masked where y <= 0, else null (g passes unchanged);
   * with `bias`, the per-channel sums of that gradient `[c]`.
   * The composite in src/ops/conv-prims.ts (convEpilogueGrad: reluBackward, sum) is the definition.
   */
  convEpilogueBackward?(g: Storage, y: Storage | null, n: number, c: number, s: number, bias: boolean):
    { g: Storage | null; bias: Storage | null } | null;
}
