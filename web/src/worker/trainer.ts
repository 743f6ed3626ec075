/**
 * The training loop behind the Train panel, DOM-free so it runs in the Web
 * Worker (and in Node): shuffled mini-batches from the decoded MNIST bundle,
 * one optimizer step at a time with an `await` between steps, so `pause()` and
 * `stop()` (called from the worker's message handler) take effect after the
 * current step. Progress is reported at most every `reportMs` (the panel
 * redraws on each report), test accuracy after every epoch.
 */
import * as tg from '../../../src/index.js';
import { MNIST_NORMALIZATION } from '../draw/preprocess.js';
import type { WebData, WebSplit } from '../data/web-data.js';
import type { FromWorker, TrainSettings } from './protocol.js';
import { buildNetwork, buildOptimizer } from './models.js';

/** Test images per forward pass when evaluating (no graph is kept, so larger is fine). */
const EVAL_BATCH = 500;
/**
 * Weight of the newest batch in the reported training accuracy (an exponential
 * moving average over roughly the last 1 / ACC_SMOOTHING batches): an average
 * since the epoch's start would jump at every epoch boundary and lag behind.
 */
const ACC_SMOOTHING = 0.05;

export interface TrainerOptions {
  /** Where progress and epoch messages go (the worker's postMessage). */
  post: (msg: FromWorker) => void;
  /** Lets the event loop run between steps (messages, GC finalizers); default a zero-delay macrotask. */
  yieldNow?: () => Promise<void>;
  /** Least time between progress messages; default 200 ms (the panel redraws at most ~5x/s). */
  reportMs?: number;
  /**
   * Train this network instead of building one from the settings (e.g. weights the
   * page loaded: Start then continues training them with the form's optimizer).
   */
  model?: tg.nn.Module;
  /** Called after every optimizer step (the worker counts the model's steps with it). */
  onStep?: () => void;
}

/**
 * Images `idx` of `split` as a normalised float32 batch `[n, 1, rows, cols]`
 * and their int32 labels `[n]` (MNIST mean/std, as the CLI trains).
 * @example const [x, y] = batchOf(data.test, [0, 1, 2], 28, 28); // x [3, 1, 28, 28], y [3]
 */
export function batchOf(split: WebSplit, idx: ArrayLike<number>, rows: number, cols: number): [tg.Tensor, tg.Tensor] {
  const px = rows * cols;
  const x = new Float32Array(idx.length * px);
  const y = new Int32Array(idx.length);
  const { mean, std } = MNIST_NORMALIZATION;
  for (let b = 0; b < idx.length; b++) {
    const i = idx[b]!;
    const src = split.images.subarray(i * px, (i + 1) * px);
    for (let p = 0; p < px; p++) x[b * px + p] = (src[p]! / 255 - mean) / std;
    y[b] = split.labels[i]!;
  }
  return [tg.tensor(x, { shape: [idx.length, 1, rows, cols] }), tg.tensor(y, { dtype: 'int32' })];
}

/** A Fisher-Yates shuffle of 0..n-1 drawn from `rand` (uniform in [0, 1)). */
export function permutation(n: number, rand: () => number): Int32Array {
  const p = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [p[i], p[j]] = [p[j]!, p[i]!];
  }
  return p;
}

/** mulberry32: a small seeded generator so that a run's batch order follows its seed. */
function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A macrotask without setTimeout's nesting clamp (4 ms after a few levels, too slow per step). */
function messageChannelYield(): () => Promise<void> {
  const ch = new MessageChannel();
  const waiting: (() => void)[] = [];
  ch.port1.onmessage = () => waiting.shift()?.();
  return () => new Promise<void>((resolve) => {
    waiting.push(resolve);
    ch.port2.postMessage(0);
  });
}

/**
 * Test loss and accuracy of `model` on `split` (eval mode, no graph).
 * @example const { accuracy } = evaluateSplit(model, data.test, 28, 28);
 */
export function evaluateSplit(model: tg.nn.Module, split: WebSplit, rows: number, cols: number): { loss: number; accuracy: number } {
  const wasTraining = model.training;
  model.eval();
  let lossSum = 0, correct = 0;
  try {
    tg.noGrad(() => {
      for (let start = 0; start < split.count; start += EVAL_BATCH) {
        const idx = Int32Array.from({ length: Math.min(EVAL_BATCH, split.count - start) }, (_, i) => start + i);
        const [x, y] = batchOf(split, idx, rows, cols);
        const logits = model.forward(x) as tg.Tensor;
        lossSum += tg.F.crossEntropy(logits, y, { reduction: 'sum' }).item();
        correct += logits.argmax(1).eq(y).sum().item();
      }
    });
  } finally {
    model.train(wasTraining);
  }
  return { loss: lossSum / split.count, accuracy: correct / split.count };
}

/**
 * One training run: `run()` trains `settings.epochs` epochs unless stopped.
 * @example
 * const t = new Trainer(data, settings, { post: (m) => postMessage(m) });
 * void t.run(); t.pause(); t.resume(); t.stop();
 */
