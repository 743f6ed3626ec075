/**
 * GPU buffers pooled by size class, so a training loop reuses the same few
 * buffers step after step instead of creating and destroying thousands.
 * Size classes: powers of two up to 4 KiB, then four classes per doubling
 * (at most 25 % slack). Idle buffers beyond `maxIdleBytes` are destroyed.
 *
 * Dead tensors give their buffers back when the garbage collector finalizes
 * their storage objects, but V8 does not see GPU memory, so it may not collect
 * for a long while: after every `PRESSURE_BYTES` of newly created buffers the
 * pool asks for a collection (where `gc` is available, as in Node), so the
 * finalizers of dead storages refill it at the next turn of the event loop.
 */
import type { PooledBuffer } from './storage.js';

const USAGE_STORAGE = 0x80 | 0x4 | 0x8; // STORAGE | COPY_SRC | COPY_DST (GPUBufferUsage)

/** The byte size a request of `bytes` is rounded up to. */
/** New buffer bytes between two requested garbage collections. */
const PRESSURE_BYTES = 64 * 2 ** 20;

export function sizeClass(bytes: number): number {
  const b = Math.max(16, bytes);
  if (b <= 4096) return 2 ** Math.ceil(Math.log2(b));
  const step = 2 ** Math.floor(Math.log2(b)) / 4;
  return Math.ceil(b / step) * step;
}

export class BufferPool {
  private readonly idle = new Map<number, GPUBuffer[]>();
  private idleBytes = 0;
  /** Bytes in live (handed out) buffers. */
  private liveBytes = 0;

  private createdSinceGc = 0;

  constructor(
    private readonly device: GPUDevice,
    private readonly gc: (() => void) | null = null,
    private readonly maxIdleBytes = 512 * 2 ** 20,
  ) {}

  /** A buffer of at least `bytes` (contents undefined), from the pool or new. */
  take(bytes: number): PooledBuffer {
    const size = sizeClass(bytes);
    let buffer = this.idle.get(size)?.pop();
    if (buffer) this.idleBytes -= size;
    else {
      buffer = this.device.createBuffer({ size, usage: USAGE_STORAGE });
      this.createdSinceGc += size;
      if (this.gc && this.createdSinceGc > PRESSURE_BYTES) {
        this.createdSinceGc = 0;
        this.gc();
      }
    }
    this.liveBytes += size;
    return { buffer, bytes: size, returned: false, recycle: (b) => this.give(b) };
  }

  private give(b: PooledBuffer): void {
    this.liveBytes -= b.bytes;
    if (this.idleBytes + b.bytes > this.maxIdleBytes) {
      b.buffer.destroy();
      return;
    }
    let list = this.idle.get(b.bytes);
    if (!list) this.idle.set(b.bytes, (list = []));
    list.push(b.buffer);
    this.idleBytes += b.bytes;
  }

  /** Destroys every idle buffer. */
  trim(): void {
    for (const list of this.idle.values()) for (const b of list) b.destroy();
    this.idle.clear();
    this.idleBytes = 0;
  }

  /** Bytes handed out and bytes idle in the pool. */
  stats(): { liveBytes: number; idleBytes: number } {
    return { liveBytes: this.liveBytes, idleBytes: this.idleBytes };
  }
}
