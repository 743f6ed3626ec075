/**
 * Single-precision GEMM: C (=|+=) A·B for any element strides of A and B.
 *
 * BLIS-style blocking. The loops over (jc, pc, ic) cut B into KC×NC blocks
 * (kept in L2/L3) and A into MC×KC blocks (L2); both are *packed* into
 * contiguous micro-panels so that the micro-kernel streams memory linearly:
 *
 *   packed A: per MR-row panel, for each k the MR values A[i..i+MR, k]
 *   packed B: per NR-col panel, for each k the NR values B[k, j..j+NR]
 *
 * Packing is where arbitrary strides (transposes, broadcasts with stride 0,
 * negative strides) are absorbed, so the kernel itself only sees one layout.
 * One exception: for small M a row-major B already has the packed panel's
 * per-k layout (8 contiguous values), so the kernel reads it in place and
 * skips packing B (see DIRECT_B_MAX_M).
 * Edge panels are zero-padded to MR/NR; the micro-kernel then computes a full
 * tile into a small buffer and only the valid part is copied out.
 *
 * The micro-kernel is 5×8: 10 f32x4 accumulators (5 rows × 2 vectors), per k
 * two vector loads of B, one vector load of A's first 4 rows (splatted by
 * shuffles) and one splatted load of the fifth. A block's rows go to panels of
 * 5 and, where the count is not a sum of fives, of 4 (the 4×8 kernel; see
 * fivePanels). Why the shuffles: V8 emits a wasm function's loads in program
 * order ahead of the arithmetic that uses them, so five splatted loads per k
 * (plus two of B) were 7 live vectors beside 10 accumulators, past the 15
 * registers it allocates: two accumulators spilled (23 GFLOP/s). A shuffle is
 * not a load, so it is placed at its use: 14 live vectors, no spill. Measured
 * in L1 (1 thread, kc 256): 5×8 58.1 GFLOP/s, 4×8 54.5, the peak loop 57.5 —
 * 10 accumulators keep both FMA pipes busy through the 4-cycle latency where 8
 * left no slack.
 *
 * Scratch memory (packed panels and the edge tile) is passed in by the caller,
 * so the kernel allocates nothing and threads can each bring their own.
 */
import { at32, imin, madd } from './simd';

/** Rows of the small micro-kernel's tile (remainder panels; the Winograd products). */
export const MR: i32 = 4;
/** Rows of the main micro-kernel's tile. */
export const MR5: i32 = 5;
export const NR: i32 = 8;
/**
 * K and N blocking. KC 512 (was 256, NC 2048: the same 2 MiB of packing
 * scratch per thread): half the K blocks, so half the passes over C and, in a
 * split product, half the fork-joins. Measured with the 5×8 kernel, 1 thread:
 * 1024^3 54.1 -> 54.7 GFLOP/s, 32x288x1024 48.7 -> 49.3, other training shapes
 * +-0.5 %; 2 threads 1024^3, ten alternating runs: median 97.9 -> 101.1.
 */
export const KC: i32 = 512;
export const MC: i32 = 64;
export const NC: i32 = 1024;

/** Bytes of scratch sgemm needs: packed B (KC×NC), packed A (MC×KC), one edge tile (MR5×NR). */
export function sgemmScratchBytes(): i32 {
  return (KC * NC + MC * KC + MR5 * NR) * 4;
}

/**
 * How many 5-row panels a block of `mc` rows is cut into; the rest go to
 * 4-row panels, the last one zero-padded where the rest is not a multiple
 * of 4. Fives and fours cover every count from 12 up exactly (and 4, 5, 8, 9,
 * 10); for 1-3, 6, 7 and 11 rows, 4-row panels alone pad the fewest rows.
 * Each element of C is the same sum in the same order whichever kernel
 * computes it, so the cut changes no result.
 */
// @ts-ignore: decorator
@inline export function fivePanels(mc: i32): i32 {
  const fours = (4 * mc) % 5; // 4·fours ≡ mc (mod 5)
  return 4 * fours <= mc ? (mc - 4 * fours) / 5 : 0;
}

/**
 * Transposes the 4×4 block held in rows r0..r3 and stores its columns as 4
 * vectors at dst, dst+stride, dst+2·stride, dst+3·stride.
 */
// @ts-ignore: decorator
@inline function storeTransposed4(r0: v128, r1: v128, r2: v128, r3: v128, dst: usize, stride: usize): void {
  const t0 = i32x4.shuffle(r0, r1, 0, 4, 1, 5), t1 = i32x4.shuffle(r2, r3, 0, 4, 1, 5);
  const t2 = i32x4.shuffle(r0, r1, 2, 6, 3, 7), t3 = i32x4.shuffle(r2, r3, 2, 6, 3, 7);
  v128.store(dst, i32x4.shuffle(t0, t1, 0, 1, 4, 5));
  v128.store(dst + stride, i32x4.shuffle(t0, t1, 2, 3, 6, 7));
  v128.store(dst + 2 * stride, i32x4.shuffle(t2, t3, 0, 1, 4, 5));
  v128.store(dst + 3 * stride, i32x4.shuffle(t2, t3, 2, 3, 6, 7));
}

