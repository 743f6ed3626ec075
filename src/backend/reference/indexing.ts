import type { Layout } from '../backend.js';
import type { DType, TypedArray } from '../../core/dtype.js';
import { typedArrayFor } from '../../core/dtype.js';
import { contiguousStrides } from '../../core/shape.js';
import type { Shape } from '../../core/shape.js';
import { offsetsOf } from './storage.js';

/**
 * Offsets into a tensor of `shape`/`strides` for every position of the index
 * view, with the `dim` coordinate dropped (the index value supplies it).
 */
function offsetsWithoutDim(indexShape: Shape, strides: readonly number[], offset: number, dim: number): Int32Array {
  const zeroed = strides.map((s, i) => (i === dim ? 0 : s));
  return offsetsOf({ shape: indexShape, strides: zeroed, offset });
}

/** out[i] = x[i with i[dim] := index[i]]; out has the index's shape. Indices were validated by the caller. */
export function gather(x: TypedArray, xl: Layout, dim: number, index: TypedArray, il: Layout, dtype: DType): TypedArray {
  const base = offsetsWithoutDim(il.shape, xl.strides, xl.offset, dim);
  const io = offsetsOf(il);
  const step = xl.strides[dim]!;
  const out = typedArrayFor(dtype, io.length);
  for (let i = 0; i < io.length; i++) out[i] = x[base[i]! + index[io[i]!]! * step]!;
  return out;
}

/** dst[i with i[dim] := index[i]] += src[i] over the index shape; dst contiguous of dstShape. */
export function scatterAdd(
  dst: TypedArray, dstShape: Shape, dim: number, index: TypedArray, il: Layout, src: TypedArray, sl: Layout,
): void {
  const strides = contiguousStrides(dstShape);
  const base = offsetsWithoutDim(il.shape, strides, 0, dim);
  const io = offsetsOf(il);
  // src is walked over the index's shape (src may be larger than index: PyTorch reads only that part).
  const so = offsetsOf({ shape: il.shape, strides: sl.strides, offset: sl.offset });
  const step = strides[dim]!;
  for (let i = 0; i < io.length; i++) dst[base[i]! + index[io[i]!]! * step]! += src[so[i]!]!;
}
