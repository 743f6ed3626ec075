import type { Backend, Layout, Storage } from '../backend.js';
import type { DType, TypedArray } from '../../core/dtype.js';
import { typedArrayFor } from '../../core/dtype.js';
import { isContiguous, numel } from '../../core/shape.js';

/** Reference storage: a plain JS typed array, freed by the garbage collector. */
export class RefStorage implements Storage {
  constructor(
    readonly backend: Backend,
    readonly dtype: DType,
    readonly data: TypedArray,
  ) {}
  get length(): number {
    return this.data.length;
  }
}

/** The typed array behind a storage, with a clear failure if a foreign storage slips in. */
export function dataOf(s: Storage): TypedArray {
  if (!(s instanceof RefStorage)) throw new Error(`reference backend: storage belongs to backend '${s.backend.name}'`);
  return s.data;
}

/**
 * Storage offsets of every element of a view, in row-major order of its shape.
 * The reference kernels iterate these; it keeps strided, broadcast and flipped
 * layouts on one simple path.
 */
export function offsetsOf(layout: Layout): Int32Array {
  const { shape, strides, offset } = layout;
  const n = numel(shape);
  const out = new Int32Array(n);
  if (n === 0) return out;
  if (isContiguous(shape, strides)) {
    for (let i = 0; i < n; i++) out[i] = offset + i;
    return out;
  }
  const rank = shape.length;
  const idx = new Array<number>(rank).fill(0);
  let off = offset;
  for (let i = 0; i < n; i++) {
    out[i] = off;
    for (let d = rank - 1; d >= 0; d--) {
      idx[d]!++;
      off += strides[d]!;
      if (idx[d]! < shape[d]!) break;
      off -= strides[d]! * shape[d]!;
      idx[d] = 0;
    }
  }
  return out;
}

/** Contiguous copy of the elements of a view. */
export function gatherView(src: TypedArray, layout: Layout, dtype: DType): TypedArray {
  const offs = offsetsOf(layout);
  const out = typedArrayFor(dtype, offs.length);
  for (let i = 0; i < offs.length; i++) out[i] = src[offs[i]!]!;
  return out;
}
