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

/** Sum of the 4 lanes, in a fixed order. */
// @ts-ignore: decorator
@inline export function hsum(v: v128): f32 {
  const s = f32x4.add(v, i32x4.shuffle(v, v, 2, 3, 0, 1));
  return f32x4.extract_lane(s, 0) + f32x4.extract_lane(s, 1);
}

/** The float at p += the lane sum of v. */
// @ts-ignore: decorator
@inline export function addTo(p: usize, v: v128): void {
  store<f32>(p, load<f32>(p) + hsum(v));
}

/** One row of a register tile of lane sums: the floats at p, p+4, p+8 (the first N of them) += a, b, c summed. */
// @ts-ignore: decorator
@inline export function addRow(N: i32, p: usize, a: v128, b: v128, c: v128): void {
  addTo(p, a);
  if (N > 1) addTo(p + 4, b);
  if (N > 2) addTo(p + 8, c);
}
