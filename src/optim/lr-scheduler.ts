import { TensorError } from '../core/errors.js';
import { checkArgs, describeArg } from '../tensor/args.js';
import type { Optimizer } from './optimizer.js';

type AnyOptimizer = Optimizer<{ lr: number }>;

/**
 * Base of the epoch/step-indexed schedulers, as torch.optim.lr_scheduler: each
 * computes every group's lr from its initial lr and the step count in closed
 * form, so state is just `lastEpoch` and resuming is exact. Call `step()` once
 * per epoch (or per batch for OneCycleLR), after `optimizer.step()`.
 * @example
 * const sched = new tg.optim.StepLR(opt, 30, 0.1);
 * for (let epoch = 0; epoch < 90; epoch++) { trainOneEpoch(); sched.step(); }
 */
export abstract class LRScheduler {
  /** Number of step() calls so far (0 right after construction). */
  lastEpoch = 0;
  /** Each parameter group's initial lr (its `initialLr`, else its lr when the scheduler was built): the base of the schedule. */
  protected readonly baseLrs: number[];

  /** Subclasses call `this.apply()` at the end of their constructor, once their own fields exist. */
  constructor(
    /** The optimizer whose parameter groups' `lr` this scheduler sets. */
    readonly optimizer: AnyOptimizer,
  ) {
    if (optimizer === null || typeof optimizer !== 'object' || !Array.isArray((optimizer as Partial<AnyOptimizer>).paramGroups)) {
      throw new TensorError(`${new.target.name}: optimizer must be a tg.optim optimizer (e.g. new optim.SGD(params, { lr: 0.1 })), got ${describeArg(optimizer)}`);
    }
    this.baseLrs = optimizer.paramGroups.map((g) => g.initialLr ?? g.lr);
  }

  /** The lr of each group at `epoch`. */
  protected abstract lrAt(epoch: number, baseLr: number, groupIndex: number): number;

  /** Sets every group's lr to the schedule's value at `lastEpoch`. */
  protected apply(): void {
    this.optimizer.paramGroups.forEach((g, i) => (g.lr = this.lrAt(this.lastEpoch, this.baseLrs[i]!, i)));
  }

  /**
   * Advances the schedule one step (`lastEpoch + 1`) and sets each group's lr, like
   * PyTorch's `scheduler.step()`: call it after `optimizer.step()`, once per epoch
   * (OneCycleLR: once per batch).
   * @example sched.step(); console.log(sched.getLastLr());
   */
  step(): void {
    this.lastEpoch++;
    this.apply();
  }

  /**
   * The learning rates set by the last step, one per parameter group.
   * @example console.log(sched.getLastLr());   // e.g. [0.1]
   */
  getLastLr(): number[] {
    return this.optimizer.paramGroups.map((g) => g.lr);
  }

  /**
   * The schedule's position, `{ lastEpoch }` (the rest is recomputed in closed form), for loadStateDict.
   * @example const saved = sched.stateDict();   // { lastEpoch: 12 }
   */
  stateDict(): Record<string, unknown> {
    return { lastEpoch: this.lastEpoch };
  }

  /**
   * Restores `{lastEpoch}`: a non-negative integer, and one this schedule can
   * reach (OneCycleLR: at most totalSteps). On error nothing changes.
   * @example sched.loadStateDict({ lastEpoch: 12 })
   */
  loadStateDict(sd: Record<string, unknown>): void {
    const op = `${this.constructor.name}.loadStateDict`;
    if (sd === null || typeof sd !== 'object') throw new TensorError(`${op}: expected {lastEpoch}`);
    const v = sd.lastEpoch;
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
      throw new TensorError(`${op}: lastEpoch must be a non-negative integer (got ${v === undefined ? 'nothing' : typeof v === 'number' ? String(v) : (JSON.stringify(v) ?? String(v)).slice(0, 60)})`);
    }
    const previous = this.lastEpoch;
    this.lastEpoch = v;
    try {
      this.apply();
    } catch (e) {
      this.lastEpoch = previous; // leave the schedule and the lrs as they were
      this.apply();
      throw new TensorError(`${op}: ${(e as Error).message}`);
    }
  }
}

