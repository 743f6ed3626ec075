/**
 * Host arrays: the small integer (and constant) tensors of an ONNX graph's
 * shape arithmetic — `Shape -> Gather -> Unsqueeze -> Concat -> Reshape`,
 * Slice/Pad arguments, Constant nodes — kept as plain numbers on the host so
 * that int64 values, negative steps and data-dependent shapes never touch the
 * autograd graph. A host array meets a real Tensor only in a math op, where it
 * becomes a constant tensor (`hostToTensor`).
 *
 * Shape contract: `data.length === product(shape)` (row-major); `shape` [] is a scalar.
 * @example hostInts([2, 3]) // { shape: [2], data: [2, 3], kind: 'int' }
 */
import { TensorError, fmtShape } from '../../core/errors.js';
import { tensor } from '../../tensor/create.js';
import type { Tensor } from '../../tensor/tensor.js';
import { contiguousStrides } from '../../core/shape.js';

export type HostKind = 'int' | 'float' | 'bool';

/** Most elements a host array may hold (constants and shape arithmetic are small; this stops a lying file). */
export const MAX_HOST_ELEMENTS = 1 << 24;

export class HostArray {
  private _tensor: Tensor | null = null;
  constructor(readonly shape: readonly number[], readonly data: Float64Array, readonly kind: HostKind) {
    if (data.length !== product(shape)) throw new TensorError(`onnx: internal host array of shape ${fmtShape(shape)} has ${data.length} values`);
  }
  get ndim(): number { return this.shape.length; }
  get size(): number { return this.data.length; }
  /** This array as a constant tensor (float32, or int32 for integers), made once. */
  toTensor(): Tensor {
    if (!this._tensor) {
      if (this.kind === 'float') this._tensor = tensor(Float32Array.from(this.data), { shape: [...this.shape] });
      else {
        for (const v of this.data) if (!(Math.abs(v) <= 2 ** 31 - 1)) throw new TensorError(`onnx: integer constant ${v} does not fit a 32-bit tensor`);
        this._tensor = tensor(Int32Array.from(this.data), { shape: [...this.shape] });
      }
    }
    return this._tensor;
  }
}

export function product(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Checks a shape about to be made on the host (dims natural numbers, total bounded). */
export function checkHostShape(op: string, shape: readonly number[]): void {
  for (const d of shape) {
    if (!Number.isSafeInteger(d) || d < 0) throw new TensorError(`${op}: invalid dim ${d} in shape ${fmtShape(shape)}`);
  }
  if (product(shape) > MAX_HOST_ELEMENTS) throw new TensorError(`${op}: constant of shape ${fmtShape(shape)} has more than ${MAX_HOST_ELEMENTS} elements`);
}

export function host(shape: readonly number[], values: ArrayLike<number>, kind: HostKind): HostArray {
  checkHostShape('onnx', shape);
  return new HostArray([...shape], Float64Array.from(values), kind);
}

export const hostInts = (values: readonly number[]): HostArray => host([values.length], values, 'int');

/** Row-major strides of a shape (the core's contiguousStrides under the name the ops here use). */
export const stridesOf = contiguousStrides;

/** Broadcast shape of two shapes (numpy rules), or an error naming the op. */
export function broadcastShapes(op: string, a: readonly number[], b: readonly number[]): number[] {
  const n = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const x = a[a.length - n + i] ?? 1, y = b[b.length - n + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) throw new TensorError(`${op}: shapes ${fmtShape(a)} and ${fmtShape(b)} do not broadcast`);
    out.push(x === 1 ? y : x);
  }
  return out;
}

/** Elementwise binary op with broadcasting. */
export function hostBinary(op: string, a: HostArray, b: HostArray, fn: (x: number, y: number) => number, kind: HostKind): HostArray {
  const shape = broadcastShapes(op, a.shape, b.shape);
  checkHostShape(op, shape);
  const n = product(shape);
  const out = new Float64Array(n);
  const sa = bStrides(a.shape, shape), sb = bStrides(b.shape, shape), so = stridesOf(shape);
  for (let i = 0; i < n; i++) {
    let ia = 0, ib = 0, r = i;
    for (let d = 0; d < shape.length; d++) {
      const q = Math.floor(r / so[d]!);
      r -= q * so[d]!;
      ia += q * sa[d]!;
      ib += q * sb[d]!;
    }
    out[i] = fn(a.data[ia]!, b.data[ib]!);
  }
  return new HostArray(shape, out, kind);
}

