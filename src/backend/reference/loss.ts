/**
 * Softmax cross-entropy over the rows of a [rows, classes] logit matrix with
 * int32 class-index targets, forward and backward in one pass each: the
 * reference for the wasm kernels (assembly/loss.ts) and their float64 path.
 * Per row, with logp = x - logsumexp(x), ε the label smoothing, C the classes:
 *   loss = -(1-ε) logp[t] - (ε/C) Σ_c logp[c]          (0 where t == ignoreIndex)
 *   dloss/dx[c] = g · (softmax[c] - (1-ε) [c == t] - ε/C)  (0 where ignored)
 */
import type { DType, TypedArray } from '../../tensor/dtype.js';
import { typedArrayFor } from '../../tensor/dtype.js';

function logSumExp(x: TypedArray, base: number, classes: number): number {
  let m = -Infinity;
  for (let c = 0; c < classes; c++) m = Math.max(m, x[base + c]!);
  if (!Number.isFinite(m)) return m; // all -Infinity, some +Infinity, or NaN: as logSoftmax gives
  let s = 0;
  for (let c = 0; c < classes; c++) s += Math.exp(x[base + c]! - m);
  return m + Math.log(s);
}

export function crossEntropyRows(
  x: TypedArray, t: Int32Array, rows: number, classes: number, ignoreIndex: number, eps: number, dtype: DType,
): TypedArray {
  const out = typedArrayFor(dtype, rows);
  for (let r = 0; r < rows; r++) {
    const target = t[r]!;
    if (target === ignoreIndex) continue;
    const base = r * classes;
    const lse = logSumExp(x, base, classes);
    let loss = -(1 - eps) * (x[base + target]! - lse);
    if (eps > 0) {
      let sum = 0;
      for (let c = 0; c < classes; c++) sum += x[base + c]! - lse;
      loss -= (eps / classes) * sum;
    }
    out[r] = loss;
  }
  return out;
}

export function crossEntropyRowsBackward(
  x: TypedArray, t: Int32Array, g: TypedArray, rows: number, classes: number, ignoreIndex: number, eps: number, dtype: DType,
): TypedArray {
  const out = typedArrayFor(dtype, rows * classes);
  for (let r = 0; r < rows; r++) {
    const target = t[r]!;
    if (target === ignoreIndex) continue;
    const base = r * classes;
    const lse = logSumExp(x, base, classes);
    const gr = g[r]!;
    for (let c = 0; c < classes; c++) {
      const p = Math.exp(x[base + c]! - lse);
      out[base + c] = gr * (p - (c === target ? 1 - eps : 0) - eps / classes);
    }
  }
  return out;
}
