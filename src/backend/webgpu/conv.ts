/**
 * Convolution on the GPU as implicit GEMMs on the tiled kernel of matmul.ts:
 * per group g (the GEMM's batch index z), with taps = kD·kH·kW,
 *
 *   forward          y[g]  (coutG × batch·outPlane) = W[g] (coutG × cinG·taps) · col(x)[g]
 *   backward input   gx[g] (cinG × batch·inPlane)   = W[g]ᵀ (cinG × coutG·taps) · row(gy)[g]
 *   backward weight  gW[g] (coutG × cinG·taps)      = gy[g] (coutG × batch·outPlane) · col(x)[g]ᵀ
 *
 * col(x) (im2col) is never materialised: the GEMM's tile loads compute each
 * entry's input position on the fly, reading 0 where it falls in padding.
 * The input gradient is gathered per input element: entry (co, tap; b, pos)
 * is gy at the output position whose window reads `pos` through `tap`, or 0
 * where no such integral, in-range position exists (strides > 1 leave such
 * gaps), so every gx element is written exactly once with no atomics.
 *
 * One numerical difference from the reference backend, shared with the wasm
 * backend's im2col path (and PyTorch's): a tap reading padding contributes
 * 0·w, so a non-finite weight (or, for the weight gradient, a non-finite gy)
 * also turns outputs whose window touches padding into NaN, where the
 * reference skips those taps. Finite inputs agree to float32 rounding.
 */
import type { ConvParams } from '../backend.js';
import { TensorError } from '../../core/errors.js';
import type { GpuContext } from './context.js';
import type { GpuStorage } from './storage.js';
import { GEMM_WORDS, runGemm, type GemmSpec } from './matmul.js';
import { Params, wgslType } from './wgsl.js';

/** Sizes every conv kernel derives from ConvParams. */
interface Geometry {
  cinG: number;
  coutG: number;
  taps: number;
  inPlane: number;
  outPlane: number;
}

function geometry(p: ConvParams, op: string): Geometry {
  const { inChannels, outChannels, groups } = p;
  const sizes = [...p.inSize, ...p.kernelSize, ...p.outSize, p.batch, inChannels, outChannels];
  if (!sizes.every((v) => Number.isInteger(v) && v >= 0)) throw new TensorError(`webgpu backend (${op}): sizes must be non-negative integers`);
  if (!p.padding.every((v) => Number.isInteger(v))) throw new TensorError(`webgpu backend (${op}): padding must be integers`);
  if (![...p.stride, ...p.dilation, groups].every((v) => Number.isInteger(v) && v >= 1)) {
    throw new TensorError(`webgpu backend (${op}): stride, dilation and groups must be positive integers`);
  }
  if (inChannels % groups !== 0 || outChannels % groups !== 0) {
    throw new TensorError(`webgpu backend (${op}): channels (${inChannels} in, ${outChannels} out) must be divisible by groups (${groups})`);
  }
  const prod = (s: readonly number[]) => s[0]! * s[1]! * s[2]!;
  return { cinG: inChannels / groups, coutG: outChannels / groups, taps: prod(p.kernelSize), inPlane: prod(p.inSize), outPlane: prod(p.outSize) };
}

/** The geometry parameter words (read by {@link HELPERS} from P[GEMM_WORDS...]). */
function geometryWords(p: ConvParams): Params {
  const w = new Params().u32(p.batch).u32(p.inChannels).u32(p.outChannels).u32(p.inChannels / p.groups).u32(p.outChannels / p.groups);
  w.all(p.inSize).all(p.kernelSize).all(p.outSize).all(p.stride);
  for (const v of p.padding) w.i32(v);
  return w.all(p.dilation);
}

