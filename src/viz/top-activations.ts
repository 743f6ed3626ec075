/**
 * What excites a unit (Zeiler & Fergus, ECCV 2014): scan a dataset and keep,
 * for each chosen channel of a layer, the k largest activations with the image
 * and the map position they came from. Streaming: one batch of activations
 * exists at a time, and per unit only the running top k is kept, so memory is
 * O(batch + units·k) whatever the dataset's size.
 */
import { TensorError, fmtShape } from '../core/errors.js';
import type { Tensor } from '../tensor/tensor.js';
import type { Module } from '../nn/module.js';
import { featureMaps } from './capture.js';
import type { TopActivationsOptions } from './scan-checks.js';
import { checkScanOptions, checkUnits } from './scan-checks.js';
import { inEvalFrozen } from './eval-frozen.js';
import { openImageSource, type ImageSource } from './image-source.js';

/** One activation of a unit: its value, the image it came from, and where in the map. */
export interface Activation {
  /** The unit's output value there (channel `unit` of the layer's output at `position`). */
  value: number;
  /** Index of the image in the scanned source. */
  index: number;
  /** [row, column] in the layer's output map ([0, 0] for a layer with no spatial dims). */
  position: [number, number];
}

export type { TopActivationsOptions } from './scan-checks.js';

/** What `tg.viz.topActivations` returns: the scan's shapes and each unit's top-k activations. */
export interface TopActivations {
  /** Module path of the scanned layer. */
  layer: string;
  /** Channels of the layer's output. */
  channels: number;
  /** [H', W'] of the layer's output map ([1, 1] without spatial dims). */
  mapSize: [number, number];
  /** [C, H, W] of the scanned images. */
  imageShape: [number, number, number];
  /** Images scanned. */
  count: number;
  /** Per requested unit, in the order given: its top k, largest first. */
  units: {
    /** The channel. */
    unit: number;
    /** Its k largest activations over all images and positions, largest first. */
    top: Activation[];
  }[];
}

/**
 * Order of "more activating": larger value first; ties go to the lower image
 * index, then the earlier position in row-major order, so results never depend
 * on batch size or iteration details. A comparator for `Array.prototype.sort`: negative when `a` comes first.
 * @example tg.viz.compareActivations({ value: 2, index: 0, position: [0, 0] }, { value: 1, index: 1, position: [0, 0] }) // -1
 */
export function compareActivations(a: Activation, b: Activation): number {
  if (a.value !== b.value) return b.value - a.value;
  if (a.index !== b.index) return a.index - b.index;
  return a.position[0] !== b.position[0] ? a.position[0] - b.position[0] : a.position[1] - b.position[1];
}

/** The k best activations seen so far, best first (insertion into a sorted array: k is small). */
class RunningTopK {
  readonly items: Activation[] = [];
  constructor(private readonly k: number) {}

  /** Whether a candidate could enter: cheap test before allocating one. */
  admits(value: number): boolean {
    // NaN never enters; an equal value arriving later loses the tie (later index/position).
    return this.items.length < this.k ? !Number.isNaN(value) : value > this.items[this.k - 1]!.value;
  }

  offer(a: Activation): void {
    let i = this.items.length;
    while (i > 0 && compareActivations(a, this.items[i - 1]!) < 0) i--;
    if (i >= this.k) return;
    this.items.splice(i, 0, a);
    if (this.items.length > this.k) this.items.pop();
  }
}

/** [N, C, H', W'] or [N, C] -> [C, H', W'] sizes, or an error naming the layer. */
function mapDims(fn: string, layer: string, map: Tensor): [number, number, number] {
  if (map.ndim === 4) return [map.shape[1]!, map.shape[2]!, map.shape[3]!];
  if (map.ndim === 2) return [map.shape[1]!, 1, 1];
  throw new TensorError(`${fn}: layer '${layer}' outputs ${fmtShape(map.shape)}; expected channels [N, C, H, W] or features [N, C]`);
}

/**
 * Scans `images` in batches (no gradients, model in eval mode, restored after)
 * and returns, for each unit (channel) of `layer`, the `k` largest activations
 * anywhere in its output map, with image index and map position. Each batch's
 * map is read and dropped before the next forward pass.
 * Shapes: images `[N, C, H, W]` (or a Dataset / DataLoader of them); the
 * layer's output `[N, channels, H', W']` or `[N, channels]`.
 * @example
 * const top = tg.viz.topActivations(model, testImages, { layer: 'features.3', units: [0, 5], k: 9 });
 * top.units[0].top[0] // { value: 4.1, index: 1234, position: [3, 7] }
 */
export function topActivations<T, B>(model: Module, images: ImageSource<T, B>, opts: TopActivationsOptions): TopActivations {
  const fn = 'topActivations';
  const { k, batchSize } = checkScanOptions(fn, model, opts);
  const { layer, units, onProgress } = opts;
  const source = openImageSource(fn, images);
  const keep = units.map(() => new RunningTopK(k));
  // Known after the first batch: the map's [channels, H', W'] and the images' [C, H, W].
  const scan = inEvalFrozen(model, () => {
    let dims: [number, number, number] | null = null;
    let imageShape: [number, number, number] | null = null;
    let done = 0;
    for (const batch of source.batches(batchSize)) {
      const shape = batch.shape.slice(1) as [number, number, number];
      if (!imageShape) imageShape = shape;
      else if (shape.join() !== imageShape.join()) throw new TensorError(`${fn}: images must all be ${fmtShape(imageShape)} (image ${done} is ${fmtShape(shape)})`);
      const map = featureMaps(model, batch, { layers: [layer] }).get(layer);
      if (!map) throw new TensorError(`${fn}: layer '${layer}' did not run or did not return a tensor in the model's forward`);
      const d = mapDims(fn, layer, map);
      if (!dims) {
        checkUnits(fn, layer, units, d[0]);
        dims = d;
      }
      scanBatch(map.data(), batch.shape[0]!, d, units, keep, done);
      done += batch.shape[0]!;
      onProgress?.(done, source.length);
    }
    if (!dims || !imageShape) throw new TensorError(`${fn}: the image source is empty`);
    return { dims, imageShape, done };
  });
  const [channels, h, w] = scan.dims;
  return {
    layer, channels, mapSize: [h, w], imageShape: scan.imageShape, count: scan.done,
    units: units.map((unit, u) => ({ unit, top: keep[u]!.items })),
  };
}

/** Offers every value of the chosen channels in one batch's map (row-major [n, C, H', W']). */
function scanBatch(data: ArrayLike<number>, n: number, [c, h, w]: [number, number, number], units: readonly number[], keep: RunningTopK[], first: number): void {
  const plane = h * w;
  units.forEach((unit, u) => {
    const top = keep[u]!;
    for (let i = 0; i < n; i++) {
      const base = (i * c + unit) * plane;
      for (let p = 0; p < plane; p++) {
        const value = data[base + p]!;
        if (top.admits(value)) top.offer({ value, index: first + i, position: [Math.floor(p / w), p % w] });
      }
    }
  });
}