/** @internal also used by lr-scheduler-more.ts */
export function positiveInt(op: string, name: string, v: unknown): void {
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) throw new TensorError(`${op}: ${name} must be a positive integer (got ${String(v)})`);
}

/**
 * lr = base * gamma^floor(epoch / stepSize), as torch.optim.lr_scheduler.StepLR.
 * Throws a TensorError unless stepSize is a positive integer.
 * @example const sched = new tg.optim.StepLR(opt, 30, 0.1);   // lr x0.1 every 30 epochs
 */
export class StepLR extends LRScheduler {
  constructor(
    optimizer: AnyOptimizer,
    /** Period of the decay, in steps (epochs): a positive integer. */
    readonly stepSize: number,
    /** Multiplicative factor applied every `stepSize` steps. Default 0.1. */
    readonly gamma = 0.1,
  ) {
    checkArgs('StepLR', arguments, { optimizer: 'any', stepSize: 'int', gamma: 'finite?' });
    positiveInt('StepLR', 'stepSize', stepSize);
    super(optimizer);
    this.apply();
  }
  protected lrAt(e: number, base: number): number { return base * this.gamma ** Math.floor(e / this.stepSize); }
}

/**
 * lr = base * gamma^(number of milestones <= epoch), as torch.optim.lr_scheduler.MultiStepLR.
 * @example const sched = new tg.optim.MultiStepLR(opt, [30, 80], 0.1);
 */
export class MultiStepLR extends LRScheduler {
  constructor(
    optimizer: AnyOptimizer,
    /** Steps (epochs) at which the lr is multiplied by `gamma`; non-negative integers. */
    readonly milestones: number[],
    /** Multiplicative factor applied at each milestone. Default 0.1. */
    readonly gamma = 0.1,
  ) {
    checkArgs('MultiStepLR', arguments, { optimizer: 'any', milestones: 'shape', gamma: 'finite?' });
    super(optimizer);
    this.apply();
  }
  protected lrAt(e: number, base: number): number { return base * this.gamma ** this.milestones.filter((m) => m <= e).length; }
}

/**
 * lr = base * gamma^epoch, as torch.optim.lr_scheduler.ExponentialLR.
 * @example const sched = new tg.optim.ExponentialLR(opt, 0.95);
 */
export class ExponentialLR extends LRScheduler {
  constructor(
    optimizer: AnyOptimizer,
    /** Multiplicative factor applied at every step. */
    readonly gamma: number,
  ) {
    checkArgs('ExponentialLR', arguments, { optimizer: 'any', gamma: 'finite' });
    super(optimizer);
    this.apply();
  }
  protected lrAt(e: number, base: number): number { return base * this.gamma ** e; }
}

/**
 * lr = etaMin + (base - etaMin) (1 + cos(pi epoch / tMax)) / 2 (the closed form of
 * torch.optim.lr_scheduler.CosineAnnealingLR). Throws unless tMax is a positive integer.
 * @example const sched = new tg.optim.CosineAnnealingLR(opt, 100);   // base lr -> 0 over 100 epochs
 */
export class CosineAnnealingLR extends LRScheduler {
  constructor(
    optimizer: AnyOptimizer,
    /** Half-period of the cosine, in steps: the lr reaches `etaMin` at step tMax. A positive integer. */
    readonly tMax: number,
    /** Minimum learning rate. Default 0. */
    readonly etaMin = 0,
  ) {
    checkArgs('CosineAnnealingLR', arguments, { optimizer: 'any', tMax: 'int', etaMin: 'finite?' });
    positiveInt('CosineAnnealingLR', 'tMax', tMax);
    super(optimizer);
    this.apply();
  }
  protected lrAt(e: number, base: number): number {
    return this.etaMin + ((base - this.etaMin) * (1 + Math.cos((Math.PI * e) / this.tMax))) / 2;
  }
}

