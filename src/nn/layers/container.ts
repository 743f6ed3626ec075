import { Module } from '../module.js';
import { TensorError } from '../../core/errors.js';
import type { Tensor } from '../../tensor/tensor.js';
import { flatten } from '../../ops/movement.js';
import { runModules } from '../fusion.js';
import { checkArgs, describeArg, positionalOptions } from '../../tensor/args.js';

/**
 * Runs modules in order; children are named '0', '1', ... (PyTorch's keys).
 * @example new tg.nn.Sequential(new tg.nn.Linear(4, 8), new tg.nn.ReLU(), new tg.nn.Linear(8, 2))
 */
export class Sequential extends Module {
  private _layers: Module[];

  constructor(...layers: Module[]) {
    super();
    layers.forEach((m, i) => {
      if (!(m instanceof Module)) throw new TensorError(`Sequential: argument ${i} is not a Module (got ${describeArg(m)})`);
    });
    this._layers = layers;
  }

  override namedChildren(): [string, Module][] {
    return this._layers.map((m, i) => [String(i), m]);
  }

  /** The number of layers. */
  get length(): number { return this._layers.length; }
  /** The i-th layer (negative counts from the end); out of range is a TensorError. */
  at(i: number): Module {
    const m = this._layers[i < 0 ? this._layers.length + i : i];
    if (!m) throw new TensorError(`Sequential: index ${i} is out of range for ${this._layers.length} layers`);
    return m;
  }
  /**
   * Adds `m` as the last layer (child name = its index); returns this.
   * @example new tg.nn.Sequential(new tg.nn.Linear(4, 8)).append(new tg.nn.ReLU())
   */
  append(m: Module): this {
    if (!(m instanceof Module)) throw new TensorError(`Sequential: append expects a Module, got ${describeArg(m)}`);
    this._layers.push(m);
    return this;
  }
  /** Replaces the i-th layer (negative counts from the end), as PyTorch's `seq[i] = m` (e.g. a new classifier head). */
  set(i: number, m: Module): this {
    this.at(i);
    if (!(m instanceof Module)) throw new TensorError(`Sequential: set expects a Module, got ${describeArg(m)}`);
    this._layers[i < 0 ? this._layers.length + i : i] = m;
    return this;
  }
  /** Iterates over the layers in order (`for (const layer of seq)`). */
  [Symbol.iterator](): Iterator<Module> { return this._layers[Symbol.iterator](); }

  /**
   * Runs the layers in order. A run Conv -> ReLU (-> MaxPool2d(2)) in which
   * no layer has a forward hook or its own forward is computed by one fused
   * kernel, with the same result (see nn/fusion.ts); hooked layers run one by one.
   * Shape: the first layer's input -> the last layer's output (the input itself when empty).
   * @example new tg.nn.Sequential(new tg.nn.Linear(4, 8), new tg.nn.ReLU()).forward(tg.randn([2, 4])) // [2, 8]
   */
  forward(x: Tensor): Tensor {
    return runModules(this._layers, x);
  }
}

/**
 * A list of modules registered as children '0', '1', ... (no forward of its own), as
 * torch.nn.ModuleList: their parameters belong to the owner, which calls them itself.
 * @example new tg.nn.ModuleList([new tg.nn.Linear(4, 4), new tg.nn.Linear(4, 4)])
 */
