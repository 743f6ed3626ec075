/**
 * im2col / col2im for convolution as GEMM.
 *
 * For one image and a group of C input channels, the column matrix has one
 * row per (c, kd, kh, kw) and one column per output position (od, oh, ow):
 *
 *   col[(c,kd,kh,kw), (od,oh,ow)] = x[c, od*sD - pD + kd*dD, oh*sH - pH + kh*dH, ow*sW - pW + kw*dW]
 *
 * (0 outside the input). Then forward is W[Cout, C·taps] · col, backward-input
 * is col2im(Wᵀ · gy) and backward-weight is gy · colᵀ. Per row and output line
 * the valid ow range is computed once, so the copies are bound-check-free runs
 * (vector copies when the width stride is 1).
 */
import { imin } from './simd';

/** First and one-past-last output index o in [0, outSize) with 0 <= o*stride + off < inSize. */
// @ts-ignore: decorator
@inline function validLo(off: i32, stride: i32): i32 {
  return off >= 0 ? 0 : (-off + stride - 1) / stride;
}
// @ts-ignore: decorator
@inline function validHi(inSize: i32, outSize: i32, off: i32, stride: i32): i32 {
  const last = inSize - 1 - off;
  return last < 0 ? 0 : imin(outSize, last / stride + 1);
}

/**
 * Copies n floats. Runs are short (an output row, often < 32 floats), where a
 * memory.copy call costs more than the copy; vectors then a scalar tail.
 */
// @ts-ignore: decorator
@inline function copyRun(dst: usize, src: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(dst + (<usize>i << 2), v128.load(src + (<usize>i << 2)));
  for (; i < n; i++) store<f32>(dst + (<usize>i << 2), load<f32>(src + (<usize>i << 2)));
}

/** Zeroes n floats (short runs, as copyRun). */
// @ts-ignore: decorator
@inline function zeroRun(dst: usize, n: i32): void {
  let i = 0;
  const z = f32x4.splat(0);
  for (; i + 4 <= n; i += 4) v128.store(dst + (<usize>i << 2), z);
  for (; i < n; i++) store<f32>(dst + (<usize>i << 2), 0);
}

/** Fills `col` (rows C·kD·kH·kW, columns oD·oH·oW, float32) from x [C, D, H, W]. */
export function im2col(
  x: usize, C: i32, D: i32, H: i32, W: i32, kD: i32, kH: i32, kW: i32,
  oD: i32, oH: i32, oW: i32, sD: i32, sH: i32, sW: i32, pD: i32, pH: i32, pW: i32,
  dD: i32, dH: i32, dW: i32, col: usize,
): void {
  let dst = col;
  const rowBytes = <usize>oW << 2;
  for (let c = 0; c < C; c++) {
    const plane = x + <usize>(c * D * H * W) * 4;
    for (let kd = 0; kd < kD; kd++) {
      for (let kh = 0; kh < kH; kh++) {
        for (let kw = 0; kw < kW; kw++) {
          const offW = kw * dW - pW;
          let lo = validLo(offW, sW), hi = validHi(W, oW, offW, sW);
          if (hi < lo) hi = lo;
          for (let od = 0; od < oD; od++) {
            const id = od * sD - pD + kd * dD;
            for (let oh = 0; oh < oH; oh++) {
              const ih = oh * sH - pH + kh * dH;
              if (id < 0 || id >= D || ih < 0 || ih >= H || lo >= hi) {
                zeroRun(dst, oW);
              } else {
                if (lo > 0) zeroRun(dst, lo);
                const src = plane + <usize>((id * H + ih) * W + lo * sW + offW) * 4;
                if (sW == 1) copyRun(dst + (<usize>lo << 2), src, hi - lo);
                else {
                  for (let ow = lo; ow < hi; ow++) {
                    store<f32>(dst + (<usize>ow << 2), load<f32>(src + (<usize>((ow - lo) * sW) << 2)));
                  }
                }
                if (hi < oW) zeroRun(dst + (<usize>hi << 2), oW - hi);
              }
              dst += rowBytes;
            }
          }
        }
      }
    }
  }
}

/** The adjoint of im2col: x [C, D, H, W] += scatter of `col` (x is not cleared here). */
export function col2im(
  col: usize, C: i32, D: i32, H: i32, W: i32, kD: i32, kH: i32, kW: i32,
  oD: i32, oH: i32, oW: i32, sD: i32, sH: i32, sW: i32, pD: i32, pH: i32, pW: i32,
  dD: i32, dH: i32, dW: i32, x: usize,
): void {
  let src = col;
  const rowBytes = <usize>oW << 2;
  for (let c = 0; c < C; c++) {
    const plane = x + <usize>(c * D * H * W) * 4;
    for (let kd = 0; kd < kD; kd++) {
      for (let kh = 0; kh < kH; kh++) {
        for (let kw = 0; kw < kW; kw++) {
          const offW = kw * dW - pW;
          const lo = validLo(offW, sW), hi = validHi(W, oW, offW, sW);
          for (let od = 0; od < oD; od++) {
            const id = od * sD - pD + kd * dD;
            for (let oh = 0; oh < oH; oh++) {
              const ih = oh * sH - pH + kh * dH;
              if (id >= 0 && id < D && ih >= 0 && ih < H && lo < hi) {
                const dst = plane + <usize>((id * H + ih) * W + lo * sW + offW) * 4;
                const s = src + (<usize>lo << 2);
                const n = hi - lo;
                let i = 0;
                if (sW == 1) {
                  for (; i + 4 <= n; i += 4) {
                    const o = <usize>i << 2;
                    v128.store(dst + o, f32x4.add(v128.load(dst + o), v128.load(s + o)));
                  }
                }
                for (; i < n; i++) {
                  const d = dst + (<usize>(i * sW) << 2);
                  store<f32>(d, load<f32>(d) + load<f32>(s + (<usize>i << 2)));
                }
              }
              src += rowBytes;
            }
          }
        }
      }
    }
  }
}