/**
 * Packs the kc×nc block of B at `b` (element strides rsB, csB) into NR-column
 * panels at `dst`, zero-padding the last panel.
 */
function packB(kc: i32, nc: i32, b: usize, rsB: i32, csB: i32, dst: usize): void {
  let j = 0;
  if (csB == 1) {
    // Row-major B, four full panels at a time: each row's 32 values (two
    // 64-byte lines) are read once and go to the four panels. Panel by panel,
    // each line was read twice, and with a power-of-two row stride the kc rows
    // of one panel fall into a few cache sets, so the second read came from
    // L2 or beyond. Measured, one K block (kc 256) of a 1024x1024 B, 1 thread:
    // 77 us -> 32 us (two panels at a time: 37 us); N = 2048: 159 -> 64 us;
    // N = 1000 (no set conflicts): 29 us either way. Same bytes out.
    const panelBytes = <usize>kc * (NR << 2), rowBytes = <usize>rsB << 2;
    for (; j + 4 * NR <= nc; j += 4 * NR) {
      let src = at32(b, j), d = dst;
      for (let k = 0; k < kc; k++) {
        const v0 = v128.load(src), v1 = v128.load(src, 16), v2 = v128.load(src, 32), v3 = v128.load(src, 48);
        const v4 = v128.load(src, 64), v5 = v128.load(src, 80), v6 = v128.load(src, 96), v7 = v128.load(src, 112);
        v128.store(d, v0); v128.store(d, v1, 16);
        v128.store(d + panelBytes, v2); v128.store(d + panelBytes, v3, 16);
        v128.store(d + 2 * panelBytes, v4); v128.store(d + 2 * panelBytes, v5, 16);
        v128.store(d + 3 * panelBytes, v6); v128.store(d + 3 * panelBytes, v7, 16);
        src += rowBytes;
        d += NR << 2;
      }
      dst += 4 * panelBytes;
    }
  }
  for (; j < nc; j += NR) {
    const nr = imin(NR, nc - j);
    const col = at32(b, j * csB);
    if (nr == NR && csB == 1) {
      // Row-major B: each k contributes two contiguous vectors.
      for (let k = 0; k < kc; k++) {
        const src = at32(col, k * rsB);
        v128.store(dst, v128.load(src));
        v128.store(dst, v128.load(src, 16), 16);
        dst += NR << 2;
      }
    } else if (nr == NR && rsB == 1) {
      // Column-major B (a transposed view, e.g. colᵀ in the weight gradient):
      // 4 k's of each of the 8 columns are contiguous; transpose 4×4 blocks.
      let k = 0;
      for (; k + 4 <= kc; k += 4) {
        const c0 = at32(col, k);
        storeTransposed4(v128.load(c0), v128.load(at32(c0, csB)), v128.load(at32(c0, 2 * csB)), v128.load(at32(c0, 3 * csB)), dst, NR << 2);
        const c4 = at32(c0, 4 * csB);
        storeTransposed4(v128.load(c4), v128.load(at32(c4, csB)), v128.load(at32(c4, 2 * csB)), v128.load(at32(c4, 3 * csB)), dst + 16, NR << 2);
        dst += 4 * (NR << 2);
      }
      for (; k < kc; k++) {
        for (let c = 0; c < NR; c++) store<f32>(dst + (<usize>c << 2), load<f32>(at32(col, k + c * csB)));
        dst += NR << 2;
      }
    } else {
      for (let k = 0; k < kc; k++) {
        const src = at32(col, k * rsB);
        let c = 0;
        for (; c < nr; c++) store<f32>(dst + (<usize>c << 2), load<f32>(at32(src, c * csB)));
        for (; c < NR; c++) store<f32>(dst + (<usize>c << 2), 0);
        dst += NR << 2;
      }
    }
  }
}

/**
 * Packs the mc×kc block of A at `a` (strides rsA, csA) into row panels at
 * `dst`: fivePanels(mc) panels of 5 rows, then panels of 4, the last one
 * zero-padded. A panel of h rows holds, for each k, the h values A[i..i+h, k].
 */
