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
 * The column buffer is one heap block reused across images.
 */
import type { ConvParams } from '../backend.js';
import { addr, type WasmContext } from './context.js';
import type { WasmStorage } from './storage.js';

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

export function wasmConv(ctx: WasmContext, x: WasmStorage, w: WasmStorage, p: ConvParams): WasmStorage | null {
  if (!usable(p, x, w)) return null;
  const g = geometry(p);
  const y = ctx.alloc('float32', p.batch * p.outChannels * g.P);
  const col = g.pointwise ? null : ctx.temp(g.K * g.P * 4);
  const k = ctx.kernels;
  const args = colArgs(p, g.cinG);
  for (let n = 0; n < p.batch; n++) {
    for (let grp = 0; grp < p.groups; grp++) {
      const xg = addr(x, (n * p.inChannels + grp * g.cinG) * g.inPlane);
      let b = xg;
      if (col) {
        (k.im2col as (...a: number[]) => void)(xg, ...args, col.ptr);
        b = col.ptr;
      }
      k.sgemm(g.coutG, g.P, g.K, addr(w, grp * g.coutG * g.K), g.K, 1, b, g.P, 1,
        addr(y, (n * p.outChannels + grp * g.coutG) * g.P), g.P, 0, ctx.gemmScratch);
    }
  }
  if (col) ctx.freeTemp(col);
  return y;
}

export function wasmConvBackwardInput(ctx: WasmContext, gy: WasmStorage, w: WasmStorage, p: ConvParams): WasmStorage | null {
  if (!usable(p, gy, w)) return null;
  const g = geometry(p);
  const gx = ctx.alloc('float32', p.batch * p.inChannels * g.inPlane, !g.pointwise);
  const col = g.pointwise ? null : ctx.temp(g.K * g.P * 4);
  const k = ctx.kernels;
  const args = colArgs(p, g.cinG);
  for (let n = 0; n < p.batch; n++) {
    for (let grp = 0; grp < p.groups; grp++) {
      const gxg = addr(gx, (n * p.inChannels + grp * g.cinG) * g.inPlane);
      const target = col ? col.ptr : gxg;
      // Wᵀ: element (k, co) of W[g] (coutG×K, row-major) is at co*K + k.
      k.sgemm(g.K, g.P, g.coutG, addr(w, grp * g.coutG * g.K), 1, g.K,
        addr(gy, (n * p.outChannels + grp * g.coutG) * g.P), g.P, 1, target, g.P, 0, ctx.gemmScratch);
      if (col) (k.col2im as (...a: number[]) => void)(col.ptr, ...args, gxg);
    }
  }
  if (col) ctx.freeTemp(col);
  return gx;
}

export function wasmConvBackwardWeight(ctx: WasmContext, x: WasmStorage, gy: WasmStorage, p: ConvParams): WasmStorage | null {
  if (!usable(p, x, gy)) return null;
  const g = geometry(p);
  const gw = ctx.alloc('float32', p.outChannels * g.K, p.batch === 0);
  const col = g.pointwise ? null : ctx.temp(g.K * g.P * 4);
  const k = ctx.kernels;
  const args = colArgs(p, g.cinG);
  for (let n = 0; n < p.batch; n++) {
    for (let grp = 0; grp < p.groups; grp++) {
      const xg = addr(x, (n * p.inChannels + grp * g.cinG) * g.inPlane);
      let b = xg, ldb = g.inPlane;
      if (col) {
        (k.im2col as (...a: number[]) => void)(xg, ...args, col.ptr);
        b = col.ptr;
        ldb = g.P;
      }
      // colᵀ: element (p, k) of col (K×P, row-major) is at k*P + p.
      k.sgemm(g.coutG, g.K, g.P, addr(gy, (n * p.outChannels + grp * g.coutG) * g.P), g.P, 1, b, 1, ldb,
        addr(gw, grp * g.coutG * g.K), g.K, n > 0 ? 1 : 0, ctx.gemmScratch);
    }
  }
  if (col) ctx.freeTemp(col);
  return gw;
}
