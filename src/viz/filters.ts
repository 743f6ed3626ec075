/**
 * Filters: a convolution layer's kernels as small images, the first thing a
 * course shows about a trained CNN (oriented edges and colour blobs in the first
 * layer). First-layer filters over RGB input are shown in colour, over grey
 * input in grey; deeper filters (many input channels) one grey image per
 * (filter, input channel) pair.
 */
import { TensorError } from '../core/errors.js';
import { tensor } from '../tensor/create.js';
import type { Tensor } from '../tensor/tensor.js';
import type { Module } from '../nn/module.js';
import { ConvNd } from '../nn/layers/conv.js';
import { moduleAt } from './capture.js';
import { imageGrid, upscaleNearest } from './sheet.js';

/** Which conv layer and which of its filters `tg.viz.filterImages` / `filterGrid` draw. */
export interface FilterOptions {
  /** Path of a Conv2d layer (default: the first Conv2d in `model.namedModules()` order). */
  layer?: string;
  /** Output filters to show, by index (default: all). */
  filters?: readonly number[];
}

/** A conv layer's kernels as images, with what a renderer needs to lay them out. */
export interface FilterImages {
  /** Module path of the layer. */
  path: string;
  /** The weight's shape `[outChannels, inChannels/groups, kH, kW]`. */
  weightShape: number[];
  /**
   * 'rgb': one `[3, kH, kW]` image per filter; 'grey': one `[1, kH, kW]` per filter;
   * 'per-channel': one `[1, kH, kW]` per (filter, input channel), row by row.
   */
  layout: 'rgb' | 'grey' | 'per-channel';
  /** The filters shown (indices into outChannels), in order. */
  filters: number[];
  /** The images, filter-major: for 'per-channel', image r * columns + c is filter `filters[r]`, input channel c. */
  images: Tensor[];
  /** Suggested grid columns: the input channel count for 'per-channel', else ceil(sqrt(count)). */
  columns: number;
}

/** The 2-D convolution layers below `model`, by path. */
function conv2dPaths(model: Module): string[] {
  return model.namedModules().filter(([, m]) => m instanceof ConvNd && m.n === 2).map(([p]) => p);
}

/** The conv layer asked for (or the first one), with errors that list the conv layers there are. */
function pickConv(model: Module, layer: string | undefined, fn: string): [string, ConvNd] {
  const convs = conv2dPaths(model);
  const list = convs.length ? `conv layers: ${convs.join(', ')}` : 'the model has no Conv2d layer';
  if (layer === undefined) {
    if (!convs.length) throw new TensorError(`${fn}: found no Conv2d layer to show (${list})`);
    return [convs[0]!, moduleAt(model, convs[0]!, fn) as ConvNd];
  }
  const m = moduleAt(model, layer, fn);
  if (!(m instanceof ConvNd && m.n === 2)) {
    throw new TensorError(`${fn}: layer '${layer}' is a ${m.constructor.name}, not a Conv2d (${list})`);
  }
  return [layer, m];
}

/**
 * Min-max normalisation of `n` values starting at `start` into [0, 1]; a
 * constant block becomes 0.5 (mid grey) instead of NaN.
 */
function normalise(w: ArrayLike<number>, start: number, n: number): Float32Array {
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = w[start + i]!;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const out = new Float32Array(n);
  const span = hi - lo;
  for (let i = 0; i < n; i++) out[i] = span > 0 ? (w[start + i]! - lo) / span : 0.5;
  return out;
}

/**
 * The kernels of a Conv2d layer as images. Normalisation is PER FILTER, min-max
 * (the PyTorch / course convention): each filter's weights, over all its input
 * channels together, are mapped to [0, 1], so within a filter the relative
 * strength of its channels is kept, and a weak filter is as visible as a strong
 * one (compare filters by pattern, not by brightness). A constant filter is mid grey.
 * Weight `[Cout, Cin, kH, kW]` -> Cin = 3: Cout RGB images `[3, kH, kW]`; Cin = 1:
 * Cout grey images `[1, kH, kW]`; otherwise Cout * Cin grey images `[1, kH, kW]`.
 * @example
 * const f = filterImages(tg.models.lenet5());   // features.0: 6 grey 5x5 images
 * const deep = filterImages(model, { layer: 'features.3', filters: [0, 1] }); // 2 x 6 images
 */
export function filterImages(model: Module, opts: FilterOptions = {}): FilterImages {
  const [path, conv] = pickConv(model, opts.layer, 'filterImages');
  const shape = conv.weight.shape as [number, number, number, number];
  const [cout, cin, kh, kw] = shape;
  const filters = opts.filters ? [...opts.filters] : Array.from({ length: cout }, (_, i) => i);
  for (const f of filters) {
    if (!Number.isInteger(f) || f < 0 || f >= cout) {
      throw new TensorError(`filterImages: filter ${f} is out of range for layer '${path}', which has ${cout} output channels (0..${cout - 1})`);
    }
  }
  const layout: FilterImages['layout'] = cin === 3 ? 'rgb' : cin === 1 ? 'grey' : 'per-channel';
  const w = conv.weight.data();
  const plane = kh * kw, size = cin * plane;
  const images: Tensor[] = [];
  for (const f of filters) {
    const norm = normalise(w, f * size, size);
    if (layout === 'per-channel') {
      for (let c = 0; c < cin; c++) images.push(tensor(norm.slice(c * plane, (c + 1) * plane), { shape: [1, kh, kw] }));
    } else {
      images.push(tensor(norm, { shape: [cin, kh, kw] }));
    }
  }
  const columns = layout === 'per-channel' ? cin : Math.ceil(Math.sqrt(filters.length));
  return { path, weightShape: [...shape], layout, filters, images, columns };
}

/** Options of `tg.viz.filterGrid`: the layer and filters, plus cell size and padding. */
export interface FilterGridOptions extends FilterOptions {
  /** Target size in pixels of each kernel's longer side (integer upscaling, default 40). */
  cellSize?: number;
  /** Pixels of white between cells (default 2). */
  padding?: number;
}

/**
 * The filters of a Conv2d layer (see filterImages) as ONE image, each kernel
 * enlarged by an integer factor (nearest neighbour, so weights stay crisp
 * squares) to about `cellSize` pixels. Grey kernels give a grey `[1, H, W]` grid,
 * RGB kernels `[3, H, W]`; 'per-channel' layouts have one row per filter and one
 * column per input channel. Padding is white.
 * @example writePng('filters.png', filterGrid(model)) // LeNet-5: 6 filters, 3x3 cells of 40x40 (5x5 upscaled 8x)
 */
export function filterGrid(model: Module, opts: FilterGridOptions = {}): Tensor {
  const f = filterImages(model, opts);
  const cellSize = opts.cellSize ?? 40;
  if (!Number.isInteger(cellSize) || cellSize < 1) throw new TensorError(`filterGrid: cellSize must be a positive integer (got ${cellSize})`);
  const [, , kh, kw] = f.weightShape as [number, number, number, number];
  const factor = Math.max(1, Math.floor(cellSize / Math.max(kh, kw)));
  const cells = f.images.map((img) => upscaleNearest(img, factor));
  return imageGrid(cells, { columns: f.columns, padding: opts.padding ?? 2 });
}
