/**
 * Pooling kernels (max, average, adaptive; forward and backward) over
 * contiguous `[planes, D, H, W]` float32 storages; 1-D and 2-D pools arrive
 * with size-1 leading spatial dims. The spec is src/backend/reference/pool.ts:
 * same windows, same divisor rule, same tie/NaN/index conventions.
 *
 * Forward kernels run one thread per output; the average backward runs one
 * thread per input and sums the outputs whose windows hold it (no atomics, and
 * deterministic); the max backward is a scatter-add of gy at the indices.
 */
import type { AdaptivePoolParams, AvgPoolParams, PoolParams } from '../backend.js';
import { TensorError } from '../../core/errors.js';
import type { GpuContext } from './context.js';
import type { GpuStorage } from './storage.js';
import { scatterAdd } from './indexing.js';
import { PARAMS, grid1d, main1d } from './wgsl.js';
import { poolWords, windowWgsl, type WindowKind } from './pool-wgsl.js';

type Geometry = PoolParams | AvgPoolParams | AdaptivePoolParams;

const planesOf = (p: Geometry): number => p.batch * p.channels;
const prod3 = (s: readonly [number, number, number]): number => s[0] * s[1] * s[2];

function requireF32(op: string, s: GpuStorage): void {
  if (s.dtype !== 'float32') throw new TensorError(`webgpu backend (${op}): expected a float32 tensor, got ${s.dtype}`);
}

/** WGSL: splits flat id `i` into plane and (d, h, w) over the sizes at axis word `k` (0 = in, 1 = out). */
function splitId(k: number): string {
  return `let S0 = u32(ax(0u, ${k}u)); let S1 = u32(ax(1u, ${k}u)); let S2 = u32(ax(2u, ${k}u));
  let plane = i / (S0 * S1 * S2);
  var r = i % (S0 * S1 * S2);
  let c2 = i32(r % S2); r = r / S2;
  let c1 = i32(r % S1); let c0 = i32(r / S1);`;
}

/**
 * Windowed max, one thread per output. Taps are visited in (d, h, w) order; a
 * strictly greater value or a NaN takes over, so ties keep the first tap and
 * the last NaN wins (PyTorch). A window with no in-range tap gives -Infinity
 * and index -1.
 */
function windowedMax(ctx: GpuContext, op: string, x: GpuStorage, p: Geometry, kind: WindowKind, withIndices: boolean): { out: GpuStorage; indices: GpuStorage | null } {
  requireF32(op, x);
  const n = planesOf(p) * prod3(p.outSize);
  const out = ctx.alloc('float32', n, op);
  const indices = withIndices ? ctx.alloc('int32', n, op) : null;
  const source = (): string => `${PARAMS}
@group(0) @binding(1) var<storage, read> X: array<f32>;
@group(0) @binding(2) var<storage, read_write> Y: array<f32>;
${withIndices ? '@group(0) @binding(3) var<storage, read_write> I: array<i32>;' : ''}
${windowWgsl(kind)}
${main1d()}
  if (i >= P[0]) { return; }
  ${splitId(1)}
  let wd = win(0u, c0); let wh = win(1u, c1); let ww = win(2u, c2);
  let sd = ax(0u, 5u); let sh = ax(1u, 5u); let sw = ax(2u, 5u);
  let H = ax(1u, 0u); let W = ax(2u, 0u);
  let base = plane * u32(ax(0u, 0u) * H * W);
  var best = bitcast<f32>(P[1]);
  var arg = -1;
  if (wd.y > 0 && wh.y > 0 && ww.y > 0) { arg = (wd.x * H + wh.x) * W + ww.x; }
  for (var a = 0; a < wd.y; a++) {
    let d = wd.x + a * sd;
    for (var b = 0; b < wh.y; b++) {
      let row = (d * H + wh.x + b * sh) * W;
      for (var c = 0; c < ww.y; c++) {
        let at = row + ww.x + c * sw;
        let v = X[base + u32(at)];
        if (v > best || isNan(v)) { best = v; arg = at; }
      }
    }
  }
  Y[i] = best;
  ${withIndices ? 'I[i] = arg;' : ''}
}`;
  ctx.run({ key: `pool:max:${kind}:${withIndices ? 'i' : 'n'}`, source }, [x], indices ? [out, indices] : [out], poolWords(n, p), grid1d(n));
  return { out, indices };
}

/** Windowed average, one thread per output; an empty window gives 0. */
function windowedAvg(ctx: GpuContext, op: string, x: GpuStorage, p: Geometry, kind: WindowKind): GpuStorage {
  requireF32(op, x);
  const n = planesOf(p) * prod3(p.outSize);
  const out = ctx.alloc('float32', n, op);
  const source = (): string => `${PARAMS}
@group(0) @binding(1) var<storage, read> X: array<f32>;
@group(0) @binding(2) var<storage, read_write> Y: array<f32>;
${windowWgsl(kind)}
${main1d()}
  if (i >= P[0]) { return; }
  ${splitId(1)}
  let wd = win(0u, c0); let wh = win(1u, c1); let ww = win(2u, c2);
  let H = ax(1u, 0u); let W = ax(2u, 0u);
  let base = plane * u32(ax(0u, 0u) * H * W);
  if (wd.y <= 0 || wh.y <= 0 || ww.y <= 0) { Y[i] = 0.0; return; }
  var sum = 0.0;
  // The reference walks avg windows with unit step (avg pools have no dilation).
  for (var d = wd.x; d < wd.x + wd.y; d++) {
    for (var h = wh.x; h < wh.x + wh.y; h++) {
      let row = base + u32((d * H + h) * W);
      for (var w = ww.x; w < ww.x + ww.y; w++) { sum += X[row + u32(w)]; }
    }
  }
  Y[i] = sum / divisor(wd, wh, ww);
}`;
  ctx.run({ key: `pool:avg:${kind}`, source }, [x], [out], poolWords(n, p), grid1d(n));
  return out;
}

