import type { Backend, Layout, Storage } from '../backend/backend.js';
import type { DType, TypedArray } from '../core/dtype.js';
import { isFloating } from '../core/dtype.js';
import { TensorError, fmtShape } from '../core/errors.js';
import { contiguousStrides, isContiguous, normalizeDim, numel } from '../core/shape.js';
import { backwardRunnerOrThrow, type GradNode, type BackwardOptions } from './graph.js';
import { formatTensor } from './print.js';
import { pendingCheckCount, verifyPendingChecks } from './deferred-checks.js';

/** A tensor or a plain number where ops accept either (`x.add(1)`). */
export type TensorLike = Tensor | number | boolean;

/** Nested JS arrays as produced by `toArray()`. */
export type NestedArray = number | boolean | NestedArray[];

/**
 * An N-dimensional array with reverse-mode autodiff. Elements live in a
 * backend-owned Storage; `shape`, `strides` and `offset` say where, so views
 * (reshape, transpose, expand, narrow, flip) share storage without copying.
 * Create tensors with `tg.tensor`, `tg.zeros`, `tg.randn`, ...
 * @example
 * const x = tg.tensor([[1, 2], [3, 4]], { requiresGrad: true });
 * x.mul(x).sum().backward();   // x.grad = 2x
 */
export class Tensor {
  private _grad: Tensor | null = null;
  /**
   * True while `_grad` was stored by the backward engine and has never been
   * handed out (read through `grad`, or given to code that may keep it): then
   * nothing but this tensor can reference it or its storage, and replacing
   * it (zeroGrad, `grad = null`) gives its memory back at once instead of
   * leaving it to the garbage collector (a forced full GC on the wasm backend).
   */
  private _gradPrivate = false;
  private _requiresGrad = false;
  /** The recorded op that produced this tensor (null for leaves). @internal */
  _node: GradNode | null = null;

  /** @internal Use the creation functions (`tg.tensor`, `tg.zeros`, ...). */
  constructor(
    /** @internal */ readonly _storage: Storage,
    /** Size of each dim, outermost first (`[N, C, H, W]`); `[]` for a 0-d tensor. Read-only. */
    readonly shape: readonly number[],
    /** Elements to step in storage per unit of each dim (row-major for contiguous tensors; 0 on broadcast dims, negative after flip). */
    readonly strides: readonly number[],
    /** Index in the storage of the first element (non-zero for views such as narrow and select). */
    readonly offset: number,
    /** Element type: 'float32', 'float64', 'int32' or 'bool'. */
    readonly dtype: DType,
  ) {}

  /** A fresh contiguous tensor over a whole storage. @internal */
  static _fromStorage(storage: Storage, shape: readonly number[], dtype: DType = storage.dtype): Tensor {
    return new Tensor(storage, shape, contiguousStrides(shape), 0, dtype);
  }

  /** @internal */
  _setNode(node: GradNode): void {
    this._node = node;
    this._requiresGrad = true;
  }

  // ---- metadata -----------------------------------------------------------

  /** The backend that owns this tensor's storage (where its ops run); see `tg.getBackend`. */
  get backend(): Backend { return this._storage.backend; }
  /** Shape, strides and offset together, as the backends' kernels take them. */
  get layout(): Layout { return { shape: this.shape, strides: this.strides, offset: this.offset }; }
  /** Number of dims (`shape.length`; 0 for a scalar). */
  get ndim(): number { return this.shape.length; }
  /**
   * Number of dims, as a method (PyTorch's `x.dim()`); same as `ndim`.
   * @example tg.zeros([2, 3]).dim() // 2
   */
  dim(): number { return this.shape.length; }
  /**
   * Number of elements: the product of the shape (1 for a 0-d tensor). Like torch.numel.
   * @example tg.zeros([2, 3]).numel() // 6
   */
  numel(): number { return numel(this.shape); }
  /** Size of one dim, or the whole shape. */
  size(): number[];
  size(dim: number): number;
  size(dim?: number): number | number[] {
    return dim === undefined ? [...this.shape] : this.shape[normalizeDim('size', dim, this.ndim)]!;
  }
  /**
   * A copy of the strides (elements per step of each dim), like PyTorch's `x.stride()`.
   * @example tg.zeros([2, 3]).stride() // [3, 1]
   */
  stride(): number[] { return [...this.strides]; }
  /**
   * Whether the elements are laid out row-major without gaps (as `contiguous()` makes them); false after
   * transpose or permute, for example. Like torch.Tensor.is_contiguous.
   * @example tg.zeros([2, 3]).t().isContiguous() // false
   */
  isContiguous(): boolean { return isContiguous(this.shape, this.strides); }
  /** True for tensors not produced by a recorded op. */
  get isLeaf(): boolean { return this._node === null; }
  /**
   * Whether the dtype is float32 or float64 (the dtypes that can require gradients). Like torch.is_floating_point.
   * @example tg.arange(3).isFloatingPoint() // false (int32)
   */
  isFloatingPoint(): boolean { return isFloating(this.dtype); }

