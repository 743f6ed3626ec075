/**
 * The gradients of a convolution followed by ReLU and 2×2 max pooling, taken
 * from the pooled gradient and the pooling's indices instead of the full
 * output gradient. Behind a 2×2 pooling the full gradient is zero at three
 * positions out of four (and where the ReLU was off), so the input and
 * weight gradients, sums over its non-zero positions, need a quarter of the
 * products or fewer, and the full-size gradient is never written.
 *
 * For each non-zero pooled gradient g at pooled position (co, py, px), whose
 * maximum was output (oy, ox) = (idx / oW, idx % oW):
 *   input gradient:  gxp[ci, oy + kh, ox + kw] += g · w[co, ci, kh, kw]
 *   weight gradient: gw[co, ci, kh, kw] += g · xp[ci, oy + kh, ox + kw]
 * where gxp and xp are the input planes padded so that every window lies
 * inside (stride 1, no dilation). A kernel row (kW <= 8 taps) is two vectors
 * of 4: the packed weights and the weight-gradient accumulators are padded
 * to 8 per row with zeros, and the padded planes get 8 floats of slack per
 * row, so no tap needs a bounds check. Positions are taken in order, so each
 * element's sum has a fixed order, whatever the threads.
 */
import { madd } from './simd';

/** Floats per packed kernel row (two vectors). */
const ROW: i32 = 8;

/**
 * Packs w [Cout, Cin, kH, kW] into wp[co][ci][kh][ROW] (zeros past kW).
 */
export function cpbPackW(w: usize, Cout: i32, Cin: i32, kH: i32, kW: i32, wp: usize): void {
  const rows = Cout * Cin * kH;
  for (let r = 0; r < rows; r++) {
    const src = w + (<usize>(r * kW) << 2), dst = wp + (<usize>(r * ROW) << 2);
    for (let s = 0; s < ROW; s++) store<f32>(dst + (<usize>s << 2), s < kW ? load<f32>(src + (<usize>s << 2)) : 0);
  }
}

/**
 * Lists channel co's non-zero pooled gradients at `list`: per entry the value
 * (f32) and the byte offset (i32) of its maximum (oy, ox) in a padded plane of
 * row length `rowLen` floats; returns the count. Branch-free: every entry is
 * written, and the count advances past the non-zero ones.
 */
// @ts-ignore: decorator
@inline function maxima(gc: usize, ic: usize, pH: i32, pW: i32, oW: i32, rowLen: i32, list: usize): i32 {
  let n = 0;
  for (let py = 0; py < pH; py++) {
    // The window's maximum is on output row 2py or 2py + 1.
    const lower = (2 * py + 1) * oW;
    for (let px = 0; px < pW; px++) {
      const q = <usize>(py * pW + px) << 2;
      const v = load<f32>(gc + q), idx = load<i32>(ic + q);
      const oy = 2 * py + (idx >= lower ? 1 : 0), ox = idx - oy * oW;
      const e = list + (<usize>n << 3);
      store<f32>(e, v);
      store<i32>(e, (oy * rowLen + ox) << 2, 4);
      n += v != 0 ? 1 : 0;
    }
  }
  return n;
}

/**
 * Input gradient rows [kh0, kh0 + R) of input channel plane `dst`: for every
 * listed maximum, dst rows += g · the R packed kernel rows at `w` (held in
 * registers across the list).
 */
