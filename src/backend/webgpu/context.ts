/**
 * The WebGPU backend's engine room: one device, its buffer pool, compiled
 * pipelines, and the command encoder that batches many dispatches per submit.
 *
 * Kernels call {@link GpuContext.run} with a {@link Kernel} (a cache key and
 * its WGSL source), the storages it reads and writes, a few 32-bit parameter
 * words and a grid. Binding convention of every kernel's WGSL:
 *   @group(0) @binding(0) var<storage, read> P: array<u32>;   // the parameter words
 *   @group(0) @binding(1..) inputs, then outputs, in the order given to run().
 * Every declared binding must be used by the shader ('auto' layouts drop unused ones).
 *
 * Ordering: everything goes through one command stream, so a buffer given
 * back to the pool and reused is only written after every earlier reader ran.
 * Host writes (queue.writeBuffer) flush the open batch first for the same reason.
 *
 * Errors: each batch runs inside a validation and an out-of-memory error scope.
 * A failure (a shader that does not compile, a buffer that cannot be made, a
 * lost device) becomes a TensorError at the next read or kernel call; the
 * context then starts a fresh batch, so later work computes correctly.
 */
import type { DType, TypedArray } from '../../core/dtype.js';
import { TensorError } from '../../core/errors.js';
import { BufferPool } from './buffers.js';
import { findGc } from '../wasm/loader.js';
import { GPU_ELEMENT_BYTES, GpuStorage } from './storage.js';
import type { Backend } from '../backend.js';

/** A compute shader: `key` identifies its source in the pipeline cache (include every specialisation in it). */
export interface Kernel {
  readonly key: string;
  readonly source: () => string;
}

/** Workgroup counts; a number means [n, 1, 1]. */
export type Grid = number | readonly [number, number, number?];

const MAP_READ = 0x1, COPY_DST = 0x8, COPY_SRC = 0x4, STORAGE = 0x80, MAP_WRITE_UNUSED = 0;
void MAP_WRITE_UNUSED;
/** Parameter slots are 256-byte aligned (minStorageBufferOffsetAlignment). */
const SLOT = 256;
const ARENA_BYTES = 64 * 1024;
/** Dispatches per submit before the batch is flushed anyway (keeps a real GPU busy while we encode). */
const MAX_PASSES = 128;

interface Batch {
  encoder: GPUCommandEncoder;
  arena: GPUBuffer;
  words: Uint32Array;
  used: number;
  passes: number;
}

export class GpuContext {
  readonly pool: BufferPool;
  private readonly pipelines = new Map<string, GPUComputePipeline>();
  private batch: Batch | null = null;
  /** Error-scope results of submitted batches not yet checked. */
  private scopes: Promise<string | null>[] = [];
  /** First failure seen and not yet reported. */
  private pendingError: string | null = null;
  /** Set once the device is lost: every later call throws. */
  lostReason: string | null = null;
  /** Dispatches since creation (tests and the bench read it). */
  dispatches = 0;
  submits = 0;

  constructor(
    readonly device: GPUDevice,
    readonly adapterName: string,
    private readonly backend: Backend,
  ) {
    this.pool = new BufferPool(device, findGc());
    device.lost.then((info) => {
      this.lostReason = info.message || info.reason || 'unknown reason';
    });
    // Errors outside our scopes (should not happen) still surface at the next call.
    device.onuncapturederror = (ev: GPUUncapturedErrorEvent) => {
      this.pendingError ??= ev.error.message;
    };
  }

  // ---- errors ----------------------------------------------------------------

  /** Throws the pending failure (once) or the lost device's error. */
  check(op: string): void {
    if (this.lostReason !== null) {
      throw new TensorError(
        `webgpu backend (${op}): the GPU device was lost (${this.lostReason}); tensors on it are gone. ` +
          "Call `await tg.ready({ backend: 'webgpu' })` for a new device, or use tg.setBackend('wasm')",
      );
    }
    if (this.pendingError !== null) {
      const msg = this.pendingError;
      this.pendingError = null;
      throw new TensorError(`webgpu backend (${op}): ${msg}`);
    }
  }

  /** Waits for every submitted batch's error scopes and throws the first failure. */
  async settle(op: string): Promise<void> {
    const scopes = this.scopes;
    this.scopes = [];
    for (const s of await Promise.all(scopes)) if (s) this.pendingError ??= s;
    this.check(op);
  }