const G = GEMM_WORDS;
/** WGSL accessors for the geometry words, and the position arithmetic all three kernels share. */
const HELPERS = `
fn cw(i: u32) -> u32 { return P[${G}u + i]; }
fn cv(i: u32) -> vec3<u32> { return vec3<u32>(cw(i), cw(i + 1u), cw(i + 2u)); }
fn inC() -> u32 { return cw(1u); }
fn outC() -> u32 { return cw(2u); }
fn cinG() -> u32 { return cw(3u); }
fn coutG() -> u32 { return cw(4u); }
fn inSize() -> vec3<u32> { return cv(5u); }
fn kSize() -> vec3<u32> { return cv(8u); }
fn outSize() -> vec3<u32> { return cv(11u); }
fn stride() -> vec3<u32> { return cv(14u); }
fn pad() -> vec3<i32> { return bitcast<vec3<i32>>(cv(17u)); }
fn dil() -> vec3<u32> { return cv(20u); }
fn vol(s: vec3<u32>) -> u32 { return s.x * s.y * s.z; }
/** (d, h, w) of flat index i in a box of size s. */
fn unflat(i: u32, s: vec3<u32>) -> vec3<u32> { return vec3<u32>(i / (s.y * s.z), (i / s.z) % s.y, i % s.z); }
fn flat(q: vec3<u32>, s: vec3<u32>) -> u32 { return (q.x * s.y + q.y) * s.z + q.z; }
/** The input position output position o reads through tap k (may lie in the padding). */
fn readPos(o: vec3<u32>, k: vec3<u32>) -> vec3<i32> { return vec3<i32>(o * stride() + k * dil()) - pad(); }
fn inside(q: vec3<i32>, s: vec3<u32>) -> bool { return all(q >= vec3<i32>(0)) && all(q < vec3<i32>(s)); }
`;

/** Bindings: `names` in order (inputs read-only, the last one the output). */
function bindings(names: readonly string[], type: string): string {
  return names
    .map((n, i) => `@group(0) @binding(${i + 1}) var<storage, ${i === names.length - 1 ? 'read_write' : 'read'}> ${n}: array<${type}>;`)
    .join('\n');
}

/** The element type (floating kernels compute in f32; int32 wraps as the reference's Int32Array store does). */
function elementType(s: GpuStorage, op: string): 'f32' | 'i32' {
  const t = wgslType(s.dtype);
  if (t === 'u32') throw new TensorError(`webgpu backend (${op}): bool tensors cannot be convolved; cast them to float32 first`);
  return t;
}

const PROLOGUE = `  let g = z;
  let T = vol(kSize());
  let IP = vol(inSize());
  let OP = vol(outSize());`;

/**
 * Convolution forward (PyTorch conv3d semantics with groups, stride,
 * padding before each dim, dilation): x `[batch, inChannels, ...inSize]` and
 * w `[outChannels, inChannels/groups, ...kernelSize]`, both contiguous ->
 * y `[batch, outChannels, ...outSize]`.
 */
export function conv(ctx: GpuContext, x: GpuStorage, w: GpuStorage, p: ConvParams): GpuStorage {
  const geo = geometry(p, 'conv');
  const type = elementType(x, 'conv');
  const y = ctx.alloc(x.dtype, p.batch * p.outChannels * geo.outPlane, 'conv');
  const spec: GemmSpec = {
    key: `conv:${type}`,
    type,
    decls: bindings(['X', 'Wt', 'Y'], type) + HELPERS,
    prologue: PROLOGUE,
    loadA: (m, k) => `v = Wt[(g * coutG() + ${m}) * K + ${k}];`,
    loadB: (k, n) => `{
        let q = readPos(unflat(${n} % OP, outSize()), unflat(${k} % T, kSize()));
        if (inside(q, inSize())) { v = X[((${n} / OP) * inC() + g * cinG() + ${k} / T) * IP + flat(vec3<u32>(q), inSize())]; }
      }`,
    store: (m, n, v) => `Y[po + ((${n} / OP) * outC() + g * coutG() + ${m}) * OP + ${n} % OP] = ${v};`,
    aKFast: 'true', // W rows are contiguous along (ci, tap)
    bNFast: 'true', // neighbouring output positions read neighbouring inputs
  };
  const dims = { M: geo.coutG, N: p.batch * geo.outPlane, K: geo.cinG * geo.taps, batches: p.groups };
  runGemm(ctx, spec, [x, w], y, dims, geometryWords(p));
  return y;
}

/**
 * Gradient of the convolution w.r.t. its input (= the transposed
 * convolution of gy with w): gy `[batch, outChannels, ...outSize]` and w
 * (contiguous) -> gx `[batch, inChannels, ...inSize]`; input positions no
 * output reads get 0.
 */
