/**
 * The op methods of Tensor (`x.add(y)`, `x.sum()`, `x.reshape(...)`): sugar
 * over the functions in this folder, installed on `Tensor.prototype` here so
 * that src/tensor/ never imports the ops (it sits below them). src/index.ts
 * imports this file; the `declare module` block gives the methods their types.
 */
import type { Backend } from '../backend/backend.js';
import type { DType } from '../core/dtype.js';
import { TensorError, fmtShape } from '../core/errors.js';
import { Tensor, type TensorLike } from '../tensor/tensor.js';
import * as E from './elementwise.js';
import * as R from './reduce.js';
import * as M from './movement.js';
import * as A from './activation.js';
import * as L from './linalg.js';
import * as I from './indexing.js';
import * as P from './inplace.js';
import * as T from './transfer.js';
import * as LG from './logical.js';
import * as MK from './masking.js';
import * as CU from './cumulative.js';
import * as SO from './sort.js';
import * as PR from './products.js';
import * as NO from './norms.js';

/** Shape arguments may be spread (`reshape(2, 3)`) or one array (`reshape([2, 3])`). */
export type ShapeArg = number[] | [readonly number[]];

function flatShape(args: ShapeArg): number[] {
  if (args.length === 1 && Array.isArray(args[0])) return [...args[0]];
  return args as number[];
}

declare module '../tensor/tensor.js' {
  interface Tensor {
  // ---- dtype --------------------------------------------------------------

  /** A copy on another backend (this tensor if already there); differentiable. */
    toBackend(backend: Backend | string): Tensor;

  /**
   * Cast to a dtype: a dtype string, `{dtype}`, or another tensor (its dtype);
   * returns this if already that dtype. Device strings ('cpu', 'cuda') and
   * dtypes tensorgrad lacks ('int64', 'float16') throw a TensorError saying
   * what to use (`toBackend` moves tensors between backends).
   * @example x.to('float64'); x.to({ dtype: 'int32' });
   */
    to(target: DType | T.ToOptions | Tensor): Tensor;
    float(): Tensor;
    double(): Tensor;
    int(): Tensor;
    bool(): Tensor;

  // ---- elementwise --------------------------------------------------------

    add(...a: [other: TensorLike, alpha?: number]): Tensor;
    sub(...a: [other: TensorLike, alpha?: number]): Tensor;
    mul(...a: [other: TensorLike]): Tensor;
    div(...a: [other: TensorLike]): Tensor;
    pow(...a: [exponent: TensorLike]): Tensor;
    maximum(...a: [other: TensorLike]): Tensor;
    minimum(...a: [other: TensorLike]): Tensor;
  // Argument-free methods forward any (plain-JavaScript) extra arguments to the op, which rejects them.
    neg(...extra: []): Tensor;
    abs(...extra: []): Tensor;
    sign(...extra: []): Tensor;
    exp(...extra: []): Tensor;
    expm1(...extra: []): Tensor;
    log(...extra: []): Tensor;
    log1p(...extra: []): Tensor;
    sqrt(...extra: []): Tensor;
    rsqrt(...extra: []): Tensor;
    reciprocal(...extra: []): Tensor;
    square(...extra: []): Tensor;
    sin(...extra: []): Tensor;
    cos(...extra: []): Tensor;
    erf(...extra: []): Tensor;
    floor(...extra: []): Tensor;
    ceil(...extra: []): Tensor;
    round(...extra: []): Tensor;
    clamp(...a: [min?: number | Tensor | null, max?: number | Tensor | null]): Tensor;
    eq(...a: [other: TensorLike]): Tensor;
    ne(...a: [other: TensorLike]): Tensor;
    lt(...a: [other: TensorLike]): Tensor;
    le(...a: [other: TensorLike]): Tensor;
    gt(...a: [other: TensorLike]): Tensor;
    ge(...a: [other: TensorLike]): Tensor;
    logicalNot(...extra: []): Tensor;
    logicalAnd(...a: [other: TensorLike]): Tensor;
    logicalOr(...a: [other: TensorLike]): Tensor;
  /** `cond ? this : other` (PyTorch's `x.where(cond, y)`). */
    where(condition: Tensor, other: TensorLike): Tensor;
  /** Elementwise closeness, like torch.allclose. */
    allclose(...a: [other: Tensor, rtol?: number, atol?: number]): boolean;

