/**
 * The WebAssembly backend: tensors live in the wasm heap; hot kernels (float32
 * GEMM/matmul, convolution forward and both backwards, elementwise, where,
 * sum/max/min reductions, strided copies and fills, 2-D max pooling and its
 * backward, average and adaptive average pooling) run as SIMD wasm;
 * everything else runs the reference kernels over heap views (see
 * fallback.ts), so every Backend method works. Its fused float32 kernels
 * (softmax cross-entropy, training batch norm, SGD and Adam updates, conv
 * epilogues) are offered as the optional `fused` capabilities.
 */
import type {
  AdaptivePoolParams, AvgPoolParams, Backend, BinaryOp, ConvParams, FusedKernels, Layout, PoolParams, ReduceOp, Storage, UnaryOp,
} from '../backend.js';
import type { DType, TypedArray } from '../../core/dtype.js';
import { DTYPES, isDType, toTypedArray, typedArrayFor } from '../../core/dtype.js';
import { TensorError } from '../../core/errors.js';
import type { Shape } from '../../core/shape.js';
import { offsetsOf } from '../reference/storage.js';
import { WasmContext, ws } from './context.js';
import { fillDense, wasmBinary, wasmCopy, wasmUnary, wasmWhere } from './elementwise.js';
import { Fallback } from './fallback.js';
import type { Heap, HeapStats } from './heap.js';
import { denseStrides, isDense, prod } from './layout.js';
import type { LoadedModule, Variant } from './loader.js';
import { wasmMatmul } from './matmul.js';
import { wasmConv, wasmConvBackwardInput, wasmConvBackwardWeight } from './conv.js';
import { wasmAvgPool, wasmMaxPool, wasmMaxPoolBackward, wasmScatterAdd } from './pool.js';
import { wasmFusedKernels } from './fused.js';
import { wasmReduce } from './reduce.js';
import type { WasmStorage } from './storage.js';

export class WasmBackend implements Backend {
  /** The backend's name: 'wasm' for the default one, or `WasmBackendOptions.name`. */
  readonly name: string;
  /** Which kernel build was loaded: 'relaxed' (relaxed SIMD) or 'simd' (baseline 128-bit SIMD). */
  readonly variant: Variant;
  private readonly ctx: WasmContext;
  private readonly fb: Fallback;
  /** The fused float32 kernels (see fused.ts); each declines other dtypes. */
  readonly fused: FusedKernels;

  /** `name` defaults to 'wasm'; tests give the two builds distinct names. */
  constructor(loaded: LoadedModule, heap: Heap, name = 'wasm') {
    this.name = name;
    this.variant = loaded.variant;
    this.ctx = new WasmContext(this, loaded, heap);
    this.fb = new Fallback(this.ctx);
    this.fused = wasmFusedKernels(this.ctx);
  }

  /** Threads kernels run on (the caller included). */
  get numThreads(): number {
    return this.ctx.pool.threads;
  }

  /**
   * Sets the number of threads (the caller included): an integer from 1 to
   * 64 (TensorError otherwise, thrown at the call); 1 where memory cannot be
   * shared. Takes effect at once, so overlapping calls apply in call order
   * (the last one wins); the promise resolves once the workers are running
   * (until then jobs use the threads that are). Results never depend on it.
   * @example await wasm.setNumThreads(4);
   */
  setNumThreads(n: number): Promise<void> {
    this.ctx.pool.resize(n);
    return this.ctx.pool.whenReady().then(() => undefined);
  }

  /** True when this instance runs over a shared memory (so threads are possible). */
  get sharedMemory(): boolean {
    return this.ctx.pool.shared;
  }

  /** Heap usage (live bytes, high-water mark, memory size). */
  heapStats(): HeapStats {
    return this.ctx.heap.stats();
  }

  /** The raw kernels and heap, for benchmarks and kernel tests. @internal */
  get context(): WasmContext {
    return this.ctx;
  }

  // ---- memory ---------------------------------------------------------------

