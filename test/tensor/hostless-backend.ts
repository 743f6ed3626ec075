/**
 * A CPU stand-in for a GPU backend in tests of the asynchronous read paths:
 * the reference kernels, but results computed by kernels (and storages
 * written in place) cannot be read synchronously, as on the webgpu backend;
 * storages made from JavaScript values can, until written. So the deferred
 * checks, itemAsync, toBackendAsync, fit and evaluateAsync are tested on every
 * machine, GPU or not.
 */
import type { Backend, Layout, Storage } from '../../src/backend/backend.js';
import { ArrayKernels } from '../../src/backend/reference/kernels.js';
import { RefStorage, gatherView } from '../../src/backend/reference/storage.js';
import { referenceBackend } from '../../src/backend/reference/index.js';
import { toTypedArray, typedArrayFor, type DType, type TypedArray } from '../../src/core/dtype.js';
import type { Shape } from '../../src/core/shape.js';
import { TensorError } from '../../src/core/errors.js';

class HostlessStorage implements Storage {
  constructor(
    readonly backend: Backend,
    readonly dtype: DType,
    readonly data: TypedArray,
    /** Whether a synchronous read is allowed (made from JS values and not written since). */
    public host: boolean,
  ) {}
  get length(): number {
    return this.data.length;
  }
}

/** The same typed array as a reference-backend storage, to run the reference's copy/fill/scatterAdd on it. */
const asRef = (s: Storage): Storage => {
  const h = s as HostlessStorage;
  return new RefStorage(referenceBackend, h.dtype, h.data);
};

class HostlessBackend extends ArrayKernels<Storage> implements Backend {
  readonly name = 'hostless';
  /** Synchronous reads attempted on non-host storages (tests assert it stays 0 where it must). */
  refusedReads = 0;

  protected view(s: Storage): TypedArray {
    return (s as HostlessStorage).data;
  }
  protected wrap(dtype: DType, data: TypedArray): Storage {
    return new HostlessStorage(this, dtype, data, false);
  }
  alloc(dtype: DType, length: number): Storage {
    return new HostlessStorage(this, dtype, typedArrayFor(dtype, length), false);
  }
  fromArray(dtype: DType, values: TypedArray): Storage {
    return new HostlessStorage(this, dtype, toTypedArray(dtype, values), true);
  }
  canReadSync(storage: Storage): boolean {
    return (storage as HostlessStorage).host;
  }
  read(src: Storage, layout: Layout): TypedArray {
    if (!(src as HostlessStorage).host) {
      this.refusedReads++;
      throw new TensorError('data: hostless backend: computed results cannot be read synchronously; use `await x.dataAsync()`');
    }
    return gatherView((src as HostlessStorage).data, layout, src.dtype);
  }
  async readAsync(src: Storage, layout: Layout): Promise<TypedArray> {
    await new Promise<void>((resolve) => setImmediate(resolve));
    return gatherView((src as HostlessStorage).data, layout, src.dtype);
  }
  release(): void {}
  copy(dst: Storage, dstLayout: Layout, src: Storage, srcLayout: Layout): void {
    (dst as HostlessStorage).host = false;
    referenceBackend.copy(asRef(dst), dstLayout, asRef(src), srcLayout);
  }
  fill(dst: Storage, dstLayout: Layout, value: number): void {
    (dst as HostlessStorage).host = false;
    referenceBackend.fill(asRef(dst), dstLayout, value);
  }
  override scatterAdd(dst: Storage, dstShape: Shape, dim: number, index: Storage, il: Layout, src: Storage, sl: Layout): void {
    (dst as HostlessStorage).host = false;
    super.scatterAdd(dst, dstShape, dim, index, il, src, sl);
  }
}

/** A fresh hostless backend (its own counters). */
export function hostlessBackend(): HostlessBackend {
  return new HostlessBackend();
}
export type { HostlessBackend };
