import type { Layout } from '../backend.js';
import type { DType, TypedArray } from '../../core/dtype.js';
import { typedArrayFor } from '../../core/dtype.js';
import { offsetsOf } from './storage.js';

/** Copies an [R, C] strided matrix into a contiguous row-major float64 buffer. */
function pack(src: TypedArray, base: number, rows: number, cols: number, rs: number, cs: number, out: Float64Array): void {
  for (let r = 0, o = 0; r < rows; r++) {
    let s = base + r * rs;
    for (let c = 0; c < cols; c++, s += cs) out[o++] = src[s]!;
  }
}

/**
 * Batched a [...B, M, K] @ b [...B, K, N] -> [...B, M, N] for any strides.
 * Both operands are first packed into contiguous float64 rows (so every layout
 * takes the same fast path and sums are accumulated in double precision), then
 * four output rows are updated per pass over a row of B, which reuses each
 * loaded B element four times.
 */
export function matmul(a: TypedArray, al: Layout, b: TypedArray, bl: Layout, outDtype: DType): TypedArray {
  const r = al.shape.length;
  const M = al.shape[r - 2]!, K = al.shape[r - 1]!, N = bl.shape[r - 1]!;
  const batchShape = al.shape.slice(0, r - 2);
  const aBatch = offsetsOf({ shape: batchShape, strides: al.strides.slice(0, r - 2), offset: al.offset });
  const bBatch = offsetsOf({ shape: batchShape, strides: bl.strides.slice(0, r - 2), offset: bl.offset });
  const out = typedArrayFor(outDtype, aBatch.length * M * N);
  const ap = new Float64Array(M * K);
  const bp = new Float64Array(K * N);
  const acc = new Float64Array(4 * N);
  for (let bi = 0; bi < aBatch.length; bi++) {
    pack(a, aBatch[bi]!, M, K, al.strides[r - 2]!, al.strides[r - 1]!, ap);
    pack(b, bBatch[bi]!, K, N, bl.strides[r - 2]!, bl.strides[r - 1]!, bp);
    for (let i0 = 0; i0 < M; i0 += 4) {
      const rows = Math.min(4, M - i0);
      acc.fill(0);
      for (let k = 0; k < K; k++) {
        const bo = k * N;
        const a0 = ap[i0 * K + k]!;
        const a1 = rows > 1 ? ap[(i0 + 1) * K + k]! : 0;
        const a2 = rows > 2 ? ap[(i0 + 2) * K + k]! : 0;
        const a3 = rows > 3 ? ap[(i0 + 3) * K + k]! : 0;
        for (let j = 0; j < N; j++) {
          const bv = bp[bo + j]!;
          acc[j] += a0 * bv;
          acc[N + j] += a1 * bv;
          acc[2 * N + j] += a2 * bv;
          acc[3 * N + j] += a3 * bv;
        }
      }
      for (let q = 0; q < rows; q++) out.set(acc.subarray(q * N, (q + 1) * N), (bi * M + i0 + q) * N);
    }
  }
  return out;
}
