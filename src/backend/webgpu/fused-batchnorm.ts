/**
 * Fused training-mode batch norm on the GPU (FusedKernels.batchNormTrain and
 * its backward) over x `[n, c, s]`: one workgroup per channel walks the
 * channel's M = n·s values, float32 only (anything else: null, the composite
 * runs).
 *
 * Precision without float64 (WGSL has none), as the wasm kernels
 * (assembly/batchnorm.ts) but in float32 with compensation: each thread sums
 * its share with Kahan summation and the workgroup adds the 256 partial sums
 * as a pairwise tree. Forward: pass 1 gives the float32 mean mu; pass 2 sums
 * d = x - mu and d² (d is exact when x is within a factor 2 of mu, so inputs
 * like N(1000, 1) lose nothing to cancellation), giving the mean's rounding
 * error δ = Σd/M and the biased variance Σd²/M - δ² (never E[x²] - E[x]²);
 * pass 3 writes y = (d - δ)·scale + bias. Backward centres on the saved mean
 * the same way: Σgy, Σgy·d and Σd in one pass, dx in a second.
 */
import type { Storage } from '../backend.js';
import type { GpuContext } from './context.js';
import { asGpu, type GpuStorage } from './storage.js';
import { PARAMS, Params, grid1d } from './wgsl.js';
import { CHANNEL_INDEX, CHANNEL_WG, KAHAN_FNS, allFloat32, channelSum, mainPerGroup, workgroupReductions } from './fused-wgsl.js';

/**
 * Batch statistics and normalised output of x `[n, c, s]`; weight/bias `[c]`
 * or null (1/0). Returns y, the batch mean and the biased variance, or null.
 * @example const r = webgpuBatchNormTrain(ctx, x, w, b, 8, 16, 64, 1e-5);
 */
export function webgpuBatchNormTrain(
  ctx: GpuContext, xs: Storage, ws: Storage | null, bs: Storage | null, n: number, c: number, s: number, eps: number,
): { y: GpuStorage; mean: GpuStorage; var: GpuStorage } | null {
  const x = asGpu(xs, 'batchNormTrain');
  const w = ws ? asGpu(ws, 'batchNormTrain') : null, b = bs ? asGpu(bs, 'batchNormTrain') : null;
  if (!allFloat32(x, w, b)) return null;
  const y = ctx.alloc('float32', n * c * s, 'batchNormTrain');
  const mean = ctx.alloc('float32', c, 'batchNormTrain'), variance = ctx.alloc('float32', c, 'batchNormTrain');
  const hasW = w !== null, hasB = b !== null;
  // Bindings: X, then W and B where given, then the three outputs.
  const inputs = [x, ...(w ? [w] : []), ...(b ? [b] : [])];
  const names = ['X', ...(w ? ['W'] : []), ...(b ? ['B'] : [])];
  const decls = names.map((nm, i) => `@group(0) @binding(${i + 1}) var<storage, read> ${nm}: array<f32>;`).join('\n');
  const k = inputs.length + 1;
  ctx.run(
    {
      key: `fused:batchNormTrain:${hasW ? 'w' : '-'}${hasB ? 'b' : '-'}`,
      source: () => `${PARAMS}
${decls}
@group(0) @binding(${k}) var<storage, read_write> Y: array<f32>;
@group(0) @binding(${k + 1}) var<storage, read_write> MEAN: array<f32>;
@group(0) @binding(${k + 2}) var<storage, read_write> VAR: array<f32>;
${KAHAN_FNS}
${CHANNEL_INDEX}
${workgroupReductions(CHANNEL_WG)}
${mainPerGroup(CHANNEL_WG)}
  let ch = wid;
  if (ch >= P[1]) { return; }
  let M = P[0] * P[2];
  let fm = f32(M);
  ${channelSum('total', 'vec4<f32>(X[j], 0.0, 0.0, 0.0)')}
  let mu = total.x / fm;
  ${channelSum('centred', 'vec4<f32>(X[j] - mu, (X[j] - mu) * (X[j] - mu), 0.0, 0.0)')}
  let delta = centred.x / fm;
  let v = max(centred.y / fm - delta * delta, 0.0);
  let scale = ${hasW ? 'W[ch]' : '1.0'} / sqrt(v + bitcast<f32>(P[3]));
  let shift = ${hasB ? 'B[ch]' : '0.0'};
  for (var k = tid; k < M; k += ${CHANNEL_WG}u) {
    let j = at(ch, k);
    Y[j] = ((X[j] - mu) - delta) * scale + shift;
  }
  if (tid == 0u) {
    MEAN[ch] = mu + delta;
    VAR[ch] = v;
  }
}`,
    },
    inputs,
    [y, mean, variance],
    new Params().u32(n).u32(c).u32(s).f32(eps).words,
    grid1d(c, 1),
  );
  return { y, mean, var: variance };
}

