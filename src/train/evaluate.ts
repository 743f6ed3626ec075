import { noGrad } from '../tensor/graph.js';
import type { Module } from '../nn/module.js';
import { crossEntropy } from '../ops/loss.js';
import type { Tensor } from '../tensor/tensor.js';
import { arange, zeros } from '../tensor/create.js';
import { TensorError, fmtShape } from '../core/errors.js';

/** Batches of (inputs, int32 class labels), e.g. a DataLoader over a TensorDataset. */
export type LabeledBatches = Iterable<readonly [Tensor, Tensor]> & {
  /** Number of batches, when known (a DataLoader has it): fit's progress numbers use it. */
  readonly length?: number;
};

/** What {@link evaluate} and {@link evaluateAsync} return: a classifier's numbers over a data set. */
export interface Evaluation {
  /** Mean cross-entropy over all samples. */
  loss: number;
  /** Fraction correct in [0, 1]. */
  accuracy: number;
  /** Number of samples whose argmax prediction equals the label. */
  correct: number;
  /** Number of samples evaluated (the sum of the batches' first dimensions). */
  total: number;
  /** Accuracy of each true class (NaN for classes absent from the data). */
  perClass: number[];
  /** confusion[trueClass][predictedClass] = count. */
  confusion: number[][];
}

/** Logits `[N, C]` with labels `[N]`, or a TensorError. @internal */
export function checkLogitsLabels(logits: Tensor, labels: Tensor): void {
  if (logits.ndim !== 2 || labels.ndim !== 1 || labels.shape[0] !== logits.shape[0]) {
    throw new TensorError(`evaluate: expected logits [N, C] and labels [N] (got ${fmtShape(logits.shape)} and ${fmtShape(labels.shape)})`);
  }
}

/**
 * Adds a batch's argmax predictions to a confusion matrix `[C][C]` (in place, rows the
 * true class); returns the number correct. Logits `[N, C]`, labels `[N]` (else a
 * TensorError); labels outside [0, C) are not counted in the matrix. Reads the values synchronously.
 * @example
 * const confusion = [[0, 0], [0, 0]];
 * const correct = tg.train.tally(confusion, tg.tensor([[2, 1], [0, 3]]), tg.tensor([0, 0], { dtype: 'int32' }));   // 1
 */
export function tally(confusion: number[][], logits: Tensor, labels: Tensor): number {
  checkLogitsLabels(logits, labels);
  const pred = logits.argmax(1).data();
  const truth = labels.data();
  let correct = 0;
  for (let i = 0; i < pred.length; i++) {
    const t = truth[i]!, p = pred[i]!;
    if (t >= 0 && t < confusion.length) confusion[t]![p]!++;
    if (t === p) correct++;
  }
  return correct;
}

/**
 * Runs the model in eval mode over labelled batches without recording gradients:
 * loss, accuracy, per-class accuracy and the confusion matrix. Restores the
 * model's previous training flag. Reads every batch's results synchronously:
 * for a model on a GPU backend use `evaluateAsync`.
 * Inputs are whatever the model takes; it must output logits `[N, numClasses]` for int32 labels `[N]`
 * (else a TensorError).
 * @example const { accuracy, confusion } = tg.train.evaluate(model, testLoader, 10);
 */
export function evaluate(model: Module, batches: LabeledBatches, numClasses: number): Evaluation {
  const wasTraining = model.training;
  model.eval();
  const confusion = emptyConfusion(numClasses);
  let lossSum = 0, correct = 0, total = 0;
  try {
    noGrad(() => {
      for (const [x, y] of batches) {
        const logits = forwardChecked(model, x, numClasses);
        lossSum += crossEntropy(logits, y, { reduction: 'sum' }).item();
        correct += tally(confusion, logits, y);
        total += y.shape[0]!;
      }
    });
  } finally {
    model.train(wasTraining);
  }
  return evaluation(lossSum, correct, total, confusion);
}

/**
 * `evaluate` for every backend, GPU ones included: where the model's outputs
 * can be read synchronously (CPU backends) it computes exactly what `evaluate`
 * does; otherwise the loss sum, correct count and confusion matrix accumulate
 * on the device and are read once at the end. Yields to the event loop between
 * batches (so memory of finished batches is given back).
 * @example const { accuracy } = await tg.train.evaluateAsync(model, testLoader, 10);
 */
export async function evaluateAsync(model: Module, batches: LabeledBatches, numClasses: number): Promise<Evaluation> {
  const wasTraining = model.training;
  model.eval();
  const confusion = emptyConfusion(numClasses);
  let lossSum = 0, correct = 0, total = 0;
  // Device accumulators, made at the first batch whose results are not host-readable.
  let dev = null as DeviceTally | null;
  try {
    for (const [x, y] of batches) {
      noGrad(() => {
        const logits = forwardChecked(model, x, numClasses);
        const loss = crossEntropy(logits, y, { reduction: 'sum' });
        if (!dev && loss.isHostReadable()) {
          lossSum += loss.item();
          correct += tally(confusion, logits, y);
        } else {
          checkLogitsLabels(logits, y);
          dev ??= {
            loss: zeros([], { dtype: 'float32', backend: logits.backend }),
            confusion: zeros([numClasses, numClasses], { dtype: 'float32', backend: logits.backend }),
            classes: arange(numClasses, { dtype: 'int32', backend: logits.backend }).unsqueeze(0),
          };
          // One-hot rows of the true and predicted classes; labels outside [0, C) give zero rows, as tally skips them.
          const truth = y.toBackend(logits.backend).unsqueeze(1).eq(dev.classes).to('float32');
          const pred = logits.argmax(1).unsqueeze(1).eq(dev.classes).to('float32');
          dev.loss = dev.loss.add(loss.to('float32'));
          dev.confusion = dev.confusion.add(truth.transpose(0, 1).matmul(pred));
        }
        total += y.shape[0]!;
      });
      if (dev) await yieldToEventLoop();
    }
  } finally {
    model.train(wasTraining);
  }
  if (dev) {
    const [l, m] = await Promise.all([dev.loss.dataAsync(), dev.confusion.dataAsync()]);
    lossSum += l[0]!;
    for (let t = 0; t < numClasses; t++) {
      for (let p = 0; p < numClasses; p++) {
        const n = m[t * numClasses + p]!;
        confusion[t]![p]! += n;
        if (t === p) correct += n;
      }
    }
  }
  return evaluation(lossSum, correct, total, confusion);
}

/** evaluateAsync's sums on the device: loss, confusion counts (float32), and the class indices `[1, C]`. */
interface DeviceTally {
  loss: Tensor;
  confusion: Tensor;
  classes: Tensor;
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

function emptyConfusion(numClasses: number): number[][] {
  return Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
}

/** The model's logits for `x`, checked against the number of classes. */
function forwardChecked(model: Module, x: Tensor, numClasses: number): Tensor {
  const logits = model.forward(x) as Tensor;
  if (logits.shape[1] !== numClasses) {
    throw new TensorError(`evaluate: model produces ${logits.shape[1]} classes but the data has ${numClasses}`);
  }
  return logits;
}

function evaluation(lossSum: number, correct: number, total: number, confusion: number[][]): Evaluation {
  const perClass = confusion.map((row, c) => {
    const n = row.reduce((a, b) => a + b, 0);
    return n ? row[c]! / n : NaN;
  });
  return { loss: total ? lossSum / total : NaN, accuracy: total ? correct / total : NaN, correct, total, perClass, confusion };
}
