/**
 * ONNX structure ops: Shape, Gather, Unsqueeze, Squeeze, Concat, Reshape,
 * Flatten, Transpose, Slice, Cast, Constant, ConstantOfShape, Identity.
 * Each works on host arrays (shape arithmetic, exactly, in int64 range) and on
 * tensors (views and copies that autograd records), so torch.onnx.export's
 * `x.view(x.size(0), -1)` pattern runs at any batch size.
 */
import { TensorError, fmtShape } from '../../core/errors.js';
import { cast } from '../../ops/elementwise.js';
import { indexSelect } from '../../ops/indexing.js';
import { cat, permute, reshape, slice, squeeze, unsqueeze } from '../../ops/movement.js';
import { tensor } from '../../tensor/create.js';
import { decodeTensor, tensorToHost } from '../import-parse.js';
import { checkHostShape, host, hostConcat, hostInts, hostMap, hostTranspose, HostArray, product, stridesOf } from './host.js';
import { axesArg, axisOf, guard, intList, isHost, need, toHost, toTensor, type OpContext, type OpFn, type Value } from './values.js';

/** Resolves a Reshape target: 0 copies the input dim (unless allowzero), -1 is inferred. */
function reshapeTarget(input: readonly number[], target: readonly number[], allowZero: boolean, ctx: OpContext): number[] {
  const out = target.map((d, i) => {
    if (d === 0 && !allowZero) {
      if (i >= input.length) throw new TensorError(`${ctx.where}: shape ${fmtShape(target)} copies dim ${i} (0) but the input ${fmtShape(input)} has rank ${input.length}`);
      return input[i]!;
    }
    return d;
  });
  const unknown = out.filter((d) => d === -1).length;
  if (unknown > 1 || out.some((d) => d < -1)) throw new TensorError(`${ctx.where}: invalid target shape ${fmtShape(target)}`);
  const known = product(out.filter((d) => d !== -1));
  const total = product(input);
  if (unknown) {
    if (known === 0 || total % known !== 0) throw new TensorError(`${ctx.where}: cannot reshape ${fmtShape(input)} to ${fmtShape(target)}`);
    out[out.indexOf(-1)] = total / known;
  } else if (known !== total) throw new TensorError(`${ctx.where}: cannot reshape ${fmtShape(input)} (${total} elements) to ${fmtShape(out)}`);
  return out;
}

function reshapeValue(v: Value, shape: number[]): Value {
  if (isHost(v)) return new HostArray(shape, v.data, v.kind);
  return reshape(v, shape);
}

/** Index lists for Slice along one dim: start, end (exclusive), step, clamped as ONNX specifies. */
function sliceRange(dim: number, start: number, end: number, step: number): number[] {
  const clamp = (x: number, lo: number, hi: number) => Math.min(Math.max(x, lo), hi);
  let s = start < 0 ? start + dim : start;
  let e = end < 0 ? end + dim : end;
  if (step > 0) {
    s = clamp(s, 0, dim);
    e = clamp(e, 0, dim);
  } else {
    s = clamp(s, -1, dim - 1);
    e = clamp(e, -1, dim - 1);
  }
  const out: number[] = [];
  for (let i = s; step > 0 ? i < e : i > e; i += step) out.push(i);
  return out;
}

const Slice: OpFn = (inputs, ctx) => {
  const x = need(inputs, 0, 'data', ctx);
  let starts: number[], ends: number[], axes: number[] | undefined, steps: number[] | undefined;
  if (ctx.opset < 10) {
    starts = ctx.attrs.ints('starts') ?? [];
    ends = ctx.attrs.ints('ends') ?? [];
    axes = ctx.attrs.ints('axes');
  } else {
    starts = intList(need(inputs, 1, 'starts', ctx), 'starts', ctx);
    ends = intList(need(inputs, 2, 'ends', ctx), 'ends', ctx);
    axes = inputs[3] === undefined ? undefined : intList(inputs[3], 'axes', ctx);
    steps = inputs[4] === undefined ? undefined : intList(inputs[4], 'steps', ctx);
  }
  const rank = x.shape.length;
  axes ??= starts.map((_, i) => i);
  steps ??= starts.map(() => 1);
  if (ends.length !== starts.length || axes.length !== starts.length || steps.length !== starts.length) {
    throw new TensorError(`${ctx.where}: starts, ends, axes and steps must have the same length (got ${starts.length}, ${ends.length}, ${axes.length}, ${steps.length})`);
  }
  const ranges = x.shape.map((d) => Array.from({ length: d }, (_, i) => i));
  const seen = new Set<number>();
  for (let k = 0; k < starts.length; k++) {
    const a = axisOf(axes[k]!, rank, ctx);
    if (seen.has(a)) throw new TensorError(`${ctx.where}: axis ${a} is sliced twice`);
    seen.add(a);
    if (steps[k] === 0) throw new TensorError(`${ctx.where}: a step of 0 is not allowed`);
    ranges[a] = sliceRange(x.shape[a]!, starts[k]!, ends[k]!, steps[k]!);
  }
  if (isHost(x)) {
    const s = stridesOf(x.shape);
    return [hostMap('Slice', x, ranges.map((r) => r.length), (c) => c.reduce((acc, i, d) => acc + ranges[d]![i]! * s[d]!, 0))];
  }
  let t = x;
  for (let d = 0; d < rank; d++) {
    const r = ranges[d]!;
    if (r.length === t.shape[d] && r.every((v, i) => v === i)) continue;
    const step = r.length > 1 ? r[1]! - r[0]! : 1;
    if (r.length === 0) t = slice(t, d, 0, 0);
    else if (step > 0) t = slice(t, d, r[0]!, r[r.length - 1]! + 1, step);
    else t = indexSelect(t, d, tensor(Int32Array.from(r), { shape: [r.length] }));
  }
  return [t];
};