/** Strides of `shape` broadcast to `to` (0 along broadcast dims). */
function bStrides(shape: readonly number[], to: readonly number[]): number[] {
  const s = stridesOf(shape);
  const off = to.length - shape.length;
  return to.map((_, d) => (d < off || shape[d - off] === 1 ? 0 : s[d - off]!));
}

/** Gathers `out[i] = data[index(i)]` for a new shape; `source(coords)` returns the flat source offset. */
export function hostMap(op: string, a: HostArray, shape: readonly number[], source: (coords: number[]) => number, kind: HostKind = a.kind): HostArray {
  checkHostShape(op, shape);
  const n = product(shape);
  const out = new Float64Array(n);
  const so = stridesOf(shape);
  const coords = new Array<number>(shape.length).fill(0);
  for (let i = 0; i < n; i++) {
    let r = i;
    for (let d = 0; d < shape.length; d++) {
      coords[d] = Math.floor(r / so[d]!);
      r -= coords[d]! * so[d]!;
    }
    out[i] = a.data[source(coords)]!;
  }
  return new HostArray(shape, out, kind);
}

export function hostTranspose(a: HostArray, perm: readonly number[]): HostArray {
  const s = stridesOf(a.shape);
  return hostMap('Transpose', a, perm.map((p) => a.shape[p]!), (c) => c.reduce((acc, x, d) => acc + x * s[perm[d]!]!, 0));
}

/** Reduction over `axes` (already normalised, sorted, unique). */
export function hostReduce(op: string, a: HostArray, axes: readonly number[], keepdims: boolean, init: number, fn: (acc: number, x: number) => number, finish: (acc: number, count: number) => number = (x) => x): HostArray {
  const keptShape = a.shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const n = product(keptShape);
  const acc = new Float64Array(n).fill(init);
  const sa = stridesOf(a.shape), sk = stridesOf(keptShape);
  for (let i = 0; i < a.size; i++) {
    let r = i, k = 0;
    for (let d = 0; d < a.ndim; d++) {
      const q = Math.floor(r / sa[d]!);
      r -= q * sa[d]!;
      if (!axes.includes(d)) k += q * sk[d]!;
    }
    acc[k] = fn(acc[k]!, a.data[i]!);
  }
  const count = n === 0 ? 0 : a.size / n;
  for (let i = 0; i < n; i++) acc[i] = finish(acc[i]!, count);
  const shape = keepdims ? keptShape : a.shape.filter((_, i) => !axes.includes(i));
  return new HostArray(shape, acc, a.kind);
}

export function hostConcat(parts: readonly HostArray[], axis: number): HostArray {
  const first = parts[0]!;
  for (const p of parts) {
    if (p.ndim !== first.ndim || p.shape.some((d, i) => i !== axis && d !== first.shape[i])) {
      throw new TensorError(`Concat: shapes ${parts.map((q) => fmtShape(q.shape)).join(', ')} differ outside axis ${axis}`);
    }
  }
  const shape = [...first.shape];
  shape[axis] = parts.reduce((s, p) => s + p.shape[axis]!, 0);
  checkHostShape('Concat', shape);
  const out = new Float64Array(product(shape));
  const outer = product(shape.slice(0, axis));
  const inner = product(shape.slice(axis + 1));
  let pos = 0;
  for (let o = 0; o < outer; o++) {
    for (const p of parts) {
      const len = p.shape[axis]! * inner;
      out.set(p.data.subarray(o * len, (o + 1) * len), pos);
      pos += len;
    }
  }
  const kind = parts.every((p) => p.kind === first.kind) ? first.kind : 'float';
  return new HostArray(shape, out, kind);
}
