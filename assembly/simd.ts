/**
 * The few vector helpers the kernels share. `madd` is the one place that
 * differs between the two builds: with relaxed SIMD it is a fused
 * multiply-add (f32x4.relaxed_madd, one instruction where the CPU has FMA),
 * without it a multiply then an add.
 */

/** c + a * b, lane-wise on 4 floats. */
// @ts-ignore: decorator
@inline export function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(c, f32x4.mul(a, b));
}

/**
 * v where the mask m is set, else b (m: all-ones or all-zeros lanes, so the
 * relaxed form, one blend instruction, is exact).
 */
// @ts-ignore: decorator
@inline export function select(v: v128, b: v128, m: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return i32x4.relaxed_laneselect(v, b, m);
  return v128.bitselect(v, b, m);
}

/** Address of element `index` (may be negative) of a float array at byte address `base`. */
// @ts-ignore: decorator
@inline export function at32(base: usize, index: i32): usize {
  return base + (<usize>index << 2);
}

/** Same for 8-byte elements. */
// @ts-ignore: decorator
@inline export function at64(base: usize, index: i32): usize {
  return base + (<usize>index << 3);
}

/** Smaller of two i32. */
// @ts-ignore: decorator
@inline export function imin(a: i32, b: i32): i32 {
  return a < b ? a : b;
}