// @ts-ignore: decorator
@inline function scatterRows(R: i32, w: usize, list: usize, n: i32, dst: usize, rowBytes: usize, copy: usize): void {
  const w00 = v128.load(w), w01 = v128.load(w, 16);
  const w10 = R > 1 ? v128.load(w, 32) : w00, w11 = R > 1 ? v128.load(w, 48) : w01;
  const w20 = R > 2 ? v128.load(w, 64) : w00, w21 = R > 2 ? v128.load(w, 80) : w01;
  const w30 = R > 3 ? v128.load(w, 96) : w00, w31 = R > 3 ? v128.load(w, 112) : w01;
  const w40 = R > 4 ? v128.load(w, 128) : w00, w41 = R > 4 ? v128.load(w, 144) : w01;
  const end = list + (<usize>n << 3);
  // Entries alternate between two copies of the planes (`copy` bytes apart): neighbouring maxima's
  // windows overlap, and a load overlapping a store still in flight at another offset cannot be
  // forwarded from it and waits for it to reach the cache.
  let other: usize = 0;
  for (let e = list; e < end; e += 8) {
    const gv = v128.load32_splat(e);
    let d = dst + <usize>load<i32>(e, 4) + other;
    other = copy - other;
    v128.store(d, madd(gv, w00, v128.load(d)));
    v128.store(d, madd(gv, w01, v128.load(d, 16)), 16);
    if (R > 1) {
      d += rowBytes;
      v128.store(d, madd(gv, w10, v128.load(d)));
      v128.store(d, madd(gv, w11, v128.load(d, 16)), 16);
    }
    if (R > 2) {
      d += rowBytes;
      v128.store(d, madd(gv, w20, v128.load(d)));
      v128.store(d, madd(gv, w21, v128.load(d, 16)), 16);
    }
    if (R > 3) {
      d += rowBytes;
      v128.store(d, madd(gv, w30, v128.load(d)));
      v128.store(d, madd(gv, w31, v128.load(d, 16)), 16);
    }
    if (R > 4) {
      d += rowBytes;
      v128.store(d, madd(gv, w40, v128.load(d)));
      v128.store(d, madd(gv, w41, v128.load(d, 16)), 16);
    }
  }
}

function scatter5(w: usize, list: usize, n: i32, dst: usize, rb: usize, copy: usize): void { scatterRows(5, w, list, n, dst, rb, copy); }
function scatter4(w: usize, list: usize, n: i32, dst: usize, rb: usize, copy: usize): void { scatterRows(4, w, list, n, dst, rb, copy); }
function scatter3(w: usize, list: usize, n: i32, dst: usize, rb: usize, copy: usize): void { scatterRows(3, w, list, n, dst, rb, copy); }
function scatter2(w: usize, list: usize, n: i32, dst: usize, rb: usize, copy: usize): void { scatterRows(2, w, list, n, dst, rb, copy); }
function scatter1(w: usize, list: usize, n: i32, dst: usize, rb: usize, copy: usize): void { scatterRows(1, w, list, n, dst, rb, copy); }

/**
 * Input gradient of one image: accumulates into two copies of gxp
 * [Cin, Hq, Wq] (zeroed here; Hq = oH + kH - 1, Wq = oW + ROW - 1; the
 * maxima alternate between them), then stores
 * gx[ci, iy, ix] = the sum of both at [ci, iy + padH, ix + padW] for the H × W input.
 * `g`, `ind`: the image's pooled gradient and indices [Cout, pH, pW];
 * `wp`: cpbPackW's weights; `list`: room for pH·pW entries of 8 bytes.
 */