  // ---- memory ------------------------------------------------------------------

  /** A new storage of `length` elements, contents undefined. */
  alloc(dtype: DType, length: number, op = 'alloc'): GpuStorage {
    this.check(op);
    if (dtype === 'float64') {
      throw new TensorError(
        `webgpu backend (${op}): float64 tensors cannot live on the GPU (WGSL has no 64-bit floats); use float32 (x.float()), or keep float64 work on the 'wasm' or 'reference' backend`,
      );
    }
    if (!Number.isSafeInteger(length) || length < 0) {
      throw new TensorError(`webgpu backend (${op}): cannot allocate a ${dtype} buffer of ${length} elements (expected a non-negative integer)`);
    }
    const bytes = Math.max(length, 1) * GPU_ELEMENT_BYTES;
    const max = Math.min(this.device.limits.maxBufferSize, this.device.limits.maxStorageBufferBindingSize);
    if (bytes > max) {
      throw new TensorError(`webgpu backend (${op}): cannot allocate ${length} ${dtype} elements (${bytes} bytes): this device's largest buffer is ${max} bytes`);
    }
    return new GpuStorage(this.backend, dtype, length, this.pool.take(bytes));
  }

  /** A storage holding `values` (converted to the GPU's 4-byte form); keeps them as its host copy. */
  upload(dtype: DType, values: TypedArray, op = 'fromArray'): GpuStorage {
    const s = this.alloc(dtype, values.length, op);
    if (values.length) {
      this.flush(); // a pooled buffer may still be read by the open batch
      this.device.queue.writeBuffer(s.buffer, 0, toGpuWords(dtype, values));
    }
    s.host = values;
    return s;
  }

  /** Zero-fills a storage (in the command stream). */
  clear(s: GpuStorage): void {
    this.check('clear');
    const b = this.open();
    b.encoder.clearBuffer(s.buffer, 0, Math.ceil((Math.max(s.length, 1) * GPU_ELEMENT_BYTES) / 4) * 4);
    s.host = 'zeros';
  }

  /** Copies `elements` 4-byte elements between buffers (in the command stream). */
  copyElements(src: GpuStorage, srcOffset: number, dst: GpuStorage, dstOffset: number, elements: number): void {
    this.check('copy');
    if (elements <= 0) return;
    const b = this.open();
    b.encoder.copyBufferToBuffer(src.buffer, srcOffset * 4, dst.buffer, dstOffset * 4, elements * 4);
    dst.host = null;
  }

  // ---- kernels -----------------------------------------------------------------

