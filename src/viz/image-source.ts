/**
 * Image sources for the functions that scan a dataset (top activating
 * patches): an images tensor, a `tg.data` Dataset, or a DataLoader, seen as
 * one thing that yields batches `[n, C, H, W]` in index order and gives back
 * image `i` later (to crop its patch, to project onto it). Only one batch is
 * made at a time.
 */
import { TensorError, fmtShape } from '../core/errors.js';
import { Tensor } from '../tensor/tensor.js';
import { narrow, select, stack } from '../ops/movement.js';
import { DataLoader } from '../data/loader.js';
import type { Dataset } from '../data/dataset.js';

/**
 * Where images come from: a tensor `[N, C, H, W]`; a Dataset whose items are
 * images `[C, H, W]` or tuples with the image first (`[image, label]`, as
 * TensorDataset gives); or an unshuffled DataLoader over such a dataset
 * (batches `[n, C, H, W]` or `[images, labels]`). Image `i` is the i-th in that order.
 */
export type ImageSource<T = unknown, B = unknown> = Tensor | Dataset<T> | DataLoader<T, B>;

/** An image source opened for one scan. */
export interface OpenedSource {
  /** Number of images a scan visits. */
  readonly length: number;
  /** Batches `[n, C, H, W]` of images 0, 1, ... in order; `batchSize` is ignored by a DataLoader (it has its own). */
  batches(batchSize: number): Iterable<Tensor>;
  /** Image `i` as `[C, H, W]`. */
  image(i: number): Tensor;
}

const describe = (v: unknown): string =>
  v instanceof Tensor ? `Tensor ${fmtShape(v.shape)}` : Array.isArray(v) ? `array of ${v.length}` : v === null ? 'null' : typeof v;

/** The image in a dataset item or loader batch: the item itself, or its first element. */
function imageOf(fn: string, item: unknown, rank: number, what: string): Tensor {
  const t = item instanceof Tensor ? item : Array.isArray(item) && item[0] instanceof Tensor ? (item[0] as Tensor) : null;
  const expected = rank === 3 ? '[C, H, W]' : '[N, C, H, W]';
  if (!t || t.ndim !== rank) {
    throw new TensorError(`${fn}: each ${what} must be an image tensor ${expected} or a tuple whose first element is one (got ${t ? `Tensor ${fmtShape(t.shape)}` : describe(item)})`);
  }
  return t;
}

/**
 * Opens `source` for a scan by `fn` (the name errors carry). A shuffled
 * DataLoader is refused: its order changes every epoch, so an image index
 * would not identify an image.
 * @example const src = openImageSource('topActivations', images); for (const b of src.batches(64)) ...
 */
export function openImageSource<T, B>(fn: string, source: ImageSource<T, B>): OpenedSource {
  if (source instanceof Tensor) return tensorSource(fn, source);
  if (source instanceof DataLoader) return loaderSource(fn, source as DataLoader<T, B>);
  if (typeof source === 'object' && source !== null && typeof (source as Dataset<unknown>).get === 'function' && Number.isInteger((source as Dataset<unknown>).length)) {
    return datasetSource(fn, source as Dataset<unknown>);
  }
  throw new TensorError(`${fn}: images must be a tensor [N, C, H, W], a Dataset or a DataLoader (got ${describe(source)})`);
}

function tensorSource(fn: string, images: Tensor): OpenedSource {
  if (images.ndim !== 4) throw new TensorError(`${fn}: images must be [N, C, H, W] (got ${fmtShape(images.shape)})`);
  const n = images.shape[0]!;
  return {
    length: n,
    *batches(batchSize) {
      // Views: no copy of the dataset, one batch of activations at a time.
      for (let start = 0; start < n; start += batchSize) yield narrow(images, 0, start, Math.min(batchSize, n - start)).detach();
    },
    image: (i) => select(images, 0, i).detach(),
  };
}

function datasetSource(fn: string, ds: Dataset<unknown>): OpenedSource {
  const image = (i: number) => imageOf(fn, ds.get(i), 3, 'dataset item').detach();
  return {
    length: ds.length,
    *batches(batchSize) {
      for (let start = 0; start < ds.length; start += batchSize) {
        const end = Math.min(start + batchSize, ds.length);
        yield stack(Array.from({ length: end - start }, (_, k) => image(start + k)));
      }
    },
    image,
  };
}

function loaderSource<T, B>(fn: string, loader: DataLoader<T, B>): OpenedSource {
  if (loader.shuffle) throw new TensorError(`${fn}: the DataLoader shuffles, so image indices would not name images; pass one with shuffle: false (or the dataset)`);
  const n = loader.dataset.length;
  return {
    // With dropLast the loader never yields the last, partial batch.
    length: loader.dropLast ? Math.floor(n / loader.batchSize) * loader.batchSize : n,
    *batches() {
      for (const batch of loader) yield imageOf(fn, batch, 4, 'batch of the DataLoader').detach();
    },
    image: (i) => imageOf(fn, loader.dataset.get(i), 3, 'dataset item').detach(),
  };
}
