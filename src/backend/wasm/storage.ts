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
import type { DType, TypedArray } from '../../core/dtype.js';
import type { Heap } from './heap.js';
import { noteStorageBirth } from '../birth-log.js';
import { TensorError } from '../../core/errors.js';
import { DTYPES } from '../../core/dtype.js';

export const BYTES: Record<DType, number> = { float32: 4, float64: 8, int32: 4, bool: 1 };
/** How heap errors name a storage's block (constants: no message is built per allocation). */
const BUFFER: Record<DType, string> = { float32: 'a float32 buffer', float64: 'a float64 buffer', int32: 'an int32 buffer', bool: 'a bool buffer' };

/**
 * What the finalizer needs: never the storage itself (that would keep it
 * alive). `freed` is set by an explicit release, so that the finalizer, which
 * still runs later, frees nothing: registering without an unregister token
 * and never unregistering is ~4x cheaper than `unregister` (a token makes V8
 * keep a weak map of registrations: register+unregister measured 0.70 us per
 * storage, register alone 0.19 us), and most storages of a training step are
 * released explicitly.
 */
interface Block {
  ptr: number;
  size: number;
  heap: Heap;
  freed: boolean;
  /** The heap's GC-request epoch when the block was allocated (see Heap.epoch). */
  epoch: number;
}

const onCollected = (b: Block) => {
  if (!b.freed) b.heap.freeWhenIdle(b.ptr, b.size, b.epoch);
};
const registry = new FinalizationRegistry<Block>(onCollected);
let cleanupSome: ((this: FinalizationRegistry<never>) => void) | null = null;

/**
 * Lets memory pressure reclaim dead tensors synchronously with V8's
 * `cleanupSome` (behind a flag, see loader.ts): a training loop that never
 * yields to the event loop would otherwise never run finalizers.
 */
export function useCleanupSome(fn: (this: FinalizationRegistry<never>) => void): void {
  cleanupSome = fn;
}

/** Runs pending finalizers now where the engine allows it (after a GC); false if it cannot. */
export function cleanupNow(): boolean {
  if (!cleanupSome) return false;
  cleanupSome.call(registry as FinalizationRegistry<never>);
  return true;
}

export class WasmStorage implements Storage {
  private readonly block: Block;

  constructor(
    readonly backend: Backend,
    readonly heap: Heap,
    readonly dtype: DType,
    readonly length: number,
    readonly ptr: number,
    private readonly size: number,
    epoch = heap.epoch,
  ) {
    this.block = { ptr, size, heap, freed: false, epoch };
    registry.register(this, this.block);
    noteStorageBirth(this);
  }

  /**
   * Allocates a block for `length` elements; contents undefined (WasmContext.alloc zeroes on request).
   * The dtype and length are checked before the heap is touched: a bad
   * request (an unknown dtype once gave NaN bytes, which corrupted the
   * allocator for the rest of the process) throws and changes nothing.
   */
  static create(backend: Backend, heap: Heap, dtype: DType, length: number): WasmStorage {
    const bytesPer = Object.hasOwn(BYTES, dtype) ? BYTES[dtype] : undefined;
    if (bytesPer === undefined) {
      throw new TensorError(`wasm backend: cannot allocate a buffer of dtype ${JSON.stringify(dtype)} (supported: ${DTYPES.join(', ')})`);
    }
    if (!Number.isSafeInteger(length) || length < 0) {
      throw new TensorError(`wasm backend: cannot allocate a ${dtype} buffer of ${length} elements (expected a non-negative integer)`);
    }
    // The epoch before the allocation: a GC request that allocation triggers starts a count without it.
    const epoch = heap.epoch;
    const { ptr, size } = heap.alloc(length * bytesPer, true, BUFFER[dtype], length);
    return new WasmStorage(backend, heap, dtype, length, ptr, size, epoch);
  }

  get released(): boolean {
    return this.block.freed;
  }

  /** Gives the block back now (idempotent; the finalizer then skips it). */
  release(): void {
    const b = this.block;
    if (b.freed) return;
    b.freed = true;
    this.heap.release(this.ptr, this.size, b.epoch);
  }

  /** A zero-copy typed-array view of the elements (valid until the next allocation may grow the memory). */
  view(): TypedArray {
    if (this.block.freed) throw new TensorError('wasm backend: this tensor was disposed (its storage was released) and can no longer be used');
    const b = this.heap.buffer;
    switch (this.dtype) {
      case 'float32': return new Float32Array(b, this.ptr, this.length);
      case 'float64': return new Float64Array(b, this.ptr, this.length);
      case 'int32': return new Int32Array(b, this.ptr, this.length);
      case 'bool': return new Uint8Array(b, this.ptr, this.length);
    }
  }
}
