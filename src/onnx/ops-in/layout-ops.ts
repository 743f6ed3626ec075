/**
 * ONNX layout ops that copy or rearrange without arithmetic: Expand
 * (bidirectional broadcast to a shape), Tile, Split (split input, `split`
 * attribute before opset 13, or equal parts / opset 18 num_outputs),
 * DepthToSpace (DCR and CRD), SpaceToDepth, and Range (computed on the host:
 * its arguments are scalars, its output a constant). Host arrays stay on the
 * host where the op is shape arithmetic (Expand, Tile, Split of a shape).
 * @example Expand(x [3, 1], shape [2, 1, 4]) -> [2, 3, 4]
 */
import { TensorError, fmtShape } from '../../core/errors.js';
import { expand, permute, repeat, reshape, split, unsqueeze } from '../../ops/movement.js';
import { broadcastShapes, checkHostShape, HostArray, hostMap, stridesOf } from './host.js';
import { axisOf, guard, intList, isHost, need, scalarOf, toHost, type OpContext, type OpFn, type Value } from './values.js';

/** Flat source offset in `from` for output coordinates `c` of a broadcast to a longer/larger shape. */
function broadcastSource(from: readonly number[]): (c: number[]) => number {
  const s = stridesOf(from);
  return (c) => {
    const lead = c.length - from.length;
    let off = 0;
    for (let d = 0; d < from.length; d++) off += (from[d] === 1 ? 0 : c[d + lead]!) * s[d]!;
    return off;
  };
}

const Expand: OpFn = (inputs, ctx) => {
  const x = need(inputs, 0, 'input', ctx);
  const target = intList(need(inputs, 1, 'shape', ctx), 'shape', ctx);
  for (const d of target) if (d < 0) throw new TensorError(`${ctx.where}: shape [${target.join(', ')}] has a negative dim`);
  const shape = broadcastShapes(ctx.where, x.shape, target);
  guard(ctx, shape);
  if (isHost(x)) return [hostMap(ctx.where, x, shape, broadcastSource(x.shape))];
  let t = x;
  while (t.ndim < shape.length) t = unsqueeze(t, 0);
  return [expand(t, shape)];
};

const Tile: OpFn = (inputs, ctx) => {
  const x = need(inputs, 0, 'input', ctx);
  const reps = intList(need(inputs, 1, 'repeats', ctx), 'repeats', ctx);
  if (reps.length !== x.shape.length) throw new TensorError(`${ctx.where}: repeats [${reps.join(', ')}] needs ${x.shape.length} values for input ${fmtShape(x.shape)}`);
  if (reps.some((r) => r < 0)) throw new TensorError(`${ctx.where}: repeats [${reps.join(', ')}] must not be negative`);
  const shape = x.shape.map((d, i) => d * reps[i]!);
  guard(ctx, shape);
  if (isHost(x)) {
    const s = stridesOf(x.shape);
    return [hostMap(ctx.where, x, shape, (c) => c.reduce((acc, v, d) => acc + (v % x.shape[d]!) * s[d]!, 0))];
  }
  return [repeat(x, reps)];
};

/** The part sizes of a Split node along a dim of size n. */
function splitSizes(inputs: readonly (Value | undefined)[], n: number, ctx: OpContext): number[] {
  const given = ctx.opset < 13 ? ctx.attrs.ints('split') : inputs[1] === undefined ? undefined : intList(inputs[1], 'split', ctx);
  if (given && given.length) {
    if (given.length !== ctx.outputs) throw new TensorError(`${ctx.where}: split [${given.join(', ')}] has ${given.length} parts for ${ctx.outputs} outputs`);
    if (given.some((s) => s < 0) || given.reduce((a, b) => a + b, 0) !== n) throw new TensorError(`${ctx.where}: split [${given.join(', ')}] must be natural numbers that sum to ${n}`);
    return given;
  }
  const parts = ctx.opset >= 18 && ctx.attrs.has('num_outputs') ? ctx.attrs.int('num_outputs', 0) : ctx.outputs;
  if (parts !== ctx.outputs || parts < 1) throw new TensorError(`${ctx.where}: num_outputs ${parts} differs from the ${ctx.outputs} outputs`);
  if (ctx.opset < 18 && n % parts !== 0) throw new TensorError(`${ctx.where}: a dim of size ${n} does not split into ${parts} equal parts`);
  const size = Math.ceil(n / parts);
  const sizes = Array.from({ length: parts }, (_, i) => Math.max(0, Math.min(size, n - i * size)));
  if (sizes.at(-1) === 0 && n > 0) throw new TensorError(`${ctx.where}: a dim of size ${n} does not split into ${parts} parts`);
  return sizes;
}

