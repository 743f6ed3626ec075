/**
 * The JS-side allocator over the WebAssembly linear memory.
 *
 * Kernels never allocate: every tensor buffer and every scratch area is a block
 * handed out here. Training repeats the same tensor sizes every step, so blocks
 * are rounded up to *size classes* and freed blocks go to a per-class free list
 * that the next allocation of that class pops in O(1):
 *
 *  - up to 1 KiB: multiples of 16 bytes;
 *  - above: 8 classes per power of two (at most 12.5% waste).
 *
 * Every block is 16-byte aligned (v128 loads/stores) and at least 16 bytes.
 * When neither a free list nor the bump pointer can serve a request, the free
 * lists are coalesced (sorted by address, adjacent blocks merged, a run that
 * ends at the bump pointer gives the space back to it) into first-fit ranges;
 * only then does the memory grow. Growth detaches the old ArrayBuffer of a
 * non-shared memory, so typed-array views are always taken through
 * {@link Heap.f32} & co., which re-create them when the buffer changed.
 */

import { TensorError } from '../../core/errors.js';

const PAGE = 65536;
const ALIGN = 16;
/** The wasm32 address space: the largest memory a module can have (65536 pages). */
export const WASM32_MAX_BYTES = 65536 * PAGE;

/** Bytes in a short human form for error messages: `512 B`, `3.0 MiB`, `4.0 GiB`. */
export function fmtBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let v = n / 1024, u = 0;
  while (v >= 1024 && u < units.length - 1) v /= 1024, u++;
  return `${v.toFixed(1)} ${units[u]}`;
}
/** An allocation in words for error messages: `a float32 buffer of 1000 elements`. */
function label(what: string, elements: number): string {
  return elements < 0 ? what : `${what} of ${elements} elements`;
}

/** Initial (and smallest) allocation volume between two GC requests (see Heap.onPressure). */
export const PRESSURE_BYTES = 16 * 1024 * 1024;

/** The size class (bytes actually reserved) for a request of `bytes`. */
export function sizeClass(bytes: number): number {
  if (bytes <= ALIGN) return ALIGN;
  if (bytes <= 1024) return (bytes + ALIGN - 1) & ~(ALIGN - 1);
  const step = 2 ** (Math.floor(Math.log2(bytes)) - 3);
  return Math.ceil(bytes / step) * step;
}

/** Usage counters, for tests and diagnostics. */
export interface HeapStats {
  /** Bytes in blocks handed out and not yet freed. */
  liveBytes: number;
  /** Highest address ever handed out minus the heap base: the memory actually touched. */
  highWater: number;
  /** Size of the linear memory in bytes. */
  memoryBytes: number;
  /** Bytes sitting in free lists and ranges. */
  freeBytes: number;
}

export class Heap {
  private buf: ArrayBuffer | SharedArrayBuffer;
  private views: { f32: Float32Array; f64: Float64Array; i32: Int32Array; u8: Uint8Array };
  private top: number;
  private highTop: number;
  private live = 0;
  private freeBytes = 0;
  /** Free blocks per size class (stacks of addresses). */
  private readonly lists = new Map<number, number[]>();
  /** Coalesced free ranges of arbitrary size (multiples of 16), as [address, bytes]. */
  private ranges: [number, number][] = [];
  /**
   * Tracked bytes handed out since the last {@link onPressure} call and not
   * given back since: the estimate of memory held by dead storages that no
   * collection has reclaimed yet.
   */
  private sincePressure = 0;
  /**
   * How many times {@link onPressure} has been called. A block's owner notes
   * it before allocating and passes it back when freeing: only blocks
   * allocated since the last request are in {@link sincePressure}.
   */
  epoch = 0;
  /** Uncollected allocation volume that triggers {@link onPressure}; the backend adapts it (see gcPacer in index.ts). */
  pressureBytes = PRESSURE_BYTES;
  /**
   * Called once {@link pressureBytes} have been allocated that no collection
   * has reclaimed since the last call (blocks given back in between do not
   * count, see {@link freeWhenIdle} and {@link release}): the backend uses it
   * to ask the JS engine for a garbage collection, because V8 cannot see how much wasm memory dead Storage
   * objects hold and would otherwise collect them (and run their finalizers)
   * only when its own small heap fills.
   */
  onPressure: (() => void) | null = null;

  /**
   * `base`: first usable byte (the module's __heap_base). `maxBytes`: the
   * memory's declared maximum (the heap never asks to grow past it, so a
   * request that cannot fit fails with a TensorError before touching anything).
   */
  constructor(readonly memory: WebAssembly.Memory, readonly base: number, readonly maxBytes = WASM32_MAX_BYTES) {
    this.top = Math.ceil(base / ALIGN) * ALIGN;
    this.highTop = this.top;
    this.buf = memory.buffer;
    this.views = Heap.makeViews(this.buf);
  }

