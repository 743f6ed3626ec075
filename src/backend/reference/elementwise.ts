import type { BinaryOp, Layout, UnaryOp } from '../backend.js';
import type { DType, TypedArray } from '../../core/dtype.js';
import { typedArrayFor } from '../../core/dtype.js';
import { offsetsOf } from './storage.js';

type UnaryFn = (x: number) => number;
type BinaryFn = (a: number, b: number) => number;

/** Abramowitz-Stegun 7.1.26 is too coarse for gradcheck; this is W. J. Cody's rational erf (double precision). */
function erf(x: number): number {
  const ax = Math.abs(x);
  if (ax < 0.5) {
    // erf(x) = x * P(x^2)/Q(x^2)
    const t = x * x;
    const p = ((((0.1857777061846032 * t + 3.161123743870566) * t + 113.8641541510502) * t + 377.485237685302) * t + 3209.377589138469);
    const q = ((((t + 23.60129095234412) * t + 244.0246379344442) * t + 1282.616526077372) * t + 2844.236833439171);
    return (x * p) / q;
  }
  return Math.sign(x) * (1 - erfcPositive(ax));
}

/** erfc for x >= 0.5 (Cody's rational approximations). */
function erfcPositive(x: number): number {
  if (x < 4) {
    const p = [2.15311535474403846e-8, 5.64188496988670089e-1, 8.88314979438837594, 6.61191906371416295e1, 2.98635138197400131e2, 8.81952221241769090e2, 1.71204761263407058e3, 2.05107837782607147e3, 1.23033935479799725e3];
    const q = [1, 1.57449261107098347e1, 1.17693950891312499e2, 5.37181101862009858e2, 1.62138957456669019e3, 3.29079923573345963e3, 4.36261909014324716e3, 3.43936767414372164e3, 1.23033935480374942e3];
    let num = 0, den = 0;
    for (let i = 0; i < 9; i++) {
      num = num * x + p[i]!;
      den = den * x + q[i]!;
    }
    return Math.exp(-x * x) * (num / den);
  }
  if (x > 27) return 0;
  const p = [1.63153871373020978e-2, 3.05326634961232344e-1, 3.60344899949804439e-1, 1.25781726111229246e-1, 1.60837851487422766e-2, 6.58749161529837803e-4];
  const q = [1, 2.56852019228982242, 1.87295284992346725, 5.27905102951428412e-1, 6.05183413124413191e-2, 2.33520497626869185e-3];
  const z = 1 / (x * x);
  let num = 0, den = 0;
  for (let i = 0; i < 6; i++) {
    num = num * z + p[i]!;
    den = den * z + q[i]!;
  }
  const r = (z * num) / den;
  return (Math.exp(-x * x) / x) * (1 / Math.sqrt(Math.PI) - r);
}

/** Round half to even, like PyTorch's torch.round. */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

export const UNARY: Record<UnaryOp, UnaryFn> = {
  neg: (x) => -x,
  abs: Math.abs,
  sign: (x) => (x > 0 ? 1 : x < 0 ? -1 : x === 0 ? 0 : NaN),
  exp: Math.exp,
  log: Math.log,
  log1p: Math.log1p,
  expm1: Math.expm1,
  sqrt: Math.sqrt,
  rsqrt: (x) => 1 / Math.sqrt(x),
  reciprocal: (x) => 1 / x,
  sin: Math.sin,
  cos: Math.cos,
  tanh: Math.tanh,
  sigmoid: (x) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x))),
  relu: (x) => (x > 0 ? x : x === 0 || x < 0 ? 0 : x),
  erf,
  floor: Math.floor,
  ceil: Math.ceil,
  round: roundHalfEven,
  logicalNot: (x) => (x ? 0 : 1),
  tan: Math.tan,
  atan: Math.atan,
  log2: Math.log2,
  log10: Math.log10,
};

/** Integer division semantics follow PyTorch true division: ints divide as floats (the caller casts). */
export const BINARY: Record<BinaryOp, BinaryFn> = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => a / b,
  pow: Math.pow,
  atan2: Math.atan2,
  maximum: (a, b) => (a !== a || b !== b ? NaN : a > b ? a : b),
  minimum: (a, b) => (a !== a || b !== b ? NaN : a < b ? a : b),
  eq: (a, b) => (a === b ? 1 : 0),
  ne: (a, b) => (a !== b ? 1 : 0),
  lt: (a, b) => (a < b ? 1 : 0),
  le: (a, b) => (a <= b ? 1 : 0),
  gt: (a, b) => (a > b ? 1 : 0),
  ge: (a, b) => (a >= b ? 1 : 0),
  logicalAnd: (a, b) => (a && b ? 1 : 0),
  logicalOr: (a, b) => (a || b ? 1 : 0),
  reluBackward: (g, x) => (x > 0 ? g : 0),
};

/** out[i] = fn(x[view i]) into a fresh contiguous array. */
export function mapUnary(fn: UnaryFn, x: TypedArray, xl: Layout, outDtype: DType): TypedArray {
  const offs = offsetsOf(xl);
  const out = typedArrayFor(outDtype, offs.length);
  for (let i = 0; i < offs.length; i++) out[i] = fn(x[offs[i]!]!);
  return out;
}

/** out[i] = fn(a[view i], b[view i]); both layouts have the output shape. */
export function mapBinary(fn: BinaryFn, a: TypedArray, al: Layout, b: TypedArray, bl: Layout, outDtype: DType): TypedArray {
  const oa = offsetsOf(al);
  const ob = offsetsOf(bl);
  const out = typedArrayFor(outDtype, oa.length);
  for (let i = 0; i < oa.length; i++) out[i] = fn(a[oa[i]!]!, b[ob[i]!]!);
  return out;
}

export function mapWhere(
  c: TypedArray, cl: Layout, a: TypedArray, al: Layout, b: TypedArray, bl: Layout, outDtype: DType,
): TypedArray {
  const oc = offsetsOf(cl);
  const oa = offsetsOf(al);
  const ob = offsetsOf(bl);
  const out = typedArrayFor(outDtype, oc.length);
  for (let i = 0; i < oc.length; i++) out[i] = c[oc[i]!] ? a[oa[i]!]! : b[ob[i]!]!;
  return out;
}
