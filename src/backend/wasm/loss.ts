/**
 * Drivers for the fused softmax cross-entropy kernels (assembly/loss.ts):
 * float32 in wasm, float64 through the reference loops over heap views.
 */
import * as reference from '../reference/loss.js';
import { addr, type WasmContext } from './context.js';
import type { WasmStorage } from './storage.js';

export function wasmCrossEntropyRows(
  ctx: WasmContext, x: WasmStorage, t: WasmStorage, rows: number, classes: number, ignoreIndex: number, eps: number,
): WasmStorage {
  if (x.dtype !== 'float32') {
    return ctx.fromTyped(x.dtype, reference.crossEntropyRows(x.view(), t.view() as Int32Array, rows, classes, ignoreIndex, eps, x.dtype));
  }
  const out = ctx.alloc('float32', rows);
  ctx.kernels.crossEntropyRowsF32(addr(x, 0), addr(t, 0), rows, classes, ignoreIndex, eps, addr(out, 0));
  return out;
}

export function wasmCrossEntropyRowsBackward(
  ctx: WasmContext, x: WasmStorage, t: WasmStorage, g: WasmStorage, rows: number, classes: number, ignoreIndex: number, eps: number,
): WasmStorage {
  if (x.dtype !== 'float32') {
    const out = reference.crossEntropyRowsBackward(x.view(), t.view() as Int32Array, g.view(), rows, classes, ignoreIndex, eps, x.dtype);
    return ctx.fromTyped(x.dtype, out);
  }
  const out = ctx.alloc('float32', rows * classes);
  ctx.kernels.crossEntropyRowsBackwardF32(addr(x, 0), addr(t, 0), addr(g, 0), rows, classes, ignoreIndex, eps, addr(out, 0));
  return out;
}
