/**
 * The confusion matrix of a classifier over a labelled data set, with the
 * per-class accuracy and the most confident mistakes: what a learner looks at
 * after training to see *which* digits are confused with which, and how sure
 * the model was when it was wrong. Computed in batches without gradients, so
 * memory stays bounded by one batch plus the top-N list.
 */
import { inEvalFrozen } from './eval-frozen.js';
import { TensorError, fmtShape } from '../core/errors.js';
import { noGrad } from '../tensor/graph.js';
import { Tensor } from '../tensor/tensor.js';
import { narrow } from '../ops/movement.js';
import type { Module } from '../nn/module.js';

/** One misclassified sample: its position in the data, true and predicted class, and the predicted class's softmax probability. */
export interface Misclassified {
  /** Position of the sample in the data (0-based, counted across batches). */
  index: number;
  /** Its true class. */
  label: number;
  /** The class the model predicted (the argmax of its logits). */
  predicted: number;
  /** Softmax probability of the predicted class, in (0, 1]. */
  confidence: number;
}

/** What `tg.viz.confusionMatrix` returns. */
export interface ConfusionResult {
  /** matrix[trueClass][predictedClass] = number of samples. */
  matrix: number[][];
  /** Fraction of each true class predicted correctly (NaN for a class absent from the data). */
  perClassAccuracy: number[];
  /** Overall fraction correct (NaN for empty data). */
  accuracy: number;
  /** The number of samples seen. */
  total: number;
  /** The `topN` mistakes with the highest confidence, most confident first (ties: lower index first). */
  misclassified: Misclassified[];
}

/** Labelled data: batches of (inputs `[B, ...]`, int labels `[B]`) such as a DataLoader, or whole tensors. */
export type LabeledData = LabeledBatches | {
  /** All inputs, `[N, ...]`. */
  readonly images: Tensor;
  /** Their int class labels, `[N]`. */
  readonly labels: Tensor;
};

/** Batches of (inputs, int labels), e.g. a DataLoader over a TensorDataset (`length`: the number of batches, if known). */
export type LabeledBatches = Iterable<readonly [Tensor, Tensor]> & {
  /** The number of batches, if known (for progress). */
  readonly length?: number;
};

/** Options of `tg.viz.confusionMatrix`. */
export interface ConfusionOptions {
  /** How many of the most confident mistakes to keep (default 16). */
  topN?: number;
  /** Batch size when `data` is whole tensors (default 256). */
  batchSize?: number;
  /** Called after each batch with the batches done and the total (NaN when the data has no length); for progress bars. */
  onProgress?: (done: number, total: number) => void;
}

const isTensorPair = (d: LabeledData): d is { images: Tensor; labels: Tensor } =>
  typeof d === 'object' && d !== null && 'images' in d && 'labels' in d && d.images instanceof Tensor;

/** Cuts whole tensors into batches (views along the first axis). */
function* batchesOf(images: Tensor, labels: Tensor, batchSize: number): Generator<readonly [Tensor, Tensor]> {
  const n = images.shape[0]!;
  for (let start = 0; start < n; start += batchSize) {
    const len = Math.min(batchSize, n - start);
    yield [narrow(images, 0, start, len), narrow(labels, 0, start, len)] as const;
  }
}

function checkArgs(model: Module, data: LabeledData, numClasses: number, o: ConfusionOptions): { topN: number; batchSize: number } {
  const { topN = 16, batchSize = 256 } = o;
  if (!model || typeof model.forward !== 'function') throw new TensorError('confusionMatrix: model must be an nn.Module');
  if (!Number.isSafeInteger(numClasses) || numClasses < 1) throw new TensorError(`confusionMatrix: numClasses must be a positive integer (got ${numClasses})`);
  if (!Number.isSafeInteger(topN) || topN < 0) throw new TensorError(`confusionMatrix: topN must be a non-negative integer (got ${topN})`);
  if (!Number.isSafeInteger(batchSize) || batchSize < 1) throw new TensorError(`confusionMatrix: batchSize must be a positive integer (got ${batchSize})`);
  if (isTensorPair(data)) {
    const { images, labels } = data;
    if (!(labels instanceof Tensor) || labels.ndim !== 1 || images.ndim < 1 || labels.shape[0] !== images.shape[0]) {
      throw new TensorError(`confusionMatrix: expected images [N, ...] and labels [N] (got ${fmtShape(images.shape)} and ${labels instanceof Tensor ? fmtShape(labels.shape) : typeof labels})`);
    }
  } else if (typeof (data as Iterable<unknown>)?.[Symbol.iterator] !== 'function') {
    throw new TensorError('confusionMatrix: data must be batches of [inputs, labels] (e.g. a DataLoader) or { images, labels } tensors');
  }
  return { topN, batchSize };
}

