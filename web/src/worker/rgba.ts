/**
 * Tensors and value arrays -> `RgbaImage` (protocol.ts), the form every image
 * takes on its way to the page: 4 bytes per pixel, ready for `new ImageData`.
 * Plain loops over typed arrays: these run on every stroke of the Draw tab.
 */
import * as tg from '../../../src/index.js';
import type { RgbaImage } from './protocol.js';

/**
 * An image tensor `[C, H, W]` with values in [0, 1] (C = 1 grey, C = 3 RGB) as RGBA bytes.
 * Values outside [0, 1] are clipped.
 * @example imageToRgba(tg.viz.colormap(heat, { map: 'magma' })) // { width: 28, height: 28, rgba }
 */
export function imageToRgba(img: tg.Tensor): RgbaImage {
  if (img.ndim !== 3 || (img.shape[0] !== 1 && img.shape[0] !== 3)) {
    throw new Error(`imageToRgba: expected an image [1 or 3, H, W] (got [${img.shape.join(', ')}])`);
  }
  const [c, height, width] = img.shape as [number, number, number];
  return planesToRgba(img.data(), c, height, width);
}

/** Channel-major planes `[c * h * w]` in [0, 1] -> RGBA (c = 1: grey). */
export function planesToRgba(values: ArrayLike<number>, c: number, height: number, width: number): RgbaImage {
  const plane = height * width;
  const rgba = new Uint8ClampedArray(plane * 4);
  for (let p = 0; p < plane; p++) {
    for (let k = 0; k < 3; k++) rgba[4 * p + k] = Math.round(255 * values[(c === 1 ? 0 : k) * plane + p]!);
    rgba[4 * p + 3] = 255;
  }
  return { width, height, rgba };
}

/**
 * `values` (row-major h x w, from `offset`) coloured with a tg.viz colormap over `range`
 * (one range for a whole layer, so its channels compare by brightness).
 * @example coloured(map, 0, 28, 28, [0, 3.2]) // viridis 28x28
 */
export function coloured(values: Float32Array, offset: number, height: number, width: number, range: readonly [number, number], map: tg.viz.ColormapName = 'viridis'): RgbaImage {
  const heat = tg.tensor(values.subarray(offset, offset + height * width), { shape: [height, width] });
  return imageToRgba(tg.viz.colormap(heat, { map, range }));
}

/**
 * Min-max of `n` values from `offset` to a grey image (a constant block is mid grey).
 * @example minMaxGrey(w, 0, 28, 28) // one MLP unit's input weights as a picture
 */
export function minMaxGrey(values: ArrayLike<number>, offset: number, height: number, width: number): RgbaImage {
  const n = height * width;
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = values[offset + i]!;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const grey = new Float32Array(n);
  const span = hi - lo;
  for (let i = 0; i < n; i++) grey[i] = span > 0 ? (values[offset + i]! - lo) / span : 0.5;
  return planesToRgba(grey, 1, height, width);
}

/** The smallest and largest of `values` ([0, 0] when empty); NaN/Infinity throw (a diverged model). */
export function rangeOf(values: ArrayLike<number>, what: string): [number, number] {
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) throw new Error(`${what} has a non-finite value (${v}): the model has diverged; reset it`);
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return values.length ? [lo, hi] : [0, 0];
}
