/**
 * Building blocks shared by the experiments: MNIST subsets, the small CNN,
 * loaders and evaluation of labelled sets, and number formatting. Training
 * itself is `train.fit` (src/train), the same loop the CLI uses.
 */
import { tensor } from '../tensor/create.js';
import type { Tensor } from '../tensor/tensor.js';
import type { Generator } from '../tensor/random.js';
import { Module } from '../nn/module.js';
import { Sequential, Flatten } from '../nn/layers/container.js';
import { Conv2d } from '../nn/layers/conv.js';
import { Linear } from '../nn/layers/linear.js';
import { MaxPool2d } from '../nn/layers/pool.js';
import { BatchNorm2d } from '../nn/layers/norm.js';
import { Dropout } from '../nn/layers/dropout.js';
import { ReLU, Sigmoid, Tanh } from '../nn/layers/activation.js';
import { TensorDataset } from '../data/dataset.js';
import { DataLoader } from '../data/loader.js';
import { loadMnist } from '../data/mnist.js';
import { evaluate, type LabeledBatches } from '../train/evaluate.js';

/** Images `[N, C, H, W]` float32 and int32 labels `[N]`. */
export interface Labeled {
  images: Tensor;
  labels: Tensor;
}

/** The usual MNIST statistics (torchvision). */
export const MNIST_MEAN = 0.1307;
export const MNIST_STD = 0.3081;

/**
 * `count` MNIST images from `start` (fresh contiguous tensors). `normalize`
 * maps pixels to (x - mean) / std; otherwise they stay in [0, 1] (as in
 * Nielsen's book).
 */
export function mnistSlice(split: 'train' | 'test', start: number, count: number, normalize: boolean): Labeled {
  const all = loadMnist({ split });
  const n = all.labels.shape[0]!;
  const c = Math.max(0, Math.min(count, n - start));
  const [ch, h, w] = all.images.shape.slice(1) as [number, number, number];
  const pixels = all.images.narrow(0, start, c).data() as Float32Array;
  if (normalize) for (let i = 0; i < pixels.length; i++) pixels[i] = (pixels[i]! - MNIST_MEAN) / MNIST_STD;
  return {
    images: tensor(pixels, { shape: [c, ch, h, w] }),
    labels: tensor(all.labels.narrow(0, start, c).data() as Int32Array, { dtype: 'int32' }),
  };
}

/**
 * The samples of `set` whose label is in `classes`, relabelled 0..k-1 in the
 * order of `classes`; at most `perClass` of each class, taken in order (or at
 * random with `generator`).
 */
export function selectClasses(set: Labeled, classes: readonly number[], perClass = Infinity, generator?: Generator): Labeled {
  const labels = set.labels.data();
  const order = Array.from({ length: labels.length }, (_, i) => i);
  if (generator) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = generator.randint(0, i + 1);
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
  }
  const counts = new Map(classes.map((c) => [c, 0]));
  const picked: number[] = [];
  for (const i of order) {
    const c = labels[i]!;
    const k = counts.get(c);
    if (k === undefined || k >= perClass) continue;
    counts.set(c, k + 1);
    picked.push(i);
  }
  picked.sort((a, b) => a - b);
  return pick(set, picked, (c) => classes.indexOf(c));
}

/** Rows `indices` of a set (copied), with labels optionally mapped. */
export function pick(set: Labeled, indices: readonly number[], mapLabel: (c: number) => number = (c) => c): Labeled {
  const [ch, h, w] = set.images.shape.slice(1) as [number, number, number];
  const size = ch * h * w;
  const src = set.images.data(), lab = set.labels.data();
  const out = new Float32Array(indices.length * size);
  const outLab = new Int32Array(indices.length);
  indices.forEach((i, k) => {
    out.set(src.subarray(i * size, (i + 1) * size), k * size);
    outLab[k] = mapLabel(lab[i]!);
  });
  return { images: tensor(out, { shape: [indices.length, ch, h, w] }), labels: tensor(outLab, { dtype: 'int32' }) };
}

