import { Tensor } from '../tensor/tensor.js';
import { TensorError, fmtShape } from '../core/errors.js';
import { noGrad } from '../tensor/graph.js';
import { Parameter } from './parameter.js';
import { isFloating, type DType } from '../core/dtype.js';
import { describeArg } from '../tensor/args.js';

/** Stops training `p`: no gradient from now on, and none left over that an optimizer step would apply. */
function freezeParameter(p: Parameter): void {
  p.requiresGrad = false;
  p.grad = null;
}

/** A flat map of dotted names to tensors, as PyTorch's state_dict. */
export type StateDict = Record<string, Tensor>;

/** What {@link Module.loadStateDict} returns (PyTorch's `_IncompatibleKeys`). */
export interface LoadResult {
  /** Keys the module has that the state dict did not supply (left unchanged; empty under `strict`). */
  missingKeys: string[];
  /** Keys of the state dict that the module does not have (ignored; empty under `strict`). */
  unexpectedKeys: string[];
}

/** Called after forward with (module, inputs, output); may return a replacement output. */
export type ForwardHook = (module: Module, inputs: unknown[], output: unknown) => unknown;

/** Removes a hook when called (`handle.remove()`). */
export interface HookHandle {
  /**
   * Unregisters the hook; calling it again does nothing.
   * @example const h = new tg.nn.ReLU().registerForwardHook(() => undefined); h.remove();
   */
  remove(): void;
}

let nextHookId = 0;

/**
 * Per instance, the forward wrapper installed by Module's constructor and the
 * prototype forward it calls: how `runsStockForward` tells that nothing (a
 * subclass, an assignment to `m.forward`) replaced a layer's own forward.
 */
const wrappedForwards = new WeakMap<object, { wrapper: (...a: unknown[]) => unknown; inner: unknown }>();

/**
 * Whether `m.forward(x)` would do exactly `stock.call(m, x)`: no forward hook
 * would run (so none can miss an intermediate output), and neither a
 * subclass nor an assignment to `m.forward` replaced `stock`. Only then may a
 * container compute m together with its neighbours in one fused kernel
 * (nn/fusion.ts). Internal: not exported by tg.nn.
 * @example runsStockForward(conv, ConvNd.prototype.forward) // false once conv.registerForwardHook(h)
 */
export function runsStockForward(m: Module, stock: (...a: never[]) => unknown): boolean {
  const w = wrappedForwards.get(m);
  return w !== undefined && w.inner === stock && m.forward === w.wrapper && !m.hasForwardHooks();
}

/** The forward methods of tg.nn's own layers: they take exactly the parameters they declare. */
const strictForwards = new WeakSet<object>();

/**
 * Marks the `forward` of each Module class in `classes` (other values are
 * skipped) as strict: a call with more arguments than it declares throws a
 * TensorError naming the layer instead of silently ignoring the extras. Only
 * tg.nn's exported layers are marked (nn/index.ts); a user's forward may
 * take optional or rest parameters, which `Function.length` does not count.
 * Subclasses that do not override forward inherit the check.
 * @internal
 * @example markStrictForward([Linear, ReLU]); new Linear(4, 2).forward(x, 1) // throws
 */
export function markStrictForward(classes: Iterable<unknown>): void {
  for (const c of classes) {
    if (typeof c !== 'function' || !(c.prototype instanceof Module)) continue;
    const forward = (c.prototype as Module).forward;
    if (typeof forward === 'function' && forward.length > 0) strictForwards.add(forward);
  }
}

/**
 * Base class of every layer and model, as torch.nn.Module. Parameters and child
 * modules are discovered from the instance's own properties in assignment
 * order (properties whose names start with `_` are ignored); buffers (running
 * statistics) are registered with `registerBuffer`. State-dict keys are the
 * dotted property paths, so they match PyTorch's (`features.0.weight`).
 *
 * Call a module with `module.forward(x)`; forward hooks run around it.
 * @example
 * class Net extends tg.nn.Module {
 *   fc1 = new tg.nn.Linear(784, 128);
 *   fc2 = new tg.nn.Linear(128, 10);
 *   forward(x: tg.Tensor) { return this.fc2.forward(tg.F.relu(this.fc1.forward(x))); }
 * }
 * new Net().forward(tg.randn([32, 784])) // [32, 10]
 */
