import { noGrad } from '../tensor/graph.js';
import type { Module } from '../nn/module.js';
import { crossEntropy } from '../ops/loss.js';
import type { Tensor } from '../tensor/tensor.js';
import { TensorError, fmtShape } from '../core/errors.js';

/** Batches of (inputs, int32 class labels), e.g. a DataLoader over a TensorDataset. */
export type LabeledBatches = Iterable<readonly [Tensor, Tensor]> & { readonly length?: number };

export interface Evaluation {
  /** Mean cross-entropy over all samples. */
  loss: number;
  /** Fraction correct in [0, 1]. */
  accuracy: number;
  correct: number;
  total: number;
  /** Accuracy of each true class (NaN for classes absent from the data). */
  perClass: number[];
  /** confusion[trueClass][predictedClass] = count. */
  confusion: number[][];
}

/** Adds a batch's predictions to a confusion matrix; returns the number correct. */
export function tally(confusion: number[][], logits: Tensor, labels: Tensor): number {
  if (logits.ndim !== 2 || labels.ndim !== 1 || labels.shape[0] !== logits.shape[0]) {
    throw new TensorError(`evaluate: expected logits [N, C] and labels [N] (got ${fmtShape(logits.shape)} and ${fmtShape(labels.shape)})`);
  }
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
 * model's previous training flag.
 * @example const { accuracy } = evaluate(model, testLoader, 10);
 */
export function evaluate(model: Module, batches: LabeledBatches, numClasses: number): Evaluation {
  const wasTraining = model.training;
  model.eval();
  const confusion = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
  let lossSum = 0, correct = 0, total = 0;
  try {
    noGrad(() => {
      for (const [x, y] of batches) {
        const logits = model.forward(x) as Tensor;
        if (logits.shape[1] !== numClasses) {
          throw new TensorError(`evaluate: model produces ${logits.shape[1]} classes but the data has ${numClasses}`);
        }
        lossSum += crossEntropy(logits, y, { reduction: 'sum' }).item();
        correct += tally(confusion, logits, y);
        total += y.shape[0]!;
      }
    });
  } finally {
    model.train(wasTraining);
  }
  const perClass = confusion.map((row, c) => {
    const n = row.reduce((a, b) => a + b, 0);
    return n ? row[c]! / n : NaN;
  });
  return { loss: total ? lossSum / total : NaN, accuracy: total ? correct / total : NaN, correct, total, perClass, confusion };
}
