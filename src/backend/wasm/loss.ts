/**
 * Drivers for the fused softmax cross-entropy kernels (assembly/loss.ts), the
 * wasm backend's crossEntropyRows and crossEntropyReduced capabilities:
 * float32 only; other dtypes are declined (null), so the tensor-op composite runs.
 */
import { addr, type WasmContext } from './context.js';
import type { WasmStorage } from './storage.js';

/** assembly/reduce.ts SUM. */
const SUM = 0;

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

/**
 * Σ_rows loss / divisor as a float32 scalar: the per-row kernel into a
 * scratch block, summed by the sum reduction's own kernel (reduceF32) into
 * the output, then divided (float32 division: the double quotient of two
 * floats rounds to the same float): the composite's sum then div, bit for bit.
 */
export function wasmCrossEntropyReduced(
  ctx: WasmContext, x: WasmStorage, t: WasmStorage, rows: number, classes: number, ignoreIndex: number, eps: number, divisor: number,
): WasmStorage | null {
  if (x.dtype !== 'float32') return null;
  const out = ctx.alloc('float32', 1, rows === 0);
  const o = addr(out, 0);
  if (rows > 0) {
    const perRow = ctx.temp(rows * 4);
    try {
      ctx.kernels.crossEntropyRowsF32(addr(x, 0), addr(t, 0), rows, classes, ignoreIndex, eps, perRow.ptr);
      ctx.kernels.reduceF32(SUM, 1, rows, 1, perRow.ptr, o);
    } finally {
      ctx.freeTemp(perRow);
    }
  }
  const f32 = ctx.heap.f32;
  f32[o >> 2] = f32[o >> 2]! / divisor;
  return out;
}

/** The reduced loss's gradient: each row's upstream gradient is g / divisor (float32), then the per-row backward kernel. */
export function wasmCrossEntropyReducedBackward(
  ctx: WasmContext, x: WasmStorage, t: WasmStorage, g: WasmStorage, rows: number, classes: number, ignoreIndex: number, eps: number, divisor: number,
): WasmStorage | null {
  if (x.dtype !== 'float32' || g.dtype !== 'float32') return null;
  const out = ctx.alloc('float32', rows * classes);
  const perRow = ctx.temp(Math.max(1, rows) * 4);
  try {
    const f32 = ctx.heap.f32;
    f32.fill(Math.fround(f32[addr(g, 0) >> 2]! / divisor), perRow.ptr >> 2, (perRow.ptr >> 2) + rows);
    ctx.kernels.crossEntropyRowsBackwardF32(addr(x, 0), addr(t, 0), perRow.ptr, rows, classes, ignoreIndex, eps, addr(out, 0));
  } finally {
    ctx.freeTemp(perRow);
  }
  return out;
}
