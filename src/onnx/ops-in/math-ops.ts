/**
 * ONNX elementwise and reduction ops: Add, Sub, Mul, Div, Pow, Max, Min, Sum,
 * Mean, Equal, Sqrt, Exp, Log, Neg, Abs, Sign, Erf, Reciprocal, Floor, Ceil,
 * Round, Sin, Cos, Tan, Atan, Clip, MatMul, Gemm,
 * ReduceMean/Sum/Max/Min/Prod/L1/L2/SumSquare/LogSum/LogSumExp. All-host inputs compute on the host (shape
 * arithmetic, with ONNX's integer division); otherwise host operands become
 * constant tensors and the op is recorded for autograd.
 */
import { TensorError, fmtShape } from '../../core/errors.js';
import * as E from '../../ops/elementwise.js';
import { linear, matmul } from '../../ops/linalg.js';
import { transpose } from '../../ops/movement.js';
import { amax, amin, logsumexp, mean, prod, sum } from '../../ops/reduce.js';
import type { Tensor } from '../../tensor/tensor.js';
import { broadcastShapes, HostArray, hostBinary, hostReduce } from './host.js';
import { axesArg, axisOf, floatTensor, guard, isHost, need, scalarOf, toTensor, type OpContext, type OpFn, type Value } from './values.js';

type Binary = (a: Tensor, b: Tensor) => Tensor;

/** A broadcasting binary op: host math when both are host arrays, tensor op otherwise. */
function binary(tensorFn: Binary, hostFn: (x: number, y: number, ints: boolean) => number, resultKind?: 'bool'): OpFn {
  return (inputs, ctx) => {
    const a = need(inputs, 0, 'A', ctx), b = need(inputs, 1, 'B', ctx);
    if (isHost(a) && isHost(b)) {
      const ints = a.kind !== 'float' && b.kind !== 'float';
      return [hostBinary(ctx.where, a, b, (x, y) => hostFn(x, y, ints), resultKind ?? (ints ? 'int' : 'float'))];
    }
    guard(ctx, broadcastShapes(ctx.where, a.shape, b.shape));
    const like = (isHost(a) ? b : a) as Tensor;
    return [tensorFn(toTensor(a, like), toTensor(b, like))];
  };
}

/** Variadic Max/Min (pairwise, broadcasting). */
function variadic(tensorFn: Binary, hostFn: (x: number, y: number) => number): OpFn {
  const pair = binary(tensorFn, hostFn);
  return (inputs, ctx) => {
    const vs = inputs.filter((v): v is Value => v !== undefined);
    if (!vs.length) throw new TensorError(`${ctx.where}: needs at least one input`);
    return [vs.reduce((acc, v) => pair([acc, v], ctx)[0]!)];
  };
}

/** A unary op; `hostFn` (when given) keeps host arrays on the host. */
function unary(tensorFn: (x: Tensor) => Tensor, hostFn?: (x: number) => number): OpFn {
  return (inputs, ctx) => {
    const x = need(inputs, 0, 'X', ctx);
    if (isHost(x) && hostFn) return [new HostArray(x.shape, x.data.map(hostFn), x.kind)];
    return [tensorFn(floatOrAny(x, ctx))];
  };
}

const floatOrAny = (x: Value, ctx: OpContext): Tensor => (isHost(x) && x.kind === 'float' ? toTensor(x) : isHost(x) ? floatTensor(toTensor(x).to('float32'), 'X', ctx) : x);

/** ONNX integer division truncates toward zero. */
const div = (x: number, y: number, ints: boolean) => {
  if (!ints) return x / y;
  if (y === 0) throw new TensorError('Div: integer division by zero');
  return Math.trunc(x / y);
};