const Split: OpFn = (inputs, ctx) => {
  const x = need(inputs, 0, 'input', ctx);
  const axis = axisOf(ctx.attrs.int('axis', 0), x.shape.length, ctx);
  const sizes = splitSizes(inputs, x.shape[axis]!, ctx);
  if (isHost(x)) {
    const s = stridesOf(x.shape);
    let start = 0;
    return sizes.map((len) => {
      const from = start;
      start += len;
      const shape = x.shape.map((d, i) => (i === axis ? len : d));
      return hostMap(ctx.where, x, shape, (c) => c.reduce((acc, v, d) => acc + (d === axis ? v + from : v) * s[d]!, 0));
    });
  }
  return split(x, sizes, axis);
};

/** DepthToSpace: [N, C*b*b, H, W] -> [N, C, H*b, W*b]; DCR (default) takes depth as (b, b, C), CRD as (C, b, b). */
const DepthToSpace: OpFn = (inputs, ctx) => {
  const x = tensor4D(need(inputs, 0, 'input', ctx), ctx);
  const b = blocksize(ctx);
  const [n, c, h, w] = x.shape as [number, number, number, number];
  if (c % (b * b) !== 0) throw new TensorError(`${ctx.where}: ${c} channels of ${fmtShape(x.shape)} are not a multiple of blocksize^2 = ${b * b}`);
  const co = c / (b * b);
  const mode = ctx.attrs.string('mode', 'DCR');
  if (mode !== 'DCR' && mode !== 'CRD') throw new TensorError(`${ctx.where}: unknown mode '${mode}' (DCR, CRD)`);
  const y = mode === 'DCR'
    ? permute(reshape(x, [n, b, b, co, h, w]), [0, 3, 4, 1, 5, 2])
    : permute(reshape(x, [n, co, b, b, h, w]), [0, 1, 4, 2, 5, 3]);
  return [reshape(y, [n, co, h * b, w * b])];
};

/** SpaceToDepth: [N, C, H*b, W*b] -> [N, C*b*b, H, W], depth ordered (b, b, C) as DepthToSpace's DCR. */
const SpaceToDepth: OpFn = (inputs, ctx) => {
  const x = tensor4D(need(inputs, 0, 'input', ctx), ctx);
  const b = blocksize(ctx);
  const [n, c, h, w] = x.shape as [number, number, number, number];
  if (h % b !== 0 || w % b !== 0) throw new TensorError(`${ctx.where}: spatial dims of ${fmtShape(x.shape)} are not multiples of blocksize ${b}`);
  const y = permute(reshape(x, [n, c, h / b, b, w / b, b]), [0, 3, 5, 1, 2, 4]);
  return [reshape(y, [n, c * b * b, h / b, w / b])];
};

function blocksize(ctx: OpContext): number {
  const b = ctx.attrs.int('blocksize', 0);
  if (!(Number.isInteger(b) && b >= 1 && b <= 1 << 16)) throw new TensorError(`${ctx.where}: blocksize ${b} must be a positive integer`);
  return b;
}

function tensor4D(v: Value, ctx: OpContext) {
  if (isHost(v)) throw new TensorError(`${ctx.where}: input must be a tensor on the data path (got a constant)`);
  if (v.ndim !== 4) throw new TensorError(`${ctx.where}: input must be 4-D [N, C, H, W] (got ${fmtShape(v.shape)})`);
  return v;
}

/** Range(start, limit, delta): max(ceil((limit - start) / delta), 0) values start + i * delta, on the host. */
const Range: OpFn = (inputs, ctx) => {
  const [start, limit, delta] = ['start', 'limit', 'delta'].map((w, i) => scalarOf(need(inputs, i, w, ctx), w, ctx)) as [number, number, number];
  if (delta === 0 || ![start, limit, delta].every(Number.isFinite)) throw new TensorError(`${ctx.where}: start ${start}, limit ${limit}, delta ${delta} must be finite with delta nonzero`);
  const n = Math.max(Math.ceil((limit - start) / delta), 0);
  checkHostShape(ctx.where, [n]);
  const ints = [0, 1, 2].every((i) => toHost(inputs[i]!).kind === 'int');
  return [new HostArray([n], Float64Array.from({ length: n }, (_, i) => start + i * delta), ints ? 'int' : 'float')];
};

export const LAYOUT_OPS: Record<string, OpFn> = { Expand, Tile, Split, DepthToSpace, SpaceToDepth, Range };
