/**
 * Direct float32 convolution kernels for stride 1 along the width (any
 * stride along depth/height, any dilation): no column matrix, where per-image
 * im2col + GEMM spends much of its time copying (few channels or taps) or in
 * edge tiles (few output channels).
 *
 * The input of one image (and group) is first copied into a zero-padded
 * buffer `xp` [C, Dp, Hp, Wp] covering exactly the window the output reads
 * (convPad), so the kernels need no bounds checks. Output positions are
 * taken 4 at a time along a row ("position vectors", ceil(oW / 4) per row,
 * the last one possibly partial), each described by a table entry (VD) with
 * the byte offset of its first position in xp. Tap k of the position then
 * reads xp at that offset + tab[k], a per-call table of byte offsets; four
 * consecutive positions are four consecutive floats.
 *
 *   convFwdDirect: y[co, pos] = Σ_k W[co, k] · xp[pos + tab[k]]
 *     Register tiles of MR output channels (splatted weights, packed once per
 *     call by convPackW) × NV position vectors, which may span rows; only a
 *     partial vector's valid lanes are stored. The taps are ordered (kd, kh,
 *     c, kw) so that those a row can use (not reading padding only) are a
 *     contiguous range, and the other taps are skipped.
 *   convBwdWDirect: gW[co, k] += Σ_{images, pos} gy[co, pos] · xp[pos + tab[k]]
 *     Register tiles of MR output channels × NT taps, each a vector of 4
 *     partial sums over the positions of several images, summed horizontally
 *     once. Partial vectors load only their valid lanes (gy packed with zeros),
 *     so nothing outside the positions enters a sum (not even an Inf).
 *
 * Every output element is accumulated in the same order whatever the tile it
 * falls in, so results do not depend on how positions or channels are split.
 *
 * Tiles are sized for V8 (TurboFan): it schedules all of a step's loads ahead
 * of its multiply-adds and reorders unrolled steps freely, so a tile keeps
 * accumulators + loaded vectors within the 15 usable xmm registers, and loops
 * are not unrolled by hand. Each tile shape is its own function: inlined side
 * by side, Binaryen folds the copies back into one with the shape as variables.
 */
import { addRow, imin, madd } from './simd';

/**
 * The forward epilogue of the channel block being computed (set by
 * convFwdDirect; module globals, so per thread): the address of the block's
 * first bias (0: none), with which the accumulators start, and whether
 * ReLU is applied before the store.
 */
let epiBias: usize = 0;
let epiRelu: bool = false;

/** Output channels per weight block (the largest register tile). */
const BM: i32 = 4;
/** Zeroed floats after the padded image: over-reads of partial row-end vectors land here. */
export const PAD_SLACK: i32 = 16;

// @ts-ignore: decorator
@inline function zeroFloats(dst: usize, n: i32): void {
  const z = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(dst + (<usize>i << 2), z);
  for (; i < n; i++) store<f32>(dst + (<usize>i << 2), 0);
}

// @ts-ignore: decorator
@inline function copyFloats(dst: usize, src: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(dst + (<usize>i << 2), v128.load(src + (<usize>i << 2)));
  for (; i < n; i++) store<f32>(dst + (<usize>i << 2), load<f32>(src + (<usize>i << 2)));
}

/**
 * xp[c, a, r, s] = x[c, a - pD, r - pH, s - pW] (0 outside x) for a < Dp,
 * r < Hp, s < Wp; x is [C, D, H, W]. Pads may be negative (a crop). Then
 * PAD_SLACK zeros.
 */
export function convPad(
  x: usize, C: i32, D: i32, H: i32, W: i32,
  xp: usize, Dp: i32, Hp: i32, Wp: i32, pD: i32, pH: i32, pW: i32,
): void {
  // Columns s of a row that come from x: [lo, hi).
  let lo = pW > 0 ? pW : 0;
  let hi = pW + W < Wp ? pW + W : Wp;
  if (hi < lo) hi = lo;
  const rowBytes = <usize>Wp << 2;
  let dst = xp;
  for (let c = 0; c < C; c++) {
    for (let a = 0; a < Dp; a++) {
      const ia = a - pD;
      for (let r = 0; r < Hp; r++) {
        const ir = r - pH;
        if (ia < 0 || ia >= D || ir < 0 || ir >= H || lo == hi) {
          zeroFloats(dst, Wp);
        } else {
          if (lo > 0) zeroFloats(dst, lo);
          const src = x + (<usize>(((c * D + ia) * H + ir) * W + lo - pW) << 2);
          copyFloats(dst + (<usize>lo << 2), src, hi - lo);
          if (hi < Wp) zeroFloats(dst + (<usize>hi << 2), Wp - hi);
        }
        dst += rowBytes;
      }
    }
  }
  zeroFloats(dst, PAD_SLACK);
}

