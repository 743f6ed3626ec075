/**
 * Per-group learning rates for fine-tuning: the new head learns at its own
 * rate, the pretrained body at a lower one (discriminative fine-tuning).
 */
import type { Module } from '../nn/module.js';
import type { Parameter } from '../nn/parameter.js';
import { TensorError } from '../core/errors.js';

/** Options of {@link paramGroupsFor}. */
export interface ParamGroupsForOptions {
  /** Module paths of the head (new layers), e.g. ['classifier.5'] or ['fc']. */
  head: readonly string[];
  /** Learning rate of the head's parameters, a finite number >= 0. */
  headLr: number;
  /** Learning rate of every other parameter (the pretrained body); 0 keeps it fixed. */
  bodyLr: number;
}

/** A parameter group as every optimizer's constructor takes it. */
export interface LrGroup {
  /** The group's parameters. */
  params: Parameter[];
  /** The group's learning rate (overrides the optimizer's default lr). */
  lr: number;
}

/**
 * Two parameter groups for an optimizer: the head's parameters with `headLr`
 * first (fit and the CLI report the first group's lr), then all the others
 * with `bodyLr`, frozen ones included, so that unfreezing them later
 * (GradualUnfreezing, `unfreeze`) needs no new optimizer. A group without
 * parameters is left out. Unknown head paths are a TensorError.
 * @example
 * const groups = tg.train.paramGroupsFor(model, { head: ['classifier.5'], headLr: 0.05, bodyLr: 0.005 });
 * const optimizer = new tg.optim.SGD(groups, { lr: 0.05, momentum: 0.9 });
 */
export function paramGroupsFor(model: Module, opts: ParamGroupsForOptions): LrGroup[] {
  if (opts === null || typeof opts !== 'object' || !Array.isArray(opts.head)) {
    throw new TensorError('paramGroupsFor: expected { head: [module paths], headLr, bodyLr }');
  }
  for (const k of ['headLr', 'bodyLr'] as const) {
    const v = opts[k];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new TensorError(`paramGroupsFor: ${k} must be a finite number >= 0 (got ${String(v)})`);
  }
  const modules = new Map(model.namedModules());
  const head = new Set<Parameter>();
  for (const path of opts.head) {
    const m = typeof path === 'string' ? modules.get(path) : undefined;
    if (!m) {
      const known = [...modules.keys()].filter((k) => k);
      throw new TensorError(`paramGroupsFor: ${model.constructor.name} has no module ${JSON.stringify(path)} (module paths: ${known.slice(0, 60).join(', ')}${known.length > 60 ? ', ...' : ''})`);
    }
    for (const p of m.parameters()) head.add(p);
  }
  const body = model.parameters().filter((p) => !head.has(p));
  const groups: LrGroup[] = [{ params: [...head], lr: opts.headLr }, { params: body, lr: opts.bodyLr }];
  return groups.filter((g) => g.params.length > 0);
}
