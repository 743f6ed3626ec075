import { TensorError } from '../core/errors.js';
import { LRScheduler, positiveInt } from './lr-scheduler.js';
import type { Optimizer } from './optimizer.js';

/*
 * More schedulers from torch.optim.lr_scheduler, on the same closed-form base
 * as lr-scheduler.ts: each lr is a function of the base lr and the step count,
 * so `stateDict()` is the step count and resuming is exact.
 */

type AnyOptimizer = Optimizer<{ lr: number }>;

function finiteNumber(op: string, name: string, v: unknown, min = -Infinity): void {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min) {
    throw new TensorError(`${op}: ${name} must be a finite number${min > -Infinity ? ` >= ${min}` : ''} (got ${String(v)})`);
  }
}

/** Reads a non-negative finite number from a state dict, or throws naming the scheduler and key. */
function readCount(op: string, sd: Record<string, unknown>, key: string, integer: boolean): number {
  const v = sd?.[key];
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || (integer && !Number.isInteger(v))) {
    throw new TensorError(`${op}.loadStateDict: ${key} must be a ${integer ? 'non-negative integer' : 'finite number >= 0'} (got ${JSON.stringify(v)})`);
  }
  return v;
}

/**
 * SGDR, as torch.optim.lr_scheduler.CosineAnnealingWarmRestarts: cosine
 * annealing from the base lr to `etaMin` over T_i epochs, then a warm restart;
 * the first period is `T0` epochs and each period is `TMult` times the last.
 *   lr = etaMin + (base - etaMin) (1 + cos(pi T_cur / T_i)) / 2
 * `step()` advances one epoch; `step(epoch)` jumps to a (possibly fractional)
 * epoch, e.g. `step(epoch + i / itersPerEpoch)` inside an epoch, as PyTorch.
 * @example
 * const sched = new tg.optim.CosineAnnealingWarmRestarts(opt, 10, 2, 1e-5); // periods 10, 20, 40, ...
 */
export class CosineAnnealingWarmRestarts extends LRScheduler {
  /** The (possibly fractional) epoch the lr was computed for; `lastEpoch` is its floor. */
  private epoch = 0;

  constructor(
    optimizer: AnyOptimizer,
    /** Length of the first period, in epochs: a positive integer. */
    readonly T0: number,
    /** Each period is TMult times longer than the one before: a positive integer. Default 1. */
    readonly TMult = 1,
    /** Minimum learning rate, reached at the end of each period. Default 0. */
    readonly etaMin = 0,
  ) {
    positiveInt('CosineAnnealingWarmRestarts', 'T0', T0);
    positiveInt('CosineAnnealingWarmRestarts', 'TMult', TMult);
    finiteNumber('CosineAnnealingWarmRestarts', 'etaMin', etaMin);
    super(optimizer);
    this.apply();
  }

  /**
   * The position inside the current period, T_cur, and the period's length T_i at `epoch`.
   * @example sched.cycle(25)   // T0 10, TMult 2: { tCur: 15, tI: 20 }
   */
  cycle(epoch: number): {
    /** Epochs since the last restart (may be fractional). */
    tCur: number;
    /** Length of the current period, in epochs. */
    tI: number;
  } {
    // Walk the periods (exact, unlike PyTorch's float log, which can misplace an exact restart epoch).
    let start = 0, tI = this.T0;
    while (epoch >= start + tI) {
      start += tI;
      tI *= this.TMult;
      if (this.TMult === 1) {
        // Constant periods: jump straight to the last restart instead of walking every period.
        start = Math.floor(epoch / tI) * tI;
        break;
      }
    }
    return { tCur: epoch - start, tI };
  }

  protected lrAt(_e: number, base: number): number {
    const { tCur, tI } = this.cycle(this.epoch);
    return this.etaMin + ((base - this.etaMin) * (1 + Math.cos((Math.PI * tCur) / tI))) / 2;
  }

  /**
   * Advances one epoch, or jumps to `epoch` (>= 0, may be fractional; else a TensorError).
   * @example sched.step(epoch + i / itersPerEpoch);   // inside an epoch, per batch
   */
  override step(epoch?: number): void {
    if (epoch !== undefined) finiteNumber('CosineAnnealingWarmRestarts.step', 'epoch', epoch, 0);
    this.epoch = epoch ?? this.epoch + 1;
    this.lastEpoch = Math.floor(this.epoch);
    this.apply();
  }

  /**
   * `{ lastEpoch, epoch }`: the step count and the (possibly fractional) epoch, for loadStateDict.
   * @example const saved = sched.stateDict();
   */
  override stateDict(): Record<string, unknown> {
    return { lastEpoch: this.lastEpoch, epoch: this.epoch };
  }

  /**
   * Restores `{ lastEpoch, epoch? }` (epoch defaults to lastEpoch) and sets the lrs;
   * throws a TensorError on a negative or non-finite value.
   * @example sched.loadStateDict(saved);
   */
  override loadStateDict(sd: Record<string, unknown>): void {
    const lastEpoch = readCount('CosineAnnealingWarmRestarts', sd, 'lastEpoch', true);
    this.epoch = sd.epoch === undefined ? lastEpoch : readCount('CosineAnnealingWarmRestarts', sd, 'epoch', false);
    this.lastEpoch = Math.floor(this.epoch);
    this.apply();
  }
}

/**
 * Polynomial decay to zero over `totalIters` steps, as
 * torch.optim.lr_scheduler.PolynomialLR:
 *   lr = base (1 - min(epoch, totalIters) / totalIters)^power
 * @example
 * const sched = new tg.optim.PolynomialLR(opt, 100, 2); // quadratic decay to 0 over 100 steps
 */