/**
 * Linear warm-up, as torch.optim.lr_scheduler.LinearLR: lr = base * factor, the factor
 * going linearly from startFactor to endFactor over totalIters steps, then constant.
 * Throws unless startFactor is in (0, 1] and totalIters a positive integer.
 * @example const warmup = new tg.optim.LinearLR(opt, 0.1, 1, 5);   // 10% -> 100% of the lr in 5 steps
 */
export class LinearLR extends LRScheduler {
  constructor(
    optimizer: AnyOptimizer,
    /** Factor of the base lr at step 0, in (0, 1]. Default 1/3. */
    readonly startFactor = 1 / 3,
    /** Factor of the base lr from step totalIters on. Default 1. */
    readonly endFactor = 1,
    /** Number of steps the factor takes to go from startFactor to endFactor. Default 5. */
    readonly totalIters = 5,
  ) {
    checkArgs('LinearLR', arguments, { optimizer: 'any', startFactor: 'finite?', endFactor: 'finite?', totalIters: 'int?' });
    if (!(startFactor > 0 && startFactor <= 1)) throw new TensorError(`LinearLR: startFactor must be in (0, 1] (got ${startFactor})`);
    positiveInt('LinearLR', 'totalIters', totalIters);
    super(optimizer);
    this.apply();
  }
  protected lrAt(e: number, base: number): number {
    const t = Math.min(e, this.totalIters) / this.totalIters;
    return base * (this.startFactor + (this.endFactor - this.startFactor) * t);
  }
}

/**
 * lr = base * lrLambda(epoch), as torch.optim.lr_scheduler.LambdaLR.
 * @example const sched = new tg.optim.LambdaLR(opt, (epoch) => 0.95 ** epoch);
 */
export class LambdaLR extends LRScheduler {
  constructor(
    optimizer: AnyOptimizer,
    /** The multiplier of the base lr as a function of the step count (0 at construction). */
    readonly lrLambda: (epoch: number) => number,
  ) {
    checkArgs('LambdaLR', arguments, { optimizer: 'any', lrLambda: 'fn' });
    super(optimizer);
    this.apply();
  }
  protected lrAt(e: number, base: number): number { return base * this.lrLambda(e); }
}

/** Options of {@link OneCycleLR} (PyTorch's OneCycleLR arguments in camelCase). Give `totalSteps`, or `epochs` and `stepsPerEpoch`. */
export interface OneCycleOptions {
  /** Peak learning rate: one for all parameter groups, or one per group. */
  maxLr: number | number[];
  /** Total number of steps (batches) in the cycle; else epochs * stepsPerEpoch. */
  totalSteps?: number;
  /** Number of epochs, with stepsPerEpoch, when totalSteps is not given. */
  epochs?: number;
  /** Steps (batches) per epoch, with epochs, when totalSteps is not given. */
  stepsPerEpoch?: number;
  /** Fraction of the cycle spent raising the lr, in (0, 1). Default 0.3. */
  pctStart?: number;
  /** Annealing shape: 'cos' (cosine) or 'linear'. Default 'cos'. */
  annealStrategy?: 'cos' | 'linear';
  /** The initial lr is maxLr / divFactor. Default 25. */
  divFactor?: number;
  /** The final lr is the initial lr / finalDivFactor. Default 1e4. */
  finalDivFactor?: number;
  /** Three phases (up, back down to the initial lr, then to the minimum) instead of two. Default false. */
  threePhase?: boolean;
  /** Cycle momentum (SGD momentum or Adam beta1) inversely to the lr (default true). */
  cycleMomentum?: boolean;
  /** Momentum at the lr's peak (the lower bound of the momentum cycle). Default 0.85. */
  baseMomentum?: number;
  /** Momentum at the start and end of the cycle (the upper bound). Default 0.95. */
  maxMomentum?: number;
}