/**
 * Packs a Cout×K weight matrix into blocks of `bm` (BM or 3, see
 * convFwdDirect) output channels (the last block smaller), each block
 * k-major: dst[block][k][r], where element (o, k) is w[o·rsO + kidx[k]]
 * (`kidx`: K i32 element offsets; this absorbs the tap order of `tab` and,
 * for the backward-input pass, the transposed and flipped weights).
 */
export function convPackW(w: usize, Cout: i32, K: i32, rsO: i32, kidx: usize, dst: usize, bm: i32): void {
  for (let co = 0; co < Cout; co += bm) {
    const mr = Cout - co < bm ? Cout - co : bm;
    for (let k = 0; k < K; k++) {
      const src = w + (<usize>(co * rsO + load<i32>(kidx + (<usize>k << 2))) << 2);
      for (let r = 0; r < mr; r++) store<f32>(dst + (<usize>r << 2), load<f32>(src + (<usize>(r * rsO) << 2)));
      dst += <usize>mr << 2;
    }
  }
}

/** Stores the first `lanes` floats of v (all 4 when lanes >= 4). */
// @ts-ignore: decorator
@inline function storePart(p: usize, v: v128, lanes: i32): void {
  if (lanes >= 4) v128.store(p, v);
  else if (lanes == 3) {
    v128.store64_lane(p, v, 0);
    v128.store32_lane(p, v, 2, 8);
  } else if (lanes == 2) v128.store64_lane(p, v, 0);
  else v128.store32_lane(p, v, 0);
}

/** Loads `lanes` (1..4) floats, zeros in the other lanes; reads nothing past them. */
// @ts-ignore: decorator
@inline function loadPart(p: usize, lanes: i32): v128 {
  if (lanes >= 4) return v128.load(p);
  if (lanes == 1) return v128.load32_zero(p);
  const v = v128.load64_zero(p);
  return lanes == 2 ? v : v128.load32_lane(p, v, 2, 8);
}

/**
 * Bytes per position-vector descriptor: i32 byte offset of its first position
 * in the padded input, i32 byte offset in the output plane, valid lanes
 * (1..4), and the range [k0, k1) of taps that can read inside the input for
 * its output row (the others read zero padding; the forward pass skips them).
 */
const VD: usize = 20;

// @ts-ignore: decorator
@inline function imax(a: i32, b: i32): i32 {
  return a > b ? a : b;
}

/**
 * One forward register tile: MR output channels × NV position vectors
 * (descriptors at `vd`, so a tile may span output rows and every tile but a
 * range's last is full) over the union of their tap ranges. `pw`: packed
 * weights of the channel block (k-major, MR per k); `y`: output of the
 * block's first channel; `ldy`: bytes between channels.
 *
 * MR, NV and CONTIG are constants after inlining (code for absent
 * accumulators folds away). Accumulators + loaded vectors (MR·NV + NV + MR)
 * stay within 15 registers: 4×2, 3×3, 2×4, 1×7 and smaller for the ends of
 * ranges. CONTIG: the vectors follow each other in xp (the usual case within
 * a row), so one address with immediate offsets serves them all.
 */