/** Batches of a set (`length` of them); shuffled each epoch when a generator is given. */
export function loaderOf(set: Labeled, batchSize: number, generator?: Generator): LabeledBatches & { readonly length: number } {
  return new DataLoader(new TensorDataset(set.images, set.labels), { batchSize, shuffle: generator !== undefined, generator });
}

/** Accuracy (and loss) of a model on a labelled set, in eval mode, batches of 500. */
export function accuracyOn(model: Module, set: Labeled, numClasses: number): { accuracy: number; loss: number } {
  const e = evaluate(model, loaderOf(set, 500), numClasses);
  return { accuracy: e.accuracy, loss: e.loss };
}

export type Activation = 'relu' | 'tanh' | 'sigmoid';

export const activationLayer = (a: Activation): Module => (a === 'relu' ? new ReLU() : a === 'tanh' ? new Tanh() : new Sigmoid());

export interface CnnOptions {
  /** Input `[C, H, W]`. */
  inputShape: readonly [number, number, number];
  numClasses: number;
  /** Output channels of the two 5x5 convolutions. */
  channels: readonly [number, number];
  /** Width of the hidden fully connected layer. */
  hidden: number;
  activation?: Activation;
  /** BatchNorm2d after each convolution. */
  batchNorm?: boolean;
  /** Dropout probability before each fully connected layer (0 = none). */
  dropout?: number;
}

/**
 * The experiments' four-layer CNN: two 5x5 convolutions, each followed by the
 * activation and 2x2 max pooling (`features`), then a fully connected hidden
 * layer with the activation and the output layer (`classifier`). Transfer
 * learning keeps `features` and replaces `classifier`.
 */
export class SmallCnn extends Module {
  features: Sequential;
  classifier: Sequential;
  /** Length of the flattened output of `features`. */
  readonly featureSize: number;
  constructor(readonly opts: CnnOptions) {
    super();
    const { inputShape: [c, h, w], channels: [c1, c2], batchNorm = false } = opts;
    const act = () => activationLayer(opts.activation ?? 'relu');
    const h2 = Math.floor((Math.floor((h - 4) / 2) - 4) / 2), w2 = Math.floor((Math.floor((w - 4) / 2) - 4) / 2);
    const mods: Module[] = [new Conv2d(c, c1, 5)];
    if (batchNorm) mods.push(new BatchNorm2d(c1));
    mods.push(act(), new MaxPool2d(2), new Conv2d(c1, c2, 5));
    if (batchNorm) mods.push(new BatchNorm2d(c2));
    mods.push(act(), new MaxPool2d(2), new Flatten());
    this.features = new Sequential(...mods);
    this.featureSize = c2 * h2 * w2;
    this.classifier = SmallCnn.classifier(this.featureSize, opts);
  }

  /** A new classifier (hidden layer, activation, output layer; dropout before each linear layer when asked). */
  static classifier(featureSize: number, opts: Pick<CnnOptions, 'hidden' | 'numClasses' | 'activation' | 'dropout'>): Sequential {
    const dropout = opts.dropout ?? 0;
    const mods: Module[] = [];
    if (dropout > 0) mods.push(new Dropout(dropout));
    mods.push(new Linear(featureSize, opts.hidden), activationLayer(opts.activation ?? 'relu'));
    if (dropout > 0) mods.push(new Dropout(dropout));
    mods.push(new Linear(opts.hidden, opts.numClasses));
    return new Sequential(...mods);
  }

  forward(x: Tensor): Tensor {
    return this.classifier.forward(this.features.forward(x));
  }
}

/** Exponential moving average of a series (bias-corrected, as Adam's moments), for smoother loss curves. */
export function ema(values: readonly number[], beta: number): number[] {
  let m = 0;
  return values.map((v, i) => {
    m = beta * m + (1 - beta) * v;
    return m / (1 - beta ** (i + 1));
  });
}

/** A fraction as a percentage with `digits` decimals ("97.12"). */
export const pct = (v: number, digits = 2): string => (Number.isFinite(v) ? (v * 100).toFixed(digits) : 'n/a');

/** Rounds for CSV/JSON output (keeps files small and diffs readable). */
export const round = (v: number, digits = 6): number => (Number.isFinite(v) ? Number(v.toPrecision(digits)) : v);
