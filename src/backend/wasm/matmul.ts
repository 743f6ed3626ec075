/**
 * Batched float32 matmul on the wasm GEMM, any strides (the GEMM packs its
 * operands, so transposed, broadcast and flipped views cost no copy), split
 * across threads.
 *
 * Splitting only cuts C into blocks of whole rows or columns; every element
 * is still one dot product summed in the same order (and gets the same
 * epilogue: bias, ReLU), so results are bit-identical whatever the thread count.
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
/**
 * Units of a split: rows in multiples of 4 (assembly/gemm.ts cuts a block's rows into panels of
 * 5 and of 4, and a multiple of 4 leaves no padded panel), columns in multiples of the tile's NR.
 */
const MR = 4, NR = 8;
/** sgemm's K and N blocking (assembly/gemm.ts KC, NC): the shared-B path cuts the same blocks. */
const KC = 512, NC = 1024;
/**
 * A GEMM split into row blocks shares one packing of B (see gemmSharedB) from
 * this many multiply-adds, rows and columns: below, the two extra fork-joins
 * per K block cost about what the packings they save do. Measured (2 threads,
 * 40 interleaved pairs each, medians): 1024^3 +4.5 to +8.8 % (4 runs),
 * 2048x256x2048 +3.5 %, 512x4096x300 +2 %; 300x1024x300 and 4096x64x512 no
 * change, hence the row and column floors.
 */
const SHARED_B_MACS = 1 << 24;
const SHARED_B_MIN_M = 512;
const SHARED_B_MIN_N = 256;

/** At most this many rows of C: a split cuts C into exactly one column block per thread (see partsFor). */
const SMALL_M = 128;

/** One GEMM call's operands (byte addresses, element strides). */
export interface Gemm {
  M: number; N: number; K: number;
  a: number; rsA: number; csA: number;
  b: number; rsB: number; csB: number;
  c: number; ldc: number; accumulate: number;
  /** Fused epilogue (the linear layer's): f32 [N] added per column (address; 0 or absent: none), then ReLU if `relu`. */
  bias?: number; relu?: boolean;
}

/** sgemmPackedB's `flags` bit for a product's last K block (assembly/gemm.ts GEMM_LAST_K). */
const GEMM_LAST_K = 8;

/** Whether a split cuts C into column blocks (wide C) rather than row blocks (tall C). */
const splitsColumns = (g: Gemm): boolean => g.N / NR >= g.M / MR;

/** sgemm's `flags` argument (assembly/gemm.ts GEMM_ACCUMULATE, GEMM_RELU). */
const flagsOf = (g: Gemm): number => (g.accumulate ? 1 : 0) | (g.relu ? 2 : 0);

/** The sgemm export with its trailing epilogue argument (bias address; kernels.ts types the 13-argument form). */
type SgemmWithBias = (
  M: number, N: number, K: number, a: number, rsA: number, csA: number, b: number, rsB: number, csB: number,
  c: number, ldc: number, flags: number, scratch: number, bias: number,
) => void;

/** Runs `g` whole on the calling thread. */
function gemmInline(ctx: WasmContext, g: Gemm): void {
  (ctx.kernels.sgemm as unknown as SgemmWithBias)(
    g.M, g.N, g.K, g.a, g.rsA, g.csA, g.b, g.rsB, g.csB, g.c, g.ldc, flagsOf(g), ctx.gemmScratch, g.bias ?? 0);
}

/**
 * Appends chunks computing `g` in about `parts` blocks (fewer when blocks would
 * get small): column blocks (multiples of NR) when C is wide, row blocks
 * (multiples of MR) when tall. Each chunk packs its own panels in its thread's
 * scratch: a column block packs all of A again, which is why small-M callers
 * ask for one block per thread (`partsFor`).
 */
