/**
 * Tensor buffers on the GPU.
 *
 * A GpuStorage owns a GPUBuffer from the context's pool. Elements are 4 bytes
 * on the GPU whatever the dtype (float32 -> f32, int32 -> i32, bool -> u32
 * 0/1: WGSL storage buffers have no 1-byte type); float64 cannot live here.
 *
 * `host` is an optional copy of the contents on the CPU: storages made from
 * host data (fromArray, zero alloc) keep it until a kernel writes to them, so
 * labels, index tensors and datasets created from JavaScript still read
 * synchronously. Results computed on the GPU have none: they read with
 * `await x.dataAsync()`.
 *
 * The buffer goes back to the pool when release() is called (the autograd
 * engine's eager release) or when the storage is garbage collected.
 */
import type { Backend, Storage } from '../backend.js';
import type { DType, TypedArray } from '../../core/dtype.js';
import { TensorError } from '../../core/errors.js';
import { noteStorageBirth } from '../birth-log.js';

/** What the finalizer needs: never the storage itself (that would keep it alive). */
export interface PooledBuffer {
  buffer: GPUBuffer;
  /** The buffer's byte size (its pool size class). */
  bytes: number;
  /** Where released buffers go (the context's pool). */
  recycle: (b: PooledBuffer) => void;
  /** Set when it went back to the pool (guards a double release). */
  returned: boolean;
}

const registry = new FinalizationRegistry<PooledBuffer>((b) => {
  if (!b.returned) {
    b.returned = true;
    b.recycle(b);
  }
});

export class GpuStorage implements Storage {
  /** Host copy of the contents, 'zeros' for a fresh zero buffer, or null (only the GPU has it). */
  host: TypedArray | 'zeros' | null = null;
  private freed = false;

  constructor(
    readonly backend: Backend,
    readonly dtype: DType,
    readonly length: number,
    private readonly block: PooledBuffer,
  ) {
    registry.register(this, block, this);
    noteStorageBirth(this);
  }

  /** The GPUBuffer (at least 4·length bytes, often more: a pool size class). */
  get buffer(): GPUBuffer {
    if (this.freed) throw new TensorError('webgpu backend: this tensor was disposed (its storage was released) and can no longer be used');
    return this.block.buffer;
  }
  get released(): boolean {
    return this.freed;
  }
  /** Gives the buffer back to the pool now (idempotent). */
  release(): void {
    if (this.freed) return;
    this.freed = true;
    this.host = null;
    registry.unregister(this);
    if (!this.block.returned) {
      this.block.returned = true;
      this.block.recycle(this.block);
    }
  }
}

/** Bytes per element on the GPU (4 for every dtype the GPU holds). */
export const GPU_ELEMENT_BYTES = 4;

/** The GpuStorage behind a Storage, with a clear failure when a foreign one slips in. */
export function asGpu(s: Storage, op: string): GpuStorage {
  if (!(s instanceof GpuStorage)) throw new TensorError(`webgpu backend (${op}): got a storage of backend '${s.backend?.name}'; move tensors with x.toBackend('webgpu') first`);
  return s;
}
