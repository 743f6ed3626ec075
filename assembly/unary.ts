/**
 * Unary elementwise kernels: out[r, c] = f(x[r*xRow + c]) with a contiguous
 * output of rows×cols. Cheap ops (neg, abs, relu, sqrt, rounding, reciprocal)
 * run on vectors; transcendental ones call the scalar Math/Mathf routines
 * (musl ports, within an ulp or so of the reference's double-precision
 * results rounded to the dtype). Generic over T = f32 | f64.
 */

export const NEG = 0, ABS = 1, RELU = 2, SQRT = 3, FLOOR = 4, CEIL = 5, ROUND = 6, RECIP = 7, RSQRT = 8;
export const EXP = 9, LOG = 10, TANH = 11, SIGMOID = 12, EXPM1 = 13, LOG1P = 14, SIN = 15, COS = 16, SIGN = 17;
export const TAN = 18, ATAN = 19, LOG2 = 20, LOG10 = 21;

/** Ops with a vector form. */
// @ts-ignore: decorator
@inline function isVector(op: i32): bool {
  return op <= RSQRT;
}

// @ts-ignore: decorator
@inline function vecUnary<T>(op: i32, x: v128): v128 {
  if (op == NEG) return v128.neg<T>(x);
  if (op == ABS) return v128.abs<T>(x);
  if (op == RELU) return v128.max<T>(x, v128.splat<T>(0)); // NaN stays NaN, -0 -> +0
  if (op == SQRT) return v128.sqrt<T>(x);
  if (op == FLOOR) return v128.floor<T>(x);
  if (op == CEIL) return v128.ceil<T>(x);
  if (op == ROUND) return v128.nearest<T>(x); // ties to even, as torch.round
  if (op == RECIP) return v128.div<T>(v128.splat<T>(1), x);
  return v128.div<T>(v128.splat<T>(1), v128.sqrt<T>(x));
}

// @ts-ignore: decorator
@inline function scalarUnary<T>(op: i32, x: T): T {
  if (op == NEG) return -x;
  if (op == ABS) return abs<T>(x);
  if (op == RELU) return x > 0 ? x : (x == x ? <T>0 : x);
  if (op == SQRT) return sqrt<T>(x);
  if (op == FLOOR) return floor<T>(x);
  if (op == CEIL) return ceil<T>(x);
  if (op == ROUND) return nearest<T>(x);
  if (op == RECIP) return <T>1 / x;
  if (op == RSQRT) return <T>1 / sqrt<T>(x);
  if (op == SIGN) return x > 0 ? <T>1 : x < 0 ? <T>-1 : x == 0 ? <T>0 : x;
  if (sizeof<T>() == 4) {
    const v = <f32>x;
    if (op == EXP) return <T>Mathf.exp(v);
    if (op == LOG) return <T>Mathf.log(v);
    if (op == TANH) return <T>Mathf.tanh(v);
    if (op == EXPM1) return <T>Mathf.expm1(v);
    if (op == LOG1P) return <T>Mathf.log1p(v);
    if (op == SIN) return <T>Mathf.sin(v);
    if (op == COS) return <T>Mathf.cos(v);
    if (op == TAN) return <T>Mathf.tan(v);
    if (op == ATAN) return <T>Mathf.atan(v);
    if (op == LOG2) return <T>Mathf.log2(v);
    if (op == LOG10) return <T>Mathf.log10(v);
    // SIGMOID, in the overflow-free form of the reference
    if (v >= 0) return <T>(<f32>1 / (<f32>1 + Mathf.exp(-v)));
    const e = Mathf.exp(v);
    return <T>(e / (<f32>1 + e));
  }
  const d = <f64>x;
  if (op == EXP) return <T>Math.exp(d);
  if (op == LOG) return <T>Math.log(d);
  if (op == TANH) return <T>Math.tanh(d);
  if (op == EXPM1) return <T>Math.expm1(d);
  if (op == LOG1P) return <T>Math.log1p(d);
  if (op == SIN) return <T>Math.sin(d);
  if (op == COS) return <T>Math.cos(d);
  if (op == TAN) return <T>Math.tan(d);
  if (op == ATAN) return <T>Math.atan(d);
  if (op == LOG2) return <T>Math.log2(d);
  if (op == LOG10) return <T>Math.log10(d);
  if (d >= 0) return <T>(1 / (1 + Math.exp(-d)));
  const e = Math.exp(d);
  return <T>(e / (1 + e));
}