// @ts-ignore: decorator
@inline function fwdTile(MR: i32, NV: i32, CONTIG: bool, pw: usize, tab: usize, xp: usize, vd: usize, y: usize, ldy: usize): void {
  const z = f32x4.splat(0);
  // Accumulators start from the bias (the epilogue's addition, for free).
  const bias = epiBias;
  const s0 = bias ? v128.load32_splat(bias) : z;
  const s1 = MR > 1 && bias ? v128.load32_splat(bias, 4) : z;
  const s2 = MR > 2 && bias ? v128.load32_splat(bias, 8) : z;
  const s3 = MR > 3 && bias ? v128.load32_splat(bias, 12) : z;
  let c00 = s0, c01 = s0, c02 = s0, c03 = s0, c04 = s0, c05 = s0, c06 = s0;
  let c10 = s1, c11 = s1, c12 = s1, c13 = s1;
  let c20 = s2, c21 = s2, c22 = s2, c30 = s3, c31 = s3;
  let k0 = load<i32>(vd, 12), k1 = load<i32>(vd, 16);
  if (NV > 1) { k0 = imin(k0, load<i32>(vd, 32)); k1 = imax(k1, load<i32>(vd, 36)); }
  if (NV > 2) { k0 = imin(k0, load<i32>(vd, 52)); k1 = imax(k1, load<i32>(vd, 56)); }
  if (NV > 3) { k0 = imin(k0, load<i32>(vd, 72)); k1 = imax(k1, load<i32>(vd, 76)); }
  if (NV > 4) { k0 = imin(k0, load<i32>(vd, 92)); k1 = imax(k1, load<i32>(vd, 96)); }
  if (NV > 5) { k0 = imin(k0, load<i32>(vd, 112)); k1 = imax(k1, load<i32>(vd, 116)); }
  if (NV > 6) { k0 = imin(k0, load<i32>(vd, 132)); k1 = imax(k1, load<i32>(vd, 136)); }
  const b0 = xp + <usize>load<i32>(vd);
  const b1 = NV > 1 && !CONTIG ? xp + <usize>load<i32>(vd, 20) : 0;
  const b2 = NV > 2 && !CONTIG ? xp + <usize>load<i32>(vd, 40) : 0;
  const b3 = NV > 3 && !CONTIG ? xp + <usize>load<i32>(vd, 60) : 0;
  const b4 = NV > 4 && !CONTIG ? xp + <usize>load<i32>(vd, 80) : 0;
  const b5 = NV > 5 && !CONTIG ? xp + <usize>load<i32>(vd, 100) : 0;
  const b6 = NV > 6 && !CONTIG ? xp + <usize>load<i32>(vd, 120) : 0;
  let t = tab + (<usize>k0 << 2);
  const tEnd = tab + (<usize>k1 << 2);
  pw += <usize>(k0 * MR) << 2;
  while (t < tEnd) {
    const o = <usize>load<i32>(t);
    const x0 = v128.load(b0 + o);
    let x1 = x0, x2 = x0, x3 = x0, x4 = x0, x5 = x0, x6 = x0;
    if (CONTIG) {
      // The vectors follow each other in the padded input: one address.
      const xk = b0 + o;
      if (NV > 1) x1 = v128.load(xk, 16);
      if (NV > 2) x2 = v128.load(xk, 32);
      if (NV > 3) x3 = v128.load(xk, 48);
      if (NV > 4) x4 = v128.load(xk, 64);
      if (NV > 5) x5 = v128.load(xk, 80);
      if (NV > 6) x6 = v128.load(xk, 96);
    } else {
      if (NV > 1) x1 = v128.load(b1 + o);
      if (NV > 2) x2 = v128.load(b2 + o);
      if (NV > 3) x3 = v128.load(b3 + o);
      if (NV > 4) x4 = v128.load(b4 + o);
      if (NV > 5) x5 = v128.load(b5 + o);
      if (NV > 6) x6 = v128.load(b6 + o);
    }
    let a = v128.load32_splat(pw);
    c00 = madd(a, x0, c00);
    if (NV > 1) c01 = madd(a, x1, c01);
    if (NV > 2) c02 = madd(a, x2, c02);
    if (NV > 3) c03 = madd(a, x3, c03);
    if (NV > 4) c04 = madd(a, x4, c04);
    if (NV > 5) c05 = madd(a, x5, c05);
    if (NV > 6) c06 = madd(a, x6, c06);
    if (MR > 1) {
      a = v128.load32_splat(pw, 4);
      c10 = madd(a, x0, c10);
      if (NV > 1) c11 = madd(a, x1, c11);
      if (NV > 2) c12 = madd(a, x2, c12);
      if (NV > 3) c13 = madd(a, x3, c13);
    }
    if (MR > 2) {
      a = v128.load32_splat(pw, 8);
      c20 = madd(a, x0, c20);
      if (NV > 1) c21 = madd(a, x1, c21);
      if (NV > 2) c22 = madd(a, x2, c22);
    }
    if (MR > 3) {
      a = v128.load32_splat(pw, 12);
      c30 = madd(a, x0, c30);
      if (NV > 1) c31 = madd(a, x1, c31);
    }
    pw += <usize>MR << 2;
    t += 4;
  }
  if (epiRelu) {
    // max(x, 0) as the relu op computes it (NaN stays NaN, -0 becomes +0).
    c00 = f32x4.max(c00, z); c01 = f32x4.max(c01, z); c02 = f32x4.max(c02, z); c03 = f32x4.max(c03, z);
    c04 = f32x4.max(c04, z); c05 = f32x4.max(c05, z); c06 = f32x4.max(c06, z);
    c10 = f32x4.max(c10, z); c11 = f32x4.max(c11, z); c12 = f32x4.max(c12, z); c13 = f32x4.max(c13, z);
    c20 = f32x4.max(c20, z); c21 = f32x4.max(c21, z); c22 = f32x4.max(c22, z);
    c30 = f32x4.max(c30, z); c31 = f32x4.max(c31, z);
  }
  storeCol(MR, y + <usize>load<i32>(vd, 4), ldy, load<i32>(vd, 8), c00, c10, c20, c30);
  if (NV > 1) storeCol(MR, y + <usize>load<i32>(vd, 24), ldy, load<i32>(vd, 28), c01, c11, c21, c31);
  if (NV > 2) storeCol(MR, y + <usize>load<i32>(vd, 44), ldy, load<i32>(vd, 48), c02, c12, c22, z);
  if (NV > 3) storeCol(MR, y + <usize>load<i32>(vd, 64), ldy, load<i32>(vd, 68), c03, c13, z, z);
  if (NV > 4) storeCol(MR, y + <usize>load<i32>(vd, 84), ldy, load<i32>(vd, 88), c04, z, z, z);
  if (NV > 5) storeCol(MR, y + <usize>load<i32>(vd, 104), ldy, load<i32>(vd, 108), c05, z, z, z);
  if (NV > 6) storeCol(MR, y + <usize>load<i32>(vd, 124), ldy, load<i32>(vd, 128), c06, z, z, z);
}

