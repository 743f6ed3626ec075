/**
 * The fused softmax cross-entropy primitive behind F.crossEntropy's common
 * case (see loss-class.ts): per-row losses of [N, C] logits against int32
 * class indices, recorded as one graph node whose backward is one kernel.
 */
import { record } from '../autograd/engine.js';
import { Tensor } from '../tensor/tensor.js';
import { dense } from './movement.js';

/** logits `[N, C]`, target int32 `[N]` (already validated) -> `[N]` losses, 0 at ignored targets. */
export function crossEntropyRowsPrim(logits: Tensor, target: Tensor, ignoreIndex: number, labelSmoothing: number): Tensor {
  const x = dense(logits), t = dense(target.toBackend(logits.backend));
  const [rows, classes] = [x.shape[0]!, x.shape[1]!];
  const s = x.backend.crossEntropyRows(x._storage, t._storage, rows, classes, ignoreIndex, labelSmoothing);
  return record('crossEntropyRows', [x], Tensor._fromStorage(s, [rows], x.dtype), [x, t], { ignoreIndex, labelSmoothing });
}

/** Gradient of {@link crossEntropyRowsPrim} w.r.t. the logits, given g `[N]` (not differentiable further). */
export function crossEntropyRowsBackwardPrim(g: Tensor, logits: Tensor, target: Tensor, ignoreIndex: number, labelSmoothing: number): Tensor {
  const [rows, classes] = [logits.shape[0]!, logits.shape[1]!];
  const s = logits.backend.crossEntropyRowsBackward(logits._storage, target._storage, dense(g)._storage, rows, classes, ignoreIndex, labelSmoothing);
  return Tensor._fromStorage(s, [rows, classes], logits.dtype);
}