  // ---- activations --------------------------------------------------------

    relu(...extra: []): Tensor;
    sigmoid(...extra: []): Tensor;
    tanh(...extra: []): Tensor;
    leakyRelu(...a: [negativeSlope?: number]): Tensor;
    elu(...a: [alpha?: number]): Tensor;
    gelu(...a: [approximate?: 'none' | 'tanh']): Tensor;
    softplus(...a: [beta?: number, threshold?: number]): Tensor;
    softmax(...a: [dim: number]): Tensor;
    logSoftmax(...a: [dim: number]): Tensor;

  // ---- reductions ---------------------------------------------------------

    sum(...a: [dim?: number | readonly number[], keepdim?: boolean]): Tensor;
    mean(...a: [dim?: number | readonly number[], keepdim?: boolean]): Tensor;
    prod(...a: [dim?: number | readonly number[], keepdim?: boolean]): Tensor;
  /** Maximum of all elements (0-d); with `dim`, `{ values, indices }` along it (PyTorch's torch.max). */
    max(dim?: undefined, keepdim?: boolean): Tensor;
    max(dim: number, keepdim?: boolean): R.ValuesIndices;
  /** Minimum of all elements (0-d); with `dim`, `{ values, indices }` along it (PyTorch's torch.min). */
    min(dim?: undefined, keepdim?: boolean): Tensor;
    min(dim: number, keepdim?: boolean): R.ValuesIndices;
  /** Maximum over dims (all by default) as a tensor; ties share the gradient. */
    amax(...a: [dim?: number | readonly number[], keepdim?: boolean]): Tensor;
  /** Minimum over dims (all by default) as a tensor; ties share the gradient. */
    amin(...a: [dim?: number | readonly number[], keepdim?: boolean]): Tensor;
    argmax(...a: [dim?: number, keepdim?: boolean]): Tensor;
    argmin(...a: [dim?: number, keepdim?: boolean]): Tensor;
    var(...a: [dim?: number | readonly number[], opts?: R.VarOptions]): Tensor;
    std(...a: [dim?: number | readonly number[], opts?: R.VarOptions]): Tensor;
    logsumexp(...a: [dim: number | readonly number[], keepdim?: boolean]): Tensor;

  // ---- shape and views ----------------------------------------------------

  /** New shape (one dim may be -1); a view when the layout allows, else a copy. */
    reshape(...shape: ShapeArg): Tensor;
  /** Like reshape but never copies: throws if the layout does not allow a view. */
    view(...shape: ShapeArg): Tensor;
    flatten(...a: [startDim?: number, endDim?: number]): Tensor;
    unflatten(...a: [dim: number, sizes: readonly number[]]): Tensor;
    squeeze(...a: [dim?: number | readonly number[]]): Tensor;
    unsqueeze(...a: [dim: number]): Tensor;
    transpose(...a: [dim0: number, dim1: number]): Tensor;
  /** Transpose of a 2-D tensor (or no-op for < 2-D). */
    t(...extra: []): Tensor;
    permute(...dims: ShapeArg): Tensor;
    expand(...shape: ShapeArg): Tensor;
    expandAs(other: Tensor): Tensor;
  /** Elements `start .. start+length-1` along `dim` (a view). */
    narrow(...a: [dim: number, start: number, length: number]): Tensor;
  /** Python-style slice along one dim: `x.slice(1, 0, 10, 2)` is `x[:, 0:10:2]` (a view). */
    slice(...a: [dim: number, start?: number | null, end?: number | null, step?: number]): Tensor;
  /** Index `index` along `dim`, removing that dim (a view). */
    select(...a: [dim: number, index: number]): Tensor;
    flip(...a: [dims: number | readonly number[]]): Tensor;
    contiguous(...extra: []): Tensor;
    clone(...extra: []): Tensor;
    split(...a: [splitSize: number | readonly number[], dim?: number]): Tensor[];
    chunk(...a: [chunks: number, dim?: number]): Tensor[];
    repeat(...reps: ShapeArg): Tensor;

