/**
 * Elementwise kernels over "2-D collapsed" layouts.
 *
 * The JS side merges a view's dims until (almost always) two remain: `rows`
 * of `cols` elements, where each operand's column step is 1 (contiguous) or
 * 0 (broadcast along the row) and its row step is any element stride. That
 * covers same-shape contiguous tensors (rows = 1), `[N, C] + [C]`
 * (b: row step 0, col step 1), `[N, C, H, W] + [1, C, 1, 1]` (called per n,
 * b: row step 1, col step 0) and scalars. The output is always contiguous.
 *
 * Each op is written once as a vector and a scalar expression
 * (`vecOp`/`scalarOp`); the exported functions switch on the op code once and
 * instantiate the row loop with a constant op, so the inner loops carry no
 * dispatch. Generic over T = f32 | f64 (v128 holds 4 or 2 lanes).
 */

export const ADD = 0, SUB = 1, MUL = 2, DIV = 3, MAX = 4, MIN = 5, POW = 6;
export const EQ = 7, NE = 8, LT = 9, LE = 10, GT = 11, GE = 12;
/** ReLU's backward: a where b > 0, else 0 (a = gradient, b = the forward input). */
export const RELU_BWD = 13;
/** atan2(a, b), scalar only (like POW). */
export const ATAN2 = 14;

// @ts-ignore: decorator
@inline function vecOp<T>(op: i32, x: v128, y: v128): v128 {
  if (op == ADD) return v128.add<T>(x, y);
  if (op == SUB) return v128.sub<T>(x, y);
  if (op == MUL) return v128.mul<T>(x, y);
  if (op == DIV) return v128.div<T>(x, y);
  if (op == MAX) return v128.max<T>(x, y); // NaN-propagating, like the reference
  if (op == RELU_BWD) return v128.and(x, v128.gt<T>(y, v128.splat<T>(0))); // a mask, no branch
  return v128.min<T>(x, y);
}

// @ts-ignore: decorator
@inline function scalarOp<T>(op: i32, x: T, y: T): T {
  if (op == ADD) return x + y;
  if (op == SUB) return x - y;
  if (op == MUL) return x * y;
  if (op == DIV) return x / y;
  if (op == MAX) return max<T>(x, y);
  if (op == MIN) return min<T>(x, y);
  if (op == RELU_BWD) return y > 0 ? x : <T>0;
  if (op == ATAN2) return sizeof<T>() == 4 ? <T>Mathf.atan2(<f32>x, <f32>y) : <T>Math.atan2(<f64>x, <f64>y);
  // POW
  if (sizeof<T>() == 4) return <T>Mathf.pow(<f32>x, <f32>y);
  return <T>Math.pow(<f64>x, <f64>y);
}

/** One output row: n elements, a/b column steps 0 or 1. */
// @ts-ignore: decorator
@inline function binaryRow<T>(op: i32, n: i32, a: usize, aCol: i32, b: usize, bCol: i32, out: usize): void {
  const L = <i32>(16 / sizeof<T>());
  let i = 0;
  if (op != POW && op != ATAN2) {
    if (aCol == 1 && bCol == 1) {
      for (; i + L <= n; i += L) {
        const o = <usize>i * sizeof<T>();
        v128.store(out + o, vecOp<T>(op, v128.load(a + o), v128.load(b + o)));
      }
    } else if (aCol == 1) {
      const vb = v128.splat<T>(load<T>(b));
      for (; i + L <= n; i += L) {
        const o = <usize>i * sizeof<T>();
        v128.store(out + o, vecOp<T>(op, v128.load(a + o), vb));
      }
    } else if (bCol == 1) {
      const va = v128.splat<T>(load<T>(a));
      for (; i + L <= n; i += L) {
        const o = <usize>i * sizeof<T>();
        v128.store(out + o, vecOp<T>(op, va, v128.load(b + o)));
      }
    }
  }
  const sa = <usize>aCol * sizeof<T>(), sb = <usize>bCol * sizeof<T>();
  for (; i < n; i++) {
    const o = <usize>i * sizeof<T>();
    store<T>(out + o, scalarOp<T>(op, load<T>(a + <usize>i * sa), load<T>(b + <usize>i * sb)));
  }
}

// @ts-ignore: decorator
@inline function binaryRows<T>(
  op: i32, rows: i32, cols: i32, a: usize, aRow: i32, aCol: i32, b: usize, bRow: i32, bCol: i32, out: usize,
): void {
  for (let r = 0; r < rows; r++) {
    binaryRow<T>(op, cols,
      a + <usize>(r * aRow) * sizeof<T>(), aCol,
      b + <usize>(r * bRow) * sizeof<T>(), bCol,
      out + <usize>(r * cols) * sizeof<T>());
  }
}

// @ts-ignore: decorator
@inline function compareScalar<T>(op: i32, x: T, y: T): u8 {
  if (op == EQ) return <u8>(x == y);
  if (op == NE) return <u8>(x != y);
  if (op == LT) return <u8>(x < y);
  if (op == LE) return <u8>(x <= y);
  if (op == GT) return <u8>(x > y);
  return <u8>(x >= y);
}

