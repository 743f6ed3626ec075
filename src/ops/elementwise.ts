import { allocForOverwrite, type Backend, type BinaryOp, type UnaryOp } from '../backend/backend.js';
import { record } from '../tensor/graph.js';
import type { DType } from '../core/dtype.js';
import { DTYPES, isDType, isFloating, promoteTypes, promoteWithScalar } from '../core/dtype.js';
import { TensorError } from '../core/errors.js';
import type { Shape } from '../core/shape.js';
import { broadcastShapes } from '../core/shape.js';
import { Tensor, type TensorLike } from '../tensor/tensor.js';
import { asTensor, broadcastLayout, filled, sameBackend } from './core.js';
import { checkArgs } from '../tensor/args.js';

/** A tensor of ones (used for backward seeds). */
export function onesOf(shape: Shape, dtype: DType, backend: Backend): Tensor {
  return filled(shape, 1, dtype, backend);
}

/**
 * Casts to `dtype` (same shape; `x` itself if it has it already). Differentiable
 * between floating dtypes (the gradient is cast back). An unknown dtype throws a TensorError.
 * @example tg.tensor([1.7]).to('int32') // [1]
 */
export function cast(x: Tensor, dtype: DType): Tensor {
  if (!(x instanceof Tensor) || arguments.length > 2) checkArgs('cast', arguments, { x: 'tensor', dtype: 'any' });
  if (x.dtype === dtype) return x;
  // Checked before the backend allocates: an unknown dtype must fail here, naming itself.
  if (!isDType(dtype)) throw new TensorError(`cast: unknown dtype ${JSON.stringify(dtype) ?? String(dtype)} (supported: ${DTYPES.join(', ')})`);
  const s = allocForOverwrite(x.backend, dtype, x.numel());
  const out = Tensor._fromStorage(s, x.shape, dtype);
  x.backend.copy(s, out.layout, x._storage, x.layout);
  return isFloating(dtype) ? record('cast', [x], out) : out;
}

// ---- unary ----------------------------------------------------------------

/** Which tensors each differentiable unary op saves for its gradient rule. */
type Save = 'none' | 'input' | 'output';

function unary(op: UnaryOp & string, save: Save, floatOnly: boolean) {
  return (x: Tensor, ...extra: unknown[]): Tensor => {
    if (!(x instanceof Tensor) || extra.length) checkArgs(op, [x, ...extra], { x: 'tensor' });
    let input = x;
    if (floatOnly && !isFloating(x.dtype)) input = cast(x, 'float32');
    const out = Tensor._fromStorage(input.backend.unary(op, input._storage, input.layout, input.dtype), input.shape, input.dtype);
    if (!isFloating(out.dtype)) return out;
    const saved = save === 'input' ? [input] : save === 'output' ? [out] : [];
    return record(op as Parameters<typeof record>[0], [input], out, saved);
  };
}

/**
 * Elementwise negation `-x` (same shape and dtype). Like torch.neg.
 * @example tg.neg(tg.tensor([1, -2])) // [-1, 2]
 */
export const neg = unary('neg', 'none', false);
/**
 * Elementwise absolute value `|x|` (same shape and dtype; the gradient at 0 is 0). Like torch.abs.
 * @example tg.abs(tg.tensor([-1.5, 2])) // [1.5, 2]
 */
export const abs = unary('abs', 'input', false);
/**
 * Elementwise sign: -1, 0 or 1 (same shape and dtype; zero gradient). Like torch.sign.
 * @example tg.sign(tg.tensor([-3, 0, 2])) // [-1, 0, 1]
 */
export const sign = unary('sign', 'none', false);
/**
 * Elementwise `e^x` (same shape; integer inputs are cast to float32). Like torch.exp.
 * @example tg.exp(tg.tensor([0, 1])) // [1, 2.718...]
 */
export const exp = unary('exp', 'output', true);
/**
 * Elementwise `e^x - 1`, accurate for small x (same shape; integer inputs are cast to float32). Like torch.expm1.
 * @example tg.expm1(tg.tensor([1e-8])) // [1e-8]
 */
