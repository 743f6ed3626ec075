/**
 * Drivers for the fused training-mode batch-norm kernels
 * (assembly/batchnorm.ts), the wasm backend's batchNormTrain capabilities:
 * float32 only; other dtypes are declined (null), so the tensor-op composite runs.
 */
import { addr, type WasmContext } from './context.js';
import type { WasmStorage } from './storage.js';

const ptr = (s: WasmStorage | null) => (s ? addr(s, 0) : 0);

export function wasmBatchNormTrain(
  ctx: WasmContext, x: WasmStorage, w: WasmStorage | null, b: WasmStorage | null, n: number, c: number, s: number, eps: number,
): { y: WasmStorage; mean: WasmStorage; var: WasmStorage } | null {
  if (x.dtype !== 'float32') return null;
  const y = ctx.alloc('float32', n * c * s), mean = ctx.alloc('float32', c), variance = ctx.alloc('float32', c);
  ctx.kernels.batchNormTrainF32(addr(x, 0), ptr(w), ptr(b), n, c, s, eps, addr(y, 0), addr(mean, 0), addr(variance, 0), 0, c);
  return { y, mean, var: variance };
}

export function wasmBatchNormTrainBackward(
  ctx: WasmContext, x: WasmStorage, gy: WasmStorage, mean: WasmStorage, variance: WasmStorage, w: WasmStorage | null,
  n: number, c: number, s: number, eps: number,
): { dx: WasmStorage; dweight: WasmStorage; dbias: WasmStorage } | null {
  if (x.dtype !== 'float32' || gy.dtype !== 'float32') return null;
  const dx = ctx.alloc('float32', n * c * s), dweight = ctx.alloc('float32', c), dbias = ctx.alloc('float32', c);
  ctx.kernels.batchNormTrainBackwardF32(addr(x, 0), addr(gy, 0), addr(mean, 0), addr(variance, 0), ptr(w), n, c, s, eps,
    addr(dx, 0), addr(dweight, 0), addr(dbias, 0), 0, c);
  return { dx, dweight, dbias };
}
