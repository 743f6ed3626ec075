/**
 * ONNX Resize (opset 10+) and the older Upsample (opset 7-9) in nearest and
 * linear modes, with every coordinate_transformation_mode except
 * tf_crop_and_resize, as separable per-dim passes: a nearest pass picks one
 * source index per output position (indexSelect), a linear pass blends two
 * neighbours `x[i0] * (1 - l) + x[i1] * l`. Indices and weights follow
 * onnxruntime's formulas (float32 arithmetic), so nearest rounding ties and
 * clamping at the borders match it; gradients flow through indexSelect and mul.
 *
 * Shape contract: X of any rank r; `scales` (r floats) gives
 * out[d] = floor(X[d] * scales[d]), `sizes` (r ints) gives out directly and
 * scale = out / in; opset 18 `axes` limits both to the listed dims.
 * @example Resize(X [1, 3, 4, 4], scales [1, 1, 2, 2], mode 'nearest') -> [1, 3, 8, 8]
 */
import { TensorError, fmtShape } from '../../core/errors.js';
import * as E from '../../ops/elementwise.js';
import { indexSelect } from '../../ops/indexing.js';
import { reshape } from '../../ops/movement.js';
import { tensor } from '../../tensor/create.js';
import type { Tensor } from '../../tensor/tensor.js';
import { toHost, axisOf, floatTensor, guard, intList, need, type OpContext, type OpFn, type Value } from './values.js';

const f32 = Math.fround;

type Coord = (i: number, inSize: number, outSize: number, scale: number) => number;

/** Source coordinate of output index i, per coordinate_transformation_mode (as onnxruntime, in float32). */
const COORDS: Record<string, Coord> = {
  half_pixel: (i, _in, _out, s) => f32(f32(f32(i + 0.5) / s) - 0.5),
  pytorch_half_pixel: (i, _in, out, s) => (out > 1 ? f32(f32(f32(i + 0.5) / s) - 0.5) : 0),
  align_corners: (i, inSize, out) => (out === 1 ? 0 : f32(f32(i * (inSize - 1)) / (out - 1))),
  asymmetric: (i, _in, _out, s) => f32(i / s),
  half_pixel_symmetric: (i, inSize, out, s) => {
    const adjustment = f32(out / f32(s * inSize));
    const offset = f32(f32(inSize / 2) * f32(1 - adjustment));
    return f32(offset + f32(f32(f32(i + 0.5) / s) - 0.5));
  },
};

type Round = (x: number, scale: number) => number;

const NEAREST: Record<string, Round> = {
  round_prefer_floor: (x) => (x === Math.floor(x) + 0.5 ? Math.floor(x) : Math.round(x)),
  round_prefer_ceil: (x) => Math.round(x),
  floor: (x) => Math.floor(x),
  ceil: (x) => Math.ceil(x),
  // Opset < 11 (Upsample, Resize-10): floor when upsampling, ceil when downsampling.
  simple: (x, s) => (s < 1 ? Math.ceil(x) : Math.trunc(x)),
};

interface Plan { mode: 'nearest' | 'linear'; coord: Coord; round: Round; outSize: number[]; scales: number[] }

/** Resizes dim `d` of x to `out` elements. */
function resizeDim(x: Tensor, d: number, out: number, scale: number, p: Plan): Tensor {
  const inSize = x.shape[d]!;
  if (p.mode === 'nearest') {
    const idx = Int32Array.from({ length: out }, (_, i) => Math.min(Math.max(p.round(p.coord(i, inSize, out, scale), scale), 0), inSize - 1));
    return indexSelect(x, d, tensor(idx, { shape: [out] }));
  }
  const i0 = new Int32Array(out), i1 = new Int32Array(out), w0 = new Float32Array(out), w1 = new Float32Array(out);
  for (let i = 0; i < out; i++) {
    const c = Math.min(Math.max(p.coord(i, inSize, out, scale), 0), inSize - 1);
    const lo = Math.min(Math.floor(c), inSize - 1);
    const l = f32(c - lo);
    i0[i] = lo;
    i1[i] = Math.min(lo + 1, inSize - 1);
    w0[i] = f32(1 - l);
    w1[i] = l;
  }
  const wShape = x.shape.map((_, k) => (k === d ? out : 1));
  const w = (v: Float32Array) => E.cast(reshape(tensor(v, { shape: [out] }), wShape), x.dtype);
  const a = E.mul(indexSelect(x, d, tensor(i0, { shape: [out] })), w(w0));
  const b = E.mul(indexSelect(x, d, tensor(i1, { shape: [out] })), w(w1));
  return E.add(a, b);
}

function run(x: Tensor, p: Plan, ctx: OpContext): Tensor {
  // The passes run dim by dim, so an intermediate may hold max(in, out) along every dim.
  guard(ctx, x.shape.map((d, i) => Math.max(d, p.outSize[i]!)));
  let y = x;
  for (let d = 0; d < x.ndim; d++) {
    const out = p.outSize[d]!, scale = p.scales[d]!;
    if (out === x.shape[d] && scale === 1) continue;
    if (x.shape[d] === 0 || out === 0) throw new TensorError(`${ctx.where}: cannot resize dim ${d} of ${fmtShape(x.shape)} to ${out}`);
    y = resizeDim(y, d, out, scale, p);
  }
  return y;
}