  private static makeViews(b: ArrayBuffer | SharedArrayBuffer) {
    return { f32: new Float32Array(b), f64: new Float64Array(b), i32: new Int32Array(b), u8: new Uint8Array(b) };
  }

  /** Views over the whole memory, re-created after growth. */
  private fresh() {
    const b = this.memory.buffer;
    if (b !== this.buf || b.byteLength !== this.views.u8.length) {
      this.buf = b;
      this.views = Heap.makeViews(b);
    }
    return this.views;
  }
  get buffer(): ArrayBuffer | SharedArrayBuffer { return this.fresh() && this.buf; }
  get f32(): Float32Array { return this.fresh().f32; }
  get f64(): Float64Array { return this.fresh().f64; }
  get i32(): Int32Array { return this.fresh().i32; }
  get u8(): Uint8Array { return this.fresh().u8; }

  /**
   * Reserves at least `bytes` bytes, 16-byte aligned; returns the address and
   * the reserved size (pass both to {@link free}). Contents are undefined.
   * `track`: counts toward GC pressure (false for scratch freed right away).
   * `what` (and `elements`, when >= 0): the allocation in words for the error
   * message when it cannot be served (`a float32 buffer` of 1000 elements);
   * passed apart so that no message is built on the success path.
   *
   * Every check happens before any state changes, so a failed request (a bad
   * size, or one past the memory cap) leaves the heap exactly as it was.
   */
  alloc(bytes: number, track = true, what = 'a block', elements = -1): { ptr: number; size: number } {
    if (!Number.isSafeInteger(bytes) || bytes < 0) {
      throw new TensorError(`wasm backend: cannot allocate ${label(what, elements)}: invalid size ${bytes} bytes (expected a non-negative integer)`);
    }
    const size = sizeClass(bytes);
    if (size > this.maxBytes - this.base) throw this.capError(bytes, label(what, elements), this.top + size);
    const list = this.lists.get(size);
    let ptr = list && list.length ? list.pop()! : -1;
    if (ptr >= 0) this.freeBytes -= size;
    else ptr = this.fromRanges(size);
    if (ptr < 0) ptr = this.bump(size, bytes, what, elements);
    this.live += size;
    if (track) this.sincePressure += size;
    if (this.onPressure && this.sincePressure > this.pressureBytes) {
      this.sincePressure = 0;
      this.epoch++;
      try {
        this.onPressure();
      } catch {
        // A failed GC request must not fail (nor leak) the allocation it rode on.
      }
    }
    return { ptr, size };
  }

  /** Nesting depth of backend calls in progress (see {@link freeWhenIdle}). */
  depth = 0;
  private pending: number[] = [];

  /**
   * Frees a block whose storage was garbage collected. Finalizers may run
   * synchronously in the middle of a backend call (cleanupSome under
   * allocation pressure), when the JS engine may already consider an input
   * storage dead although its address is still in use by the running kernel;
   * such blocks wait until the outermost backend call returns.
   *
   * A block allocated since the last GC request (`epoch`: {@link epoch} when
   * it was allocated) no longer counts toward the next one: the count
   * estimates the memory held by dead storages not yet collected, and a
   * collection the backend did not ask for (the engine's own, or the
   * application's gc()) has just reclaimed this one. Without this, a forced GC
   * came due after a few MiB of new garbage whenever someone else had
   * collected the rest: 1024^3 matmuls (4 MiB outputs) with a gc() before
   * every 4 calls still paid a forced full GC (11-17 ms) every 16 calls.
   */
  freeWhenIdle(ptr: number, size: number, epoch: number): void {
    this.uncount(size, epoch);
    if (this.depth === 0) this.free(ptr, size);
    else this.pending.push(ptr, size);
  }

  /** Frees the blocks that were finalized during a backend call (called when it returns). */
  drainPending(): void {
    const p = this.pending;
    if (!p.length) return;
    this.pending = [];
    for (let i = 0; i < p.length; i += 2) this.free(p[i]!, p[i + 1]!);
  }

  /**
   * Frees a tracked block that its owner gave back explicitly: it no longer
   * counts toward GC pressure (a pass that returns what it allocates, like
   * backward with its temporaries, should not make the backend ask for GCs)
   * if it was allocated since the last request (`epoch`: as for {@link freeWhenIdle}).
   */
  release(ptr: number, size: number, epoch: number): void {
    this.uncount(size, epoch);
    this.free(ptr, size);
  }

