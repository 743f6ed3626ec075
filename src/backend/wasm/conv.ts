/**
 * float32 convolution on the wasm kernels, three ways.
 *
 * Winograd F(2×2, 3×3) (conv-winograd.ts) for 3×3, stride-1 layers with at
 * least 16 channels each way and outputs of even height and a width that is
 * a multiple of 8 (the weight gradient: 32 channels, several partial sums):
 * 16 multiply-adds per 2×2 output tile and channel pair instead of 36.
 *
 * Direct (assembly/conv-direct.ts), where the stride along the width is 1
 * (see directForward & co.): each (image, group) input is copied into a
 * zero-padded buffer, and register tiles of output channels × position
 * vectors accumulate over a table of tap offsets into that buffer; no column
 * matrix. Weights are packed once per call. The input gradient (all strides
 * 1) is the same kernel run on gy with the flipped, transposed weights (a
 * full convolution); each output row skips the taps that only read padding.
 * The weight gradient reduces over positions in vector lanes, over up to
 * BW_IMAGES images per kernel call, then sums horizontally.
 *
 * GEMM otherwise, per image and group (g = group, n = image, K = cinG·taps,
 * P = output positions):
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
 * its padded copy or column matrix in its thread's work buffer (with fewer
 * images than threads, the direct kernels split an image's positions and
 * GEMMs split their output). The weight gradient sums over images: chunk c
 * accumulates images [c·B/P, (c+1)·B/P) into its own partial gradient, and
 * the P partials are summed at the end. P (and how the direct kernel groups
 * images) depends only on the shapes, never on the thread count, so results
 * are the same for any number of threads. When there are fewer images than
 * threads (or the partials would be too big), the direct kernel splits the
 * output channels across chunks and GEMMs split across the threads, which
 * changes no element's summation order.
 */
import { convPool2x2Params, type ConvParams } from '../backend.js';
import { wasmMaxPool } from './pool.js';
import { addr, type WasmContext } from './context.js';
import type { WasmStorage } from './storage.js';
import { CHUNKS_PER_THREAD, PARALLEL_MACS, gemm } from './matmul.js';
import { FN, SCRATCH, work } from './threads.js';
import { forEachItem, paddedBytes, partRange, planItems } from './conv-jobs.js';
import {
  winogradBackwardInput, winogradBackwardWeight, winogradConv, winogradConvBackwardInput, winogradConvBackwardWeight, winogradForward,
} from './conv-winograd.js';

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

/**
 * The forward epilogue on the wasm side: bias address (0: none) and ReLU
 * flag. The direct kernel folds it into its tiles; the GEMM paths run
 * convBiasRelu on each (image, group) output right after its GEMM, while it
 * is still in cache.
 */
export interface WasmEpilogue {
  bias: WasmStorage | null;
  relu: boolean;
  /** Then 2×2/stride-2 max pooling: per image, from a thread-local buffer, on the direct path. */
  pool2x2?: boolean;
  /** Where the pooling writes its indices (int32), if a backward needs them. */
  poolIndices?: WasmStorage;
}

export function wasmConv(ctx: WasmContext, x: WasmStorage, w: WasmStorage, p: ConvParams, epi?: WasmEpilogue): WasmStorage | null {
  if (!usable(p, x, w) || (epi?.bias && epi.bias.dtype !== 'float32')) return null;
  const g = geometry(p);
  if (epi?.pool2x2) {
    const indices = epi.poolIndices ?? null;
    if (indices && indices.dtype !== 'int32') return null;
    if (winogradForward(p)) return winogradConv(ctx, x, w, p, epi.bias ? addr(epi.bias, 0) : 0, epi.relu ? 1 : 0, true, indices);
    // The direct kernel pools each (oH, oW) plane and numbers its indices within that plane, which is
    // maxPool's convention (positions within the whole oD·oH·oW plane) only when oD = 1.
    if (p.outSize[0] === 1 && directForward(p, g)) return forwardDirect(ctx, x, w, p, g, epi.bias ? addr(epi.bias, 0) : 0, epi.relu ? 1 : 0, true, indices);
    // Elsewhere: the convolution, then the pooling kernel (3-D outputs: declined, the composite runs).
    if (p.outSize[0] !== 1) return null;
    const y = wasmConv(ctx, x, w, p, { bias: epi.bias, relu: epi.relu })!;
    const pooled = wasmMaxPool(ctx, y, convPool2x2Params(p), indices !== null)!;
    y.release();
    if (indices) {
      const src = addr(pooled.indices!, 0);
      ctx.heap.u8.copyWithin(addr(indices, 0), src, src + pooled.indices!.length * 4);
      pooled.indices!.release();
    }
    return pooled.out;
  }
  const bias = epi?.bias ? addr(epi.bias, 0) : 0, relu = epi?.relu ? 1 : 0;
  const biasAt = (it: number) => (bias ? bias + (it % p.groups) * g.coutG * 4 : 0);
  const epilogue = bias !== 0 || relu !== 0;
  if (winogradForward(p)) return winogradConv(ctx, x, w, p, bias, relu, false, null);
  if (directForward(p, g)) return forwardDirect(ctx, x, w, p, g, bias, relu);
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
      if (epilogue) ctx.kernels.convBiasRelu(yAt(it), biasAt(it), g.coutG, g.P, relu);
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
    if (epilogue) pool.call(FN.convBiasRelu, yAt(it), biasAt(it), g.coutG, g.P, relu);
  }
  pool.flush();
  return y;
}