function gemmChunks(pool: ThreadPool, g: Gemm, parts: number): void {
  const macs = g.M * g.N * g.K;
  const flags = flagsOf(g), bias = g.bias ?? 0;
  parts = Math.max(1, Math.min(parts, Math.floor(macs / MIN_CHUNK_MACS)));
  const byCols = splitsColumns(g);
  const len = byCols ? g.N : g.M, unit = byCols ? NR : MR;
  const step = Math.max(unit, Math.ceil(len / parts / unit) * unit);
  for (let s = 0; s < len; s += step) {
    const e = Math.min(len, s + step);
    pool.chunk();
    if (byCols) {
      pool.call(FN.sgemm, g.M, e - s, g.K, g.a, g.rsA, g.csA, g.b + 4 * s * g.csB, g.rsB, g.csB,
        g.c + 4 * s, g.ldc, flags, SCRATCH, bias && bias + 4 * s);
    } else {
      pool.call(FN.sgemm, e - s, g.N, g.K, g.a + 4 * s * g.rsA, g.rsA, g.csA, g.b, g.rsB, g.csB,
        g.c + 4 * s * g.ldc, g.ldc, flags, SCRATCH, bias);
    }
  }
}

/**
 * Runs `g` split into about `parts` row blocks whose threads share one packed
 * copy of each B block, where gemmChunks would have every row block pack all
 * of B again (3 times per thread: ~1 % of a 1024^3 product per packing on the
 * 2-core VM). B is cut into (NC, KC) blocks, taken in order (K blocks in
 * order within each column block); block s is packed in column ranges
 * (sgemmPackB) into one of two temporary buffers, and its row blocks are
 * computed from it (sgemmPackedB). The packing of block s + 1 goes into the
 * same pool job as the products of block s (the other buffer), so a call has
 * one fork-join per block plus the first packing, not two per block: the
 * packing chunks fill the job's tail. Measured on the 2-core VM (2 threads,
 * interleaved block pairs against two jobs per block): 1024^3 1.006-1.024x,
 * 2048^3 1.016x; a packing-only job of a 1024^3 product takes 0.14 ms. Each element is summed over the same K blocks in the
 * same order by the same micro-kernel as in sgemm, so the result is
 * bit-identical to gemmChunks and to one sgemm call.
 */
function gemmSharedB(ctx: WasmContext, g: Gemm, parts: number): void {
  const { M, N, K } = g, pool = ctx.pool;
  const packParts = ctx.threads * CHUNKS_PER_THREAD;
  const rowStep = Math.max(MR, Math.ceil(M / parts / MR) * MR);
  const accumulate = g.accumulate ? 1 : 0, relu = g.relu ? 2 : 0, bias = g.bias ?? 0;
  const blocks: { jc: number; nc: number; pc: number; kc: number }[] = [];
  for (let jc = 0; jc < N; jc += NC) {
    for (let pc = 0; pc < K; pc += KC) blocks.push({ jc, nc: Math.min(NC, N - jc), pc, kc: Math.min(KC, K - pc) });
  }
  const bytes = KC * Math.ceil(Math.min(N, NC) / NR) * NR * 4;
  const buffers = blocks.length > 1 ? [ctx.temp(bytes), ctx.temp(bytes)] : [ctx.temp(bytes)];
  const pack = (s: number): void => {
    const { jc, nc, pc, kc } = blocks[s]!, dst = buffers[s % 2]!.ptr;
    const panels = Math.ceil(nc / NR);
    const perPack = Math.ceil(panels / packParts);
    for (let p0 = 0; p0 < panels; p0 += perPack) {
      const j0 = p0 * NR, j1 = Math.min(nc, (p0 + perPack) * NR);
      pool.chunk();
      pool.call(FN.sgemmPackB, kc, j1 - j0, g.b + 4 * (pc * g.rsB + (jc + j0) * g.csB), g.rsB, g.csB, dst + 4 * j0 * kc);
    }
  };
  try {
    pack(0);
    pool.flush();
    for (let s = 0; s < blocks.length; s++) {
      const { jc, nc, pc, kc } = blocks[s]!, src = buffers[s % 2]!.ptr;
      const flags = (pc > 0 ? 1 : accumulate) | relu | (pc + kc >= K ? GEMM_LAST_K : 0);
      for (let i0 = 0; i0 < M; i0 += rowStep) {
        pool.chunk();
        pool.call(FN.sgemmPackedB, Math.min(rowStep, M - i0), nc, kc, g.a + 4 * (i0 * g.rsA + pc * g.csA), g.rsA, g.csA, src,
          g.c + 4 * (i0 * g.ldc + jc), g.ldc, flags, SCRATCH, bias && bias + 4 * jc);
      }
      if (s + 1 < blocks.length) pack(s + 1);
      pool.flush();
    }
  } finally {
    for (const b of buffers) ctx.freeTemp(b);
  }
}

