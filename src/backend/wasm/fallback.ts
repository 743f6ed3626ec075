/**
 * Correct-by-construction fallbacks: the reference kernels (through the one
 * adapter in reference/kernels.ts) run directly on zero-copy typed-array
 * views of the wasm heap, and the result is copied into a new heap block.
 * Every computing Backend method has one, so the wasm backend is complete
 * even where no wasm kernel exists yet (float64 GEMM and convolution,
 * argmax, gather, adaptive pooling, ...).
 */
import type { DType, TypedArray } from '../../core/dtype.js';
import { ArrayKernels } from '../reference/kernels.js';
import type { WasmContext } from './context.js';
import type { WasmStorage } from './storage.js';

/** Counts fallback calls per kernel name, e.g. `unary:exp:float64` (for benchmarks and coverage reports). */
export const fallbackCounts = new Map<string, number>();

export class Fallback extends ArrayKernels<WasmStorage> {
  constructor(private readonly ctx: WasmContext) {
    super();
  }

  protected view(s: WasmStorage): TypedArray {
    return s.view();
  }
  protected wrap(dtype: DType, data: TypedArray): WasmStorage {
    return this.ctx.fromTyped(dtype, data);
  }
  protected override onCall(name: string): void {
    fallbackCounts.set(name, (fallbackCounts.get(name) ?? 0) + 1);
  }
}
