/**
 * ONNX comparison, logic and selection ops: Greater, Less, GreaterOrEqual,
 * LessOrEqual (Equal lives with the arithmetic), Not, And, Or, Xor, Where,
 * ArgMax, ArgMin. Comparisons give bool values (host arrays of kind 'bool'
 * when both sides are host arrays, bool tensors otherwise); Where's gradient
 * reaches both branches, never the condition; ArgMax/ArgMin give int tensors.
 * @example Where(Greater(x, 0), x, 0.1 * x)   // a leaky relu
 */
import { TensorError, fmtShape } from '../../core/errors.js';
import * as E from '../../ops/elementwise.js';
import { flip } from '../../ops/movement.js';
import { argmax, argmin } from '../../ops/reduce.js';
import type { Tensor } from '../../tensor/tensor.js';
import { broadcastShapes, host, HostArray, hostBinary, product } from './host.js';
import { axisOf, guard, isHost, need, toTensor, type OpContext, type OpFn, type Value } from './values.js';

/** A value as a bool tensor (host arrays and numeric tensors: nonzero is true). */
function boolTensor(v: Value, what: string, ctx: OpContext): Tensor {
  const t = toTensor(v);
  if (t.dtype === 'bool') return t;
  if (isHost(v) && v.kind !== 'bool') throw new TensorError(`${ctx.where}: ${what} must be bool (got a ${v.kind} constant of shape ${fmtShape(v.shape)})`);
  if (!isHost(v)) throw new TensorError(`${ctx.where}: ${what} must be bool (got ${t.dtype} of shape ${fmtShape(t.shape)})`);
  return E.cast(t, 'bool');
}

/** A comparison: host math on two host arrays, else a bool tensor (float/int operands promoted as in math ops). */
function compare(tensorFn: (a: Tensor, b: Tensor) => Tensor, hostFn: (x: number, y: number) => boolean): OpFn {
  return (inputs, ctx) => {
    const a = need(inputs, 0, 'A', ctx), b = need(inputs, 1, 'B', ctx);
    if (isHost(a) && isHost(b)) return [hostBinary(ctx.where, a, b, (x, y) => (hostFn(x, y) ? 1 : 0), 'bool')];
    guard(ctx, broadcastShapes(ctx.where, a.shape, b.shape));
    const like = (isHost(a) ? b : a) as Tensor;
    let ta = toTensor(a, like), tb = toTensor(b, like);
    if (ta.dtype !== tb.dtype) [ta, tb] = [E.cast(ta, 'float32'), E.cast(tb, 'float32')];
    return [tensorFn(ta, tb)];
  };
}

/** A logical op on bool values. */
function logical(tensorFn: (a: Tensor, b: Tensor) => Tensor, hostFn: (x: boolean, y: boolean) => boolean): OpFn {
  return (inputs, ctx) => {
    const a = need(inputs, 0, 'A', ctx), b = need(inputs, 1, 'B', ctx);
    if (isHost(a) && isHost(b)) return [hostBinary(ctx.where, a, b, (x, y) => (hostFn(x !== 0, y !== 0) ? 1 : 0), 'bool')];
    guard(ctx, broadcastShapes(ctx.where, a.shape, b.shape));
    return [tensorFn(boolTensor(a, 'A', ctx), boolTensor(b, 'B', ctx))];
  };
}

const Not: OpFn = (inputs, ctx) => {
  const x = need(inputs, 0, 'X', ctx);
  if (isHost(x)) return [new HostArray(x.shape, x.data.map((v) => (v ? 0 : 1)), 'bool')];
  return [E.logicalNot(boolTensor(x, 'X', ctx))];
};

const Where: OpFn = (inputs, ctx) => {
  const c = need(inputs, 0, 'condition', ctx), a = need(inputs, 1, 'X', ctx), b = need(inputs, 2, 'Y', ctx);
  const shape = broadcastShapes(ctx.where, broadcastShapes(ctx.where, c.shape, a.shape), b.shape);
  if (isHost(c) && isHost(a) && isHost(b)) {
    // Broadcast each operand to the output on the host, then pick.
    const zeros = host(shape, new Float64Array(product(shape)), 'int');
    const [cc, aa, bb] = [c, a, b].map((v) => hostBinary(ctx.where, v, zeros, (x) => x, v.kind));
    const kind = a.kind === b.kind ? a.kind : 'float';
    return [new HostArray(shape, cc!.data.map((v, i) => (v ? aa!.data[i]! : bb!.data[i]!)), kind)];
  }
  guard(ctx, shape);
  const like = [a, b].find((v): v is Tensor => !isHost(v));
  let ta = toTensor(a, like), tb = toTensor(b, like);
  if (ta.dtype !== tb.dtype) {
    const float = [ta, tb].find((t) => t.dtype === 'float32' || t.dtype === 'float64');
    if (!float) throw new TensorError(`${ctx.where}: X (${ta.dtype}) and Y (${tb.dtype}) have different types`);
    [ta, tb] = [E.cast(ta, float.dtype), E.cast(tb, float.dtype)];
  }
  return [E.where(boolTensor(c, 'condition', ctx), ta, tb)];
};

/** ArgMax/ArgMin along `axis`; select_last_index=1 picks the last of equal values (by flipping the axis). */
function argReduce(fn: typeof argmax): OpFn {
  return (inputs, ctx) => {
    const x = toTensor(need(inputs, 0, 'data', ctx));
    if (x.dtype === 'bool') throw new TensorError(`${ctx.where}: data must be numeric (got bool)`);
    const axis = axisOf(ctx.attrs.int('axis', 0), x.ndim, ctx);
    const keep = ctx.attrs.int('keepdims', 1) === 1;
    if (x.shape[axis] === 0) throw new TensorError(`${ctx.where}: cannot reduce the empty axis ${axis} of ${fmtShape(x.shape)}`);
    if (ctx.attrs.int('select_last_index', 0) !== 1) return [fn(x, axis, keep)];
    // Index in the flipped tensor k is index n - 1 - k in x; the first in the flip is the last in x.
    const k = fn(flip(x, axis), axis, keep);
    return [E.sub(x.shape[axis]! - 1, k)];
  };
}

export const LOGIC_OPS: Record<string, OpFn> = {
  Greater: compare(E.gt, (x, y) => x > y),
  Less: compare(E.lt, (x, y) => x < y),
  GreaterOrEqual: compare(E.ge, (x, y) => x >= y),
  LessOrEqual: compare(E.le, (x, y) => x <= y),
  Not,
  And: logical(E.logicalAnd, (x, y) => x && y),
  Or: logical(E.logicalOr, (x, y) => x || y),
  Xor: logical(E.ne, (x, y) => x !== y),
  Where,
  ArgMax: argReduce(argmax),
  ArgMin: argReduce(argmin),
};
