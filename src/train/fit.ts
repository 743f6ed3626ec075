import type { Module } from '../nn/module.js';
import type { Optimizer } from '../optim/optimizer.js';
import type { LRScheduler, ReduceLROnPlateau } from '../optim/lr-scheduler.js';
import type { EarlyStopping } from '../optim/early-stopping.js';
import { crossEntropy } from '../ops/loss.js';
import { noGrad } from '../autograd/engine.js';
import type { Tensor } from '../tensor/tensor.js';
import { TensorError } from '../tensor/errors.js';
import { evaluate, tally, type Evaluation, type LabeledBatches } from './evaluate.js';

export interface BatchInfo {
  epoch: number;
  /** 1-based batch number within the epoch, and the epoch's batch count. */
  batch: number;
  batches: number;
  loss: number;
  /** Running accuracy over the epoch so far. */
  accuracy: number;
  imagesPerSecond: number;
  /** Seconds left in this epoch at the current speed. */
  etaSeconds: number;
}

export interface EpochResult {
  epoch: number;
  trainLoss: number;
  trainAccuracy: number;
  testLoss: number;
  testAccuracy: number;
  lr: number;
  seconds: number;
  imagesPerSecond: number;
  /** The test evaluation of this epoch (null without test data). */
  test: Evaluation | null;
}

export interface FitOptions {
  model: Module;
  optimizer: Optimizer<{ lr: number }>;
  train: LabeledBatches;
  test?: LabeledBatches;
  numClasses: number;
  epochs: number;
  /** First epoch to run (1-based; > 1 when resuming). */
  startEpoch?: number;
  /** Stepped after every epoch; OneCycleLR-style schedulers use `schedulerStep: 'batch'`. */
  scheduler?: LRScheduler | ReduceLROnPlateau | null;
  schedulerStep?: 'epoch' | 'batch';
  /** Loss on (logits, labels); default mean cross-entropy. */
  lossFn?: (logits: Tensor, labels: Tensor) => Tensor;
  /** Applied to each training batch of inputs (augmentation). */
  augment?: (x: Tensor) => Tensor;
  earlyStopping?: EarlyStopping;
  onBatch?: (info: BatchInfo) => void | Promise<void>;
  onEpoch?: (result: EpochResult) => void | Promise<void>;
  /** Polled between batches; true stops training after the current batch (e.g. on Ctrl-C). */
  shouldStop?: () => boolean;
  /**
   * Throw a TensorError as soon as a batch loss is NaN or infinite (default
   * false: experiments may study divergence). The CLI sets it, so a diverged
   * run stops with a message instead of saving a NaN model.
   */
  stopOnNonFinite?: boolean;
}

/** Checks the loop's numbers up front, so a bad call fails before the first batch. */
function checkFitOptions(o: FitOptions): void {
  const start = o.startEpoch ?? 1;
  if (!Number.isSafeInteger(o.epochs) || o.epochs < 0) throw new TensorError(`fit: epochs must be a non-negative integer (got ${o.epochs})`);
  if (!Number.isSafeInteger(start) || start < 1) throw new TensorError(`fit: startEpoch must be a positive integer (got ${start})`);
  if (!Number.isSafeInteger(o.numClasses) || o.numClasses < 1) throw new TensorError(`fit: numClasses must be a positive integer (got ${o.numClasses})`);
  if (o.schedulerStep !== undefined && o.schedulerStep !== 'epoch' && o.schedulerStep !== 'batch') {
    throw new TensorError(`fit: schedulerStep must be 'epoch' or 'batch' (got ${JSON.stringify(o.schedulerStep)})`);
  }
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * The training loop: for each epoch, forward, loss, backward and optimizer step
 * per batch, then evaluation on the test batches, scheduler and early-stopping
 * updates, and the onEpoch callback (where callers write checkpoints). Yields
 * to the event loop between batches so progress output and signals get through.
 * @example await fit({ model, optimizer, train: loader, test: testLoader, numClasses: 10, epochs: 3 });
 */
export async function fit(o: FitOptions): Promise<EpochResult[]> {
  checkFitOptions(o);
  const results: EpochResult[] = [];
  const lossFn = o.lossFn ?? ((logits: Tensor, y: Tensor) => crossEntropy(logits, y));
  for (let epoch = o.startEpoch ?? 1; epoch <= o.epochs; epoch++) {
    o.model.train();
    const start = performance.now();
    const batches = o.train.length ?? NaN;
    let seen = 0, correct = 0, lossSum = 0, batch = 0;
    const confusion = Array.from({ length: o.numClasses }, () => new Array<number>(o.numClasses).fill(0));
    for (const [xRaw, y] of o.train) {
      const x = o.augment ? noGrad(() => o.augment!(xRaw)) : xRaw;
      const logits = o.model.forward(x) as Tensor;
      const loss = lossFn(logits, y);
      o.optimizer.zeroGrad();
      loss.backward();
      o.optimizer.step();
      if (o.scheduler && o.schedulerStep === 'batch' && 'lastEpoch' in o.scheduler) o.scheduler.step();
      const n = y.shape[0]!;
      const l = loss.item();
      if (o.stopOnNonFinite && !Number.isFinite(l)) {
        throw new TensorError(`fit: the training loss became ${l} at epoch ${epoch}, batch ${batch + 1} (lr ${o.optimizer.paramGroups[0]!.lr}); the run diverged: use a smaller learning rate`);
      }
      lossSum += l * n;
      seen += n;
      correct += noGrad(() => tally(confusion, logits.detach(), y));
      batch++;
      const elapsed = (performance.now() - start) / 1000;
      const speed = seen / Math.max(elapsed, 1e-9);
      await o.onBatch?.({
        epoch, batch, batches, loss: l, accuracy: correct / seen, imagesPerSecond: speed,
        etaSeconds: Number.isFinite(batches) ? ((batches - batch) * elapsed) / batch : NaN,
      });
      await yieldToEventLoop();
      if (o.shouldStop?.()) return results;
    }
    if (seen === 0) throw new TensorError(`fit: the training data gave no batches in epoch ${epoch}`);
    const seconds = (performance.now() - start) / 1000;
    const test = o.test ? evaluate(o.model, o.test, o.numClasses) : null;
    const lr = o.optimizer.paramGroups[0]!.lr;
    if (o.scheduler && o.schedulerStep !== 'batch') {
      if ('lastEpoch' in o.scheduler) o.scheduler.step();
      else o.scheduler.step(test ? test.loss : lossSum / seen);
    }
    const result: EpochResult = {
      epoch, trainLoss: lossSum / seen, trainAccuracy: correct / seen,
      testLoss: test?.loss ?? NaN, testAccuracy: test?.accuracy ?? NaN,
      lr, seconds, imagesPerSecond: seen / seconds, test,
    };
    results.push(result);
    await o.onEpoch?.(result);
    if (o.earlyStopping?.step(test ? test.loss : result.trainLoss, o.model)) break;
    if (o.shouldStop?.()) break;
  }
  return results;
}
