/**
 * The fused softmax cross-entropy primitive behind F.crossEntropy's common
 * case (see loss-class.ts): per-row losses of [N, C] logits against int32
 * class indices, recorded as one graph node whose backward is one kernel.
 * Used only where the backend offers the crossEntropyRows kernel
 * (src/backend/backend.ts, FusedKernels); otherwise crossEntropy runs its composite.
 */
import { record } from '../tensor/graph.js';
import { Tensor } from '../tensor/tensor.js';
import { softmax } from './activation.js';
import * as E from './elementwise.js';
import { fusedKernels } from './fused.js';
import { dense, reshape } from './movement.js';
import { arangeOn } from './range.js';

/**
 * logits `[N, C]`, target int32 `[N]` (already validated) -> `[N]` losses
 * `-(1-ε) logp[t] - (ε/C) Σ_c logp[c]`, 0 at ignored targets; null when the
 * backend has no crossEntropyRows kernel (or declines), and the caller runs the composite.
 * @example const perRow = crossEntropyRowsPrim(logits, labels, -100, 0.1) ?? composite();
 */
export function crossEntropyRowsPrim(logits: Tensor, target: Tensor, ignoreIndex: number, labelSmoothing: number): Tensor | null {
  const kernel = fusedKernels(logits.backend)?.crossEntropyRows;
  if (!kernel) return null;
  const x = dense(logits), t = dense(target.toBackend(logits.backend));
  const [rows, classes] = [x.shape[0]!, x.shape[1]!];
  const s = kernel(x._storage, t._storage, rows, classes, ignoreIndex, labelSmoothing);
  if (!s) return null;
  return record('crossEntropyRows', [x], Tensor._fromStorage(s, [rows], x.dtype), [x, t], { ignoreIndex, labelSmoothing });
}

/**
 * Gradient of {@link crossEntropyRowsPrim} w.r.t. the logits, given g `[N]`:
 * g·(softmax(x) - (1-ε) onehot(t) - ε/C) `[N, C]`, 0 on ignored rows. The
 * backend's crossEntropyRowsBackward kernel, or this composite (the
 * definition). Not differentiable further.
 * @example const gx = crossEntropyRowsBackwardPrim(g, logits, labels, -100, 0);
 */
export function crossEntropyRowsBackwardPrim(g: Tensor, logits: Tensor, target: Tensor, ignoreIndex: number, labelSmoothing: number): Tensor {
  const [rows, classes] = [logits.shape[0]!, logits.shape[1]!];
  const gc = dense(g);
  const s = fusedKernels(logits.backend)?.crossEntropyRowsBackward?.(
    logits._storage, target._storage, gc._storage, rows, classes, ignoreIndex, labelSmoothing) ?? null;
  if (s) return Tensor._fromStorage(s, [rows, classes], logits.dtype);
  const t = reshape(target, [rows, 1]);
  const onehot = E.cast(E.eq(t, reshape(arangeOn(classes, 'int32', logits.backend), [1, classes])), logits.dtype);
  let d = softmax(logits, 1).sub(onehot.mul(1 - labelSmoothing));
  if (labelSmoothing > 0) d = d.sub(labelSmoothing / classes);
  return E.where(E.ne(t, ignoreIndex), d.mul(reshape(gc, [rows, 1])), 0);
}

/**
 * logits `[N, C]`, target int32 `[N]` (already validated) -> the scalar
 * `Σ_rows loss / divisor` of {@link crossEntropyRowsPrim}'s losses (divisor:
 * the kept targets for 'mean', 1 for 'sum'), as one graph node; null when the
 * backend has no crossEntropyReduced kernel (or declines): the caller then
 * reduces crossEntropyRowsPrim's output, which defines the result.
 * @example const loss = crossEntropyReducedPrim(logits, labels, -100, 0, 64) ?? crossEntropyRowsPrim(...)!.sum().div(64);
 */
export function crossEntropyReducedPrim(logits: Tensor, target: Tensor, ignoreIndex: number, labelSmoothing: number, divisor: number): Tensor | null {
  const kernel = fusedKernels(logits.backend)?.crossEntropyReduced;
  if (!kernel) return null;
  const x = dense(logits), t = dense(target.toBackend(logits.backend));
  const [rows, classes] = [x.shape[0]!, x.shape[1]!];
  const s = kernel(x._storage, t._storage, rows, classes, ignoreIndex, labelSmoothing, divisor);
  if (!s) return null;
  return record('crossEntropyReduced', [x], Tensor._fromStorage(s, [], x.dtype), [x, t], { ignoreIndex, labelSmoothing, divisor });
}

/**
 * Gradient of {@link crossEntropyReducedPrim} w.r.t. the logits given the
 * scalar g: crossEntropyRowsBackwardPrim with every row's gradient g / divisor.
 * The backend's crossEntropyReducedBackward kernel, or this composite (the definition).
 * @example const gx = crossEntropyReducedBackwardPrim(g, logits, labels, -100, 0, 64);
 */
export function crossEntropyReducedBackwardPrim(
  g: Tensor, logits: Tensor, target: Tensor, ignoreIndex: number, labelSmoothing: number, divisor: number,
): Tensor {
  const [rows, classes] = [logits.shape[0]!, logits.shape[1]!];
  const s = fusedKernels(logits.backend)?.crossEntropyReducedBackward?.(
    logits._storage, target._storage, dense(g)._storage, rows, classes, ignoreIndex, labelSmoothing, divisor) ?? null;
  if (s) return Tensor._fromStorage(s, [rows, classes], logits.dtype);
  const perRow = E.div(g, divisor).expand([rows]);
  return crossEntropyRowsBackwardPrim(perRow, logits, target, ignoreIndex, labelSmoothing);
}