function packA(mc: i32, kc: i32, a: usize, rsA: i32, csA: i32, dst: usize): void {
  const i5 = fivePanels(mc) * MR5;
  for (let i = 0; i < i5; i += MR5) {
    packPanel5(kc, at32(a, i * rsA), rsA, csA, dst);
    dst += <usize>(MR5 * kc) << 2;
  }
  for (let i = i5; i < mc; i += MR) {
    packPanel4(imin(MR, mc - i), kc, at32(a, i * rsA), rsA, csA, dst);
    dst += <usize>(MR * kc) << 2;
  }
}

/** One 5-row panel of A (rows at `row`, row stride rsA, column stride csA): 5 values per k. */
function packPanel5(kc: i32, row: usize, rsA: i32, csA: i32, dst: usize): void {
  const r1 = at32(row, rsA), r2 = at32(row, 2 * rsA), r3 = at32(row, 3 * rsA), r4 = at32(row, 4 * rsA);
  let k = 0;
  if (rsA == 1) {
    // Column-major A (a transposed view): the 5 values of each k are contiguous.
    for (; k < kc; k++) {
      const src = at32(row, k * csA);
      v128.store(dst, v128.load(src));
      store<f32>(dst, load<f32>(src, 16), 16);
      dst += MR5 << 2;
    }
  } else if (csA == 1) {
    // Row-major A: the first 4 rows' 4×4 blocks transposed with shuffles into slots 20 bytes apart, the fifth row's value after each.
    for (; k + 4 <= kc; k += 4) {
      const o = <usize>k << 2;
      storeTransposed4(v128.load(row + o), v128.load(r1 + o), v128.load(r2 + o), v128.load(r3 + o), dst, MR5 << 2);
      const v4 = v128.load(r4 + o);
      store<f32>(dst, f32x4.extract_lane(v4, 0), 16);
      store<f32>(dst, f32x4.extract_lane(v4, 1), 36);
      store<f32>(dst, f32x4.extract_lane(v4, 2), 56);
      store<f32>(dst, f32x4.extract_lane(v4, 3), 76);
      dst += 80;
    }
  }
  for (; k < kc; k++) {
    const o = k * csA;
    store<f32>(dst, load<f32>(at32(row, o)));
    store<f32>(dst, load<f32>(at32(r1, o)), 4);
    store<f32>(dst, load<f32>(at32(r2, o)), 8);
    store<f32>(dst, load<f32>(at32(r3, o)), 12);
    store<f32>(dst, load<f32>(at32(r4, o)), 16);
    dst += MR5 << 2;
  }
}

/** One panel of up to 4 rows of A (mr rows at `row`), zero-padded to 4 values per k. */
function packPanel4(mr: i32, kc: i32, row: usize, rsA: i32, csA: i32, dst: usize): void {
  if (mr == MR && rsA == 1) {
    // Column-major A (e.g. a transposed view): the MR values of each k are contiguous.
    for (let k = 0; k < kc; k++) {
      v128.store(dst, v128.load(at32(row, k * csA)));
      dst += MR << 2;
    }
  } else if (mr == MR && csA == 1) {
    // Row-major A: transpose 4×4 blocks (4 rows × 4 k's) with shuffles.
    const r1 = at32(row, rsA), r2 = at32(row, 2 * rsA), r3 = at32(row, 3 * rsA);
    let k = 0;
    for (; k + 4 <= kc; k += 4) {
      const o = <usize>k << 2;
      storeTransposed4(v128.load(row + o), v128.load(r1 + o), v128.load(r2 + o), v128.load(r3 + o), dst, MR << 2);
      dst += 4 * (MR << 2);
    }
    for (; k < kc; k++) {
      const o = <usize>k << 2;
      store<f32>(dst, load<f32>(row + o));
      store<f32>(dst, load<f32>(r1 + o), 4);
      store<f32>(dst, load<f32>(r2 + o), 8);
      store<f32>(dst, load<f32>(r3 + o), 12);
      dst += MR << 2;
    }
  } else if (mr == MR) {
    const r1 = at32(row, rsA), r2 = at32(row, 2 * rsA), r3 = at32(row, 3 * rsA);
    for (let k = 0; k < kc; k++) {
      const o = k * csA;
      store<f32>(dst, load<f32>(at32(row, o)));
      store<f32>(dst, load<f32>(at32(r1, o)), 4);
      store<f32>(dst, load<f32>(at32(r2, o)), 8);
      store<f32>(dst, load<f32>(at32(r3, o)), 12);
      dst += MR << 2;
    }
  } else {
    for (let k = 0; k < kc; k++) {
      let r = 0;
      for (; r < mr; r++) store<f32>(dst + (<usize>r << 2), load<f32>(at32(row, r * rsA + k * csA)));
      for (; r < MR; r++) store<f32>(dst + (<usize>r << 2), 0);
      dst += MR << 2;
    }
  }
}

