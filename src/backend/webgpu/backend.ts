/**
 * The WebGPU backend: the required Backend contract as WGSL compute shaders
 * (kernel files beside this one), plus fused capabilities (fused.ts).
 *
 * Reads: results computed on the GPU are read with `await x.dataAsync()` /
 * `await x.array()` / `await x.itemAsync()`; the synchronous `data()` works
 * only for storages that still hold their host copy (made from JavaScript
 * values and not written since), and otherwise throws a TensorError naming
 * the asynchronous form.
 */
import type {
  AdaptivePoolParams, AvgPoolParams, Backend, BinaryOp, ConvParams, FusedKernels, Layout, PoolParams, ReduceOp, Storage, UnaryOp,
} from '../backend.js';
import type { DType, TypedArray } from '../../core/dtype.js';
import { typedArrayFor, toTypedArray } from '../../core/dtype.js';
import { TensorError, fmtShape } from '../../core/errors.js';
import { isContiguous, numel, contiguousStrides } from '../../core/shape.js';
import { gatherView } from '../reference/storage.js';
import { GpuContext } from './context.js';
import { asGpu, type GpuStorage } from './storage.js';
import { contiguous, copyStrided, fillStrided } from './copy.js';
import * as elementwise from './elementwise.js';
import * as reduceKernels from './reduce.js';
import * as matmulKernels from './matmul.js';
import * as convKernels from './conv.js';
import * as poolKernels from './pool.js';
import * as indexKernels from './indexing.js';
import { webgpuFusedKernels } from './fused.js';

export class WebGpuBackend implements Backend {
  /** The backend's name: 'webgpu' unless another was given. */
  readonly name: string;
  /** @internal */
  readonly ctx: GpuContext;
  readonly fused: FusedKernels;

  /** @internal Use `await tg.ready({ backend: 'webgpu' })` or initWebGpuBackend(). */
  constructor(device: GPUDevice, adapterName: string, name = 'webgpu') {
    this.name = name;
    this.ctx = new GpuContext(device, adapterName, this);
    this.fused = webgpuFusedKernels(this.ctx);
  }

  /** The adapter this backend runs on, e.g. 'SwiftShader driver 5.0.0 / google / swiftshader'. */
  get adapterName(): string {
    return this.ctx.adapterName;
  }

  /** Waits until every kernel submitted so far has run (for timing); throws a pending GPU error. */
  sync(): Promise<void> {
    return this.ctx.sync();
  }

  // ---- memory ----------------------------------------------------------------

  alloc(dtype: DType, length: number): Storage {
    const s = this.ctx.alloc(dtype, length);
    this.ctx.clear(s);
    return s;
  }
  fromArray(dtype: DType, values: TypedArray): Storage {
    return this.ctx.upload(dtype, toTypedArray(dtype, values));
  }
  read(src: Storage, layout: Layout): TypedArray {
    const s = asGpu(src, 'read');
    const host = hostCopy(s);
    if (host) return gatherView(host, layout, s.dtype);
    throw new TensorError(
      `data: this ${s.dtype} tensor of shape ${fmtShape(layout.shape)} was computed on the GPU (webgpu backend), which cannot be read synchronously; ` +
        'use `await x.dataAsync()`, `await x.array()` or `await x.itemAsync()`',
    );
  }
  canReadSync(storage: Storage): boolean {
    return asGpu(storage, 'canReadSync').host !== null;
  }
  async readAsync(src: Storage, layout: Layout): Promise<TypedArray> {
    const s = asGpu(src, 'readAsync');
    const host = hostCopy(s);
    if (host) return gatherView(host, layout, s.dtype);
    const n = numel(layout.shape);
    if (isContiguous(layout.shape, layout.strides)) return this.ctx.readBack(s, layout.offset, n, s.dtype, 'readAsync');
    const c = contiguous(this.ctx, s, layout);
    try {
      return await this.ctx.readBack(c, 0, n, s.dtype, 'readAsync');
    } finally {
      c.release();
    }
  }
  release(storage: Storage): void {
    asGpu(storage, 'release').release();
  }

  copy(dst: Storage, dstLayout: Layout, src: Storage, srcLayout: Layout): void {
    const d = asGpu(dst, 'copy'), s = asGpu(src, 'copy');
    if (d.buffer === s.buffer) {
      // Source and destination may overlap (x.copy_(x.flip(0))): read everything first.
      const tmp = contiguous(this.ctx, s, srcLayout);
      copyStrided(this.ctx, d, dstLayout, tmp, { shape: srcLayout.shape, strides: contiguousStrides(srcLayout.shape), offset: 0 });
      return;
    }
    copyStrided(this.ctx, d, dstLayout, s, srcLayout);
  }
  fill(dst: Storage, dstLayout: Layout, value: number): void {
    fillStrided(this.ctx, asGpu(dst, 'fill'), dstLayout, value);
  }