export abstract class Module {
  /** Training mode flag (affects dropout, batch norm). */
  training = true;
  private _buffers = new Map<string, Tensor | null>();
  private _nonPersistent = new Set<string>();
  private _forwardHooks = new Map<number, ForwardHook>();

  constructor() {
    // Wrap the subclass's forward (a prototype method) so hooks run however it is called.
    const forward = this.forward;
    const wrapper = (...args: unknown[]) => this._runForward(forward, args);
    wrappedForwards.set(this, { wrapper, inner: forward });
    Object.defineProperty(this, 'forward', { value: wrapper, enumerable: false, writable: true });
  }

  /**
   * The module's computation, defined by each subclass (layers document their shapes
   * there). Call it directly, `module.forward(x)`: forward hooks run after it, and
   * tg.nn's own layers throw a TensorError when given more arguments than they take.
   * @example new tg.nn.Linear(4, 2).forward(tg.randn([3, 4])) // [3, 2]
   */
  abstract forward(...args: any[]): any;

  private _runForward(forward: (...a: unknown[]) => unknown, args: unknown[]): unknown {
    if (args.length > forward.length && strictForwards.has(forward)) {
      let n = args.length;
      while (n > forward.length && args[n - 1] === undefined) n--; // trailing undefined is harmless
      if (n > forward.length) {
        const takes = forward.length === 1 ? '1 argument (the input)' : `${forward.length} arguments`;
        throw new TensorError(`${this.constructor.name}.forward: takes ${takes}, got ${n}; extra argument ${describeArg(args[forward.length])}`);
      }
    }
    let out = forward.apply(this, args);
    for (const hook of this._forwardHooks.values()) {
      const replaced = hook(this, args, out);
      if (replaced !== undefined) out = replaced;
    }
    return out;
  }

  // ---- registration ---------------------------------------------------------

  /**
   * Registers a buffer: state that is saved in the state dict (unless
   * `persistent` is false) but is not a parameter, e.g. running means.
   */
  registerBuffer(name: string, tensor: Tensor | null, persistent = true): void {
    if (name.includes('.') || !name) throw new TensorError(`registerBuffer: invalid buffer name '${name}'`);
    this._buffers.set(name, tensor);
    if (persistent) this._nonPersistent.delete(name);
    else this._nonPersistent.add(name);
  }

  /** Reads a registered buffer. */
  getBuffer(name: string): Tensor | null {
    if (!this._buffers.has(name)) throw new TensorError(`getBuffer: ${this.constructor.name} has no buffer '${name}'`);
    return this._buffers.get(name)!;
  }

  /** Replaces a registered buffer's tensor. */
  setBuffer(name: string, tensor: Tensor | null): void {
    if (!this._buffers.has(name)) throw new TensorError(`setBuffer: ${this.constructor.name} has no buffer '${name}'`);
    this._buffers.set(name, tensor);
  }

  /** Own parameters in property order (containers override the child listing, not this). */
  protected ownParameters(): [string, Parameter][] {
    return Object.entries(this).filter((e): e is [string, Parameter] => !e[0].startsWith('_') && e[1] instanceof Parameter);
  }

  /** Direct children in property order; containers override. */
  namedChildren(): [string, Module][] {
    return Object.entries(this).filter((e): e is [string, Module] => !e[0].startsWith('_') && e[1] instanceof Module);
  }

  /**
   * The direct child modules in property order (`namedChildren` without the names).
   * @example new tg.nn.Sequential(new tg.nn.Linear(4, 8), new tg.nn.ReLU()).children().length // 2
   */
  children(): Module[] {
    return this.namedChildren().map(([, m]) => m);
  }

  /** This module and all descendants, depth first, with dotted names ('' for this one). */
  namedModules(prefix = ''): [string, Module][] {
    const out: [string, Module][] = [[prefix, this]];
    for (const [name, child] of this.namedChildren()) out.push(...child.namedModules(prefix ? `${prefix}.${name}` : name));
    return out;
  }

