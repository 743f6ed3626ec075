import type { Backend, BinaryOp, UnaryOp } from '../backend/backend.js';
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
  const s = x.backend.alloc(dtype, x.numel());
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

export const neg = unary('neg', 'none', false);
export const abs = unary('abs', 'input', false);
export const sign = unary('sign', 'none', false);
export const exp = unary('exp', 'output', true);
export const expm1 = unary('expm1', 'output', true);
export const log = unary('log', 'input', true);
export const log1p = unary('log1p', 'input', true);
export const sqrt = unary('sqrt', 'output', true);
export const rsqrt = unary('rsqrt', 'output', true);
export const reciprocal = unary('reciprocal', 'output', true);
export const sin = unary('sin', 'input', true);
export const cos = unary('cos', 'input', true);
export const tanh = unary('tanh', 'output', true);
export const sigmoid = unary('sigmoid', 'output', true);
export const relu = unary('relu', 'output', false);
export const erf = unary('erf', 'input', true);
export const floor = unary('floor', 'none', false);
export const ceil = unary('ceil', 'none', false);
export const round = unary('round', 'none', false);
/** tan x (gradient g (1 + tan² x)). @example tg.tan(tg.tensor([0.5])) */
export const tan = unary('tan', 'output', true);
/** atan x, in (-π/2, π/2) (gradient g / (1 + x²)). @example tg.atan(tg.tensor([1])) // [π/4] */
export const atan = unary('atan', 'input', true);
/** Base-2 logarithm (its own kernel: log x / ln 2 would not round like PyTorch's). @example tg.log2(tg.tensor([8])) // [3] */
export const log2 = unary('log2', 'input', true);
/** Base-10 logarithm. @example tg.log10(tg.tensor([100])) // [2] */
export const log10 = unary('log10', 'input', true);

export function logicalNot(x: Tensor): Tensor {
  checkArgs('logicalNot', arguments, { x: 'tensor' });
  return Tensor._fromStorage(x.backend.unary('logicalNot', x._storage, x.layout, 'bool'), x.shape, 'bool');
}

/** x * x. */
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
export const mul = binary('mul', 'promote', (a, b) => [a, b]);
export const div = binary('div', 'float', (_a, b, out) => [b, out]);
export const pow = binary('pow', 'promote', (a, b, out) => [a, b, out]);
export const maximum = binary('maximum', 'promote', (a, b) => [a, b]);
export const minimum = binary('minimum', 'promote', (a, b) => [a, b]);
/**
 * atan2(a, b): the angle of the point (b, a), in [-π, π], with the quadrant
 * from both signs; broadcasting, floating result. Gradients b/(a²+b²), -a/(a²+b²).
 * @example tg.atan2(tg.tensor([1]), tg.tensor([-1]))  // [3π/4]
 */
export const atan2 = binary('atan2', 'float', (a, b) => [a, b]);
export const eq = binary('eq', 'compare', none);
export const ne = binary('ne', 'compare', none);
export const lt = binary('lt', 'compare', none);
export const le = binary('le', 'compare', none);
export const gt = binary('gt', 'compare', none);
export const ge = binary('ge', 'compare', none);
export const logicalAnd = binary('logicalAnd', 'logical', none);
export const logicalOr = binary('logicalOr', 'logical', none);

/** a + alpha * b, broadcasting. */
export function add(a: TensorLike, b: TensorLike, alpha?: number): Tensor {
  checkArgs('add', arguments, { a: 'tensorLike', b: 'tensorLike', alpha: 'number?' });
  return addPrim(a, alpha === undefined || alpha === 1 ? b : mul(b, alpha));
}

/** a - alpha * b, broadcasting. */
export function sub(a: TensorLike, b: TensorLike, alpha?: number): Tensor {
  checkArgs('sub', arguments, { a: 'tensorLike', b: 'tensorLike', alpha: 'number?' });
  return subPrim(a, alpha === undefined || alpha === 1 ? b : mul(b, alpha));
}

/**
 * `condition ? a : b` elementwise with broadcasting; condition must be bool.
 * @example tg.where(x.gt(0), x, 0)  // relu
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
 * Clamps into [min, max] (either bound may be omitted). The gradient is 1 inside
 * the closed interval and 0 outside, as in PyTorch.
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

/** True when |a - b| <= atol + rtol * |b| everywhere (NaNs are never close). */
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