/** Whether the n vectors at descriptor d follow each other in the padded input (16 bytes apart). */
// @ts-ignore: decorator
@inline function contiguous(d: usize, n: i32): bool {
  const x0 = load<i32>(d);
  let ok = load<i32>(d, 20) == x0 + 16;
  if (n > 2) ok = ok && load<i32>(d, 40) == x0 + 32;
  if (n > 3) ok = ok && load<i32>(d, 60) == x0 + 48;
  if (n > 4) ok = ok && load<i32>(d, 80) == x0 + 64 && load<i32>(d, 100) == x0 + 80;
  if (n > 6) ok = ok && load<i32>(d, 120) == x0 + 96;
  return ok;
}

/** Stores one position vector of MR channels (rows ldy bytes apart), `lanes` floats each. */
// @ts-ignore: decorator
@inline function storeCol(MR: i32, y: usize, ldy: usize, lanes: i32, v0: v128, v1: v128, v2: v128, v3: v128): void {
  if (lanes == 4) {
    v128.store(y, v0);
    if (MR > 1) v128.store(y + ldy, v1);
    if (MR > 2) v128.store(y + ldy * 2, v2);
    if (MR > 3) v128.store(y + ldy * 3, v3);
  } else {
    storePart(y, v0, lanes);
    if (MR > 1) storePart(y + ldy, v1, lanes);
    if (MR > 2) storePart(y + ldy * 2, v2, lanes);
    if (MR > 3) storePart(y + ldy * 3, v3, lanes);
  }
}