export const expm1 = unary('expm1', 'output', true);
/**
 * Elementwise natural logarithm (same shape; integer inputs are cast to float32; log 0 = -Infinity, negative -> NaN). Like torch.log.
 * @example tg.log(tg.tensor([1, Math.E])) // [0, 1]
 */
export const log = unary('log', 'input', true);
/**
 * Elementwise `log(1 + x)`, accurate for small x (same shape; integer inputs are cast to float32). Like torch.log1p.
 * @example tg.log1p(tg.tensor([0, 1e-8])) // [0, 1e-8]
 */
export const log1p = unary('log1p', 'input', true);
/**
 * Elementwise square root (same shape; integer inputs are cast to float32; negative -> NaN). Like torch.sqrt.
 * @example tg.sqrt(tg.tensor([4, 9])) // [2, 3]
 */
export const sqrt = unary('sqrt', 'output', true);
/**
 * Elementwise reciprocal square root `1 / sqrt(x)` (same shape; integer inputs are cast to float32). Like torch.rsqrt.
 * @example tg.rsqrt(tg.tensor([4, 16])) // [0.5, 0.25]
 */
export const rsqrt = unary('rsqrt', 'output', true);
/**
 * Elementwise `1 / x` (same shape; integer inputs are cast to float32). Like torch.reciprocal.
 * @example tg.reciprocal(tg.tensor([2, 4])) // [0.5, 0.25]
 */
export const reciprocal = unary('reciprocal', 'output', true);
/**
 * Elementwise sine, x in radians (same shape; integer inputs are cast to float32). Like torch.sin.
 * @example tg.sin(tg.tensor([0, Math.PI / 2])) // [0, 1]
 */
export const sin = unary('sin', 'input', true);
/**
 * Elementwise cosine, x in radians (same shape; integer inputs are cast to float32). Like torch.cos.
 * @example tg.cos(tg.tensor([0, Math.PI])) // [1, -1]
 */
export const cos = unary('cos', 'input', true);
export const tanh = unary('tanh', 'output', true);
export const sigmoid = unary('sigmoid', 'output', true);
export const relu = unary('relu', 'output', false);
/**
 * Elementwise Gauss error function (same shape; integer inputs are cast to float32). Like torch.erf.
 * @example tg.erf(tg.tensor([0, 1])) // [0, 0.8427]
 */
export const erf = unary('erf', 'input', true);
/**
 * Elementwise round down to an integer value (same shape and dtype; zero gradient). Like torch.floor.
 * @example tg.floor(tg.tensor([1.7, -1.2])) // [1, -2]
 */
export const floor = unary('floor', 'none', false);
/**
 * Elementwise round up to an integer value (same shape and dtype; zero gradient). Like torch.ceil.
 * @example tg.ceil(tg.tensor([1.2, -1.7])) // [2, -1]
 */
export const ceil = unary('ceil', 'none', false);
/**
 * Elementwise round to the nearest integer value (same shape and dtype; zero gradient). Like torch.round.
 * @example tg.round(tg.tensor([1.4, 2.6])) // [1, 3]
 */
export const round = unary('round', 'none', false);
/** tan x (gradient g (1 + tan² x)). @example tg.tan(tg.tensor([0.5])) */
export const tan = unary('tan', 'output', true);
/** atan x, in (-π/2, π/2) (gradient g / (1 + x²)). @example tg.atan(tg.tensor([1])) // [π/4] */
export const atan = unary('atan', 'input', true);
/** Base-2 logarithm (its own kernel: log x / ln 2 would not round like PyTorch's). @example tg.log2(tg.tensor([8])) // [3] */
export const log2 = unary('log2', 'input', true);
/** Base-10 logarithm. @example tg.log10(tg.tensor([100])) // [2] */
export const log10 = unary('log10', 'input', true);

/**
 * Elementwise logical NOT (zero is false, nonzero true): a bool tensor of the same shape. Like torch.logical_not.
 * @example tg.logicalNot(tg.tensor([0, 2])) // [true, false]
 */