export class Trainer {
  readonly model: tg.nn.Module;
  private readonly optimizer: tg.optim.SGD | tg.optim.Adam;
  /** OneCycleLR over this run's steps, stepped per batch; null for a constant learning rate. */
  private readonly scheduler: tg.optim.OneCycleLR | null;
  private readonly post: (msg: FromWorker) => void;
  private readonly yieldNow: () => Promise<void>;
  private readonly reportMs: number;
  private readonly onStep: (() => void) | undefined;
  private paused = false;
  private stopped = false;
  private wake: (() => void) | null = null;

  constructor(private readonly data: WebData, private readonly settings: TrainSettings, opts: TrainerOptions) {
    tg.manualSeed(settings.seed);
    this.model = opts.model ?? buildNetwork(settings);
    this.optimizer = buildOptimizer(this.model.parameters(), settings);
    this.scheduler = settings.schedule === 'one-cycle'
      ? new tg.optim.OneCycleLR(this.optimizer, { maxLr: settings.lr, epochs: settings.epochs, stepsPerEpoch: Math.ceil(data.train.count / settings.batchSize) })
      : null;
    this.post = opts.post;
    this.yieldNow = opts.yieldNow ?? messageChannelYield();
    this.reportMs = opts.reportMs ?? 200;
    this.onStep = opts.onStep;
  }

  /** Holds the loop after the current step. */
  pause(): void {
    this.paused = true;
  }

  /** Lets a paused loop go on. */
  resume(): void {
    this.paused = false;
    this.wake?.();
  }

  /** Ends the loop after the current step (a paused one at once); `run()` then resolves. */
  stop(): void {
    this.stopped = true;
    this.wake?.();
  }

  get isPaused(): boolean {
    return this.paused;
  }

  /** Trains; resolves true when every epoch ran, false when stopped. */
  async run(): Promise<boolean> {
    const { data, settings: s } = this;
    const { rows, cols } = data;
    const rand = seededRandom(s.seed);
    const stepsPerEpoch = Math.ceil(data.train.count / s.batchSize);
    let step = 0, accAvg = 0, accWeight = 0;
    for (let epoch = 1; epoch <= s.epochs; epoch++) {
      const order = permutation(data.train.count, rand);
      const epochStart = performance.now();
      // Images/s counts training time only: time spent paused is left out.
      let windowStart = performance.now(), windowImages = 0, windowLoss = 0, windowSteps = 0;
      let lastReport = 0;
      this.model.train();
      for (let b = 0; b < stepsPerEpoch; b++) {
        if (this.paused) {
          await new Promise<void>((resolve) => { this.wake = resolve; });
          this.wake = null;
          windowStart = performance.now();
          windowImages = 0;
        }
        if (this.stopped) return false;
        const [x, y] = batchOf(data.train, order.subarray(b * s.batchSize, (b + 1) * s.batchSize), rows, cols);
        const logits = this.model.forward(x) as tg.Tensor;
        const loss = tg.F.crossEntropy(logits, y);
        this.optimizer.zeroGrad();
        loss.backward();
        this.optimizer.step();
        this.scheduler?.step();
        const l = loss.item();
        if (!Number.isFinite(l)) {
          this.post({ type: 'error', message: `training diverged: the loss became ${l} at step ${step + 1} (learning rate ${s.lr}); try a smaller learning rate` });
          return false;
        }
        const batchAcc = tg.noGrad(() => logits.argmax(1).eq(y).sum().item()) / y.shape[0]!;
        // Bias-corrected EMA: the first batches are not pulled towards the initial 0.
        accAvg = (1 - ACC_SMOOTHING) * accAvg + ACC_SMOOTHING * batchAcc;
        accWeight = (1 - ACC_SMOOTHING) * accWeight + ACC_SMOOTHING;
        step++;
        this.onStep?.();
        windowImages += y.shape[0]!;
        windowLoss += l;
        windowSteps++;
        const now = performance.now();
        if (now - lastReport >= this.reportMs || b === stepsPerEpoch - 1) {
          this.post({
            type: 'progress', epoch, step, stepsPerEpoch, loss: windowLoss / windowSteps, trainAccuracy: accAvg / accWeight,
            imagesPerSecond: windowImages / Math.max((now - windowStart) / 1000, 1e-9), lr: this.optimizer.paramGroups[0]!.lr as number,
          });
          lastReport = now;
          windowLoss = 0;
          windowSteps = 0;
          if (now - windowStart > 2000) {
            windowStart = now;
            windowImages = 0;
          }
        }
        await this.yieldNow();
      }
      const test = evaluateSplit(this.model, data.test, rows, cols);
      this.post({ type: 'epoch', epoch, testAccuracy: test.accuracy, testLoss: test.loss, seconds: (performance.now() - epochStart) / 1000 });
      await this.yieldNow();
    }
    return true;
  }
}