function fwd4x2c(pw: usize, tab: usize, xp: usize, vd: usize, y: usize, ldy: usize): void { fwdTile(4, 2, true, pw, tab, xp, vd, y, ldy); }
function fwd3x3c(pw: usize, tab: usize, xp: usize, vd: usize, y: usize, ldy: usize): void { fwdTile(3, 3, true, pw, tab, xp, vd, y, ldy); }
function fwd2x4c(pw: usize, tab: usize, xp: usize, vd: usize, y: usize, ldy: usize): void { fwdTile(2, 4, true, pw, tab, xp, vd, y, ldy); }
function fwd1x7c(pw: usize, tab: usize, xp: usize, vd: usize, y: usize, ldy: usize): void { fwdTile(1, 7, true, pw, tab, xp, vd, y, ldy); }
function fwd4x2(pw: usize, tab: usize, xp: usize, vd: usize, y: usize, ldy: usize): void { fwdTile(4, 2, false, pw, tab, xp, vd, y, ldy); }
function fwd4x1(pw: usize, tab: usize, xp: usize, vd: usize, y: usize, ldy: usize): void { fwdTile(4, 1, false, pw, tab, xp, vd, y, ldy); }
function fwd3x3(pw: usize, tab: usize, xp: usize, vd: usize, y: usize, ldy: usize): void { fwdTile(3, 3, false, pw, tab, xp, vd, y, ldy); }
function fwd3x2(pw: usize, tab: usize, xp: usize, vd: usize, y: usize, ldy: usize): void { fwdTile(3, 2, false, pw, tab, xp, vd, y, ldy); }
function fwd3x1(pw: usize, tab: usize, xp: usize, vd: usize, y: usize, ldy: usize): void { fwdTile(3, 1, false, pw, tab, xp, vd, y, ldy); }
function fwd2x4(pw: usize, tab: usize, xp: usize, vd: usize, y: usize, ldy: usize): void { fwdTile(2, 4, false, pw, tab, xp, vd, y, ldy); }
function fwd2x3(pw: usize, tab: usize, xp: usize, vd: usize, y: usize, ldy: usize): void { fwdTile(2, 3, false, pw, tab, xp, vd, y, ldy); }
function fwd2x2(pw: usize, tab: usize, xp: usize, vd: usize, y: usize, ldy: usize): void { fwdTile(2, 2, false, pw, tab, xp, vd, y, ldy); }
function fwd2x1(pw: usize, tab: usize, xp: usize, vd: usize, y: usize, ldy: usize): void { fwdTile(2, 1, false, pw, tab, xp, vd, y, ldy); }
function fwd1x7(pw: usize, tab: usize, xp: usize, vd: usize, y: usize, ldy: usize): void { fwdTile(1, 7, false, pw, tab, xp, vd, y, ldy); }
function fwd1x6(pw: usize, tab: usize, xp: usize, vd: usize, y: usize, ldy: usize): void { fwdTile(1, 6, false, pw, tab, xp, vd, y, ldy); }
function fwd1x5(pw: usize, tab: usize, xp: usize, vd: usize, y: usize, ldy: usize): void { fwdTile(1, 5, false, pw, tab, xp, vd, y, ldy); }
function fwd1x4(pw: usize, tab: usize, xp: usize, vd: usize, y: usize, ldy: usize): void { fwdTile(1, 4, false, pw, tab, xp, vd, y, ldy); }
function fwd1x3(pw: usize, tab: usize, xp: usize, vd: usize, y: usize, ldy: usize): void { fwdTile(1, 3, false, pw, tab, xp, vd, y, ldy); }
function fwd1x2(pw: usize, tab: usize, xp: usize, vd: usize, y: usize, ldy: usize): void { fwdTile(1, 2, false, pw, tab, xp, vd, y, ldy); }
function fwd1x1(pw: usize, tab: usize, xp: usize, vd: usize, y: usize, ldy: usize): void { fwdTile(1, 1, false, pw, tab, xp, vd, y, ldy); }

/**
 * Forward direct convolution of one padded image (group): position vectors
 * [v0, v1) of the descriptor table `vd`, all Cout channels:
 * y[co, pos] = Σ_k W[co, k] · xp[pos's input offset + tab[k]].
 * `wp`: weights packed by convPackW (K per channel); `P`: floats between
 * output channels; `bm`: channels per weight block, as packed (BM, or 3 for
 * 3×3 tiles, 9 multiply-adds per 6 loads instead of 8, where Cout is a
 * multiple of 3 but not of 4). Epilogue: `bias` (Cout floats, 0 = none) is
 * added, then ReLU applied if `relu`.
 */
export function convFwdDirect(
  xp: usize, tab: usize, K: i32, wp: usize, Cout: i32, y: usize, P: i32, vd: usize, v0: i32, v1: i32, bias: usize, relu: bool,
  bm: i32,
): void {
  const ldy = <usize>P << 2;
  epiRelu = relu;
  for (let co = 0; co < Cout; co += bm) {
    const mr = Cout - co < bm ? Cout - co : bm;
    const pw = wp + (<usize>(co * K) << 2), yc = y + (<usize>co) * ldy;
    epiBias = bias ? bias + (<usize>co << 2) : 0;
    let v = v0;
    let d = vd + <usize>v0 * VD;
    if (mr == 4) {
      for (; v + 2 <= v1; v += 2, d += 2 * VD) {
        if (contiguous(d, 2)) fwd4x2c(pw, tab, xp, d, yc, ldy);
        else fwd4x2(pw, tab, xp, d, yc, ldy);
      }
      if (v < v1) fwd4x1(pw, tab, xp, d, yc, ldy);
    } else if (mr == 3) {
      for (; v + 3 <= v1; v += 3, d += 3 * VD) {
        if (contiguous(d, 3)) fwd3x3c(pw, tab, xp, d, yc, ldy);
        else fwd3x3(pw, tab, xp, d, yc, ldy);
      }
      if (v + 2 <= v1) fwd3x2(pw, tab, xp, d, yc, ldy);
      else if (v < v1) fwd3x1(pw, tab, xp, d, yc, ldy);
    } else if (mr == 2) {
      for (; v + 4 <= v1; v += 4, d += 4 * VD) {
        if (contiguous(d, 4)) fwd2x4c(pw, tab, xp, d, yc, ldy);
        else fwd2x4(pw, tab, xp, d, yc, ldy);
      }
      const n = v1 - v;
      if (n == 3) fwd2x3(pw, tab, xp, d, yc, ldy);
      else if (n == 2) fwd2x2(pw, tab, xp, d, yc, ldy);
      else if (n == 1) fwd2x1(pw, tab, xp, d, yc, ldy);
    } else {
      for (; v + 7 <= v1; v += 7, d += 7 * VD) {
        if (contiguous(d, 7)) fwd1x7c(pw, tab, xp, d, yc, ldy);
        else fwd1x7(pw, tab, xp, d, yc, ldy);
      }
      const n = v1 - v;
      if (n == 6) fwd1x6(pw, tab, xp, d, yc, ldy);
      else if (n == 5) fwd1x5(pw, tab, xp, d, yc, ldy);
      else if (n == 4) fwd1x4(pw, tab, xp, d, yc, ldy);
      else if (n == 3) fwd1x3(pw, tab, xp, d, yc, ldy);
      else if (n == 2) fwd1x2(pw, tab, xp, d, yc, ldy);
      else if (n == 1) fwd1x1(pw, tab, xp, d, yc, ldy);
    }
  }
}