export class ModuleList extends Module {
  private _items: Module[];
  constructor(modules: Module[] = []) {
    super();
    checkArgs('ModuleList', arguments, { modules: 'any' });
    if (!Array.isArray(modules)) throw new TensorError(`ModuleList: modules must be an array of Modules, got ${describeArg(modules)}`);
    modules.forEach((m, i) => {
      if (!(m instanceof Module)) throw new TensorError(`ModuleList: element ${i} is not a Module (got ${describeArg(m)})`);
    });
    this._items = [...modules];
  }
  override namedChildren(): [string, Module][] {
    return this._items.map((m, i) => [String(i), m]);
  }
  /** The number of modules. */
  get length(): number { return this._items.length; }
  /**
   * The i-th module (negative counts from the end); out of range is a TensorError.
   * @example new tg.nn.ModuleList([new tg.nn.ReLU(), new tg.nn.Tanh()]).at(-1) // the Tanh
   */
  at(i: number): Module {
    const m = this._items[i < 0 ? this._items.length + i : i];
    if (!m) throw new TensorError(`ModuleList: index ${i} is out of range for ${this._items.length} modules`);
    return m;
  }
  /**
   * Adds `m` at the end (child name = its index); returns this.
   * @example new tg.nn.ModuleList().append(new tg.nn.Linear(4, 4))
   */
  append(m: Module): this {
    if (!(m instanceof Module)) throw new TensorError(`ModuleList: append expects a Module, got ${describeArg(m)}`);
    this._items.push(m);
    return this;
  }
  /** Replaces the i-th module (negative counts from the end), as PyTorch's `list[i] = m`. */
  set(i: number, m: Module): this {
    this.at(i);
    if (!(m instanceof Module)) throw new TensorError(`ModuleList: set expects a Module, got ${describeArg(m)}`);
    this._items[i < 0 ? this._items.length + i : i] = m;
    return this;
  }
  /** Iterates over the modules in order (`for (const m of list)`). */
  [Symbol.iterator](): Iterator<Module> { return this._items[Symbol.iterator](); }
  /** Always throws a TensorError: a ModuleList only holds modules; iterate over them and call each. */
  forward(): never {
    throw new TensorError('ModuleList: has no forward; iterate over its modules');
  }
}

/**
 * Modules by name, in insertion order (no forward of its own), as torch.nn.ModuleDict; the
 * names are the children's state-dict keys. Takes an object or `[name, module]` pairs.
 * @example new tg.nn.ModuleDict({ encoder: new tg.nn.Linear(8, 4), decoder: new tg.nn.Linear(4, 8) })
 */
export class ModuleDict extends Module {
  private _items = new Map<string, Module>();
  constructor(modules: Record<string, Module> | [string, Module][] = {}) {
    super();
    checkArgs('ModuleDict', arguments, { modules: 'any' });
    if (modules === null || typeof modules !== 'object' || modules instanceof Module) {
      throw new TensorError(`ModuleDict: modules must be an object or an array of [name, Module] pairs, got ${describeArg(modules)}`);
    }
    for (const [k, m] of Array.isArray(modules) ? modules : Object.entries(modules)) this.set(k, m);
  }
  override namedChildren(): [string, Module][] {
    return [...this._items];
  }
  /**
   * The module named `key`; a missing name is a TensorError listing the names.
   * @example new tg.nn.ModuleDict({ act: new tg.nn.ReLU() }).get('act')
   */
  get(key: string): Module {
    const m = this._items.get(key);
    if (!m) throw new TensorError(`ModuleDict: no module named '${key}' (have: ${[...this._items.keys()].join(', ')})`);
    return m;
  }
  /**
   * Adds or replaces the module named `key` (non-empty, no dots); returns this.
   * @example new tg.nn.ModuleDict().set('head', new tg.nn.Linear(8, 2))
   */
  set(key: string, m: Module): this {
    if (!(m instanceof Module)) throw new TensorError(`ModuleDict: '${String(key)}' is not a Module (got ${describeArg(m)})`);
    if (typeof key !== 'string' || key.includes('.') || !key) throw new TensorError(`ModuleDict: invalid key '${key}' (no dots, not empty)`);
    this._items.set(key, m);
    return this;
  }
  /** Whether a module named `key` is held. */
  has(key: string): boolean { return this._items.has(key); }
  /** The names, in insertion order. */
  keys(): string[] { return [...this._items.keys()]; }
  /** Always throws a TensorError: a ModuleDict only holds modules; call them by name. */
  forward(): never {
    throw new TensorError('ModuleDict: has no forward; call its modules');
  }
}

/**
 * Returns its input unchanged, as torch.nn.Identity: a placeholder, e.g. to remove a head.
 * @example new tg.nn.Identity()
 */
export class Identity extends Module {
  /** Returns `x` itself (the same tensor). `[*] -> [*]`. @example new tg.nn.Identity().forward(tg.randn([2, 3])) */
  forward(x: Tensor): Tensor { return x; }
}

