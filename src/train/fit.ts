import type { Module } from '../nn/module.js';
import type { Optimizer } from '../optim/optimizer.js';
import type { LRScheduler, ReduceLROnPlateau } from '../optim/lr-scheduler.js';
import type { EarlyStopping } from '../optim/early-stopping.js';
import { crossEntropy } from '../ops/loss.js';
import { noGrad } from '../tensor/graph.js';
import type { Tensor } from '../tensor/tensor.js';
import { TensorError } from '../core/errors.js';
import { checkLogitsLabels, evaluateAsync, tally, type Evaluation, type LabeledBatches } from './evaluate.js';
import { stack } from '../ops/movement.js';

/** What `onBatch` receives after each optimizer step. */
export interface BatchInfo {
  /** The epoch this batch belongs to (1-based). */
  epoch: number;
  /** 1-based batch number within the epoch. */
  batch: number;
  /** The epoch's batch count, the training data's `length` (NaN when the data has no length). */
  batches: number;
  /** 1-based count of optimizer steps taken by this call of `fit`, across epochs (Lightning's global_step). */
  step: number;
  /** This batch's loss, computed before its update. */
  loss: number;
  /** Samples in this batch (its first dimension). */
  samples: number;
  /** How many of this batch's samples the model classified correctly (argmax of the logits, before the update). */
  correct: number;
  /** Running accuracy over the epoch so far. */
  accuracy: number;
  /** Training throughput so far in this epoch: samples per second of wall-clock time. */
  imagesPerSecond: number;
  /** Seconds left in this epoch at the current speed. */
  etaSeconds: number;
}

/** One epoch's numbers, as `fit` returns them and passes them to `onEpoch`. */
export interface EpochResult {
  /** The epoch's number (1-based). */
  epoch: number;
  /** Optimizer steps taken in this epoch (fewer than its batches when `maxSteps` ended it). */
  steps: number;
  /** Mean training loss over the epoch's samples (each batch's loss before its update). */
  trainLoss: number;
  /** Fraction of the epoch's training samples classified correctly, in [0, 1] (before each update). */
  trainAccuracy: number;
  /** Mean cross-entropy on the test data after the epoch (NaN without test data). */
  testLoss: number;
  /** Fraction of the test data classified correctly after the epoch, in [0, 1] (NaN without test data). */
  testAccuracy: number;
  /** Learning rate of the first parameter group at the end of the epoch, before the scheduler's step. */
  lr: number;
  /** Wall-clock seconds of the epoch's training (evaluation excluded). */
  seconds: number;
  /** Training throughput: samples per second over the epoch. */
  imagesPerSecond: number;
  /** The test evaluation of this epoch (null without test data). */
  test: Evaluation | null;
}

/**
 * Settings of `fit`. Required: model, optimizer, train, numClasses, epochs;
 * everything else is optional and off by default.
 */