/**
 * One weight-gradient register tile: MR output channels × NT (1 to 3) taps at
 * byte offsets o0, o1, o2, each a vector of partial sums over the position
 * vectors of nImg images (xStride bytes apart): per image the nFull full
 * ones, then the partial ones up to nVec (x loads only their valid lanes).
 * `gp`: the block's gy packed per image and vector (MR vectors of 4, zeros in
 * invalid lanes); `gw`: gradient element (co0, k0); `ldw`: bytes between its
 * rows. Accumulators + loaded vectors (MR·NT + NT + 1) stay within 15
 * registers: 4×2 (8 multiply-adds per 7 loads) and 3×3 (9 per 7).
 */
// @ts-ignore: decorator
@inline function bwTile(
  MR: i32, NT: i32, o0: usize, o1: usize, o2: usize, xp: usize, xStride: usize, nImg: i32, vd: usize, nFull: i32, nVec: i32,
  gp: usize, gw: usize, ldw: usize,
): void {
  const z = f32x4.splat(0);
  let d00 = z, d01 = z, d02 = z, d10 = z, d11 = z, d12 = z, d20 = z, d21 = z, d22 = z, d30 = z, d31 = z;
  const dFull = vd + <usize>nFull * VD, dEnd = vd + <usize>nVec * VD;
  for (let i = 0; i < nImg; i++, xp += xStride) {
    let d = vd;
    while (d < dFull) {
      const xb = xp + <usize>load<i32>(d);
      const x0 = v128.load(xb + o0);
      const x1 = NT > 1 ? v128.load(xb + o1) : x0;
      const x2 = NT > 2 ? v128.load(xb + o2) : x0;
      let g = v128.load(gp);
      d00 = madd(g, x0, d00);
      if (NT > 1) d01 = madd(g, x1, d01);
      if (NT > 2) d02 = madd(g, x2, d02);
      if (MR > 1) {
        g = v128.load(gp, 16);
        d10 = madd(g, x0, d10);
        if (NT > 1) d11 = madd(g, x1, d11);
        if (NT > 2) d12 = madd(g, x2, d12);
      }
      if (MR > 2) {
        g = v128.load(gp, 32);
        d20 = madd(g, x0, d20);
        if (NT > 1) d21 = madd(g, x1, d21);
        if (NT > 2) d22 = madd(g, x2, d22);
      }
      if (MR > 3) {
        g = v128.load(gp, 48);
        d30 = madd(g, x0, d30);
        if (NT > 1) d31 = madd(g, x1, d31);
      }
      d += VD;
      gp += <usize>MR << 4;
    }
    while (d < dEnd) {
      const xb = xp + <usize>load<i32>(d), lanes = load<i32>(d, 8);
      const x0 = loadPart(xb + o0, lanes);
      const x1 = NT > 1 ? loadPart(xb + o1, lanes) : x0;
      const x2 = NT > 2 ? loadPart(xb + o2, lanes) : x0;
      let g = v128.load(gp);
      d00 = madd(g, x0, d00);
      if (NT > 1) d01 = madd(g, x1, d01);
      if (NT > 2) d02 = madd(g, x2, d02);
      if (MR > 1) {
        g = v128.load(gp, 16);
        d10 = madd(g, x0, d10);
        if (NT > 1) d11 = madd(g, x1, d11);
        if (NT > 2) d12 = madd(g, x2, d12);
      }
      if (MR > 2) {
        g = v128.load(gp, 32);
        d20 = madd(g, x0, d20);
        if (NT > 1) d21 = madd(g, x1, d21);
        if (NT > 2) d22 = madd(g, x2, d22);
      }
      if (MR > 3) {
        g = v128.load(gp, 48);
        d30 = madd(g, x0, d30);
        if (NT > 1) d31 = madd(g, x1, d31);
      }
      d += VD;
      gp += <usize>MR << 4;
    }
  }
  addRow(NT, gw, d00, d01, d02);
  if (MR > 1) addRow(NT, gw + ldw, d10, d11, d12);
  if (MR > 2) addRow(NT, gw + ldw * 2, d20, d21, d22);
  if (MR > 3) addRow(NT < 2 ? NT : 2, gw + ldw * 3, d30, d31, d31);
}

