/**
 * WGSL pieces shared by the fused kernels (fused-*.ts): NaN tests that do not
 * depend on the compiler keeping `v != v`, ReLU with the relu op's NaN and -0
 * rules, compensated (Kahan) per-thread sums, and workgroup tree reductions in
 * shared memory for the kernels that give one workgroup a whole row or channel.
 */
import type { GpuStorage } from './storage.js';

/** Threads per workgroup of the per-channel reductions (batch norm, bias gradients). */
export const CHANNEL_WG = 256;

/**
 * `isNan(v)`, `relu(v)` and `maxNan(a, b)`. WGSL lets implementations assume
 * NaNs do not occur, so `v != v` may fold to false; the bit pattern test
 * cannot. relu: v > 0 ? v : 0, NaN stays NaN and -0 becomes +0 (as the relu
 * op); maxNan: NaN if either is (as the maximum op).
 */
export const FLOAT_FNS = `
fn isNan(v: f32) -> bool { return (bitcast<u32>(v) & 0x7fffffffu) > 0x7f800000u; }
fn relu(v: f32) -> f32 { return select(select(0.0, v, v > 0.0), v, isNan(v)); }
fn maxNan(a: f32, b: f32) -> f32 { return select(select(max(a, b), b, isNan(b)), a, isNan(a)); }`;

/**
 * A flat workgroup index for grids made by grid1d(count, 1) (one workgroup per
 * item, x up to 65535, then rows of y): declares `wid` and `tid`.
 */
export function mainPerGroup(wg: number): string {
  return `@compute @workgroup_size(${wg})
fn main(@builtin(workgroup_id) wgid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) tid: u32) {
  let wid = wgid.x + wgid.y * nwg.x;`;
}

/**
 * Workgroup reductions over `wg` threads: `wgSum(tid, v)` adds each lane of a
 * vec4 across the group (pairwise tree: rounding error grows with log2(wg),
 * not wg) and `wgMax(tid, v)` takes the maximum with NaN propagation (needs
 * FLOAT_FNS); every
 * thread gets the result. Call them from uniform control flow only (they
 * hold barriers); each starts with a barrier so a second call cannot
 * overwrite the slot 0 that slow threads are still reading from the first.
 */
export function workgroupReductions(wg: number, withMax = false): string {
  const tree = (arr: string, combine: (a: string, b: string) => string) => `
  workgroupBarrier();
  for (var s = ${wg / 2}u; s > 0u; s = s >> 1u) {
    if (tid < s) { ${arr}[tid] = ${combine(`${arr}[tid]`, `${arr}[tid + s]`)}; }
    workgroupBarrier();
  }
  return ${arr}[0];`;
  let out = `
var<workgroup> RED_SUM: array<vec4<f32>, ${wg}>;
fn wgSum(tid: u32, v: vec4<f32>) -> vec4<f32> {
  workgroupBarrier();
  RED_SUM[tid] = v;${tree('RED_SUM', (a, b) => `${a} + ${b}`)}
}`;
  if (withMax) {
    out += `
var<workgroup> RED_MAX: array<f32, ${wg}>;
fn wgMax(tid: u32, v: f32) -> f32 {
  workgroupBarrier();
  RED_MAX[tid] = v;${tree('RED_MAX', (a, b) => `maxNan(${a}, ${b})`)}
}`;
  }
  return out;
}

/**
 * Kahan summation on vec4 lanes: `kahanAdd(&acc, &comp, v)`; the lane sums
 * are then `acc - comp`. Keeps a thread's serial sum of thousands of floats
 * (large channels) accurate to a few ulps.
 */
export const KAHAN_FNS = `
fn kahanAdd(acc: ptr<function, vec4<f32>>, comp: ptr<function, vec4<f32>>, v: vec4<f32>) {
  let y = v - *comp;
  let t = *acc + y;
  *comp = (t - *acc) - y;
  *acc = t;
}`;

/**
 * WGSL: `fn at(ch, k) -> u32`, the storage index of channel ch's k-th value
 * (image k / s, position k % s); P[1], P[2] = c, s.
 */
export const CHANNEL_INDEX = `
fn at(ch: u32, k: u32) -> u32 {
  let s = P[2];
  let img = k / s;
  return (img * P[1] + ch) * s + (k - img * s);
}`;

/**
 * WGSL: `let name = ...`, the Kahan-summed lanes of `body` (a vec4 of element
 * j) over this thread's share of channel `ch` (M values), then the
 * workgroup's total (wgSum). Needs KAHAN_FNS, CHANNEL_INDEX, the reductions.
 */
export function channelSum(name: string, body: string): string {
  return `
  var ${name}Acc = vec4<f32>(0.0);
  var ${name}Comp = vec4<f32>(0.0);
  for (var k = tid; k < M; k += ${CHANNEL_WG}u) {
    let j = at(ch, k);
    kahanAdd(&${name}Acc, &${name}Comp, ${body});
  }
  let ${name} = wgSum(tid, ${name}Acc - ${name}Comp);`;
}

/** True when every storage given (nulls skipped) is float32. */
export function allFloat32(...s: (GpuStorage | null)[]): boolean {
  return s.every((t) => t === null || t.dtype === 'float32');
}

/** True when no two storages given (nulls skipped) share a GPU buffer: one dispatch may not bind a buffer twice. */
export function distinctBuffers(...s: (GpuStorage | null)[]): boolean {
  const b = s.filter((t): t is GpuStorage => t !== null).map((t) => t.buffer);
  return new Set(b).size === b.length;
}