export function logicalNot(x: Tensor): Tensor {
  checkArgs('logicalNot', arguments, { x: 'tensor' });
  return Tensor._fromStorage(x.backend.unary('logicalNot', x._storage, x.layout, 'bool'), x.shape, 'bool');
}

/**
 * Elementwise `x * x` (same shape and dtype). Like torch.square.
 * @example tg.square(tg.tensor([-2, 3])) // [4, 9]
 */
export function square(x: Tensor): Tensor {
  checkArgs('square', arguments, { x: 'tensor' });
  return mul(x, x);
}

// ---- binary ---------------------------------------------------------------

/** How a binary op picks its dtypes: promote operands; force floating (true division); or compare to bool. */
type Kind = 'promote' | 'float' | 'compare' | 'logical';

function operandDtype(op: string, a: TensorLike, b: TensorLike, kind: Kind): DType {
  const ta = a instanceof Tensor ? a : null;
  const tb = b instanceof Tensor ? b : null;
  if (!ta && !tb) throw new TensorError(`${op}: at least one operand must be a Tensor`);
  let dt: DType;
  if (ta && tb) dt = promoteTypes(ta.dtype, tb.dtype);
  else dt = promoteWithScalar((ta ?? tb)!.dtype, (ta ? b : a) as number | boolean);
  if (kind === 'float' && !isFloating(dt)) dt = 'float32';
  if (kind === 'logical') dt = 'bool';
  return dt;
}

function binary(op: BinaryOp & string, kind: Kind, save: (a: Tensor, b: Tensor, out: Tensor) => Tensor[]) {
  return (a: TensorLike, b: TensorLike, ...extra: unknown[]): Tensor => {
    if (extra.length || !(a instanceof Tensor && (b instanceof Tensor || typeof b === 'number'))) {
      checkArgs(op, [a, b, ...extra], { a: 'tensorLike', b: 'tensorLike' });
    }
    const dt = operandDtype(op, a, b, kind);
    const like = (a instanceof Tensor ? a : b) as Tensor;
    const ta = cast(asTensor(a, like, dt), dt);
    const tb = cast(asTensor(b, like, dt), dt);
    const backend = sameBackend(op, ta, tb);
    const shape = broadcastShapes(op, ta.shape, tb.shape);
    const outDtype: DType = kind === 'compare' || kind === 'logical' ? 'bool' : dt;
    const s = backend.binary(op, ta._storage, broadcastLayout(ta, shape), tb._storage, broadcastLayout(tb, shape), outDtype);
    const out = Tensor._fromStorage(s, shape, outDtype);
    if (!isFloating(outDtype)) return out;
    return record(op as Parameters<typeof record>[0], [ta, tb], out, save(ta, tb, out));
  };
}

const none = (): Tensor[] => [];

/**
 * ReLU's backward in one kernel: g where x > 0, else 0 (g and x of the same
 * shape and floating dtype). Not recorded: it only runs inside backward.
 */
export function reluBackwardPrim(g: Tensor, x: Tensor): Tensor {
  const backend = sameBackend('relu backward', g, x);
  const s = backend.binary('reluBackward', g._storage, g.layout, x._storage, x.layout, g.dtype);
  return Tensor._fromStorage(s, g.shape, g.dtype);
}
const addPrim = binary('add', 'promote', none);
const subPrim = binary('sub', 'promote', none);
/**
 * Elementwise product `a * b` with broadcasting (`[2, 3] * [3] -> [2, 3]`); either side may be a number; dtypes promote as in PyTorch. Like torch.mul.
 * @example tg.mul(tg.tensor([1, 2]), 3) // [3, 6]
 */
export const mul = binary('mul', 'promote', (a, b) => [a, b]);
/**
 * Elementwise true division `a / b` with broadcasting; either side may be a number; the result is floating (integers give float32). Like torch.div.
 * @example tg.div(tg.tensor([1, 3]), 2) // [0.5, 1.5]
 */
