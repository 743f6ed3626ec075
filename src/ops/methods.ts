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
   * @example tg.tensor([1.5]).to('float64'); tg.tensor([1.5]).to({ dtype: 'int32' }) // [1]
   */
    to(target: DType | T.ToOptions | Tensor): Tensor;
  /**
   * Cast to float32 (`this` if already float32); same as `to('float32')`.
   * @example tg.arange(3).float().dtype // 'float32'
   */
    float(): Tensor;
  /**
   * Cast to float64 (`this` if already float64); same as `to('float64')`.
   * @example tg.ones([2]).double().dtype // 'float64'
   */
    double(): Tensor;
  /**
   * Cast to int32, truncating toward zero (`this` if already int32); same as `to('int32')`.
   * @example tg.tensor([1.7, -1.7]).int() // [1, -1]
   */
    int(): Tensor;
  /**
   * Cast to bool: nonzero becomes true (`this` if already bool); same as `to('bool')`.
   * @example tg.tensor([0, 2]).bool() // [false, true]
   */
    bool(): Tensor;

  // ---- elementwise --------------------------------------------------------

  /**
   * `this + alpha * other`, elementwise with broadcasting (alpha defaults to 1); see `tg.add`.
   * @example tg.tensor([1, 2]).add(tg.tensor([10, 20]), 2) // [21, 42]
   */
    add(...a: [other: TensorLike, alpha?: number]): Tensor;
  /**
   * `this - alpha * other`, elementwise with broadcasting (alpha defaults to 1); see `tg.sub`.
   * @example tg.tensor([5, 5]).sub(1) // [4, 4]
   */
    sub(...a: [other: TensorLike, alpha?: number]): Tensor;
  /**
   * `this * other`, elementwise with broadcasting; see `tg.mul`.
   * @example tg.tensor([1, 2]).mul(3) // [3, 6]
   */
    mul(...a: [other: TensorLike]): Tensor;
  /**
   * `this / other`, elementwise true division with broadcasting (floating result); see `tg.div`.
   * @example tg.tensor([1, 3]).div(2) // [0.5, 1.5]
   */
    div(...a: [other: TensorLike]): Tensor;
  /**
   * `this ** exponent`, elementwise with broadcasting; see `tg.pow`.
   * @example tg.tensor([2, 3]).pow(2) // [4, 9]
   */
    pow(...a: [exponent: TensorLike]): Tensor;
  /**
   * Elementwise maximum with `other` (broadcasting); see `tg.maximum`.
   * @example tg.tensor([1, 5]).maximum(3) // [3, 5]
   */
    maximum(...a: [other: TensorLike]): Tensor;
  /**
   * Elementwise minimum with `other` (broadcasting); see `tg.minimum`.
   * @example tg.tensor([1, 5]).minimum(3) // [1, 3]
   */
    minimum(...a: [other: TensorLike]): Tensor;
  // Argument-free methods forward any (plain-JavaScript) extra arguments to the op, which rejects them.
  /**
   * Elementwise `-this` (same shape and dtype).
   * @example tg.tensor([1, -2]).neg() // [-1, 2]
   */
    neg(...extra: []): Tensor;
  /**
   * Elementwise absolute value (same shape and dtype).
   * @example tg.tensor([-1.5, 2]).abs() // [1.5, 2]
   */
    abs(...extra: []): Tensor;
  /**
   * Elementwise sign: -1, 0 or 1 (same shape and dtype).
   * @example tg.tensor([-3, 0, 2]).sign() // [-1, 0, 1]
   */
    sign(...extra: []): Tensor;
  /**
   * Elementwise `e^x` (integers are cast to float32).
   * @example tg.tensor([0, 1]).exp() // [1, 2.718...]
   */
    exp(...extra: []): Tensor;
  /**
   * Elementwise `e^x - 1`, accurate for small x.
   * @example tg.tensor([1e-8]).expm1() // [1e-8]
   */
    expm1(...extra: []): Tensor;
  /**
   * Elementwise natural logarithm (integers are cast to float32).
   * @example tg.tensor([1, Math.E]).log() // [0, 1]
   */
    log(...extra: []): Tensor;
  /**
   * Elementwise `log(1 + x)`, accurate for small x.
   * @example tg.tensor([0, 1e-8]).log1p() // [0, 1e-8]
   */
    log1p(...extra: []): Tensor;
  /**
   * Elementwise square root (negative -> NaN).
   * @example tg.tensor([4, 9]).sqrt() // [2, 3]
   */
    sqrt(...extra: []): Tensor;
  /**
   * Elementwise `1 / sqrt(x)`.
   * @example tg.tensor([4, 16]).rsqrt() // [0.5, 0.25]
   */
    rsqrt(...extra: []): Tensor;
  /**
   * Elementwise `1 / x` (integers are cast to float32).
   * @example tg.tensor([2, 4]).reciprocal() // [0.5, 0.25]
   */
    reciprocal(...extra: []): Tensor;
  /**
   * Elementwise `x * x` (same dtype).
   * @example tg.tensor([-2, 3]).square() // [4, 9]
   */
    square(...extra: []): Tensor;
  /**
   * Elementwise sine (radians).
   * @example tg.tensor([0, Math.PI / 2]).sin() // [0, 1]
   */
    sin(...extra: []): Tensor;
  /**
   * Elementwise cosine (radians).
   * @example tg.tensor([0, Math.PI]).cos() // [1, -1]
   */
    cos(...extra: []): Tensor;
  /**
   * Elementwise Gauss error function.
   * @example tg.tensor([0, 1]).erf() // [0, 0.8427]
   */
    erf(...extra: []): Tensor;
  /**
   * Elementwise round down (same dtype; zero gradient).
   * @example tg.tensor([1.7, -1.2]).floor() // [1, -2]
   */
    floor(...extra: []): Tensor;
  /**
   * Elementwise round up (same dtype; zero gradient).
   * @example tg.tensor([1.2, -1.7]).ceil() // [2, -1]
   */
    ceil(...extra: []): Tensor;
  /**
   * Elementwise round to the nearest integer value (same dtype; zero gradient).
   * @example tg.tensor([1.4, 2.6]).round() // [1, 3]
   */
    round(...extra: []): Tensor;
  /**
   * Clamps into [min, max] (either bound may be omitted or null, not both); see `tg.clamp`.
   * @example tg.tensor([-2, 0.5, 3]).clamp(0, 1) // [0, 0.5, 1]
   */
    clamp(...a: [min?: number | Tensor | null, max?: number | Tensor | null]): Tensor;
  /**
   * Elementwise `this == other` with broadcasting: a bool tensor.
   * @example tg.tensor([1, 2]).eq(2) // [false, true]
   */
    eq(...a: [other: TensorLike]): Tensor;
  /**
   * Elementwise `this != other` with broadcasting: a bool tensor.
   * @example tg.tensor([1, 2]).ne(2) // [true, false]
   */
    ne(...a: [other: TensorLike]): Tensor;
  /**
   * Elementwise `this < other` with broadcasting: a bool tensor.
   * @example tg.tensor([1, 2]).lt(2) // [true, false]
   */
    lt(...a: [other: TensorLike]): Tensor;
  /**
   * Elementwise `this <= other` with broadcasting: a bool tensor.
   * @example tg.tensor([1, 3]).le(2) // [true, false]
   */
    le(...a: [other: TensorLike]): Tensor;
  /**
   * Elementwise `this > other` with broadcasting: a bool tensor.
   * @example tg.tensor([1, 3]).gt(2) // [false, true]
   */
    gt(...a: [other: TensorLike]): Tensor;
  /**
   * Elementwise `this >= other` with broadcasting: a bool tensor.
   * @example tg.tensor([1, 2]).ge(2) // [false, true]
   */
    ge(...a: [other: TensorLike]): Tensor;
  /**
   * Elementwise logical NOT (zero is false): a bool tensor.
   * @example tg.tensor([0, 2]).logicalNot() // [true, false]
   */
    logicalNot(...extra: []): Tensor;
  /**
   * Elementwise logical AND (nonzero is true) with broadcasting: a bool tensor.
   * @example tg.tensor([1, 1]).logicalAnd(tg.tensor([1, 0])) // [true, false]
   */
    logicalAnd(...a: [other: TensorLike]): Tensor;
  /**
   * Elementwise logical OR (nonzero is true) with broadcasting: a bool tensor.
   * @example tg.tensor([1, 0]).logicalOr(tg.tensor([0, 0])) // [true, false]
   */
    logicalOr(...a: [other: TensorLike]): Tensor;
  /** `cond ? this : other` (PyTorch's `x.where(cond, y)`). */
    where(condition: Tensor, other: TensorLike): Tensor;
  /** Elementwise closeness, like torch.allclose. */
    allclose(...a: [other: Tensor, rtol?: number, atol?: number]): boolean;

  // ---- activations --------------------------------------------------------

  /**
   * Elementwise `max(x, 0)`; see `tg.relu`.
   * @example tg.tensor([-1, 2]).relu() // [0, 2]
   */
    relu(...extra: []): Tensor;
  /**
   * Elementwise logistic `1 / (1 + e^-x)`.
   * @example tg.tensor([0]).sigmoid() // [0.5]
   */
    sigmoid(...extra: []): Tensor;
  /**
   * Elementwise hyperbolic tangent.
   * @example tg.tensor([0, 100]).tanh() // [0, 1]
   */
    tanh(...extra: []): Tensor;
  /**
   * Elementwise `x` for x > 0, else `negativeSlope * x` (default 0.01).
   * @example tg.tensor([-10, 2]).leakyRelu(0.1) // [-1, 2]
   */
    leakyRelu(...a: [negativeSlope?: number]): Tensor;
  /**
   * Elementwise ELU: `x` for x > 0, else `alpha * (e^x - 1)` (alpha default 1).
   * @example tg.tensor([-1, 2]).elu() // [-0.632, 2]
   */
    elu(...a: [alpha?: number]): Tensor;
  /**
   * Elementwise GELU `x * Φ(x)` (exact erf form by default; 'tanh' for the approximation).
   * @example tg.tensor([0, 1]).gelu() // [0, 0.8413]
   */
    gelu(...a: [approximate?: 'none' | 'tanh']): Tensor;
  /**
   * Elementwise `log(1 + e^(beta·x)) / beta` (beta 1; linear above `threshold`, default 20).
   * @example tg.tensor([0]).softplus() // [0.6931]
   */
    softplus(...a: [beta?: number, threshold?: number]): Tensor;
  /**
   * Softmax along `dim` (required): non-negative, summing to 1 along it; same shape.
   * @example tg.tensor([[1, 2, 3]]).softmax(1) // [[0.09, 0.245, 0.665]]
   */
    softmax(...a: [dim: number]): Tensor;
  /**
   * log(softmax) along `dim` (required), computed stably; same shape.
   * @example tg.tensor([[1, 2, 3]]).logSoftmax(-1)
   */
    logSoftmax(...a: [dim: number]): Tensor;

  // ---- reductions ---------------------------------------------------------

  /**
   * Sum over `dim` (all dims by default), optionally keeping it with size 1; see `tg.sum`.
   * @example tg.ones([2, 3]).sum(1) // [3, 3]
   */
    sum(...a: [dim?: number | readonly number[], keepdim?: boolean]): Tensor;
  /**
   * Mean over `dim` (all dims by default; floating dtypes only); see `tg.mean`.
   * @example tg.tensor([[1, 2], [3, 4]]).mean(0) // [2, 3]
   */
    mean(...a: [dim?: number | readonly number[], keepdim?: boolean]): Tensor;
  /**
   * Product over `dim` (all dims by default); see `tg.prod`.
   * @example tg.tensor([[1, 2], [3, 4]]).prod(1) // [2, 12]
   */
    prod(...a: [dim?: number | readonly number[], keepdim?: boolean]): Tensor;
  /** Maximum of all elements (0-d); with `dim`, `{ values, indices }` along it (PyTorch's torch.max). */
    max(dim?: undefined, keepdim?: boolean): Tensor;
  /**
   * Maxima along `dim` with their int32 positions, `{ values, indices }` (the dim removed unless keepdim;
   * first index on ties); the gradient goes to that index only. See `tg.max`.
   * @example const { values, indices } = tg.tensor([[1, 5], [7, 2]]).max(1) // [5, 7], [1, 0]
   */
    max(dim: number, keepdim?: boolean): R.ValuesIndices;
  /** Minimum of all elements (0-d); with `dim`, `{ values, indices }` along it (PyTorch's torch.min). */
    min(dim?: undefined, keepdim?: boolean): Tensor;
  /**
   * Minima along `dim` with their int32 positions, `{ values, indices }` (the dim removed unless keepdim;
   * first index on ties); the gradient goes to that index only. See `tg.min`.
   * @example const { values, indices } = tg.tensor([[1, 5], [7, 2]]).min(1) // [1, 2], [0, 1]
   */
    min(dim: number, keepdim?: boolean): R.ValuesIndices;
  /** Maximum over dims (all by default) as a tensor; ties share the gradient. */
    amax(...a: [dim?: number | readonly number[], keepdim?: boolean]): Tensor;
  /** Minimum over dims (all by default) as a tensor; ties share the gradient. */
    amin(...a: [dim?: number | readonly number[], keepdim?: boolean]): Tensor;
  /**
   * int32 index of the maximum along `dim` (of the flattened tensor by default); first on ties.
   * @example tg.tensor([[1, 5, 5]]).argmax(1) // [1]
   */
    argmax(...a: [dim?: number, keepdim?: boolean]): Tensor;
  /**
   * int32 index of the minimum along `dim` (of the flattened tensor by default); first on ties.
   * @example tg.tensor([[2, 0, 0]]).argmin(1) // [1]
   */
    argmin(...a: [dim?: number, keepdim?: boolean]): Tensor;
  /**
   * Variance over `dim` (all by default) with `correction` (default 1) and `keepdim`; see `tg.var`.
   * @example tg.tensor([1, 2, 3, 4]).var() // 1.6667
   */
    var(...a: [dim?: number | readonly number[], opts?: R.VarOptions]): Tensor;
  /**
   * Standard deviation over `dim` (all by default) with `correction` (default 1); see `tg.std`.
   * @example tg.tensor([1, 3]).std(0, { correction: 0 }) // 1
   */
    std(...a: [dim?: number | readonly number[], opts?: R.VarOptions]): Tensor;
  /**
   * `log(sum(exp(x)))` over `dim` (required), computed stably; see `tg.logsumexp`.
   * @example tg.tensor([[0, 0]]).logsumexp(1) // [0.6931]
   */
    logsumexp(...a: [dim: number | readonly number[], keepdim?: boolean]): Tensor;

  // ---- shape and views ----------------------------------------------------

  /** New shape (one dim may be -1); a view when the layout allows, else a copy. */
    reshape(...shape: ShapeArg): Tensor;
  /** Like reshape but never copies: throws if the layout does not allow a view. */
    view(...shape: ShapeArg): Tensor;
  /**
   * Flattens dims `startDim..endDim` (defaults 0 and -1) into one; see `tg.flatten`.
   * @example tg.zeros([8, 3, 4, 4]).flatten(1) // [8, 48]
   */
    flatten(...a: [startDim?: number, endDim?: number]): Tensor;
  /**
   * Splits dim `dim` into dims of `sizes` (one may be -1); see `tg.unflatten`.
   * @example tg.zeros([2, 12]).unflatten(1, [3, 4]) // [2, 3, 4]
   */
    unflatten(...a: [dim: number, sizes: readonly number[]]): Tensor;
  /**
   * Removes size-1 dims (all, or the given ones); see `tg.squeeze`.
   * @example tg.zeros([1, 3, 1]).squeeze() // [3]
   */
    squeeze(...a: [dim?: number | readonly number[]]): Tensor;
  /**
   * Inserts a size-1 dim at `dim` (a view); see `tg.unsqueeze`.
   * @example tg.zeros([3]).unsqueeze(0) // [1, 3]
   */
    unsqueeze(...a: [dim: number]): Tensor;
  /**
   * Swaps dims `dim0` and `dim1` (a view); see `tg.transpose`.
   * @example tg.zeros([2, 3, 4]).transpose(0, 2) // [4, 3, 2]
   */
    transpose(...a: [dim0: number, dim1: number]): Tensor;
  /** Transpose of a 2-D tensor (or no-op for < 2-D). */
    t(...extra: []): Tensor;
  /**
   * Reorders dims (a view): output dim i is input dim `dims[i]`; spread or one array.
   * @example tg.zeros([2, 4, 4, 3]).permute(0, 3, 1, 2) // [2, 3, 4, 4]
   */
    permute(...dims: ShapeArg): Tensor;
  /**
   * Broadcasts to `shape` without copying (-1 keeps a dim); spread or one array; see `tg.expand`.
   * @example tg.zeros([3, 1]).expand(3, 4) // [3, 4]
   */
    expand(...shape: ShapeArg): Tensor;
  /**
   * Broadcasts to `other`'s shape without copying (`expand(other.shape)`).
   * @example tg.zeros([3, 1]).expandAs(tg.zeros([3, 4])) // [3, 4]
   */
    expandAs(other: Tensor): Tensor;
  /** Elements `start .. start+length-1` along `dim` (a view). */
    narrow(...a: [dim: number, start: number, length: number]): Tensor;
  /** Python-style slice along one dim: `x.slice(1, 0, 10, 2)` is `x[:, 0:10:2]` (a view). */
    slice(...a: [dim: number, start?: number | null, end?: number | null, step?: number]): Tensor;
  /** Index `index` along `dim`, removing that dim (a view). */
    select(...a: [dim: number, index: number]): Tensor;
  /**
   * Reverses the order along `dims` (a view); see `tg.flip`.
   * @example tg.tensor([1, 2, 3]).flip(0) // [3, 2, 1]
   */
    flip(...a: [dims: number | readonly number[]]): Tensor;
  /**
   * `this` if contiguous, else a contiguous copy; see `tg.contiguous`.
   * @example tg.zeros([2, 3]).t().contiguous().isContiguous() // true
   */
    contiguous(...extra: []): Tensor;
  /**
   * A copy in fresh contiguous storage (differentiable); see `tg.clone`.
   * @example const y = tg.ones([2]).clone()
   */
    clone(...extra: []): Tensor;
  /**
   * Splits along `dim` (default 0) into pieces of `splitSize` or of the given sizes (views); see `tg.split`.
   * @example tg.arange(5).split([2, 3]) // [0, 1], [2, 3, 4]
   */
    split(...a: [splitSize: number | readonly number[], dim?: number]): Tensor[];
  /**
   * Splits into `chunks` nearly equal pieces along `dim` (default 0; views); see `tg.chunk`.
   * @example tg.arange(6).chunk(3) // [0, 1], [2, 3], [4, 5]
   */
    chunk(...a: [chunks: number, dim?: number]): Tensor[];
  /**
   * Tiles `reps[i]` times along each dim (spread or one array; copies); see `tg.repeat`.
   * @example tg.tensor([1, 2]).repeat(2) // [1, 2, 1, 2]
   */
    repeat(...reps: ShapeArg): Tensor;

  // ---- indexing and linear algebra ---------------------------------------

  /**
   * Picks along `dim` at int32 `index` (same rank, output of index's shape); see `tg.gather`.
   * @example tg.tensor([[1, 2], [3, 4]]).gather(1, tg.tensor([[1], [0]], { dtype: 'int32' })) // [[2], [3]]
   */
    gather(...a: [dim: number, index: Tensor]): Tensor;
  /**
   * A copy with `src` added at `index` along `dim`; see `tg.scatterAdd`.
   * @example tg.zeros([3]).scatterAdd(0, tg.tensor([0, 2, 0], { dtype: 'int32' }), tg.ones([3])) // [2, 0, 1]
   */
    scatterAdd(...a: [dim: number, index: Tensor, src: Tensor]): Tensor;
  /**
   * Selects the entries `index` (1-D int32) along `dim`; see `tg.indexSelect`.
   * @example tg.tensor([10, 20, 30]).indexSelect(0, tg.tensor([2, 0], { dtype: 'int32' })) // [30, 10]
   */
    indexSelect(...a: [dim: number, index: Tensor]): Tensor;
  /**
   * Matrix product with PyTorch's rules (1-D promoted, batch dims broadcast): `[..., n, k] @ [..., k, m] -> [..., n, m]`; see `tg.matmul`.
   * @example tg.randn([8, 3, 4]).matmul(tg.randn([4, 5])) // [8, 3, 5]
   */
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
  /**
   * Elementwise tangent (radians).
   * @example tg.tensor([0.5]).tan()
   */
    tan(...extra: []): Tensor;
  /**
   * Elementwise arctangent, in (-π/2, π/2).
   * @example tg.tensor([1]).atan() // [π/4]
   */
    atan(...extra: []): Tensor;
  /**
   * Elementwise `atan2(this, other)`: the angle of the point (other, this), in [-π, π]; see `tg.atan2`.
   * @example tg.tensor([1]).atan2(tg.tensor([-1])) // [3π/4]
   */
    atan2(other: TensorLike): Tensor;
  /**
   * Elementwise base-2 logarithm.
   * @example tg.tensor([8]).log2() // [3]
   */
    log2(...extra: []): Tensor;
  /**
   * Elementwise base-10 logarithm.
   * @example tg.tensor([100]).log10() // [2]
   */
    log10(...extra: []): Tensor;
  /**
   * Bool tensor, true where the element is NaN; see `tg.isnan`.
   * @example tg.tensor([1, NaN]).isnan() // [false, true]
   */
    isnan(...extra: []): Tensor;
  /**
   * Bool tensor, true where the element is +Infinity or -Infinity.
   * @example tg.tensor([1, -Infinity]).isinf() // [false, true]
   */
    isinf(...extra: []): Tensor;
  /**
   * Bool tensor, true where the element is +Infinity.
   * @example tg.tensor([Infinity, -Infinity]).isposinf() // [true, false]
   */
    isposinf(...extra: []): Tensor;
  /**
   * Bool tensor, true where the element is -Infinity.
   * @example tg.tensor([Infinity, -Infinity]).isneginf() // [false, true]
   */
    isneginf(...extra: []): Tensor;
  /**
   * Bool tensor, true where the element is neither NaN nor infinite.
   * @example tg.tensor([1, NaN, Infinity]).isfinite() // [true, false, false]
   */
    isfinite(...extra: []): Tensor;
  /**
   * Whether any element is nonzero, over `dim` (all dims by default): a bool tensor; see `tg.any`.
   * @example tg.tensor([[0, 1], [0, 0]]).any(1) // [true, false]
   */
    any(dim?: number | readonly number[] | null, keepdim?: boolean): Tensor;
  /**
   * Whether every element is nonzero, over `dim` (all dims by default): a bool tensor; see `tg.all`.
   * @example tg.tensor([[1, 1], [0, 1]]).all(1) // [true, false]
   */
    all(dim?: number | readonly number[] | null, keepdim?: boolean): Tensor;
  /**
   * A copy with `value` where the bool `mask` (broadcast to this shape) is true; see `tg.maskedFill`.
   * @example tg.tensor([1, 2, 3]).maskedFill(tg.tensor([true, false, true]), 0) // [0, 2, 0]
   */
    maskedFill(mask: Tensor, value: number | Tensor): Tensor;
  /**
   * Lower triangle of the last two dims: zeros where `col - row > diagonal` (default 0); see `tg.tril`.
   * @example tg.ones([3, 3]).tril() // [[1,0,0],[1,1,0],[1,1,1]]
   */
    tril(diagonal?: number): Tensor;
  /**
   * Upper triangle of the last two dims: zeros where `col - row < diagonal` (default 0); see `tg.triu`.
   * @example tg.ones([3, 3]).triu(1) // [[0,1,1],[0,0,1],[0,0,0]]
   */
    triu(diagonal?: number): Tensor;
  /**
   * Cumulative sum along `dim` (same shape); see `tg.cumsum`.
   * @example tg.tensor([1, 2, 3]).cumsum(0) // [1, 3, 6]
   */
    cumsum(dim: number): Tensor;
  /**
   * Cumulative product along `dim` (same shape); see `tg.cumprod`.
   * @example tg.tensor([1, 2, 3]).cumprod(0) // [1, 2, 6]
   */
    cumprod(dim: number): Tensor;
  /**
   * Sorts along `dim` (default -1; stable; `descending` default false): `{ values, indices }` of this shape; see `tg.sort`.
   * @example const { values, indices } = tg.tensor([3, 1, 2]).sort(0, true) // [3, 2, 1], [0, 2, 1]
   */
    sort(dim?: number | SO.SortOptions, descending?: boolean): SO.ValuesIndices;
  /**
   * int32 indices that sort along `dim` (default -1; `descending` default false); see `tg.argsort`.
   * @example tg.tensor([3, 1, 2]).argsort() // [1, 2, 0]
   */
    argsort(dim?: number | SO.SortOptions, descending?: boolean): Tensor;
  /**
   * The `k` largest (or smallest) entries along `dim` (default -1): `{ values, indices }`; see `tg.topk`.
   * @example const { values, indices } = tg.tensor([1, 5, 3]).topk(2) // [5, 3], [1, 2]
   */
    topk(k: number, dim?: number | SO.TopkOptions, largest?: boolean, sorted?: boolean): SO.ValuesIndices;
  /**
   * Matrix product of 2-D tensors: `[n, k] @ [k, m] -> [n, m]` (no broadcasting); see `tg.mm`.
   * @example tg.randn([2, 3]).mm(tg.randn([3, 4])) // [2, 4]
   */
    mm(other: Tensor): Tensor;
  /**
   * Batched matrix product: `[b, n, k] @ [b, k, m] -> [b, n, m]`; see `tg.bmm`.
   * @example tg.randn([8, 2, 3]).bmm(tg.randn([8, 3, 4])) // [8, 2, 4]
   */
    bmm(other: Tensor): Tensor;
  /**
   * Matrix-vector product: `[n, k] @ [k] -> [n]`; see `tg.mv`.
   * @example tg.eye(3).mv(tg.tensor([1, 2, 3])) // [1, 2, 3]
   */
    mv(vec: Tensor): Tensor;
  /**
   * Dot product of two 1-D tensors of equal length: a 0-d tensor; see `tg.dot`.
   * @example tg.tensor([1, 2]).dot(tg.tensor([3, 4])) // 11
   */
    dot(other: Tensor): Tensor;
  /**
   * Outer product of two 1-D tensors: `[n] x [m] -> [n, m]`; see `tg.outer`.
   * @example tg.tensor([1, 2]).outer(tg.tensor([1, 10])) // [[1, 10], [2, 20]]
   */
    outer(other: Tensor): Tensor;
  /**
   * The p-norm over `dim` (all dims by default; p defaults to 'fro' = 2); see `tg.norm`.
   * @example tg.tensor([3, 4]).norm() // 5
   */
    norm(p?: NO.NormOrd | NO.NormOptions, dim?: number | readonly number[] | null, keepdim?: boolean): Tensor;

  // ---- in place -----------------------------------------------------------

  /**
   * In place: sets every element to `value` and returns this tensor. Throws on a tensor that requires grad unless inside `tg.noGrad`.
   * @example tg.zeros([2]).fill_(7) // [7, 7]
   */
    fill_(...a: [value: number]): this;
  /**
   * In place: sets every element to 0 and returns this tensor (same rules as `fill_`).
   * @example tg.ones([2]).zero_() // [0, 0]
   */
    zero_(...extra: []): this;
  /**
   * In place: copies `src` (broadcast to this shape) into this tensor and returns it.
   * @example tg.zeros([2, 2]).copy_(tg.tensor([1, 2])) // [[1, 2], [1, 2]]
   */
    copy_(src: Tensor): this;
  /**
   * In place: `this += alpha * other` (broadcast to this shape) and returns this tensor.
   * @example tg.ones([2]).add_(tg.tensor([1, 2]), 10) // [11, 21]
   */
    add_(other: TensorLike, alpha?: number): this;
  /**
   * In place: `this -= alpha * other` (broadcast to this shape) and returns this tensor.
   * @example tg.ones([2]).sub_(1) // [0, 0]
   */
    sub_(other: TensorLike, alpha?: number): this;
  /**
   * In place: `this *= other` (broadcast to this shape) and returns this tensor.
   * @example tg.ones([2]).mul_(3) // [3, 3]
   */
    mul_(other: TensorLike): this;
  /**
   * In place: `this /= other` (broadcast to this shape) and returns this tensor.
   * @example tg.ones([2]).div_(4) // [0.25, 0.25]
   */
    div_(other: TensorLike): this;
  /**
   * In place: clamps into [min, max] (either bound may be null, not both) and returns this tensor.
   * @example tg.tensor([-1, 2]).clamp_(0, 1) // [0, 1]
   */
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
