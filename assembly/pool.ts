/**
 * 2-D max pooling (float32, no dilation) with PyTorch's index convention:
 * indices are flat positions h*W + w within each input plane. Windows visit
 * taps in (h, w) order; a strictly greater value or a NaN takes over, so ties
 * keep the first tap and NaN propagates, as in the reference. Only in-range
 * taps are visited; a window with none gives -Infinity and index -1.
 */
import { imin, select } from './simd';

/**
 * One tap (input row `row`, column offset `off`) swept over output columns
 * [lo, hi): out/indices take the tap where it is greater or NaN. Four columns
 * at a time with vector compares and bit-selects: V8 compiles scalar
 * float compare-and-select into branches, and on random data those
 * mispredict at every tap (~10 ns each on this 2 GHz machine).
 */
// @ts-ignore: decorator
@inline function tapRow(base: usize, row: i32, off: i32, sW: i32, lo: i32, hi: i32, W: i32, ob: usize, oi: usize): void {
  let ow = lo;
  const step = i32x4.splat(4 * sW);
  let idx = i32x4.add(i32x4.splat(row + off + lo * sW), i32x4.mul(i32x4(0, 1, 2, 3), i32x4.splat(sW)));
  // Vector loads only while every float read lies inside the row (never past the input).
  const span = sW == 2 ? 7 : 3 * sW;
  for (; ow + 4 <= hi && ow * sW + off + span < W; ow += 4) {
    const src = base + (<usize>(row + ow * sW + off) << 2);
    let v: v128;
    if (sW == 1) v = v128.load(src);
    else if (sW == 2) v = i32x4.shuffle(v128.load(src), v128.load(src, 16), 0, 2, 4, 6);
    else {
      const s = <usize>sW << 2;
      v = f32x4.splat(load<f32>(src));
      v = f32x4.replace_lane(v, 1, load<f32>(src + s));
      v = f32x4.replace_lane(v, 2, load<f32>(src + 2 * s));
      v = f32x4.replace_lane(v, 3, load<f32>(src + 3 * s));
    }
    const pb = ob + (<usize>ow << 2), pi = oi + (<usize>ow << 2);
    const best = v128.load(pb);
    const take = v128.or(f32x4.gt(v, best), f32x4.ne(v, v));
    v128.store(pb, v128.bitselect(v, best, take));
    v128.store(pi, v128.bitselect(idx, v128.load(pi), take));
    idx = i32x4.add(idx, step);
  }
  for (; ow < hi; ow++) {
    const col = ow * sW + off;
    const v = load<f32>(base + (<usize>(row + col) << 2));
    const pb = ob + (<usize>ow << 2), pi = oi + (<usize>ow << 2);
    // Integer masks, not an if: still no data-dependent branch.
    const mask = -(<i32>(v > load<f32>(pb)) | <i32>(v != v));
    store<i32>(pb, (reinterpret<i32>(v) & mask) | (load<i32>(pb) & ~mask));
    store<i32>(pi, ((row + col) & mask) | (load<i32>(pi) & ~mask));
  }
}

/**
 * The common 2×2, stride-2, unpadded case: per output row, the two input rows
 * are read 8 floats at a time, split into even and odd columns by shuffles,
 * and the 4 taps compared in (h, w) order as vectors.
 */
function maxPool2x2(planes: i32, H: i32, W: i32, oH: i32, oW: i32, x: usize, out: usize, indices: usize): void {
  if (indices) maxPool2x2Body(true, planes, H, W, oH, oW, x, out, indices);
  else maxPool2x2Body(false, planes, H, W, oH, oW, x, out, 0);
}

/**
 * The maxima of four 2×2 windows, one per lane, whose taps in (h, w) order
 * are t00, t01, t10, t11, stored at `out`; with IDX their indices at `oi`
 * (i00: the lanes' top-left tap indices; W: the row length). The rule is
 * maxPool's: the first maximum, and a NaN wins (the last NaN).
 */