  /**
   * This module and all its descendants, depth first (`namedModules` without the names).
   * @example new tg.nn.Sequential(new tg.nn.Conv2d(1, 4, 3), new tg.nn.ReLU()).modules().length // 3: itself and both layers
   */
  modules(): Module[] {
    return this.namedModules().map(([, m]) => m);
  }

  /**
   * The descendant at a dotted path of `namedModules()` ('' is this module), as
   * PyTorch's `get_submodule`; an unknown path throws a TensorError listing the paths.
   * @example tg.models.lenet5().getSubmodule('features.0') // the first Conv2d
   */
  getSubmodule(path: string): Module {
    const modules = this.namedModules();
    return modules[this.moduleIndex('getSubmodule', path, modules)]![1];
  }

  /** All parameters with dotted names; a parameter shared by two modules is listed once. */
  namedParameters(): [string, Parameter][] {
    const seen = new Set<Parameter>();
    const out: [string, Parameter][] = [];
    for (const [prefix, m] of this.namedModules()) {
      for (const [name, p] of m.ownParameters()) {
        if (seen.has(p)) continue;
        seen.add(p);
        out.push([prefix ? `${prefix}.${name}` : name, p]);
      }
    }
    return out;
  }

  /**
   * All parameters of this module and its descendants, each once, in registration order
   * (`namedParameters` without the names): what an optimizer takes.
   * @example new tg.optim.SGD(new tg.nn.Linear(4, 2).parameters(), { lr: 0.1 }) // weight and bias
   */
  parameters(): Parameter[] {
    return this.namedParameters().map(([, p]) => p);
  }

