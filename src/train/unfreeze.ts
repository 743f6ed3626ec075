/**
 * Gradual unfreezing (Howard & Ruder 2018, ULMFiT; the course's "freezing
 * fade out"): a fine-tuning run starts with the pretrained layers frozen and
 * unfreezes them block by block from the top (the last frozen block first),
 * so the new head settles before the features it reads start to move.
 */
import type { Module } from '../nn/module.js';
import type { Parameter } from '../nn/parameter.js';
import { TensorError } from '../core/errors.js';

/** Options of {@link GradualUnfreezing}: which blocks, and when. */
export interface GradualUnfreezingOptions {
  /**
   * The blocks to unfreeze, as module paths in registration order (bottom
   * first); they are unfrozen last first. Default: frozenBlocks(model), the
   * frozen layers that hold parameters.
   */
  blocks?: readonly string[];
  /** First epoch at which blocks are unfrozen (1-based; default 2: epoch 1 trains the head alone). */
  start?: number;
  /** Epochs between unfreezings (default 1). */
  every?: number;
  /** Blocks unfrozen each time (default 1). */
  perStep?: number;
}

/**
 * The frozen layers of `model` that hold parameters (the modules with
 * parameters of their own, every one of them frozen), by module path in
 * registration order: LeNet-5 frozen up to 'features.3' gives
 * ['features.0', 'features.3'].
 * @example model.freezeUntil('features.3'); tg.train.frozenBlocks(model) // ['features.0', 'features.3']
 */
export function frozenBlocks(model: Module): string[] {
  const out: string[] = [];
  for (const [path, m] of model.namedModules()) {
    const own = m.namedParameters().filter(([name]) => !name.includes('.')).map(([, p]) => p);
    if (own.length && own.every((p) => !p.requiresGrad)) out.push(path);
  }
  return out;
}

const checkInt = (name: string, v: unknown, min: number): number => {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) {
    throw new TensorError(`GradualUnfreezing: ${name} must be an integer >= ${min} (got ${String(v)})`);
  }
  return v;
};

/**
 * A schedule for train.fit that unfreezes frozen blocks one by one from the
 * top: at the start of epoch e >= start, the last
 * `min(blocks, (floor((e - start) / every) + 1) * perStep)` blocks are
 * trainable and the others frozen (a function of the epoch alone, so a
 * resumed run gets the same state). Pass `onEpochStart` to fit.
 *
 * Build the optimizer over ALL parameters, frozen ones included (e.g. with
 * paramGroupsFor): frozen parameters get no gradient, so optimizers skip
 * them (no step, no weight decay, no state), and once unfrozen they are
 * already in their group with its learning rate.
 * @example
 * model.freezeUntil('features.3');
 * const unfreezing = new tg.train.GradualUnfreezing(model);  // blocks ['features.0', 'features.3']
 * const optimizer = new tg.optim.SGD(tg.train.paramGroupsFor(model, { head: ['classifier'], headLr: 0.05, bodyLr: 0.005 }), { lr: 0.05 });
 * await tg.train.fit({ model, optimizer, train, numClasses: 5, epochs: 3, onEpochStart: (e) => unfreezing.onEpochStart(e) });
 * // epoch 1: head only; epoch 2: + features.3; epoch 3: + features.0
 */
export class GradualUnfreezing {
  /** The module paths unfrozen by the schedule, bottom first (the last is unfrozen first). */
  readonly blocks: readonly string[];
  /** First epoch (1-based) at which blocks are unfrozen. */
  readonly start: number;
  /** Epochs between unfreezings. */
  readonly every: number;
  /** Blocks unfrozen each time. */
  readonly perStep: number;
  private readonly params: Parameter[][];

  /** Throws a TensorError on an unknown block path or a start/every/perStep that is not an integer >= 1. */
  constructor(
    /** The model whose blocks' requiresGrad the schedule sets. */
    readonly model: Module,
    opts: GradualUnfreezingOptions = {},
  ) {
    if (opts === null || typeof opts !== 'object') throw new TensorError('GradualUnfreezing: options must be an object');
    this.start = checkInt('start', opts.start ?? 2, 1);
    this.every = checkInt('every', opts.every ?? 1, 1);
    this.perStep = checkInt('perStep', opts.perStep ?? 1, 1);
    const blocks = opts.blocks ?? frozenBlocks(model);
    if (!Array.isArray(blocks)) throw new TensorError('GradualUnfreezing: blocks must be an array of module paths');
    const modules = new Map(model.namedModules());
    this.params = blocks.map((path) => {
      const m = typeof path === 'string' ? modules.get(path) : undefined;
      if (!m) {
        const known = [...modules.keys()].filter((k) => k);
        throw new TensorError(`GradualUnfreezing: ${model.constructor.name} has no module ${JSON.stringify(path)} (module paths: ${known.slice(0, 60).join(', ')}${known.length > 60 ? ', ...' : ''})`);
      }
      return m.parameters();
    });
    this.blocks = [...blocks];
  }

  /**
   * How many blocks (counted from the top) are trainable during `epoch` (0 before `start`).
   * @example unfreezing.unfrozenAt(3)   // start 2, every 1, perStep 1: 2
   */
  unfrozenAt(epoch: number): number {
    if (epoch < this.start) return 0;
    return Math.min(this.blocks.length, (Math.floor((epoch - this.start) / this.every) + 1) * this.perStep);
  }

  /** The first epoch in which every block is trainable (`start` when there are no blocks). */
  get lastUnfreezeEpoch(): number {
    if (!this.blocks.length) return this.start;
    return this.start + (Math.ceil(this.blocks.length / this.perStep) - 1) * this.every;
  }

  /**
   * Sets the blocks' requiresGrad for `epoch` (the top unfrozenAt(epoch)
   * trainable, the rest frozen); returns the paths unfrozen by this call,
   * top first (empty when nothing changed). Use as fit's onEpochStart.
   * Frozen blocks' gradients are cleared. Throws unless epoch is an integer >= 1.
   * @example const newly = unfreezing.onEpochStart(2);   // e.g. ['features.3']
   */
  onEpochStart(epoch: number): string[] {
    checkInt('epoch', epoch, 1);
    const n = this.unfrozenAt(epoch);
    const newly: string[] = [];
    for (let i = this.blocks.length - 1; i >= 0; i--) {
      const trainable = i >= this.blocks.length - n;
      const ps = this.params[i]!;
      if (trainable && ps.some((p) => !p.requiresGrad)) newly.push(this.blocks[i]!);
      for (const p of ps) {
        p.requiresGrad = trainable;
        if (!trainable) p.grad = null;
      }
    }
    return newly;
  }
}
