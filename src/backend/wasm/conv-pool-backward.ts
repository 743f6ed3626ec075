/**
 * FusedKernels.convPoolBackward on the wasm kernels
 * (assembly/conv-pool-backward.ts): the input and weight gradients of
 * conv → ReLU → 2×2 max pooling straight from the pooled gradient and the
 * pooling's indices. The full-size output gradient is zero at three positions
 * of every window, so summing over the maxima alone takes a quarter of the
 * multiply-adds or fewer, and the full gradient (LeNet-5's conv1: 1.2 MB per
 * batch of 64) is never written and read back.
 *
 * Where: float32, 2-D, groups 1, stride 1, no dilation, kernels at most 8
 * wide, padding below the kernel size, layers the Winograd kernels do not
 * take (there the dense products are cheaper still). Declined (null; the
 * composite runs) when a value that the sparse sum would skip could change
 * the result: a NaN or an Infinity in the weights (input gradient), in the
 * input (weight gradient) or in the pooled gradient, since the dense sums
 * multiply the zeros by them.
 *
 * Threads: the input gradient takes chunks of whole images; the weight
 * gradient sums images in partial accumulators whose number depends only on
 * the shapes, added in order at the end. Results do not depend on the thread
 * count.
 */
import { convPool2x2Params, type ConvParams } from '../backend.js';
import { addr, type WasmContext } from './context.js';
import type { WasmStorage } from './storage.js';
import { PARALLEL_MACS } from './matmul.js';
import { FN, work } from './threads.js';
import { forEachItem, paddedBytes, partRange, planItems } from './conv-jobs.js';
import { winogradBackwardInput, winogradBackwardWeight } from './conv-winograd.js';

/** Floats per packed kernel row (assembly/conv-pool-backward.ts ROW); padded input rows get this much slack. */
const ROW = 8;
/** Most partial weight-gradient accumulators. */
const MAX_PARTS = 8;

interface SparseKernels {
  cpbPackW(w: number, cout: number, cin: number, kH: number, kW: number, wp: number): void;
  cpbUnpackW(gwp: number, parts: number, rows: number, kW: number, gw: number): void;
  allFiniteF32(p: number, n: number): number;
}

function usable(p: ConvParams): boolean {
  const [, kH, kW] = p.kernelSize;
  return p.groups === 1 && p.inSize[0] === 1 && p.kernelSize[0] === 1 && p.padding[0] === 0 && p.stride.every((s) => s === 1) &&
    p.dilation.every((d) => d === 1) && kW <= ROW && p.padding[1] < kH && p.padding[2] < kW && p.outSize[1] >= 2 && p.outSize[2] >= 2;
}

/**
 * gx [N, Cin, H, W] (when `w` is given) and gw [Cout, Cin, kH, kW] (when `x`
 * is given) from g, the pooled gradient [N, Cout, floor(oH/2), floor(oW/2)]
 * already masked by the ReLU, and `indices` (int32, each maximum's position
 * in its oH·oW plane); null where declined (see the file comment).
 */
export function wasmConvPoolBackward(
  ctx: WasmContext, g: WasmStorage, indices: WasmStorage, x: WasmStorage | null, w: WasmStorage | null, p: ConvParams,
): { gx: WasmStorage | null; gw: WasmStorage | null } | null {
  if (g.dtype !== 'float32' || indices.dtype !== 'int32' || (x && x.dtype !== 'float32') || (w && w.dtype !== 'float32')) return null;
  if (!usable(p) || (!x && !w)) return null;
  if ((w && winogradBackwardInput(p)) || (x && winogradBackwardWeight(p))) return null;
  const k = ctx.kernels as unknown as SparseKernels;
  const finite = (s: WasmStorage) => k.allFiniteF32(addr(s, 0), s.length) !== 0;
  if (!finite(g) || (w && !finite(w)) || (x && !finite(x))) return null;
  return { gx: w ? inputGrad(ctx, g, indices, w, p) : null, gw: x ? weightGrad(ctx, g, indices, x, p) : null };
}