  /**
   * Whether autograd tracks this tensor: set it on leaves (floating dtypes only) to get `.grad` after
   * `backward()`; results of recorded ops have it true. Setting false on a non-leaf throws (use detach).
   */
  get requiresGrad(): boolean { return this._requiresGrad; }
  /** Marks a leaf as tracked (or not) by autograd; throws a TensorError for non-floating dtypes or a non-leaf set to false. */
  set requiresGrad(v: boolean) {
    if (typeof v !== 'boolean') throw new TensorError(`requiresGrad: must be true or false (got ${typeof v === 'string' ? `'${v}'` : String(v)})`);
    if (!v && this._node) throw new TensorError('requiresGrad: cannot turn off requiresGrad on a non-leaf tensor; use detach()');
    if (v && !isFloating(this.dtype)) {
      throw new TensorError(`requiresGrad: only floating-point tensors can require gradients (got ${this.dtype})`);
    }
    this._requiresGrad = v;
  }
  /** Sets requiresGrad in place and returns this tensor (PyTorch's requires_grad_). */
  requiresGrad_(v = true): this {
    this.requiresGrad = v;
    return this;
  }

  // ---- autograd -----------------------------------------------------------

  /**
   * Backpropagates from this tensor. Scalars need no argument; other tensors need
   * `gradient` of the same shape. Gradients accumulate into leaves' `.grad`.
   */
  backward(gradient?: Tensor, opts: BackwardOptions = {}): void {
    if (!this.requiresGrad) {
      throw new TensorError('backward: tensor does not require grad and has no grad_fn (did you forget requiresGrad: true, or call it inside noGrad?)');
    }
    if (gradient != null && !(gradient instanceof Tensor)) {
      throw new TensorError(`backward: gradient must be a Tensor of shape ${fmtShape(this.shape)} (got ${Array.isArray(gradient) ? 'an array' : typeof gradient})`);
    }
    if (gradient == null && this.numel() !== 1) {
      throw new TensorError(`backward: grad can be implicitly created only for scalar outputs (got shape ${fmtShape(this.shape)}); pass a gradient tensor`);
    }
    if (gradient != null && gradient.shape.join() !== this.shape.join()) {
      throw new TensorError(`backward: gradient has shape ${fmtShape(gradient.shape)} but the tensor has shape ${fmtShape(this.shape)}`);
    }
    backwardRunnerOrThrow()(this, gradient ?? null, opts);
  }
  /** A view sharing storage, cut from the graph. */
  detach(): Tensor { return new Tensor(this._storage, this.shape, this.strides, this.offset, this.dtype); }
  /** Clears `.grad` (its memory is freed at once if no one read it). */
  zeroGrad(): void { this.grad = null; }

  /**
   * Gradient accumulated by `backward()` (leaves that require grad, and
   * tensors after `retainGrad()`); null before any. Replacing or clearing it
   * (`zeroGrad()`, `grad = null`) frees a gradient's memory at once when no
   * one ever read it; a gradient that was read stays valid as long as it is
   * referenced.
   * @example loss.backward(); const g = w.grad!; opt.zeroGrad(); g.data() // still its values
   */
  get grad(): Tensor | null {
    this._gradPrivate = false;
    return this._grad;
  }
  /** Replaces (or with null clears) the gradient, freeing the old one's memory if no one ever read it. */
  set grad(v: Tensor | null) {
    const old = this._grad;
    const release = this._gradPrivate && old !== null && old._storage !== v?._storage;
    this._grad = v;
    this._gradPrivate = false;
    if (release) old.backend.release(old._storage);
  }

  /** The gradient without handing it out (for library code that keeps no reference to it). @internal */
  _gradRef(): Tensor | null {
    return this._grad;
  }