/**
 * Backward of {@link webgpuBatchNormTrain} from gy `[n, c, s]` with the saved
 * mean and biased variance: dx, dweight = Σ gy·x̂, dbias = Σ gy; or null.
 * @example const { dx, dweight, dbias } = webgpuBatchNormTrainBackward(ctx, x, gy, mean, v, w, 8, 16, 64, 1e-5)!;
 */
export function webgpuBatchNormTrainBackward(
  ctx: GpuContext, xs: Storage, gys: Storage, means: Storage, vars: Storage, ws: Storage | null, n: number, c: number, s: number, eps: number,
): { dx: GpuStorage; dweight: GpuStorage; dbias: GpuStorage } | null {
  const op = 'batchNormTrainBackward';
  const x = asGpu(xs, op), gy = asGpu(gys, op), mean = asGpu(means, op), variance = asGpu(vars, op);
  const w = ws ? asGpu(ws, op) : null;
  if (!allFloat32(x, gy, mean, variance, w)) return null;
  const dx = ctx.alloc('float32', n * c * s, op), dweight = ctx.alloc('float32', c, op), dbias = ctx.alloc('float32', c, op);
  const hasW = w !== null;
  const o = hasW ? 6 : 5;
  ctx.run(
    {
      key: `fused:batchNormTrainBackward:${hasW ? 'w' : '-'}`,
      source: () => `${PARAMS}
@group(0) @binding(1) var<storage, read> X: array<f32>;
@group(0) @binding(2) var<storage, read> GY: array<f32>;
@group(0) @binding(3) var<storage, read> MEAN: array<f32>;
@group(0) @binding(4) var<storage, read> VAR: array<f32>;
${hasW ? '@group(0) @binding(5) var<storage, read> W: array<f32>;' : ''}
@group(0) @binding(${o}) var<storage, read_write> DX: array<f32>;
@group(0) @binding(${o + 1}) var<storage, read_write> DW: array<f32>;
@group(0) @binding(${o + 2}) var<storage, read_write> DB: array<f32>;
${KAHAN_FNS}
${CHANNEL_INDEX}
${workgroupReductions(CHANNEL_WG)}
${mainPerGroup(CHANNEL_WG)}
  let ch = wid;
  if (ch >= P[1]) { return; }
  let M = P[0] * P[2];
  let fm = f32(M);
  let mu = MEAN[ch];
  let invStd = 1.0 / sqrt(VAR[ch] + bitcast<f32>(P[3]));
  // Σ gy, Σ gy·d, Σ d with d = x - mu (exact near the mean).
  ${channelSum('sums', 'vec4<f32>(GY[j], GY[j] * (X[j] - mu), X[j] - mu, 0.0)')}
  let sg = sums.x;
  let delta = sums.z / fm;
  let sgx = (sums.y - delta * sg) * invStd;
  let scale = ${hasW ? 'W[ch]' : '1.0'} * invStd;
  // dx = scale·(gy - sg/M - x̂·sgx/M) with x̂ = (d - δ)·invStd.
  let a = scale * invStd * sgx / fm;
  let cst = scale * sg / fm;
  for (var k = tid; k < M; k += ${CHANNEL_WG}u) {
    let j = at(ch, k);
    DX[j] = scale * GY[j] - cst - a * ((X[j] - mu) - delta);
  }
  if (tid == 0u) {
    DW[ch] = sgx;
    DB[ch] = sg;
  }
}`,
    },
    [x, gy, mean, variance, ...(w ? [w] : [])],
    [dx, dweight, dbias],
    new Params().u32(n).u32(c).u32(s).f32(eps).words,
    grid1d(c, 1),
  );
  return { dx, dweight, dbias };
}
