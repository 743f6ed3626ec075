import { fusedKernels } from '../ops/fused.js';
import { noGrad } from '../tensor/graph.js';
import { TensorError } from '../core/errors.js';
import { Tensor } from '../tensor/tensor.js';
import { deferCheck, hostData } from '../tensor/deferred-checks.js';

/** Per-parameter optimizer state: tensors (moments) and numbers (step counts). */
export type ParamState = Record<string, Tensor | number>;

/** A group of parameters sharing hyperparameters; `options` start from the optimizer's defaults. */
export type ParamGroup<O> = O & {
  /** The parameters (leaf tensors) this group's hyperparameters apply to. */
  params: Tensor[];
  /** The group's lr when the optimizer was built (OneCycleLR sets it): the base lr of the schedulers. */
  initialLr?: number;
};

/** What the constructor accepts: a parameter list, or groups with their own overrides. */
export type ParamsArg<O> = Iterable<Tensor> | ({ params: Iterable<Tensor> } & Partial<O>)[];

/** Serializable optimizer state: parameters are referred to by their index across groups, as PyTorch. */
export interface OptimizerStateDict {
  /** Per-parameter state (moments as tensor copies, step counts), keyed by the parameter's index across all groups. */
  state: Record<number, ParamState>;
  /** Each group's hyperparameters, with `params` the indices of its parameters. */
  paramGroups: Record<string, unknown>[];
}

/**
 * Base of all optimizers, as torch.optim.Optimizer: `paramGroups` (each with its
 * own hyperparameters), per-parameter `state`, `zeroGrad()`, `step()`, and
 * `stateDict()`/`loadStateDict()` for exact resumption. Subclasses implement
 * `update`, the plain per-parameter rule, run under noGrad.
 * @example
 * const opt = new tg.optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
 * opt.zeroGrad(); loss.backward(); opt.step();
 */