  // ---- compute -----------------------------------------------------------------

  unary(op: UnaryOp, x: Storage, xl: Layout, outDtype: DType): Storage {
    return elementwise.unary(this.ctx, op, asGpu(x, op), xl, outDtype);
  }
  binary(op: BinaryOp, a: Storage, al: Layout, b: Storage, bl: Layout, outDtype: DType): Storage {
    return elementwise.binary(this.ctx, op, asGpu(a, op), al, asGpu(b, op), bl, outDtype);
  }
  where(cond: Storage, cl: Layout, a: Storage, al: Layout, b: Storage, bl: Layout, outDtype: DType): Storage {
    return elementwise.where(this.ctx, asGpu(cond, 'where'), cl, asGpu(a, 'where'), al, asGpu(b, 'where'), bl, outDtype);
  }
  reduce(op: ReduceOp, x: Storage, xl: Layout, axes: readonly number[], outDtype: DType): Storage {
    return reduceKernels.reduce(this.ctx, op, asGpu(x, op), xl, axes, outDtype);
  }
  matmul(a: Storage, al: Layout, b: Storage, bl: Layout, outDtype: DType): Storage {
    return matmulKernels.matmul(this.ctx, asGpu(a, 'matmul'), al, asGpu(b, 'matmul'), bl, outDtype);
  }
  gather(x: Storage, xl: Layout, dim: number, index: Storage, il: Layout): Storage {
    return indexKernels.gather(this.ctx, asGpu(x, 'gather'), xl, dim, asGpu(index, 'gather'), il);
  }
  scatterAdd(dst: Storage, dstShape: readonly number[], dim: number, index: Storage, il: Layout, src: Storage, sl: Layout): void {
    indexKernels.scatterAdd(this.ctx, asGpu(dst, 'scatterAdd'), dstShape, dim, asGpu(index, 'scatterAdd'), il, asGpu(src, 'scatterAdd'), sl);
  }

  conv(x: Storage, w: Storage, p: ConvParams): Storage {
    return convKernels.conv(this.ctx, asGpu(x, 'conv'), asGpu(w, 'conv'), p);
  }
  convBackwardInput(gy: Storage, w: Storage, p: ConvParams): Storage {
    return convKernels.convBackwardInput(this.ctx, asGpu(gy, 'convBackwardInput'), asGpu(w, 'convBackwardInput'), p);
  }
  convBackwardWeight(x: Storage, gy: Storage, p: ConvParams): Storage {
    return convKernels.convBackwardWeight(this.ctx, asGpu(x, 'convBackwardWeight'), asGpu(gy, 'convBackwardWeight'), p);
  }

  maxPool(x: Storage, p: PoolParams, withIndices = true): {
    /** The pooled values, `[batch, channels, ...outSize]`. */
    out: Storage;
    /** int32 flat position of each max within its input plane; null when not asked for (`withIndices` false). */
    indices: Storage | null;
  } {
    return poolKernels.maxPool(this.ctx, asGpu(x, 'maxPool'), p, withIndices);
  }
  maxPoolBackward(gy: Storage, indices: Storage, planes: number, outPlane: number, inPlane: number): Storage {
    return poolKernels.maxPoolBackward(this.ctx, asGpu(gy, 'maxPoolBackward'), asGpu(indices, 'maxPoolBackward'), planes, outPlane, inPlane);
  }
  avgPool(x: Storage, p: AvgPoolParams): Storage {
    return poolKernels.avgPool(this.ctx, asGpu(x, 'avgPool'), p);
  }
  avgPoolBackward(gy: Storage, p: AvgPoolParams): Storage {
    return poolKernels.avgPoolBackward(this.ctx, asGpu(gy, 'avgPoolBackward'), p);
  }
  adaptiveAvgPool(x: Storage, p: AdaptivePoolParams): Storage {
    return poolKernels.adaptiveAvgPool(this.ctx, asGpu(x, 'adaptiveAvgPool'), p);
  }
  adaptiveAvgPoolBackward(gy: Storage, p: AdaptivePoolParams): Storage {
    return poolKernels.adaptiveAvgPoolBackward(this.ctx, asGpu(gy, 'adaptiveAvgPoolBackward'), p);
  }
  adaptiveMaxPool(x: Storage, p: AdaptivePoolParams): {
    /** The pooled values, `[batch, channels, ...outSize]`. */
    out: Storage;
    /** int32 flat position of each max within its input plane. */
    indices: Storage;
  } {
    return poolKernels.adaptiveMaxPool(this.ctx, asGpu(x, 'adaptiveMaxPool'), p);
  }
}

/** The host copy of a storage, if it still has one. */
function hostCopy(s: GpuStorage): TypedArray | null {
  if (s.host === 'zeros') return typedArrayFor(s.dtype, s.length);
  return s.host;
}