  alloc(dtype: DType, length: number): Storage {
    return this.ctx.alloc(dtype, length, true);
  }
  allocUninitialized(dtype: DType, length: number): Storage {
    return this.ctx.alloc(dtype, length, false);
  }
  fromArray(dtype: DType, values: TypedArray): Storage {
    if (!isDType(dtype)) throw new TensorError(`wasm backend: cannot create a buffer of dtype ${JSON.stringify(dtype)} (supported: ${DTYPES.join(', ')})`);
    // Already of the dtype's array type: copy as is; otherwise convert like the reference (bool -> 0/1, int32 truncates).
    const exact = dtype !== 'bool' && values.constructor === typedArrayFor(dtype, 0).constructor;
    return this.ctx.fromTyped(dtype, exact ? values : toTypedArray(dtype, values));
  }
  read(src: Storage, layout: Layout): TypedArray {
    const s = ws(src);
    const n = prod(layout.shape);
    // new + set, not slice: slicing a SharedArrayBuffer view is ~3x slower.
    const out = typedArrayFor(s.dtype, n);
    if (isDense(layout)) {
      out.set(s.view().subarray(layout.offset, layout.offset + n) as never);
      return out;
    }
    // Strided: gather in wasm into a dense temporary first.
    const tmp = this.ctx.alloc(s.dtype, n);
    wasmCopy(this.ctx, tmp, { shape: layout.shape, strides: denseStrides(layout.shape), offset: 0 }, s, layout);
    out.set(tmp.view().subarray(0, n) as never);
    tmp.release();
    return out;
  }
  readAsync(src: Storage, layout: Layout): Promise<TypedArray> {
    return Promise.resolve(this.read(src, layout));
  }
  release(storage: Storage): void {
    ws(storage).release();
  }

  copy(dst: Storage, dstLayout: Layout, src: Storage, srcLayout: Layout): void {
    const d = ws(dst), s = ws(src);
    const n = prod(dstLayout.shape);
    if (isDense(dstLayout) && isDense(srcLayout) && d.dtype !== 'bool') {
      // TypedArray.set converts like the reference (truncation to int32) and copes with overlap.
      const dv = d.view(), sv = s.view();
      dv.set(sv.subarray(srcLayout.offset, srcLayout.offset + n) as never, dstLayout.offset);
      return;
    }
    if (d.dtype === s.dtype && d !== s && wasmCopy(this.ctx, d, dstLayout, s, srcLayout)) return;
    const dv = d.view(), sv = s.view();
    const od = offsetsOf(dstLayout), os = offsetsOf(srcLayout);
    // Read everything first: source and destination may overlap (x.copy_(x.flip(0))).
    const vals = new Float64Array(os.length);
    for (let i = 0; i < os.length; i++) vals[i] = sv[os[i]!]!;
    const toBool = d.dtype === 'bool', toInt = d.dtype === 'int32';
    for (let i = 0; i < od.length; i++) {
      const v = vals[i]!;
      dv[od[i]!] = toBool ? (v ? 1 : 0) : toInt ? Math.trunc(v) : v;
    }
  }
  fill(dst: Storage, dstLayout: Layout, value: number): void {
    const d = ws(dst);
    const v = d.view();
    if (isDense(dstLayout)) {
      fillDense(this.ctx, d, dstLayout.offset, prod(dstLayout.shape), value);
      return;
    }
    for (const o of offsetsOf(dstLayout)) v[o] = value;
  }

  // ---- elementwise, reduce, matmul, indexing ---------------------------------

