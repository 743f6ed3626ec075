import { TensorError } from '../core/errors.js';
import type { Module, StateDict } from '../nn/module.js';
import { checkArgs } from '../tensor/args.js';

/** Options of {@link EarlyStopping}. */
export interface EarlyStoppingOptions {
  /** Name of the monitored metric (for messages and the training log). Default 'valLoss'. */
  monitor?: string;
  /** 'min' for losses, 'max' for accuracies. Default 'min'. */
  mode?: 'min' | 'max';
  /** Epochs without improvement tolerated; training stops on the next one. A non-negative integer. Default 5. */
  patience?: number;
  /** Smallest change that counts as an improvement, >= 0. Default 0. */
  minDelta?: number;
  /** On stop, load the best weights back into the model. Default false. */
  restoreBestWeights?: boolean;
}

/**
 * Stops training when a monitored metric stops improving, optionally restoring
 * the best weights (Keras-style, since PyTorch has no built-in).
 * @example
 * const stopper = new tg.optim.EarlyStopping({ monitor: 'valLoss', patience: 3, restoreBestWeights: true });
 * for (...) { ...; if (stopper.step(valLoss, model)) break; }
 */
export class EarlyStopping {
  /** Name of the monitored metric (for messages and logs). */
  readonly monitor: string;
  /** 'min': lower is better; 'max': higher is better. */
  readonly mode: 'min' | 'max';
  /** Epochs without improvement tolerated before step() returns true. */
  readonly patience: number;
  /** Smallest change over `best` that counts as an improvement. */
  readonly minDelta: number;
  /** Whether a stop loads the best epoch's weights back into the model given to step(). */
  readonly restoreBestWeights: boolean;
  /** Best metric value so far (Infinity, or -Infinity in 'max' mode, before the first step). */
  best: number;
  /** Index (0-based) of the epoch that gave `best`; -1 before the first step. */
  bestEpoch = -1;
  /** Epochs since the last improvement. */
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

  /**
   * Records one epoch's metric; returns true when training should stop (more than
   * `patience` epochs without improvement). Pass `model` to have its best weights
   * kept (copies) and, with restoreBestWeights, loaded back on the stop.
   * @example if (stopper.step(valLoss, model)) break;
   */
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