export function cpbInput(
  g: usize, ind: usize, Cout: i32, pH: i32, pW: i32, oW: i32, wp: usize, Cin: i32, kH: i32, gxp: usize, Hq: i32, Wq: i32,
  gx: usize, H: i32, W: i32, padH: i32, padW: i32, list: usize,
): void {
  const plane = <usize>(Hq * Wq) << 2, rowBytes = <usize>Wq << 2;
  const copy = <usize>Cin * plane;
  memory.fill(gxp, 0, 2 * copy);
  const pooled = <usize>(pH * pW) << 2;
  for (let co = 0; co < Cout; co++) {
    const n = maxima(g + <usize>co * pooled, ind + <usize>co * pooled, pH, pW, oW, Wq, list);
    if (n == 0) continue;
    for (let ci = 0; ci < Cin; ci++) {
      const wr = wp + (<usize>((co * Cin + ci) * kH * ROW) << 2), base = gxp + <usize>ci * plane;
      for (let kh = 0; kh < kH; kh += 5) {
        const R = kH - kh < 5 ? kH - kh : 5;
        const w = wr + (<usize>(kh * ROW) << 2), dst = base + <usize>kh * rowBytes;
        if (R == 5) scatter5(w, list, n, dst, rowBytes, copy);
        else if (R == 4) scatter4(w, list, n, dst, rowBytes, copy);
        else if (R == 3) scatter3(w, list, n, dst, rowBytes, copy);
        else if (R == 2) scatter2(w, list, n, dst, rowBytes, copy);
        else scatter1(w, list, n, dst, rowBytes, copy);
      }
    }
  }
  // Crop: the input's own positions (padding <= kernel - 1, so they all lie inside gxp).
  for (let ci = 0; ci < Cin; ci++) {
    for (let iy = 0; iy < H; iy++) {
      const src = gxp + <usize>ci * plane + <usize>(iy + padH) * rowBytes + (<usize>padW << 2);
      const dst = gx + (<usize>((ci * H + iy) * W) << 2);
      let ix = 0;
      for (; ix + 4 <= W; ix += 4) v128.store(dst + (<usize>ix << 2), f32x4.add(v128.load(src + (<usize>ix << 2)), v128.load(src + copy + (<usize>ix << 2))));
      for (; ix < W; ix++) store<f32>(dst + (<usize>ix << 2), load<f32>(src + (<usize>ix << 2)) + load<f32>(src + copy + (<usize>ix << 2)));
    }
  }
}

/**
 * Weight gradient rows [kh0, kh0 + R) of one (co, ci): the R packed
 * accumulator rows at `acc` (held in registers across the list) += g · the
 * input rows at each listed maximum of the padded plane `src`.
 */
// @ts-ignore: decorator
@inline function gatherRows(R: i32, acc: usize, list: usize, n: i32, src: usize, rowBytes: usize): void {
  let a00 = v128.load(acc), a01 = v128.load(acc, 16);
  let a10 = R > 1 ? v128.load(acc, 32) : a00, a11 = R > 1 ? v128.load(acc, 48) : a01;
  let a20 = R > 2 ? v128.load(acc, 64) : a00, a21 = R > 2 ? v128.load(acc, 80) : a01;
  let a30 = R > 3 ? v128.load(acc, 96) : a00, a31 = R > 3 ? v128.load(acc, 112) : a01;
  let a40 = R > 4 ? v128.load(acc, 128) : a00, a41 = R > 4 ? v128.load(acc, 144) : a01;
  const end = list + (<usize>n << 3);
  for (let e = list; e < end; e += 8) {
    const gv = v128.load32_splat(e);
    let p = src + <usize>load<i32>(e, 4);
    a00 = madd(gv, v128.load(p), a00);
    a01 = madd(gv, v128.load(p, 16), a01);
    if (R > 1) {
      p += rowBytes;
      a10 = madd(gv, v128.load(p), a10);
      a11 = madd(gv, v128.load(p, 16), a11);
    }
    if (R > 2) {
      p += rowBytes;
      a20 = madd(gv, v128.load(p), a20);
      a21 = madd(gv, v128.load(p, 16), a21);
    }
    if (R > 3) {
      p += rowBytes;
      a30 = madd(gv, v128.load(p), a30);
      a31 = madd(gv, v128.load(p, 16), a31);
    }
    if (R > 4) {
      p += rowBytes;
      a40 = madd(gv, v128.load(p), a40);
      a41 = madd(gv, v128.load(p, 16), a41);
    }
  }
  v128.store(acc, a00); v128.store(acc, a01, 16);
  if (R > 1) { v128.store(acc, a10, 32); v128.store(acc, a11, 48); }
  if (R > 2) { v128.store(acc, a20, 64); v128.store(acc, a21, 80); }
  if (R > 3) { v128.store(acc, a30, 96); v128.store(acc, a31, 112); }
  if (R > 4) { v128.store(acc, a40, 128); v128.store(acc, a41, 144); }
}