/** Whether a GEMM cut into `parts` blocks goes through gemmSharedB: row blocks of a large product with a wide B. */
function sharesB(g: Gemm, parts: number): boolean {
  return parts > 1 && g.K > 0 && g.M >= SHARED_B_MIN_M && g.N >= SHARED_B_MIN_N && g.M * g.N * g.K >= SHARED_B_MACS
    && !splitsColumns(g);
}

/** Chunks per thread: a few, so that a thread slowed down by the OS takes fewer. */
export const CHUNKS_PER_THREAD = 3;

/**
 * How many blocks to cut one GEMM into on T threads: a few per thread, except
 * for small M (<= SMALL_M rows, e.g. a batch of 64 through a linear layer),
 * where C is cut into column blocks and each block packs all of A again:
 * then exactly one block per thread, so A is packed T times and not 3T.
 */
function partsFor(g: Gemm, T: number): number {
  return g.M <= SMALL_M && splitsColumns(g) ? T : T * CHUNKS_PER_THREAD;
}

/** Runs one GEMM now: inline when small or single-threaded, else split across the pool in a few blocks per thread. */
export function gemm(ctx: WasmContext, g: Gemm): void {
  const T = ctx.threads;
  if (T === 1 || g.M * g.N * g.K < PARALLEL_MACS) {
    gemmInline(ctx, g);
    return;
  }
  const parts = T * CHUNKS_PER_THREAD;
  if (sharesB(g, parts)) return gemmSharedB(ctx, g, parts);
  gemmChunks(ctx.pool, g, parts);
  ctx.pool.flush();
}

/**
 * Runs one matrix product now (matmul, linear layers): as `gemm`, but a
 * small-M product is split into one column block per thread (`partsFor`).
 * @example matmulGemm(ctx, { M: 64, N: 256, K: 784, a, rsA: 784, csA: 1, b: w, rsB: 1, csB: 784, c, ldc: 256, accumulate: 0, bias, relu: true })
 */
export function matmulGemm(ctx: WasmContext, g: Gemm): void {
  const T = ctx.threads;
  if (T === 1 || g.M * g.N * g.K < PARALLEL_MACS) {
    gemmInline(ctx, g);
    return;
  }
  const parts = partsFor(g, T);
  if (sharesB(g, parts)) return gemmSharedB(ctx, g, parts);
  gemmChunks(ctx.pool, g, parts);
  ctx.pool.flush();
}

/** The backend's float32 matmul: a `[...B, M, K]` @ b `[...B, K, N]`, any strides; null (decline) for other dtypes. */
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
    for (let i = 0; i < nb; i++) gemmInline(ctx, one(i));
    return out;
  }
  // Many batch entries: whole GEMMs per chunk; few: split each one (a single small-M one per thread).
  const parts = Math.max(1, Math.ceil((nb === 1 ? partsFor(one(0), T) : T * CHUNKS_PER_THREAD) / nb));
  if (nb === 1 && sharesB(one(0), parts)) {
    gemmSharedB(ctx, one(0), parts);
    return out;
  }
  for (let i = 0; i < nb; i++) gemmChunks(ctx.pool, one(i), parts);
  ctx.pool.flush();
  return out;
}
