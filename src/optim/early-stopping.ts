import { TensorError } from '../core/errors.js';
import type { Module, StateDict } from '../nn/module.js';
import { checkArgs } from '../tensor/args.js';

export interface EarlyStoppingOptions {
  /** Name of the monitored metric (for messages and the training log). */
  monitor?: string;
  /** 'min' for losses, 'max' for accuracies. */
  mode?: 'min' | 'max';
  /** Epochs without improvement before stopping. */
  patience?: number;
  /** Smallest change that counts as an improvement. */
  minDelta?: number;
  /** On stop, load the best weights back into the model. */
  restoreBestWeights?: boolean;
}

/**
 * Stops training when a monitored metric stops improving, optionally restoring
 * the best weights (Keras-style, since PyTorch has no built-in).
 * @example
 * const stopper = new optim.EarlyStopping({ monitor: 'valLoss', patience: 3, restoreBestWeights: true });
 * for (...) { ...; if (stopper.step(valLoss, model)) break; }
 */
export class EarlyStopping {
  readonly monitor: string;
  readonly mode: 'min' | 'max';
  readonly patience: number;
  readonly minDelta: number;
  readonly restoreBestWeights: boolean;
  best: number;
  bestEpoch = -1;
  epochsWithoutImprovement = 0;
  private epoch = -1;
  private bestState: StateDict | null = null;

  constructor(opts: EarlyStoppingOptions = {}) {
    checkArgs('EarlyStopping', arguments, { opts: ['monitor', 'mode', 'patience', 'minDelta', 'restoreBestWeights'] });
    this.monitor = opts.monitor ?? 'valLoss';
    this.mode = opts.mode ?? 'min';
    this.patience = opts.patience ?? 5;
    this.minDelta = opts.minDelta ?? 0;
    this.restoreBestWeights = opts.restoreBestWeights ?? false;
    if (!Number.isInteger(this.patience) || this.patience < 0) throw new TensorError(`EarlyStopping: patience must be a non-negative integer (got ${this.patience})`);
    if (this.minDelta < 0) throw new TensorError(`EarlyStopping: minDelta must be >= 0 (got ${this.minDelta})`);
    this.best = this.mode === 'min' ? Infinity : -Infinity;
  }

  /** Records one epoch's metric; returns true when training should stop. */
  step(value: number, model?: Module): boolean {
    this.epoch++;
    const better = this.mode === 'min' ? value < this.best - this.minDelta : value > this.best + this.minDelta;
    if (better) {
      this.best = value;
      this.bestEpoch = this.epoch;
      this.epochsWithoutImprovement = 0;
      if (this.restoreBestWeights && model) {
        this.bestState = Object.fromEntries(Object.entries(model.stateDict()).map(([k, t]) => [k, t.clone()]));
      }
      return false;
    }
    this.epochsWithoutImprovement++;
    const stop = this.epochsWithoutImprovement > this.patience;
    if (stop && this.restoreBestWeights && model && this.bestState) model.loadStateDict(this.bestState);
    return stop;
  }
}
