import type { Layout } from '../backend.js';
import type { DType, TypedArray } from '../../tensor/dtype.js';
import { typedArrayFor } from '../../tensor/dtype.js';
import { offsetsOf } from './storage.js';

/**
 * Batched a [...B, M, K] @ b [...B, K, N] -> [...B, M, N] for any strides.
 * i-k-j loop order with a float64 row accumulator: the inner loop walks b's row
 * and the output row, which is contiguous-friendly for the common layouts.
 */
export function matmul(a: TypedArray, al: Layout, b: TypedArray, bl: Layout, outDtype: DType): TypedArray {
  const r = al.shape.length;
  const M = al.shape[r - 2]!, K = al.shape[r - 1]!, N = bl.shape[r - 1]!;
  const batchShape = al.shape.slice(0, r - 2);
  const aBatch = offsetsOf({ shape: batchShape, strides: al.strides.slice(0, r - 2), offset: al.offset });
  const bBatch = offsetsOf({ shape: batchShape, strides: bl.strides.slice(0, r - 2), offset: bl.offset });
  const [asM, asK] = [al.strides[r - 2]!, al.strides[r - 1]!];
  const [bsK, bsN] = [bl.strides[r - 2]!, bl.strides[r - 1]!];
  const out = typedArrayFor(outDtype, aBatch.length * M * N);
  const acc = new Float64Array(N);
  for (let bi = 0; bi < aBatch.length; bi++) {
    const a0 = aBatch[bi]!, b0 = bBatch[bi]!;
    for (let i = 0; i < M; i++) {
      acc.fill(0);
      const aRow = a0 + i * asM;
      for (let k = 0; k < K; k++) {
        const av = a[aRow + k * asK]!;
        let bo = b0 + k * bsK;
        for (let j = 0; j < N; j++, bo += bsN) acc[j] += av * b[bo]!;
      }
      out.set(acc, (bi * M + i) * N);
    }
  }
  return out;
}