// @ts-ignore: decorator
@inline function compareRows<T>(
  op: i32, rows: i32, cols: i32, a: usize, aRow: i32, aCol: i32, b: usize, bRow: i32, bCol: i32, out: usize,
): void {
  const sa = <usize>aCol * sizeof<T>(), sb = <usize>bCol * sizeof<T>();
  for (let r = 0; r < rows; r++) {
    const pa = a + <usize>(r * aRow) * sizeof<T>(), pb = b + <usize>(r * bRow) * sizeof<T>();
    const po = out + <usize>(r * cols);
    for (let i = 0; i < cols; i++) store<u8>(po + i, compareScalar<T>(op, load<T>(pa + <usize>i * sa), load<T>(pb + <usize>i * sb)));
  }
}

// @ts-ignore: decorator
@inline function binaryDispatch<T>(
  op: i32, rows: i32, cols: i32, a: usize, aRow: i32, aCol: i32, b: usize, bRow: i32, bCol: i32, out: usize,
): void {
  switch (op) {
    case ADD: binaryRows<T>(ADD, rows, cols, a, aRow, aCol, b, bRow, bCol, out); break;
    case SUB: binaryRows<T>(SUB, rows, cols, a, aRow, aCol, b, bRow, bCol, out); break;
    case MUL: binaryRows<T>(MUL, rows, cols, a, aRow, aCol, b, bRow, bCol, out); break;
    case DIV: binaryRows<T>(DIV, rows, cols, a, aRow, aCol, b, bRow, bCol, out); break;
    case MAX: binaryRows<T>(MAX, rows, cols, a, aRow, aCol, b, bRow, bCol, out); break;
    case MIN: binaryRows<T>(MIN, rows, cols, a, aRow, aCol, b, bRow, bCol, out); break;
    case POW: binaryRows<T>(POW, rows, cols, a, aRow, aCol, b, bRow, bCol, out); break;
    case RELU_BWD: binaryRows<T>(RELU_BWD, rows, cols, a, aRow, aCol, b, bRow, bCol, out); break;
    case ATAN2: binaryRows<T>(ATAN2, rows, cols, a, aRow, aCol, b, bRow, bCol, out); break;
    // Comparisons: one switch for them, shared with compareI32.
    default: compareDispatch<T>(op, rows, cols, a, aRow, aCol, b, bRow, bCol, out); break;
  }
}

/**
 * out[r, c] = a[r*aRow + c*aCol] op b[r*bRow + c*bCol] for float32 operands
 * (element strides; aCol, bCol in {0, 1}). Arithmetic ops write f32, comparisons u8 (bool).
 */
export function binaryF32(op: i32, rows: i32, cols: i32, a: usize, aRow: i32, aCol: i32, b: usize, bRow: i32, bCol: i32, out: usize): void {
  binaryDispatch<f32>(op, rows, cols, a, aRow, aCol, b, bRow, bCol, out);
}

/** binaryF32 for float64. */
export function binaryF64(op: i32, rows: i32, cols: i32, a: usize, aRow: i32, aCol: i32, b: usize, bRow: i32, bCol: i32, out: usize): void {
  binaryDispatch<f64>(op, rows, cols, a, aRow, aCol, b, bRow, bCol, out);
}

/**
 * out[i] = cond[i*cStep] ? a[i*aStep] : b[i*bStep] (steps 0 or 1; cond bytes),
 * for 4-byte elements (f32 and i32 alike: it only moves bits).
 */
export function whereF32(n: i32, c: usize, cStep: i32, a: usize, aStep: i32, b: usize, bStep: i32, out: usize): void {
  const sa = <usize>aStep << 2, sb = <usize>bStep << 2, sc = <usize>cStep;
  for (let i = 0; i < n; i++) {
    const pick = load<u8>(c + <usize>i * sc);
    const v = pick ? load<u32>(a + <usize>i * sa) : load<u32>(b + <usize>i * sb);
    store<u32>(out + (<usize>i << 2), v);
  }
}

// @ts-ignore: decorator
@inline function compareDispatch<T>(
  op: i32, rows: i32, cols: i32, a: usize, aRow: i32, aCol: i32, b: usize, bRow: i32, bCol: i32, out: usize,
): void {
  switch (op) {
    case EQ: compareRows<T>(EQ, rows, cols, a, aRow, aCol, b, bRow, bCol, out); break;
    case NE: compareRows<T>(NE, rows, cols, a, aRow, aCol, b, bRow, bCol, out); break;
    case LT: compareRows<T>(LT, rows, cols, a, aRow, aCol, b, bRow, bCol, out); break;
    case LE: compareRows<T>(LE, rows, cols, a, aRow, aCol, b, bRow, bCol, out); break;
    case GT: compareRows<T>(GT, rows, cols, a, aRow, aCol, b, bRow, bCol, out); break;
    default: compareRows<T>(GE, rows, cols, a, aRow, aCol, b, bRow, bCol, out); break;
  }
}

/**
 * Comparisons (op EQ..GE) of int32 operands, u8 (bool) output, same layout
 * rules as binaryF32 (index masks in max-pool backward, label checks).
 */
export function compareI32(op: i32, rows: i32, cols: i32, a: usize, aRow: i32, aCol: i32, b: usize, bRow: i32, bCol: i32, out: usize): void {
  compareDispatch<i32>(op, rows, cols, a, aRow, aCol, b, bRow, bCol, out);
}