/**
 * What the last K block's store does to C after the sum (the fused linear
 * epilogue): add bias[j] per column (bias 0: none), then max(v, 0) if relu
 * (as the relu op: NaN stays NaN, -0 becomes +0). Applied once per element,
 * after the full sum, so the result is exactly sum + bias, then ReLU: what the
 * unfused matmul -> add -> relu computes.
 */
// @ts-ignore: decorator
@inline export function epi4(v: v128, bias: v128, relu: bool): v128 {
  const w = f32x4.add(v, bias), z = f32x4.splat(0);
  // pmax(w, 0) = w < 0 ? 0 : w keeps NaN (one x86 maxps, where max's NaN/-0 rules cost
  // several instructions); + 0 then turns -0 into +0, as max(w, 0) does.
  return relu ? f32x4.add(f32x4.pmax(w, z), z) : w;
}

/**
 * Stores one row of a micro-kernel's tile (8 floats at `p`, as two vectors):
 * += the row already there with `accumulate`, then with `epi` + the bias
 * vectors bv0, bv1 and ReLU (epi4). Shared by kernel4x8 and kernel5x8.
 */
// @ts-ignore: decorator
@inline function storeRow(p: usize, v0: v128, v1: v128, accumulate: bool, epi: bool, bv0: v128, bv1: v128, relu: bool): void {
  if (accumulate) {
    v0 = f32x4.add(v0, v128.load(p));
    v1 = f32x4.add(v1, v128.load(p, 16));
  }
  if (epi) {
    v0 = epi4(v0, bv0, relu);
    v1 = epi4(v1, bv1, relu);
  }
  v128.store(p, v0);
  v128.store(p, v1, 16);
}

/**
 * The 4×8 micro-kernel (a block's 4-row panels, the Winograd products): tile
 * C[0..4, 0..8] at `c` (row stride ldc elements)
 * (=|+=) packed A panel · B panel over kc, then (epi) + bias[0..8] at
 * `bias` (0: none) and ReLU. B's 8 values of step k are at pb + k·rowB bytes:
 * rowB = NR·4 for a packed panel, the row stride of B itself when the panel
 * is read in place (a row-major B, see sgemm); the arithmetic is the same.
 */
// @ts-ignore: decorator
@inline export function kernel4x8(
  kc: i32, pa: usize, pb: usize, rowB: usize, c: usize, ldc: i32, accumulate: bool, epi: bool, bias: usize, relu: bool,
): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  // The loop ends on the A pointer rather than a counter k < kc. With the counter, V8
  // kept k, kc, pa, pb and the three bases it hoists for the splat offsets (4, 8, 12)
  // live, and spilled two of those bases: two stack reloads per iteration. Bounded by
  // pa, the loop it emits has no reloads (~17 instructions per k step instead of
  // ~19.5). Same speed in quiet minutes (1-thread 1024^3 and 64x256x784, A/B within
  // 0.5 %); the fewer instructions matter where the core's issue slots are shared.
  const aEnd = pa + (<usize>kc << 4);
  while (pa < aEnd) {
    const b0 = v128.load(pb), b1 = v128.load(pb, 16);
    let a = v128.load32_splat(pa);
    c00 = madd(a, b0, c00); c01 = madd(a, b1, c01);
    a = v128.load32_splat(pa, 4);
    c10 = madd(a, b0, c10); c11 = madd(a, b1, c11);
    a = v128.load32_splat(pa, 8);
    c20 = madd(a, b0, c20); c21 = madd(a, b1, c21);
    a = v128.load32_splat(pa, 12);
    c30 = madd(a, b0, c30); c31 = madd(a, b1, c31);
    pa += 16;
    pb += rowB;
  }
  const z = f32x4.splat(0);
  const bv0 = epi && bias ? v128.load(bias) : z, bv1 = epi && bias ? v128.load(bias, 16) : z;
  storeRow(c, c00, c01, accumulate, epi, bv0, bv1, relu);
  storeRow(at32(c, ldc), c10, c11, accumulate, epi, bv0, bv1, relu);
  storeRow(at32(c, 2 * ldc), c20, c21, accumulate, epi, bv0, bv1, relu);
  storeRow(at32(c, 3 * ldc), c30, c31, accumulate, epi, bv0, bv1, relu);
}

/**
 * The 5×8 micro-kernel: as kernel4x8 for a tile of 5 rows (C rows ldc
 * elements apart), from a 5-row A panel (5 values per k, 20 bytes). A's first
 * four values of step k are one vector load splatted lane by lane with
 * shuffles, the fifth one splatted load (see the file comment for why).
 */
