/**
 * Feature maps as pictures: for one input, each layer's output channels as a
 * grid of small heatmaps, with a choice of colour scale (each map on its own,
 * or one scale for the whole layer), so a learner sees edges in the first
 * layer turn into sparser, more abstract responses deeper in.
 */
import { TensorError, fmtShape } from '../core/errors.js';
import { tensor } from '../tensor/create.js';
import { Tensor } from '../tensor/tensor.js';
import type { Module } from '../nn/module.js';
import { featureMaps, moduleAt } from './capture.js';
import { inEvalFrozen } from './eval-frozen.js';
import { colorize, colormapTable, type ColormapName } from './colormap-core.js';
import { imageGrid, upscaleNearest } from './sheet.js';

/** 'per-map': each channel min..max on its own (shows patterns); 'per-layer': one range for all channels (shows which are strong). */
export type FeatureScale = 'per-map' | 'per-layer';

/** How feature maps are drawn (`tg.viz.featureMapImage`, `featureMapGrid`, `featureMapSheet`): colour scale, colormap, cell size, columns. */
export interface FeatureViewOptions {
  /** Colour scale (default 'per-map'). */
  scale?: FeatureScale;
  /** A colormap, or 'grey' for plain intensity (default 'viridis'). */
  map?: ColormapName | 'grey';
  /** Target size in pixels of each map's longer side (integer upscaling, default 56). */
  cellSize?: number;
  /** Grid columns (default: ceil(sqrt(channels)); for a vector, values per row, default 32). */
  columns?: number;
}

/** One layer's output drawn as an image. */
export interface FeatureMapView {
  /** Module path of the layer. */
  path: string;
  /** The layer's output shape, batch dim included (e.g. [1, 6, 28, 28]). */
  shape: number[];
  /** 'maps': a grid with one cell per channel; 'vector': a non-spatial output (e.g. Linear) as a strip of coloured cells. */
  kind: 'maps' | 'vector';
  /** `[3, H, W]` (colormap) or `[1, H, W]` ('grey'), values in [0, 1]. */
  image: Tensor;
  /** The channels drawn, in grid order (for 'vector': empty). */
  channels: number[];
  /** The value range mapped to the colour scale's ends, per drawn channel (one entry for 'vector'). */
  ranges: [number, number][];
}

/** A layer that is not drawn: its output is neither `[1, C, H, W]` nor `[1, F]`, or it did not run. */
export interface SkippedLayer {
  /** Module path of the layer. */
  path: string;
  /** The layer's output shape, batch dim included (`[]` when it did not run). */
  shape: number[];
  /** Always 'skipped' (tells it apart from a FeatureMapView). */
  kind: 'skipped';
  /** Why it was not drawn, in words. */
  note: string;
}

function checkView(opts: FeatureViewOptions, fn: string): Required<Pick<FeatureViewOptions, 'scale' | 'map' | 'cellSize'>> {
  const scale = opts.scale ?? 'per-map';
  if (scale !== 'per-map' && scale !== 'per-layer') throw new TensorError(`${fn}: scale must be 'per-map' or 'per-layer' (got ${JSON.stringify(scale)})`);
  const map = opts.map ?? 'viridis';
  if (map !== 'grey') colormapTable(map, fn);
  const cellSize = opts.cellSize ?? 56;
  if (!Number.isInteger(cellSize) || cellSize < 1) throw new TensorError(`${fn}: cellSize must be a positive integer (got ${cellSize})`);
  if (opts.columns !== undefined && (!Number.isInteger(opts.columns) || opts.columns < 1)) {
    throw new TensorError(`${fn}: columns must be a positive integer (got ${opts.columns})`);
  }
  return { scale, map, cellSize };
}

/** min..max of `n` values from `start` (symmetric -m..m for the diverging map, so 0 stays neutral). */
function rangeOf(v: ArrayLike<number>, start: number, n: number, map: ColormapName | 'grey', fn: string): [number, number] {
  let lo = Infinity, hi = -Infinity;
  for (let i = start; i < start + n; i++) {
    const x = v[i]!;
    if (!Number.isFinite(x)) throw new TensorError(`${fn}: the layer output holds a non-finite value (${x})`);
    if (x < lo) lo = x;
    if (x > hi) hi = x;
  }
  if (map === 'diverging') {
    const m = Math.max(Math.abs(lo), Math.abs(hi));
    return [-m, m];
  }
  return [lo, hi];
}

/**
 * Colours values under a range. A sequential map draws a constant block (a dead
 * ReLU channel) in its LOWEST colour, so it reads as "nothing here" rather than
 * as a medium response; the diverging map's symmetric range puts zero in the middle.
 */
function paint(values: ArrayLike<number>, map: ColormapName | 'grey', range: [number, number]): { data: Float32Array; c: number } {
  const [lo, hi] = range;
  const r: [number, number] = hi > lo || map === 'diverging' ? [lo, hi] : [lo, lo + 1];
  if (map !== 'grey') return { data: colorize(values, map, r), c: 3 };
  const out = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = Math.min(Math.max((values[i]! - r[0]) / (r[1] - r[0]), 0), 1);
  return { data: out, c: 1 };
}

