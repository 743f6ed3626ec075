/**
 * Drivers for the fused softmax cross-entropy kernels (assembly/loss.ts), the
 * wasm backend's crossEntropyRows capabilities: float32 only; other dtypes are
 * declined (null), so the tensor-op composite runs.
 */
import { addr, type WasmContext } from './context.js';
import type { WasmStorage } from './storage.js';

export function wasmCrossEntropyRows(
  ctx: WasmContext, x: WasmStorage, t: WasmStorage, rows: number, classes: number, ignoreIndex: number, eps: number,
): WasmStorage | null {
  if (x.dtype !== 'float32') return null;
  const out = ctx.alloc('float32', rows);
  ctx.kernels.crossEntropyRowsF32(addr(x, 0), addr(t, 0), rows, classes, ignoreIndex, eps, addr(out, 0));
  return out;
}

export function wasmCrossEntropyRowsBackward(
  ctx: WasmContext, x: WasmStorage, t: WasmStorage, g: WasmStorage, rows: number, classes: number, ignoreIndex: number, eps: number,
): WasmStorage | null {
  if (x.dtype !== 'float32' || g.dtype !== 'float32') return null;
  const out = ctx.alloc('float32', rows * classes);
  ctx.kernels.crossEntropyRowsBackwardF32(addr(x, 0), addr(t, 0), addr(g, 0), rows, classes, ignoreIndex, eps, addr(out, 0));
  return out;
}