// @ts-ignore: decorator
@inline export function kernel5x8(
  kc: i32, pa: usize, pb: usize, rowB: usize, c: usize, ldc: i32, accumulate: bool, epi: bool, bias: usize, relu: bool,
): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  let c40 = f32x4.splat(0), c41 = f32x4.splat(0);
  const aEnd = pa + <usize>kc * 20;
  while (pa < aEnd) {
    const b0 = v128.load(pb), b1 = v128.load(pb, 16);
    const a03 = v128.load(pa), a4 = v128.load32_splat(pa, 16);
    let a = i32x4.shuffle(a03, a03, 0, 0, 0, 0);
    c00 = madd(a, b0, c00); c01 = madd(a, b1, c01);
    a = i32x4.shuffle(a03, a03, 1, 1, 1, 1);
    c10 = madd(a, b0, c10); c11 = madd(a, b1, c11);
    a = i32x4.shuffle(a03, a03, 2, 2, 2, 2);
    c20 = madd(a, b0, c20); c21 = madd(a, b1, c21);
    a = i32x4.shuffle(a03, a03, 3, 3, 3, 3);
    c30 = madd(a, b0, c30); c31 = madd(a, b1, c31);
    c40 = madd(a4, b0, c40); c41 = madd(a4, b1, c41);
    pa += 20;
    pb += rowB;
  }
  const z = f32x4.splat(0);
  const bv0 = epi && bias ? v128.load(bias) : z, bv1 = epi && bias ? v128.load(bias, 16) : z;
  storeRow(c, c00, c01, accumulate, epi, bv0, bv1, relu);
  storeRow(at32(c, ldc), c10, c11, accumulate, epi, bv0, bv1, relu);
  storeRow(at32(c, 2 * ldc), c20, c21, accumulate, epi, bv0, bv1, relu);
  storeRow(at32(c, 3 * ldc), c30, c31, accumulate, epi, bv0, bv1, relu);
  storeRow(at32(c, 4 * ldc), c40, c41, accumulate, epi, bv0, bv1, relu);
}

/** The scalar epilogue of one element (edge tiles, K = 0): v + bias (bias 0: none), then ReLU as the relu op. */
// @ts-ignore: decorator
@inline function epi1(v: f32, bias: usize, j: i32, relu: bool): f32 {
  const w = bias ? v + load<f32>(bias + (<usize>j << 2)) : v;
  return relu ? (w > 0 ? w : (w == w ? <f32>0 : w)) : w;
}

/**
 * Runs the micro-kernel over an mc×nc block of C from packed panels; with
 * `epi` (the last K block) each stored element gets the epilogue (bias at
 * `bias`, indexed by the block's columns; ReLU). Inlined into its callers
 * (macroKernel, macroKernelEpi) with constant flags, so that the plain path's
 * code is the epilogue-free kernel exactly (measured: otherwise ~1% slower).
 *
 * With `direct`, B is not packed: `pb` is the kc×nc block of a row-major B
 * itself (row stride rsB elements), whose full 8-column panels the kernel
 * reads in place; only the last partial panel (nc % NR columns) is packed,
 * zero-padded, at `edgeB` (reading 8 columns there could run past B).
 */
// @ts-ignore: decorator
@inline function macroKernelT(
  mc: i32, nc: i32, kc: i32, pa: usize, pb: usize, c: usize, ldc: i32, accumulate: bool, tile: usize,
  epi: bool, bias: usize, relu: bool, direct: bool, rsB: i32, edgeB: usize,
): void {
  // Two grouping loops around the panel loops, for V8's unroller (see UNROLL_GROUP).
  for (let jg = 0; jg < nc; jg += UNROLL_GROUP * UNROLL_GROUP * NR) {
    const jgEnd = imin(nc, jg + UNROLL_GROUP * UNROLL_GROUP * NR);
    for (let jh = jg; jh < jgEnd; jh += UNROLL_GROUP * NR) {
      panelsT(jh, imin(jgEnd, jh + UNROLL_GROUP * NR), mc, kc, pa, pb, c, ldc, accumulate, tile, epi, bias, relu, direct, rsB, edgeB);
    }
  }
}

/**
 * V8 (TurboFan, Node 20) unrolls an innermost wasm loop about 50·(d + 1) / n
 * times (at most 5), n its node count and d its loop nesting depth. In the
 * shared-memory build (the one Node's worker pool runs) a loop carries a few
 * more nodes (phis and reloads of the memory's start and size), enough that
 * the micro-kernel's k loop inside the two panel loops was unrolled 3 times
 * in the plain build and only twice in the shared one, whose macro-kernel
 * ran 2.5 % slower. Two grouping loops around them deepen it by two: unrolled
 * 4 times in both builds, one stack check and loop branch per 4 k steps;
 * the groups (of UNROLL_GROUP² and UNROLL_GROUP B panels) change no order.
 * Measured, macro-kernel alone from packed panels (1 thread, shared
 * build): 60x512x1024 53.1 -> 55.5 GFLOP/s, 64x784x256 54.2 -> 57.0, 64x256x256
 * 55.1 -> 56.8; plain build 54.3 -> 55.2. Unrolling by hand instead (3 or 4
 * steps per iteration with exit tests between them) was slower (53.4, 54.0).
 */