const Clip: OpFn = (inputs, ctx) => {
  const x = need(inputs, 0, 'input', ctx);
  let lo: number | undefined, hi: number | undefined;
  if (ctx.opset < 11) {
    lo = ctx.attrs.has('min') ? ctx.attrs.float('min', 0) : undefined;
    hi = ctx.attrs.has('max') ? ctx.attrs.float('max', 0) : undefined;
  } else {
    lo = inputs[1] === undefined ? undefined : scalarOf(inputs[1], 'min', ctx);
    hi = inputs[2] === undefined ? undefined : scalarOf(inputs[2], 'max', ctx);
  }
  if (isHost(x)) return [new HostArray(x.shape, x.data.map((v) => Math.min(Math.max(v, lo ?? -Infinity), hi ?? Infinity)), x.kind)];
  if (lo === undefined && hi === undefined) return [x]; // ONNX allows Clip with neither bound: the identity
  return [E.clamp(x, lo ?? null, hi ?? null)];
};

const MatMul: OpFn = (inputs, ctx) => {
  const a = need(inputs, 0, 'A', ctx), b = need(inputs, 1, 'B', ctx);
  if (a.shape.length >= 2 && b.shape.length >= 2) guard(ctx, [...broadcastShapes(ctx.where, a.shape.slice(0, -2), b.shape.slice(0, -2)), a.shape.at(-2)!, b.shape.at(-1)!]);
  const like = (isHost(a) ? b : a) as Tensor;
  return [matmul(toTensor(a, like), toTensor(b, like))];
};

/** Y = alpha * A' * B' + beta * C, with A' = transA ? A^T : A (2-D), likewise B'. */
const Gemm: OpFn = (inputs, ctx) => {
  const a0 = floatTensor(need(inputs, 0, 'A', ctx), 'A', ctx);
  const b0 = toTensor(need(inputs, 1, 'B', ctx), a0);
  const c0 = inputs[2] === undefined ? undefined : toTensor(inputs[2], a0);
  const alpha = ctx.attrs.float('alpha', 1), beta = ctx.attrs.float('beta', 1);
  const transA = ctx.attrs.int('transA', 0), transB = ctx.attrs.int('transB', 0);
  if (a0.ndim !== 2 || b0.ndim !== 2) throw new TensorError(`${ctx.where}: A and B must be 2-D (got A ${fmtShape(a0.shape)}, B ${fmtShape(b0.shape)})`);
  // The common Linear layer: one fused matmul + bias, as nn.Linear runs it.
  if (!transA && transB && alpha === 1 && (c0 === undefined || (beta === 1 && c0.ndim === 1 && c0.shape[0] === b0.shape[0]))) {
    if (a0.shape[1] !== b0.shape[1]) throw new TensorError(`${ctx.where}: A ${fmtShape(a0.shape)} and B^T of B ${fmtShape(b0.shape)} do not multiply`);
    return [linear(a0, b0, c0 ?? null)];
  }
  const a = transA ? transpose(a0, 0, 1) : a0;
  const b = transB ? transpose(b0, 0, 1) : b0;
  let y = matmul(a, b);
  if (alpha !== 1) y = E.mul(y, alpha);
  if (c0 !== undefined && beta !== 0) y = E.add(y, beta === 1 ? c0 : E.mul(c0, beta));
  return [y];
};

type Reduce = { tensor: (x: Tensor, dims: number[], keep: boolean) => Tensor; init: number; step: (acc: number, x: number) => number; finish?: (acc: number, n: number) => number };

function reduce(r: Reduce): OpFn {
  return (inputs, ctx) => {
    const x = need(inputs, 0, 'data', ctx);
    const keep = ctx.attrs.int('keepdims', 1) === 1;
    const axes = axesArg(inputs, 1, ctx);
    const rank = x.shape.length;
    let dims: number[];
    if (!axes || axes.length === 0) {
      if (ctx.attrs.int('noop_with_empty_axes', 0) === 1) return [x];
      dims = x.shape.map((_, i) => i);
    } else dims = [...new Set(axes.map((a) => axisOf(a, rank, ctx)))].sort((p, q) => p - q);
    if (isHost(x)) return [hostReduce(ctx.where, x, dims, keep, r.init, r.step, r.finish)];
    if (dims.length === 0) return [x];
    return [r.tensor(x, dims, keep)];
  };
}

