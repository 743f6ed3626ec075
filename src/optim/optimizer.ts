import { noGrad } from '../autograd/engine.js';
import { TensorError } from '../tensor/errors.js';
import { Tensor } from '../tensor/tensor.js';

/** Per-parameter optimizer state: tensors (moments) and numbers (step counts). */
export type ParamState = Record<string, Tensor | number>;

/** A group of parameters sharing hyperparameters; `options` start from the optimizer's defaults. */
export type ParamGroup<O> = O & { params: Tensor[]; initialLr?: number };

/** What the constructor accepts: a parameter list, or groups with their own overrides. */
export type ParamsArg<O> = Iterable<Tensor> | ({ params: Iterable<Tensor> } & Partial<O>)[];

/** Serializable optimizer state: parameters are referred to by their index across groups, as PyTorch. */
export interface OptimizerStateDict {
  state: Record<number, ParamState>;
  paramGroups: Record<string, unknown>[];
}

/**
 * Base of all optimizers, as torch.optim.Optimizer: `paramGroups` (each with its
 * own hyperparameters), per-parameter `state`, `zeroGrad()`, `step()`, and
 * `stateDict()`/`loadStateDict()` for exact resumption. Subclasses implement
 * `update`, the plain per-parameter rule, run under noGrad.
 */
export abstract class Optimizer<O extends { lr: number }> {
  readonly paramGroups: ParamGroup<O>[];
  readonly state = new Map<Tensor, ParamState>();

  constructor(readonly name: string, params: ParamsArg<O>, readonly defaults: O) {
    this.validate(defaults);
    const list = [...(params as Iterable<unknown>)];
    if (!list.length) throw new TensorError(`${name}: got an empty parameter list`);
    const groups = list[0] instanceof Tensor ? [{ params: list as Tensor[] }] : (list as ({ params: Iterable<Tensor> } & Partial<O>)[]);
    const seen = new Set<Tensor>();
    this.paramGroups = groups.map((g, gi) => {
      const group = { ...defaults, ...g, params: [...g.params] } as ParamGroup<O>;
      this.validate(group);
      for (const p of group.params) {
        if (!(p instanceof Tensor)) throw new TensorError(`${name}: parameter group ${gi} contains something that is not a Tensor`);
        if (!p.isLeaf) throw new TensorError(`${name}: can only optimize leaf tensors (group ${gi} has a tensor computed by an op)`);
        if (seen.has(p)) throw new TensorError(`${name}: a parameter appears in more than one group`);
        seen.add(p);
      }
      group.initialLr = group.lr;
      return group;
    });
  }

  /** Checks hyperparameters; throws TensorError naming the optimizer and the value. */
  protected abstract validate(options: O): void;

  /** Updates one parameter in place from its gradient (called under noGrad). */
  protected abstract update(p: Tensor, grad: Tensor, state: ParamState, group: ParamGroup<O>): void;

  /** Performs one optimization step over every parameter that has a gradient. */
  step(): void {
    noGrad(() => {
      for (const group of this.paramGroups) {
        for (const p of group.params) {
          if (!p.grad) continue;
          let state = this.state.get(p);
          if (!state) this.state.set(p, (state = {}));
          this.update(p, p.grad, state, group);
        }
      }
    });
  }

  /** Clears gradients (sets them to null, PyTorch's default). */
  zeroGrad(): void {
    for (const g of this.paramGroups) for (const p of g.params) p.grad = null;
  }

  /** Throws a TensorError naming this optimizer unless `ok`. */
  protected require(ok: boolean, what: string): void {
    if (!ok) throw new TensorError(`${this.name}: ${what}`);
  }

  private allParams(): Tensor[] {
    return this.paramGroups.flatMap((g) => g.params);
  }

  /** Hyperparameters and state, with parameters referred to by index (tensors are copies). */
  stateDict(): OptimizerStateDict {
    const index = new Map(this.allParams().map((p, i) => [p, i]));
    const state: Record<number, ParamState> = {};
    for (const [p, s] of this.state) {
      state[index.get(p)!] = Object.fromEntries(Object.entries(s).map(([k, v]) => [k, v instanceof Tensor ? v.clone() : v]));
    }
    let offset = 0;
    const paramGroups = this.paramGroups.map((g) => {
      const { params, ...opts } = g;
      const ids = params.map((_, i) => offset + i);
      offset += params.length;
      return { ...opts, params: ids };
    });
    return { state, paramGroups };
  }

  /** Restores what stateDict() produced, for an optimizer built over the same parameters. */
  loadStateDict(sd: OptimizerStateDict): void {
    if (!sd || !Array.isArray(sd.paramGroups) || typeof sd.state !== 'object') {
      throw new TensorError(`${this.name}.loadStateDict: expected {state, paramGroups}`);
    }
    if (sd.paramGroups.length !== this.paramGroups.length) {
      throw new TensorError(`${this.name}.loadStateDict: state has ${sd.paramGroups.length} parameter groups but the optimizer has ${this.paramGroups.length}`);
    }
    sd.paramGroups.forEach((g, i) => {
      const n = (g.params as unknown[]).length;
      if (n !== this.paramGroups[i]!.params.length) {
        throw new TensorError(`${this.name}.loadStateDict: group ${i} has ${n} parameters in the state but ${this.paramGroups[i]!.params.length} in the optimizer`);
      }
    });
    const params = this.allParams();
    this.state.clear();
    for (const [k, s] of Object.entries(sd.state)) {
      const p = params[Number(k)];
      if (!p) throw new TensorError(`${this.name}.loadStateDict: state refers to parameter ${k}, which does not exist`);
      this.state.set(p, Object.fromEntries(Object.entries(s).map(([key, v]) => [key, v instanceof Tensor ? v.clone().to(p.dtype) : v])));
    }
    sd.paramGroups.forEach((g, i) => {
      const { params: _ids, ...opts } = g;
      Object.assign(this.paramGroups[i]!, opts);
    });
  }
}

/** A state tensor, created as zeros like `p` on first use. */
export function stateTensor(state: ParamState, key: string, p: Tensor, init: () => Tensor): Tensor {
  let t = state[key];
  if (!(t instanceof Tensor)) state[key] = t = init();
  return t;
}
