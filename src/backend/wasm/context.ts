/**
 * What every wasm kernel driver needs: the kernels, the heap, the backend
 * (to stamp new storages with), the thread pool and the caller's GEMM
 * scratch area (for kernels called directly, outside a pool job).
 */
import type { Backend, Storage } from '../backend.js';
import type { DType, TypedArray } from '../../core/dtype.js';
import type { Heap } from './heap.js';
import type { Kernels, LoadedModule, Variant } from './loader.js';
import { BYTES, WasmStorage } from './storage.js';
import { ThreadPool } from './threads.js';
import { TensorError } from '../../core/errors.js';

export class WasmContext {
  readonly kernels: Kernels;
  readonly variant: Variant;
  /** Worker threads sharing the memory (size 1, no workers, where memory cannot be shared). */
  readonly pool: ThreadPool;

  constructor(
    readonly backend: Backend,
    loaded: LoadedModule,
    readonly heap: Heap,
  ) {
    this.kernels = loaded.kernels;
    this.variant = loaded.variant;
    const areas = { alloc: (n: number) => heap.alloc(n, false, 'per-thread scratch'), free: (p: number, n: number) => heap.free(p, n) };
    this.pool = new ThreadPool(loaded.kernels, loaded.module, loaded.memory, areas, loaded.kernels.sgemmScratchBytes(), loaded.shared);
  }

  /**
   * While an optimizer step runs its updates (FusedKernels.updateBatch,
   * optim.ts): the update kernel calls collected so far, run as one pool job
   * when the step ends. Null otherwise.
   */
  pendingUpdates: { fn: number; args: number[] }[] | null = null;

  /** 16-byte aligned scratch for sgemm (packed panels) of the calling thread. */
  get gemmScratch(): number {
    return this.pool.mainScratch;
  }

  /** Threads jobs may use (the caller included). */
  get threads(): number {
    return this.pool.threads;
  }

  /** A new storage; zero-filled only when asked (kernels that write every element skip it). */
  alloc(dtype: DType, length: number, zero = false): WasmStorage {
    const s = WasmStorage.create(this.backend, this.heap, dtype, length);
    if (zero) this.zero(s.ptr, length * BYTES[dtype]);
    return s;
  }

  /** Zeroes `bytes` bytes at `ptr` (in wasm: see fill8 in assembly/copy.ts for why not TypedArray.fill). */
  zero(ptr: number, bytes: number): void {
    this.kernels.fill8(ptr, 0, bytes);
  }

  /** A new storage holding a copy of `values` (of the dtype's array type). */
  fromTyped(dtype: DType, values: TypedArray): WasmStorage {
    const s = this.alloc(dtype, values.length);
    s.view().set(values);
    return s;
  }

  /** Temporary blocks handed out and not yet freed (address -> reserved bytes). */
  private readonly temps = new Map<number, number>();

  /**
   * Temporary heap block of `bytes` (free with {@link freeTemp}). Blocks a
   * kernel driver did not free because an exception cut it short are freed by
   * {@link settle} when the outermost backend call ends.
   */
  temp(bytes: number): { ptr: number; size: number } {
    const t = this.heap.alloc(bytes, false, 'kernel scratch');
    this.temps.set(t.ptr, t.size);
    return t;
  }
  freeTemp(t: { ptr: number; size: number }): void {
    if (this.temps.delete(t.ptr)) this.heap.free(t.ptr, t.size);
  }

  /**
   * Restores the per-call state when the outermost backend call returns or
   * throws: a pool job left half-built by an exception is discarded (it must
   * never run later, writing into buffers freed meanwhile), and scratch blocks
   * still out are freed. After a successful call both are already empty.
   */
  settle(): void {
    this.pool.discard();
    if (this.temps.size === 0) return; // every call: no iterator when there is nothing to free
    for (const [ptr, size] of this.temps) this.heap.free(ptr, size);
    this.temps.clear();
  }
}

/** The WasmStorage behind a Storage, with a clear error for foreign ones. */
export function ws(s: Storage): WasmStorage {
  if (!(s instanceof WasmStorage)) {
    throw new TensorError(`wasm backend: got a tensor of backend '${s?.backend?.name}'; move it first with x.toBackend('wasm')`);
  }
  return s;
}

/** Byte address of element `offset` of a storage. */
export function addr(s: WasmStorage, offset: number): number {
  return s.ptr + offset * BYTES[s.dtype];
}
