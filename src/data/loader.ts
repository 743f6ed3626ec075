import { TensorError } from '../core/errors.js';
import { tensor } from '../tensor/create.js';
import { typedArrayFor } from '../core/dtype.js';
import { defaultGenerator, type Generator } from '../tensor/random.js';
import type { Tensor } from '../tensor/tensor.js';
import { indexSelect } from '../ops/indexing.js';
import { Subset, TensorDataset, permutation, type Dataset } from './dataset.js';
import { defaultCollate, type Collated } from './collate.js';

/** Options of {@link DataLoader} (`T` a sample, `B` a batch). */
export interface DataLoaderOptions<T, B> {
  /** Samples per batch (default 1). */
  batchSize?: number;
  /** Reshuffle the sample order at the start of every epoch (default false). */
  shuffle?: boolean;
  /** Drop the last batch when it is smaller than batchSize (default false). */
  dropLast?: boolean;
  /** Source of the shuffles (default: the global generator, seeded by `tg.manualSeed`). */
  generator?: Generator;
  /** Merges a list of samples into a batch (default: `defaultCollate`). */
  collate?: (samples: T[]) => B;
}

/** The tensors and sample indices behind a TensorDataset, possibly seen through Subsets. */
interface TensorSource {
  tensors: readonly Tensor[];
  /** Position in the loader's dataset -> row of the tensors (null: identity). */
  rows: Int32Array | null;
}

/** Sees through Subset(...Subset(TensorDataset)) so those batch by indexing too. */
function tensorSource(ds: Dataset<unknown>): TensorSource | null {
  if (ds instanceof TensorDataset) return { tensors: ds.tensors, rows: null };
  if (ds instanceof Subset) {
    const inner = tensorSource(ds.dataset as Dataset<unknown>);
    if (!inner) return null;
    const rows = Int32Array.from(ds.indices, (i) => (inner.rows ? inner.rows[i]! : i));
    return { tensors: inner.tensors, rows };
  }
  return null;
}

/**
 * Iterates a dataset in batches (torch.utils.data.DataLoader, single process).
 * Each `for...of` is one epoch; with `shuffle` every epoch draws a fresh
 * permutation from `generator`, so two loaders with equally seeded generators
 * produce the same batches, epoch after epoch, while consecutive epochs differ.
 *
 * `length` is the number of batches: `ceil(n / batchSize)`, or `floor` with dropLast.
 *
 * Fast path: for a `TensorDataset` (or Subsets of one) with the default collate,
 * a batch is cut straight from the stored tensors (whole rows copied from one
 * host read of each tensor per epoch) instead of stacking `batchSize` single
 * samples. The batches are equal to the slow path's and never alias the dataset.
 * @example
 * const loader = new tg.data.DataLoader(new tg.data.TensorDataset(images, labels), { batchSize: 64, shuffle: true });
 * for (const [x, y] of loader) {  // x [64,1,28,28], y [64]
 *   ...
 * }
 */
export class DataLoader<T, B = Collated<T>> implements Iterable<B> {
  /** Samples per batch (the last batch may be smaller unless dropLast). */
  readonly batchSize: number;
  /** Whether every epoch draws a fresh sample order. */
  readonly shuffle: boolean;
  /** Whether a last batch smaller than batchSize is dropped. */
  readonly dropLast: boolean;
  /** The generator the shuffles are drawn from. */
  readonly generator: Generator;
  private readonly collate: ((samples: T[]) => B) | null;
  private readonly source: TensorSource | null;

  /** Throws a TensorError on a batchSize that is not a positive integer, a dataset without length/get, or a collate that is not a function. */
  constructor(
    /** The dataset the batches are drawn from. */
    readonly dataset: Dataset<T>,
    opts: DataLoaderOptions<T, B> = {},
  ) {
    const { batchSize = 1, shuffle = false, dropLast = false, generator = defaultGenerator, collate } = opts;
    if (!Number.isInteger(batchSize) || batchSize < 1) {
      throw new TensorError(`DataLoader: batchSize must be a positive integer (got ${batchSize})`);
    }
    if (!dataset || typeof dataset.get !== 'function' || !Number.isInteger(dataset.length) || dataset.length < 0) {
      throw new TensorError('DataLoader: dataset must have an integer length >= 0 and a get(i) method');
    }
    if (collate !== undefined && typeof collate !== 'function') {
      throw new TensorError(`DataLoader: collate must be a function (got ${typeof collate})`);
    }
    this.batchSize = batchSize;
    this.shuffle = shuffle;
    this.dropLast = dropLast;
    this.generator = generator;
    this.collate = collate && collate !== (defaultCollate as unknown) ? collate : null;
    this.source = this.collate ? null : tensorSource(dataset as Dataset<unknown>);
  }

  /** Number of batches in one epoch. */
  get length(): number {
    const n = this.dataset.length;
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }

  /** One epoch of batches. */
  *[Symbol.iterator](): Iterator<B> {
    const n = this.dataset.length;
    // Drawn when the epoch starts, so each epoch gets the generator's next permutation.
    const order = this.shuffle ? permutation(n, this.generator) : null;
    const cut = this.source ? batchCutter(this.source) : null;
    const batches = this.length;
    for (let b = 0; b < batches; b++) {
      const start = b * this.batchSize;
      const idx = new Int32Array(Math.min(this.batchSize, n - start));
      for (let k = 0; k < idx.length; k++) idx[k] = order ? order[start + k]! : start + k;
      if (cut) {
        yield cut(idx) as B;
      } else {
        const samples = Array.from(idx, (i) => this.dataset.get(i));
        yield this.collate ? this.collate(samples) : (defaultCollate(samples) as B);
      }
    }
  }
}

/**
 * The TensorDataset fast path: returns a function that cuts the batch of
 * dataset positions `idx` straight out of the stored tensors.
 *
 * It reads each tensor to host memory once per epoch and copies whole rows
 * (one `TypedArray.set` per sample), which is far cheaper than per-element
 * strided kernels; since the read happens when the epoch starts, an epoch sees
 * the dataset as it was then. Tensors that require grad go through
 * `indexSelect` instead, so batches stay connected to the graph (as stacking would).
 */
function batchCutter(src: TensorSource): (idx: Int32Array) => Tensor[] {
  const { tensors } = src;
  const host = tensors.map((t) => (t.requiresGrad ? null : t.data()));
  const rowSize = tensors.map((t) => t.shape.slice(1).reduce((a, b) => a * b, 1));
  return (idx) => {
    const rows = src.rows ? idx.map((i) => src.rows![i]!) : idx;
    return tensors.map((t, j) => {
      const data = host[j];
      if (!data) return indexSelect(t, 0, tensor(rows, { dtype: 'int32', backend: t.backend }));
      const size = rowSize[j]!;
      const out = typedArrayFor(t.dtype, rows.length * size);
      if (size === 1) {
        for (let k = 0; k < rows.length; k++) out[k] = data[rows[k]!]!;
      } else {
        for (let k = 0; k < rows.length; k++) out.set(data.subarray(rows[k]! * size, (rows[k]! + 1) * size), k * size);
      }
      return tensor(out, { shape: [rows.length, ...t.shape.slice(1)], dtype: t.dtype, backend: t.backend });
    });
  };
}
