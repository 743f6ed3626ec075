/**
 * float32 convolution as GEMM, per image and group (g = group, n = image,
 * K = cinG·taps, P = output positions):
 *
 *   forward          y[n,g]  = W[g] (coutG×K) · col(x[n,g]) (K×P)
 *   backward input   gx[n,g] = col2im( W[g]ᵀ (K×coutG) · gy[n,g] (coutG×P) )
 *   backward weight  gW[g]  += gy[n,g] (coutG×P) · col(x[n,g])ᵀ (P×K)
 *
 * Transposes are free: they are strides the GEMM's packing absorbs. A 1×1,
 * stride-1, unpadded convolution needs no im2col at all (col(x) = x).
 *
 * Threads: images are independent in the forward and backward-input passes,
 * so each chunk of a pool job handles a few (image, group) pairs, building
 * its column matrix in its thread's work buffer. The weight gradient sums
 * over images: chunk c accumulates images [c·B/P, (c+1)·B/P) into its own
 * partial gradient, and the P partials are summed at the end. P depends only
 * on the shapes, never on the thread count, so results are the same for any
 * number of threads. When there are fewer images than threads (or the
 * partials would be too big), images go one at a time with each GEMM split
 * across the threads instead.
 */
import type { ConvParams } from '../backend.js';
import { addr, type WasmContext } from './context.js';
import type { WasmStorage } from './storage.js';
import { CHUNKS_PER_THREAD, PARALLEL_MACS, gemm } from './matmul.js';
import { FN, SCRATCH, work } from './threads.js';

/** Most partial weight gradients, and the most bytes they may take together. */
const MAX_PARTIALS = 8;
const PARTIAL_BYTES = 16 << 20;

interface Geometry {
  cinG: number;
  coutG: number;
  taps: number;
  K: number;
  P: number;
  inPlane: number;
  /** col(x) = x: kernel 1×1×1, stride 1, no padding, output size = input size. */
  pointwise: boolean;
}

function geometry(p: ConvParams): Geometry {
  const cinG = p.inChannels / p.groups, coutG = p.outChannels / p.groups;
  const taps = p.kernelSize[0] * p.kernelSize[1] * p.kernelSize[2];
  const P = p.outSize[0] * p.outSize[1] * p.outSize[2];
  const inPlane = p.inSize[0] * p.inSize[1] * p.inSize[2];
  const pointwise = taps === 1 && p.stride.every((s) => s === 1) && p.padding.every((q) => q === 0) &&
    p.outSize.every((o, i) => o === p.inSize[i]);
  return { cinG, coutG, taps, K: cinG * taps, P, inPlane, pointwise };
}

/** im2col/col2im argument tail shared by both calls. */
function colArgs(p: ConvParams, C: number): number[] {
  return [C, ...p.inSize, ...p.kernelSize, ...p.outSize, ...p.stride, ...p.padding, ...p.dilation];
}

function usable(p: ConvParams, ...s: WasmStorage[]): boolean {
  return s.every((t) => t.dtype === 'float32') && Number.isInteger(p.inChannels / p.groups) && Number.isInteger(p.outChannels / p.groups);
}

/**
 * How to spread `items` (image, group) pairs over the pool: `perChunk` items
 * per chunk, or `perItem` (sequential items, each GEMM split across threads).
 */
function plan(ctx: WasmContext, items: number, macsPerItem: number): { perChunk: number; splitGemm: boolean } {
  const T = ctx.threads;
  if (T === 1 || items * macsPerItem < PARALLEL_MACS) return { perChunk: items, splitGemm: false };
  if (items < 2 * T) return { perChunk: 1, splitGemm: true };
  return { perChunk: Math.max(1, Math.floor(items / (T * CHUNKS_PER_THREAD))), splitGemm: false };
}

export function wasmConv(ctx: WasmContext, x: WasmStorage, w: WasmStorage, p: ConvParams): WasmStorage | null {
  if (!usable(p, x, w)) return null;
  const g = geometry(p);
  const y = ctx.alloc('float32', p.batch * p.outChannels * g.P);
  const args = colArgs(p, g.cinG);
  const items = p.batch * p.groups;
  const { perChunk, splitGemm } = plan(ctx, items, g.coutG * g.P * g.K);
  const xAt = (it: number) => addr(x, (Math.floor(it / p.groups) * p.inChannels + (it % p.groups) * g.cinG) * g.inPlane);
  const yAt = (it: number) => addr(y, (Math.floor(it / p.groups) * p.outChannels + (it % p.groups) * g.coutG) * g.P);
  const wAt = (it: number) => addr(w, (it % p.groups) * g.coutG * g.K);
  if (splitGemm) {
    const col = g.pointwise ? null : ctx.temp(g.K * g.P * 4);
    for (let it = 0; it < items; it++) {
      let b = xAt(it);
      if (col) {
        (ctx.kernels.im2col as (...a: number[]) => void)(b, ...args, col.ptr);
        b = col.ptr;
      }
      gemm(ctx, { M: g.coutG, N: g.P, K: g.K, a: wAt(it), rsA: g.K, csA: 1, b, rsB: g.P, csB: 1, c: yAt(it), ldc: g.P, accumulate: 0 });
    }
    if (col) ctx.freeTemp(col);
    return y;
  }
  const pool = ctx.pool;
  if (!g.pointwise) pool.ensureWork(g.K * g.P * 4);
  for (let it = 0; it < items; it++) {
    if (it % perChunk === 0) pool.chunk();
    let b = xAt(it);
    if (!g.pointwise) {
      pool.call(FN.im2col, b, ...args, work());
      b = work();
    }
    pool.call(FN.sgemm, g.coutG, g.P, g.K, wAt(it), g.K, 1, b, g.P, 1, yAt(it), g.P, 0, SCRATCH);
  }
  pool.flush();
  return y;
}

