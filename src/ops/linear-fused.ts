import { isGradEnabled, record } from '../tensor/graph.js';
import { Tensor } from '../tensor/tensor.js';
import { sameBackend } from './core.js';
import * as E from './elementwise.js';
import { fusedKernels } from './fused.js';
import { dense } from './movement.js';
import { sum } from './reduce.js';

/*
 * The linear layer with its epilogue fused: relu?(x·Wᵀ + b) as one GEMM whose
 * store adds the bias and applies the ReLU (the backend's optional
 * linearEpilogue kernel), recorded as one 'linear' node whose gradient rule
 * (autograd/gradients.ts) masks and sums the upstream gradient in one pass
 * (linearEpilogueGrad) before the two GEMMs dX = g'·W and dW = g'ᵀ·x.
 * INTERNAL: F.linear (ops/linalg.ts) and nn.Sequential's Linear -> ReLU
 * fusion (nn/fusion.ts) are the callers. Without the kernel (reference and
 * WebGPU backends, float64, TENSORGRAD_FUSED=0) nothing here runs: linalg.ts
 * computes the composite matmul -> add -> relu, which is the definition.
 */

/**
 * relu?(x·Wᵀ + bias) through the backend's linearEpilogue kernel: x `[rows,
 * in]`, weight `[out, in]`, bias `[out]` or null, one dtype, one backend ->
 * `[rows, out]`, recorded as one 'linear' node (saving x, W and, with ReLU,
 * the output, whose sign is the mask). null when the kernel is missing,
 * switched off or declines: the caller runs the composite.
 * @example linearFused(x2, fc.weight, fc.bias, true) ?? composite()
 */
export function linearFused(x: Tensor, weight: Tensor, bias: Tensor | null, relu: boolean): Tensor | null {
  if (x.ndim !== 2 || weight.dtype !== x.dtype || (bias && bias.dtype !== x.dtype)) return null;
  const backend = bias ? sameBackend('linear', x, weight, bias) : sameBackend('linear', x, weight);
  const kernel = fusedKernels(backend)?.linearEpilogue;
  if (!kernel) return null;
  const [rows, inF] = x.shape as [number, number];
  const outF = weight.shape[0]!;
  const xc = dense(x), wc = dense(weight), bc = bias && dense(bias);
  const s = kernel(xc._storage, wc._storage, bc ? bc._storage : null, rows, inF, outF, relu);
  if (!s) return null;
  const out = Tensor._fromStorage(s, [rows, outF], x.dtype);
  const saved = relu && isGradEnabled() ? [xc, wc, out] : [xc, wc];
  return record('linear', bc ? [xc, wc, bc] : [xc, wc], out, saved, { relu, bias: bc !== null });
}

/**
 * Backward of the linear epilogue, for the 'linear' gradient rule: from the
 * output gradient g `[rows, features]`, the gradient at the pre-activation
 * (masked where the saved ReLU output y <= 0; g itself without ReLU) and, if
 * `bias`, the bias gradient `[features]` (g summed over rows). The backend's
 * linearEpilogueBackward kernel when it has one; otherwise this composite:
 * reluBackward(g, y), then a sum over dim 0. Not recorded.
 * @example const e = linearEpilogueGrad(g, yOut, true);  // e.g [rows, out], e.bias [out]
 */
export function linearEpilogueGrad(g: Tensor, y: Tensor | null, bias: boolean): { g: Tensor; bias: Tensor | null } {
  const gc = dense(g), yc = y && dense(y);
  const [rows, features] = g.shape as [number, number];
  const r = fusedKernels(g.backend)?.linearEpilogueBackward?.(gc._storage, yc ? yc._storage : null, rows, features, bias) ?? null;
  if (r) {
    return {
      g: r.g ? Tensor._fromStorage(r.g, g.shape, g.dtype) : gc,
      bias: r.bias && Tensor._fromStorage(r.bias, [features], g.dtype),
    };
  }
  const masked = yc ? E.reluBackwardPrim(gc, yc) : gc;   // y > 0 exactly where the pre-activation is
  return { g: masked, bias: bias ? sum(masked, [0]) : null };
}