const Gather: OpFn = (inputs, ctx) => {
  const data = need(inputs, 0, 'data', ctx);
  const indices = toHost(need(inputs, 1, 'indices', ctx));
  const axis = axisOf(ctx.attrs.int('axis', 0), data.shape.length, ctx);
  const dim = data.shape[axis]!;
  const idx = Array.from(indices.data, (i) => {
    if (!Number.isInteger(i) || i < -dim || i >= dim) throw new TensorError(`${ctx.where}: index ${i} is out of range for axis ${axis} of size ${dim}`);
    return i < 0 ? i + dim : i;
  });
  const outShape = [...data.shape.slice(0, axis), ...indices.shape, ...data.shape.slice(axis + 1)];
  if (isHost(data)) {
    const s = stridesOf(data.shape);
    const ir = indices.ndim;
    return [hostMap('Gather', data, outShape, (c) => {
      let flat = 0;
      for (let k = 0; k < ir; k++) flat = flat * indices.shape[k]! + c[axis + k]!;
      let off = idx[flat]! * s[axis]!;
      for (let d = 0; d < axis; d++) off += c[d]! * s[d]!;
      for (let d = axis + 1; d < data.shape.length; d++) off += c[d + ir - 1]! * s[d]!;
      return off;
    })];
  }
  const picked = indexSelect(data, axis, tensor(Int32Array.from(idx), { shape: [idx.length] }));
  return [reshape(picked, outShape)];
};

const Unsqueeze: OpFn = (inputs, ctx) => {
  const x = need(inputs, 0, 'data', ctx);
  const axes = axesArg(inputs, 1, ctx);
  if (!axes) throw new TensorError(`${ctx.where}: axes are required`);
  const rank = x.shape.length + axes.length;
  const norm = axes.map((a) => axisOf(a, rank, ctx)).sort((a, b) => a - b);
  if (new Set(norm).size !== norm.length) throw new TensorError(`${ctx.where}: repeated axes [${axes.join(', ')}]`);
  const shape = [...x.shape];
  for (const a of norm) shape.splice(a, 0, 1);
  if (isHost(x)) return [new HostArray(shape, x.data, x.kind)];
  let t = x;
  for (const a of norm) t = unsqueeze(t, a);
  return [t];
};

const Squeeze: OpFn = (inputs, ctx) => {
  const x = need(inputs, 0, 'data', ctx);
  const axes = axesArg(inputs, 1, ctx);
  const rank = x.shape.length;
  const norm = axes ? axes.map((a) => axisOf(a, rank, ctx)) : x.shape.flatMap((d, i) => (d === 1 ? [i] : []));
  for (const a of norm) if (x.shape[a] !== 1) throw new TensorError(`${ctx.where}: cannot squeeze axis ${a} of size ${x.shape[a]} (input ${fmtShape(x.shape)})`);
  if (isHost(x)) return [new HostArray(x.shape.filter((_, i) => !norm.includes(i)), x.data, x.kind)];
  return [norm.length ? squeeze(x, norm) : x];
};

const Concat: OpFn = (inputs, ctx) => {
  const parts = inputs.filter((v): v is Value => v !== undefined);
  if (!parts.length) throw new TensorError(`${ctx.where}: no inputs`);
  const rank = parts[0]!.shape.length;
  const axis = axisOf(ctx.attrs.int('axis', 0), rank, ctx);
  for (const p of parts) if (p.shape.length !== rank) throw new TensorError(`${ctx.where}: inputs of ranks ${parts.map((q) => q.shape.length).join(', ')} differ`);
  guard(ctx, [...parts[0]!.shape.slice(0, axis), parts.reduce((n, p) => n + (p.shape[axis] ?? 0), 0), ...parts[0]!.shape.slice(axis + 1)]);
  if (parts.every(isHost)) return [hostConcat(parts as HostArray[], axis)];
  const tensors = parts.filter((p) => !isHost(p));
  return [cat(parts.map((p) => toTensor(p, tensors[0] as never)), axis)];
};