  /**
   * Stores `g`, which nothing else references (the backward engine's fresh or
   * copied gradient), as the gradient; returns the previous gradient if it was
   * private too (unreferenced: the caller releases it when safe), else null. @internal
   */
  _storePrivateGrad(g: Tensor): Tensor | null {
    const old = this._gradPrivate && this._grad !== g ? this._grad : null;
    this._grad = g;
    this._gradPrivate = true;
    return old;
  }
  /**
   * Keeps this non-leaf tensor's gradient in `.grad` after backward (PyTorch's
   * retain_grad); a no-op on leaves. Call it before backward.
   * @example const x = tg.ones([2], { requiresGrad: true }); const h = x.mul(2); h.retainGrad(); h.sum().backward(); h.grad // ones
   */
  retainGrad(): void {
    if (!this.requiresGrad) throw new TensorError("retainGrad: can't retain the gradient of a tensor that does not require grad");
    if (this._node) this._node.retainedBy = this;
  }
  /** Whether backward stores this non-leaf tensor's gradient (after `retainGrad()`). */
  get retainsGrad(): boolean { return this._node?.retainedBy === this; }

  // ---- read-out -----------------------------------------------------------

  /**
   * Flat copy of the elements in row-major order (typed array of the dtype).
   * On a GPU backend it works only while the tensor is host-readable (see
   * `isHostReadable()`); otherwise use `await x.dataAsync()`.
   */
  data(): TypedArray { return this.backend.read(this._storage, this.layout); }
  /**
   * Whether `data()`, `item()` and `toArray()` can answer synchronously: always
   * on the CPU backends; on a GPU backend only for tensors made from JavaScript
   * values and not written on the device since.
   * @example const x = tg.ones([3]); const xs = x.isHostReadable() ? x.data() : await x.dataAsync();
   */
  isHostReadable(): boolean { return this.backend.canReadSync?.(this._storage) ?? true; }
  /**
   * Asynchronous flat copy; works on every backend, including GPU ones. It
   * first awaits the value checks that ops deferred on the device (see
   * deferred-checks.ts) and throws the first failing one's TensorError.
   */
  async dataAsync(): Promise<TypedArray> {
    if (pendingCheckCount()) await verifyPendingChecks();
    return this.backend.readAsync(this._storage, this.layout);
  }
  /** Nested JS arrays (booleans for bool tensors). */
  toArray(): NestedArray { return nest(this.data(), this.shape, this.dtype === 'bool'); }
  /** Async form of toArray(). */
  async array(): Promise<NestedArray> { return nest(await this.dataAsync(), this.shape, this.dtype === 'bool'); }
  /** The single value of a one-element tensor. */
  item(): number {
    this.checkItem('item');
    return this.data()[0]!;
  }
  /**
   * Async form of item(), for tensors computed on a GPU backend.
   * @example const loss = await tg.tensor([0.25]).itemAsync(); // 0.25
   */
  async itemAsync(): Promise<number> {
    this.checkItem('itemAsync');
    return (await this.dataAsync())[0]!;
  }
  private checkItem(op: string): void {
    if (this.numel() !== 1) throw new TensorError(`${op}: only one-element tensors can be converted to a number (got shape ${fmtShape(this.shape)})`);
  }
  /**
   * PyTorch-like text of the values with shape, dtype and requiresGrad:
   * `tensor([1., 2.], shape=[2], dtype=float32)`; elided past 1000 elements. Reads the data synchronously.
   * @example console.log(tg.tensor([1, 2]).toString())
   */
  toString(): string { return formatTensor(this); }
  [Symbol.for('nodejs.util.inspect.custom')](): string { return this.toString(); }

}


function nest(flat: TypedArray, shape: readonly number[], asBool: boolean): NestedArray {
  const conv = (v: number): number | boolean => (asBool ? v !== 0 : v);
  if (shape.length === 0) return conv(flat[0]!);
  const build = (dim: number, off: number): NestedArray => {
    const n = shape[dim]!;
    const inner = numel(shape.slice(dim + 1));
    const out: NestedArray[] = new Array(n);
    for (let i = 0; i < n; i++) out[i] = dim === shape.length - 1 ? conv(flat[off + i]!) : build(dim + 1, off + i * inner);
    return out;
  };
  return build(0, 0);
}