/**
 * The 1cycle policy (Smith & Topor), as torch.optim.lr_scheduler.OneCycleLR:
 * warm up from maxLr/divFactor to maxLr over pctStart of the steps, then anneal
 * to initialLr/finalDivFactor; momentum cycles the other way. Step once per batch.
 * It overwrites each group's lr and initialLr with maxLr/divFactor at construction;
 * stepping past totalSteps throws a TensorError.
 * @example const sched = new tg.optim.OneCycleLR(opt, { maxLr: 0.1, epochs: 10, stepsPerEpoch: loader.length });
 */
export class OneCycleLR extends LRScheduler {
  private phases: { end: number; start: 'initial' | 'max' | 'min'; stop: 'initial' | 'max' | 'min'; momStart: 'base' | 'max'; momStop: 'base' | 'max' }[];
  private readonly o: Required<Omit<OneCycleOptions, 'totalSteps' | 'epochs' | 'stepsPerEpoch' | 'maxLr'>> & { total: number; maxLrs: number[] };

  constructor(optimizer: AnyOptimizer, opts: OneCycleOptions) {
    checkArgs('OneCycleLR', arguments, { optimizer: 'any', opts: ['maxLr', 'totalSteps', 'epochs', 'stepsPerEpoch', 'pctStart', 'annealStrategy', 'divFactor', 'finalDivFactor', 'threePhase', 'cycleMomentum', 'baseMomentum', 'maxMomentum'] });
    if (!opts) throw new TensorError('OneCycleLR: options are required, e.g. new optim.OneCycleLR(opt, { maxLr: 0.1, totalSteps: 1000 })');
    const total = opts.totalSteps ?? (opts.epochs !== undefined && opts.stepsPerEpoch !== undefined ? opts.epochs * opts.stepsPerEpoch : NaN);
    if (!Number.isInteger(total) || total <= 0) throw new TensorError('OneCycleLR: give totalSteps, or epochs and stepsPerEpoch (positive integers)');
    const n = optimizer.paramGroups.length;
    const maxLrs = Array.isArray(opts.maxLr) ? opts.maxLr : new Array<number>(n).fill(opts.maxLr);
    if (maxLrs.length !== n) throw new TensorError(`OneCycleLR: maxLr has ${maxLrs.length} values for ${n} parameter groups`);
    const o = {
      pctStart: 0.3, annealStrategy: 'cos' as const, divFactor: 25, finalDivFactor: 1e4, threePhase: false,
      cycleMomentum: true, baseMomentum: 0.85, maxMomentum: 0.95, ...opts, total, maxLrs,
    };
    if (!(o.pctStart > 0 && o.pctStart < 1)) throw new TensorError(`OneCycleLR: pctStart must be in (0, 1) (got ${o.pctStart})`);
    // The initial lr of each group is maxLr / divFactor (PyTorch overwrites initial_lr the same way).
    optimizer.paramGroups.forEach((g, i) => {
      g.initialLr = maxLrs[i]! / o.divFactor;
      g.lr = g.initialLr;
    });
    super(optimizer);
    this.o = o;
    const up = o.pctStart * total - 1;
    this.phases = o.threePhase
      ? [
        { end: up, start: 'initial', stop: 'max', momStart: 'max', momStop: 'base' },
        { end: 2 * o.pctStart * total - 2, start: 'max', stop: 'initial', momStart: 'base', momStop: 'max' },
        { end: total - 1, start: 'initial', stop: 'min', momStart: 'max', momStop: 'max' },
      ]
      : [
        { end: up, start: 'initial', stop: 'max', momStart: 'max', momStop: 'base' },
        { end: total - 1, start: 'max', stop: 'min', momStart: 'base', momStop: 'max' },
      ];
    this.apply();
  }

  private anneal(start: number, end: number, pct: number): number {
    if (this.o.annealStrategy === 'linear') return (end - start) * pct + start;
    return end + ((start - end) / 2) * (Math.cos(Math.PI * pct) + 1);
  }