/** ONNX Round: halves go to the even neighbour (as numpy and PyTorch). */
function roundHalfEven(v: number): number {
  const r = Math.round(v);
  return Math.abs(v % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

const SUM = variadic((a, b) => E.add(a, b), (x, y) => x + y);

export const MATH_OPS: Record<string, OpFn> = {
  Add: binary((a, b) => E.add(a, b), (x, y) => x + y),
  Sub: binary((a, b) => E.sub(a, b), (x, y) => x - y),
  Mul: binary(E.mul, (x, y) => x * y),
  Div: binary(E.div, div),
  Pow: binary(E.pow, (x, y) => x ** y),
  Equal: binary(E.eq, (x, y) => (x === y ? 1 : 0), 'bool'),
  Max: variadic(E.maximum, Math.max),
  Min: variadic(E.minimum, Math.min),
  Sum: SUM,
  Mean: (inputs, ctx) => {
    const n = inputs.filter((v) => v !== undefined).length;
    const total = SUM(inputs, ctx)[0]!;
    return isHost(total) ? [new HostArray(total.shape, total.data.map((v) => v / n), 'float')] : [E.div(total, n)];
  },
  Sqrt: unary(E.sqrt, Math.sqrt),
  Exp: unary(E.exp, Math.exp),
  Log: unary(E.log, Math.log),
  Neg: unary(E.neg, (v) => -v),
  Abs: unary(E.abs, Math.abs),
  Reciprocal: unary(E.reciprocal, (v) => 1 / v),
  Floor: unary(E.floor, Math.floor),
  Round: unary(E.round, roundHalfEven),
  Ceil: unary(E.ceil, Math.ceil),
  Erf: unary(E.erf),
  Sign: unary(E.sign, Math.sign),
  Sin: unary(E.sin, Math.sin),
  Cos: unary(E.cos, Math.cos),
  Tan: unary(E.tan, Math.tan),
  Atan: unary(E.atan, Math.atan),
  Clip,
  MatMul,
  Gemm,
  ReduceMean: reduce({ tensor: (x, d, k) => mean(x, d, k), init: 0, step: (a, v) => a + v, finish: (a, n) => a / n }),
  ReduceSum: reduce({ tensor: (x, d, k) => sum(x, d, k), init: 0, step: (a, v) => a + v }),
  ReduceMax: reduce({ tensor: (x, d, k) => amax(x, d, k), init: -Infinity, step: Math.max }),
  ReduceMin: reduce({ tensor: (x, d, k) => amin(x, d, k), init: Infinity, step: Math.min }),
  ReduceProd: reduce({ tensor: (x, d, k) => prod(x, d, k), init: 1, step: (a, v) => a * v }),
  ReduceL1: reduce({ tensor: (x, d, k) => sum(E.abs(x), d, k), init: 0, step: (a, v) => a + Math.abs(v) }),
  ReduceL2: reduce({ tensor: (x, d, k) => E.sqrt(sum(E.mul(x, x), d, k)), init: 0, step: (a, v) => a + v * v, finish: Math.sqrt }),
  ReduceSumSquare: reduce({ tensor: (x, d, k) => sum(E.mul(x, x), d, k), init: 0, step: (a, v) => a + v * v }),
  ReduceLogSum: reduce({ tensor: (x, d, k) => E.log(sum(x, d, k)), init: 0, step: (a, v) => a + v, finish: Math.log }),
  ReduceLogSumExp: reduce({ tensor: (x, d, k) => logsumexp(x, d, k), init: 0, step: (a, v) => a + Math.exp(v), finish: Math.log }),
};