// @ts-ignore: decorator
@inline export function storeMax4(IDX: bool, t00: v128, t01: v128, t10: v128, t11: v128, i00: v128, W: i32, out: usize, oi: usize): void {
  let best = t00, idx = i00;
  let take = v128.or(f32x4.gt(t01, best), f32x4.ne(t01, t01));
  best = select(t01, best, take);
  if (IDX) idx = select(i32x4.add(i00, i32x4.splat(1)), idx, take);
  take = v128.or(f32x4.gt(t10, best), f32x4.ne(t10, t10));
  best = select(t10, best, take);
  if (IDX) idx = select(i32x4.add(i00, i32x4.splat(W)), idx, take);
  take = v128.or(f32x4.gt(t11, best), f32x4.ne(t11, t11));
  best = select(t11, best, take);
  if (IDX) idx = select(i32x4.add(i00, i32x4.splat(W + 1)), idx, take);
  v128.store(out, best);
  if (IDX) v128.store(oi, idx);
}

/**
 * Four 2×2 windows: output columns [ow, ow + 4) of the output row whose input
 * rows start at p0 and p1 (r0: p0's row offset in the plane, for the
 * indices), the even and odd columns split by shuffles.
 */
// @ts-ignore: decorator
@inline function pool4(IDX: bool, p0: usize, p1: usize, r0: i32, W: i32, ow: i32, ob: usize, oi: usize): void {
  const c = <usize>(2 * ow) << 2;
  const a0 = v128.load(p0 + c), a1 = v128.load(p0 + c, 16);
  const b0 = v128.load(p1 + c), b1 = v128.load(p1 + c, 16);
  const i00 = i32x4.add(i32x4.splat(r0 + 2 * ow), i32x4(0, 2, 4, 6));
  storeMax4(IDX, i32x4.shuffle(a0, a1, 0, 2, 4, 6), i32x4.shuffle(a0, a1, 1, 3, 5, 7), i32x4.shuffle(b0, b1, 0, 2, 4, 6),
    i32x4.shuffle(b0, b1, 1, 3, 5, 7), i00, W, ob + (<usize>ow << 2), oi + (<usize>ow << 2));
}

/**
 * maxPool2x2 with or without (IDX false: inference, indices 0) the index
 * computations. A row's last columns (oW not a multiple of 4) are the last
 * four again, overlapping ones already done (they get the same values): the
 * scalar tail cost as much as the rest of a 14-wide row (LeNet's conv1).
 * Every float read lies inside the row pair, as 2·oW <= W.
 */
// @ts-ignore: decorator
@inline function maxPool2x2Body(IDX: bool, planes: i32, H: i32, W: i32, oH: i32, oW: i32, x: usize, out: usize, indices: usize): void {
  for (let pl = 0; pl < planes; pl++) {
    const base = x + <usize>(pl * H * W) * 4;
    for (let oh = 0; oh < oH; oh++) {
      const o = <usize>((pl * oH + oh) * oW) << 2;
      const ob = out + o, oi = indices + o;
      const r0 = 2 * oh * W, r1 = r0 + W;
      const p0 = base + (<usize>r0 << 2), p1 = base + (<usize>r1 << 2);
      let ow = 0;
      for (; ow + 4 <= oW; ow += 4) pool4(IDX, p0, p1, r0, W, ow, ob, oi);
      if (ow < oW && oW >= 4) {
        pool4(IDX, p0, p1, r0, W, oW - 4, ob, oi);
        ow = oW;
      }
      for (; ow < oW; ow++) {
        // Rows of fewer than 4 outputs: the same four taps in scalar form, with integer masks (no data-dependent branch).
        const c0 = r0 + 2 * ow;
        let best = load<f32>(p0 + (<usize>(2 * ow) << 2));
        let idx = c0;
        for (let t = 1; t < 4; t++) {
          const at = t < 2 ? c0 + 1 : c0 + W + (t - 2);
          const v = load<f32>(base + (<usize>at << 2));
          const mask = -(<i32>(v > best) | <i32>(v != v));
          best = reinterpret<f32>((reinterpret<i32>(v) & mask) | (reinterpret<i32>(best) & ~mask));
          idx = (at & mask) | (idx & ~mask);
        }
        store<f32>(ob + (<usize>ow << 2), best);
        if (IDX) store<i32>(oi + (<usize>ow << 2), idx);
      }
    }
  }
}

