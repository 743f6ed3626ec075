/**
 * Small image transforms on host arrays laid out `[C, H, W]`, used as the
 * regularisers of activation maximisation (jitter = a circular shift, blur =
 * a separable Gaussian). They run on the host because the images are small
 * and the results must be the same bytes on every backend.
 */

/** The size of an image stored channel-major in a flat array. */
export interface ImageDims {
  readonly channels: number;
  readonly height: number;
  readonly width: number;
}

/**
 * Circular shift by `dy` rows and `dx` columns (pixels pushed off one edge come
 * back at the other, like `torch.roll`): out[y][x] = src[y - dy][x - dx].
 * roll(roll(a, dy, dx), -dy, -dx) is `a` again.
 * @example roll(values, { channels: 1, height: 28, width: 28 }, 2, -1)
 */
export function roll(src: Float32Array, dims: ImageDims, dy: number, dx: number): Float32Array {
  const { channels: C, height: H, width: W } = dims;
  const out = new Float32Array(src.length);
  const mod = (a: number, n: number) => ((a % n) + n) % n;
  for (let c = 0; c < C; c++) {
    for (let y = 0; y < H; y++) {
      const sy = mod(y - dy, H);
      for (let x = 0; x < W; x++) out[(c * H + y) * W + x] = src[(c * H + sy) * W + mod(x - dx, W)]!;
    }
  }
  return out;
}

/** Normalised 1-D Gaussian weights for offsets -r..r, r = ceil(3 sigma). */
export function gaussianKernel(sigma: number): Float64Array {
  const r = Math.max(1, Math.ceil(3 * sigma));
  const k = new Float64Array(2 * r + 1);
  let total = 0;
  for (let i = -r; i <= r; i++) total += (k[i + r] = Math.exp(-(i * i) / (2 * sigma * sigma)));
  for (let i = 0; i < k.length; i++) k[i]! /= total;
  return k;
}

/**
 * Gaussian blur of each channel with standard deviation `sigma` pixels
 * (separable: rows, then columns), edges clamped so the image's mean is not
 * pulled towards zero at the border. sigma <= 0 returns a copy.
 * @example gaussianBlur(values, { channels: 3, height: 32, width: 32 }, 0.5)
 */
export function gaussianBlur(src: Float32Array, dims: ImageDims, sigma: number): Float32Array {
  if (!(sigma > 0)) return src.slice();
  const { channels: C, height: H, width: W } = dims;
  const k = gaussianKernel(sigma);
  const r = (k.length - 1) / 2;
  const clamp = (a: number, n: number) => (a < 0 ? 0 : a >= n ? n - 1 : a);
  const rows = new Float32Array(src.length);
  const out = new Float32Array(src.length);
  for (let c = 0; c < C; c++) {
    const base = c * H * W;
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        let s = 0;
        for (let i = -r; i <= r; i++) s += k[i + r]! * src[base + y * W + clamp(x + i, W)]!;
        rows[base + y * W + x] = s;
      }
    }
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        let s = 0;
        for (let i = -r; i <= r; i++) s += k[i + r]! * rows[base + clamp(y + i, H) * W + x]!;
        out[base + y * W + x] = s;
      }
    }
  }
  return out;
}