export abstract class Optimizer<O extends {
  /** Learning rate: every optimizer's options have one. */
  lr: number;
}> {
  /** The parameter groups, each its parameters plus its own hyperparameters (change `lr` here to adjust it by hand). */
  readonly paramGroups: ParamGroup<O>[];
  /** Per-parameter state (moment buffers, step counts), created on a parameter's first step. */
  readonly state = new Map<Tensor, ParamState>();

  /** Throws a TensorError on an empty parameter list, a non-leaf tensor, a parameter in two groups or a bad hyperparameter. */
  constructor(
    /** The optimizer's name ('SGD', 'Adam', ...), used in error messages. */
    readonly name: string,
    params: ParamsArg<O>,
    /** The hyperparameters a group gets unless it overrides them. */
    readonly defaults: O,
  ) {
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

  /**
   * Performs one optimization step over every parameter that has a gradient (others are
   * skipped), in place and without recording autograd history; like torch's `optimizer.step()`.
   * @example loss.backward(); opt.step(); opt.zeroGrad();
   */
  step(): void {
    // A built-in update rule keeps no reference to the gradient, so reading it does not hand it
    // out (Tensor.grad): zeroGrad can then free it at once. An overridden rule gets it handed out.
    const keepsNoGrad = GRAD_SAFE_UPDATES.has(this.update);
    const updateAll = () => {
      for (const group of this.paramGroups) {
        for (const p of group.params) {
          const grad = keepsNoGrad ? p._gradRef() : p.grad;
          if (!grad) continue;
          let state = this.state.get(p);
          if (!state) this.state.set(p, (state = {}));
          this.update(p, grad, state, group);
        }
      }
    };
    // A built-in rule touches only its own parameter and state, so the backend may run the
    // whole step's fused updates as one parallel job (FusedKernels.updateBatch).
    const first = this.paramGroups[0]?.params[0];
    const batch = keepsNoGrad && first ? fusedKernels(first.backend)?.updateBatch : undefined;
    noGrad(() => (batch ? batch(updateAll) : updateAll()));
  }

  /**
   * Clears gradients, PyTorch's `zero_grad`. By default (`setToNone: true`,
   * PyTorch 2's default) each `.grad` becomes null; a gradient no one read is
   * freed at once (one that was read stays valid while referenced). With
   * `setToNone: false` each existing gradient is filled with zeros in place
   * (the same tensor; parameters without one keep null), so a parameter that
   * gets no gradient in the next backward is still stepped, with a zero
   * gradient (momentum and weight decay then move it), as in PyTorch. The next
   * backward adds into it out of place, as always: `.grad` then is a new tensor
   * (a zeroed gradient someone holds stays zero). It costs a fill per step and
   * saves nothing: the default frees unread gradients already.
   * @example opt.zeroGrad();                        // grads -> null
   * opt.zeroGrad({ setToNone: false });             // grads -> zeros (same tensors)
   */
  zeroGrad(opts: { setToNone?: boolean } = {}): void {
    const setToNone = opts?.setToNone ?? true;
    if (typeof setToNone !== 'boolean') throw new TensorError(`${this.name}.zeroGrad: setToNone must be true or false (got ${String(setToNone)})`);
    for (const g of this.paramGroups) {
      for (const p of g.params) {
        if (setToNone) p.grad = null;
        else {
          const grad = p._gradRef();
          if (grad) noGrad(() => grad.zero_());
        }
      }
    }
  }

  /** Throws a TensorError naming this optimizer unless `ok`. */
  protected require(ok: boolean, what: string): void {
    if (!ok) throw new TensorError(`${this.name}: ${what}`);
  }

  private allParams(): Tensor[] {
    return this.paramGroups.flatMap((g) => g.params);
  }

  /**
   * Hyperparameters and state, with parameters referred to by index (tensors are copies).
   * @example const saved = opt.stateDict();   // later: opt.loadStateDict(saved)
   */
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

  /**
   * Restores what stateDict() produced, for an optimizer built over the same
   * parameters. Everything is validated before anything changes: group count
   * and sizes, each hyperparameter (known name, same type, finite, then the
   * constructor's checks), and per-parameter state (index in range, tensors
   * shaped like their parameter, floating point and finite; `step` a
   * non-negative integer; squared averages non-negative). On any error the
   * optimizer is left as it was.
   * @example opt.loadStateDict(saved)   // saved = other.stateDict()
   */
  loadStateDict(sd: OptimizerStateDict): void {
    const op = `${this.name}.loadStateDict`;
    if (!isRecord(sd) || !Array.isArray(sd.paramGroups) || !isRecord(sd.state)) {
      throw new TensorError(`${op}: expected {state, paramGroups}`);
    }
    if (sd.paramGroups.length !== this.paramGroups.length) {
      throw new TensorError(`${op}: state has ${sd.paramGroups.length} parameter groups but the optimizer has ${this.paramGroups.length}`);
    }
    const groupOpts = sd.paramGroups.map((g, i) => this.checkGroup(op, g, i));
    const params = this.allParams();
    const state = new Map<Tensor, ParamState>();
    for (const [k, s] of Object.entries(sd.state)) {
      const index = Number(k);
      const p = Number.isInteger(index) && String(index) === k ? params[index] : undefined;
      if (!p) throw new TensorError(`${op}: state refers to parameter ${JSON.stringify(k)}, which does not exist (the optimizer has ${params.length} parameters)`);
      if (!isRecord(s)) throw new TensorError(`${op}: state of parameter ${k} must be an object`);
      state.set(p, Object.fromEntries(Object.entries(s).map(([key, v]) => [key, checkStateValue(op, k, key, v, p)])));
    }
    // All checked: now apply.
    this.state.clear();
    for (const [p, s] of state) this.state.set(p, s);
    groupOpts.forEach((opts, i) => Object.assign(this.paramGroups[i]!, opts));
  }

  /** Validates saved group `i` against the live group; returns its hyperparameters (without params). */
  private checkGroup(op: string, g: unknown, i: number): Record<string, unknown> {
    const live = this.paramGroups[i]! as unknown as Record<string, unknown>;
    if (!isRecord(g) || !Array.isArray(g.params)) throw new TensorError(`${op}: parameter group ${i} must be an object with a params array`);
    const n = g.params.length;
    if (n !== this.paramGroups[i]!.params.length) {
      throw new TensorError(`${op}: group ${i} has ${n} parameters in the state but ${this.paramGroups[i]!.params.length} in the optimizer`);
    }
    if (!g.params.every((id) => Number.isSafeInteger(id) && (id as number) >= 0)) throw new TensorError(`${op}: group ${i} params must be parameter indices`);
    const opts: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(g)) {
      if (key === 'params') continue;
      const bad = (why: string) => new TensorError(`${op}: group ${i} ${key} ${why}`);
      if (!Object.hasOwn(live, key) || key === '__proto__') throw bad(`is not a hyperparameter of ${this.name} (known: ${Object.keys(live).filter((k) => k !== 'params').join(', ')})`);
      const want = live[key];
      if (Array.isArray(want)) {
        if (!Array.isArray(v) || v.length !== want.length || !v.every((x) => typeof x === 'number' && Number.isFinite(x))) {
          throw bad(`must be ${want.length} finite numbers (got ${preview(v)})`);
        }
        opts[key] = [...v];
      } else if (typeof want === 'number' || want === undefined) {
        if (typeof v !== 'number' || !Number.isFinite(v)) throw bad(`must be a finite number (got ${preview(v)})`);
        opts[key] = v;
      } else if (typeof v !== typeof want) {
        throw bad(`must be a ${typeof want} (got ${preview(v)})`);
      } else {
        opts[key] = v;
      }
    }
    // The constructor's own checks on the merged result (negative lr, betas outside [0, 1), ...).
    const merged = { ...live, ...opts } as unknown as O;
    try {
      this.validate(merged);
    } catch (e) {
      throw new TensorError(`${op}: group ${i}: ${(e as Error).message}`);
    }
    return opts;
  }
}

