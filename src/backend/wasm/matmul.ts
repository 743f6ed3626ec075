/**
 * Batched float32 matmul on the wasm GEMM, any strides (the GEMM packs its
 * operands, so transposed, broadcast and flipped views cost no copy), split
 * across threads.
 *
 * Splitting only cuts C into blocks of whole rows or columns; every element
 * is still one dot product summed in the same order, so results are
 * bit-identical whatever the thread count.
 */
import type { Layout } from '../backend.js';
import { offsetsOf } from '../reference/storage.js';
import { addr, type WasmContext } from './context.js';
import type { WasmStorage } from './storage.js';
import { FN, SCRATCH, type ThreadPool } from './threads.js';

/** Multiply-adds below which work runs on the calling thread alone (~0.1 ms: waking a sleeping worker costs tens of microseconds). */
export const PARALLEL_MACS = 1 << 20;
/** Smallest block a split GEMM hands to one chunk, in multiply-adds. */
const MIN_CHUNK_MACS = 1 << 16;
/** Register-tile edges of the micro-kernel (assembly/gemm.ts MR, NR): splits keep to multiples. */
const MR = 4, NR = 8;

/** One GEMM call's operands (byte addresses, element strides). */
interface Gemm {
  M: number; N: number; K: number;
  a: number; rsA: number; csA: number;
  b: number; rsB: number; csB: number;
  c: number; ldc: number; accumulate: number;
}

/**
 * Appends chunks computing `g` in about `parts` blocks (fewer when blocks would
 * get small): column blocks (multiples of NR) when C is wide, row blocks
 * (multiples of MR) when tall. Each chunk packs its own panels in its thread's scratch.
 */
function gemmChunks(pool: ThreadPool, g: Gemm, parts: number): void {
  const macs = g.M * g.N * g.K;
  parts = Math.max(1, Math.min(parts, Math.floor(macs / MIN_CHUNK_MACS)));
  const byCols = g.N / NR >= g.M / MR;
  const len = byCols ? g.N : g.M, unit = byCols ? NR : MR;
  const step = Math.max(unit, Math.ceil(len / parts / unit) * unit);
  for (let s = 0; s < len; s += step) {
    const e = Math.min(len, s + step);
    pool.chunk();
    if (byCols) {
      pool.call(FN.sgemm, g.M, e - s, g.K, g.a, g.rsA, g.csA, g.b + 4 * s * g.csB, g.rsB, g.csB,
        g.c + 4 * s, g.ldc, g.accumulate, SCRATCH);
    } else {
      pool.call(FN.sgemm, e - s, g.N, g.K, g.a + 4 * s * g.rsA, g.rsA, g.csA, g.b, g.rsB, g.csB,
        g.c + 4 * s * g.ldc, g.ldc, g.accumulate, SCRATCH);
    }
  }
}

/** Chunks per thread: a few, so that a thread slowed down by the OS takes fewer. */
export const CHUNKS_PER_THREAD = 3;

/** Runs one GEMM now: inline when small or single-threaded, else split across the pool. */
export function gemm(ctx: WasmContext, g: Gemm): void {
  const T = ctx.threads;
  if (T === 1 || g.M * g.N * g.K < PARALLEL_MACS) {
    ctx.kernels.sgemm(g.M, g.N, g.K, g.a, g.rsA, g.csA, g.b, g.rsB, g.csB, g.c, g.ldc, g.accumulate, ctx.gemmScratch);
    return;
  }
  gemmChunks(ctx.pool, g, T * CHUNKS_PER_THREAD);
  ctx.pool.flush();
}

export function wasmMatmul(ctx: WasmContext, a: WasmStorage, al: Layout, b: WasmStorage, bl: Layout): WasmStorage | null {
  if (a.dtype !== 'float32' || b.dtype !== 'float32') return null;
  const r = al.shape.length;
  const M = al.shape[r - 2]!, K = al.shape[r - 1]!, N = bl.shape[r - 1]!;
  const batchShape = al.shape.slice(0, r - 2);
  const aBatch = offsetsOf({ shape: batchShape, strides: al.strides.slice(0, r - 2), offset: al.offset });
  const bBatch = offsetsOf({ shape: batchShape, strides: bl.strides.slice(0, r - 2), offset: bl.offset });
  const nb = aBatch.length;
  const out = ctx.alloc('float32', nb * M * N);
  const [rsA, csA] = [al.strides[r - 2]!, al.strides[r - 1]!];
  const [rsB, csB] = [bl.strides[r - 2]!, bl.strides[r - 1]!];
  const one = (i: number): Gemm => ({
    M, N, K, a: addr(a, aBatch[i]!), rsA, csA, b: addr(b, bBatch[i]!), rsB, csB, c: addr(out, i * M * N), ldc: N, accumulate: 0,
  });
  const T = ctx.threads;
  if (T === 1 || nb * M * N * K < PARALLEL_MACS) {
    for (let i = 0; i < nb; i++) {
      const g = one(i);
      ctx.kernels.sgemm(M, N, K, g.a, rsA, csA, g.b, rsB, csB, g.c, N, 0, ctx.gemmScratch);
    }
    return out;
  }
  // Many batch entries: whole GEMMs per chunk; few: split each one.
  const parts = Math.max(1, Math.ceil((T * CHUNKS_PER_THREAD) / nb));
  for (let i = 0; i < nb; i++) gemmChunks(ctx.pool, one(i), parts);
  ctx.pool.flush();
  return out;
}
