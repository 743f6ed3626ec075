/**
 * Drivers for the fused training-mode batch-norm kernels
 * (assembly/batchnorm.ts): float32 in wasm, float64 through the reference
 * loops over heap views.
 */
import * as reference from '../reference/batchnorm.js';
import { addr, type WasmContext } from './context.js';
import type { WasmStorage } from './storage.js';

const ptr = (s: WasmStorage | null) => (s ? addr(s, 0) : 0);

export function wasmBatchNormTrain(
  ctx: WasmContext, x: WasmStorage, w: WasmStorage | null, b: WasmStorage | null, n: number, c: number, s: number, eps: number,
): { y: WasmStorage; mean: WasmStorage; var: WasmStorage } {
  if (x.dtype !== 'float32') {
    const r = reference.batchNormTrain(x.view(), w?.view() ?? null, b?.view() ?? null, n, c, s, eps, x.dtype);
    return { y: ctx.fromTyped(x.dtype, r.y), mean: ctx.fromTyped(x.dtype, r.mean), var: ctx.fromTyped(x.dtype, r.var) };
  }
  const y = ctx.alloc('float32', n * c * s), mean = ctx.alloc('float32', c), variance = ctx.alloc('float32', c);
  ctx.kernels.batchNormTrainF32(addr(x, 0), ptr(w), ptr(b), n, c, s, eps, addr(y, 0), addr(mean, 0), addr(variance, 0), 0, c);
  return { y, mean, var: variance };
}

export function wasmBatchNormTrainBackward(
  ctx: WasmContext, x: WasmStorage, gy: WasmStorage, mean: WasmStorage, variance: WasmStorage, w: WasmStorage | null,
  n: number, c: number, s: number, eps: number,
): { dx: WasmStorage; dweight: WasmStorage; dbias: WasmStorage } {
  if (x.dtype !== 'float32') {
    const r = reference.batchNormTrainBackward(x.view(), gy.view(), mean.view(), variance.view(), w?.view() ?? null, n, c, s, eps, x.dtype);
    return { dx: ctx.fromTyped(x.dtype, r.dx), dweight: ctx.fromTyped(x.dtype, r.dweight), dbias: ctx.fromTyped(x.dtype, r.dbias) };
  }
  const dx = ctx.alloc('float32', n * c * s), dweight = ctx.alloc('float32', c), dbias = ctx.alloc('float32', c);
  ctx.kernels.batchNormTrainBackwardF32(addr(x, 0), addr(gy, 0), addr(mean, 0), addr(variance, 0), ptr(w), n, c, s, eps,
    addr(dx, 0), addr(dweight, 0), addr(dbias, 0), 0, c);
  return { dx, dweight, dbias };
}