  /**
   * Encodes one dispatch of `kernel` over `grid` workgroups with `params`
   * (binding 0), then `inputs` and `outputs` (bindings 1..). Outputs lose
   * their host copy. A grid with a zero count is skipped.
   */
  run(kernel: Kernel, inputs: readonly GpuStorage[], outputs: readonly GpuStorage[], params: ArrayLike<number>, grid: Grid): void {
    this.check(kernel.key);
    const [x, y = 1, z = 1] = typeof grid === 'number' ? [grid] : grid;
    for (const o of outputs) o.host = null;
    if (x === 0 || y === 0 || z === 0) return;
    const maxDim = this.device.limits.maxComputeWorkgroupsPerDimension;
    if (x > maxDim || y > maxDim || z > maxDim) {
      throw new TensorError(`webgpu backend (${kernel.key}): a grid of ${x}x${y}x${z} workgroups exceeds the device's ${maxDim} per dimension`);
    }
    const b = this.open();
    const words = Math.max(1, params.length);
    const slots = Math.ceil((words * 4) / SLOT);
    if (b.used + slots * SLOT > ARENA_BYTES) {
      this.flush();
      return this.run(kernel, inputs, outputs, params, grid);
    }
    const at = b.used;
    b.words.set(params as ArrayLike<number>, at / 4);
    b.used += slots * SLOT;
    const pipeline = this.pipeline(kernel);
    const entries: GPUBindGroupEntry[] = [{ binding: 0, resource: { buffer: b.arena, offset: at, size: words * 4 } }];
    let i = 1;
    for (const s of inputs) entries.push({ binding: i++, resource: { buffer: s.buffer } });
    for (const s of outputs) entries.push({ binding: i++, resource: { buffer: s.buffer } });
    const group = this.device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries });
    const pass = b.encoder.beginComputePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, group);
    pass.dispatchWorkgroups(x, y, z);
    pass.end();
    this.dispatches++;
    if (++b.passes >= MAX_PASSES) this.flush();
  }

  private pipeline(kernel: Kernel): GPUComputePipeline {
    let p = this.pipelines.get(kernel.key);
    if (!p) {
      const module = this.device.createShaderModule({ code: kernel.source(), label: kernel.key });
      p = this.device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'main' }, label: kernel.key });
      this.pipelines.set(kernel.key, p);
      // A shader that does not compile is reported (by the batch's error scope) and not cached.
      module.getCompilationInfo?.().then((info) => {
        if (info.messages.some((m) => m.type === 'error')) {
          this.pipelines.delete(kernel.key);
          const first = info.messages.find((m) => m.type === 'error')!;
          this.pendingError ??= `the shader '${kernel.key}' does not compile (line ${first.lineNum}: ${first.message})`;
        }
      }, () => {});
    }
    return p;
  }

  // ---- batches -----------------------------------------------------------------

  private open(): Batch {
    if (this.batch) return this.batch;
    this.device.pushErrorScope('out-of-memory');
    this.device.pushErrorScope('validation');
    const arena = this.device.createBuffer({ size: ARENA_BYTES, usage: STORAGE, mappedAtCreation: true });
    this.batch = { encoder: this.device.createCommandEncoder(), arena, words: new Uint32Array(arena.getMappedRange()), used: 0, passes: 0 };
    return this.batch;
  }

  /** Submits the open batch, if any. */
  flush(): void {
    const b = this.batch;
    if (!b) return;
    this.batch = null;
    b.arena.unmap();
    this.device.queue.submit([b.encoder.finish()]);
    b.arena.destroy(); // freed once the submitted work is done
    this.submits++;
    const validation = this.device.popErrorScope();
    const oom = this.device.popErrorScope();
    this.scopes.push(
      Promise.all([validation, oom]).then(([v, o]) => (o ? `out of GPU memory (${o.message})` : v ? v.message : null), (e: Error) => e.message),
    );
    if (this.scopes.length > 64) {
      // Nobody has read for a while: fold the settled scopes into pendingError without awaiting.
      const done = this.scopes;
      this.scopes = [];
      for (const s of done) s.then((m) => { if (m) this.pendingError ??= m; });
    }
  }

  /**
   * Reads `elements` 4-byte words from offset `offset` of a storage back to
   * the host (flushes the open batch), as the dtype's typed array.
   */
  async readBack(src: GpuStorage, offset: number, elements: number, dtype: DType, op: string): Promise<TypedArray> {
    this.check(op);
    if (elements === 0) return fromGpuWords(dtype, new ArrayBuffer(0));
    const staging = this.device.createBuffer({ size: elements * 4, usage: MAP_READ | COPY_DST });
    try {
      const b = this.open();
      b.encoder.copyBufferToBuffer(src.buffer, offset * 4, staging, 0, elements * 4);
      this.flush();
      await this.settle(op);
      await staging.mapAsync(MAP_READ);
      this.check(op);
      return fromGpuWords(dtype, staging.getMappedRange().slice(0));
    } finally {
      staging.destroy();
    }
  }

  /** Waits for all submitted work (tests and benchmarks). */
  async sync(): Promise<void> {
    this.flush();
    await this.device.queue.onSubmittedWorkDone();
    await this.settle('sync');
  }
}
void COPY_SRC;

/** The GPU's 4-byte representation of host values. */
export function toGpuWords(dtype: DType, values: TypedArray): ArrayBuffer {
  if (dtype === 'float32') return Float32Array.from(values as ArrayLike<number>).buffer;
  if (dtype === 'int32') return Int32Array.from(values as ArrayLike<number>).buffer;
  if (dtype === 'bool') return Uint32Array.from(values as ArrayLike<number>, (v) => (v ? 1 : 0)).buffer;
  throw new TensorError(`webgpu backend: dtype ${dtype} cannot live on the GPU`);
}

/** Host typed array from the GPU's 4-byte words. */
export function fromGpuWords(dtype: DType, words: ArrayBuffer): TypedArray {
  if (dtype === 'float32') return new Float32Array(words);
  if (dtype === 'int32') return new Int32Array(words);
  if (dtype === 'bool') return Uint8Array.from(new Uint32Array(words), (v) => (v ? 1 : 0));
  throw new TensorError(`webgpu backend: dtype ${dtype} cannot live on the GPU`);
}