export const div = binary('div', 'float', (_a, b, out) => [b, out]);
/**
 * Elementwise power `a ** b` with broadcasting; either side may be a number; dtypes promote as in PyTorch. Like torch.pow.
 * @example tg.pow(tg.tensor([2, 3]), 2) // [4, 9]
 */
export const pow = binary('pow', 'promote', (a, b, out) => [a, b, out]);
/**
 * Elementwise maximum of `a` and `b` with broadcasting (ties share the gradient). Like torch.maximum.
 * @example tg.maximum(tg.tensor([1, 5]), tg.tensor([3, 2])) // [3, 5]
 */
export const maximum = binary('maximum', 'promote', (a, b) => [a, b]);
/**
 * Elementwise minimum of `a` and `b` with broadcasting (ties share the gradient). Like torch.minimum.
 * @example tg.minimum(tg.tensor([1, 5]), tg.tensor([3, 2])) // [1, 2]
 */
export const minimum = binary('minimum', 'promote', (a, b) => [a, b]);
/**
 * atan2(a, b): the angle of the point (b, a), in [-π, π], with the quadrant
 * from both signs; broadcasting, floating result. Gradients b/(a²+b²), -a/(a²+b²).
 * @example tg.atan2(tg.tensor([1]), tg.tensor([-1]))  // [3π/4]
 */
export const atan2 = binary('atan2', 'float', (a, b) => [a, b]);
/**
 * Elementwise `a == b` with broadcasting: a bool tensor of the broadcast shape. Like torch.eq.
 * @example tg.eq(tg.tensor([1, 2]), 2) // [false, true]
 */
export const eq = binary('eq', 'compare', none);
/**
 * Elementwise `a != b` with broadcasting: a bool tensor of the broadcast shape. Like torch.ne.
 * @example tg.ne(tg.tensor([1, 2]), 2) // [true, false]
 */
export const ne = binary('ne', 'compare', none);
/**
 * Elementwise `a < b` with broadcasting: a bool tensor of the broadcast shape. Like torch.lt.
 * @example tg.lt(tg.tensor([1, 2]), 2) // [true, false]
 */
export const lt = binary('lt', 'compare', none);
/**
 * Elementwise `a <= b` with broadcasting: a bool tensor of the broadcast shape. Like torch.le.
 * @example tg.le(tg.tensor([1, 3]), 2) // [true, false]
 */
export const le = binary('le', 'compare', none);
/**
 * Elementwise `a > b` with broadcasting: a bool tensor of the broadcast shape. Like torch.gt.
 * @example tg.gt(tg.tensor([1, 3]), 2) // [false, true]
 */
export const gt = binary('gt', 'compare', none);
/**
 * Elementwise `a >= b` with broadcasting: a bool tensor of the broadcast shape. Like torch.ge.
 * @example tg.ge(tg.tensor([1, 2]), 2) // [false, true]
 */
export const ge = binary('ge', 'compare', none);
/**
 * Elementwise logical AND (nonzero is true) with broadcasting: a bool tensor of the broadcast shape. Like torch.logical_and.
 * @example tg.logicalAnd(tg.tensor([true, true]), tg.tensor([true, false])) // [true, false]
 */
export const logicalAnd = binary('logicalAnd', 'logical', none);
/**
 * Elementwise logical OR (nonzero is true) with broadcasting: a bool tensor of the broadcast shape. Like torch.logical_or.
 * @example tg.logicalOr(tg.tensor([true, false]), tg.tensor([false, false])) // [true, false]
 */
export const logicalOr = binary('logicalOr', 'logical', none);

/**
 * Elementwise `a + alpha * b` with broadcasting (`[2, 3] + [3] -> [2, 3]`); either side may be a number;
 * dtypes promote as in PyTorch. `alpha` defaults to 1. Like torch.add.
 * @example tg.add(tg.tensor([1, 2]), tg.tensor([10, 20]), 2) // [21, 42]
 */
export function add(a: TensorLike, b: TensorLike, alpha?: number): Tensor {
  checkArgs('add', arguments, { a: 'tensorLike', b: 'tensorLike', alpha: 'number?' });
  return addPrim(a, alpha === undefined || alpha === 1 ? b : mul(b, alpha));
}

