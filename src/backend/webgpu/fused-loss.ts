/**
 * Fused softmax cross-entropy rows on the GPU (FusedKernels.crossEntropyRows
 * and its backward): one workgroup per row finds the row's maximum and
 * Σ exp(x - max) with shared-memory trees, then one thread writes the loss
 * (forward) or every thread writes its classes' gradients (backward).
 * float32 logits and int32 targets only; anything else is declined (null).
 *
 * The formulas follow the composites (src/ops/loss-class.ts, loss-prims.ts)
 * rather than a shortcut: logp = (x - max) - log Σ exp(x - max), and the
 * smoothing term Σ_c logp[c] = Σ_c (x_c - max) - C·log Σ. A row holding NaN or
 * ±Infinity as its maximum therefore gives NaN, as the composite's
 * logSoftmax does (inf - inf); ignored rows give exactly 0.
 */
import type { Storage } from '../backend.js';
import type { GpuContext } from './context.js';
import { asGpu } from './storage.js';
import { PARAMS, Params, grid1d } from './wgsl.js';
import { FLOAT_FNS, mainPerGroup, workgroupReductions } from './fused-wgsl.js';

/** Threads per row: class counts are usually small (10 to 1000). */
const CE_WG = 64;

/** Parameter words shared by both kernels: rows, classes, ignoreIndex, ε, ε/C, -Infinity, NaN. */
function ceParams(rows: number, classes: number, ignoreIndex: number, eps: number): number[] {
  return new Params().u32(rows).u32(classes).i32(ignoreIndex).f32(eps).f32(classes > 0 ? eps / classes : 0)
    .f32(-Infinity).f32(NaN).words;
}

/**
 * WGSL computing, for row `wid`, `m` (the maximum, NaN-propagating), `s`
 * (Σ exp(x - m)), `sums.y` (Σ (x - m)) and `bad` (m is NaN or infinite),
 * with every thread of the group.
 * Needs X, FLOAT_FNS and the reductions.
 */
const ROW_STATS = `
  let C = P[1];
  let base = wid * C;
  var mx = bitcast<f32>(P[5]);
  for (var c = tid; c < C; c += ${CE_WG}u) { mx = maxNan(mx, X[base + c]); }
  let m = wgMax(tid, mx);
  var se = 0.0;
  var sd = 0.0;
  for (var c = tid; c < C; c += ${CE_WG}u) {
    let d = X[base + c] - m;
    se += exp(d);
    sd += d;
  }
  let sums = wgSum(tid, vec4<f32>(se, sd, 0.0, 0.0));
  let s = sums.x;
  // A NaN or infinite maximum makes the composite's logSoftmax NaN (inf - inf); said outright,
  // since WGSL lets exp() and friends assume they never see NaN or infinity.
  let bad = (bitcast<u32>(m) & 0x7f800000u) == 0x7f800000u;`;

/**
 * Per-row losses `[rows]` of float32 logits `[rows, classes]` against int32
 * targets (validated by the caller), or null to decline.
 * @example const losses = webgpuCrossEntropyRows(ctx, logits, targets, 32, 10, -100, 0.1);
 */
export function webgpuCrossEntropyRows(
  ctx: GpuContext, xs: Storage, ts: Storage, rows: number, classes: number, ignoreIndex: number, eps: number,
): Storage | null {
  const x = asGpu(xs, 'crossEntropyRows'), t = asGpu(ts, 'crossEntropyRows');
  if (x.dtype !== 'float32' || t.dtype !== 'int32') return null;
  const out = ctx.alloc('float32', rows, 'crossEntropyRows');
  ctx.run(
    {
      key: 'fused:crossEntropyRows',
      source: () => `${PARAMS}
@group(0) @binding(1) var<storage, read> X: array<f32>;
@group(0) @binding(2) var<storage, read> T: array<i32>;
@group(0) @binding(3) var<storage, read_write> OUT: array<f32>;
${FLOAT_FNS}
${workgroupReductions(CE_WG, true)}
${mainPerGroup(CE_WG)}
  if (wid >= P[0]) { return; }
  ${ROW_STATS}
  if (tid != 0u) { return; }
  let tgt = T[wid];
  if (tgt == bitcast<i32>(P[2])) { OUT[wid] = 0.0; return; }
  let ls = log(s);
  let eps = bitcast<f32>(P[3]);
  // An out-of-range tgt (the op layer rejects them) reads nothing and gives NaN.
  var xt = bitcast<f32>(P[6]);
  if (tgt >= 0 && u32(tgt) < C) { xt = X[base + u32(tgt)] - m; }
  var loss = -(1.0 - eps) * (xt - ls);
  if (eps > 0.0) { loss -= bitcast<f32>(P[4]) * (sums.y - f32(C) * ls); }
  OUT[wid] = select(loss, bitcast<f32>(P[6]), bad);
}`,
    },
    [x, t],
    [out],
    ceParams(rows, classes, ignoreIndex, eps),
    grid1d(rows, 1),
  );
  return out;
}

/**
 * Gradient `[rows, classes]` w.r.t. the logits given the per-row upstream
 * gradient g `[rows]`: g·(softmax - (1-ε) onehot(t) - ε/C), 0 on ignored rows;
 * null to decline.
 * @example const dx = webgpuCrossEntropyRowsBackward(ctx, logits, targets, g, 32, 10, -100, 0);
 */
export function webgpuCrossEntropyRowsBackward(
  ctx: GpuContext, xs: Storage, ts: Storage, gs: Storage, rows: number, classes: number, ignoreIndex: number, eps: number,
): Storage | null {
  const x = asGpu(xs, 'crossEntropyRowsBackward'), t = asGpu(ts, 'crossEntropyRowsBackward'), g = asGpu(gs, 'crossEntropyRowsBackward');
  if (x.dtype !== 'float32' || t.dtype !== 'int32' || g.dtype !== 'float32') return null;
  const out = ctx.alloc('float32', rows * classes, 'crossEntropyRowsBackward');
  ctx.run(
    {
      key: 'fused:crossEntropyRowsBackward',
      source: () => `${PARAMS}
@group(0) @binding(1) var<storage, read> X: array<f32>;
@group(0) @binding(2) var<storage, read> T: array<i32>;
@group(0) @binding(3) var<storage, read> G: array<f32>;
@group(0) @binding(4) var<storage, read_write> OUT: array<f32>;
${FLOAT_FNS}
${workgroupReductions(CE_WG, true)}
${mainPerGroup(CE_WG)}
  if (wid >= P[0]) { return; }
  ${ROW_STATS}
  let tgt = T[wid];
  let ignored = tgt == bitcast<i32>(P[2]);
  let g = G[wid];
  let keep = 1.0 - bitcast<f32>(P[3]);
  let uniformPart = bitcast<f32>(P[4]);
  for (var c = tid; c < C; c += ${CE_WG}u) {
    let p = exp(X[base + c] - m) / s;
    let d = p - select(0.0, keep, i32(c) == tgt) - uniformPart;
    OUT[base + c] = select(select(g * d, bitcast<f32>(P[6]), bad), 0.0, ignored);
  }
}`,
    },
    [x, t, g],
    [out],
    ceParams(rows, classes, ignoreIndex, eps),
    grid1d(rows, 1),
  );
  return out;
}
