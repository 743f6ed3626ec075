/**
 * The image-classification datasets known by name ('mnist', 'fashion-mnist',
 * 'cifar10'), with their classes and published per-channel statistics, loaded
 * resized and normalised in one call. The CLI (`--dataset`) and the
 * experiments both load through here; the CLI adds its flag wording on top.
 */
import { loadMnist, loadFashionMnist, FASHION_MNIST_CLASSES } from './mnist.js';
import { loadCifar10, CIFAR10_CLASSES } from './cifar.js';
import { resizeBilinear } from './resize.js';
import { noGrad } from '../tensor/graph.js';
import { tensor } from '../tensor/create.js';
import type { Tensor } from '../tensor/tensor.js';
import { TensorError } from '../core/errors.js';

/** Images `[N, C, H, W]` (float32, normalised) and int32 labels `[N]`. */
export interface Split {
  images: Tensor;
  labels: Tensor;
}

/** Per-channel mean and standard deviation: pixels become (x - mean) / std. */
export interface Normalization {
  mean: number[];
  std: number[];
}

export interface LoadedDataset {
  name: string;
  classes: string[];
  /** Shape of one sample after resizing, [C, H, W]. */
  inputShape: [number, number, number];
  normalize: Normalization;
  train: Split;
  test: Split;
  /** Samples in each split of the files before any subset was taken (0 for a split not loaded). */
  available: { train: number; test: number };
}

/** What a named dataset is: its classes, statistics, and how to read a split. */
export interface DatasetSpec {
  classes: readonly string[];
  normalize: Normalization;
  /** True when the files must be supplied (`dataDir`); MNIST ships with the package. */
  needsDir: boolean;
  load(split: 'train' | 'test', dataDir?: string): Split;
}

const MNIST_CLASSES = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];

/** Per-channel statistics of the training sets (the usual published values). */
export const DATASETS: Readonly<Record<string, DatasetSpec>> = {
  mnist: {
    classes: MNIST_CLASSES, normalize: { mean: [0.1307], std: [0.3081] }, needsDir: false,
    load: (split, root) => loadMnist({ split, root }),
  },
  'fashion-mnist': {
    classes: FASHION_MNIST_CLASSES, normalize: { mean: [0.286], std: [0.353] }, needsDir: true,
    load: (split, root) => loadFashionMnist({ split, root: root! }),
  },
  cifar10: {
    classes: CIFAR10_CLASSES, normalize: { mean: [0.4914, 0.4822, 0.4465], std: [0.247, 0.2435, 0.2616] }, needsDir: true,
    load: (split, root) => loadCifar10({ split, root: root! }),
  },
};

export const DATASET_NAMES = Object.keys(DATASETS);

/**
 * Per-channel (x - mean) / std of a batch `[N, C, H, W]`, without recording gradients.
 * @example const x = normalizeImages(images, { mean: [0.1307], std: [0.3081] }); // [N, 1, 28, 28]
 */
export function normalizeImages(images: Tensor, n: Normalization): Tensor {
  return noGrad(() => {
    const c = images.shape[1]!;
    if (n.mean.length !== c || n.std.length !== c) {
      throw new TensorError(`normalizeImages: the data has ${c} channels but the normalisation has ${n.mean.length} means and ${n.std.length} stds`);
    }
    const shape = [1, c, 1, 1];
    return images.sub(tensor(n.mean, { shape })).div(tensor(n.std, { shape }));
  });
}

/**
 * Bilinear resize of `[N, C, H, W]` to `size` `[H', W']` when it differs (the same tensor otherwise).
 * @example resizeImages(cifar.images, [28, 28]); // [N, 3, 28, 28]
 */
export function resizeImages(images: Tensor, size: readonly [number, number] | null): Tensor {
  if (!size || (images.shape[2] === size[0] && images.shape[3] === size[1])) return images;
  return noGrad(() => resizeBilinear(images, size));
}

/** The first `n` samples (all of them when n is undefined or at least the split's size). */
function take(split: Split, n: number | undefined): Split {
  if (n === undefined || n >= split.images.shape[0]!) return split;
  return { images: split.images.narrow(0, 0, n), labels: split.labels.narrow(0, 0, n) };
}

export interface LoadOptions {
  /** Folder with the dataset's files (required for fashion-mnist and cifar10). */
  dataDir?: string;
  /** Use only the first N training / test samples (quick runs); larger values mean all of them. */
  trainSubset?: number;
  testSubset?: number;
  /** Resize images to the model's input size `[H, W]`. */
  size?: readonly [number, number] | null;
  /** Splits to read (default both); a split not read comes back empty. */
  splits?: ('train' | 'test')[];
}

/**
 * Loads a named dataset: the first `trainSubset` / `testSubset` samples of each
 * split, resized to `size` and normalised with the dataset's statistics.
 * Images `[N, C, H, W]` float32, labels `[N]` int32.
 * @example
 * const d = loadDataset('cifar10', { dataDir: 'data/cifar-10-batches-bin', trainSubset: 5000, splits: ['train'] });
 * d.train.images.shape; // [5000, 3, 32, 32]
 */
export function loadDataset(name: string, opts: LoadOptions = {}): LoadedDataset {
  const spec = DATASETS[name];
  if (!spec) throw new TensorError(`loadDataset: unknown dataset '${name}' (available: ${DATASET_NAMES.join(', ')})`);
  if (spec.needsDir && !opts.dataDir) throw new TensorError(`loadDataset: dataset '${name}' needs dataDir pointing at its files`);
  for (const [key, v] of [['trainSubset', opts.trainSubset], ['testSubset', opts.testSubset]] as const) {
    if (v !== undefined && !(Number.isSafeInteger(v) && v >= 0)) throw new TensorError(`loadDataset: ${key} must be a non-negative integer (got ${v})`);
  }
  const splits = opts.splits ?? ['train', 'test'];
  const available = { train: 0, test: 0 };
  const prepare = (split: 'train' | 'test', limit: number | undefined): Split => {
    if (!splits.includes(split)) return { images: tensor([]), labels: tensor([], { dtype: 'int32' }) };
    const all = spec.load(split, opts.dataDir);
    available[split] = all.images.shape[0]!;
    const raw = take(all, limit);
    return { images: normalizeImages(resizeImages(raw.images, opts.size ?? null), spec.normalize), labels: raw.labels };
  };
  const train = prepare('train', opts.trainSubset);
  const test = prepare('test', opts.testSubset);
  const ref = splits.includes('train') ? train : test;
  const [c, h, w] = ref.images.shape.slice(1) as [number, number, number];
  return { name, classes: [...spec.classes], inputShape: [c, h, w], normalize: spec.normalize, train, test, available };
}