const UNROLL_GROUP: i32 = 16;

/** The panel loops of macroKernelT over the B panels of columns [j0, j1) (j0 a multiple of NR). */
// @ts-ignore: decorator
@inline function panelsT(
  j0: i32, j1: i32, mc: i32, kc: i32, pa: usize, pb: usize, c: usize, ldc: i32, accumulate: bool, tile: usize,
  epi: bool, bias: usize, relu: bool, direct: bool, rsB: i32, edgeB: usize,
): void {
  const i5 = fivePanels(mc) * MR5;
  for (let j = j0; j < j1; j += NR) {
    const nr = imin(NR, j1 - j); // j1 is nc or a multiple of NR
    const inPlace = direct && nr == NR;
    const panelB = inPlace ? at32(pb, j) : direct ? edgeB : pb + <usize>(j * kc) * 4;
    const rowB: usize = inPlace ? <usize>rsB << 2 : NR << 2;
    const bj = bias ? bias + (<usize>j << 2) : 0;
    // Panels of 5 rows, then of 4 (see packA); panel i starts i·kc floats into the packed block.
    for (let i = 0; i < i5; i += MR5) {
      const panelA = pa + <usize>(i * kc) * 4;
      const cij = at32(c, i * ldc + j);
      if (nr == NR) {
        kernel5x8(kc, panelA, panelB, rowB, cij, ldc, accumulate, epi, bj, relu);
      } else {
        kernel5x8(kc, panelA, panelB, rowB, tile, NR, false, false, 0, false);
        copyEdge(MR5, nr, tile, cij, ldc, accumulate, epi, bj, relu);
      }
    }
    for (let i = i5; i < mc; i += MR) {
      const mr = imin(MR, mc - i);
      const panelA = pa + <usize>(i * kc) * 4;
      const cij = at32(c, i * ldc + j);
      if (mr == MR && nr == NR) {
        kernel4x8(kc, panelA, panelB, rowB, cij, ldc, accumulate, epi, bj, relu);
      } else {
        kernel4x8(kc, panelA, panelB, rowB, tile, NR, false, false, 0, false);
        copyEdge(mr, nr, tile, cij, ldc, accumulate, epi, bj, relu);
      }
    }
  }
}

/**
 * Edge tile: the kernel computed a full tile into the scratch `tile` (rows NR
 * floats apart); copies its valid mr×nr part to C (+= with `accumulate`, then
 * the epilogue with `epi`).
 */
// @ts-ignore: decorator
@inline function copyEdge(mr: i32, nr: i32, tile: usize, cij: usize, ldc: i32, accumulate: bool, epi: bool, bj: usize, relu: bool): void {
  for (let r = 0; r < mr; r++) {
    const dst = at32(cij, r * ldc);
    const src = tile + (<usize>(r * NR) << 2);
    for (let s = 0; s < nr; s++) {
      const v = load<f32>(src + (<usize>s << 2));
      const d = dst + (<usize>s << 2);
      const t = accumulate ? load<f32>(d) + v : v;
      store<f32>(d, epi ? epi1(t, bj, s, relu) : t);
    }
  }
}

/** The micro-kernel over an mc×nc block of C from packed panels, no epilogue. */
function macroKernel(mc: i32, nc: i32, kc: i32, pa: usize, pb: usize, c: usize, ldc: i32, accumulate: bool, tile: usize): void {
  macroKernelT(mc, nc, kc, pa, pb, c, ldc, accumulate, tile, false, 0, false, false, 0, 0);
}

/** The same with the epilogue on every stored element (the last K block of a fused linear layer). */
function macroKernelEpi(
  mc: i32, nc: i32, kc: i32, pa: usize, pb: usize, c: usize, ldc: i32, accumulate: bool, tile: usize, bias: usize, relu: bool,
): void {
  // relu a constant in each inlined copy: no per-vector select.
  if (relu) macroKernelT(mc, nc, kc, pa, pb, c, ldc, accumulate, tile, true, bias, true, false, 0, 0);
  else macroKernelT(mc, nc, kc, pa, pb, c, ldc, accumulate, tile, true, bias, false, false, 0, 0);
}

/** macroKernel reading a row-major B in place (`b`, row stride rsB; last partial panel packed at edgeB). */
function macroKernelDirect(
  mc: i32, nc: i32, kc: i32, pa: usize, b: usize, rsB: i32, edgeB: usize, c: usize, ldc: i32, accumulate: bool, tile: usize,
): void {
  macroKernelT(mc, nc, kc, pa, b, c, ldc, accumulate, tile, false, 0, false, true, rsB, edgeB);
}

