/**
 * The fused training-mode batch-norm primitive behind F.batchNorm (see
 * norm.ts): statistics, normalisation and affine in one kernel, recorded as
 * one graph node whose backward (dx, dweight, dbias) is one kernel too.
 * Used only where the backend offers the batchNormTrain kernel
 * (src/backend/backend.ts, FusedKernels); otherwise batchNorm runs its composite.
 */
import { record } from '../tensor/graph.js';
import { Tensor } from '../tensor/tensor.js';
import { rsqrt } from './elementwise.js';
import { fusedKernels } from './fused.js';
import { dense, reshape } from './movement.js';
import { sum } from './reduce.js';

export interface BatchNormTrainResult {
  y: Tensor;
  /** Per-channel batch mean `[C]`. */
  mean: Tensor;
  /** Per-channel biased batch variance `[C]`. */
  var: Tensor;
}

/** True when a fused kernel could apply: weight/bias (if any) of the input's dtype and backend. */
export function batchNormFusable(x: Tensor, weight: Tensor | null | undefined, bias: Tensor | null | undefined): boolean {
  return [weight, bias].every((t) => t == null || (t.dtype === x.dtype && t.backend === x.backend));
}

/**
 * x `[N, C, ...]`, weight/bias `[C]` or null -> y of x's shape, with the batch
 * statistics; null when the backend has no batchNormTrain kernel (or declines),
 * and the caller runs the composite.
 * @example const r = batchNormTrainPrim(x, gamma, beta, 1e-5);  // r?.y, r?.mean, r?.var
 */
export function batchNormTrainPrim(x: Tensor, weight: Tensor | null, bias: Tensor | null, eps: number): BatchNormTrainResult | null {
  const kernel = fusedKernels(x.backend)?.batchNormTrain;
  if (!kernel) return null;
  const xc = dense(x);
  const [n, c] = [xc.shape[0]!, xc.shape[1]!];
  const s = n * c ? xc.numel() / (n * c) : 0;
  const w = weight ? dense(weight) : null, b = bias ? dense(bias) : null;
  const r = kernel(xc._storage, w?._storage ?? null, b?._storage ?? null, n, c, s, eps);
  if (!r) return null;
  const mean = Tensor._fromStorage(r.mean, [c], x.dtype), variance = Tensor._fromStorage(r.var, [c], x.dtype);
  const inputs = [xc, ...(w ? [w] : []), ...(b ? [b] : [])];
  const y = record('batchNormTrain', inputs, Tensor._fromStorage(r.y, xc.shape, x.dtype), [xc, mean, variance, ...(w ? [w] : [])],
    { eps, hasWeight: !!w, hasBias: !!b });
  return { y, mean, var: variance };
}

/**
 * Backward of {@link batchNormTrainPrim} from g (x's shape), with x̂ = (x - mean)/σ
 * and M values per channel: dbias = Σ g, dweight = Σ g·x̂,
 * dx = weight/σ · (g - dbias/M - x̂·dweight/M). The backend's
 * batchNormTrainBackward kernel, or this composite. Not differentiable further.
 * @example const { dx, dweight, dbias } = batchNormTrainBackwardPrim(g, x, mean, variance, gamma, 1e-5);
 */
export function batchNormTrainBackwardPrim(
  g: Tensor, x: Tensor, mean: Tensor, variance: Tensor, weight: Tensor | null, eps: number,
): { dx: Tensor; dweight: Tensor; dbias: Tensor } {
  const [n, c] = [x.shape[0]!, x.shape[1]!];
  const s = n * c ? x.numel() / (n * c) : 0;
  const gc = dense(g);
  const r = fusedKernels(x.backend)?.batchNormTrainBackward?.(
    x._storage, gc._storage, mean._storage, variance._storage, weight?._storage ?? null, n, c, s, eps) ?? null;
  if (r) {
    return {
      dx: Tensor._fromStorage(r.dx, x.shape, x.dtype),
      dweight: Tensor._fromStorage(r.dweight, [c], x.dtype),
      dbias: Tensor._fromStorage(r.dbias, [c], x.dtype),
    };
  }
  const dims = x.shape.map((_, i) => i).filter((i) => i !== 1);
  const chan = x.shape.map((d, i) => (i === 1 ? d : 1));
  const m = n * s;
  const invStd = rsqrt(reshape(variance, chan).add(eps));
  const xhat = x.sub(reshape(mean, chan)).mul(invStd);
  const gSum = sum(gc, dims, true), gxSum = sum(gc.mul(xhat), dims, true);
  const scale = weight ? reshape(weight, chan).mul(invStd) : invStd;
  const dx = scale.mul(gc.sub(gSum.div(m)).sub(xhat.mul(gxSum).div(m)));
  return { dx, dweight: reshape(gxSum, [c]), dbias: reshape(gSum, [c]) };
}