export function wasmConvBackwardInput(ctx: WasmContext, gy: WasmStorage, w: WasmStorage, p: ConvParams): WasmStorage | null {
  if (!usable(p, gy, w)) return null;
  const g = geometry(p);
  if (winogradBackwardInput(p)) return winogradConvBackwardInput(ctx, gy, w, p);
  if (directBackwardInput(p, g)) return backwardInputDirect(ctx, gy, w, p, g);
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

/**
 * How the weight gradient is summed: in `parts` partial sums over image
 * ranges (a function of the shapes only, see the file comment); `small`:
 * too little work to split.
 */
function weightParts(p: ConvParams, g: Geometry): { small: boolean; parts: number } {
  const wLen = p.outChannels * g.K;
  const small = p.batch * p.outChannels * g.K * g.P < PARALLEL_MACS;
  return { small, parts: small ? 1 : Math.max(1, Math.min(p.batch, MAX_PARTIALS, Math.floor(PARTIAL_BYTES / (wLen * 4)))) };
}

export function wasmConvBackwardWeight(ctx: WasmContext, x: WasmStorage, gy: WasmStorage, p: ConvParams): WasmStorage | null {
  if (!usable(p, x, gy)) return null;
  const g = geometry(p);
  const wLen = p.outChannels * g.K;
  const { small, parts } = weightParts(p, g);
  if (parts > 1 && winogradBackwardWeight(p)) return winogradConvBackwardWeight(ctx, x, gy, p, parts);
  const gw = ctx.alloc('float32', wLen, true);
  if (p.batch === 0) return gw;
  if (directBackwardWeight(p, g)) return backwardWeightDirect(ctx, x, gy, p, g, gw);
  const args = colArgs(p, g.cinG);
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
  if (partial) ctx.zero(partial.ptr, parts * wLen * 4);
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

// ---- direct kernels (assembly/conv-direct.ts) ----------------------------------

/** Output channels per packed weight block / register tile (assembly/conv-direct.ts BM). */
const BM = 4;
/** Bytes per position-vector descriptor (assembly/conv-direct.ts VD). */
const VD = 20;
/** Weight gradient: at most this many images, and about this many bytes of padded images and packed gy, per kernel call. */
const BW_IMAGES = 8;
const BW_BYTES = 256 << 10;

type Triple = readonly [number, number, number];

interface DirectKernels {
  convPackW(w: number, cout: number, K: number, rsO: number, kidx: number, dst: number, bm: number): void;
  convBwdWScratch(nImg: number, nVec: number): number;
}

/**
 * One direct convolution problem: an input [C, in] read through a zero-padded
 * copy [C, padded] (padded = exactly the window the outputs read, `pad`
 * elements before the input along each axis), output [out], stride along
 * depth/height (1 along the width), K = C·taps.
 */
interface Direct {
  C: number;
  in: Triple;
  pad: Triple;
  padded: Triple;
  kernel: Triple;
  dilation: Triple;
  stride: Triple;
  out: Triple;
  rows: number;
  P: number;
  K: number;
  /** Position vectors: ceil(oW / 4) per output row. */
  nVec: number;
  /** Bytes of one padded copy (with its slack), a multiple of 16. */
  padBytes: number;
}

function direct(C: number, inSize: Triple, pad: Triple, kernel: Triple, out: Triple, stride: Triple, dilation: Triple): Direct {
  const padded = [0, 1, 2].map((i) => (out[i]! - 1) * stride[i]! + (kernel[i]! - 1) * dilation[i]! + 1) as unknown as Triple;
  const rows = out[0] * out[1];
  return {
    C, in: inSize, pad, padded, kernel, dilation, stride, out, rows, P: rows * out[2],
    K: C * kernel[0] * kernel[1] * kernel[2], nVec: rows * Math.ceil(out[2] / 4),
    padBytes: paddedBytes(C * padded[0] * padded[1] * padded[2]),
  };
}

/**
 * Per-tap byte offsets into the padded input at `tab`, in tap order
 * (kd, kh, c, kw) for the forward kernel (so that the taps one output row can
 * use are a contiguous range) or (c, kd, kh, kw) (the weight layout) for the
 * weight gradient. With `kidx`, also each tap's element offset in a weight row.
 */
function writeTaps(ctx: WasmContext, d: Direct, channelsOuter: boolean, tab: number, kidx?: (c: number, t: number) => number, kidxAt = 0): void {
  const [Dp, Hp, Wp] = d.padded, [kD, kH, kW] = d.kernel, [dD, dH, dW] = d.dilation;
  const i32 = ctx.heap.i32;
  let k = tab >> 2, q = kidxAt >> 2;
  const put = (c: number, a: number, b: number, e: number) => {
    i32[k++] = (((c * Dp + a * dD) * Hp + b * dH) * Wp + e * dW) * 4;
    if (kidx) i32[q++] = kidx(c, (a * kH + b) * kW + e);
  };
  if (channelsOuter) {
    for (let c = 0; c < d.C; c++) for (let a = 0; a < kD; a++) for (let b = 0; b < kH; b++) for (let e = 0; e < kW; e++) put(c, a, b, e);
  } else {
    for (let a = 0; a < kD; a++) for (let b = 0; b < kH; b++) for (let c = 0; c < d.C; c++) for (let e = 0; e < kW; e++) put(c, a, b, e);
  }
}

/** First and one-past-last kernel index j with 0 <= o·s + j·dil - pad < n (contiguous; [0, 0) if none). */
function validTaps(o: number, s: number, dil: number, pad: number, n: number, k: number): [number, number] {
  let lo = 0, hi = k;
  while (lo < k && o * s + lo * dil - pad < 0) lo++;
  while (hi > lo && o * s + (hi - 1) * dil - pad >= n) hi--;
  return lo < hi ? [lo, hi] : [0, 0];
}

/**
 * Writes the position-vector descriptors at `vd` (see assembly/conv-direct.ts
 * VD): rows (od, oh) of ceil(oW / 4) vectors, with each row's range of taps
 * (in the forward tap order) that read inside the input. `fullFirst`: the
 * full vectors first, then the partial ones (for the weight gradient).
 * Returns the number of full vectors.
 */
function writeVectors(ctx: WasmContext, d: Direct, vd: number, fullFirst: boolean): number {
  const i32 = ctx.heap.i32;
  const [, Hp, Wp] = d.padded, [kD, kH, kW] = d.kernel, [oD, oH, oW] = d.out;
  const perKh = d.C * kW;
  const nFull = fullFirst ? d.rows * Math.floor(oW / 4) : 0;
  let qFull = vd >> 2, qPart = (vd >> 2) + nFull * (VD / 4);
  for (let od = 0; od < oD; od++) {
    const [a0, a1] = validTaps(od, d.stride[0], d.dilation[0], d.pad[0], d.in[0], kD);
    for (let oh = 0; oh < oH; oh++) {
      const [b0, b1] = validTaps(oh, d.stride[1], d.dilation[1], d.pad[1], d.in[1], kH);
      const empty = a0 === a1 || b0 === b1;
      const k0 = empty ? 0 : (a0 * kH + b0) * perKh, k1 = empty ? 0 : ((a1 - 1) * kH + b1) * perKh;
      const base = ((od * d.stride[0] * Hp) + oh * d.stride[1]) * Wp * 4, r = od * oH + oh;
      for (let ow = 0; ow < oW; ow += 4) {
        const lanes = Math.min(4, oW - ow);
        let q: number;
        if (!fullFirst || lanes === 4) q = qFull, qFull += VD / 4;
        else q = qPart, qPart += VD / 4;
        i32[q] = base + ow * 4;
        i32[q + 1] = (r * oW + ow) * 4;
        i32[q + 2] = lanes;
        i32[q + 3] = k0;
        i32[q + 4] = k1;
      }
    }
  }
  return nFull;
}

function padArgs(d: Direct, src: number, at = 0): number[] {
  return [src, d.C, ...d.in, work(at), ...d.padded, ...d.pad];
}

/**
 * Where the direct kernels run: stride 1 along the width and rows of at
 * least one vector. They beat per-image im2col + GEMM on every layer measured
 * (LeNet, VGG-style, 7×7 stems, 128-256 channels), most on few channels;
 * the limits on K (taps × input channels) keep the per-tile tap loop and the
 * weight blocks it streams within cache. Pointwise convolutions are plain
 * GEMMs already.
 */
const DIRECT_MAX_K = 4096;
const DIRECT_MAX_K_WEIGHT = 1024;

function directForward(p: ConvParams, g: Geometry): boolean {
  return !g.pointwise && p.stride[2] === 1 && p.outSize[2] >= 4 && g.K <= DIRECT_MAX_K;
}

function directBackwardInput(p: ConvParams, g: Geometry): boolean {
  return !g.pointwise && p.stride.every((s) => s === 1) && p.inSize[2] >= 4 && g.coutG * g.taps <= DIRECT_MAX_K;
}

function directBackwardWeight(p: ConvParams, g: Geometry): boolean {
  return !g.pointwise && p.stride[2] === 1 && p.outSize[2] >= 4 && g.K <= DIRECT_MAX_K_WEIGHT;
}

/**
 * dst[item] = conv(src[item]) for items = (image, group) pairs, with weights
 * packed per group at `wp` (cout·K floats each) and the tap and vector tables
 * at `tab`, `vd`. Chunks: several items each when there are enough, else
 * ranges of position vectors of one item (each chunk pads its own copy:
 * padding costs about 1/(cout·taps) of the convolution).
 */
function runForward(
  ctx: WasmContext, d: Direct, items: number, groups: number, cout: number, bm: number, wp: number, tab: number, vd: number,
  srcAt: (it: number) => number, dstAt: (it: number) => number, bias: number, relu: number, pool2x2 = false,
  idxAt: ((it: number) => number) | null = null,
): void {
  const pool = ctx.pool;
  const nvec = d.nVec;
  // Pooled: each item's convolution goes to the thread's work buffer after its padded input, then is pooled into dst.
  const [oD, oH, oW] = d.out;
  pool.ensureWork(d.padBytes + (pool2x2 ? cout * d.P * 4 : 0));
  // Chunks of whole items (the pooled path always: it pools whole planes), or ranges of each item's position vectors.
  const plan = planItems(ctx, items, items * cout * d.P * d.K, nvec, pool2x2);
  // Argument templates, their per-item slots rewritten below: nothing is allocated per image.
  const padCall = padArgs(d, 0);
  const fwdCall = [work(), tab, d.K, 0, cout, pool2x2 ? work(d.padBytes) : 0, d.P, vd, 0, 0, 0, relu, bm];
  const poolCall = [cout * oD, oH, oW, Math.floor(oH / 2), Math.floor(oW / 2), 2, 2, 2, 2, 0, 0, work(d.padBytes), 0, 0];
  forEachItem(pool, items, plan, (it, part) => {
    padCall[0] = srcAt(it);
    pool.callArgs(FN.convPad, padCall);
    fwdCall[3] = wp + (it % groups) * cout * d.K * 4;
    if (!pool2x2) fwdCall[5] = dstAt(it);
    const [v0, v1] = partRange(part, plan.parts, nvec);
    fwdCall[8] = v0;
    fwdCall[9] = v1;
    fwdCall[10] = bias ? bias + (it % groups) * cout * 4 : 0;
    pool.callArgs(FN.convFwdDirect, fwdCall);
    if (pool2x2) {
      poolCall[12] = dstAt(it);
      poolCall[13] = idxAt ? idxAt(it) : 0;
      pool.callArgs(FN.maxPool2dF32, poolCall);
    }
  });
  pool.flush();
}

/**
 * Output channels per forward weight block (the kernel's register tiles):
 * BM, or 3 (3×3 tiles: 9 multiply-adds per 6 loads, against 8 for the 4×2
 * and 2×4 tiles that 4 + 2 channels take) for a channel count that is a
 * multiple of 3 but not of 4, on rows of at least 6 position vectors: a tile
 * whose vectors are not contiguous in the padded input (one spanning two
 * rows) is slower, and 3-vector tiles mostly span rows when rows hold fewer.
 * Measured per image, one thread: LeNet conv1 (1 → 6, 28 wide, 7 vectors a
 * row) 5.38 → 5.14 us; conv2's input gradient (6 channels out, 14 wide, 4
 * vectors a row) would go 14.5 → 16.1 us, hence the row condition.
 * Each output's summation order does not depend on the tiles.
 */
function forwardBlock(d: Direct, cout: number): number {
  return cout % BM !== 0 && cout % 3 === 0 && Math.ceil(d.out[2] / 4) >= 6 ? 3 : BM;
}

/**
 * Packs the weights of every group (cout·K each, element (o, tap) at
 * w + o·rsO + kidx(c, t) in group g's block), writes the tap and vector
 * tables, runs the forward kernel and frees the tables.
 */
function forwardWith(
  ctx: WasmContext, d: Direct, p: ConvParams, cout: number, w: (grp: number) => number, rsO: number,
  kidx: (c: number, t: number) => number, srcAt: (it: number) => number, dstAt: (it: number) => number, bias = 0, relu = 0,
  pool2x2 = false, idxAt: ((it: number) => number) | null = null,
): void {
  const wBytes = p.groups * cout * d.K * 4;
  const plan = ctx.temp(wBytes + 2 * d.K * 4 + d.nVec * VD);
  const tab = plan.ptr + wBytes, kx = tab + d.K * 4, vd = kx + d.K * 4;
  writeTaps(ctx, d, false, tab, kidx, kx);
  writeVectors(ctx, d, vd, false);
  const k = ctx.kernels as unknown as DirectKernels;
  const bm = forwardBlock(d, cout);
  for (let grp = 0; grp < p.groups; grp++) k.convPackW(w(grp), cout, d.K, rsO, kx, plan.ptr + grp * cout * d.K * 4, bm);
  runForward(ctx, d, p.batch * p.groups, p.groups, cout, bm, plan.ptr, tab, vd, srcAt, dstAt, bias, relu, pool2x2, idxAt);
  ctx.freeTemp(plan);
}

function forwardDirect(
  ctx: WasmContext, x: WasmStorage, w: WasmStorage, p: ConvParams, g: Geometry, bias: number, relu: number, pool2x2 = false,
  indices: WasmStorage | null = null,
): WasmStorage {
  // Pooled output: 2×2/stride-2 windows over (oH, oW) of each depth slice.
  const P = pool2x2 ? p.outSize[0] * Math.floor(p.outSize[1] / 2) * Math.floor(p.outSize[2] / 2) : g.P;
  const y = ctx.alloc('float32', p.batch * p.outChannels * P);
  const d = direct(g.cinG, p.inSize, p.padding, p.kernelSize, p.outSize, p.stride, p.dilation);
  // W[g] is coutG × K, tap (c, t) at column c·taps + t.
  forwardWith(ctx, d, p, g.coutG, (grp) => addr(w, grp * g.coutG * g.K), g.K, (c, t) => c * g.taps + t,
    (it) => addr(x, (Math.floor(it / p.groups) * p.inChannels + (it % p.groups) * g.cinG) * g.inPlane),
    (it) => addr(y, (Math.floor(it / p.groups) * p.outChannels + (it % p.groups) * g.coutG) * P), bias, relu, pool2x2,
    indices && ((it) => addr(indices, (Math.floor(it / p.groups) * p.outChannels + (it % p.groups) * g.coutG) * P)));
  return y;
}

/**
 * With stride 1 the input gradient is a full convolution of gy with the
 * flipped, transposed weights: gx[ci, i] = Σ_{co, t} gy[co, i + p - t·d] · W[co, ci, t]
 * = conv(gy padded by (k - 1)·d - p, W'[ci, co, k - 1 - t]), output size = input size.
 */
function backwardInputDirect(ctx: WasmContext, gy: WasmStorage, w: WasmStorage, p: ConvParams, g: Geometry): WasmStorage {
  const gx = ctx.alloc('float32', p.batch * p.inChannels * g.inPlane);
  const pad = [0, 1, 2].map((i) => (p.kernelSize[i]! - 1) * p.dilation[i]! - p.padding[i]!) as unknown as Triple;
  const d = direct(g.coutG, p.outSize, pad, p.kernelSize, p.inSize, [1, 1, 1], p.dilation);
  // W'[ci, (co, t)] = W[co, ci, taps - 1 - t]: row stride taps, column (co, t) at co·cinG·taps + taps - 1 - t.
  forwardWith(ctx, d, p, g.cinG, (grp) => addr(w, grp * g.coutG * g.K), g.taps, (c, t) => c * g.cinG * g.taps + g.taps - 1 - t,
    (it) => addr(gy, (Math.floor(it / p.groups) * p.outChannels + (it % p.groups) * g.coutG) * g.P),
    (it) => addr(gx, (Math.floor(it / p.groups) * p.inChannels + (it % p.groups) * g.cinG) * g.inPlane));
  return gx;
}

/**
 * Output channels per weight-gradient block (assembly/conv-direct.ts
 * convBwdWDirect): 3 (3×3 tiles over three taps of one kernel row) where the
 * kernel rows are 3 wide, else BM (4×2 tiles). Measured per 2 images, one
 * thread: VGG-style 32 → 32 on 32×32 807 → 762 us, 32 → 64 on 16×16
 * 434 → 414, 64 → 64 on 16×16 852 → 810; small 3×3 layers unchanged; LeNet's
 * 5×5 layers were slower with 3-channel blocks (16 channels: 5 blocks of 3
 * and a 1-channel one), hence kernels 3 wide only. No result depends on it.
 */
function weightBlock(p: ConvParams): number {
  return p.kernelSize[2] === 3 ? 3 : BM;
}

/**
 * Weight gradient by the direct kernel, with the same partial sums over image
 * ranges as the GEMM path (a function of the shapes only). With a single part
 * and several threads, chunks take ranges of output-channel blocks instead
 * (each over every image), which does not change any element's summation.
 */
function backwardWeightDirect(ctx: WasmContext, x: WasmStorage, gy: WasmStorage, p: ConvParams, g: Geometry, gw: WasmStorage): WasmStorage {
  const d = direct(g.cinG, p.inSize, p.padding, p.kernelSize, p.outSize, p.stride, p.dilation);
  const wLen = p.outChannels * g.K;
  const { small, parts } = weightParts(p, g);
  const plan = ctx.temp(d.K * 4 + d.nVec * VD);
  const tab = plan.ptr, vd = tab + d.K * 4;
  writeTaps(ctx, d, true, tab);
  const nFull = writeVectors(ctx, d, vd, true);
  const xAt = (n: number, grp: number) => addr(x, (n * p.inChannels + grp * g.cinG) * g.inPlane);
  const gyAt = (n: number, grp: number) => addr(gy, (n * p.outChannels + grp * g.coutG) * g.P);
  const pool = ctx.pool;
  const k = ctx.kernels as unknown as DirectKernels;
  // Images summed in vector lanes before each horizontal sum (a function of the shapes only).
  const B = Math.max(1, Math.min(BW_IMAGES, Math.floor(BW_BYTES / (d.padBytes + k.convBwdWScratch(1, d.nVec)))));
  pool.ensureWork(B * d.padBytes + k.convBwdWScratch(B, d.nVec));
  const bm = weightBlock(p);
  /** Images [n0, n1) (at most B) of group grp into gw rows [co0, co1) at target. */
  const kernel = (n0: number, n1: number, grp: number, target: number, co0: number, co1: number) => {
    for (let n = n0; n < n1; n++) pool.call(FN.convPad, ...padArgs(d, xAt(n, grp), (n - n0) * d.padBytes));
    pool.call(FN.convBwdWDirect, work(), d.padBytes, n1 - n0, tab, d.K, gyAt(n0, grp), p.outChannels * g.P * 4, d.P, vd, nFull, d.nVec,
      target + grp * g.coutG * g.K * 4, co0, co1, work(B * d.padBytes), bm);
  };
  /** Images [lo, hi) in ceil((hi - lo) / B) calls of about equal size. */
  const images = (lo: number, hi: number, grp: number, target: number, co0: number, co1: number) => {
    const calls = Math.ceil((hi - lo) / B);
    for (let c = 0; c < calls; c++) {
      kernel(lo + Math.floor((c * (hi - lo)) / calls), lo + Math.floor(((c + 1) * (hi - lo)) / calls), grp, target, co0, co1);
    }
  };
  if (parts === 1 && ctx.threads > 1 && !small) {
    const blocks = Math.ceil(g.coutG / bm);
    const ranges = Math.min(blocks, ctx.threads * CHUNKS_PER_THREAD);
    for (let grp = 0; grp < p.groups; grp++) {
      for (let r = 0; r < ranges; r++) {
        const co0 = Math.floor((r * blocks) / ranges) * bm, co1 = Math.min(g.coutG, Math.floor(((r + 1) * blocks) / ranges) * bm);
        pool.chunk();
        images(0, p.batch, grp, addr(gw, 0), co0, co1);
      }
    }
    pool.flush();
    ctx.freeTemp(plan);
    return gw;
  }
  const partial = parts > 1 ? ctx.temp(parts * wLen * 4) : null;
  if (partial) ctx.zero(partial.ptr, parts * wLen * 4);
  for (let c = 0; c < parts; c++) {
    pool.chunk();
    const target = partial ? partial.ptr + c * wLen * 4 : addr(gw, 0);
    const lo = Math.floor((c * p.batch) / parts), hi = Math.floor(((c + 1) * p.batch) / parts);
    for (let grp = 0; grp < p.groups; grp++) images(lo, hi, grp, target, 0, g.coutG);
  }
  pool.flush();
  ctx.freeTemp(plan);
  if (partial) {
    ctx.kernels.reduceF32(0, 1, parts, wLen, partial.ptr, addr(gw, 0));
    ctx.freeTemp(partial);
  }
  return gw;
}

/** Most parts (image ranges with their own partial bias sums) of the epilogue backward. */
const EPILOGUE_PARTS = 8;
/** Elements per part at least: smaller inputs run in one part on the calling thread. */
const EPILOGUE_PART_ELEMS = 1 << 15;

/**
 * Backward of the conv epilogue (float32; null otherwise): the gradient
 * masked by the ReLU output y (if any) and the bias gradient (if asked), in
 * one pass over memory. Parts take ranges of images, each with its own
 * double-precision partial sums, added in part order; the number of parts
 * depends only on the shapes, so results do not depend on the thread count.
 */
export function wasmConvEpilogueBackward(
  ctx: WasmContext, g: WasmStorage, y: WasmStorage | null, n: number, c: number, s: number, bias: boolean,
): { g: WasmStorage | null; bias: WasmStorage | null } | null {
  if (g.dtype !== 'float32' || (y && y.dtype !== 'float32')) return null;
  const out = y ? ctx.alloc('float32', n * c * s) : null;
  const db = bias ? ctx.alloc('float32', c) : null;
  const parts = Math.max(1, Math.min(n, EPILOGUE_PARTS, Math.floor((n * c * s) / EPILOGUE_PART_ELEMS)));
  const sums = bias ? ctx.temp(parts * c * 8) : null;
  const at = [addr(g, 0), y ? addr(y, 0) : 0] as const, outAt = out ? addr(out, 0) : 0;
  const sumsAt = (k: number) => (sums ? sums.ptr + k * c * 8 : 0);
  const range = (k: number) => [Math.floor((k * n) / parts), Math.floor(((k + 1) * n) / parts)] as const;
  if (parts === 1 || ctx.threads === 1) {
    for (let k = 0; k < parts; k++) ctx.kernels.convBiasReluBackward(...at, ...range(k), c, s, outAt, sumsAt(k));
  } else {
    const pool = ctx.pool;
    for (let k = 0; k < parts; k++) {
      pool.chunk();
      pool.call(FN.convBiasReluBackward, ...at, ...range(k), c, s, outAt, sumsAt(k));
    }
    pool.flush();
  }
  if (db && sums) {
    const f64 = ctx.heap.f64, f32 = ctx.heap.f32;
    const base = sums.ptr >> 3, dst = addr(db, 0) >> 2;
    for (let ch = 0; ch < c; ch++) {
      let t = 0;
      for (let k = 0; k < parts; k++) t += f64[base + k * c + ch]!;
      f32[dst + ch] = t;
    }
    ctx.freeTemp(sums);
  }
  return { g: out, bias: db };
}
