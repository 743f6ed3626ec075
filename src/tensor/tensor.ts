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
import * as LG from '../ops/logical.js';
import * as MK from '../ops/masking.js';
import * as CU from '../ops/cumulative.js';
import * as SO from '../ops/sort.js';
import * as PR from '../ops/products.js';
import * as NO from '../ops/norms.js';

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
  /** Gradient accumulated by `backward()` (leaves that require grad, and tensors after `retainGrad()`). */
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
  /**
   * Keeps this non-leaf tensor's gradient in `.grad` after backward (PyTorch's
   * retain_grad); a no-op on leaves. Call it before backward.
   * @example const h = x.mul(2); h.retainGrad(); h.sum().backward(); h.grad // ones
   */
  retainGrad(): void {
    if (!this.requiresGrad) throw new TensorError("retainGrad: can't retain the gradient of a tensor that does not require grad");
    if (this._node) this._node.retainedBy = this;
  }
  /** Whether backward stores this non-leaf tensor's gradient (after `retainGrad()`). */
  get retainsGrad(): boolean { return this._node?.retainedBy === this; }

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

  /**
   * Cast to a dtype: a dtype string, `{dtype}`, or another tensor (its dtype);
   * returns this if already that dtype. Device strings ('cpu', 'cuda') and
   * dtypes tensorgrad lacks ('int64', 'float16') throw a TensorError saying
   * what to use (`toBackend` moves tensors between backends).
   * @example x.to('float64'); x.to({ dtype: 'int32' });
   */
  to(target: DType | T.ToOptions | Tensor): Tensor { return T.to(this, target); }
  float(): Tensor { return this.to('float32'); }
  double(): Tensor { return this.to('float64'); }
  int(): Tensor { return this.to('int32'); }
  bool(): Tensor { return this.to('bool'); }

  // ---- elementwise --------------------------------------------------------

  add(...a: [other: TensorLike, alpha?: number]): Tensor { return E.add(this, ...a); }
  sub(...a: [other: TensorLike, alpha?: number]): Tensor { return E.sub(this, ...a); }
  mul(...a: [other: TensorLike]): Tensor { return E.mul(this, ...a); }
  div(...a: [other: TensorLike]): Tensor { return E.div(this, ...a); }
  pow(...a: [exponent: TensorLike]): Tensor { return E.pow(this, ...a); }
  maximum(...a: [other: TensorLike]): Tensor { return E.maximum(this, ...a); }
  minimum(...a: [other: TensorLike]): Tensor { return E.minimum(this, ...a); }
  // Argument-free methods forward any (plain-JavaScript) extra arguments to the op, which rejects them.
  neg(...extra: []): Tensor { return E.neg(this, ...extra); }
  abs(...extra: []): Tensor { return E.abs(this, ...extra); }
  sign(...extra: []): Tensor { return E.sign(this, ...extra); }
  exp(...extra: []): Tensor { return E.exp(this, ...extra); }
  expm1(...extra: []): Tensor { return E.expm1(this, ...extra); }
  log(...extra: []): Tensor { return E.log(this, ...extra); }
  log1p(...extra: []): Tensor { return E.log1p(this, ...extra); }
  sqrt(...extra: []): Tensor { return E.sqrt(this, ...extra); }
  rsqrt(...extra: []): Tensor { return E.rsqrt(this, ...extra); }
  reciprocal(...extra: []): Tensor { return E.reciprocal(this, ...extra); }
  square(...extra: []): Tensor { return E.square(this, ...extra); }
  sin(...extra: []): Tensor { return E.sin(this, ...extra); }
  cos(...extra: []): Tensor { return E.cos(this, ...extra); }
  erf(...extra: []): Tensor { return E.erf(this, ...extra); }
  floor(...extra: []): Tensor { return E.floor(this, ...extra); }
  ceil(...extra: []): Tensor { return E.ceil(this, ...extra); }
  round(...extra: []): Tensor { return E.round(this, ...extra); }
  clamp(...a: [min?: number | Tensor | null, max?: number | Tensor | null]): Tensor { return E.clamp(this, ...a); }
  eq(...a: [other: TensorLike]): Tensor { return E.eq(this, ...a); }
  ne(...a: [other: TensorLike]): Tensor { return E.ne(this, ...a); }
  lt(...a: [other: TensorLike]): Tensor { return E.lt(this, ...a); }
  le(...a: [other: TensorLike]): Tensor { return E.le(this, ...a); }
  gt(...a: [other: TensorLike]): Tensor { return E.gt(this, ...a); }
  ge(...a: [other: TensorLike]): Tensor { return E.ge(this, ...a); }
  logicalNot(...extra: []): Tensor { return E.logicalNot(this, ...extra); }
  logicalAnd(...a: [other: TensorLike]): Tensor { return E.logicalAnd(this, ...a); }
  logicalOr(...a: [other: TensorLike]): Tensor { return E.logicalOr(this, ...a); }
  /** `cond ? this : other` (PyTorch's `x.where(cond, y)`). */
  where(condition: Tensor, other: TensorLike): Tensor { return E.where(condition, this, other); }
  /** Elementwise closeness, like torch.allclose. */
  allclose(...a: [other: Tensor, rtol?: number, atol?: number]): boolean { return E.allclose(this, ...a); }

  // ---- activations --------------------------------------------------------

  relu(...extra: []): Tensor { return A.relu(this, ...extra); }
  sigmoid(...extra: []): Tensor { return A.sigmoid(this, ...extra); }
  tanh(...extra: []): Tensor { return A.tanh(this, ...extra); }
  leakyRelu(...a: [negativeSlope?: number]): Tensor { return A.leakyRelu(this, ...a); }
  elu(...a: [alpha?: number]): Tensor { return A.elu(this, ...a); }
  gelu(...a: [approximate?: 'none' | 'tanh']): Tensor { return A.gelu(this, ...a); }
  softplus(...a: [beta?: number, threshold?: number]): Tensor { return A.softplus(this, ...a); }
  softmax(...a: [dim: number]): Tensor { return A.softmax(this, ...a); }
  logSoftmax(...a: [dim: number]): Tensor { return A.logSoftmax(this, ...a); }

  // ---- reductions ---------------------------------------------------------

  sum(...a: [dim?: number | readonly number[], keepdim?: boolean]): Tensor { return R.sum(this, ...a); }
  mean(...a: [dim?: number | readonly number[], keepdim?: boolean]): Tensor { return R.mean(this, ...a); }
  prod(...a: [dim?: number | readonly number[], keepdim?: boolean]): Tensor { return R.prod(this, ...a); }
  /** Maximum of all elements (0-d); with `dim`, `{ values, indices }` along it (PyTorch's torch.max). */
  max(dim?: undefined, keepdim?: boolean): Tensor;
  max(dim: number, keepdim?: boolean): R.ValuesIndices;
  max(...a: [dim?: number, keepdim?: boolean]): Tensor | R.ValuesIndices { return (R.max as (x: Tensor, ...r: unknown[]) => Tensor | R.ValuesIndices)(this, ...a); }
  /** Minimum of all elements (0-d); with `dim`, `{ values, indices }` along it (PyTorch's torch.min). */
  min(dim?: undefined, keepdim?: boolean): Tensor;
  min(dim: number, keepdim?: boolean): R.ValuesIndices;
  min(...a: [dim?: number, keepdim?: boolean]): Tensor | R.ValuesIndices { return (R.min as (x: Tensor, ...r: unknown[]) => Tensor | R.ValuesIndices)(this, ...a); }
  /** Maximum over dims (all by default) as a tensor; ties share the gradient. */
  amax(...a: [dim?: number | readonly number[], keepdim?: boolean]): Tensor { return R.amax(this, ...a); }
  /** Minimum over dims (all by default) as a tensor; ties share the gradient. */
  amin(...a: [dim?: number | readonly number[], keepdim?: boolean]): Tensor { return R.amin(this, ...a); }
  argmax(...a: [dim?: number, keepdim?: boolean]): Tensor { return R.argmax(this, ...a); }
  argmin(...a: [dim?: number, keepdim?: boolean]): Tensor { return R.argmin(this, ...a); }
  var(...a: [dim?: number | readonly number[], opts?: R.VarOptions]): Tensor { return R.variance(this, ...a); }
  std(...a: [dim?: number | readonly number[], opts?: R.VarOptions]): Tensor { return R.std(this, ...a); }
  logsumexp(...a: [dim: number | readonly number[], keepdim?: boolean]): Tensor { return R.logsumexp(this, ...a); }

  // ---- shape and views ----------------------------------------------------

  /** New shape (one dim may be -1); a view when the layout allows, else a copy. */
  reshape(...shape: ShapeArg): Tensor { return M.reshape(this, flatShape(shape)); }
  /** Like reshape but never copies: throws if the layout does not allow a view. */
  view(...shape: ShapeArg): Tensor { return M.view(this, flatShape(shape)); }
  flatten(...a: [startDim?: number, endDim?: number]): Tensor { return M.flatten(this, ...a); }
  unflatten(...a: [dim: number, sizes: readonly number[]]): Tensor { return M.unflatten(this, ...a); }
  squeeze(...a: [dim?: number | readonly number[]]): Tensor { return M.squeeze(this, ...a); }
  unsqueeze(...a: [dim: number]): Tensor { return M.unsqueeze(this, ...a); }
  transpose(...a: [dim0: number, dim1: number]): Tensor { return M.transpose(this, ...a); }
  /** Transpose of a 2-D tensor (or no-op for < 2-D). */
  t(...extra: []): Tensor { return M.t(this, ...extra); }
  permute(...dims: ShapeArg): Tensor { return M.permute(this, flatShape(dims)); }
  expand(...shape: ShapeArg): Tensor { return M.expand(this, flatShape(shape)); }
  expandAs(other: Tensor): Tensor { return M.expand(this, other.shape); }
  /** Elements `start .. start+length-1` along `dim` (a view). */
  narrow(...a: [dim: number, start: number, length: number]): Tensor { return M.narrow(this, ...a); }
  /** Python-style slice along one dim: `x.slice(1, 0, 10, 2)` is `x[:, 0:10:2]` (a view). */
  slice(...a: [dim: number, start?: number | null, end?: number | null, step?: number]): Tensor { return M.slice(this, ...a); }
  /** Index `index` along `dim`, removing that dim (a view). */
  select(...a: [dim: number, index: number]): Tensor { return M.select(this, ...a); }
  flip(...a: [dims: number | readonly number[]]): Tensor { return M.flip(this, ...a); }
  contiguous(...extra: []): Tensor { return M.contiguous(this, ...extra); }
  clone(...extra: []): Tensor { return M.clone(this, ...extra); }
  split(...a: [splitSize: number | readonly number[], dim?: number]): Tensor[] { return M.split(this, ...a); }
  chunk(...a: [chunks: number, dim?: number]): Tensor[] { return M.chunk(this, ...a); }
  repeat(...reps: ShapeArg): Tensor { return M.repeat(this, flatShape(reps)); }

  // ---- indexing and linear algebra ---------------------------------------

  gather(...a: [dim: number, index: Tensor]): Tensor { return I.gather(this, ...a); }
  scatterAdd(...a: [dim: number, index: Tensor, src: Tensor]): Tensor { return I.scatterAdd(this, ...a); }
  indexSelect(...a: [dim: number, index: Tensor]): Tensor { return I.indexSelect(this, ...a); }
  matmul(...a: [other: Tensor]): Tensor { return L.matmul(this, ...a); }

  // ---- more PyTorch ops (ops/logical, masking, cumulative, sort, products, norms) ----

  /**
   * The dims reversed (a view): the transpose of a matrix, like PyTorch's `.T`
   * (which PyTorch deprecates for ranks other than 2; use permute there).
   */
  get T(): Tensor { return M.permute(this, [...this.shape.keys()].reverse()); }
  /** The last two dims swapped (a view), for batches of matrices (PyTorch's `.mT`). */
  get mT(): Tensor {
    if (this.ndim < 2) throw new TensorError(`mT: tensor must have at least 2 dims (got shape ${fmtShape(this.shape)})`);
    return M.transpose(this, -2, -1);
  }
  /** Cast to int32: tensorgrad has no int64, so `long()` gives int32 (exact up to 2^31 - 1). */
  long(): Tensor { return this.to('int32'); }
  tan(...extra: []): Tensor { return E.tan(this, ...extra); }
  atan(...extra: []): Tensor { return E.atan(this, ...extra); }
  atan2(other: TensorLike): Tensor { return E.atan2(this, other); }
  log2(...extra: []): Tensor { return E.log2(this, ...extra); }
  log10(...extra: []): Tensor { return E.log10(this, ...extra); }
  isnan(...extra: []): Tensor { return LG.isnan(this, ...extra); }
  isinf(...extra: []): Tensor { return LG.isinf(this, ...extra); }
  isposinf(...extra: []): Tensor { return LG.isposinf(this, ...extra); }
  isneginf(...extra: []): Tensor { return LG.isneginf(this, ...extra); }
  isfinite(...extra: []): Tensor { return LG.isfinite(this, ...extra); }
  any(dim?: number | readonly number[] | null, keepdim = false): Tensor { return LG.any(this, dim, keepdim); }
  all(dim?: number | readonly number[] | null, keepdim = false): Tensor { return LG.all(this, dim, keepdim); }
  maskedFill(mask: Tensor, value: number | Tensor): Tensor { return MK.maskedFill(this, mask, value); }
  tril(diagonal = 0): Tensor { return MK.tril(this, diagonal); }
  triu(diagonal = 0): Tensor { return MK.triu(this, diagonal); }
  cumsum(dim: number): Tensor { return CU.cumsum(this, dim); }
  cumprod(dim: number): Tensor { return CU.cumprod(this, dim); }
  sort(dim: number | SO.SortOptions = -1, descending = false): SO.ValuesIndices { return SO.sort(this, dim, descending); }
  argsort(dim: number | SO.SortOptions = -1, descending = false): Tensor { return SO.argsort(this, dim, descending); }
  topk(k: number, dim: number | SO.TopkOptions = -1, largest = true, sorted = true): SO.ValuesIndices { return SO.topk(this, k, dim, largest, sorted); }
  mm(other: Tensor): Tensor { return PR.mm(this, other); }
  bmm(other: Tensor): Tensor { return PR.bmm(this, other); }
  mv(vec: Tensor): Tensor { return PR.mv(this, vec); }
  dot(other: Tensor): Tensor { return PR.dot(this, other); }
  outer(other: Tensor): Tensor { return PR.outer(this, other); }
  norm(p: NO.NormOrd | NO.NormOptions = 'fro', dim?: number | readonly number[] | null, keepdim = false): Tensor { return NO.norm(this, p, dim, keepdim); }

  // ---- in place -----------------------------------------------------------

  fill_(...a: [value: number]): this { return P.fill_(this, ...a); }
  zero_(...extra: []): this { return P.fill_(this, 0, ...extra); }
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
