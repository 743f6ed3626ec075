/**
 * The pooling geometry as parameter words and the WGSL functions that turn it
 * into windows, shared by every pooling kernel (pool.ts).
 *
 * The reference backend (src/backend/reference/pool.ts) precomputes per-axis
 * window tables on the host; here each thread evaluates the same formulas for
 * its own output (or, backward, for the outputs whose windows hold its input),
 * so the geometry is 3 x 6 words and one pipeline serves every shape.
 *
 * Words: P[0] thread count, P[1] -Infinity's bits (a WGSL constant cannot be
 * infinite), P[2] divisorOverride given (0/1), P[3] its value (f32),
 * P[4] countIncludePad (0/1), then per axis D, H, W from P[5 + 6a]:
 * in, out, kernel, stride, padding, dilation (adaptive: in, out, 0, 0, 0, 1).
 */
import type { AdaptivePoolParams, AvgPoolParams, PoolParams } from '../backend.js';
import { Params } from './wgsl.js';

/** Strided (kernel/stride/padding/dilation) or adaptive windows. */
export type WindowKind = 'strided' | 'adaptive';

/** The parameter words of a pooling dispatch over `threads` threads. */
export function poolWords(threads: number, p: PoolParams | AvgPoolParams | AdaptivePoolParams): number[] {
  const w = new Params().u32(threads).f32(-Infinity);
  const avg = p as Partial<AvgPoolParams>;
  const override = avg.divisorOverride;
  w.u32(override !== undefined ? 1 : 0).f32(override ?? 0).u32(avg.countIncludePad ? 1 : 0);
  for (let a = 0; a < 3; a++) {
    if ('kernelSize' in p) w.all([p.inSize[a]!, p.outSize[a]!, p.kernelSize[a]!, p.stride[a]!, p.padding[a]!, p.dilation[a]!]);
    else w.all([p.inSize[a]!, p.outSize[a]!, 0, 0, 0, 1]);
  }
  return w.words;
}

/** Integer division rounding down / up (WGSL's `/` truncates towards zero); b > 0. */
const DIVS = `fn fdiv(a: i32, b: i32) -> i32 { if (a >= 0) { return a / b; } return -((-a + b - 1) / b); }
fn cdiv(a: i32, b: i32) -> i32 { return -fdiv(-a, b); }
fn ax(a: u32, k: u32) -> i32 { return bitcast<i32>(P[5u + a * 6u + k]); }
fn isNan(v: f32) -> bool { return (bitcast<u32>(v) & 0x7fffffffu) > 0x7f800000u; }`;

/**
 * WGSL for the window functions of one kind:
 * - `win(a, o) -> vec3<i32>`: output o's in-range taps along axis a start at .x,
 *   number .y (taps .x + j*dilation), and .z is PyTorch's avg divisor extent
 *   (padding counted, but not past in + padding); exactly the reference's tables.
 * - `cand(a, x) -> vec2<i32>`: an inclusive range of outputs whose windows may
 *   hold input position x (a superset: callers test membership with `win`).
 * - `divisor(wd, wh, ww) -> f32`: the avg-pool divisor of a window.
 */
export function windowWgsl(kind: WindowKind): string {
  const win =
    kind === 'strided'
      ? `fn win(a: u32, o: i32) -> vec3<i32> {
  let n = ax(a, 0u); let k = ax(a, 2u); let pad = ax(a, 4u); let dil = ax(a, 5u);
  let start = o * ax(a, 3u) - pad;
  var k0 = 0;
  if (start < 0) { k0 = cdiv(-start, dil); }
  let k1 = min(k - 1, fdiv(n - 1 - start, dil));
  return vec3<i32>(start + k0 * dil, max(0, k1 - k0 + 1), min(start + k, n + pad) - start);
}
// Every window lies within [start, start + (k-1)*dil + 1).
fn cand(a: u32, x: i32) -> vec2<i32> {
  let s = ax(a, 3u); let pad = ax(a, 4u);
  let span = (ax(a, 2u) - 1) * ax(a, 5u) + 1;
  return vec2<i32>(max(0, cdiv(x + pad - span + 1, s)), min(ax(a, 1u) - 1, fdiv(x + pad, s)));
}`
      : `fn win(a: u32, o: i32) -> vec3<i32> {
  let n = ax(a, 0u); let m = ax(a, 1u);
  let first = (o * n) / m;
  let count = ((o + 1) * n + m - 1) / m - first;
  return vec3<i32>(first, count, count);
}
// floor(o*n/m) <= x < ceil((o+1)*n/m)  <=>  floor(x*m/n) <= o <= ceil((x+1)*m/n) - 1.
fn cand(a: u32, x: i32) -> vec2<i32> {
  let n = ax(a, 0u); let m = ax(a, 1u);
  return vec2<i32>((x * m) / n, min(m - 1, ((x + 1) * m + n - 1) / n - 1));
}`;
  return `${DIVS}
${win}
fn divisor(wd: vec3<i32>, wh: vec3<i32>, ww: vec3<i32>) -> f32 {
  if (P[2] != 0u) { return bitcast<f32>(P[3]); }
  if (P[4] != 0u) { return f32(wd.z * wh.z * ww.z); }
  return f32(wd.y * wh.y * ww.y);
}`;
}