function gather5(acc: usize, list: usize, n: i32, src: usize, rb: usize): void { gatherRows(5, acc, list, n, src, rb); }
function gather4(acc: usize, list: usize, n: i32, src: usize, rb: usize): void { gatherRows(4, acc, list, n, src, rb); }
function gather3(acc: usize, list: usize, n: i32, src: usize, rb: usize): void { gatherRows(3, acc, list, n, src, rb); }
function gather2(acc: usize, list: usize, n: i32, src: usize, rb: usize): void { gatherRows(2, acc, list, n, src, rb); }
function gather1(acc: usize, list: usize, n: i32, src: usize, rb: usize): void { gatherRows(1, acc, list, n, src, rb); }

/**
 * Weight gradient, one image: gwp[co][ci][kh][ROW] += g · (the kernel rows
 * of the padded input xp [Cin, Hp, Wp] at each maximum). xp's rows need
 * ROW - kW floats of slack past the last window (zeros, so the padding lanes
 * of gwp only ever add zeros). `list`: room for pH·pW entries of 8 bytes.
 */
export function cpbWeight(
  g: usize, ind: usize, Cout: i32, pH: i32, pW: i32, oW: i32, xp: usize, Cin: i32, Hp: i32, Wp: i32, kH: i32, gwp: usize, list: usize,
): void {
  const plane = <usize>(Hp * Wp) << 2, rowBytes = <usize>Wp << 2;
  const pooled = <usize>(pH * pW) << 2;
  for (let co = 0; co < Cout; co++) {
    const n = maxima(g + <usize>co * pooled, ind + <usize>co * pooled, pH, pW, oW, Wp, list);
    if (n == 0) continue;
    for (let ci = 0; ci < Cin; ci++) {
      const ar = gwp + (<usize>((co * Cin + ci) * kH * ROW) << 2), base = xp + <usize>ci * plane;
      for (let kh = 0; kh < kH; kh += 5) {
        const R = kH - kh < 5 ? kH - kh : 5;
        const acc = ar + (<usize>(kh * ROW) << 2), src = base + <usize>kh * rowBytes;
        if (R == 5) gather5(acc, list, n, src, rowBytes);
        else if (R == 4) gather4(acc, list, n, src, rowBytes);
        else if (R == 3) gather3(acc, list, n, src, rowBytes);
        else if (R == 2) gather2(acc, list, n, src, rowBytes);
        else gather1(acc, list, n, src, rowBytes);
      }
    }
  }
}

/**
 * gw [rows, kW] = Σ over `parts` partial accumulators [rows, ROW] (float64,
 * in part order), the padding lanes dropped; rows = Cout·Cin·kH.
 */
export function cpbUnpackW(gwp: usize, parts: i32, rows: i32, kW: i32, gw: usize): void {
  const partStride = <usize>(rows * ROW) << 2;
  for (let r = 0; r < rows; r++) {
    for (let s = 0; s < kW; s++) {
      let t = 0.0;
      const src = gwp + (<usize>(r * ROW + s) << 2);
      for (let p = 0; p < parts; p++) t += <f64>load<f32>(src + <usize>p * partStride);
      store<f32>(gw + (<usize>(r * kW + s) << 2), <f32>t);
    }
  }
}

/** Whether all n floats at p are finite (no NaN, no ±Infinity). */
export function allFiniteF32(p: usize, n: i32): bool {
  let i = 0;
  let bad = i32x4.splat(0);
  for (; i + 4 <= n; i += 4) {
    const v = v128.load(p + (<usize>i << 2));
    // v - v is 0 for finite lanes, NaN otherwise; NaN != NaN.
    const d = f32x4.sub(v, v);
    bad = v128.or(bad, f32x4.ne(d, d));
  }
  if (v128.any_true(bad)) return false;
  for (; i < n; i++) {
    const x = load<f32>(p + (<usize>i << 2));
    if (!isFinite(x)) return false;
  }
  return true;
}