function modeOf(ctx: OpContext, allowed: readonly string[]): 'nearest' | 'linear' {
  let mode = ctx.attrs.string('mode', 'nearest');
  if (mode === 'bilinear') mode = 'linear'; // Upsample-7 spelling
  if (mode === 'cubic') throw new TensorError(`${ctx.where}: mode 'cubic' is not supported (nearest and linear are)`);
  if (!allowed.includes(mode)) throw new TensorError(`${ctx.where}: unknown mode '${mode}' (${allowed.join(', ')})`);
  return mode as 'nearest' | 'linear';
}

/** Checked scales: one positive finite number per dim. */
function checkScales(scales: number[], rank: number, ctx: OpContext): number[] {
  if (scales.length !== rank) throw new TensorError(`${ctx.where}: scales [${scales.join(', ')}] needs ${rank} values (one per input dim)`);
  for (const s of scales) if (!(Number.isFinite(s) && s > 0)) throw new TensorError(`${ctx.where}: scales [${scales.join(', ')}] must be positive and finite`);
  return scales.map(f32);
}

const sizesFromScales = (x: Tensor, scales: readonly number[]) => x.shape.map((d, i) => Math.floor(f32(d * scales[i]!)));

const present = (v: Value | undefined): v is Value => v !== undefined && v.shape.reduce((a, b) => a * b, 1) > 0;

const Resize: OpFn = (inputs, ctx) => {
  const x = floatTensor(need(inputs, 0, 'X', ctx), 'X', ctx);
  const rank = x.ndim;
  const a = ctx.attrs;
  const mode = modeOf(ctx, ['nearest', 'linear']);
  if (ctx.opset < 11) {
    const scales = checkScales(Array.from(toHost(need(inputs, 1, 'scales', ctx)).data), rank, ctx);
    return [run(x, { mode, coord: COORDS.asymmetric!, round: NEAREST.simple!, outSize: sizesFromScales(x, scales), scales }, ctx)];
  }
  const coordName = a.string('coordinate_transformation_mode', 'half_pixel');
  if (coordName === 'tf_crop_and_resize') throw new TensorError(`${ctx.where}: coordinate_transformation_mode 'tf_crop_and_resize' is not supported`);
  const coord = COORDS[coordName];
  if (!coord) throw new TensorError(`${ctx.where}: unknown coordinate_transformation_mode '${coordName}' (${Object.keys(COORDS).join(', ')})`);
  const roundName = a.string('nearest_mode', 'round_prefer_floor');
  const round = NEAREST[roundName];
  if (!round || roundName === 'simple') throw new TensorError(`${ctx.where}: unknown nearest_mode '${roundName}' (round_prefer_floor, round_prefer_ceil, floor, ceil)`);
  const policy = a.string('keep_aspect_ratio_policy', 'stretch');
  if (policy !== 'stretch') throw new TensorError(`${ctx.where}: keep_aspect_ratio_policy '${policy}' is not supported (stretch is)`);
  const axes = (a.ints('axes') ?? x.shape.map((_, i) => i)).map((ax) => axisOf(ax, rank, ctx, 'axes entry'));
  if (new Set(axes).size !== axes.length) throw new TensorError(`${ctx.where}: axes [${axes.join(', ')}] repeat a dim`);
  const full = (vals: number[], fill: (d: number) => number) => {
    const out = x.shape.map((_, d) => fill(d));
    axes.forEach((ax, i) => (out[ax] = vals[i]!));
    return out;
  };
  let scales: number[], outSize: number[];
  if (present(inputs[2])) {
    if (present(inputs[3])) throw new TensorError(`${ctx.where}: give scales or sizes, not both`);
    const given = Array.from(toHost(inputs[2]).data);
    if (given.length !== axes.length) throw new TensorError(`${ctx.where}: scales [${given.join(', ')}] needs ${axes.length} values`);
    scales = checkScales(full(given, () => 1), rank, ctx);
    outSize = sizesFromScales(x, scales);
  } else if (present(inputs[3])) {
    const given = intList(inputs[3], 'sizes', ctx);
    if (given.length !== axes.length) throw new TensorError(`${ctx.where}: sizes [${given.join(', ')}] needs ${axes.length} values`);
    outSize = full(given, (d) => x.shape[d]!);
    for (const s of outSize) if (!(Number.isSafeInteger(s) && s >= 0)) throw new TensorError(`${ctx.where}: sizes [${given.join(', ')}] must be natural numbers`);
    scales = outSize.map((o, d) => (x.shape[d] ? f32(o / x.shape[d]!) : 1));
  } else throw new TensorError(`${ctx.where}: needs scales (input 2) or sizes (input 3)`);
  if (a.int('antialias', 0) === 1 && mode === 'linear' && scales.some((s) => s < 1)) {
    throw new TensorError(`${ctx.where}: antialias=1 when downsampling is not supported`);
  }
  return [run(x, { mode, coord, round, outSize, scales }, ctx)];
};

/** Upsample (deprecated since opset 10): scales attribute (opset 7-8) or input (opset 9), asymmetric coordinates. */
const Upsample: OpFn = (inputs, ctx) => {
  const x = floatTensor(need(inputs, 0, 'X', ctx), 'X', ctx);
  const mode = modeOf(ctx, ['nearest', 'linear']);
  const raw = inputs[1] !== undefined ? Array.from(toHost(inputs[1]).data) : ctx.attrs.floats('scales');
  if (!raw) throw new TensorError(`${ctx.where}: needs scales`);
  const scales = checkScales(raw, x.ndim, ctx);
  return [run(x, { mode, coord: COORDS.asymmetric!, round: NEAREST.simple!, outSize: sizesFromScales(x, scales), scales }, ctx)];
};

export const RESIZE_OPS: Record<string, OpFn> = { Resize, Upsample };