  // ---- indexing and linear algebra ---------------------------------------

    gather(...a: [dim: number, index: Tensor]): Tensor;
    scatterAdd(...a: [dim: number, index: Tensor, src: Tensor]): Tensor;
    indexSelect(...a: [dim: number, index: Tensor]): Tensor;
    matmul(...a: [other: Tensor]): Tensor;

  // ---- more PyTorch ops (ops/logical, masking, cumulative, sort, products, norms) ----

  /**
   * The dims reversed (a view): the transpose of a matrix, like PyTorch's `.T`
   * (which PyTorch deprecates for ranks other than 2; use permute there).
   */
    readonly T: Tensor;
  /** The last two dims swapped (a view), for batches of matrices (PyTorch's `.mT`). */
    readonly mT: Tensor;
  /** Cast to int32: tensorgrad has no int64, so `long()` gives int32 (exact up to 2^31 - 1). */
    long(): Tensor;
    tan(...extra: []): Tensor;
    atan(...extra: []): Tensor;
    atan2(other: TensorLike): Tensor;
    log2(...extra: []): Tensor;
    log10(...extra: []): Tensor;
    isnan(...extra: []): Tensor;
    isinf(...extra: []): Tensor;
    isposinf(...extra: []): Tensor;
    isneginf(...extra: []): Tensor;
    isfinite(...extra: []): Tensor;
    any(dim?: number | readonly number[] | null, keepdim?: boolean): Tensor;
    all(dim?: number | readonly number[] | null, keepdim?: boolean): Tensor;
    maskedFill(mask: Tensor, value: number | Tensor): Tensor;
    tril(diagonal?: number): Tensor;
    triu(diagonal?: number): Tensor;
    cumsum(dim: number): Tensor;
    cumprod(dim: number): Tensor;
    sort(dim?: number | SO.SortOptions, descending?: boolean): SO.ValuesIndices;
    argsort(dim?: number | SO.SortOptions, descending?: boolean): Tensor;
    topk(k: number, dim?: number | SO.TopkOptions, largest?: boolean, sorted?: boolean): SO.ValuesIndices;
    mm(other: Tensor): Tensor;
    bmm(other: Tensor): Tensor;
    mv(vec: Tensor): Tensor;
    dot(other: Tensor): Tensor;
    outer(other: Tensor): Tensor;
    norm(p?: NO.NormOrd | NO.NormOptions, dim?: number | readonly number[] | null, keepdim?: boolean): Tensor;

  // ---- in place -----------------------------------------------------------

    fill_(...a: [value: number]): this;
    zero_(...extra: []): this;
    copy_(src: Tensor): this;
    add_(other: TensorLike, alpha?: number): this;
    sub_(other: TensorLike, alpha?: number): this;
    mul_(other: TensorLike): this;
    div_(other: TensorLike): this;
    clamp_(min?: number | null, max?: number | null): this;
  }
}

