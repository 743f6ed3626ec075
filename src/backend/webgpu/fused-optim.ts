/**
 * Fused optimizer updates on the GPU (FusedKernels.sgdStep / adamStep): one
 * in-place pass over parameter, gradient and state, float32 only (anything
 * else is declined with false and the optimizer's tensor-op composite runs).
 * Same formulas and order as the composites in src/optim/sgd.ts and adam.ts
 * and the wasm kernels (assembly/optim.ts), in float32 arithmetic.
 *
 * Buffers updated in place are bound once, read_write (a buffer may not be
 * both an input and an output of one dispatch). Which optional buffers exist
 * (momentum, AMSGrad's max) changes the bindings, so it is part of the
 * pipeline key; the other switches are parameter words.
 */
import type { AdamStepOptions, SgdStepOptions, Storage } from '../backend.js';
import type { GpuContext } from './context.js';
import { asGpu, type GpuStorage } from './storage.js';
import { PARAMS, Params, grid1d, main1d } from './wgsl.js';
import { FLOAT_FNS, allFloat32, distinctBuffers } from './fused-wgsl.js';

const SGD_NESTEROV = 1, SGD_MAXIMIZE = 2, SGD_FIRST = 4, SGD_DECAY = 8;
const ADAM_DECOUPLED = 1, ADAM_MAXIMIZE = 2, ADAM_DECAY = 4;

/** True when each storage holds at least n elements. */
const fits = (n: number, ...s: (GpuStorage | null)[]) => s.every((t) => t === null || t.length >= n);

/**
 * SGD step in place on n elements (see FusedKernels.sgdStep); false (nothing
 * written) unless every buffer is float32.
 * @example webgpuSgdStep(ctx, p, g, null, p.length, { lr: 0.1, momentum: 0, ... })
 */
export function webgpuSgdStep(ctx: GpuContext, ps: Storage, gs: Storage, bs: Storage | null, n: number, o: SgdStepOptions): boolean {
  const p = asGpu(ps, 'sgdStep'), g = asGpu(gs, 'sgdStep');
  const buf = bs && o.momentum !== 0 ? asGpu(bs, 'sgdStep') : null;
  if (!allFloat32(p, g, buf) || !fits(n, p, g, buf) || !distinctBuffers(p, g, buf)) return false;
  if (n === 0) return true;
  const flags = (o.nesterov ? SGD_NESTEROV : 0) | (o.maximize ? SGD_MAXIMIZE : 0) | (o.firstStep ? SGD_FIRST : 0) |
    (o.weightDecay !== 0 ? SGD_DECAY : 0);
  const params = new Params().u32(n).u32(flags).f32(o.lr).f32(o.momentum).f32(1 - o.dampening).f32(o.weightDecay);
  const mom = buf !== null;
  ctx.run(
    {
      key: `fused:sgd:${mom ? 'm' : '-'}`,
      source: () => `${PARAMS}
@group(0) @binding(1) var<storage, read> G: array<f32>;
@group(0) @binding(2) var<storage, read_write> Pm: array<f32>;
${mom ? '@group(0) @binding(3) var<storage, read_write> B: array<f32>;' : ''}
${main1d()}
  if (i >= P[0]) { return; }
  let flags = P[1];
  let lr = bitcast<f32>(P[2]);
  let pv = Pm[i];
  var d = G[i];
  if ((flags & ${SGD_MAXIMIZE}u) != 0u) { d = -d; }
  if ((flags & ${SGD_DECAY}u) != 0u) { d = d + bitcast<f32>(P[5]) * pv; }
  ${mom ? `let momentum = bitcast<f32>(P[3]);
  var b = d;
  if ((flags & ${SGD_FIRST}u) == 0u) { b = momentum * B[i] + bitcast<f32>(P[4]) * d; }
  B[i] = b;
  d = select(b, d + momentum * b, (flags & ${SGD_NESTEROV}u) != 0u);` : ''}
  Pm[i] = pv - lr * d;
}`,
    },
    [g],
    mom ? [p, buf] : [p],
    params.words,
    grid1d(n),
  );
  return true;
}

/**
 * Adam/AdamW step in place on n elements (see FusedKernels.adamStep); false
 * (nothing written) unless every buffer is float32. The bias corrections
 * lr/(1-β1^t) and sqrt(1-β2^t) are computed here in double precision.
 * @example webgpuAdamStep(ctx, p, g, m, v, null, p.length, { lr: 1e-3, beta1: 0.9, ... })
 */
export function webgpuAdamStep(
  ctx: GpuContext, ps: Storage, gs: Storage, ms: Storage, vs: Storage, vMaxS: Storage | null, n: number, o: AdamStepOptions,
): boolean {
  const p = asGpu(ps, 'adamStep'), g = asGpu(gs, 'adamStep'), m = asGpu(ms, 'adamStep'), v = asGpu(vs, 'adamStep');
  const vMax = vMaxS ? asGpu(vMaxS, 'adamStep') : null;
  if (!allFloat32(p, g, m, v, vMax) || !fits(n, p, g, m, v, vMax) || !distinctBuffers(p, g, m, v, vMax)) return false;
  if (n === 0) return true;
  const flags = (o.decoupled ? ADAM_DECOUPLED : 0) | (o.maximize ? ADAM_MAXIMIZE : 0) | (o.weightDecay !== 0 ? ADAM_DECAY : 0);
  const stepSize = o.lr / (1 - o.beta1 ** o.step), sqrtBias2 = Math.sqrt(1 - o.beta2 ** o.step);
  const params = new Params().u32(n).u32(flags)
    .f32(o.beta1).f32(1 - o.beta1).f32(o.beta2).f32(1 - o.beta2).f32(o.eps).f32(o.weightDecay).f32(1 - o.lr * o.weightDecay)
    .f32(stepSize).f32(sqrtBias2);
  const ams = vMax !== null;
  ctx.run(
    {
      key: `fused:adam:${ams ? 'ams' : '-'}`,
      source: () => `${PARAMS}
@group(0) @binding(1) var<storage, read> G: array<f32>;
@group(0) @binding(2) var<storage, read_write> Pm: array<f32>;
@group(0) @binding(3) var<storage, read_write> M: array<f32>;
@group(0) @binding(4) var<storage, read_write> V: array<f32>;
${ams ? '@group(0) @binding(5) var<storage, read_write> VMAX: array<f32>;' : ''}
fn w(k: u32) -> f32 { return bitcast<f32>(P[k]); }
${FLOAT_FNS}
${main1d()}
  if (i >= P[0]) { return; }
  let flags = P[1];
  var pv = Pm[i];
  var d = G[i];
  if ((flags & ${ADAM_MAXIMIZE}u) != 0u) { d = -d; }
  if ((flags & ${ADAM_DECAY}u) != 0u) {
    if ((flags & ${ADAM_DECOUPLED}u) != 0u) { pv = pv * w(8u); } else { d = d + w(7u) * pv; }
  }
  let mv = M[i] * w(2u) + d * w(3u);
  let vv = V[i] * w(4u) + d * d * w(5u);
  M[i] = mv;
  V[i] = vv;
  ${ams ? `let vu = maxNan(VMAX[i], vv);
  VMAX[i] = vu;` : 'let vu = vv;'}
  Pm[i] = pv - w(9u) * (mv / (sqrt(vu) / w(10u) + w(6u)));
}`,
    },
    [g],
    ams ? [p, m, v, vMax] : [p, m, v],
    params.words,
    grid1d(n),
  );
  return true;
}