  /** lr and momentum of group i at step e. */
  private at(e: number, i: number): { lr: number; momentum: number } {
    const initial = this.o.maxLrs[i]! / this.o.divFactor;
    const value = { initial, max: this.o.maxLrs[i]!, min: initial / this.o.finalDivFactor };
    const mom = { base: this.o.baseMomentum, max: this.o.maxMomentum };
    let startStep = 0;
    for (let k = 0; k < this.phases.length; k++) {
      const ph = this.phases[k]!;
      if (e <= ph.end || k === this.phases.length - 1) {
        const pct = (e - startStep) / (ph.end - startStep);
        return { lr: this.anneal(value[ph.start], value[ph.stop], pct), momentum: this.anneal(mom[ph.momStart], mom[ph.momStop], pct) };
      }
      startStep = ph.end;
    }
    throw new Error('unreachable');
  }

  protected lrAt(e: number, _base: number, i: number): number {
    return this.at(e, i).lr;
  }

  /** Sets each group's lr (and, with cycleMomentum, its momentum or beta1) for `lastEpoch`; throws past totalSteps. */
  protected override apply(): void {
    if (this.lastEpoch > this.o.total) {
      throw new TensorError(`OneCycleLR: stepped ${this.lastEpoch} times but totalSteps is ${this.o.total}`);
    }
    this.optimizer.paramGroups.forEach((g, i) => {
      const { lr, momentum } = this.at(this.lastEpoch, i);
      g.lr = lr;
      if (!this.o.cycleMomentum) return;
      const group = g as unknown as { momentum?: number; betas?: [number, number] };
      if (group.betas) group.betas = [momentum, group.betas[1]];
      else if (group.momentum !== undefined) group.momentum = momentum;
    });
  }
}

/** Options of {@link ReduceLROnPlateau} (PyTorch's arguments in camelCase). */
export interface PlateauOptions {
  /** 'min': the metric should go down (a loss); 'max': up (an accuracy). Default 'min'. */
  mode?: 'min' | 'max';
  /** Factor the lr is multiplied by on a plateau, in (0, 1). Default 0.1. */
  factor?: number;
  /** Number of steps without improvement tolerated; the lr is cut on the next one. Default 10. */
  patience?: number;
  /** Minimum change that counts as an improvement (see thresholdMode). Default 1e-4. */
  threshold?: number;
  /** 'rel': improve by the fraction `threshold` of the best value; 'abs': by `threshold` itself. Default 'rel'. */
  thresholdMode?: 'rel' | 'abs';
  /** Steps to wait after a cut before counting bad steps again. Default 0. */
  cooldown?: number;
  /** Lower bound of the lr. Default 0. */
  minLr?: number;
  /** A cut smaller than eps is skipped. Default 1e-8. */
  eps?: number;
}

/**
 * Cuts the lr by `factor` when a metric has stopped improving for `patience` epochs,
 * as torch.optim.lr_scheduler.ReduceLROnPlateau. Call step(metric) once per epoch.
 * @example
 * const plateau = new tg.optim.ReduceLROnPlateau(opt, { mode: 'min', patience: 3 });
 * plateau.step(valLoss);
 */
export class ReduceLROnPlateau {
  private best: number;
  private badEpochs = 0;
  private cooldownLeft = 0;
  private readonly o: Required<PlateauOptions>;

  constructor(
    /** The optimizer whose parameter groups' `lr` this scheduler cuts. */
    readonly optimizer: AnyOptimizer,
    opts: PlateauOptions = {},
  ) {
    checkArgs('ReduceLROnPlateau', arguments, { optimizer: 'any', opts: ['mode', 'factor', 'patience', 'threshold', 'thresholdMode', 'cooldown', 'minLr', 'eps'] });
    if (optimizer === null || typeof optimizer !== 'object' || !Array.isArray((optimizer as Partial<AnyOptimizer>).paramGroups)) {
      throw new TensorError(`ReduceLROnPlateau: optimizer must be a tg.optim optimizer, got ${describeArg(optimizer)}`);
    }
    this.o = { mode: 'min', factor: 0.1, patience: 10, threshold: 1e-4, thresholdMode: 'rel', cooldown: 0, minLr: 0, eps: 1e-8, ...opts };
    if (!(this.o.factor < 1 && this.o.factor > 0)) throw new TensorError(`ReduceLROnPlateau: factor must be in (0, 1) (got ${this.o.factor})`);
    this.best = this.o.mode === 'min' ? Infinity : -Infinity;
  }

