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
  let o: usize = 0;
  for (let pl = 0; pl < planes; pl++) {
    const base = x + <usize>(pl * H * W) * 4;
    for (let oh = 0; oh < oH; oh++) {
      const h0 = oh * sH - pH;
      const hs = h0 < 0 ? 0 : h0, he = imin(h0 + kH, H);
      for (let ow = 0; ow < oW; ow++, o++) {
        const w0 = ow * sW - pW;
        const ws = w0 < 0 ? 0 : w0, we = imin(w0 + kW, W);
        let best: f32 = -Infinity;
        let arg: i32 = hs < he && ws < we ? hs * W + ws : -1;
        for (let h = hs; h < he; h++) {
          const row = h * W;
          for (let w = ws; w < we; w++) {
            const v = load<f32>(base + (<usize>(row + w) << 2));
            if (v > best || v != v) {
              best = v;
              arg = row + w;
            }
          }
        }
        store<f32>(out + (o << 2), best);
        store<i32>(indices + (o << 2), arg);
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