  /** All registered buffers (null ones skipped) with dotted names. */
  namedBuffers(): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [prefix, m] of this.namedModules()) {
      for (const [name, b] of m._buffers) if (b) out.push([prefix ? `${prefix}.${name}` : name, b]);
    }
    return out;
  }

  /**
   * All registered non-null buffers of this module and its descendants (`namedBuffers` without the names).
   * @example new tg.nn.BatchNorm1d(4).buffers().length // 3: running_mean, running_var, num_batches_tracked
   */
  buffers(): Tensor[] {
    return this.namedBuffers().map(([, b]) => b);
  }

  // ---- modes and utilities ------------------------------------------------------

  /** Sets training mode on this module and all descendants. */
  train(mode = true): this {
    for (const m of this.modules()) m.training = mode;
    return this;
  }

  /** Evaluation mode (dropout off, batch norm uses running statistics). */
  eval(): this {
    return this.train(false);
  }

  /** Turns gradient tracking of all parameters on or off (freezing). */
  requiresGrad_(requiresGrad = true): this {
    for (const p of this.parameters()) p.requiresGrad = requiresGrad;
    return this;
  }

  /**
   * Freezes the parameters of the modules at `paths` (dotted module paths as
   * in stateDict keys, e.g. 'features' or 'features.3'; '' is this module;
   * none: every parameter): sets their requiresGrad to false, so backward
   * leaves their grad null and optimizers skip them (no step, no weight
   * decay); a gradient left from before is cleared. As in PyTorch, freezing does not change the training flag:
   * a frozen BatchNorm in train mode still normalises with batch statistics
   * and updates its running statistics; call `.eval()` on it to fix them too.
   * An unknown path is a TensorError listing the module paths; nothing
   * changes then. Returns this.
   * @example const model = tg.models.lenet5(); model.freeze('features'); model.numParameters(true) // the classifier's only
   */
  freeze(paths?: string | readonly string[]): this {
    for (const p of this.parametersAt('freeze', paths)) freezeParameter(p);
    return this;
  }

  /**
   * Undoes `freeze` for the modules at `paths` (none: every parameter):
   * requiresGrad becomes true. Unknown paths are a TensorError. Returns this.
   * @example tg.models.lenet5().freeze().unfreeze('classifier')
   */
  unfreeze(paths?: string | readonly string[]): this {
    for (const p of this.parametersAt('unfreeze', paths)) p.requiresGrad = true;
    return this;
  }

  /**
   * Freezes every parameter registered up to and including the module at
   * `path`, in registration order (the order of namedParameters: everything
   * before `path` and `path`'s own subtree); later parameters are left as
   * they are. The usual "freeze the first layers" of transfer learning.
   * @example tg.models.lenet5().freezeUntil('features.3') // both convolutions frozen, the classifier trainable
   */
  freezeUntil(path: string): this {
    const modules = this.namedModules();
    const at = this.moduleIndex('freezeUntil', path, modules);
    let end = at;
    while (end + 1 < modules.length && (path === '' || modules[end + 1]![0].startsWith(`${path}.`))) end++;
    const frozen = new Set<Parameter>();
    for (let i = 0; i <= end; i++) for (const [, p] of modules[i]![1].ownParameters()) frozen.add(p);
    for (const p of frozen) freezeParameter(p);
    return this;
  }

  /** The position of `path` in namedModules(), or a TensorError naming it and listing the paths. */
  private moduleIndex(op: string, path: unknown, modules: [string, Module][]): number {
    if (typeof path !== 'string') throw new TensorError(`${op}: a module path must be a string (got ${describeArg(path)})`);
    const i = modules.findIndex(([name]) => name === path);
    if (i >= 0) return i;
    const names = modules.map(([name]) => name).filter((n) => n !== '');
    const shown = names.length > 60 ? `${names.slice(0, 60).join(', ')}, ... (${names.length - 60} more)` : names.join(', ');
    throw new TensorError(`${op}: ${this.constructor.name} has no module '${path}' (module paths: ${shown || 'none'})`);
  }

  /** The parameters of the modules at `paths` (all when undefined), every path checked first. */
  private parametersAt(op: string, paths: string | readonly string[] | undefined): Parameter[] {
    if (paths === undefined) return this.parameters();
    const list = typeof paths === 'string' ? [paths] : paths;
    if (!Array.isArray(list)) throw new TensorError(`${op}: paths must be a module path or an array of them (got ${describeArg(paths)})`);
    const modules = this.namedModules();
    const picked = list.map((path) => modules[this.moduleIndex(op, path, modules)]![1]);
    return picked.flatMap((m) => m.parameters());
  }

  /**
   * Casts floating parameters and buffers to `dtype` (PyTorch's
   * `module.to(dtype)`); integer buffers such as step counters keep their type.
   * Parameters are replaced by cast copies, so build optimizers after calling it.
   * @example new tg.nn.Linear(4, 2).to('float64')
   */
  to(dtype: DType): this {
    if (!isFloating(dtype)) throw new TensorError(`Module.to: only floating dtypes are allowed (got ${dtype})`);
    for (const m of this.modules()) {
      for (const [name, p] of m.ownParameters()) {
        if (isFloating(p.dtype) && p.dtype !== dtype) (m as unknown as Record<string, Parameter>)[name] = new Parameter(p.to(dtype), p.requiresGrad);
      }
      for (const [name, b] of m._buffers) {
        if (b && isFloating(b.dtype) && b.dtype !== dtype) m._buffers.set(name, b.to(dtype));
      }
    }
    return this;
  }

  /** Shorthand for `to('float64')`. */
  double(): this {
    return this.to('float64');
  }

  /** Shorthand for `to('float32')`. */
  float(): this {
    return this.to('float32');
  }

  /** Clears the gradients of all parameters. */
  zeroGrad(): void {
    for (const p of this.parameters()) p.grad = null;
  }

  /** Calls fn on every descendant (children first) and on this module, as PyTorch's apply. */
  apply(fn: (m: Module) => void): this {
    for (const child of this.children()) child.apply(fn);
    fn(this);
    return this;
  }

  /** Whether forward hooks are registered (containers fuse layers only where none would be skipped, see runsStockForward). */
  hasForwardHooks(): boolean {
    return this._forwardHooks.size > 0;
  }

  /**
   * Registers a forward hook; returns a handle whose remove() unregisters it.
   * A hooked layer is never fused with its neighbours (nn/fusion.ts), so the
   * hook sees the layer's own output, the same numbers as without hooks.
   * @example
   * const model = tg.models.lenet5(); let acts: unknown;
   * const h = model.features.at(0).registerForwardHook((m, inputs, out) => { acts = out; });
   * model.forward(tg.randn([1, 1, 28, 28])); h.remove(); // acts: the first conv's output [1, 6, 28, 28]
   */
  registerForwardHook(hook: ForwardHook): HookHandle {
    const id = nextHookId++;
    this._forwardHooks.set(id, hook);
    return { remove: () => void this._forwardHooks.delete(id) };
  }

  /** Total number of parameter elements (optionally only trainable ones). */
  numParameters(onlyTrainable = false): number {
    return this.parameters().filter((p) => !onlyTrainable || p.requiresGrad).reduce((n, p) => n + p.numel(), 0);
  }

  // ---- state dict ---------------------------------------------------------------

  /** Parameters and persistent buffers by dotted name (tensors share storage with the module). */
  stateDict(): StateDict {
    const sd: StateDict = {};
    for (const [prefix, m] of this.namedModules()) {
      const key = (n: string) => (prefix ? `${prefix}.${n}` : n);
      for (const [name, p] of m.ownParameters()) sd[key(name)] = p.detach();
      for (const [name, b] of m._buffers) if (b && !m._nonPersistent.has(name)) sd[key(name)] = b;
    }
    return sd;
  }

  /**
   * Copies values from `stateDict` into parameters and buffers. With `strict`
   * (default) any missing or unexpected key is an error; a shape mismatch is
   * always an error. Returns the missing and unexpected keys.
   */
  loadStateDict(stateDict: StateDict, opts: { strict?: boolean } = {}): LoadResult {
    const strict = opts.strict ?? true;
    const own = this.stateDict();
    const targets = new Map<string, Tensor>();
    for (const [prefix, m] of this.namedModules()) {
      const key = (n: string) => (prefix ? `${prefix}.${n}` : n);
      for (const [name, p] of m.ownParameters()) targets.set(key(name), p);
      for (const [name, b] of m._buffers) if (b && !m._nonPersistent.has(name)) targets.set(key(name), b);
    }
    const missingKeys = Object.keys(own).filter((k) => !(k in stateDict));
    const unexpectedKeys = Object.keys(stateDict).filter((k) => !(k in own));
    const mismatches: string[] = [];
    for (const [k, src] of Object.entries(stateDict)) {
      const dst = targets.get(k);
      if (dst && dst.shape.join() !== src.shape.join()) {
        mismatches.push(`${k}: checkpoint has shape ${fmtShape(src.shape)}, model has ${fmtShape(dst.shape)}`);
      }
    }
    const problems: string[] = [];
    if (mismatches.length) problems.push(`size mismatch for ${mismatches.join('; ')}`);
    if (strict && missingKeys.length) problems.push(`missing keys: ${missingKeys.join(', ')}`);
    if (strict && unexpectedKeys.length) problems.push(`unexpected keys: ${unexpectedKeys.join(', ')}`);
    if (problems.length) throw new TensorError(`loadStateDict: error(s) loading state dict into ${this.constructor.name}: ${problems.join('. ')}`);
    noGrad(() => {
      for (const [k, src] of Object.entries(stateDict)) {
        const dst = targets.get(k);
        if (!dst) continue;
        dst.copy_(src);
      }
    });
    return { missingKeys, unexpectedKeys };
  }

  // ---- printing -----------------------------------------------------------------

  /** One-line description of this layer's configuration (shown in toString). */
  extraRepr(): string {
    return '';
  }

  /** A readable tree like PyTorch's repr. */
  toString(): string {
    const kids = this.namedChildren();
    const head = `${this.constructor.name}(${this.extraRepr()}`;
    if (!kids.length) return `${head})`;
    const lines = kids.map(([name, m]) => `  (${name}): ${m.toString().split('\n').join('\n  ')}`);
    return `${head}\n${lines.join('\n')}\n)`;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}
