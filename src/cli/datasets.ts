import { loadMnist, loadFashionMnist, FASHION_MNIST_CLASSES } from '../data/mnist.js';
import { loadCifar10, CIFAR10_CLASSES } from '../data/cifar.js';
import { resizeBilinear } from '../data/resize.js';
import { noGrad } from '../autograd/engine.js';
import { tensor } from '../tensor/create.js';
import type { Tensor } from '../tensor/tensor.js';
import { UserError } from './errors.js';

/** Images `[N, C, H, W]` (float32, normalised) and int32 labels `[N]`. */
export interface Split {
  images: Tensor;
  labels: Tensor;
}

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
}

interface DatasetSpec {
  classes: readonly string[];
  normalize: Normalization;
  needsDir: boolean;
  load(split: 'train' | 'test', dataDir?: string): { images: Tensor; labels: Tensor };
}

const MNIST_CLASSES = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];

/** Per-channel statistics of the training sets (the usual published values). */
const DATASETS: Record<string, DatasetSpec> = {
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

/** Per-channel (x - mean) / std of a batch `[N, C, H, W]`. */
export function normalizeImages(images: Tensor, n: Normalization): Tensor {
  return noGrad(() => {
    const c = images.shape[1]!;
    if (n.mean.length !== c) throw new UserError(`the data has ${c} channels but the normalisation has ${n.mean.length}`);
    const shape = [1, c, 1, 1];
    return images.sub(tensor(n.mean, { shape })).div(tensor(n.std, { shape }));
  });
}

/** Bilinear resize of `[N, C, H, W]` to `size` when it differs. */
export function resizeImages(images: Tensor, size: readonly [number, number] | null): Tensor {
  if (!size || (images.shape[2] === size[0] && images.shape[3] === size[1])) return images;
  return noGrad(() => resizeBilinear(images, size));
}

/** The first `n` samples; with `flag`, asking for more than there are is refused (never silently clamped). */
function take(split: Split, n: number | undefined, flag?: string, what?: string): Split {
  if (flag && n !== undefined && n > split.images.shape[0]!) {
    throw new UserError(`${flag} ${n} is more than the ${split.images.shape[0]} ${what} images of the dataset`);
  }
  if (n === undefined || n >= split.images.shape[0]!) return split;
  return { images: split.images.narrow(0, 0, n), labels: split.labels.narrow(0, 0, n) };
}

export interface LoadOptions {
  dataDir?: string;
  /** Use only the first N training / test samples (quick runs). */
  trainSubset?: number;
  testSubset?: number;
  /** Resize images to the model's input size. */
  size?: readonly [number, number] | null;
  splits?: ('train' | 'test')[];
  /** Refuse subsets larger than the split (the CLI's --train-subset / --test-subset); default false: use all. */
  strictSubsets?: boolean;
}

/** Loads a dataset by name, resized to the model and normalised. */
export function loadDataset(name: string, opts: LoadOptions = {}): LoadedDataset {
  const spec = DATASETS[name];
  if (!spec) throw new UserError(`unknown dataset '${name}' (available: ${DATASET_NAMES.join(', ')})`);
  if (spec.needsDir && !opts.dataDir) throw new UserError(`dataset '${name}' needs --data-dir pointing at its files`);
  const splits = opts.splits ?? ['train', 'test'];
  const prepare = (split: 'train' | 'test', limit: number | undefined): Split => {
    if (!splits.includes(split)) return { images: tensor([]), labels: tensor([], { dtype: 'int32' }) };
    const raw = take(spec.load(split, opts.dataDir), limit, opts.strictSubsets ? `--${split}-subset` : undefined, split === 'train' ? 'training' : 'test');
    return { images: normalizeImages(resizeImages(raw.images, opts.size ?? null), spec.normalize), labels: raw.labels };
  };
  const train = prepare('train', opts.trainSubset);
  const test = prepare('test', opts.testSubset);
  const ref = splits.includes('train') ? train : test;
  const [c, h, w] = ref.images.shape.slice(1) as [number, number, number];
  return { name, classes: [...spec.classes], inputShape: [c, h, w], normalize: spec.normalize, train, test };
}