/** The method bodies; `this` is the tensor. In-place methods return it. */
const methods: ThisType<Tensor> & Record<string, (this: Tensor, ...args: never[]) => unknown> = {
  // ---- dtype --------------------------------------------------------------
  toBackend(backend: Backend | string): Tensor { return T.toBackend(this, backend); },
  to(target: DType | T.ToOptions | Tensor): Tensor { return T.to(this, target); },
  float(): Tensor { return this.to('float32'); },
  double(): Tensor { return this.to('float64'); },
  int(): Tensor { return this.to('int32'); },
  bool(): Tensor { return this.to('bool'); },
  // ---- elementwise --------------------------------------------------------
  add(...a: [other: TensorLike, alpha?: number]): Tensor { return E.add(this, ...a); },
  sub(...a: [other: TensorLike, alpha?: number]): Tensor { return E.sub(this, ...a); },
  mul(...a: [other: TensorLike]): Tensor { return E.mul(this, ...a); },
  div(...a: [other: TensorLike]): Tensor { return E.div(this, ...a); },
  pow(...a: [exponent: TensorLike]): Tensor { return E.pow(this, ...a); },
  maximum(...a: [other: TensorLike]): Tensor { return E.maximum(this, ...a); },
  minimum(...a: [other: TensorLike]): Tensor { return E.minimum(this, ...a); },
  neg(...extra: []): Tensor { return E.neg(this, ...extra); },
  abs(...extra: []): Tensor { return E.abs(this, ...extra); },
  sign(...extra: []): Tensor { return E.sign(this, ...extra); },
  exp(...extra: []): Tensor { return E.exp(this, ...extra); },
  expm1(...extra: []): Tensor { return E.expm1(this, ...extra); },
  log(...extra: []): Tensor { return E.log(this, ...extra); },
  log1p(...extra: []): Tensor { return E.log1p(this, ...extra); },
  sqrt(...extra: []): Tensor { return E.sqrt(this, ...extra); },
  rsqrt(...extra: []): Tensor { return E.rsqrt(this, ...extra); },
  reciprocal(...extra: []): Tensor { return E.reciprocal(this, ...extra); },
  square(...extra: []): Tensor { return E.square(this, ...extra); },
  sin(...extra: []): Tensor { return E.sin(this, ...extra); },
  cos(...extra: []): Tensor { return E.cos(this, ...extra); },
  erf(...extra: []): Tensor { return E.erf(this, ...extra); },
  floor(...extra: []): Tensor { return E.floor(this, ...extra); },
  ceil(...extra: []): Tensor { return E.ceil(this, ...extra); },
  round(...extra: []): Tensor { return E.round(this, ...extra); },
  clamp(...a: [min?: number | Tensor | null, max?: number | Tensor | null]): Tensor { return E.clamp(this, ...a); },
  eq(...a: [other: TensorLike]): Tensor { return E.eq(this, ...a); },
  ne(...a: [other: TensorLike]): Tensor { return E.ne(this, ...a); },
  lt(...a: [other: TensorLike]): Tensor { return E.lt(this, ...a); },
  le(...a: [other: TensorLike]): Tensor { return E.le(this, ...a); },
  gt(...a: [other: TensorLike]): Tensor { return E.gt(this, ...a); },
  ge(...a: [other: TensorLike]): Tensor { return E.ge(this, ...a); },
  logicalNot(...extra: []): Tensor { return E.logicalNot(this, ...extra); },
  logicalAnd(...a: [other: TensorLike]): Tensor { return E.logicalAnd(this, ...a); },
  logicalOr(...a: [other: TensorLike]): Tensor { return E.logicalOr(this, ...a); },
  where(condition: Tensor, other: TensorLike): Tensor { return E.where(condition, this, other); },
  allclose(...a: [other: Tensor, rtol?: number, atol?: number]): boolean { return E.allclose(this, ...a); },
  // ---- activations --------------------------------------------------------
  relu(...extra: []): Tensor { return A.relu(this, ...extra); },
  sigmoid(...extra: []): Tensor { return A.sigmoid(this, ...extra); },
  tanh(...extra: []): Tensor { return A.tanh(this, ...extra); },
  leakyRelu(...a: [negativeSlope?: number]): Tensor { return A.leakyRelu(this, ...a); },
  elu(...a: [alpha?: number]): Tensor { return A.elu(this, ...a); },
  gelu(...a: [approximate?: 'none' | 'tanh']): Tensor { return A.gelu(this, ...a); },
  softplus(...a: [beta?: number, threshold?: number]): Tensor { return A.softplus(this, ...a); },
  softmax(...a: [dim: number]): Tensor { return A.softmax(this, ...a); },
  logSoftmax(...a: [dim: number]): Tensor { return A.logSoftmax(this, ...a); },
  // ---- reductions ---------------------------------------------------------
  sum(...a: [dim?: number | readonly number[], keepdim?: boolean]): Tensor { return R.sum(this, ...a); },
  mean(...a: [dim?: number | readonly number[], keepdim?: boolean]): Tensor { return R.mean(this, ...a); },
  prod(...a: [dim?: number | readonly number[], keepdim?: boolean]): Tensor { return R.prod(this, ...a); },
  max(this: Tensor, ...a: [dim?: number, keepdim?: boolean]): Tensor | R.ValuesIndices { return (R.max as (x: Tensor, ...r: unknown[]) => Tensor | R.ValuesIndices)(this, ...a); },
  min(this: Tensor, ...a: [dim?: number, keepdim?: boolean]): Tensor | R.ValuesIndices { return (R.min as (x: Tensor, ...r: unknown[]) => Tensor | R.ValuesIndices)(this, ...a); },
  amax(...a: [dim?: number | readonly number[], keepdim?: boolean]): Tensor { return R.amax(this, ...a); },
  amin(...a: [dim?: number | readonly number[], keepdim?: boolean]): Tensor { return R.amin(this, ...a); },
  argmax(...a: [dim?: number, keepdim?: boolean]): Tensor { return R.argmax(this, ...a); },
  argmin(...a: [dim?: number, keepdim?: boolean]): Tensor { return R.argmin(this, ...a); },
  var(...a: [dim?: number | readonly number[], opts?: R.VarOptions]): Tensor { return R.variance(this, ...a); },
  std(...a: [dim?: number | readonly number[], opts?: R.VarOptions]): Tensor { return R.std(this, ...a); },
  logsumexp(...a: [dim: number | readonly number[], keepdim?: boolean]): Tensor { return R.logsumexp(this, ...a); },
  // ---- shape and views ----------------------------------------------------
  reshape(...shape: ShapeArg): Tensor { return M.reshape(this, flatShape(shape)); },
  view(...shape: ShapeArg): Tensor { return M.view(this, flatShape(shape)); },
  flatten(...a: [startDim?: number, endDim?: number]): Tensor { return M.flatten(this, ...a); },
  unflatten(...a: [dim: number, sizes: readonly number[]]): Tensor { return M.unflatten(this, ...a); },
  squeeze(...a: [dim?: number | readonly number[]]): Tensor { return M.squeeze(this, ...a); },
  unsqueeze(...a: [dim: number]): Tensor { return M.unsqueeze(this, ...a); },
  transpose(...a: [dim0: number, dim1: number]): Tensor { return M.transpose(this, ...a); },
  t(...extra: []): Tensor { return M.t(this, ...extra); },
  permute(...dims: ShapeArg): Tensor { return M.permute(this, flatShape(dims)); },
  expand(...shape: ShapeArg): Tensor { return M.expand(this, flatShape(shape)); },
  expandAs(other: Tensor): Tensor { return M.expand(this, other.shape); },
  narrow(...a: [dim: number, start: number, length: number]): Tensor { return M.narrow(this, ...a); },
  slice(...a: [dim: number, start?: number | null, end?: number | null, step?: number]): Tensor { return M.slice(this, ...a); },
  select(...a: [dim: number, index: number]): Tensor { return M.select(this, ...a); },
  flip(...a: [dims: number | readonly number[]]): Tensor { return M.flip(this, ...a); },
  contiguous(...extra: []): Tensor { return M.contiguous(this, ...extra); },
  clone(...extra: []): Tensor { return M.clone(this, ...extra); },
  split(...a: [splitSize: number | readonly number[], dim?: number]): Tensor[] { return M.split(this, ...a); },
  chunk(...a: [chunks: number, dim?: number]): Tensor[] { return M.chunk(this, ...a); },
  repeat(...reps: ShapeArg): Tensor { return M.repeat(this, flatShape(reps)); },
  // ---- indexing and linear algebra ---------------------------------------
  gather(...a: [dim: number, index: Tensor]): Tensor { return I.gather(this, ...a); },
  scatterAdd(...a: [dim: number, index: Tensor, src: Tensor]): Tensor { return I.scatterAdd(this, ...a); },
  indexSelect(...a: [dim: number, index: Tensor]): Tensor { return I.indexSelect(this, ...a); },
  matmul(...a: [other: Tensor]): Tensor { return L.matmul(this, ...a); },
  // ---- more PyTorch ops (ops/logical, masking, cumulative, sort, products, norms) ----
  long(): Tensor { return this.to('int32'); },
  tan(...extra: []): Tensor { return E.tan(this, ...extra); },
  atan(...extra: []): Tensor { return E.atan(this, ...extra); },
  atan2(other: TensorLike): Tensor { return E.atan2(this, other); },
  log2(...extra: []): Tensor { return E.log2(this, ...extra); },
  log10(...extra: []): Tensor { return E.log10(this, ...extra); },
  isnan(...extra: []): Tensor { return LG.isnan(this, ...extra); },
  isinf(...extra: []): Tensor { return LG.isinf(this, ...extra); },
  isposinf(...extra: []): Tensor { return LG.isposinf(this, ...extra); },
  isneginf(...extra: []): Tensor { return LG.isneginf(this, ...extra); },
  isfinite(...extra: []): Tensor { return LG.isfinite(this, ...extra); },
  any(dim?: number | readonly number[] | null, keepdim = false): Tensor { return LG.any(this, dim, keepdim); },
  all(dim?: number | readonly number[] | null, keepdim = false): Tensor { return LG.all(this, dim, keepdim); },
  maskedFill(mask: Tensor, value: number | Tensor): Tensor { return MK.maskedFill(this, mask, value); },
  tril(diagonal = 0): Tensor { return MK.tril(this, diagonal); },
  triu(diagonal = 0): Tensor { return MK.triu(this, diagonal); },
  cumsum(dim: number): Tensor { return CU.cumsum(this, dim); },
  cumprod(dim: number): Tensor { return CU.cumprod(this, dim); },
  sort(dim: number | SO.SortOptions = -1, descending = false): SO.ValuesIndices { return SO.sort(this, dim, descending); },
  argsort(dim: number | SO.SortOptions = -1, descending = false): Tensor { return SO.argsort(this, dim, descending); },
  topk(k: number, dim: number | SO.TopkOptions = -1, largest = true, sorted = true): SO.ValuesIndices { return SO.topk(this, k, dim, largest, sorted); },
  mm(other: Tensor): Tensor { return PR.mm(this, other); },
  bmm(other: Tensor): Tensor { return PR.bmm(this, other); },
  mv(vec: Tensor): Tensor { return PR.mv(this, vec); },
  dot(other: Tensor): Tensor { return PR.dot(this, other); },
  outer(other: Tensor): Tensor { return PR.outer(this, other); },
  norm(p: NO.NormOrd | NO.NormOptions = 'fro', dim?: number | readonly number[] | null, keepdim = false): Tensor { return NO.norm(this, p, dim, keepdim); },
  // ---- in place -----------------------------------------------------------
  fill_(...a: [value: number]): Tensor { return P.fill_(this, ...a); },
  zero_(...extra: []): Tensor { return P.fill_(this, 0, ...extra); },
  copy_(src: Tensor): Tensor { return P.copy_(this, src); },
  add_(other: TensorLike, alpha?: number): Tensor { return P.add_(this, other, alpha); },
  sub_(other: TensorLike, alpha?: number): Tensor { return P.sub_(this, other, alpha); },
  mul_(other: TensorLike): Tensor { return P.mul_(this, other); },
  div_(other: TensorLike): Tensor { return P.div_(this, other); },
  clamp_(min?: number | null, max?: number | null): Tensor { return P.clamp_(this, min, max); },
};

for (const [name, fn] of Object.entries(methods)) {
  Object.defineProperty(Tensor.prototype, name, { value: fn, writable: true, configurable: true, enumerable: false });
}
Object.defineProperty(Tensor.prototype, 'T', {
  get(this: Tensor): Tensor { return M.permute(this, [...this.shape.keys()].reverse()); },
  configurable: true,
});
Object.defineProperty(Tensor.prototype, 'mT', {
  get(this: Tensor): Tensor {
      if (this.ndim < 2) throw new TensorError(`mT: tensor must have at least 2 dims (got shape ${fmtShape(this.shape)})`);
      return M.transpose(this, -2, -1);
    },
  configurable: true,
});
