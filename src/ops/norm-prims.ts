/**
 * The fused training-mode batch-norm primitive behind F.batchNorm (see
 * norm.ts): statistics, normalisation and affine in one kernel, recorded as
 * one graph node whose backward (dx, dweight, dbias) is one kernel too.
 */
import { record } from '../autograd/engine.js';
import { Tensor } from '../tensor/tensor.js';
import { dense } from './movement.js';

export interface BatchNormTrainResult {
  y: Tensor;
  /** Per-channel batch mean `[C]`. */
  mean: Tensor;
  /** Per-channel biased batch variance `[C]`. */
  var: Tensor;
}

/** True when the fused kernels apply: weight/bias (if any) of the input's dtype and backend. */
export function batchNormFusable(x: Tensor, weight: Tensor | null | undefined, bias: Tensor | null | undefined): boolean {
  return [weight, bias].every((t) => t == null || (t.dtype === x.dtype && t.backend === x.backend));
}

/** x `[N, C, ...]`, weight/bias `[C]` or null -> y of x's shape, with the batch statistics. */
export function batchNormTrainPrim(x: Tensor, weight: Tensor | null, bias: Tensor | null, eps: number): BatchNormTrainResult {
  const xc = dense(x);
  const [n, c] = [xc.shape[0]!, xc.shape[1]!];
  const s = n * c ? xc.numel() / (n * c) : 0;
  const w = weight ? dense(weight) : null, b = bias ? dense(bias) : null;
  const r = xc.backend.batchNormTrain(xc._storage, w?._storage ?? null, b?._storage ?? null, n, c, s, eps);
  const mean = Tensor._fromStorage(r.mean, [c], x.dtype), variance = Tensor._fromStorage(r.var, [c], x.dtype);
  const inputs = [xc, ...(w ? [w] : []), ...(b ? [b] : [])];
  const y = record('batchNormTrain', inputs, Tensor._fromStorage(r.y, xc.shape, x.dtype), [xc, mean, variance, ...(w ? [w] : [])],
    { eps, hasWeight: !!w, hasBias: !!b });
  return { y, mean, var: variance };
}

/** Backward of {@link batchNormTrainPrim} (not differentiable further). */
export function batchNormTrainBackwardPrim(
  g: Tensor, x: Tensor, mean: Tensor, variance: Tensor, weight: Tensor | null, eps: number,
): { dx: Tensor; dweight: Tensor; dbias: Tensor } {
  const [n, c] = [x.shape[0]!, x.shape[1]!];
  const s = n * c ? x.numel() / (n * c) : 0;
  const r = x.backend.batchNormTrainBackward(x._storage, dense(g)._storage, mean._storage, variance._storage, weight?._storage ?? null, n, c, s, eps);
  return {
    dx: Tensor._fromStorage(r.dx, x.shape, x.dtype),
    dweight: Tensor._fromStorage(r.dweight, [c], x.dtype),
    dbias: Tensor._fromStorage(r.dbias, [c], x.dtype),
  };
}
