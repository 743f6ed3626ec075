/**
 * What every wasm kernel driver needs: the kernels, the heap, the backend
 * (to stamp new storages with) and the GEMM scratch area.
 */
import type { Backend, Storage } from '../backend.js';
import type { DType, TypedArray } from '../../tensor/dtype.js';
import type { Heap } from './heap.js';
import type { Kernels, Variant } from './loader.js';
import { BYTES, WasmStorage } from './storage.js';

export class WasmContext {
  /** 16-byte aligned scratch for sgemm (packed panels); one per thread in phase 2. */
  readonly gemmScratch: number;

  constructor(
    readonly backend: Backend,
    readonly kernels: Kernels,
    readonly heap: Heap,
    readonly variant: Variant,
  ) {
    this.gemmScratch = heap.alloc(kernels.sgemmScratchBytes()).ptr;
  }

  /** A new storage; zero-filled only when asked (kernels that write every element skip it). */
  alloc(dtype: DType, length: number, zero = false): WasmStorage {
    return WasmStorage.create(this.backend, this.heap, dtype, length, zero);
  }

  /** A new storage holding a copy of `values` (of the dtype's array type). */
  fromTyped(dtype: DType, values: TypedArray): WasmStorage {
    const s = this.alloc(dtype, values.length);
    s.view().set(values);
    return s;
  }

  /** Temporary heap block of `bytes` (free with {@link freeTemp}). */
  temp(bytes: number): { ptr: number; size: number } {
    return this.heap.alloc(bytes, false);
  }
  freeTemp(t: { ptr: number; size: number }): void {
    this.heap.free(t.ptr, t.size);
  }
}

/** The WasmStorage behind a Storage, with a clear error for foreign ones. */
export function ws(s: Storage): WasmStorage {
  if (!(s instanceof WasmStorage)) throw new Error(`wasm backend: storage belongs to backend '${s.backend.name}'`);
  return s;
}

/** Byte address of element `offset` of a storage. */
export function addr(s: WasmStorage, offset: number): number {
  return s.ptr + offset * BYTES[s.dtype];
}
