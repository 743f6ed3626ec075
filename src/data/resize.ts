import { noGrad } from '../tensor/graph.js';
import { TensorError, fmtShape } from '../core/errors.js';
import { tensor } from '../tensor/create.js';
import type { Tensor } from '../tensor/tensor.js';
import { matmul } from '../ops/linalg.js';

/**
 * The `[outSize, inSize]` matrix of 1-D linear interpolation weights with
 * PyTorch's align_corners=False rule: output pixel `o` samples the input at
 * `src = (o + 0.5) * in / out - 0.5` (clamped at 0), mixing pixels
 * `floor(src)` and the next one (the last pixel repeats at the edge).
 */
function interpolationMatrix(inSize: number, outSize: number): Float64Array {
  const m = new Float64Array(outSize * inSize);
  const scale = inSize / outSize;
  for (let o = 0; o < outSize; o++) {
    const src = Math.max((o + 0.5) * scale - 0.5, 0);
    const i0 = Math.min(Math.floor(src), inSize - 1);
    const i1 = Math.min(i0 + 1, inSize - 1);
    const frac = src - i0;
    m[o * inSize + i0]! += 1 - frac;
    m[o * inSize + i1]! += frac;
  }
  return m;
}

/**
 * Bilinear resize of the last two dims to exactly `[outH, outW]`, like
 * `F.interpolate(x, size, mode='bilinear', align_corners=False)` (and torchvision's
 * `resize` on tensors with `antialias=False`; downscaling by large factors
 * therefore aliases, as it does there).
 * Shape: `[..., H, W]` (e.g. `[C, H, W]` or `[N, C, H, W]`) -> `[..., outH, outW]`.
 *
 * Bilinear interpolation is separable, so it is computed as two matrix products
 * `Wy @ x @ Wx^T` with the interpolation matrices above: two matmul kernels
 * instead of a per-pixel loop, on whatever backend holds `x`.
 * @example tg.data.resizeBilinear(img, [32, 32])   // [1,28,28] -> [1,32,32]
 */
export function resizeBilinear(x: Tensor, size: readonly [number, number]): Tensor {
  const [outH, outW] = size;
  if (x.ndim < 2) throw new TensorError(`resize: expected an image [..., H, W] with at least 2 dims (got ${fmtShape(x.shape)})`);
  if (!x.isFloatingPoint()) throw new TensorError(`resize: expected a float32 or float64 image (got ${x.dtype} ${fmtShape(x.shape)}); convert with .float() first`);
  for (const s of size) {
    if (!Number.isInteger(s) || s < 1) throw new TensorError(`resize: output size must be positive integers (got ${fmtShape(size)})`);
  }
  const h = x.shape[x.ndim - 2]!, w = x.shape[x.ndim - 1]!;
  if (h === 0 || w === 0) throw new TensorError(`resize: cannot resize an empty image (got ${fmtShape(x.shape)})`);
  return noGrad(() => {
    let out = x;
    if (w !== outW) {
      const wxT = tensor(interpolationMatrix(w, outW), { shape: [outW, w], dtype: x.dtype, backend: x.backend }).t();
      out = matmul(out, wxT);
    }
    if (h !== outH) {
      const wy = tensor(interpolationMatrix(h, outH), { shape: [outH, h], dtype: x.dtype, backend: x.backend });
      out = matmul(wy, out);
    }
    return out === x ? x.clone() : out;
  });
}

/**
 * torchvision's rule for the output size: a number resizes the SMALLER edge
 * to it, keeping the aspect ratio (the other edge is truncated, as torchvision's
 * `int(size * long / short)`); a pair `[h, w]` is the exact size. @internal
 */
export function outputSize(size: number | readonly [number, number], h: number, w: number): [number, number] {
  if (typeof size !== 'number') return [size[0], size[1]];
  if (!Number.isInteger(size) || size < 1) throw new TensorError(`resize: size must be a positive integer or [h, w] (got ${size})`);
  return h <= w ? [size, Math.floor((size * w) / h)] : [Math.floor((size * h) / w), size];
}
