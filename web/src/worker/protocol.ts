/**
 * The messages between the page and the training worker, and the training
 * settings with their checks. Pure types and functions: the worker and the
 * Train panel both import this file, and nothing runs at import.
 */

/** The networks the Train panel offers. */
export type ModelKind = 'lenet5' | 'cnn' | 'mlp';
export type OptimizerKind = 'sgd' | 'adam';

/** The small CNN builder's choices: `blocks` x (conv k x k, 'same' padding -> [batch norm] -> ReLU -> pool 2). */
export interface CnnSettings {
  /** Conv blocks, 1..3 (28 -> 14 -> 7 -> 3 pixels). */
  blocks: number;
  /** Channels of the first block; each later block doubles them. */
  channels: number;
  kernel: 3 | 5;
  pool: 'max' | 'avg';
  batchNorm: boolean;
}

/** Everything one training run needs. */
export interface TrainSettings {
  model: ModelKind;
  cnn: CnnSettings;
  /** Width of the MLP's two hidden layers. */
  mlpHidden: number;
  optimizer: OptimizerKind;
  lr: number;
  /** SGD momentum (ignored by Adam). */
  momentum: number;
  batchSize: number;
  epochs: number;
  seed: number;
}

export const DEFAULT_SETTINGS: TrainSettings = {
  model: 'lenet5',
  cnn: { blocks: 2, channels: 8, kernel: 3, pool: 'max', batchNorm: false },
  mlpHidden: 128,
  optimizer: 'sgd',
  lr: 0.01,
  momentum: 0.9,
  batchSize: 32,
  epochs: 3,
  seed: 0,
};

/** Page -> worker. `start` begins a run (or resumes a paused one, ignoring `settings`). */
export type ToWorker =
  | { type: 'init'; dataUrl: string }
  | { type: 'start'; settings: TrainSettings }
  | { type: 'pause' }
  | { type: 'reset' };

/** What the worker is doing. */
export type RunState = 'loading' | 'idle' | 'running' | 'paused' | 'done';

/** Worker -> page. */
export type FromWorker =
  | { type: 'ready'; backend: string; threads: number; isolated: boolean; trainCount: number; testCount: number; loadSeconds: number }
  | { type: 'state'; state: RunState }
  /** `loss`: mean over the steps since the last progress message; `trainAccuracy`: moving average over recent batches. */
  | { type: 'progress'; epoch: number; step: number; stepsPerEpoch: number; loss: number; trainAccuracy: number; imagesPerSecond: number }
  | { type: 'epoch'; epoch: number; testAccuracy: number; testLoss: number; seconds: number }
  | { type: 'error'; message: string };

/**
 * The problems with `s` as sentences naming the setting (empty when it is usable).
 * The panel shows them beside the Start button; the worker refuses a run with any.
 * @example checkSettings({ ...DEFAULT_SETTINGS, lr: -1 }) // ['learning rate must be a number > 0 and <= 10 (got -1)']
 */
export function checkSettings(s: TrainSettings): string[] {
  const errors: string[] = [];
  const range = (name: string, v: number, lo: number, hi: number, integer: boolean, open = false): void => {
    const ok = Number.isFinite(v) && (open ? v > lo : v >= lo) && v <= hi && (!integer || Number.isInteger(v));
    if (!ok) errors.push(`${name} must be ${integer ? 'an integer' : 'a number'} ${open ? '>' : '>='} ${lo} and <= ${hi} (got ${v})`);
  };
  if (!['lenet5', 'cnn', 'mlp'].includes(s.model)) errors.push(`model must be lenet5, cnn or mlp (got ${String(s.model)})`);
  if (!['sgd', 'adam'].includes(s.optimizer)) errors.push(`optimizer must be sgd or adam (got ${String(s.optimizer)})`);
  range('learning rate', s.lr, 0, 10, false, true);
  range('momentum', s.momentum, 0, 0.999, false);
  range('batch size', s.batchSize, 1, 1024, true);
  range('epochs', s.epochs, 1, 100, true);
  range('seed', s.seed, 0, 2 ** 31 - 1, true);
  if (s.model === 'mlp') range('hidden width', s.mlpHidden, 1, 2048, true);
  if (s.model === 'cnn') {
    range('conv blocks', s.cnn.blocks, 1, 3, true);
    range('channels', s.cnn.channels, 1, 128, true);
    if (s.cnn.kernel !== 3 && s.cnn.kernel !== 5) errors.push(`kernel must be 3 or 5 (got ${String(s.cnn.kernel)})`);
    if (s.cnn.pool !== 'max' && s.cnn.pool !== 'avg') errors.push(`pooling must be max or avg (got ${String(s.cnn.pool)})`);
  }
  return errors;
}
