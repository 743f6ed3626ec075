/**
 * Conv epilogues on the GPU (FusedKernels.convEpilogue and its backward).
 *
 * Forward: the plain convolution kernel (./conv.js), then one pass over its
 * output: bias + ReLU in place, or, with pool2x2, bias + ReLU + 2×2/stride-2
 * max pooling into a new quarter-size output (with the argmax indices if
 * asked), after which the full-size activation is released. The pass is a
 * separate dispatch rather than folded into the conv kernel, so it works with
 * whatever conv kernel conv.ts picks.
 *
 * Pooling follows the reference maxPool: taps in (h, w) order starting from
 * -Infinity with the first tap's index; a strictly greater value or a NaN
 * takes over (ties keep the first tap, NaN propagates). Indices are flat
 * positions (d·oH + h)·oW + w within each output plane (oD, oH, oW).
 *
 * Backward: the gradient masked where the ReLU output y <= 0 (a plain
 * elementwise pass), or, with the bias gradient asked for, one workgroup per
 * channel that masks, writes and sums (Kahan per thread, pairwise tree).
 */
import type { ConvEpilogue, ConvParams, Storage } from '../backend.js';
import type { GpuContext } from './context.js';
import { asGpu, type GpuStorage } from './storage.js';
import { conv } from './conv.js';
import { PARAMS, Params, grid1d, main1d } from './wgsl.js';
import {
  CHANNEL_INDEX, CHANNEL_WG, FLOAT_FNS, KAHAN_FNS, allFloat32, mainPerGroup, workgroupReductions,
} from './fused-wgsl.js';

/** The epilogue with its storages unwrapped. */
export interface GpuEpilogue {
  bias: GpuStorage | null;
  relu: boolean;
  pool2x2: boolean;
  poolIndices: GpuStorage | null;
}

/**
 * Convolution plus epilogue (see FusedKernels.convEpilogue); null (declined)
 * unless x, w and the bias are float32 and the indices (if any) int32.
 * @example const y = webgpuConvEpilogue(ctx, x, w, p, { bias, relu: true, pool2x2: true });
 */
export function webgpuConvEpilogue(ctx: GpuContext, xs: Storage, ws: Storage, p: ConvParams, e: ConvEpilogue): GpuStorage | null {
  const op = 'convEpilogue';
  const x = asGpu(xs, op), w = asGpu(ws, op);
  const epi: GpuEpilogue = {
    bias: e.bias ? asGpu(e.bias, op) : null,
    relu: e.relu,
    pool2x2: e.pool2x2 === true,
    poolIndices: e.pool2x2 && e.poolIndices ? asGpu(e.poolIndices, op) : null,
  };
  if (!allFloat32(x, w, epi.bias) || (epi.poolIndices && epi.poolIndices.dtype !== 'int32')) return null;
  return applyConvEpilogue(ctx, conv(ctx, x, w, p), p, epi);
}

/**
 * The epilogue pass over a convolution output y `[batch, outChannels, oD, oH,
 * oW]` (float32, contiguous): without pooling y itself, updated in place;
 * with pooling a new pooled storage (y is released). Exported for tests that
 * feed a storage computed elsewhere.
 * @example const out = applyConvEpilogue(ctx, convOut, p, { bias, relu: true, pool2x2: false, poolIndices: null });
 */
export function applyConvEpilogue(ctx: GpuContext, y: GpuStorage, p: ConvParams, e: GpuEpilogue): GpuStorage {
  const [oD, oH, oW] = p.outSize;
  const plane = oD * oH * oW, C = p.outChannels;
  if (!e.pool2x2) {
    if (e.bias || e.relu) biasReluInPlace(ctx, y, e.bias, e.relu, p.batch * C * plane, C, plane);
    return y;
  }
  const oH2 = Math.floor(oH / 2), oW2 = Math.floor(oW / 2);
  const total = p.batch * C * oD * oH2 * oW2;
  const out = ctx.alloc('float32', total, 'convEpilogue');
  const bias = e.bias, idx = e.poolIndices;
  const inputs = [y, ...(bias ? [bias] : [])];
  const outputs = [out, ...(idx ? [idx] : [])];
  ctx.run(
    {
      key: `fused:convPool2x2:${bias ? 'b' : '-'}${e.relu ? 'r' : '-'}${idx ? 'i' : '-'}`,
      source: () => `${PARAMS}
@group(0) @binding(1) var<storage, read> Y: array<f32>;
${bias ? '@group(0) @binding(2) var<storage, read> BIAS: array<f32>;' : ''}
@group(0) @binding(${inputs.length + 1}) var<storage, read_write> OUT: array<f32>;
${idx ? `@group(0) @binding(${inputs.length + 2}) var<storage, read_write> IDX: array<i32>;` : ''}
${FLOAT_FNS}
${main1d()}
  if (i >= P[0]) { return; }
  let oD = P[1]; let oH = P[2]; let oW = P[3]; let oH2 = P[4]; let oW2 = P[5];
  let ow = i % oW2;
  let t = i / oW2;
  let oh = t % oH2;
  let pd = t / oH2;                 // (image·C + channel)·oD + d
  let base = pd * oH * oW;          // that (plane, d) slice of Y
  let inPlane = (pd % oD) * oH * oW; // its start within the plane, for the indices
  ${bias ? 'let b = BIAS[(pd / oD) % P[6]];' : ''}
  var best = bitcast<f32>(P[7]);
  var arg = inPlane + 2u * oh * oW + 2u * ow;
  for (var tap = 0u; tap < 4u; tap++) {
    let pos = (2u * oh + tap / 2u) * oW + 2u * ow + tap % 2u;
    var v = Y[base + pos]${bias ? ' + b' : ''};
    ${e.relu ? 'v = relu(v);' : ''}
    if (v > best || isNan(v)) {
      best = v;
      arg = inPlane + pos;
    }
  }
  OUT[i] = best;
  ${idx ? 'IDX[i] = i32(arg);' : ''}
}`,
    },
    inputs,
    outputs,
    new Params().u32(total).u32(oD).u32(oH).u32(oW).u32(oH2).u32(oW2).u32(C).f32(-Infinity).words,
    grid1d(total),
  );
  y.release();
  return out;
}