/**
 * The built-in update rules: each uses the gradient it is given only during
 * the call (reads, temporaries, in-place updates of its own state), never
 * keeping it or a view of it. See {@link gradSafeUpdate}.
 */
const GRAD_SAFE_UPDATES = new WeakSet<object>();

/**
 * Marks an optimizer class's `update` as keeping no reference to its `grad`
 * argument, so that `step()` need not hand the gradient out (Tensor.grad) and
 * zeroGrad can free it at once. For the library's own optimizers; a subclass
 * that overrides `update` is not marked (its gradients are simply left to the
 * garbage collector). @internal
 */
export function gradSafeUpdate(cls: { prototype: object }): void {
  GRAD_SAFE_UPDATES.add((cls.prototype as { update: object }).update);
}

/** Per-parameter state that holds squares or absolute values, hence never negative. */
const NON_NEGATIVE_STATE = new Set(['expAvgSq', 'maxExpAvgSq', 'squareAvg', 'sum', 'accDelta', 'expInf']);

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Tensor);

/** A short rendering of an untrusted value for an error message. */
function preview(v: unknown): string {
  if (v instanceof Tensor) return `a tensor ${JSON.stringify(v.shape)}`;
  const s = Array.isArray(v) && v.length > 8 ? `an array of ${v.length} items` : (JSON.stringify(v) ?? String(v));
  return s.length > 60 ? `${s.slice(0, 60)}...` : s;
}

/** Checks one saved per-parameter state value; returns what the optimizer keeps (tensors copied, in the parameter's dtype). */
function checkStateValue(op: string, index: string, key: string, v: unknown, p: Tensor): Tensor | number {
  const where = `${op}: state of parameter ${index}: ${key}`;
  if (key === '__proto__') throw new TensorError(`${where}: not a valid state name`);
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new TensorError(`${where} must be a finite number (got ${v})`);
    if (key === 'step' && !(Number.isSafeInteger(v) && v >= 0)) throw new TensorError(`${where} must be a non-negative integer (got ${v})`);
    return v;
  }
  if (!(v instanceof Tensor)) throw new TensorError(`${where} must be a tensor or a number (got ${preview(v)})`);
  if (v.shape.join() !== p.shape.join()) throw new TensorError(`${where} has shape ${JSON.stringify(v.shape)} but the parameter has shape ${JSON.stringify(p.shape)}`);
  if (v.dtype !== 'float32' && v.dtype !== 'float64') throw new TensorError(`${where} has dtype ${v.dtype} (expected floating point, like the parameter's ${p.dtype})`);
  const nonNeg = NON_NEGATIVE_STATE.has(key);
  const data = hostData(v);
  if (!data) {
    // State computed on a GPU: checked there, reported at the next asynchronous read (deferred-checks.ts).
    const bad = nonNeg ? v.isfinite().logicalNot().logicalOr(v.lt(0)) : v.isfinite().logicalNot();
    deferCheck(bad.any(), `${where} holds a non-finite${nonNeg ? ' or negative' : ''} element (state must be finite${nonNeg ? ' and non-negative' : ''}; checked on the device, reported at this read)`);
    return v.clone().to(p.dtype);
  }
  for (let i = 0; i < data.length; i++) {
    const x = data[i]!;
    if (!Number.isFinite(x)) throw new TensorError(`${where} holds ${x} at element ${i} (state must be finite)`);
    if (nonNeg && x < 0) throw new TensorError(`${where} holds ${x} at element ${i} (a running average of squares cannot be negative)`);
  }
  return v.clone().to(p.dtype);
}

/** A state tensor, created as zeros like `p` on first use. */
export function stateTensor(state: ParamState, key: string, p: Tensor, init: () => Tensor): Tensor {
  let t = state[key];
  if (!(t instanceof Tensor)) state[key] = t = init();
  return t;
}

/**
 * The gradient an update rule steps along: `grad`, negated if `maximize`, plus
 * `weightDecay * p` (L2). With `decoupled` (AdamW, NAdamW, RAdamW) the decay is
 * instead applied to p in place, p *= 1 - lr weightDecay, and the gradient is
 * left alone.
 */
export function decayedGrad(p: Tensor, grad: Tensor, g: { lr: number; weightDecay: number; maximize: boolean }, decoupled = false): Tensor {
  const d = g.maximize ? grad.neg() : grad;
  if (!g.weightDecay) return d;
  if (!decoupled) return d.add(p, g.weightDecay);
  p.mul_(1 - g.lr * g.weightDecay);
  return d;
}