// @ts-ignore: decorator
@inline function unaryRows<T>(op: i32, rows: i32, cols: i32, x: usize, xRow: i32, out: usize): void {
  const L = <i32>(16 / sizeof<T>());
  for (let r = 0; r < rows; r++) {
    const px = x + <usize>(r * xRow) * sizeof<T>();
    const po = out + <usize>(r * cols) * sizeof<T>();
    let i = 0;
    if (isVector(op)) {
      for (; i + L <= cols; i += L) {
        const o = <usize>i * sizeof<T>();
        v128.store(po + o, vecUnary<T>(op, v128.load(px + o)));
      }
    }
    for (; i < cols; i++) {
      const o = <usize>i * sizeof<T>();
      store<T>(po + o, scalarUnary<T>(op, load<T>(px + o)));
    }
  }
}

// @ts-ignore: decorator
@inline function unaryDispatch<T>(op: i32, rows: i32, cols: i32, x: usize, xRow: i32, out: usize): void {
  switch (op) {
    case NEG: unaryRows<T>(NEG, rows, cols, x, xRow, out); break;
    case ABS: unaryRows<T>(ABS, rows, cols, x, xRow, out); break;
    case RELU: unaryRows<T>(RELU, rows, cols, x, xRow, out); break;
    case SQRT: unaryRows<T>(SQRT, rows, cols, x, xRow, out); break;
    case FLOOR: unaryRows<T>(FLOOR, rows, cols, x, xRow, out); break;
    case CEIL: unaryRows<T>(CEIL, rows, cols, x, xRow, out); break;
    case ROUND: unaryRows<T>(ROUND, rows, cols, x, xRow, out); break;
    case RECIP: unaryRows<T>(RECIP, rows, cols, x, xRow, out); break;
    case RSQRT: unaryRows<T>(RSQRT, rows, cols, x, xRow, out); break;
    case EXP: unaryRows<T>(EXP, rows, cols, x, xRow, out); break;
    case LOG: unaryRows<T>(LOG, rows, cols, x, xRow, out); break;
    case TANH: unaryRows<T>(TANH, rows, cols, x, xRow, out); break;
    case SIGMOID: unaryRows<T>(SIGMOID, rows, cols, x, xRow, out); break;
    case EXPM1: unaryRows<T>(EXPM1, rows, cols, x, xRow, out); break;
    case LOG1P: unaryRows<T>(LOG1P, rows, cols, x, xRow, out); break;
    case SIN: unaryRows<T>(SIN, rows, cols, x, xRow, out); break;
    case COS: unaryRows<T>(COS, rows, cols, x, xRow, out); break;
    case TAN: unaryRows<T>(TAN, rows, cols, x, xRow, out); break;
    case ATAN: unaryRows<T>(ATAN, rows, cols, x, xRow, out); break;
    case LOG2: unaryRows<T>(LOG2, rows, cols, x, xRow, out); break;
    case LOG10: unaryRows<T>(LOG10, rows, cols, x, xRow, out); break;
    default: unaryRows<T>(SIGN, rows, cols, x, xRow, out); break;
  }
}

/** out[r*cols + c] = f(x[r*xRow + c]) for float32 (xRow in elements). */
export function unaryF32(op: i32, rows: i32, cols: i32, x: usize, xRow: i32, out: usize): void {
  unaryDispatch<f32>(op, rows, cols, x, xRow, out);
}

/** unaryF32 for float64. */
export function unaryF64(op: i32, rows: i32, cols: i32, x: usize, xRow: i32, out: usize): void {
  unaryDispatch<f64>(op, rows, cols, x, xRow, out);
}