const Reshape: OpFn = (inputs, ctx) => {
  const x = need(inputs, 0, 'data', ctx);
  const target = ctx.opset < 5 ? (ctx.attrs.ints('shape') ?? []) : intList(need(inputs, 1, 'shape', ctx), 'shape', ctx);
  const shape = reshapeTarget(x.shape, target, ctx.attrs.int('allowzero', 0) === 1, ctx);
  return [reshapeValue(x, shape)];
};

const Flatten: OpFn = (inputs, ctx) => {
  const x = need(inputs, 0, 'input', ctx);
  const rank = x.shape.length;
  let axis = ctx.attrs.int('axis', 1);
  if (axis < 0) axis += rank;
  if (axis < 0 || axis > rank) throw new TensorError(`${ctx.where}: axis ${ctx.attrs.int('axis', 1)} is out of range for rank ${rank}`);
  return [reshapeValue(x, [product(x.shape.slice(0, axis)), product(x.shape.slice(axis))])];
};

const Transpose: OpFn = (inputs, ctx) => {
  const x = need(inputs, 0, 'data', ctx);
  const rank = x.shape.length;
  const perm = ctx.attrs.ints('perm') ?? x.shape.map((_, i) => rank - 1 - i);
  if (perm.length !== rank || [...perm].sort((a, b) => a - b).some((p, i) => p !== i)) {
    throw new TensorError(`${ctx.where}: perm [${perm.join(', ')}] is not a permutation of the ${rank} axes of ${fmtShape(x.shape)}`);
  }
  return [isHost(x) ? hostTranspose(x, perm) : permute(x, perm)];
};

const Shape: OpFn = (inputs, ctx) => {
  const x = need(inputs, 0, 'data', ctx);
  const rank = x.shape.length;
  const clampAxis = (a: number) => Math.min(Math.max(a < 0 ? a + rank : a, 0), rank);
  const start = clampAxis(ctx.attrs.int('start', 0));
  const end = ctx.attrs.has('end') ? clampAxis(ctx.attrs.int('end', rank)) : rank;
  return [hostInts(x.shape.slice(start, Math.max(start, end)))];
};

/** ONNX Cast `to` codes -> what tensorgrad keeps (float32 for every float, int32 tensors / exact host ints). */
const Cast: OpFn = (inputs, ctx) => {
  const x = need(inputs, 0, 'input', ctx);
  const to = ctx.attrs.int('to', 0);
  const float = to === 1 || to === 10 || to === 11 || to === 16;
  const bool = to === 9;
  const int = [2, 3, 4, 5, 6, 7, 12, 13].includes(to);
  if (!float && !bool && !int) throw new TensorError(`${ctx.where}: cannot cast to ONNX data type ${to} (supported: float, integer and bool types)`);
  if (isHost(x)) {
    const data = x.data.map((v) => (float ? v : bool ? (v ? 1 : 0) : Math.trunc(v)));
    return [new HostArray(x.shape, data, float ? 'float' : bool ? 'bool' : 'int')];
  }
  const target = float ? (x.dtype === 'float64' ? 'float64' : 'float32') : bool ? 'bool' : 'int32';
  return [x.dtype === target ? x : cast(x, target)];
};

const Constant: OpFn = (_inputs, ctx) => {
  const a = ctx.attrs;
  const t = a.tensor('value');
  if (t) return [tensorToHost(decodeTensor(ctx.where, t))];
  if (a.has('value_float')) return [host([], [a.float('value_float', 0)], 'float')];
  if (a.has('value_int')) return [host([], [a.int('value_int', 0)], 'int')];
  const fs = a.floats('value_floats');
  if (fs) return [host([fs.length], fs, 'float')];
  const is = a.ints('value_ints');
  if (is) return [hostInts(is)];
  throw new TensorError(`${ctx.where}: needs a value (value, value_float(s) or value_int(s); sparse and string constants are not supported)`);
};

const ConstantOfShape: OpFn = (inputs, ctx) => {
  const shape = intList(need(inputs, 0, 'shape', ctx), 'shape', ctx);
  checkHostShape(ctx.where, shape);
  const t = ctx.attrs.tensor('value');
  const fill = t ? tensorToHost(decodeTensor(ctx.where, t)) : host([1], [0], 'float');
  if (fill.size !== 1) throw new TensorError(`${ctx.where}: value must hold one element`);
  return [new HostArray(shape, new Float64Array(product(shape)).fill(fill.data[0]!), fill.kind)];
};

const Identity: OpFn = (inputs, ctx) => [need(inputs, 0, 'input', ctx)];

export const SHAPE_OPS: Record<string, OpFn> = {
  Shape, Gather, Unsqueeze, Squeeze, Concat, Reshape, Flatten, Transpose, Slice, Cast, Constant, ConstantOfShape, Identity,
};