function bw4x2(o0: usize, o1: usize, o2: usize, xp: usize, xs: usize, n: i32, vd: usize, nFull: i32, nVec: i32, gp: usize, gw: usize, ldw: usize): void { bwTile(4, 2, o0, o1, o2, xp, xs, n, vd, nFull, nVec, gp, gw, ldw); }
function bw4x1(o0: usize, o1: usize, o2: usize, xp: usize, xs: usize, n: i32, vd: usize, nFull: i32, nVec: i32, gp: usize, gw: usize, ldw: usize): void { bwTile(4, 1, o0, o1, o2, xp, xs, n, vd, nFull, nVec, gp, gw, ldw); }
function bw3x3(o0: usize, o1: usize, o2: usize, xp: usize, xs: usize, n: i32, vd: usize, nFull: i32, nVec: i32, gp: usize, gw: usize, ldw: usize): void { bwTile(3, 3, o0, o1, o2, xp, xs, n, vd, nFull, nVec, gp, gw, ldw); }
function bw3x2(o0: usize, o1: usize, o2: usize, xp: usize, xs: usize, n: i32, vd: usize, nFull: i32, nVec: i32, gp: usize, gw: usize, ldw: usize): void { bwTile(3, 2, o0, o1, o2, xp, xs, n, vd, nFull, nVec, gp, gw, ldw); }
function bw3x1(o0: usize, o1: usize, o2: usize, xp: usize, xs: usize, n: i32, vd: usize, nFull: i32, nVec: i32, gp: usize, gw: usize, ldw: usize): void { bwTile(3, 1, o0, o1, o2, xp, xs, n, vd, nFull, nVec, gp, gw, ldw); }
function bw2x3(o0: usize, o1: usize, o2: usize, xp: usize, xs: usize, n: i32, vd: usize, nFull: i32, nVec: i32, gp: usize, gw: usize, ldw: usize): void { bwTile(2, 3, o0, o1, o2, xp, xs, n, vd, nFull, nVec, gp, gw, ldw); }
function bw2x2(o0: usize, o1: usize, o2: usize, xp: usize, xs: usize, n: i32, vd: usize, nFull: i32, nVec: i32, gp: usize, gw: usize, ldw: usize): void { bwTile(2, 2, o0, o1, o2, xp, xs, n, vd, nFull, nVec, gp, gw, ldw); }
function bw2x1(o0: usize, o1: usize, o2: usize, xp: usize, xs: usize, n: i32, vd: usize, nFull: i32, nVec: i32, gp: usize, gw: usize, ldw: usize): void { bwTile(2, 1, o0, o1, o2, xp, xs, n, vd, nFull, nVec, gp, gw, ldw); }
function bw1x3(o0: usize, o1: usize, o2: usize, xp: usize, xs: usize, n: i32, vd: usize, nFull: i32, nVec: i32, gp: usize, gw: usize, ldw: usize): void { bwTile(1, 3, o0, o1, o2, xp, xs, n, vd, nFull, nVec, gp, gw, ldw); }
function bw1x2(o0: usize, o1: usize, o2: usize, xp: usize, xs: usize, n: i32, vd: usize, nFull: i32, nVec: i32, gp: usize, gw: usize, ldw: usize): void { bwTile(1, 2, o0, o1, o2, xp, xs, n, vd, nFull, nVec, gp, gw, ldw); }
function bw1x1(o0: usize, o1: usize, o2: usize, xp: usize, xs: usize, n: i32, vd: usize, nFull: i32, nVec: i32, gp: usize, gw: usize, ldw: usize): void { bwTile(1, 1, o0, o1, o2, xp, xs, n, vd, nFull, nVec, gp, gw, ldw); }