  private improved(v: number): boolean {
    const { mode, threshold, thresholdMode } = this.o;
    if (mode === 'min') return thresholdMode === 'rel' ? v < this.best * (1 - threshold) : v < this.best - threshold;
    return thresholdMode === 'rel' ? v > this.best * (1 + threshold) : v > this.best + threshold;
  }

  /**
   * Records this epoch's metric; after more than `patience` epochs without improvement
   * (outside a cooldown) multiplies each group's lr by `factor`, not below minLr.
   * @example plateau.step(valLoss);
   */
  step(metric: number): void {
    if (this.improved(metric)) {
      this.best = metric;
      this.badEpochs = 0;
    } else {
      this.badEpochs++;
    }
    if (this.cooldownLeft > 0) {
      this.cooldownLeft--;
      this.badEpochs = 0;
    }
    if (this.badEpochs > this.o.patience) {
      for (const g of this.optimizer.paramGroups) {
        const next = Math.max(g.lr * this.o.factor, this.o.minLr);
        if (g.lr - next > this.o.eps) g.lr = next;
      }
      this.cooldownLeft = this.o.cooldown;
      this.badEpochs = 0;
    }
  }

  /**
   * The current lr of each parameter group.
   * @example console.log(plateau.getLastLr());   // e.g. [0.01]
   */
  getLastLr(): number[] {
    return this.optimizer.paramGroups.map((g) => g.lr);
  }

  /**
   * `{ best, badEpochs, cooldownLeft, lrs }`: what loadStateDict needs to resume exactly.
   * @example const saved = plateau.stateDict();
   */
  stateDict(): Record<string, unknown> {
    return { best: this.best, badEpochs: this.badEpochs, cooldownLeft: this.cooldownLeft, lrs: this.getLastLr() };
  }

  /**
   * Restores `{best, badEpochs, cooldownLeft, lrs}`, all validated first: best a
   * number (±Infinity allowed, not NaN), the counters non-negative integers, lrs
   * one finite non-negative number per parameter group. On error nothing changes.
   * @example plateau.loadStateDict(saved)
   */
  loadStateDict(sd: Record<string, unknown>): void {
    const op = 'ReduceLROnPlateau.loadStateDict';
    if (sd === null || typeof sd !== 'object') throw new TensorError(`${op}: expected {best, badEpochs, cooldownLeft, lrs}`);
    const show = (v: unknown) => (v === undefined ? 'nothing' : typeof v === 'number' ? String(v) : JSON.stringify(v)?.slice(0, 60) ?? String(v));
    const { best, badEpochs, cooldownLeft, lrs } = sd;
    if (typeof best !== 'number' || Number.isNaN(best)) throw new TensorError(`${op}: best must be a number (got ${show(best)})`);
    for (const [name, v] of [['badEpochs', badEpochs], ['cooldownLeft', cooldownLeft]] as const) {
      if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw new TensorError(`${op}: ${name} must be a non-negative integer (got ${show(v)})`);
    }
    const groups = this.optimizer.paramGroups;
    if (lrs !== undefined && (!Array.isArray(lrs) || lrs.length !== groups.length || !lrs.every((x) => typeof x === 'number' && Number.isFinite(x) && x >= 0))) {
      throw new TensorError(`${op}: lrs must be ${groups.length} finite non-negative numbers, one per parameter group (got ${show(lrs)})`);
    }
    this.best = best;
    this.badEpochs = badEpochs as number;
    this.cooldownLeft = cooldownLeft as number;
    (lrs as number[] | undefined)?.forEach((lr, i) => (groups[i]!.lr = lr));
  }
}
