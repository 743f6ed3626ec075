/**
 * Training-mode batch normalisation over x `[N, C, S]` (S = the flattened
 * spatial dims), forward and backward each in one pass per channel: the
 * reference for the wasm kernels (assembly/batchnorm.ts) and their float64 path.
 *   forward:  mean_c, var_c (biased) over N·S values; y = (x - mean) / sqrt(var + eps) · w + b
 *   backward: dbias = Σ gy, dweight = Σ gy·x̂, dx = w/sqrt(var + eps) · (gy - dbias/M - x̂·dweight/M)
 * weight/bias null stand for 1 and 0. Statistics are two-pass in float64 (never E[x²] - E[x]²) and
 * every output subtracts the mean before scaling, so inputs far from zero keep their precision.
 */
import type { DType, TypedArray } from '../../tensor/dtype.js';
import { typedArrayFor } from '../../tensor/dtype.js';

export function batchNormTrain(
  x: TypedArray, w: TypedArray | null, b: TypedArray | null, n: number, c: number, s: number, eps: number, dtype: DType,
): { y: TypedArray; mean: TypedArray; var: TypedArray } {
  const y = typedArrayFor(dtype, n * c * s), mean = typedArrayFor(dtype, c), variance = typedArrayFor(dtype, c);
  const m = n * s;
  for (let ch = 0; ch < c; ch++) {
    let sum = 0;
    for (let i = 0; i < n; i++) for (let k = (i * c + ch) * s, e = k + s; k < e; k++) sum += x[k]!;
    const mu = sum / m;
    let sq = 0;
    for (let i = 0; i < n; i++) for (let k = (i * c + ch) * s, e = k + s; k < e; k++) sq += (x[k]! - mu) ** 2;
    const v = sq / m;
    const scale = (w ? w[ch]! : 1) / Math.sqrt(v + eps), shift = b ? b[ch]! : 0;
    for (let i = 0; i < n; i++) for (let k = (i * c + ch) * s, e = k + s; k < e; k++) y[k] = (x[k]! - mu) * scale + shift;
    mean[ch] = mu;
    variance[ch] = v;
  }
  return { y, mean, var: variance };
}

export function batchNormTrainBackward(
  x: TypedArray, gy: TypedArray, mean: TypedArray, variance: TypedArray, w: TypedArray | null,
  n: number, c: number, s: number, eps: number, dtype: DType,
): { dx: TypedArray; dweight: TypedArray; dbias: TypedArray } {
  const dx = typedArrayFor(dtype, n * c * s), dweight = typedArrayFor(dtype, c), dbias = typedArrayFor(dtype, c);
  const m = n * s;
  for (let ch = 0; ch < c; ch++) {
    // The saved mean may be rounded (float32): measure its error δ = mean(x - mean) and centre
    // on mean + δ, so a mean far from zero (~1000) costs no precision in x̂.
    const invStd = 1 / Math.sqrt(variance[ch]! + eps);
    let sd = 0;
    for (let i = 0; i < n; i++) for (let k = (i * c + ch) * s, e = k + s; k < e; k++) sd += x[k]! - mean[ch]!;
    const mu = mean[ch]! + sd / m;
    let sg = 0, sgx = 0;
    for (let i = 0; i < n; i++) {
      for (let k = (i * c + ch) * s, e = k + s; k < e; k++) {
        sg += gy[k]!;
        sgx += gy[k]! * (x[k]! - mu) * invStd;
      }
    }
    const scale = (w ? w[ch]! : 1) * invStd;
    for (let i = 0; i < n; i++) {
      for (let k = (i * c + ch) * s, e = k + s; k < e; k++) {
        const xhat = (x[k]! - mu) * invStd;
        dx[k] = scale * (gy[k]! - sg / m - (xhat * sgx) / m);
      }
    }
    dbias[ch] = sg;
    dweight[ch] = sgx;
  }
  return { dx, dweight, dbias };
}
