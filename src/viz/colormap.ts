/**
 * Colormaps: turn a heatmap `[H, W]` of numbers into an RGB image `[3, H, W]`
 * with matplotlib's perceptually uniform tables (viridis, magma) or a diverging
 * map for signed values (RdBu_r), and lay a heatmap over a picture. The colours
 * come from data tables (colormap-data.ts), not formulas, so they are exactly
 * the published maps.
 */
import { TensorError, fmtShape } from '../core/errors.js';
import { tensor } from '../tensor/create.js';
import { Tensor } from '../tensor/tensor.js';
import { resizeBilinear } from '../data/resize.js';
import { COLORMAPS, colorize, colormapTable, valueRange, type ColormapName } from './colormap-core.js';

export { COLORMAPS, type ColormapName };

/** Options of `tg.viz.colormap`: which map and the value range it spans. */
export interface ColormapOptions {
  /** Which map (default 'viridis'). */
  map?: ColormapName;
  /**
   * Values mapped to the low and high ends; values outside are clipped. Default:
   * the values' min..max, or -m..m with m = max|v| for 'diverging' (so 0 is the
   * middle colour).
   */
  range?: readonly [number, number];
}

function checkRange(range: unknown, fn: string): asserts range is readonly [number, number] {
  if (!Array.isArray(range) || range.length !== 2 || !range.every((v) => typeof v === 'number' && Number.isFinite(v)) || range[0] > range[1]) {
    throw new TensorError(`${fn}: range must be [lo, hi] with finite lo <= hi (got ${JSON.stringify(range)})`);
  }
}

function checkHeat(values: unknown, fn: string, arg: string): asserts values is Tensor {
  if (!(values instanceof Tensor)) throw new TensorError(`${fn}: ${arg} must be a Tensor [H, W] (got ${typeof values})`);
  if (values.ndim !== 2 || !values.isFloatingPoint()) {
    throw new TensorError(`${fn}: ${arg} must be a float heatmap [H, W] (got ${values.dtype} ${fmtShape(values.shape)})`);
  }
}

/**
 * Colours a heatmap: `values [H, W]` (float) -> RGB image `[3, H, W]` float32 in
 * [0, 1]. `range` defaults to min..max (for 'diverging': symmetric -max|v|..max|v|,
 * so zero is the neutral middle); values outside it are clipped to the ends. A
 * constant heatmap is drawn in the map's middle colour, never NaN (for
 * 'diverging' that holds for a constant 0; a constant c != 0 keeps its sign's
 * end colour, as the symmetric range says). Non-finite values throw.
 * @example
 * const img = colormap(saliency, { map: 'magma' });       // [3, 28, 28]
 * const signed = colormap(weights, { map: 'diverging' }); // blue < 0 < red
 */
export function colormap(values: Tensor, opts: ColormapOptions = {}): Tensor {
  checkHeat(values, 'colormap', 'values');
  const map = opts.map ?? 'viridis';
  colormapTable(map, 'colormap');
  const data = values.data();
  const auto = valueRange(data, map, 'colormap');
  if (opts.range !== undefined) checkRange(opts.range, 'colormap');
  const [h, w] = values.shape as [number, number];
  return tensor(colorize(data, map, opts.range ?? auto), { shape: [3, h, w] });
}

/** Options of `tg.viz.overlay`: the colormap's, plus the blend weight and how the heatmap is resized. */
export interface OverlayOptions extends ColormapOptions {
  /** Weight of the heatmap colour in the blend, in [0, 1] (default 0.5). */
  alpha?: number;
  /** How a heatmap of another size is resized to the image (default 'bilinear'; 'nearest' keeps blocks visible). */
  resize?: 'bilinear' | 'nearest';
}

/** Nearest-neighbour resize of `[h, w]` values to `[H, W]` (pixel centres mapped like PyTorch's 'nearest'). */
function resizeNearest(data: ArrayLike<number>, h: number, w: number, H: number, W: number): Float32Array {
  const out = new Float32Array(H * W);
  for (let y = 0; y < H; y++) {
    const sy = Math.min(Math.floor((y * h) / H), h - 1);
    for (let x = 0; x < W; x++) out[y * W + x] = data[sy * w + Math.min(Math.floor((x * w) / W), w - 1)]!;
  }
  return out;
}

/**
 * A heatmap laid over a picture: `image [C, H, W]` (C = 1 grey or 3 RGB, values
 * in [0, 1]) and `heat [h, w]` -> RGB `[3, H, W]` = (1 - alpha) * image + alpha *
 * colormap(heat). A heatmap of another size is resized to the image first
 * (bilinear by default); its colour range is taken from the heatmap itself
 * (or `range`), before resizing.
 * @example writePng('saliency.png', overlay(digit, saliency, { map: 'magma', alpha: 0.6 }))
 */
export function overlay(image: Tensor, heat: Tensor, opts: OverlayOptions = {}): Tensor {
  if (!(image instanceof Tensor) || image.ndim !== 3 || ![1, 3].includes(image.shape[0]!)) {
    const got = image instanceof Tensor ? fmtShape(image.shape) : typeof image;
    throw new TensorError(`overlay: image must be [C, H, W] with C = 1 (grey) or 3 (RGB) (got ${got})`);
  }
  checkHeat(heat, 'overlay', 'heat');
  const map = opts.map ?? 'viridis';
  colormapTable(map, 'overlay');
  const alpha = opts.alpha ?? 0.5;
  if (typeof alpha !== 'number' || !(alpha >= 0 && alpha <= 1)) throw new TensorError(`overlay: alpha must be a number in [0, 1] (got ${alpha})`);
  const mode = opts.resize ?? 'bilinear';
  if (mode !== 'bilinear' && mode !== 'nearest') throw new TensorError(`overlay: resize must be 'bilinear' or 'nearest' (got ${JSON.stringify(mode)})`);
  if (opts.range !== undefined) checkRange(opts.range, 'overlay');

  const [c, H, W] = image.shape as [number, number, number];
  const [h, w] = heat.shape as [number, number];
  const raw = heat.data();
  const range = opts.range ?? valueRange(raw, map, 'overlay');
  let values: ArrayLike<number> = raw;
  if (h !== H || w !== W) {
    values = mode === 'nearest' ? resizeNearest(raw, h, w, H, W) : resizeBilinear(heat.float(), [H, W]).data();
  }
  const colour = colorize(values, map, range);
  const pixels = image.data();
  const plane = H * W;
  const out = new Float32Array(3 * plane);
  for (let k = 0; k < 3; k++) {
    // A grey image is the same picture in all three channels.
    const src = c === 1 ? 0 : k * plane;
    for (let p = 0; p < plane; p++) out[k * plane + p] = (1 - alpha) * pixels[src + p]! + alpha * colour[k * plane + p]!;
  }
  return tensor(out, { shape: [3, H, W] });
}
