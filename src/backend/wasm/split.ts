/**
 * How many pool chunks a memory-bound kernel (elementwise, pooling) should
 * be split into: one chunk (run inline) below {@link PARALLEL_ELEMENTS}
 * elements, where waking the workers costs more than it saves; else a few
 * chunks per thread, never more than there are independent units.
 */
import { CHUNKS_PER_THREAD } from './matmul.js';
import type { WasmContext } from './context.js';

/** Elements below which a memory-bound kernel runs on the calling thread alone (~0.1 ms of work). */
export const PARALLEL_ELEMENTS = 1 << 17;

export function splitCount(ctx: WasmContext, units: number, elements: number): number {
  const T = ctx.threads;
  if (T === 1 || elements < PARALLEL_ELEMENTS) return 1;
  return Math.max(1, Math.min(units, T * CHUNKS_PER_THREAD));
}
