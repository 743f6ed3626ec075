/**
 * Reductions over the middle axis of a contiguous [outer, red, inner] block:
 * out[o, i] = op over r of x[(o*red + r)*inner + i]. The JS side collapses a
 * view's kept/reduced axes into this form (sum over the last axis: inner = 1;
 * over the first: outer = 1; bias gradients of conv: called per batch row).
 * float32 sums accumulate in float64 (the reference sums in double too), so
 * results match it to rounding. max/min propagate NaN like the reference.
 */

export const SUM = 0, RMAX = 1, RMIN = 2;

// @ts-ignore: decorator
@inline function combine<T>(op: i32, a: v128, b: v128): v128 {
  return op == RMAX ? v128.max<T>(a, b) : v128.min<T>(a, b);
}

/** Sum of n f32 at p, in double precision. */
function sumRowF32(p: usize, n: i32): f64 {
  let s0 = f64x2.splat(0), s1 = f64x2.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const v = v128.load(p + (<usize>i << 2));
    s0 = f64x2.add(s0, f64x2.promote_low_f32x4(v));
    s1 = f64x2.add(s1, f64x2.promote_low_f32x4(i32x4.shuffle(v, v, 2, 3, 0, 1)));
  }
  const s = f64x2.add(s0, s1);
  let t = f64x2.extract_lane(s, 0) + f64x2.extract_lane(s, 1);
  for (; i < n; i++) t += <f64>load<f32>(p + (<usize>i << 2));
  return t;
}

function sumRowF64(p: usize, n: i32): f64 {
  let s0 = f64x2.splat(0), s1 = f64x2.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    s0 = f64x2.add(s0, v128.load(p + (<usize>i << 3)));
    s1 = f64x2.add(s1, v128.load(p + (<usize>i << 3), 16));
  }
  const s = f64x2.add(s0, s1);
  let t = f64x2.extract_lane(s, 0) + f64x2.extract_lane(s, 1);
  for (; i < n; i++) t += load<f64>(p + (<usize>i << 3));
  return t;
}

/** max/min of n elements (n >= 1). */
// @ts-ignore: decorator
@inline function extremeRow<T>(op: i32, p: usize, n: i32): T {
  const L = <i32>(16 / sizeof<T>());
  let i = 0;
  let best = load<T>(p);
  if (n >= L) {
    let v = v128.load(p);
    for (i = L; i + L <= n; i += L) v = combine<T>(op, v, v128.load(p + <usize>i * sizeof<T>()));
    // Fold the lanes pairwise with shuffles, then take lane 0.
    if (sizeof<T>() == 4) {
      v = combine<T>(op, v, i32x4.shuffle(v, v, 2, 3, 0, 1));
      v = combine<T>(op, v, i32x4.shuffle(v, v, 1, 0, 3, 2));
    } else {
      v = combine<T>(op, v, i64x2.shuffle(v, v, 1, 0));
    }
    const e = v128.extract_lane<T>(v, 0);
    best = op == RMAX ? max<T>(best, e) : min<T>(best, e);
  }
  for (; i < n; i++) {
    const e = load<T>(p + <usize>i * sizeof<T>());
    best = op == RMAX ? max<T>(best, e) : min<T>(best, e);
  }
  return best;
}

// @ts-ignore: decorator
@inline function reduceT<T>(op: i32, outer: i32, red: i32, inner: i32, x: usize, out: usize): void {
  const S = sizeof<T>();
  if (inner == 1) {
    for (let o = 0; o < outer; o++) {
      const p = x + <usize>(o * red) * S;
      let v: T;
      if (op == SUM) v = <T>(S == 4 ? sumRowF32(p, red) : sumRowF64(p, red));
      else v = op == RMAX ? extremeRow<T>(RMAX, p, red) : extremeRow<T>(RMIN, p, red);
      store<T>(out + <usize>o * S, v);
    }
    return;
  }
  // Column reductions: accumulate down the red axis, 4 (f32) or 2 (f64) columns at a time.
  for (let o = 0; o < outer; o++) {
    const base = x + <usize>(o * red * inner) * S;
    const dst = out + <usize>(o * inner) * S;
    const stride = <usize>inner * S;
    let i = 0;
    if (op == SUM && S == 4) {
      for (; i + 4 <= inner; i += 4) {
        let s0 = f64x2.splat(0), s1 = f64x2.splat(0);
        let p = base + (<usize>i << 2);
        for (let r = 0; r < red; r++, p += stride) {
          const v = v128.load(p);
          s0 = f64x2.add(s0, f64x2.promote_low_f32x4(v));
          s1 = f64x2.add(s1, f64x2.promote_low_f32x4(i32x4.shuffle(v, v, 2, 3, 0, 1)));
        }
        const lo = f32x4.demote_f64x2_zero(s0), hi = f32x4.demote_f64x2_zero(s1);
        v128.store(dst + (<usize>i << 2), i32x4.shuffle(lo, hi, 0, 1, 4, 5));
      }
    } else {
      const L = 16 / <i32>S;
      for (; i + L <= inner; i += L) {
        let p = base + <usize>i * S;
        let v = v128.load(p);
        p += stride;
        for (let r = 1; r < red; r++, p += stride) {
          const w = v128.load(p);
          v = op == SUM ? v128.add<T>(v, w) : combine<T>(op, v, w);
        }
        v128.store(dst + <usize>i * S, v);
      }
    }
    for (; i < inner; i++) {
      let p = base + <usize>i * S;
      let acc: f64 = <f64>load<T>(p);
      for (let r = 1; r < red; r++) {
        p += stride;
        const e = <f64>load<T>(p);
        acc = op == SUM ? acc + e : op == RMAX ? max<f64>(acc, e) : min<f64>(acc, e);
      }
      store<T>(dst + <usize>i * S, <T>acc);
    }
  }
}

/** out[o, i] = sum|max|min over r of x[o, r, i], float32; red >= 1. */
export function reduceF32(op: i32, outer: i32, red: i32, inner: i32, x: usize, out: usize): void {
  if (op == SUM) reduceT<f32>(SUM, outer, red, inner, x, out);
  else if (op == RMAX) reduceT<f32>(RMAX, outer, red, inner, x, out);
  else reduceT<f32>(RMIN, outer, red, inner, x, out);
}

/** reduceF32 for float64. */
export function reduceF64(op: i32, outer: i32, red: i32, inner: i32, x: usize, out: usize): void {
  if (op == SUM) reduceT<f64>(SUM, outer, red, inner, x, out);
  else if (op == RMAX) reduceT<f64>(RMAX, outer, red, inner, x, out);
  else reduceT<f64>(RMIN, outer, red, inner, x, out);
}