export function wasmConvBackwardInput(ctx: WasmContext, gy: WasmStorage, w: WasmStorage, p: ConvParams): WasmStorage | null {
  if (!usable(p, gy, w)) return null;
  const g = geometry(p);
  const gx = ctx.alloc('float32', p.batch * p.inChannels * g.inPlane, !g.pointwise);
  const args = colArgs(p, g.cinG);
  const items = p.batch * p.groups;
  const { perChunk, splitGemm } = plan(ctx, items, g.coutG * g.P * g.K);
  const gxAt = (it: number) => addr(gx, (Math.floor(it / p.groups) * p.inChannels + (it % p.groups) * g.cinG) * g.inPlane);
  const gyAt = (it: number) => addr(gy, (Math.floor(it / p.groups) * p.outChannels + (it % p.groups) * g.coutG) * g.P);
  const wAt = (it: number) => addr(w, (it % p.groups) * g.coutG * g.K);
  // Wᵀ: element (k, co) of W[g] (coutG×K, row-major) is at co*K + k.
  if (splitGemm) {
    const col = g.pointwise ? null : ctx.temp(g.K * g.P * 4);
    for (let it = 0; it < items; it++) {
      const target = col ? col.ptr : gxAt(it);
      gemm(ctx, { M: g.K, N: g.P, K: g.coutG, a: wAt(it), rsA: 1, csA: g.K, b: gyAt(it), rsB: g.P, csB: 1, c: target, ldc: g.P, accumulate: 0 });
      if (col) (ctx.kernels.col2im as (...a: number[]) => void)(col.ptr, ...args, gxAt(it));
    }
    if (col) ctx.freeTemp(col);
    return gx;
  }
  const pool = ctx.pool;
  if (!g.pointwise) pool.ensureWork(g.K * g.P * 4);
  for (let it = 0; it < items; it++) {
    if (it % perChunk === 0) pool.chunk();
    const target = g.pointwise ? gxAt(it) : work();
    pool.call(FN.sgemm, g.K, g.P, g.coutG, wAt(it), 1, g.K, gyAt(it), g.P, 1, target, g.P, 0, SCRATCH);
    if (!g.pointwise) pool.call(FN.col2im, work(), ...args, gxAt(it));
  }
  pool.flush();
  return gx;
}

export function wasmConvBackwardWeight(ctx: WasmContext, x: WasmStorage, gy: WasmStorage, p: ConvParams): WasmStorage | null {
  if (!usable(p, x, gy)) return null;
  const g = geometry(p);
  const wLen = p.outChannels * g.K;
  const gw = ctx.alloc('float32', wLen, true);
  if (p.batch === 0) return gw;
  const args = colArgs(p, g.cinG);
  const macsPerImage = p.outChannels * g.K * g.P;
  // Partial sums: a function of the shapes only (see the file comment).
  const small = p.batch * macsPerImage < PARALLEL_MACS;
  const parts = small ? 1 : Math.max(1, Math.min(p.batch, MAX_PARTIALS, Math.floor(PARTIAL_BYTES / (wLen * 4))));
  const xAt = (n: number, grp: number) => addr(x, (n * p.inChannels + grp * g.cinG) * g.inPlane);
  const gyAt = (n: number, grp: number) => addr(gy, (n * p.outChannels + grp * g.coutG) * g.P);
  // colᵀ: element (p, k) of col (K×P, row-major) is at k*P + p; x itself when pointwise.
  const ldb = g.pointwise ? g.inPlane : g.P;
  if (parts === 1 && ctx.threads > 1 && !small) {
    // Few images or a big weight: images in turn, each GEMM split across threads.
    const col = g.pointwise ? null : ctx.temp(g.K * g.P * 4);
    for (let n = 0; n < p.batch; n++) {
      for (let grp = 0; grp < p.groups; grp++) {
        let b = xAt(n, grp);
        if (col) {
          (ctx.kernels.im2col as (...a: number[]) => void)(b, ...args, col.ptr);
          b = col.ptr;
        }
        gemm(ctx, { M: g.coutG, N: g.K, K: g.P, a: gyAt(n, grp), rsA: g.P, csA: 1, b, rsB: 1, csB: ldb,
          c: addr(gw, grp * g.coutG * g.K), ldc: g.K, accumulate: 1 });
      }
    }
    if (col) ctx.freeTemp(col);
    return gw;
  }
  const partial = parts > 1 ? ctx.temp(parts * wLen * 4) : null;
  if (partial) ctx.heap.u8.fill(0, partial.ptr, partial.ptr + parts * wLen * 4);
  const pool = ctx.pool;
  if (!g.pointwise) pool.ensureWork(g.K * g.P * 4);
  for (let c = 0; c < parts; c++) {
    pool.chunk();
    const target = partial ? partial.ptr + c * wLen * 4 : addr(gw, 0);
    const lo = Math.floor((c * p.batch) / parts), hi = Math.floor(((c + 1) * p.batch) / parts);
    for (let n = lo; n < hi; n++) {
      for (let grp = 0; grp < p.groups; grp++) {
        let b = xAt(n, grp);
        if (!g.pointwise) {
          pool.call(FN.im2col, b, ...args, work());
          b = work();
        }
        pool.call(FN.sgemm, g.coutG, g.K, g.P, gyAt(n, grp), g.P, 1, b, 1, ldb, target + grp * g.coutG * g.K * 4, g.K, 1, SCRATCH);
      }
    }
  }
  pool.flush();
  if (partial) {
    // gw = sum over the parts (float64 accumulation, fixed order).
    ctx.kernels.reduceF32(0, 1, parts, wLen, partial.ptr, addr(gw, 0));
    ctx.freeTemp(partial);
  }
  return gw;
}
