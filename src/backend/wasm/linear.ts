/**
 * The fused linear layer on the wasm backend (FusedKernels.linearEpilogue and
 * linearEpilogueBackward, see ../backend.ts): y = relu?(x·wᵀ + bias) as one
 * GEMM whose last store adds the bias and applies the ReLU (assembly/gemm.ts,
 * sgemm's epilogue), and its backward's elementwise part (ReLU mask of the
 * upstream gradient, bias gradient = column sums) without the op layer's
 * per-op overhead. float32 only; anything else declines (null).
 */
import { addr, type WasmContext } from './context.js';
import { matmulGemm } from './matmul.js';
import type { WasmStorage } from './storage.js';
import { FN } from './threads.js';

/** assembly/elementwise.ts RELU_BWD (out = b > 0 ? a : 0) and assembly/reduce.ts SUM. */
const RELU_BWD = 13, SUM = 0;
/** Elements from which the mask pass is split across threads (below, one thread is quicker than a job). */
const PARALLEL_ELEMS = 1 << 17;

/**
 * relu?(x·wᵀ + bias): x `[rows, inF]`, w `[outF, inF]`, bias `[outF]` or
 * null, all contiguous -> `[rows, outF]`. Each element is the same dot product
 * the matmul computes, then + bias, then ReLU, so the result equals the unfused
 * matmul -> add -> relu bit for bit, and is the same for any thread count.
 * @example wasmLinearEpilogue(ctx, x, w, b, 64, 784, 256, true)  // [64, 256]
 */
export function wasmLinearEpilogue(
  ctx: WasmContext, x: WasmStorage, w: WasmStorage, bias: WasmStorage | null, rows: number, inF: number, outF: number, relu: boolean,
): WasmStorage | null {
  if (x.dtype !== 'float32' || w.dtype !== 'float32' || (bias && bias.dtype !== 'float32')) return null;
  const out = ctx.alloc('float32', rows * outF);
  if (rows === 0 || outF === 0) return out;
  matmulGemm(ctx, {
    M: rows, N: outF, K: inF, a: addr(x, 0), rsA: inF, csA: 1, b: addr(w, 0), rsB: 1, csB: inF,
    c: addr(out, 0), ldc: outF, accumulate: 0, bias: bias ? addr(bias, 0) : 0, relu,
  });
  return out;
}

/**
 * The epilogue's backward over g `[rows, F]`: with `y` (the forward's output,
 * ReLU applied) g masked where y <= 0 (as reluBackward), else null (g passes
 * unchanged); with `bias`, the column sums of that gradient `[F]` (as sum over
 * dim 0: summed in double precision, rows in order).
 * @example wasmLinearEpilogueBackward(ctx, g, y, 64, 256, true)  // { g: masked [64,256], bias: [256] }
 */
export function wasmLinearEpilogueBackward(
  ctx: WasmContext, g: WasmStorage, y: WasmStorage | null, rows: number, F: number, bias: boolean,
): { g: WasmStorage | null; bias: WasmStorage | null } | null {
  if (g.dtype !== 'float32' || (y && y.dtype !== 'float32')) return null;
  const n = rows * F;
  let masked: WasmStorage | null = null;
  if (y) {
    masked = ctx.alloc('float32', n);
    const ga = addr(g, 0), ya = addr(y, 0), oa = addr(masked, 0);
    if (ctx.threads === 1 || n < PARALLEL_ELEMS || rows < 2) {
      if (n > 0) ctx.kernels.binaryF32(RELU_BWD, rows, F, ga, F, 1, ya, F, 1, oa);
    } else {
      // Row blocks; elementwise, so any split gives the same bits.
      const parts = Math.min(rows, ctx.threads * 2);
      const pool = ctx.pool;
      for (let k = 0; k < parts; k++) {
        const r0 = Math.floor((k * rows) / parts), r1 = Math.floor(((k + 1) * rows) / parts);
        if (r1 === r0) continue;
        const o = 4 * r0 * F;
        pool.chunk();
        pool.call(FN.binaryF32, RELU_BWD, r1 - r0, F, ga + o, F, 1, ya + o, F, 1, oa + o);
      }
      pool.flush();
    }
  }
  let db: WasmStorage | null = null;
  if (bias) {
    db = ctx.alloc('float32', F, rows === 0);
    if (rows > 0 && F > 0) ctx.kernels.reduceF32(SUM, 1, rows, F, addr(masked ?? g, 0), addr(db, 0));
  }
  return { g: masked, bias: db };
}