/** The pooled plane's rows, columns and size. */
function pooledGeometry(p: ConvParams): { pH: number; pW: number; pooled: number } {
  const [, pH, pW] = convPool2x2Params(p).outSize;
  return { pH, pW, pooled: pH * pW };
}

function inputGrad(ctx: WasmContext, g: WasmStorage, indices: WasmStorage, w: WasmStorage, p: ConvParams): WasmStorage {
  const [, H, W] = p.inSize, [, kH, kW] = p.kernelSize, [, oH, oW] = p.outSize;
  const { pH, pW, pooled } = pooledGeometry(p);
  const cin = p.inChannels, cout = p.outChannels;
  const Hq = oH + kH - 1, Wq = oW + ROW - 1;
  const gxpBytes = 2 * cin * Hq * Wq * 4;
  const gx = ctx.alloc('float32', p.batch * cin * H * W);
  const wp = ctx.temp(cout * cin * kH * ROW * 4);
  try {
    (ctx.kernels as unknown as SparseKernels).cpbPackW(addr(w, 0), cout, cin, kH, kW, wp.ptr);
    const pool = ctx.pool;
    pool.ensureWork(gxpBytes + pooled * 8);
    // Chunks of whole images (each pads its own planes).
    const plan = planItems(ctx, p.batch, p.batch * cout * pooled * cin * kH * kW, 1, true);
    // One argument template, its per-image slots rewritten: nothing allocated per image.
    const call = [0, 0, cout, pH, pW, oW, wp.ptr, cin, kH, work(), Hq, Wq, 0, H, W, p.padding[1], p.padding[2], work(gxpBytes)];
    forEachItem(pool, p.batch, plan, (n) => {
      call[0] = addr(g, n * cout * pooled);
      call[1] = addr(indices, n * cout * pooled);
      call[12] = addr(gx, n * cin * H * W);
      pool.callArgs(FN.cpbInput, call);
    });
    pool.flush();
  } finally {
    ctx.freeTemp(wp);
  }
  return gx;
}

function weightGrad(ctx: WasmContext, g: WasmStorage, indices: WasmStorage, x: WasmStorage, p: ConvParams): WasmStorage {
  const [, H, W] = p.inSize, [, kH, kW] = p.kernelSize, [, oH, oW] = p.outSize;
  const { pH, pW, pooled } = pooledGeometry(p);
  const cin = p.inChannels, cout = p.outChannels;
  const Hp = oH + kH - 1, Wp = oW + ROW - 1;
  const padBytes = paddedBytes(cin * Hp * Wp);
  const rows = cout * cin * kH;
  const macs = p.batch * cout * pooled * cin * kH * kW;
  // Partial sums over image ranges: a function of the shapes only.
  const parts = macs < PARALLEL_MACS ? 1 : Math.min(p.batch, MAX_PARTS);
  const gwp = ctx.temp(parts * rows * ROW * 4);
  try {
    ctx.zero(gwp.ptr, parts * rows * ROW * 4);
    const pool = ctx.pool;
    pool.ensureWork(padBytes + pooled * 8);
    // Argument templates, their per-image slots rewritten: nothing allocated per image.
    const padCall = [0, cin, 1, H, W, work(), 1, Hp, Wp, 0, p.padding[1], p.padding[2]];
    const call = [0, 0, cout, pH, pW, oW, work(), cin, Hp, Wp, kH, 0, work(padBytes)];
    for (let c = 0; c < parts; c++) {
      pool.chunk();
      const [lo, hi] = partRange(c, parts, p.batch);
      call[11] = gwp.ptr + c * rows * ROW * 4;
      for (let n = lo; n < hi; n++) {
        padCall[0] = addr(x, n * cin * H * W);
        pool.callArgs(FN.convPad, padCall);
        call[0] = addr(g, n * cout * pooled);
        call[1] = addr(indices, n * cout * pooled);
        pool.callArgs(FN.cpbWeight, call);
      }
    }
    pool.flush();
    const gw = ctx.alloc('float32', rows * kW);
    (ctx.kernels as unknown as SparseKernels).cpbUnpackW(gwp.ptr, parts, rows, kW, addr(gw, 0));
    return gw;
  } finally {
    ctx.freeTemp(gwp);
  }
}
