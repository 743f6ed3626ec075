import type { Backend, Layout, Storage } from '../backend.js';
import type { DType, TypedArray } from '../../core/dtype.js';
import { toTypedArray, typedArrayFor } from '../../core/dtype.js';
import { isContiguous, numel } from '../../core/shape.js';
import { RefStorage, dataOf, gatherView, offsetsOf } from './storage.js';
import { ArrayKernels } from './kernels.js';

/**
 * The reference backend: plain TypeScript over typed arrays, float32 and float64.
 * It is the executable specification every faster backend is tested against, so
 * it favours obvious loops over speed. It implements the required contract only
 * (no `fused` kernels): the tensor-op composites give it every fused operation.
 * The computing kernels come from ArrayKernels (kernels.ts); this class adds memory.
 */
class ReferenceBackend extends ArrayKernels<Storage> implements Backend {
  readonly name = 'reference';

  protected view(s: Storage): TypedArray {
    return dataOf(s);
  }
  protected wrap(dtype: DType, data: TypedArray): RefStorage {
    return new RefStorage(this, dtype, data);
  }

  alloc(dtype: DType, length: number): Storage {
    return this.wrap(dtype, typedArrayFor(dtype, length));
  }
  fromArray(dtype: DType, values: TypedArray): Storage {
    return this.wrap(dtype, toTypedArray(dtype, values));
  }
  read(src: Storage, layout: Layout): TypedArray {
    return gatherView(dataOf(src), layout, src.dtype);
  }
  readAsync(src: Storage, layout: Layout): Promise<TypedArray> {
    return Promise.resolve(this.read(src, layout));
  }
  release(_storage: Storage): void {
    // Plain typed arrays are reclaimed by the garbage collector.
  }

  copy(dst: Storage, dstLayout: Layout, src: Storage, srcLayout: Layout): void {
    const d = dataOf(dst), s = dataOf(src);
    const n = numel(dstLayout.shape);
    if (dst.dtype === src.dtype && d !== s && isContiguous(dstLayout.shape, dstLayout.strides) && isContiguous(srcLayout.shape, srcLayout.strides)) {
      // Same type, distinct buffers, both dense: one block copy.
      d.set(s.subarray(srcLayout.offset, srcLayout.offset + n), dstLayout.offset);
      return;
    }
    const od = offsetsOf(dstLayout), os = offsetsOf(srcLayout);
    // Read everything first: source and destination may overlap (x.copy_(x.flip(0))).
    const vals = new Float64Array(os.length);
    for (let i = 0; i < os.length; i++) vals[i] = s[os[i]!]!;
    const toBool = dst.dtype === 'bool', toInt = dst.dtype === 'int32';
    for (let i = 0; i < od.length; i++) {
      const v = vals[i]!;
      d[od[i]!] = toBool ? (v ? 1 : 0) : toInt ? Math.trunc(v) : v;
    }
  }
  fill(dst: Storage, dstLayout: Layout, value: number): void {
    const d = dataOf(dst);
    for (const o of offsetsOf(dstLayout)) d[o] = value;
  }
}

/** The single reference backend instance. */
export const referenceBackend: Backend = new ReferenceBackend();