/**
 * The adjoint of {@link windowedAvg}: one thread per input element sums
 * gy / divisor over the outputs whose windows hold it.
 */
function windowedAvgBackward(ctx: GpuContext, op: string, gy: GpuStorage, p: Geometry, kind: WindowKind): GpuStorage {
  requireF32(op, gy);
  const n = planesOf(p) * prod3(p.inSize);
  const gx = ctx.alloc('float32', n, op);
  const source = (): string => `${PARAMS}
@group(0) @binding(1) var<storage, read> G: array<f32>;
@group(0) @binding(2) var<storage, read_write> GX: array<f32>;
${windowWgsl(kind)}
${main1d()}
  if (i >= P[0]) { return; }
  ${splitId(0)}
  let OH = ax(1u, 1u); let OW = ax(2u, 1u);
  let base = plane * u32(ax(0u, 1u) * OH * OW);
  let cd = cand(0u, c0); let ch = cand(1u, c1); let cw = cand(2u, c2);
  var acc = 0.0;
  for (var od = cd.x; od <= cd.y; od++) {
    let wd = win(0u, od);
    if (c0 < wd.x || c0 >= wd.x + wd.y) { continue; }
    for (var oh = ch.x; oh <= ch.y; oh++) {
      let wh = win(1u, oh);
      if (c1 < wh.x || c1 >= wh.x + wh.y) { continue; }
      for (var ow = cw.x; ow <= cw.y; ow++) {
        let ww = win(2u, ow);
        if (c2 < ww.x || c2 >= ww.x + ww.y) { continue; }
        acc += G[base + u32((od * OH + oh) * OW + ow)] / divisor(wd, wh, ww);
      }
    }
  }
  GX[i] = acc;
}`;
  ctx.run({ key: `pool:avgBackward:${kind}`, source }, [gy], [gx], poolWords(n, p), grid1d(n));
  return gx;
}

/**
 * Max pooling: x `[batch, channels, ...inSize]` -> out `[batch, channels, ...outSize]`,
 * plus (when `withIndices`) int32 indices = each max's flat position in its input
 * plane. Padding reads as -Infinity; ties keep the first tap; NaN propagates.
 */
export function maxPool(ctx: GpuContext, x: GpuStorage, p: PoolParams, withIndices: boolean): { out: GpuStorage; indices: GpuStorage | null } {
  return windowedMax(ctx, 'maxPool', x, p, 'strided', withIndices);
}

/**
 * Max pooling backward: `[planes, inPlane]` zeros plus gy `[planes, outPlane]`
 * summed at each index (indices < 0, i.e. windows that saw only padding, skip).
 */
export function maxPoolBackward(ctx: GpuContext, gy: GpuStorage, idx: GpuStorage, planes: number, outPlane: number, inPlane: number): GpuStorage {
  requireF32('maxPoolBackward', gy);
  const gx = ctx.alloc('float32', planes * inPlane, 'maxPoolBackward');
  ctx.clear(gx);
  const l = { shape: [planes, outPlane], strides: [outPlane, 1], offset: 0 };
  scatterAdd(ctx, gx, [planes, inPlane], 1, idx, l, gy, l);
  return gx;
}

/** Average pooling forward with PyTorch's divisor rule (override, else padded or in-input window extent). */
export function avgPool(ctx: GpuContext, x: GpuStorage, p: AvgPoolParams): GpuStorage {
  return windowedAvg(ctx, 'avgPool', x, p, 'strided');
}

/** Average pooling backward: gy `[batch, channels, ...outSize]` -> `[batch, channels, ...inSize]`. */
export function avgPoolBackward(ctx: GpuContext, gy: GpuStorage, p: AvgPoolParams): GpuStorage {
  return windowedAvgBackward(ctx, 'avgPoolBackward', gy, p, 'strided');
}

/** Adaptive average pooling: mean over `[floor(o*in/out), ceil((o+1)*in/out))` per dim. */
export function adaptiveAvgPool(ctx: GpuContext, x: GpuStorage, p: AdaptivePoolParams): GpuStorage {
  return windowedAvg(ctx, 'adaptiveAvgPool', x, p, 'adaptive');
}

/** Adaptive average pooling backward: gy / windowSize spread over each window. */
export function adaptiveAvgPoolBackward(ctx: GpuContext, gy: GpuStorage, p: AdaptivePoolParams): GpuStorage {
  return windowedAvgBackward(ctx, 'adaptiveAvgPoolBackward', gy, p, 'adaptive');
}

/** Adaptive max pooling with indices, tie and NaN rules as {@link maxPool}. */
export function adaptiveMaxPool(ctx: GpuContext, x: GpuStorage, p: AdaptivePoolParams): { out: GpuStorage; indices: GpuStorage } {
  const r = windowedMax(ctx, 'adaptiveMaxPool', x, p, 'adaptive', true);
  return { out: r.out, indices: r.indices! };
}