export class PolynomialLR extends LRScheduler {
  constructor(
    optimizer: AnyOptimizer,
    /** Number of steps over which the lr decays to 0 (then stays 0): a positive integer. Default 5. */
    readonly totalIters = 5,
    /** Power of the polynomial, >= 0 (1: linear decay). Default 1. */
    readonly power = 1,
  ) {
    positiveInt('PolynomialLR', 'totalIters', totalIters);
    finiteNumber('PolynomialLR', 'power', power, 0);
    super(optimizer);
    this.apply();
  }
  protected lrAt(e: number, base: number): number {
    return base * (1 - Math.min(e, this.totalIters) / this.totalIters) ** this.power;
  }
}

/**
 * Runs schedulers one after another, as torch.optim.lr_scheduler.SequentialLR:
 * `schedulers[i]` is in charge from `milestones[i-1]` (0 for the first) and
 * counts its own epochs from 0 there. All must drive `optimizer`. The
 * scheduler's state is its step count; its stateDict also holds the parts'.
 * @example
 * const warm = new tg.optim.LinearLR(opt, 0.1, 1, 5);
 * const cos = new tg.optim.CosineAnnealingLR(opt, 95);
 * const sched = new tg.optim.SequentialLR(opt, [warm, cos], [5]);  // 5 warm-up epochs, then cosine
 */
export class SequentialLR extends LRScheduler {
  /** The chained schedulers (a copy of the array given), all driving the same optimizer. */
  readonly schedulers: LRScheduler[];
  /** Increasing positive step counts at which the next scheduler takes over (one fewer than schedulers). */
  readonly milestones: number[];

  constructor(optimizer: AnyOptimizer, schedulers: LRScheduler[], milestones: number[]) {
    const op = 'SequentialLR';
    if (!Array.isArray(schedulers) || schedulers.length === 0) throw new TensorError(`${op}: schedulers must be a non-empty array of schedulers`);
    schedulers.forEach((s, i) => {
      if (!(s instanceof LRScheduler)) {
        throw new TensorError(`${op}: schedulers[${i}] is not an epoch-indexed scheduler (ReduceLROnPlateau and plain objects cannot be chained)`);
      }
      if (s.optimizer !== optimizer) throw new TensorError(`${op}: schedulers[${i}] drives a different optimizer than the one given`);
    });
    if (!Array.isArray(milestones) || milestones.length !== schedulers.length - 1) {
      throw new TensorError(`${op}: expected ${schedulers.length - 1} milestone(s) for ${schedulers.length} schedulers (got ${JSON.stringify(milestones)})`);
    }
    milestones.forEach((m, i) => {
      if (!Number.isInteger(m) || m <= 0 || (i > 0 && m <= milestones[i - 1]!)) {
        throw new TensorError(`${op}: milestones must be increasing positive integers (got ${JSON.stringify(milestones)})`);
      }
    });
    super(optimizer);
    this.schedulers = [...schedulers];
    this.milestones = [...milestones];
    this.apply();
  }

  /** Which scheduler is in charge at `epoch`, and its own epoch count there. */
  private locate(epoch: number): { index: number; local: number } {
    let index = 0;
    while (index < this.milestones.length && epoch >= this.milestones[index]!) index++;
    return { index, local: index === 0 ? epoch : epoch - this.milestones[index - 1]! };
  }

  protected lrAt(): number {
    throw new Error('unreachable: SequentialLR sets lrs through its schedulers');
  }

  /** Hands the step count to the scheduler in charge at `lastEpoch`, which sets the lrs. */
  protected override apply(): void {
    const { index, local } = this.locate(this.lastEpoch);
    // Every part is closed-form in its step count: setting that count sets the lrs.
    this.schedulers[index]!.loadStateDict({ lastEpoch: local });
  }

  /**
   * `{ lastEpoch, schedulers }`: the step count and each part's own stateDict.
   * @example const saved = sched.stateDict();
   */
  override stateDict(): Record<string, unknown> {
    return { lastEpoch: this.lastEpoch, schedulers: this.schedulers.map((s) => s.stateDict()) };
  }

  /**
   * Restores `{ lastEpoch, schedulers? }`, all or nothing: if a part refuses its state,
   * every part and the lrs are put back and a TensorError is thrown.
   * @example sched.loadStateDict(saved);
   */
  override loadStateDict(sd: Record<string, unknown>): void {
    const lastEpoch = readCount('SequentialLR', sd, 'lastEpoch', true);
    const parts = sd.schedulers;
    if (parts !== undefined) {
      if (!Array.isArray(parts) || parts.length !== this.schedulers.length) {
        throw new TensorError(`SequentialLR.loadStateDict: schedulers must hold ${this.schedulers.length} state dicts (got ${Array.isArray(parts) ? parts.length : typeof parts})`);
      }
      // All or nothing: a part that refuses its state puts every part (and the lrs) back.
      const saved = this.schedulers.map((s) => s.stateDict());
      try {
        parts.forEach((p, i) => this.schedulers[i]!.loadStateDict(p as Record<string, unknown>));
      } catch (e) {
        saved.forEach((sd, i) => this.schedulers[i]!.loadStateDict(sd));
        this.apply();
        throw new TensorError(`SequentialLR.loadStateDict: ${(e as Error).message}`);
      }
    }
    this.lastEpoch = lastEpoch;
    this.apply();
  }
}