  unary(op: UnaryOp, x: Storage, xl: Layout, outDtype: DType): Storage {
    const s = ws(x);
    return wasmUnary(this.ctx, op, s, xl, outDtype) ?? this.fb.unary(op, s, xl, outDtype);
  }
  binary(op: BinaryOp, a: Storage, al: Layout, b: Storage, bl: Layout, outDtype: DType): Storage {
    const sa = ws(a), sb = ws(b);
    return wasmBinary(this.ctx, op, sa, al, sb, bl, outDtype) ?? this.fb.binary(op, sa, al, sb, bl, outDtype);
  }
  where(cond: Storage, cl: Layout, a: Storage, al: Layout, b: Storage, bl: Layout, outDtype: DType): Storage {
    const sc = ws(cond), sa = ws(a), sb = ws(b);
    return wasmWhere(this.ctx, sc, cl, sa, al, sb, bl, outDtype) ?? this.fb.where(sc, cl, sa, al, sb, bl, outDtype);
  }
  reduce(op: ReduceOp, x: Storage, xl: Layout, axes: readonly number[], outDtype: DType): Storage {
    const s = ws(x);
    return wasmReduce(this.ctx, op, s, xl, axes, outDtype) ?? this.fb.reduce(op, s, xl, axes, outDtype);
  }
  matmul(a: Storage, al: Layout, b: Storage, bl: Layout, outDtype: DType): Storage {
    const sa = ws(a), sb = ws(b);
    return (outDtype === 'float32' ? wasmMatmul(this.ctx, sa, al, sb, bl) : null) ?? this.fb.matmul(sa, al, sb, bl, outDtype);
  }
  gather(x: Storage, xl: Layout, dim: number, index: Storage, il: Layout): Storage {
    return this.fb.gather(ws(x), xl, dim, ws(index), il);
  }
  scatterAdd(dst: Storage, dstShape: Shape, dim: number, index: Storage, il: Layout, src: Storage, sl: Layout): void {
    const d = ws(dst), i = ws(index), s = ws(src);
    if (!wasmScatterAdd(this.ctx, d, dstShape, dim, i, il, s, sl)) this.fb.scatterAdd(d, dstShape, dim, i, il, s, sl);
  }

  // ---- convolution and pooling ------------------------------------------------

  conv(x: Storage, w: Storage, p: ConvParams): Storage {
    const sx = ws(x), sw = ws(w);
    return wasmConv(this.ctx, sx, sw, p) ?? this.fb.conv(sx, sw, p);
  }
  convBackwardInput(gy: Storage, w: Storage, p: ConvParams): Storage {
    const sg = ws(gy), sw = ws(w);
    return wasmConvBackwardInput(this.ctx, sg, sw, p) ?? this.fb.convBackwardInput(sg, sw, p);
  }
  convBackwardWeight(x: Storage, gy: Storage, p: ConvParams): Storage {
    const sx = ws(x), sg = ws(gy);
    return wasmConvBackwardWeight(this.ctx, sx, sg, p) ?? this.fb.convBackwardWeight(sx, sg, p);
  }
  maxPool(x: Storage, p: PoolParams, withIndices = true): {
    /** The pooled values, `[batch, channels, ...outSize]`. */
    out: Storage;
    /** int32 flat position of each max within its input plane; null when not asked for (`withIndices` false). */
    indices: Storage | null;
  } {
    const s = ws(x);
    return wasmMaxPool(this.ctx, s, p, withIndices) ?? this.fb.maxPool(s, p);
  }
  maxPoolBackward(gy: Storage, indices: Storage, planes: number, outPlane: number, inPlane: number): Storage {
    const g = ws(gy), i = ws(indices);
    return wasmMaxPoolBackward(this.ctx, g, i, planes, outPlane, inPlane) ?? this.fb.maxPoolBackward(g, i, planes, outPlane, inPlane);
  }
  avgPool(x: Storage, p: AvgPoolParams): Storage {
    return wasmAvgPool(this.ctx, ws(x), p, false) ?? this.fb.avgPool(ws(x), p);
  }
  avgPoolBackward(gy: Storage, p: AvgPoolParams): Storage {
    return wasmAvgPool(this.ctx, ws(gy), p, true) ?? this.fb.avgPoolBackward(ws(gy), p);
  }
  adaptiveAvgPool(x: Storage, p: AdaptivePoolParams): Storage {
    return wasmAvgPool(this.ctx, ws(x), p, false) ?? this.fb.adaptiveAvgPool(ws(x), p);
  }
  adaptiveAvgPoolBackward(gy: Storage, p: AdaptivePoolParams): Storage {
    return wasmAvgPool(this.ctx, ws(gy), p, true) ?? this.fb.adaptiveAvgPoolBackward(ws(gy), p);
  }
  adaptiveMaxPool(x: Storage, p: AdaptivePoolParams): {
    /** The pooled values, `[batch, channels, ...outSize]`. */
    out: Storage;
    /** int32 flat position of each max within its input plane. */
    indices: Storage;
  } {
    return this.fb.adaptiveMaxPool(ws(x), p);
  }
}

export type { WasmStorage };