  /** Takes a freed tracked block out of the pressure count if it was allocated since the last request. */
  private uncount(size: number, epoch: number): void {
    if (epoch === this.epoch) this.sincePressure = Math.max(0, this.sincePressure - size);
  }

  /** Returns a block to its class's free list. */
  free(ptr: number, size: number): void {
    let list = this.lists.get(size);
    if (!list) this.lists.set(size, (list = []));
    list.push(ptr);
    this.live -= size;
    this.freeBytes += size;
  }

  /** First fit in the coalesced ranges; -1 if none is large enough. */
  private fromRanges(size: number): number {
    const rs = this.ranges;
    for (let i = 0; i < rs.length; i++) {
      const r = rs[i]!;
      if (r[1] < size) continue;
      const ptr = r[0];
      if (r[1] === size) rs.splice(i, 1);
      else {
        r[0] += size;
        r[1] -= size;
      }
      this.freeBytes -= size;
      return ptr;
    }
    return -1;
  }

  /** Serves `size` bytes from the top, coalescing or growing first if needed (`bytes`, `what`, `elements`: for errors). */
  private bump(size: number, bytes: number, what: string, elements: number): number {
    if (this.top + size > this.memory.buffer.byteLength) {
      if (this.freeBytes > 0) {
        // Coalescing changes how free space is listed, never what is free: safe even if growth fails next.
        this.coalesce();
        const p = this.fromRanges(size);
        if (p >= 0) return p;
      }
      if (this.top + size > this.maxBytes) throw this.capError(bytes, label(what, elements), this.top + size);
      this.grow(this.top + size, bytes, what, elements);
    }
    const ptr = this.top;
    this.top += size;
    if (this.top > this.highTop) this.highTop = this.top;
    return ptr;
  }

  /** Merges all free blocks into address-ordered ranges; a range touching the bump pointer lowers it. */
  private coalesce(): void {
    const all: [number, number][] = this.ranges;
    for (const [size, list] of this.lists) for (const p of list) all.push([p, size]);
    this.lists.clear();
    all.sort((a, b) => a[0] - b[0]);
    const merged: [number, number][] = [];
    for (const r of all) {
      const last = merged[merged.length - 1];
      if (last && last[0] + last[1] === r[0]) last[1] += r[1];
      else merged.push([r[0], r[1]]);
    }
    const tail = merged[merged.length - 1];
    if (tail && tail[0] + tail[1] === this.top) {
      this.top = tail[0];
      this.freeBytes -= tail[1];
      merged.pop();
    }
    this.ranges = merged;
  }

  /**
   * Grows the memory so that `end` bytes fit, by at least a quarter of its
   * size (amortised growth), never past the cap. The engine's RangeError (no
   * memory left, or past the maximum) becomes a TensorError naming the
   * allocation; the heap is unchanged then.
   */
  private grow(end: number, bytes: number, what: string, elements: number): void {
    const have = this.memory.buffer.byteLength;
    const want = Math.min(this.maxBytes, Math.max(end, have + Math.max(have >> 2, 16 * 1024 * 1024)));
    try {
      this.memory.grow(Math.ceil((want - have) / PAGE));
    } catch {
      // Near the limit: ask for exactly what is needed.
      try {
        this.memory.grow(Math.ceil((end - have) / PAGE));
      } catch {
        throw new TensorError(
          `wasm backend: out of memory allocating ${label(what, elements)} (${fmtBytes(bytes)}): the engine refused to grow the heap from ` +
            `${fmtBytes(have)} to ${fmtBytes(end)} (cap ${fmtBytes(this.maxBytes)}, ${fmtBytes(this.live)} in live tensors); ` +
            'free tensors (dispose()) or use smaller batches',
        );
      }
    }
  }

  /** The error for a request that cannot fit under the cap even after coalescing. */
  private capError(bytes: number, what: string, end: number): TensorError {
    return new TensorError(
      `wasm backend: out of memory allocating ${what} (${fmtBytes(bytes)}): the heap would need ${fmtBytes(end)} but the ` +
        `wasm memory is capped at ${fmtBytes(this.maxBytes)} (${fmtBytes(this.live)} in live tensors); ` +
        'free tensors (dispose()), use smaller batches, or use the reference backend for this tensor',
    );
  }

  stats(): HeapStats {
    return {
      liveBytes: this.live,
      highWater: this.highTop - this.base,
      memoryBytes: this.memory.buffer.byteLength,
      freeBytes: this.freeBytes,
    };
  }
}
