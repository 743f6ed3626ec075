/**
 * What the convolution drivers (conv.ts, conv-winograd.ts,
 * conv-pool-backward.ts) share: the size of a padded image copy in a
 * thread's work buffer, and how a job over independent images is cut into
 * pool chunks. Images are independent, so no cut changes a result.
 */
import { CHUNKS_PER_THREAD, PARALLEL_MACS } from './matmul.js';
import type { WasmContext } from './context.js';
import type { ThreadPool } from './threads.js';

/** Floats the kernels may read past a padded image (assembly/conv-direct.ts PAD_SLACK, written by convPad). */
export const PAD_SLACK = 16;

/** Bytes of a padded copy of `floats` floats with its slack, a multiple of 16. */
export function paddedBytes(floats: number): number {
  return Math.ceil((floats + PAD_SLACK) / 4) * 16;
}

/** Chunks per thread a job over images aims for, and the fewest multiply-adds per chunk. */
const ITEM_CHUNKS_PER_THREAD = 16;
const ITEM_CHUNK_MACS = 1 << 19;

/**
 * How many chunks of whole items a job takes: several per thread, so that
 * threads finish together although a woken worker starts late (3 per thread
 * of 32 images left 7 chunks, one of them a 2-image tail, and whoever started
 * late waited on a 5-image chunk), but none below ITEM_CHUNK_MACS (the claim
 * and the padded copy per chunk stay small).
 */
function itemChunks(T: number, items: number, macs: number): number {
  const byWork = Math.floor(macs / ITEM_CHUNK_MACS);
  return Math.max(1, Math.min(items, T * ITEM_CHUNKS_PER_THREAD, Math.max(T * CHUNKS_PER_THREAD, byWork)));
}

/** A job's cut: `chunks` chunks of whole items (about equal), or `parts` ranges of every item's units. */
export interface ItemPlan {
  chunks: number;
  parts: number;
}

/**
 * The cut of a job over `items` items of `macs` multiply-adds in all: one
 * chunk when single-threaded or small; chunks of whole items when there are
 * at least two per thread (or `wholeItems`); else `parts` ranges of each
 * item's `units` (position vectors, tile rows), each chunk one range.
 */
export function planItems(ctx: WasmContext, items: number, macs: number, units: number, wholeItems = false): ItemPlan {
  const T = ctx.threads;
  if (T === 1 || macs < PARALLEL_MACS) return { chunks: 1, parts: 1 };
  if (items >= 2 * T || wholeItems) return { chunks: itemChunks(T, items, macs), parts: 1 };
  return { chunks: 1, parts: Math.min(units, Math.ceil((T * CHUNKS_PER_THREAD) / items)) };
}

/**
 * Opens the pool chunks of `plan` and calls body(item, part) for every item
 * and part in order (the caller appends its kernel calls; it flushes).
 */
export function forEachItem(pool: ThreadPool, items: number, plan: ItemPlan, body: (item: number, part: number) => void): void {
  let nextChunk = 0;
  for (let it = 0; it < items; it++) {
    // Item it opens chunk c when it is the first of [floor(c·items / chunks), ...).
    const opens = it === Math.floor((nextChunk * items) / plan.chunks);
    if (opens) nextChunk++;
    for (let part = 0; part < plan.parts; part++) {
      if (plan.parts > 1 || opens) pool.chunk();
      body(it, part);
    }
  }
}

/** Range `part` of `parts` over [0, n): [floor(part·n/parts), floor((part+1)·n/parts)). */
export function partRange(part: number, parts: number, n: number): [number, number] {
  return [Math.floor((part * n) / parts), Math.floor(((part + 1) * n) / parts)];
}
