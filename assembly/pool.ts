/**
 * 2-D max pooling (float32, no dilation) with PyTorch's index convention:
 * indices are flat positions h*W + w within each input plane. Windows visit
 * taps in (h, w) order; a strictly greater value or a NaN takes over, so ties
 * keep the first tap and NaN propagates, as in the reference. Only in-range
 * taps are visited; a window with none gives -Infinity and index -1.
 */
import { imin } from './simd';

export function maxPool2dF32(
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
          const lo = off >= 0 ? 0 : (-off + sW - 1) / sW;
          const hi = W - 1 - off < 0 ? 0 : imin(oW, (W - 1 - off) / sW + 1);
          for (let ow = lo; ow < hi; ow++) {
            const col = ow * sW + off;
            const v = load<f32>(base + (<usize>(row + col) << 2));
            const pb = ob + (<usize>ow << 2), pi = oi + (<usize>ow << 2);
            const best = load<f32>(pb);
            const take = v > best || v != v;
            // Branch-free: random data makes this branch unpredictable.
            store<f32>(pb, select<f32>(v, best, take));
            store<i32>(pi, select<i32>(row + col, load<i32>(pi), take));
          }
        }
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