/**
 * Flattens dims startDim..endDim (default 1..-1, keeping the batch dim), as torch.nn.Flatten.
 * Shape: `[N, *rest]` -> `[N, prod(rest)]` with the defaults.
 * @example new tg.nn.Flatten() // [N, 16, 4, 4] -> [N, 256]
 */
export class Flatten extends Module {
  /** First dim to flatten (negative counts from the end). Default 1. */
  readonly startDim: number;
  /** Last dim to flatten, inclusive (negative counts from the end). Default -1. */
  readonly endDim: number;
  /** `new nn.Flatten(0)`, `new nn.Flatten(1, 2)` or `new nn.Flatten({ startDim: 0 })`. */
  constructor(...args: [startDim?: number | { startDim?: number; endDim?: number }, endDim?: number]) {
    super();
    const o = positionalOptions('Flatten', args, ['startDim', 'endDim'], ['startDim', 'endDim']);
    checkArgs('Flatten', [o.startDim, o.endDim], { startDim: 'dim?', endDim: 'dim?' });
    this.startDim = (o.startDim ?? 1) as number;
    this.endDim = (o.endDim ?? -1) as number;
  }
  /**
   * Merges dims startDim..endDim into one. `[*a, d_s, ..., d_e, *b] -> [*a, d_s * ... * d_e, *b]`.
   * @example new tg.nn.Flatten().forward(tg.randn([2, 16, 4, 4])) // [2, 256]
   */
  forward(x: Tensor): Tensor { return flatten(x, this.startDim, this.endDim); }
  override extraRepr(): string { return `startDim=${this.startDim}, endDim=${this.endDim}`; }
}

/**
 * A residual block y = F(x) + shortcut(x), where shortcut is the identity or a
 * projection (e.g. a 1x1 conv + batch norm when shapes change), and an optional
 * activation applied after the sum (ResNet's post-activation).
 * @example
 * const conv = () => new tg.nn.Conv2d(16, 16, 3, { padding: 1, bias: false });
 * new tg.nn.Residual(new tg.nn.Sequential(conv(), new tg.nn.BatchNorm2d(16), new tg.nn.ReLU(), conv(), new tg.nn.BatchNorm2d(16)), { activation: new tg.nn.ReLU() })
 */
export class Residual extends Module {
  /** The residual branch F. */
  body: Module;
  /** The projection applied to x before the sum; null for the identity. */
  shortcut: Module | null;
  /** Applied to the sum; null for none. */
  activation: Module | null;
  constructor(body: Module, opts: { shortcut?: Module | null; activation?: Module | null } = {}) {
    super();
    checkArgs('Residual', arguments, { body: 'any', opts: ['shortcut', 'activation'] });
    for (const [name, m] of [['body', body], ['shortcut', opts.shortcut], ['activation', opts.activation]] as const) {
      if (m != null && !(m instanceof Module)) throw new TensorError(`Residual: ${name} must be a Module, got ${describeArg(m)}`);
    }
    if (!(body instanceof Module)) throw new TensorError('Residual: body (a Module) is required');
    this.body = body;
    this.shortcut = opts.shortcut ?? null;
    this.activation = opts.activation ?? null;
  }
  /**
   * Computes activation(body(x) + shortcut(x)). Shape: body's input -> body's output, which
   * must equal the shortcut's output shape (else a TensorError: add a projection shortcut).
   * @example new tg.nn.Residual(new tg.nn.Linear(4, 4), { activation: new tg.nn.ReLU() }).forward(tg.randn([2, 4]))
   */
  forward(x: Tensor): Tensor {
    const fx = this.body.forward(x);
    const sx = this.shortcut ? this.shortcut.forward(x) : x;
    if (fx.shape.join() !== sx.shape.join()) {
      throw new TensorError(`Residual: body output [${fx.shape}] and shortcut output [${sx.shape}] differ; add a projection shortcut`);
    }
    const y = fx.add(sx);
    return this.activation ? this.activation.forward(y) : y;
  }
}
