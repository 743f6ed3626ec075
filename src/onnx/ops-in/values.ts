/**
 * What flows along an ONNX graph's edges when tensorgrad runs it: a Tensor
 * (the data path, recorded for autograd) or a HostArray (shape arithmetic and
 * constants). Helpers here convert between them and read op arguments.
 */
import { TensorError, fmtShape } from '../../core/errors.js';
import { Tensor } from '../../tensor/tensor.js';
import type { Attrs } from '../import-parse.js';
import { host, HostArray } from './host.js';

export type Value = Tensor | HostArray;

/** What an op implementation gets besides its inputs. */
export interface OpContext {
  /** `node 'name' (OpType)`, the prefix of error messages. */
  where: string;
  attrs: Attrs;
  /** The module's training flag (BatchNormalization, Dropout). */
  training: boolean;
  /** The model's default-domain opset version. */
  opset: number;
  /** How many outputs the node declares (non-empty names). */
  outputs: number;
  /** Most elements one intermediate tensor may have (see LoadOptions.maxElements). */
  maxElements: number;
}

/** Refuses an output shape above the element budget, before anything is allocated. */
export function guard(ctx: OpContext, shape: readonly number[]): void {
  let n = 1;
  for (const d of shape) n *= d;
  if (!(n <= ctx.maxElements)) throw new TensorError(`${ctx.where}: output ${fmtShape(shape)} would have ${n} elements, more than the limit of ${ctx.maxElements} (loadModel option maxElements)`);
}

/** An op: inputs in node order (undefined where the node leaves an optional input empty) -> outputs. */
export type OpFn = (inputs: readonly (Value | undefined)[], ctx: OpContext) => Value[];

export const isHost = (v: Value | undefined): v is HostArray => v instanceof HostArray;

export function shapeOf(v: Value): readonly number[] {
  return v.shape;
}

/** Input `i`, which the op requires. */
export function need(inputs: readonly (Value | undefined)[], i: number, what: string, ctx: OpContext): Value {
  const v = inputs[i];
  if (v === undefined) throw new TensorError(`${ctx.where}: missing input ${i} (${what})`);
  return v;
}

/** A value as a tensor: host arrays become constant tensors, matching a float tensor's dtype when given. */
export function toTensor(v: Value, like?: Tensor): Tensor {
  if (!(v instanceof HostArray)) return v;
  const t = v.toTensor();
  if (like && like.dtype !== t.dtype && (like.dtype === 'float32' || like.dtype === 'float64')) return t.to(like.dtype);
  return t;
}

/** A value's numbers on the host (tensors are read: shape arguments computed on the data path). */
export function toHost(v: Value): HostArray {
  if (v instanceof HostArray) return v;
  const kind = v.dtype === 'bool' ? 'bool' : v.dtype === 'int32' ? 'int' : 'float';
  return host(v.shape, v.data() as ArrayLike<number>, kind);
}

/** Integer list from a 0-D/1-D value (shape, axes, pads, starts...). */
export function intList(v: Value, what: string, ctx: OpContext): number[] {
  const h = toHost(v);
  if (h.ndim > 1) throw new TensorError(`${ctx.where}: ${what} must be a 1-D list (got shape ${fmtShape(h.shape)})`);
  const out = Array.from(h.data);
  for (const x of out) if (!Number.isFinite(x) || !Number.isInteger(x)) throw new TensorError(`${ctx.where}: ${what} must hold integers (got ${x})`);
  return out;
}

/** One number from a 0-D or one-element value. */
export function scalarOf(v: Value, what: string, ctx: OpContext): number {
  const h = toHost(v);
  if (h.size !== 1) throw new TensorError(`${ctx.where}: ${what} must be a single value (got shape ${fmtShape(h.shape)})`);
  return h.data[0]!;
}

/** Normalises an axis against a rank (negative counts from the end). */
export function axisOf(axis: number, rank: number, ctx: OpContext, what = 'axis'): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(a) || a < 0 || a >= rank) throw new TensorError(`${ctx.where}: ${what} ${axis} is out of range for rank ${rank}`);
  return a;
}

/** Asks for a float tensor (the data path). */
export function floatTensor(v: Value, what: string, ctx: OpContext): Tensor {
  const t = toTensor(v);
  if (t.dtype !== 'float32' && t.dtype !== 'float64') throw new TensorError(`${ctx.where}: ${what} must be a float tensor (got ${t.dtype} of shape ${fmtShape(t.shape)})`);
  return t;
}

/** Axes for reductions/squeeze: from the `axes` attribute (older opsets) or the input at `index` (newer). */
export function axesArg(inputs: readonly (Value | undefined)[], index: number, ctx: OpContext): number[] | undefined {
  const fromInput = inputs[index];
  if (fromInput !== undefined) return intList(fromInput, 'axes', ctx);
  return ctx.attrs.ints('axes');
}

/** Checks an integer argument (kernel, stride, pad...) lies in a sane range. */
export function checkInts(values: readonly number[], what: string, min: number, max: number, ctx: OpContext): number[] {
  for (const v of values) {
    if (!Number.isInteger(v) || v < min || v > max) throw new TensorError(`${ctx.where}: ${what} [${values.join(', ')}] must be integers from ${min} to ${max}`);
  }
  return [...values];
}