/** Bytes of scratch convBwdWDirect needs for `nImg` images of `nVec` position vectors. */
export function convBwdWScratch(nImg: i32, nVec: i32): i32 {
  return nImg * nVec * BM * 16;
}

/**
 * Weight gradient of nImg padded images (group), the i-th at xp + i·xStride
 * with its gy at gy + i·gyStride, output channels [co0, co1):
 * gw[co, k] += Σ_{i, pos} gy_i[co, pos] · xp_i[pos's input offset + tab[k]],
 * over the position vectors of `vd` (the nFull full ones first, then partial
 * ones up to nVec). The sum runs in vector lanes over all nImg images before
 * one horizontal sum per element. gw is Cout'×K row-major; gy has P floats
 * per channel. `scratch`: convBwdWScratch(nImg, nVec) bytes, where each
 * channel block's gy is packed per vector (zeros in invalid lanes). `bm`:
 * channels per block, BM (4×2 tiles) or 3 (3×3 tiles: 9 multiply-adds per 7
 * loads and 9 independent sums, against 8 and 8; for 3×3 kernels three
 * consecutive taps are one kernel row). Neither the tiles nor the blocks
 * change any element's summation order.
 */
export function convBwdWDirect(
  xp: usize, xStride: i32, nImg: i32, tab: usize, K: i32, gy: usize, gyStride: i32, P: i32,
  vd: usize, nFull: i32, nVec: i32, gw: usize, co0: i32, co1: i32, scratch: usize, bm: i32,
): void {
  const ldg = <usize>P << 2, ldw = <usize>K << 2, xs = <usize>xStride;
  for (let co = co0; co < co1; co += bm) {
    const mr = co1 - co < bm ? co1 - co : bm;
    // Pack gy[co .. co + mr] of every image per position vector.
    let dst = scratch;
    for (let i = 0; i < nImg; i++) {
      const gyi = gy + <usize>i * <usize>gyStride + <usize>co * ldg;
      for (let v = 0; v < nVec; v++) {
        const dv = vd + <usize>v * VD;
        const src = gyi + <usize>load<i32>(dv, 4), lanes = load<i32>(dv, 8);
        for (let r = 0; r < mr; r++) {
          v128.store(dst, loadPart(src + <usize>r * ldg, lanes));
          dst += 16;
        }
      }
    }
    const w = gw + <usize>co * ldw;
    let k = 0;
    if (bm == 3) {
      for (; k + 3 <= K; k += 3) {
        const t = tab + (<usize>k << 2), wk = w + (<usize>k << 2);
        const o0 = <usize>load<i32>(t), o1 = <usize>load<i32>(t, 4), o2 = <usize>load<i32>(t, 8);
        if (mr == 3) bw3x3(o0, o1, o2, xp, xs, nImg, vd, nFull, nVec, scratch, wk, ldw);
        else if (mr == 2) bw2x3(o0, o1, o2, xp, xs, nImg, vd, nFull, nVec, scratch, wk, ldw);
        else bw1x3(o0, o1, o2, xp, xs, nImg, vd, nFull, nVec, scratch, wk, ldw);
      }
    }
    for (; k + 2 <= K; k += 2) {
      const t = tab + (<usize>k << 2), o0 = <usize>load<i32>(t), o1 = <usize>load<i32>(t, 4), wk = w + (<usize>k << 2);
      if (mr == 4) bw4x2(o0, o1, 0, xp, xs, nImg, vd, nFull, nVec, scratch, wk, ldw);
      else if (mr == 3) bw3x2(o0, o1, 0, xp, xs, nImg, vd, nFull, nVec, scratch, wk, ldw);
      else if (mr == 2) bw2x2(o0, o1, 0, xp, xs, nImg, vd, nFull, nVec, scratch, wk, ldw);
      else bw1x2(o0, o1, 0, xp, xs, nImg, vd, nFull, nVec, scratch, wk, ldw);
    }
    if (k < K) {
      const o0 = <usize>load<i32>(tab + (<usize>k << 2)), wk = w + (<usize>k << 2);
      if (mr == 4) bw4x1(o0, 0, 0, xp, xs, nImg, vd, nFull, nVec, scratch, wk, ldw);
      else if (mr == 3) bw3x1(o0, 0, 0, xp, xs, nImg, vd, nFull, nVec, scratch, wk, ldw);
      else if (mr == 2) bw2x1(o0, 0, 0, xp, xs, nImg, vd, nFull, nVec, scratch, wk, ldw);
      else bw1x1(o0, 0, 0, xp, xs, nImg, vd, nFull, nVec, scratch, wk, ldw);
    }
  }
}