/** y[i] = relu?(y[i] + bias[channel]) in place over n values, channel = (i / plane) % C. */
function biasReluInPlace(ctx: GpuContext, y: GpuStorage, bias: GpuStorage | null, relu: boolean, n: number, C: number, plane: number): void {
  ctx.run(
    {
      key: `fused:convBiasRelu:${bias ? 'b' : '-'}${relu ? 'r' : '-'}`,
      source: () => `${PARAMS}
${bias ? '@group(0) @binding(1) var<storage, read> BIAS: array<f32>;' : ''}
@group(0) @binding(${bias ? 2 : 1}) var<storage, read_write> Y: array<f32>;
${FLOAT_FNS}
${main1d()}
  if (i >= P[0]) { return; }
  var v = Y[i]${bias ? ' + BIAS[(i / P[2]) % P[1]]' : ''};
  ${relu ? 'v = relu(v);' : ''}
  Y[i] = v;
}`,
    },
    bias ? [bias] : [],
    [y],
    new Params().u32(n).u32(C).u32(Math.max(plane, 1)).words,
    grid1d(n),
  );
}

/**
 * Backward of the epilogue over g `[n, c, s]` (see
 * FusedKernels.convEpilogueBackward): g masked where y <= 0 (with y), and the
 * per-channel sums of that gradient (with bias); null unless float32.
 * @example const { g: gm, bias: db } = webgpuConvEpilogueBackward(ctx, g, y, 8, 16, 196, true)!;
 */
export function webgpuConvEpilogueBackward(
  ctx: GpuContext, gs: Storage, ys: Storage | null, n: number, c: number, s: number, bias: boolean,
): { g: GpuStorage | null; bias: GpuStorage | null } | null {
  const op = 'convEpilogueBackward';
  const g = asGpu(gs, op), y = ys ? asGpu(ys, op) : null;
  if (!allFloat32(g, y)) return null;
  const total = n * c * s;
  const out = y ? ctx.alloc('float32', total, op) : null;
  if (!bias) {
    if (y && out) {
      ctx.run(
        {
          key: 'fused:convReluMask',
          source: () => `${PARAMS}
@group(0) @binding(1) var<storage, read> G: array<f32>;
@group(0) @binding(2) var<storage, read> Y: array<f32>;
@group(0) @binding(3) var<storage, read_write> OUT: array<f32>;
${main1d()}
  if (i >= P[0]) { return; }
  OUT[i] = select(0.0, G[i], Y[i] > 0.0);
}`,
        },
        [g, y],
        [out],
        [total],
        grid1d(total),
      );
    }
    return { g: out, bias: null };
  }
  const db = ctx.alloc('float32', c, op);
  const masked = y ? 'select(0.0, G[j], Y[j] > 0.0)' : 'G[j]';
  ctx.run(
    {
      key: `fused:convBiasBackward:${y ? 'r' : '-'}`,
      source: () => `${PARAMS}
@group(0) @binding(1) var<storage, read> G: array<f32>;
${y ? '@group(0) @binding(2) var<storage, read> Y: array<f32>;' : ''}
${y ? '@group(0) @binding(3) var<storage, read_write> OUT: array<f32>;' : ''}
@group(0) @binding(${y ? 4 : 2}) var<storage, read_write> DB: array<f32>;
${KAHAN_FNS}
${CHANNEL_INDEX}
${workgroupReductions(CHANNEL_WG)}
${mainPerGroup(CHANNEL_WG)}
  let ch = wid;
  if (ch >= P[1]) { return; }
  let M = P[0] * P[2];
  // One pass: each value is masked, written (with y) and summed.
  var acc = vec4<f32>(0.0);
  var comp = vec4<f32>(0.0);
  for (var k = tid; k < M; k += ${CHANNEL_WG}u) {
    let j = at(ch, k);
    let v = ${masked};
    ${y ? 'OUT[j] = v;' : ''}
    kahanAdd(&acc, &comp, vec4<f32>(v, 0.0, 0.0, 0.0));
  }
  let total = wgSum(tid, acc - comp);
  if (tid == 0u) { DB[ch] = total.x; }
}`,
    },
    y ? [g, y] : [g],
    out ? [out, db] : [db],
    [n, c, s],
    grid1d(c, 1),
  );
  return { g: out, bias: db };
}
