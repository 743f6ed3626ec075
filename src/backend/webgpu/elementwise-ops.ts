/**
 * What each elementwise op computes, as WGSL expressions over already-loaded
 * operands, following the reference backend (src/backend/reference/elementwise.ts)
 * value for value: the same NaN, signed-zero and integer conventions.
 *
 * Every op picks the type it computes in ("compute type"): f32 for floating
 * inputs and for ops that only make sense in floating point; i32 for integer
 * and bool inputs of integer-capable ops (wrapping, like int32 storage in the
 * reference); u32 0/1 for comparisons of bools and for logical ops.
 */
import type { BinaryOp, UnaryOp } from '../backend.js';
import type { DType } from '../../core/dtype.js';

export type WType = 'f32' | 'i32' | 'u32';

/** An op's WGSL: the compute type, the expression (over `a`, `b` of that type) and the math functions it needs. */
export interface OpCode {
  readonly type: WType;
  readonly expr: string;
  /** Type of `expr` (differs from `type` for comparisons and logical ops: u32 0/1). */
  readonly result: WType;
  readonly lib: readonly string[];
}

const isFloat = (d: DType): boolean => d === 'float32' || d === 'float64';

/** Unary ops that have an integer version (on int32/bool inputs); the rest compute in f32. */
const INT_UNARY: Partial<Record<UnaryOp, string>> = {
  neg: '-a',
  abs: 'abs(a)',
  sign: 'select(select(0, -1, a < 0), 1, a > 0)',
  relu: 'max(a, 0)',
  floor: 'a',
  ceil: 'a',
  round: 'a',
};

/** Float32 unary ops: [expression in `a`, math functions]. */
const FLOAT_UNARY: Record<Exclude<UnaryOp, 'logicalNot'>, [string, string[]]> = {
  neg: ['-a', []],
  abs: ['abs(a)', []],
  // NaN stays NaN; ±0 -> +0 (the reference's `x === 0 ? 0`).
  sign: ['select(select(select(0.0, -1.0, a < 0.0), 1.0, a > 0.0), a, isnan_(a))', ['base']],
  exp: ['exp_(a)', ['exp']],
  log: ['log_(a)', ['log']],
  log1p: ['log1p_(a)', ['log1p']],
  expm1: ['expm1_(a)', ['expm1']],
  sqrt: ['sqrt_(a)', ['sqrt']],
  rsqrt: ['recip_(sqrt_(a))', ['sqrt', 'recip']],
  reciprocal: ['recip_(a)', ['recip']],
  sin: ['sin_(a)', ['sincos']],
  cos: ['cos_(a)', ['sincos']],
  tan: ['tan_(a)', ['sincos']],
  atan: ['atan_(a)', ['atan']],
  tanh: ['tanh_(a)', ['tanh']],
  sigmoid: ['sigmoid_(a)', ['sigmoid']],
  // relu(NaN) = NaN, relu(-0) = +0.
  relu: ['select(0.0, a, a > 0.0 || isnan_(a))', ['base']],
  erf: ['erf_(a)', ['erf']],
  floor: ['floor(a)', []],
  ceil: ['ceil(a)', []],
  round: ['round_(a)', ['round']],
  log2: ['log2_(a)', ['log2']],
  log10: ['log10_(a)', ['log10']],
};

/**
 * "Is `v` (of WGSL type t) true": nonzero, and for floats also not NaN —
 * JavaScript truthiness, which the reference's logical ops use.
 */
export function truthy(v: string, t: WType): string {
  if (t === 'f32') return `(${v} != 0.0 && !isnan_(${v}))`;
  return t === 'i32' ? `(${v} != 0)` : `(${v} != 0u)`;
}

/** The code of a unary op on an input of dtype `x`. */
export function unaryCode(op: UnaryOp, x: DType, xType: WType): OpCode {
  if (op === 'logicalNot') return { type: xType, expr: `select(1u, 0u, ${truthy('a', xType)})`, result: 'u32', lib: xType === 'f32' ? ['base'] : [] };
  const int = INT_UNARY[op];
  if (!isFloat(x) && int !== undefined) return { type: 'i32', expr: int, result: 'i32', lib: [] };
  const [expr, lib] = FLOAT_UNARY[op];
  return { type: 'f32', expr, result: 'f32', lib };
}

const CMP: Partial<Record<BinaryOp, string>> = { eq: '==', ne: '!=', lt: '<', le: '<=', gt: '>', ge: '>=' };

/** The code of a binary op on inputs of dtypes `a` and `b`. */
export function binaryCode(op: BinaryOp, a: DType, b: DType): OpCode {
  const float = isFloat(a) || isFloat(b);
  const cmp = CMP[op];
  if (cmp !== undefined) {
    if (!float) {
      const t: WType = a === 'bool' && b === 'bool' ? 'u32' : 'i32';
      return { type: t, expr: `select(0u, 1u, a ${cmp} b)`, result: 'u32', lib: [] };
    }
    // NaN compares false except with ne; tested from the bits (drivers may assume no NaNs).
    const expr = op === 'ne' ? 'select(0u, 1u, isnan_(a) || isnan_(b) || a != b)' : `select(0u, 1u, !isnan_(a) && !isnan_(b) && a ${cmp} b)`;
    return { type: 'f32', expr, result: 'u32', lib: ['base'] };
  }
  if (op === 'logicalAnd' || op === 'logicalOr') {
    const t: WType = float ? 'f32' : a === 'bool' && b === 'bool' ? 'u32' : 'i32';
    const j = op === 'logicalAnd' ? '&&' : '||';
    return { type: t, expr: `select(0u, 1u, ${truthy('a', t)} ${j} ${truthy('b', t)})`, result: 'u32', lib: t === 'f32' ? ['base'] : [] };
  }
  if (!float) {
    const int = INT_BINARY[op];
    if (int !== undefined) return { type: 'i32', expr: int[0], result: 'i32', lib: int[1] };
  }
  const [expr, lib] = FLOAT_BINARY[op as keyof typeof FLOAT_BINARY];
  return { type: 'f32', expr, result: 'f32', lib };
}

/** Integer binary ops (int32 wraps like the reference's Int32Array stores); div and atan2 are floating. */
const INT_BINARY: Partial<Record<BinaryOp, [string, string[]]>> = {
  add: ['a + b', []],
  sub: ['a - b', []],
  mul: ['a * b', []],
  pow: ['ipow_(a, b)', ['ipow']],
  maximum: ['max(a, b)', []],
  minimum: ['min(a, b)', []],
  reluBackward: ['select(0, a, b > 0)', []],
};

const FLOAT_BINARY: Record<'add' | 'sub' | 'mul' | 'div' | 'pow' | 'atan2' | 'maximum' | 'minimum' | 'reluBackward', [string, string[]]> = {
  add: ['a + b', []],
  sub: ['a - b', []],
  mul: ['a * b', []],
  div: ['a / b', []],
  pow: ['pow_(a, b)', ['pow']],
  atan2: ['atan2_(a, b)', ['atan2']],
  // NaN if either is NaN; otherwise a > b ? a : b, so maximum(-0, +0) = +0 and maximum(+0, -0) = -0 as in the reference.
  maximum: ['select(select(b, a, a > b), nan_(), isnan_(a) || isnan_(b))', ['base']],
  minimum: ['select(select(b, a, a < b), nan_(), isnan_(a) || isnan_(b))', ['base']],
  // a where b > 0, else 0 (NaN b gives 0).
  reluBackward: ['select(0.0, a, b > 0.0 && !isnan_(b))', ['base']],
};