/**
 * Elementwise `a - alpha * b` with broadcasting; either side may be a number; dtypes promote as in
 * PyTorch. `alpha` defaults to 1. Like torch.sub.
 * @example tg.sub(tg.tensor([5, 5]), tg.tensor([1, 2])) // [4, 3]
 */
export function sub(a: TensorLike, b: TensorLike, alpha?: number): Tensor {
  checkArgs('sub', arguments, { a: 'tensorLike', b: 'tensorLike', alpha: 'number?' });
  return subPrim(a, alpha === undefined || alpha === 1 ? b : mul(b, alpha));
}

/**
 * `condition ? a : b` elementwise with broadcasting; condition must be bool.
 * @example const x = tg.tensor([-1, 2]); tg.where(x.gt(0), x, 0)  // relu: [0, 2]
 */
export function where(condition: Tensor, a: TensorLike, b: TensorLike): Tensor {
  checkArgs('where', arguments, { condition: 'any', a: 'tensorLike', b: 'tensorLike' });
  if (!(condition instanceof Tensor) || condition.dtype !== 'bool') {
    throw new TensorError(`where: condition must be a bool tensor (got ${condition instanceof Tensor ? condition.dtype : typeof condition})`);
  }
  const dt = operandDtype('where', a, b, 'promote');
  const ta = cast(asTensor(a, condition, dt), dt);
  const tb = cast(asTensor(b, condition, dt), dt);
  const backend = sameBackend('where', condition, ta, tb);
  const shape = broadcastShapes('where', condition.shape, ta.shape, tb.shape);
  const s = backend.where(
    condition._storage, broadcastLayout(condition, shape),
    ta._storage, broadcastLayout(ta, shape), tb._storage, broadcastLayout(tb, shape), dt,
  );
  const out = Tensor._fromStorage(s, shape, dt);
  return isFloating(dt) ? record('where', [condition, ta, tb], out, [condition]) : out;
}

/**
 * Clamps into [min, max] (either bound may be omitted or null, not both; numbers or tensors
 * that broadcast). Same shape as `x`. The gradient is 1 inside the closed interval and 0
 * outside, as in PyTorch. Throws a TensorError if neither bound is given or min > max. Like torch.clamp.
 * @example tg.clamp(tg.tensor([-2, 0.5, 3]), 0, 1) // [0, 0.5, 1]
 */
export function clamp(x: Tensor, min?: number | Tensor | null, max?: number | Tensor | null): Tensor {
  checkArgs('clamp', arguments, { x: 'tensor', min: 'tensorLike?', max: 'tensorLike?' });
  if (min == null && max == null) throw new TensorError('clamp: at least one of min and max must be given');
  if (typeof min === 'number' && typeof max === 'number' && min > max) {
    throw new TensorError(`clamp: min (${min}) must not exceed max (${max})`);
  }
  let y = x;
  if (min != null) y = where(lt(y, min), min, y);
  if (max != null) y = where(gt(y, max), max, y);
  return y;
}

/**
 * True when `|a - b| <= atol + rtol * |b|` everywhere (shapes broadcast; NaNs are never close).
 * Defaults rtol 1e-5, atol 1e-8. Reads the data back (synchronous). Like torch.allclose.
 * @example tg.allclose(tg.tensor([1, 2]), tg.tensor([1, 2.000001])) // true
 */
export function allclose(a: Tensor, b: Tensor, rtol = 1e-5, atol = 1e-8): boolean {
  checkArgs('allclose', arguments, { a: 'tensor', b: 'tensor', rtol: 'finite?', atol: 'finite?' });
  const da = a.expand(broadcastShapes('allclose', a.shape, b.shape)).data();
  const db = b.expand(broadcastShapes('allclose', a.shape, b.shape)).data();
  for (let i = 0; i < da.length; i++) {
    const x = da[i]!, y = db[i]!;
    if (x === y) continue;
    if (!(Math.abs(x - y) <= atol + rtol * Math.abs(y))) return false;
  }
  return true;
}
