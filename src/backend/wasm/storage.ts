/**
 * Tensor buffers living in the WebAssembly heap.
 *
 * A WasmStorage is (address, reserved bytes, length, dtype). Its block goes
 * back to the heap's free lists when `release()` is called, or when the
 * storage object is garbage-collected (FinalizationRegistry). Finalizers run
 * as separate tasks, never in the middle of synchronous code, so a kernel can
 * never see a buffer it is using freed under it; the flip side is that a loop
 * that never yields to the event loop gets no GC-driven reclamation (see the
 * README note in src/backend/wasm/index.ts).
 */
import type { Backend, Storage } from '../backend.js';
import type { DType, TypedArray } from '../../tensor/dtype.js';
import type { Heap } from './heap.js';

export const BYTES: Record<DType, number> = { float32: 4, float64: 8, int32: 4, bool: 1 };

/** What the finalizer needs: never the storage itself (that would keep it alive). */
interface Block {
  ptr: number;
  size: number;
  heap: Heap;
}

type Registry = FinalizationRegistry<Block> & { cleanupSome?: () => void };
type RegistryConstructor = new (cleanup: (b: Block) => void) => Registry;

const onCollected = (b: Block) => b.heap.freeWhenIdle(b.ptr, b.size);
let registry: Registry = new FinalizationRegistry<Block>(onCollected);

/**
 * Switches to a FinalizationRegistry implementation that has `cleanupSome`
 * (V8 behind a flag, see loader.ts), so that memory pressure can reclaim dead
 * tensors synchronously: a training loop that never yields to the event loop
 * would otherwise never run finalizers. Call before any storage exists.
 */
export function useRegistry(ctor: RegistryConstructor): void {
  registry = new ctor(onCollected);
}

/** Runs pending finalizers now where the engine allows it (after a GC); false if it cannot. */
export function cleanupNow(): boolean {
  if (typeof registry.cleanupSome !== 'function') return false;
  registry.cleanupSome();
  return true;
}

export class WasmStorage implements Storage {
  private freed = false;

  constructor(
    readonly backend: Backend,
    readonly heap: Heap,
    readonly dtype: DType,
    readonly length: number,
    readonly ptr: number,
    private readonly size: number,
  ) {
    registry.register(this, { ptr, size, heap }, this);
  }

  /** Allocates a block for `length` elements; contents undefined unless `zero`. */
  static create(backend: Backend, heap: Heap, dtype: DType, length: number, zero: boolean): WasmStorage {
    const { ptr, size } = heap.alloc(length * BYTES[dtype]);
    const s = new WasmStorage(backend, heap, dtype, length, ptr, size);
    if (zero) heap.u8.fill(0, ptr, ptr + length * BYTES[dtype]);
    return s;
  }

  get released(): boolean {
    return this.freed;
  }

  /** Gives the block back now (idempotent). */
  release(): void {
    if (this.freed) return;
    this.freed = true;
    registry.unregister(this);
    this.heap.free(this.ptr, this.size);
  }

  /** A zero-copy typed-array view of the elements (valid until the next allocation may grow the memory). */
  view(): TypedArray {
    if (this.freed) throw new Error('wasm backend: use of a released storage');
    const b = this.heap.buffer;
    switch (this.dtype) {
      case 'float32': return new Float32Array(b, this.ptr, this.length);
      case 'float64': return new Float64Array(b, this.ptr, this.length);
      case 'int32': return new Int32Array(b, this.ptr, this.length);
      case 'bool': return new Uint8Array(b, this.ptr, this.length);
    }
  }
}