export interface FitOptions {
  /** The model to train: `forward(x)` returns logits `[N, numClasses]`. */
  model: Module;
  /** The optimizer over the model's parameters, zeroed and stepped once per batch. */
  optimizer: Optimizer<{
    /** Learning rate. */
    lr: number;
  }>;
  /** Training batches `[inputs, labels [N] int32]`, e.g. a DataLoader; iterated once per epoch. */
  train: LabeledBatches;
  /** Test batches, evaluated after every epoch (EpochResult.testLoss/testAccuracy); NaN results without. */
  test?: LabeledBatches;
  /** Number of classes C: the model's output width and the confusion matrix's size; a positive integer. */
  numClasses: number;
  /** Last epoch to run (1-based, inclusive; 0 runs nothing). */
  epochs: number;
  /** First epoch to run (1-based; > 1 when resuming). */
  startEpoch?: number;
  /**
   * Stop after this many optimizer steps in total (across epochs), whichever of
   * `epochs` and `maxSteps` comes first (Lightning's max_steps). The epoch in
   * which the limit falls ends there and is completed as usual: evaluation,
   * scheduler, onEpoch. Default: no limit.
   */
  maxSteps?: number;
  /** Stepped after every epoch; OneCycleLR-style schedulers use `schedulerStep: 'batch'`. */
  scheduler?: LRScheduler | ReduceLROnPlateau | null;
  /**
   * When the scheduler steps: 'epoch' (default; ReduceLROnPlateau gets the test loss, else the
   * training loss) or 'batch' (after every optimizer step, for OneCycleLR; a ReduceLROnPlateau is then never stepped).
   */
  schedulerStep?: 'epoch' | 'batch';
  /** Loss on (logits, labels); default mean cross-entropy. */
  lossFn?: (logits: Tensor, labels: Tensor) => Tensor;
  /** Applied to each training batch of inputs (augmentation). */
  augment?: (x: Tensor) => Tensor;
  /** Stepped after every epoch with the test loss (else the training loss) and the model; training ends when it says so. */
  earlyStopping?: EarlyStopping;
  /**
   * Called at the start of every epoch, before the model is put in training
   * mode and its first batch (schedules that change the model between epochs,
   * e.g. GradualUnfreezing's `onEpochStart`).
   */
  onEpochStart?: (epoch: number) => void | Promise<void>;
  /** Called after every optimizer step (progress bars, per-step loss curves, custom stopping rules). */
  onBatch?: (info: BatchInfo) => void | Promise<void>;
  /** Called after every epoch's evaluation and scheduler step (checkpoints, extra measurements). */
  onEpoch?: (result: EpochResult) => void | Promise<void>;
  /**
   * Polled after every batch and epoch; true stops training at once (e.g. on
   * Ctrl-C, or a rule checked in onBatch). An epoch stopped mid-way is not
   * evaluated and gets no EpochResult.
   */
  shouldStop?: () => boolean;
  /**
   * Throw a TensorError as soon as a batch loss is NaN or infinite (default
   * false: experiments may study divergence). The CLI sets it, so a diverged
   * run stops with a message instead of saving a NaN model.
   */
  stopOnNonFinite?: boolean;
  /**
   * On a backend whose results cannot be read synchronously (webgpu), fit keeps
   * each step's loss and correct count on the device and reads them every
   * `readEvery` steps (default 10) in one read, then calls `onBatch` for each of
   * those steps in order: `onBatch` (and the `stopOnNonFinite` check) run up to
   * readEvery - 1 steps late there, with each step's own numbers. On CPU
   * backends every step is read at once (this option changes nothing).
   */
  readEvery?: number;
}