/** macroKernelEpi reading a row-major B in place. */
function macroKernelDirectEpi(
  mc: i32, nc: i32, kc: i32, pa: usize, b: usize, rsB: i32, edgeB: usize, c: usize, ldc: i32, accumulate: bool, tile: usize,
  bias: usize, relu: bool,
): void {
  if (relu) macroKernelT(mc, nc, kc, pa, b, c, ldc, accumulate, tile, true, bias, true, true, rsB, edgeB);
  else macroKernelT(mc, nc, kc, pa, b, c, ldc, accumulate, tile, true, bias, false, true, rsB, edgeB);
}

/** `flags` bits of sgemm: += into C instead of =. */
export const GEMM_ACCUMULATE: i32 = 1;
/** `flags` bits of sgemm: ReLU on the stored result (after the bias). */
export const GEMM_RELU: i32 = 2;
/**
 * `flags` bits of sgemm: always pack B, even where it would be read in place
 * (see DIRECT_B_MAX_M). The results are the same bits either way; the flag
 * lets tests and benchmarks compare the two paths.
 */
export const GEMM_PACK_B: i32 = 4;

/**
 * Up to this many rows of C, a row-major B (csB == 1, rsB > 0: e.g. the
 * im2col matrix of a convolution with few output channels, or a weight in a
 * product with a small batch) is read in place instead of packed, unless its
 * row stride is a multiple of DIRECT_B_ALIAS elements (see directB).
 *
 * Why: packing reads and writes all of B, the big operand when M is small,
 * and each packed value is then used only ceil(M/MR) times. The kernel can
 * load B[k, j..j+8] straight from B instead: same loads per k, same FMAs in
 * the same order, so the results are bit-identical to the packed path.
 * Measured (1 thread, K = 256, AMD EPYC VM): in place is 1.2-1.35x at M = 8,
 * ~1.15x at M = 16, ~1.07x at M = 32, and no better than packing at M = 64
 * (+0-4 %, within noise), where the packed panel's reuse from L1 pays for it.
 */
export const DIRECT_B_MAX_M: i32 = 32;

/**
 * Rows of B whose stride is a multiple of this many elements (2 KiB) map the
 * kc rows one panel reads onto a few cache sets (L1 has 64 sets of 64-byte
 * lines, a 4 KiB period), so reused panel rows evict each other and come from
 * L2/L3 each time: measured 0.6-0.9x of the packed path at N = 1024, 2048,
 * 4096 (0.61x for M 32 N 4096 K 256, the VGG classifier's dX), 0.97x at
 * M 32 N 512. Such B is packed, whose panels are contiguous.
 */
const DIRECT_B_ALIAS: i32 = 512;

/** Whether sgemm reads B in place (see DIRECT_B_MAX_M); GEMM_PACK_B in `flags` forces packing. */
// @ts-ignore: decorator
@inline function directB(M: i32, rsB: i32, csB: i32, flags: i32): bool {
  return csB == 1 && rsB > 0 && rsB % DIRECT_B_ALIAS != 0 && M <= DIRECT_B_MAX_M && (flags & GEMM_PACK_B) == 0;
}

/**
 * C[M×N] (row stride ldc) = A[M×K]·B[K×N], or += when `flags` has
 * GEMM_ACCUMULATE (bit 0; the old `accumulate` 0/1 argument). Then, as each
 * element is stored for the last time (the fused linear epilogue):
 * + bias[j] when `bias` is non-zero (f32 [N], per column), and ReLU when
 * `flags` has GEMM_RELU; bias 0 (or omitted by a JS caller: undefined -> 0)
 * and no GEMM_RELU store the plain product.
 * GEMM_PACK_B (bit 2) packs B even where it would be read in place (same
 * result bits; for tests and benchmarks).
 * A element (i, k) is at a + 4*(i*rsA + k*csA); B likewise with rsB, csB.
 * Strides are in elements and may be zero or negative. `scratch` points to
 * sgemmScratchBytes() bytes, 16-byte aligned. C must be 16-byte aligned
 * in rows only if ldc keeps it so (the kernel uses unaligned-safe v128 ops).
 */