/**
 * One sample's layer output as an image: `activation [C, H, W]` -> a grid with
 * one cell per channel (kind 'maps'), each cell upscaled by an integer factor to
 * about `cellSize` pixels; `activation [F]` -> a strip of F coloured squares,
 * `columns` (default 32) per row, always on one scale (kind 'vector'). Constant
 * maps are drawn in the lowest colour (see `scale`). Padding is white.
 * @example
 * const { image } = featureMapImage(maps.get('features.0')!.squeeze(0), { scale: 'per-layer' });
 */
export function featureMapImage(activation: Tensor, opts: FeatureViewOptions & { channels?: readonly number[] } = {}): Pick<FeatureMapView, 'kind' | 'image' | 'channels' | 'ranges'> {
  const fn = 'featureMapImage';
  if (!(activation instanceof Tensor) || (activation.ndim !== 3 && activation.ndim !== 1)) {
    const got = activation instanceof Tensor ? fmtShape(activation.shape) : typeof activation;
    throw new TensorError(`${fn}: expected one sample's output [C, H, W] or [F] (got ${got})`);
  }
  const { scale, map, cellSize } = checkView(opts, fn);
  const v = activation.data();
  if (activation.ndim === 1) {
    const n = v.length;
    const cols = Math.min(opts.columns ?? 32, Math.max(n, 1));
    const rows = Math.ceil(n / cols);
    const range = rangeOf(v, 0, n, map, fn);
    const { data, c } = paint(v, map, range);
    // Cells past the last value stay white, like grid padding.
    const strip = new Float32Array(c * rows * cols).fill(1);
    for (let k = 0; k < c; k++) strip.set(data.subarray(k * n, (k + 1) * n), k * rows * cols);
    const factor = Math.max(1, Math.round(cellSize / 4));
    return { kind: 'vector', image: upscaleNearest(tensor(strip, { shape: [c, rows, cols] }), factor), channels: [], ranges: [range] };
  }
  const [C, h, w] = activation.shape as [number, number, number];
  const channels = opts.channels ? [...opts.channels] : Array.from({ length: C }, (_, i) => i);
  const plane = h * w;
  const layerRange = rangeOf(v, 0, v.length, map, fn);
  const factor = Math.max(1, Math.floor(cellSize / Math.max(h, w)));
  const ranges: [number, number][] = [];
  const cells = channels.map((ch) => {
    const range = scale === 'per-layer' ? layerRange : rangeOf(v, ch * plane, plane, map, fn);
    ranges.push(range);
    const { data, c } = paint(v.subarray(ch * plane, (ch + 1) * plane), map, range);
    return upscaleNearest(tensor(data, { shape: [c, h, w] }), factor);
  });
  const image = imageGrid(cells, { columns: opts.columns ?? Math.ceil(Math.sqrt(cells.length)) });
  return { kind: 'maps', image, channels, ranges };
}

/** `[C, H, W]` or `[1, C, H, W]` -> a float `[1, C, H, W]` batch of one. */
function oneImage(input: unknown, fn: string): Tensor {
  if (!(input instanceof Tensor) || !(input.ndim === 3 || (input.ndim === 4 && input.shape[0] === 1))) {
    const got = input instanceof Tensor ? fmtShape(input.shape) : typeof input;
    throw new TensorError(`${fn}: expected one image [C, H, W] or [1, C, H, W] (got ${got})`);
  }
  const x = input.ndim === 3 ? input.unsqueeze(0) : input;
  return x.isFloatingPoint() ? x : x.float();
}

/** The model's layer outputs for one input, in eval mode (dropout off, batch norm on running statistics); the model is left as it was. */
function captureEval(model: Module, x: Tensor, layers: readonly string[]): Map<string, Tensor> {
  return inEvalFrozen(model, () => featureMaps(model, x, { layers }));
}

function channelsOf(path: string, shape: readonly number[], channels: readonly number[] | undefined, fn: string): number[] | undefined {
  if (!channels) return undefined;
  const count = shape[1]!;
  for (const c of channels) {
    if (!Number.isInteger(c) || c < 0 || c >= count) {
      throw new TensorError(`${fn}: channel ${c} is out of range for layer '${path}', which has ${count} channels (0..${count - 1})`);
    }
  }
  return [...channels];
}

/** Draws one captured output `[1, ...]`, or says why it is skipped. */
function viewOf(path: string, out: Tensor | undefined, opts: FeatureViewOptions & { channels?: readonly number[] }, fn: string): FeatureMapView | SkippedLayer {
  if (!out) return { path, shape: [], kind: 'skipped', note: 'the layer did not run (or returned no tensor) in this forward pass' };
  const shape = [...out.shape];
  if (out.ndim !== 4 && out.ndim !== 2) {
    return { path, shape, kind: 'skipped', note: `output ${fmtShape(shape)} is neither spatial [1, C, H, W] nor a vector [1, F]` };
  }
  const channels = out.ndim === 4 ? channelsOf(path, shape, opts.channels, fn) : undefined;
  const drawn = featureMapImage(out.squeeze(0), { ...opts, ...(channels ? { channels } : {}) });
  return { path, shape, ...drawn };
}