export function convBackwardInput(ctx: GpuContext, gy: GpuStorage, w: GpuStorage, p: ConvParams): GpuStorage {
  const geo = geometry(p, 'convBackwardInput');
  const type = elementType(gy, 'convBackwardInput');
  const gx = ctx.alloc(gy.dtype, p.batch * p.inChannels * geo.inPlane, 'convBackwardInput');
  const spec: GemmSpec = {
    key: `convBackwardInput:${type}`,
    type,
    decls: bindings(['GY', 'Wt', 'GX'], type) + HELPERS,
    prologue: PROLOGUE,
    // A[ci, (co, tap)] = w[g·coutG + co, ci, tap]
    loadA: (m, k) => `v = Wt[((g * coutG() + ${k} / T) * cinG() + ${m}) * T + ${k} % T];`,
    // B[(co, tap), (b, pos)] = gy[b, g·coutG + co, o] where o·stride + tap·dil - pad = pos, if such an o exists
    loadB: (k, n) => `{
        let s = vec3<i32>(stride());
        let q = vec3<i32>(unflat(${n} % IP, inSize())) + pad() - vec3<i32>(unflat(${k} % T, kSize()) * dil());
        let o = q / s;
        if (all(q >= vec3<i32>(0)) && all(q % s == vec3<i32>(0)) && all(o < vec3<i32>(outSize()))) {
          v = GY[((${n} / IP) * outC() + g * coutG() + ${k} / T) * OP + flat(vec3<u32>(o), outSize())];
        }
      }`,
    store: (m, n, v) => `GX[po + ((${n} / IP) * inC() + g * cinG() + ${m}) * IP + ${n} % IP] = ${v};`,
    aKFast: 'true', // taps of one weight row are contiguous
    bNFast: 'true', // neighbouring input positions read neighbouring outputs
  };
  const dims = { M: geo.cinG, N: p.batch * geo.inPlane, K: geo.coutG * geo.taps, batches: p.groups };
  runGemm(ctx, spec, [gy, w], gx, dims, geometryWords(p));
  return gx;
}

/**
 * Gradient of the convolution w.r.t. its weight: x `[batch, inChannels, ...inSize]`
 * and gy `[batch, outChannels, ...outSize]` (contiguous) ->
 * gw `[outChannels, inChannels/groups, ...kernelSize]`, summed over the batch.
 */
export function convBackwardWeight(ctx: GpuContext, x: GpuStorage, gy: GpuStorage, p: ConvParams): GpuStorage {
  const geo = geometry(p, 'convBackwardWeight');
  const type = elementType(x, 'convBackwardWeight');
  const gw = ctx.alloc(x.dtype, p.outChannels * geo.cinG * geo.taps, 'convBackwardWeight');
  const spec: GemmSpec = {
    key: `convBackwardWeight:${type}`,
    type,
    decls: bindings(['X', 'GY', 'GW'], type) + HELPERS,
    prologue: PROLOGUE,
    // A[co, (b, o)] = gy[b, g·coutG + co, o]
    loadA: (m, k) => `v = GY[((${k} / OP) * outC() + g * coutG() + ${m}) * OP + ${k} % OP];`,
    // B[(b, o), (ci, tap)] = col(x): x[b, g·cinG + ci, readPos(o, tap)]
    loadB: (k, n) => `{
        let q = readPos(unflat(${k} % OP, outSize()), unflat(${n} % T, kSize()));
        if (inside(q, inSize())) { v = X[((${k} / OP) * inC() + g * cinG() + ${n} / T) * IP + flat(vec3<u32>(q), inSize())]; }
      }`,
    store: (m, n, v) => `GW[po + (g * coutG() + ${m}) * N + ${n}] = ${v};`,
    aKFast: 'true', // gy planes are contiguous along output positions
    bNFast: 'false', // neighbouring output positions read neighbouring inputs
  };
  const dims = { M: geo.coutG, N: geo.cinG * geo.taps, K: p.batch * geo.outPlane, batches: p.groups };
  runGemm(ctx, spec, [x, gy], gw, dims, geometryWords(p));
  return gw;
}