export function sgemm(
  M: i32, N: i32, K: i32,
  a: usize, rsA: i32, csA: i32,
  b: usize, rsB: i32, csB: i32,
  c: usize, ldc: i32, flags: i32, scratch: usize, bias: usize,
): void {
  if (M <= 0 || N <= 0) return;
  const accumulate = (flags & GEMM_ACCUMULATE) != 0, relu = (flags & GEMM_RELU) != 0;
  if (K <= 0) {
    if (!accumulate) {
      for (let i = 0; i < M; i++) memory.fill(at32(c, i * ldc), 0, <usize>N << 2);
    }
    if (bias || relu) {
      for (let i = 0; i < M; i++) {
        const row = at32(c, i * ldc);
        for (let j = 0; j < N; j++) {
          const p = row + (<usize>j << 2);
          store<f32>(p, epi1(load<f32>(p), bias, j, relu));
        }
      }
    }
    return;
  }
  const pb = scratch;
  const pa = pb + <usize>(KC * NC) * 4;
  const tile = pa + <usize>(MC * KC) * 4;
  const direct = directB(M, rsB, csB, flags);
  for (let jc = 0; jc < N; jc += NC) {
    const nc = imin(NC, N - jc);
    const bjc = bias ? bias + (<usize>jc << 2) : 0;
    // Direct: full panels read in place; the last partial one (if any) packed into pb.
    const ncFull = nc & ~(NR - 1);
    for (let pc = 0; pc < K; pc += KC) {
      const kc = imin(KC, K - pc);
      const bpc = at32(b, pc * rsB + jc * csB);
      if (!direct) packB(kc, nc, bpc, rsB, csB, pb);
      else if (ncFull < nc) packB(kc, nc - ncFull, at32(bpc, ncFull), rsB, csB, pb);
      const acc = accumulate || pc > 0;
      const epi = (bias != 0 || relu) && pc + kc >= K;
      for (let ic = 0; ic < M; ic += MC) {
        const mc = imin(MC, M - ic);
        packA(mc, kc, at32(a, ic * rsA + pc * csA), rsA, csA, pa);
        const cb = at32(c, ic * ldc + jc);
        if (direct) {
          if (epi) macroKernelDirectEpi(mc, nc, kc, pa, bpc, rsB, pb, cb, ldc, acc, tile, bjc, relu);
          else macroKernelDirect(mc, nc, kc, pa, bpc, rsB, pb, cb, ldc, acc, tile);
        } else if (epi) macroKernelEpi(mc, nc, kc, pa, pb, cb, ldc, acc, tile, bjc, relu);
        else macroKernel(mc, nc, kc, pa, pb, cb, ldc, acc, tile);
      }
    }
  }
}

/**
 * `flags` bit of sgemmPackedB: this call covers the last K block, so each
 * stored element gets the epilogue (bias, then ReLU with GEMM_RELU).
 */
export const GEMM_LAST_K: i32 = 8;

/**
 * Packs columns [0, nc) of the kc×nc block of B at `b` (strides rsB, csB)
 * into NR-column panels at `dst`, as sgemm packs its B block: panel p (columns
 * p·NR..p·NR+NR) at dst + p·NR·kc floats, the last one zero-padded. A block
 * packed in column ranges that start on multiples of NR (dst advanced by
 * start·kc floats) is the same bytes as one packed whole: threads share the
 * work of one shared packing (see sgemmPackedB).
 */
export function sgemmPackB(kc: i32, nc: i32, b: usize, rsB: i32, csB: i32, dst: usize): void {
  packB(kc, nc, b, rsB, csB, dst);
}

/**
 * One K block of sgemm over M rows with B already packed (by sgemmPackB, kc×nc,
 * shared by the threads computing different rows): for each MC-row block,
 * pack A[rows, pc..pc+kc) (at `a`, strides rsA, csA) into the scratch, then
 * the micro-kernel over the packed panels. `flags`: GEMM_ACCUMULATE (+= into
 * C: every K block but a product's first), GEMM_RELU and GEMM_LAST_K (the
 * epilogue with `bias`, indexed by the block's columns). Called for the K
 * blocks in order, it computes exactly what sgemm computes: the same sums in
 * the same order, so the same bits.
 */
export function sgemmPackedB(
  M: i32, nc: i32, kc: i32, a: usize, rsA: i32, csA: i32, pb: usize,
  c: usize, ldc: i32, flags: i32, scratch: usize, bias: usize,
): void {
  if (M <= 0 || nc <= 0 || kc <= 0) return;
  const acc = (flags & GEMM_ACCUMULATE) != 0, relu = (flags & GEMM_RELU) != 0;
  const epi = (flags & GEMM_LAST_K) != 0 && (bias != 0 || relu);
  const pa = scratch + <usize>(KC * NC) * 4;
  const tile = pa + <usize>(MC * KC) * 4;
  for (let ic = 0; ic < M; ic += MC) {
    const mc = imin(MC, M - ic);
    packA(mc, kc, at32(a, ic * rsA), rsA, csA, pa);
    const cb = at32(c, ic * ldc);
    if (epi) macroKernelEpi(mc, nc, kc, pa, pb, cb, ldc, acc, tile, bias, relu);
    else macroKernel(mc, nc, kc, pa, pb, cb, ldc, acc, tile);
  }
}
