/**
 * Drivers for max pooling (float32, 2-D windows, no dilation) and for the
 * scatter-add its backward uses (index shaped like the destination except
 * along `dim`, index and source contiguous). Other cases return null.
 */
import type { AdaptivePoolParams, AvgPoolParams, Layout, PoolParams } from '../backend.js';
import { avgWindowTables } from '../reference/pool.js';
import type { Shape } from '../../core/shape.js';
import { addr, type WasmContext } from './context.js';
import { isDense, prod } from './layout.js';
import { FN } from './threads.js';
import { splitCount } from './split.js';
import type { WasmStorage } from './storage.js';

/** `withIndices` false: the 2×2/stride-2 kernel skips them (indices null); other windows compute them anyway. */
export function wasmMaxPool(
  ctx: WasmContext, x: WasmStorage, p: PoolParams, withIndices = true,
): { out: WasmStorage; indices: WasmStorage | null } | null {
  const flatD = p.inSize[0] === 1 && p.outSize[0] === 1 && p.kernelSize[0] === 1 && p.padding[0] === 0;
  if (x.dtype !== 'float32' || !flatD || p.dilation.some((d) => d !== 1)) return null;
  const planes = p.batch * p.channels;
  const n = planes * p.outSize[1] * p.outSize[2];
  const out = ctx.alloc('float32', n);
  const [H, W] = [p.inSize[1], p.inSize[2]], [oH, oW] = [p.outSize[1], p.outSize[2]];
  const twoByTwo = p.kernelSize[1] === 2 && p.kernelSize[2] === 2 && p.stride[1] === 2 && p.stride[2] === 2 &&
    p.padding[1] === 0 && p.padding[2] === 0 && 2 * oH <= H && 2 * oW <= W;
  const indices = withIndices || !twoByTwo ? ctx.alloc('int32', n) : null;
  const idx = (plane: number) => (indices ? addr(indices, plane * oH * oW) : 0);
  const geometry = [oH, oW, p.kernelSize[1], p.kernelSize[2], p.stride[1], p.stride[2], p.padding[1], p.padding[2]] as const;
  const parts = splitCount(ctx, planes, planes * H * W);
  if (parts === 1) {
    ctx.kernels.maxPool2dF32(planes, H, W, ...geometry, addr(x, 0), addr(out, 0), idx(0));
    return { out, indices };
  }
  // Planes are independent: a few chunks of whole planes per thread.
  for (let c = 0; c < parts; c++) {
    const lo = Math.floor((c * planes) / parts), hi = Math.floor(((c + 1) * planes) / parts);
    ctx.pool.chunk();
    ctx.pool.call(FN.maxPool2dF32, hi - lo, H, W, ...geometry, addr(x, lo * H * W), addr(out, lo * oH * oW), idx(lo));
  }
  ctx.pool.flush();
  return { out, indices };
}

/** Max pooling backward for float32: one pass that zeroes each plane and adds gy at its indices; planes split across threads when large. */
export function wasmMaxPoolBackward(
  ctx: WasmContext, gy: WasmStorage, indices: WasmStorage, planes: number, outPlane: number, inPlane: number,
): WasmStorage | null {
  if (gy.dtype !== 'float32' || indices.dtype !== 'int32') return null;
  const gx = ctx.alloc('float32', planes * inPlane);
  const parts = splitCount(ctx, planes, planes * inPlane);
  if (parts === 1) {
    ctx.kernels.maxPoolBackwardF32(planes, outPlane, inPlane, addr(gy, 0), addr(indices, 0), addr(gx, 0));
    return gx;
  }
  // Planes are independent (each index points into its own plane).
  for (let c = 0; c < parts; c++) {
    const lo = Math.floor((c * planes) / parts), hi = Math.floor(((c + 1) * planes) / parts);
    ctx.pool.chunk();
    ctx.pool.call(FN.maxPoolBackwardF32, hi - lo, outPlane, inPlane, addr(gy, lo * outPlane), addr(indices, lo * outPlane), addr(gx, lo * inPlane));
  }
  ctx.pool.flush();
  return gx;
}

/** In-place scatterAdd fast path; false when not covered. */
export function wasmScatterAdd(
  ctx: WasmContext, dst: WasmStorage, dstShape: Shape, dim: number, index: WasmStorage, il: Layout, src: WasmStorage, sl: Layout,
): boolean {
  if (dst.dtype !== 'float32' || src.dtype !== 'float32' || index.dtype !== 'int32') return false;
  if (!isDense(il) || !isDense(sl) || il.shape.length !== dstShape.length) return false;
  if (!il.shape.every((n, i) => i === dim || n === dstShape[i])) return false;
  if (!sl.shape.every((n, i) => n === il.shape[i])) return false;
  const outer = prod(dstShape.slice(0, dim));
  const inner = prod(dstShape.slice(dim + 1));
  ctx.kernels.scatterAddF32(outer, il.shape[dim]!, dstShape[dim]!, inner, addr(dst, 0), addr(index, il.offset), addr(src, sl.offset));
  return true;
}

/**
 * Average pooling (plain or adaptive) forward, or backward when `backward`,
 * for float32: src `[planes, ...outSize]` (backward) or `[planes, ...inSize]`.
 */
export function wasmAvgPool(
  ctx: WasmContext, src: WasmStorage, p: AvgPoolParams | AdaptivePoolParams, backward: boolean,
): WasmStorage | null {
  if (src.dtype !== 'float32') return null;
  const planes = p.batch * p.channels;
  const { tables, fixed } = avgWindowTables(p);
  const dst = ctx.alloc('float32', planes * prod(backward ? p.inSize : p.outSize));
  const t = ctx.temp(Math.max(4, tables.byteLength));
  ctx.heap.i32.set(tables, t.ptr >> 2);
  ctx.kernels.windowedAvgF32(planes, ...p.inSize, ...p.outSize, t.ptr, fixed, addr(src, 0), addr(dst, 0), backward ? 1 : 0);
  ctx.freeTemp(t);
  return dst;
}