/** Checks the loop's numbers up front, so a bad call fails before the first batch. */
function checkFitOptions(o: FitOptions): void {
  const start = o.startEpoch ?? 1;
  if (!Number.isSafeInteger(o.epochs) || o.epochs < 0) throw new TensorError(`fit: epochs must be a non-negative integer (got ${o.epochs})`);
  if (!Number.isSafeInteger(start) || start < 1) throw new TensorError(`fit: startEpoch must be a positive integer (got ${start})`);
  if (o.maxSteps !== undefined && (!Number.isSafeInteger(o.maxSteps) || o.maxSteps < 0)) {
    throw new TensorError(`fit: maxSteps must be a non-negative integer (got ${o.maxSteps})`);
  }
  if (!Number.isSafeInteger(o.numClasses) || o.numClasses < 1) throw new TensorError(`fit: numClasses must be a positive integer (got ${o.numClasses})`);
  if (o.readEvery !== undefined && (!Number.isSafeInteger(o.readEvery) || o.readEvery < 1)) {
    throw new TensorError(`fit: readEvery must be a positive integer (got ${o.readEvery})`);
  }
  if (o.schedulerStep !== undefined && o.schedulerStep !== 'epoch' && o.schedulerStep !== 'batch') {
    throw new TensorError(`fit: schedulerStep must be 'epoch' or 'batch' (got ${JSON.stringify(o.schedulerStep)})`);
  }
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * The training loop: for each epoch, onEpochStart, then forward, loss, backward and optimizer step
 * per batch (onBatch after each), then evaluation on the test batches,
 * scheduler and early-stopping updates, and the onEpoch callback (where callers
 * write checkpoints). Yields to the event loop between batches so progress
 * output and signals get through. Inputs are whatever the model takes; labels
 * are int32 class indices `[N]` and the model's output `[N, numClasses]`.
 * Shuffling is the data's business: pass a DataLoader with a seeded generator
 * for a reproducible order.
 * @example
 * const results = await tg.train.fit({ model, optimizer, train: loader, test: testLoader, numClasses: 10, epochs: 3,
 *   onBatch: (b) => losses.push(b.loss) });
 * results.at(-1)!.testAccuracy; // e.g. 0.97
 */
export async function fit(o: FitOptions): Promise<EpochResult[]> {
  checkFitOptions(o);
  const results: EpochResult[] = [];
  const lossFn = o.lossFn ?? ((logits: Tensor, y: Tensor) => crossEntropy(logits, y));
  const maxSteps = o.maxSteps ?? Infinity;
  const readEvery = o.readEvery ?? 10;
  let step = 0;
  for (let epoch = o.startEpoch ?? 1; epoch <= o.epochs && step < maxSteps; epoch++) {
    await o.onEpochStart?.(epoch);
    o.model.train();
    const start = performance.now();
    const batches = o.train.length ?? NaN;
    let seen = 0, correct = 0, lossSum = 0, batch = 0, submitted = 0;
    const confusion = Array.from({ length: o.numClasses }, () => new Array<number>(o.numClasses).fill(0));
    /** Steps whose numbers still sit on the device (GPU backends), oldest first. */
    const unread: UnreadStep[] = [];
    /** Books one step's numbers (read now, or later from the device) and calls onBatch. */
    const report = async (s: StepNumbers): Promise<void> => {
      if (o.stopOnNonFinite && !Number.isFinite(s.loss)) {
        throw new TensorError(`fit: the training loss became ${s.loss} at epoch ${epoch}, batch ${s.batch} (lr ${o.optimizer.paramGroups[0]!.lr}); the run diverged: use a smaller learning rate`);
      }
      lossSum += s.loss * s.n;
      seen += s.n;
      correct += s.correct;
      const speed = s.submitted / Math.max(s.elapsed, 1e-9);
      await o.onBatch?.({
        epoch, batch: s.batch, batches, step: s.step, loss: s.loss, samples: s.n, correct: s.correct, accuracy: correct / seen, imagesPerSecond: speed,
        etaSeconds: Number.isFinite(batches) ? ((batches - s.batch) * s.elapsed) / s.batch : NaN,
      });
    };
    /** Reads the unread steps' numbers in one read and reports them. */
    const drain = async (): Promise<void> => {
      if (!unread.length) return;
      const steps = unread.splice(0);
      const values = await noGrad(() => stack(steps.flatMap((s) => [s.loss, s.correct])).to('float32')).dataAsync();
      for (let i = 0; i < steps.length; i++) await report({ ...steps[i]!, loss: values[2 * i]!, correct: values[2 * i + 1]! });
    };
    for (const [xRaw, y] of o.train) {
      const x = o.augment ? noGrad(() => o.augment!(xRaw)) : xRaw;
      const logits = o.model.forward(x) as Tensor;
      const loss = lossFn(logits, y);
      o.optimizer.zeroGrad();
      loss.backward();
      o.optimizer.step();
      if (o.scheduler && o.schedulerStep === 'batch' && 'lastEpoch' in o.scheduler) o.scheduler.step();
      const n = y.shape[0]!;
      batch++;
      step++;
      submitted += n;
      const at = { n, batch, step, submitted, elapsed: (performance.now() - start) / 1000 };
      if (loss.isHostReadable()) {
        // CPU backends: reading is free, every step is reported at once.
        await drain();
        const l = loss.item();
        await report({ ...at, loss: l, correct: noGrad(() => tally(confusion, logits.detach(), y)) });
      } else {
        // GPU: the numbers stay on the device until the next read (detached: the graph is not kept alive).
        checkLogitsLabels(logits, y);
        const c = noGrad(() => logits.detach().argmax(1).eq(y.toBackend(logits.backend)).sum());
        unread.push({ ...at, loss: loss.detach().reshape([]), correct: c });
        if (unread.length >= readEvery) await drain();
      }
      await yieldToEventLoop();
      if (o.shouldStop?.()) {
        await drain();
        return results;
      }
      if (step >= maxSteps) break;
    }
    await drain();
    if (seen === 0) throw new TensorError(`fit: the training data gave no batches in epoch ${epoch}`);
    const seconds = (performance.now() - start) / 1000;
    const test = o.test ? await evaluateAsync(o.model, o.test, o.numClasses) : null;
    const lr = o.optimizer.paramGroups[0]!.lr;
    if (o.scheduler && o.schedulerStep !== 'batch') {
      if ('lastEpoch' in o.scheduler) o.scheduler.step();
      else o.scheduler.step(test ? test.loss : lossSum / seen);
    }
    const result: EpochResult = {
      epoch, steps: batch, trainLoss: lossSum / seen, trainAccuracy: correct / seen,
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

/** Where a step stands when it is taken: its batch size, 1-based batch and step, samples so far, seconds into the epoch. */
interface StepAt {
  n: number;
  batch: number;
  step: number;
  submitted: number;
  elapsed: number;
}
/** A step's numbers as read. */
interface StepNumbers extends StepAt {
  loss: number;
  correct: number;
}
/** A step's numbers still on the device. */
interface UnreadStep extends StepAt {
  loss: Tensor;
  correct: Tensor;
}
