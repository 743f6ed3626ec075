import type { Backend, Layout, Storage } from '../backend/backend.js';
import type { DType, TypedArray } from './dtype.js';
import { isFloating } from './dtype.js';
import { TensorError, fmtShape } from './errors.js';
import { contiguousStrides, isContiguous, normalizeDim, numel } from './shape.js';
import type { GradNode, BackwardOptions } from '../autograd/engine.js';
import { runBackward } from '../autograd/engine.js';
import { formatTensor } from './print.js';
import * as E from '../ops/elementwise.js';
import * as R from '../ops/reduce.js';
import * as M from '../ops/movement.js';
import * as A from '../ops/activation.js';
import * as L from '../ops/linalg.js';
import * as I from '../ops/indexing.js';
import * as P from '../ops/inplace.js';
import * as T from '../ops/transfer.js';

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
  /** Gradient accumulated by `backward()` (leaves that require grad only). */
  grad: Tensor | null = null;
  private _requiresGrad = false;
  /** The recorded op that produced this tensor (null for leaves). @internal */
  _node: GradNode | null = null;

  /** @internal Use the creation functions (`tg.tensor`, `tg.zeros`, ...). */
  constructor(
    /** @internal */ readonly _storage: Storage,
    readonly shape: readonly number[],
    readonly strides: readonly number[],
    readonly offset: number,
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

  get backend(): Backend { return this._storage.backend; }
  get layout(): Layout { return { shape: this.shape, strides: this.strides, offset: this.offset }; }
  get ndim(): number { return this.shape.length; }
  dim(): number { return this.shape.length; }
  numel(): number { return numel(this.shape); }
  /** Size of one dim, or the whole shape. */
  size(): number[];
  size(dim: number): number;
  size(dim?: number): number | number[] {
    return dim === undefined ? [...this.shape] : this.shape[normalizeDim('size', dim, this.ndim)]!;
  }
  stride(): number[] { return [...this.strides]; }
  isContiguous(): boolean { return isContiguous(this.shape, this.strides); }
  /** True for tensors not produced by a recorded op. */
  get isLeaf(): boolean { return this._node === null; }
  isFloatingPoint(): boolean { return isFloating(this.dtype); }

  get requiresGrad(): boolean { return this._requiresGrad; }
  set requiresGrad(v: boolean) {
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
    let seed = gradient;
    if (!seed) {
      if (this.numel() !== 1) {
        throw new TensorError(`backward: grad can be implicitly created only for scalar outputs (got shape ${fmtShape(this.shape)}); pass a gradient tensor`);
      }
      seed = E.onesOf(this.shape, this.dtype, this.backend);
    } else if (seed.shape.join() !== this.shape.join()) {
      throw new TensorError(`backward: gradient has shape ${fmtShape(seed.shape)} but the tensor has shape ${fmtShape(this.shape)}`);
    }
    runBackward(this, seed, opts);
  }
  /** A view sharing storage, cut from the graph. */
  detach(): Tensor { return new Tensor(this._storage, this.shape, this.strides, this.offset, this.dtype); }
  /** Clears `.grad`. */
  zeroGrad(): void { this.grad = null; }

  // ---- read-out -----------------------------------------------------------

  /** Flat copy of the elements in row-major order (typed array of the dtype). */
  data(): TypedArray { return this.backend.read(this._storage, this.layout); }
  /** Asynchronous flat copy; works on every backend, including GPU ones. */
  dataAsync(): Promise<TypedArray> { return this.backend.readAsync(this._storage, this.layout); }
  /** Nested JS arrays (booleans for bool tensors). */
  toArray(): NestedArray { return nest(this.data(), this.shape, this.dtype === 'bool'); }
  /** Async form of toArray(). */
  async array(): Promise<NestedArray> { return nest(await this.dataAsync(), this.shape, this.dtype === 'bool'); }
  /** The single value of a one-element tensor. */
  item(): number {
    if (this.numel() !== 1) throw new TensorError(`item: only one-element tensors can be converted to a number (got shape ${fmtShape(this.shape)})`);
    return this.data()[0]!;
  }
  toString(): string { return formatTensor(this); }
  [Symbol.for('nodejs.util.inspect.custom')](): string { return this.toString(); }

  // ---- dtype --------------------------------------------------------------

  /** A copy on another backend (this tensor if already there); differentiable. */
  toBackend(backend: Backend | string): Tensor { return T.toBackend(this, backend); }

  /** Cast to a dtype (returns this if already that dtype). */
  to(dtype: DType): Tensor { return E.cast(this, dtype); }
  float(): Tensor { return this.to('float32'); }
  double(): Tensor { return this.to('float64'); }
  int(): Tensor { return this.to('int32'); }
  bool(): Tensor { return this.to('bool'); }

  // ---- elementwise --------------------------------------------------------

  add(other: TensorLike, alpha?: number): Tensor { return E.add(this, other, alpha); }
  sub(other: TensorLike, alpha?: number): Tensor { return E.sub(this, other, alpha); }
  mul(other: TensorLike): Tensor { return E.mul(this, other); }
  div(other: TensorLike): Tensor { return E.div(this, other); }
  pow(exponent: TensorLike): Tensor { return E.pow(this, exponent); }
  maximum(other: TensorLike): Tensor { return E.maximum(this, other); }
  minimum(other: TensorLike): Tensor { return E.minimum(this, other); }
  neg(): Tensor { return E.neg(this); }
  abs(): Tensor { return E.abs(this); }
  sign(): Tensor { return E.sign(this); }
  exp(): Tensor { return E.exp(this); }
  expm1(): Tensor { return E.expm1(this); }
  log(): Tensor { return E.log(this); }
  log1p(): Tensor { return E.log1p(this); }
  sqrt(): Tensor { return E.sqrt(this); }
  rsqrt(): Tensor { return E.rsqrt(this); }
  reciprocal(): Tensor { return E.reciprocal(this); }
  square(): Tensor { return E.square(this); }
  sin(): Tensor { return E.sin(this); }
  cos(): Tensor { return E.cos(this); }
  erf(): Tensor { return E.erf(this); }
  floor(): Tensor { return E.floor(this); }
  ceil(): Tensor { return E.ceil(this); }
  round(): Tensor { return E.round(this); }
  clamp(min?: number | Tensor | null, max?: number | Tensor | null): Tensor { return E.clamp(this, min, max); }
  eq(other: TensorLike): Tensor { return E.eq(this, other); }
  ne(other: TensorLike): Tensor { return E.ne(this, other); }
  lt(other: TensorLike): Tensor { return E.lt(this, other); }
  le(other: TensorLike): Tensor { return E.le(this, other); }
  gt(other: TensorLike): Tensor { return E.gt(this, other); }
  ge(other: TensorLike): Tensor { return E.ge(this, other); }
  logicalNot(): Tensor { return E.logicalNot(this); }
  logicalAnd(other: TensorLike): Tensor { return E.logicalAnd(this, other); }
  logicalOr(other: TensorLike): Tensor { return E.logicalOr(this, other); }
  /** `cond ? this : other` (PyTorch's `x.where(cond, y)`). */
  where(condition: Tensor, other: TensorLike): Tensor { return E.where(condition, this, other); }
  /** Elementwise closeness, like torch.allclose. */
  allclose(other: Tensor, rtol = 1e-5, atol = 1e-8): boolean { return E.allclose(this, other, rtol, atol); }

  // ---- activations --------------------------------------------------------

  relu(): Tensor { return A.relu(this); }
  sigmoid(): Tensor { return A.sigmoid(this); }
  tanh(): Tensor { return A.tanh(this); }
  leakyRelu(negativeSlope = 0.01): Tensor { return A.leakyRelu(this, negativeSlope); }
  elu(alpha = 1): Tensor { return A.elu(this, alpha); }
  gelu(approximate: 'none' | 'tanh' = 'none'): Tensor { return A.gelu(this, approximate); }
  softplus(beta = 1, threshold = 20): Tensor { return A.softplus(this, beta, threshold); }
  softmax(dim: number): Tensor { return A.softmax(this, dim); }
  logSoftmax(dim: number): Tensor { return A.logSoftmax(this, dim); }

  // ---- reductions ---------------------------------------------------------

  sum(dim?: number | readonly number[], keepdim = false): Tensor { return R.sum(this, dim, keepdim); }
  mean(dim?: number | readonly number[], keepdim = false): Tensor { return R.mean(this, dim, keepdim); }
  prod(dim?: number | readonly number[], keepdim = false): Tensor { return R.prod(this, dim, keepdim); }
  /** Maximum values over dims (all by default); for indices use argmax. */
  max(dim?: number | readonly number[], keepdim = false): Tensor { return R.max(this, dim, keepdim); }
  min(dim?: number | readonly number[], keepdim = false): Tensor { return R.min(this, dim, keepdim); }
  amax(dim?: number | readonly number[], keepdim = false): Tensor { return R.max(this, dim, keepdim); }
  amin(dim?: number | readonly number[], keepdim = false): Tensor { return R.min(this, dim, keepdim); }
  argmax(dim?: number, keepdim = false): Tensor { return R.argmax(this, dim, keepdim); }
  argmin(dim?: number, keepdim = false): Tensor { return R.argmin(this, dim, keepdim); }
  var(dim?: number | readonly number[], opts: R.VarOptions = {}): Tensor { return R.variance(this, dim, opts); }
  std(dim?: number | readonly number[], opts: R.VarOptions = {}): Tensor { return R.std(this, dim, opts); }
  logsumexp(dim: number | readonly number[], keepdim = false): Tensor { return R.logsumexp(this, dim, keepdim); }

  // ---- shape and views ----------------------------------------------------

  /** New shape (one dim may be -1); a view when the layout allows, else a copy. */
  reshape(...shape: ShapeArg): Tensor { return M.reshape(this, flatShape(shape)); }
  /** Like reshape but never copies: throws if the layout does not allow a view. */
  view(...shape: ShapeArg): Tensor { return M.view(this, flatShape(shape)); }
  flatten(startDim = 0, endDim = -1): Tensor { return M.flatten(this, startDim, endDim); }
  unflatten(dim: number, sizes: readonly number[]): Tensor { return M.unflatten(this, dim, sizes); }
  squeeze(dim?: number | readonly number[]): Tensor { return M.squeeze(this, dim); }
  unsqueeze(dim: number): Tensor { return M.unsqueeze(this, dim); }
  transpose(dim0: number, dim1: number): Tensor { return M.transpose(this, dim0, dim1); }
  /** Transpose of a 2-D tensor (or no-op for < 2-D). */
  t(): Tensor { return M.t(this); }
  permute(...dims: ShapeArg): Tensor { return M.permute(this, flatShape(dims)); }
  expand(...shape: ShapeArg): Tensor { return M.expand(this, flatShape(shape)); }
  expandAs(other: Tensor): Tensor { return M.expand(this, other.shape); }
  /** Elements `start .. start+length-1` along `dim` (a view). */
  narrow(dim: number, start: number, length: number): Tensor { return M.narrow(this, dim, start, length); }
  /** Python-style slice along one dim: `x.slice(1, 0, 10, 2)` is `x[:, 0:10:2]` (a view). */
  slice(dim: number, start?: number | null, end?: number | null, step = 1): Tensor { return M.slice(this, dim, start, end, step); }
  /** Index `index` along `dim`, removing that dim (a view). */
  select(dim: number, index: number): Tensor { return M.select(this, dim, index); }
  flip(dims: number | readonly number[]): Tensor { return M.flip(this, dims); }
  contiguous(): Tensor { return M.contiguous(this); }
  clone(): Tensor { return M.clone(this); }
  split(splitSize: number | readonly number[], dim = 0): Tensor[] { return M.split(this, splitSize, dim); }
  chunk(chunks: number, dim = 0): Tensor[] { return M.chunk(this, chunks, dim); }
  repeat(...reps: ShapeArg): Tensor { return M.repeat(this, flatShape(reps)); }

  // ---- indexing and linear algebra ---------------------------------------

  gather(dim: number, index: Tensor): Tensor { return I.gather(this, dim, index); }
  scatterAdd(dim: number, index: Tensor, src: Tensor): Tensor { return I.scatterAdd(this, dim, index, src); }
  indexSelect(dim: number, index: Tensor): Tensor { return I.indexSelect(this, dim, index); }
  matmul(other: Tensor): Tensor { return L.matmul(this, other); }

  // ---- in place -----------------------------------------------------------

  fill_(value: number): this { return P.fill_(this, value); }
  zero_(): this { return P.fill_(this, 0); }
  copy_(src: Tensor): this { return P.copy_(this, src); }
  add_(other: TensorLike, alpha?: number): this { return P.add_(this, other, alpha); }
  sub_(other: TensorLike, alpha?: number): this { return P.sub_(this, other, alpha); }
  mul_(other: TensorLike): this { return P.mul_(this, other); }
  div_(other: TensorLike): this { return P.div_(this, other); }
  clamp_(min?: number | null, max?: number | null): this { return P.clamp_(this, min, max); }
}

/** Shape arguments may be spread (`reshape(2, 3)`) or one array (`reshape([2, 3])`). */
export type ShapeArg = number[] | [readonly number[]];

function flatShape(args: ShapeArg): number[] {
  if (args.length === 1 && Array.isArray(args[0])) return [...args[0]];
  return args as number[];
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