/**
 * One layer's feature maps for one input as a grid image: runs `model` (in eval
 * mode, without gradients; the model's modes are restored) on `input [C, H, W]`
 * or `[1, C, H, W]` and draws the output of `layer` with featureMapImage. A
 * non-spatial output `[1, F]` is drawn as a strip of F values (kind 'vector').
 * @example
 * const v = featureMapGrid(lenet, digit, { layer: 'features.1', scale: 'per-layer' });
 * v.image.shape // [3, 2 * 58 + 2, 3 * 58 + 2]: 6 maps of 28x28, upscaled 2x, 3 per row, 2 rows
 */
export function featureMapGrid(model: Module, input: Tensor, opts: FeatureViewOptions & { layer: string; channels?: readonly number[] }): FeatureMapView {
  const fn = 'featureMapGrid';
  checkView(opts ?? {}, fn);
  if (!opts || opts.layer === undefined) throw new TensorError(`${fn}: options.layer is required (a module path such as 'features.0')`);
  moduleAt(model, opts.layer, fn);
  const x = oneImage(input, fn);
  const out = captureEval(model, x, [opts.layer]).get(opts.layer);
  const view = viewOf(opts.layer, out, opts, fn);
  if (view.kind === 'skipped') throw new TensorError(`${fn}: cannot draw layer '${opts.layer}': ${view.note}`);
  return view;
}

/** Options of `tg.viz.featureMapSheet`: the drawing options plus which layers and how many channels. */
export interface FeatureSheetOptions extends FeatureViewOptions {
  /** Layers to draw (default: every leaf module, i.e. one without children). */
  layers?: readonly string[];
  /** Draw at most this many channels per layer, the first ones (default 64). */
  maxChannels?: number;
}

/** The input shown beside its feature maps, and each layer's view in the order the layers ran. */
export interface FeatureMapSheet {
  /** The input as an image `[C, H, W]` (C = 1 or 3; rescaled min..max if outside [0, 1]), upscaled like the maps. */
  input: Tensor;
  /** One entry per chosen layer in the order they ran: its view, or why it was skipped. */
  layers: (FeatureMapView | SkippedLayer)[];
}

/** The input as something a PNG can show: grey or RGB in [0, 1] (other channel counts: their mean, grey). */
function inputImage(x: Tensor, cellSize: number): Tensor {
  let img = x.squeeze(0);
  if (img.shape[0] !== 1 && img.shape[0] !== 3) img = img.mean(0, true);
  const lo = img.min().item(), hi = img.max().item();
  if (lo < 0 || hi > 1) img = hi > lo ? img.sub(lo).div(hi - lo) : img.mul(0).add(0.5);
  const factor = Math.max(1, Math.floor(cellSize / Math.max(img.shape[1]!, img.shape[2]!)));
  return upscaleNearest(img.contiguous(), factor);
}

/**
 * Feature maps of many layers for one input: the input image and, per layer in
 * the order they ran, {path, shape, kind, image} (see featureMapGrid). Layers
 * whose output is neither `[1, C, H, W]` nor `[1, F]`, or that did not run,
 * are listed with kind 'skipped' and a note instead of an image. Runs in eval
 * mode without gradients; the model's modes are restored.
 * @example
 * const sheet = featureMapSheet(lenet, digit, { layers: ['features.0', 'features.3'] });
 * sheet.layers.map((l) => l.path) // ['features.0', 'features.3']
 */
export function featureMapSheet(model: Module, input: Tensor, opts: FeatureSheetOptions = {}): FeatureMapSheet {
  const fn = 'featureMapSheet';
  const { cellSize } = checkView(opts, fn);
  const maxChannels = opts.maxChannels ?? 64;
  if (!Number.isInteger(maxChannels) || maxChannels < 1) throw new TensorError(`${fn}: maxChannels must be a positive integer (got ${maxChannels})`);
  const layers = opts.layers ?? model.namedModules().filter(([p, m]) => p !== '' && m.children().length === 0).map(([p]) => p);
  for (const p of layers) moduleAt(model, p, fn);
  const x = oneImage(input, fn);
  const maps = captureEval(model, x, layers);
  const order = [...maps.keys(), ...layers.filter((p) => !maps.has(p))];
  const views = order.map((path) => {
    const out = maps.get(path);
    const channels = out && out.ndim === 4 ? Array.from({ length: Math.min(out.shape[1]!, maxChannels) }, (_, i) => i) : undefined;
    return viewOf(path, out, { ...opts, ...(channels ? { channels } : {}) }, fn);
  });
  return { input: inputImage(x, cellSize), layers: views };
}