export function maxPool2dF32(
  planes: i32, H: i32, W: i32, oH: i32, oW: i32, kH: i32, kW: i32,
  sH: i32, sW: i32, pH: i32, pW: i32, x: usize, out: usize, indices: usize,
): void {
  if (kH == 2 && kW == 2 && sH == 2 && sW == 2 && pH == 0 && pW == 0 && 2 * oH <= H && 2 * oW <= W) {
    maxPool2x2(planes, H, W, oH, oW, x, out, indices);
    return;
  }
  maxPoolGeneral(planes, H, W, oH, oW, kH, kW, sH, sW, pH, pW, x, out, indices);
}

function maxPoolGeneral(
  planes: i32, H: i32, W: i32, oH: i32, oW: i32, kH: i32, kW: i32,
  sH: i32, sW: i32, pH: i32, pW: i32, x: usize, out: usize, indices: usize,
): void {
  // Valid output column range per kw is hoisted; the window's first tap (the
  // index reported for an all -Infinity window) is the first in-range one.
  for (let pl = 0; pl < planes; pl++) {
    const base = x + <usize>(pl * H * W) * 4;
    for (let oh = 0; oh < oH; oh++) {
      const o = <usize>((pl * oH + oh) * oW) << 2;
      const ob = out + o, oi = indices + o;
      const h0 = oh * sH - pH;
      const hs = h0 < 0 ? 0 : h0, he = imin(h0 + kH, H);
      // Initialise the row: -Infinity and the first in-range tap (or -1).
      for (let ow = 0; ow < oW; ow++) {
        const w0 = ow * sW - pW;
        const ws = w0 < 0 ? 0 : w0, we = imin(w0 + kW, W);
        store<f32>(ob + (<usize>ow << 2), -Infinity);
        store<i32>(oi + (<usize>ow << 2), hs < he && ws < we ? hs * W + ws : -1);
      }
      // Taps in (h, w) order, each swept along the whole output row: long
      // loops with a constant input stride instead of tiny per-window loops.
      for (let h = hs; h < he; h++) {
        const row = h * W;
        for (let kw = 0; kw < kW; kw++) {
          const off = kw - pW;
          // Output columns whose tap kw lies inside the row.
          // (Counted, not divided: two integer divisions per tap cost more than the tap here.)
          let lo = 0;
          while (lo < oW && lo * sW + off < 0) lo++;
          let hi = oW;
          while (hi > lo && (hi - 1) * sW + off > W - 1) hi--;
          tapRow(base, row, off, sW, lo, hi, W, ob, oi);
        }
      }
    }
  }
}

/**
 * Max pooling backward: gx [planes, inPlane] = 0, then gy added at each index
 * (int32, -1 = a window with no input) of its plane. Zeroing the plane right
 * before scattering into it keeps it in cache.
 */
export function maxPoolBackwardF32(planes: i32, outPlane: i32, inPlane: i32, gy: usize, indices: usize, gx: usize): void {
  for (let pl = 0; pl < planes; pl++) {
    const dst = gx + (<usize>(pl * inPlane) << 2);
    memory.fill(dst, 0, <usize>inPlane << 2);
    const o = <usize>(pl * outPlane) << 2;
    for (let k = 0; k < outPlane; k++) {
      const i = load<i32>(indices + o + (<usize>k << 2));
      if (i >= 0) {
        const t = dst + (<usize>i << 2);
        store<f32>(t, load<f32>(t) + load<f32>(gy + o + (<usize>k << 2)));
      }
    }
  }
}

/**
 * dst[o, index[o, i, j], j] += src[o, i, j] over contiguous [outer, idxLen, inner]
 * index (int32) and src (float32); dst is contiguous [outer, dimLen, inner].
 * This is scatterAdd when the index has the destination's shape except along dim.
 */
export function scatterAddF32(outer: i32, idxLen: i32, dimLen: i32, inner: i32, dst: usize, index: usize, src: usize): void {
  let k: usize = 0;
  for (let o = 0; o < outer; o++) {
    const d0 = o * dimLen * inner;
    for (let i = 0; i < idxLen; i++) {
      for (let j = 0; j < inner; j++, k++) {
        const t = dst + (<usize>(d0 + load<i32>(index + (k << 2)) * inner + j) << 2);
        store<f32>(t, load<f32>(t) + load<f32>(src + (k << 2)));
      }
    }
  }
}