/** Inserts `m` into `top` (sorted by confidence descending, then index ascending), keeping at most `n`. */
function keepTop(top: Misclassified[], m: Misclassified, n: number): void {
  if (n === 0) return;
  const worse = (a: Misclassified, b: Misclassified) => a.confidence < b.confidence || (a.confidence === b.confidence && a.index > b.index);
  if (top.length === n && !worse(top[n - 1]!, m)) return;
  let i = top.length;
  while (i > 0 && worse(top[i - 1]!, m)) i--;
  top.splice(i, 0, m);
  if (top.length > n) top.pop();
}

/**
 * Runs `model` (in eval mode, without gradients) over labelled data and counts
 * predictions (argmax of the output `[B, numClasses]`) per true class.
 * `index` of a mistake counts samples in the order the data yields them (the
 * data set's index for unshuffled data). Restores the model's training flag.
 * @example
 * const { matrix, perClassAccuracy, misclassified } = confusionMatrix(model, loadMnist({ split: 'test' }), 10);
 * matrix[4][9] // how many 4s were taken for 9s
 */
export function confusionMatrix(model: Module, data: LabeledData, numClasses: number, opts: ConfusionOptions = {}): ConfusionResult {
  const { topN, batchSize } = checkArgs(model, data, numClasses, opts);
  const pair = isTensorPair(data);
  const batches: LabeledBatches = pair ? batchesOf(data.images, data.labels, batchSize) : (data as LabeledBatches);
  const totalBatches = pair ? Math.ceil(data.images.shape[0]! / batchSize) : ((data as LabeledBatches).length ?? NaN);
  const matrix = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
  const misclassified: Misclassified[] = [];
  let seen = 0, correct = 0, done = 0;
  // Eval mode and frozen parameters while it runs, each module's own mode restored after.
  inEvalFrozen(model, () => {
    noGrad(() => {
      for (const [x, y] of batches) {
        const out = model.forward(x) as unknown;
        if (!(out instanceof Tensor) || out.ndim !== 2 || out.shape[1] !== numClasses || out.shape[0] !== y.shape[0]) {
          throw new TensorError(`confusionMatrix: the model must return logits [${y.shape[0]}, ${numClasses}] for a batch of ${y.shape[0]} (got ${out instanceof Tensor ? fmtShape(out.shape) : typeof out})`);
        }
        const logits = out.data(), labels = y.data();
        for (let i = 0; i < labels.length; i++, seen++) {
          const t = Number(labels[i]);
          if (!Number.isInteger(t) || t < 0 || t >= numClasses) {
            throw new TensorError(`confusionMatrix: label ${t} of sample ${seen} is not a class index in 0..${numClasses - 1}`);
          }
          // Argmax (first maximum, as tg.argmax) and its softmax probability, in float64 on the host.
          let p = 0, max = -Infinity;
          for (let c = 0; c < numClasses; c++) {
            const v = Number(logits[i * numClasses + c]);
            if (v > max) [max, p] = [v, c];
          }
          let z = 0;
          for (let c = 0; c < numClasses; c++) z += Math.exp(Number(logits[i * numClasses + c]) - max);
          matrix[t]![p]!++;
          if (p === t) correct++;
          else keepTop(misclassified, { index: seen, label: t, predicted: p, confidence: 1 / z }, topN);
        }
        opts.onProgress?.(++done, totalBatches);
      }
    });
  });
  const perClassAccuracy = matrix.map((row, c) => {
    const n = row.reduce((a, b) => a + b, 0);
    return n ? row[c]! / n : NaN;
  });
  return { matrix, perClassAccuracy, accuracy: seen ? correct / seen : NaN, total: seen, misclassified };
}
