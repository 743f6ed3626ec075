import { TensorError, fmtShape } from './errors.js';

export type Shape = readonly number[];

export function numel(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Row-major strides of a contiguous tensor of this shape. */
export function contiguousStrides(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i]!;
  }
  return strides;
}

export function isContiguous(shape: Shape, strides: readonly number[]): boolean {
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    if (shape[i] !== 1 && strides[i] !== s) return false;
    s *= shape[i]!;
  }
  return true;
}

export function shapesEqual(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** Broadcasts shapes NumPy/PyTorch style; the error names the op and both shapes. */
export function broadcastShapes(op: string, ...shapes: Shape[]): number[] {
  const rank = Math.max(...shapes.map((s) => s.length));
  const out = new Array<number>(rank).fill(1);
  for (const s of shapes) {
    for (let i = 0; i < s.length; i++) {
      const o = rank - s.length + i;
      const d = s[i]!;
      if (d === out[o] || d === 1) continue;
      if (out[o] === 1) out[o] = d;
      else {
        throw new TensorError(
          `${op}: shapes ${shapes.map(fmtShape).join(' and ')} cannot be broadcast together (dimension ${o - rank} is ${out[o]} vs ${d})`,
        );
      }
    }
  }
  return out;
}

/** Resolves a possibly negative dim against a rank, with an error naming the op. */
export function normalizeDim(op: string, dim: number, rank: number, arg = 'dim'): number {
  const r = Math.max(rank, 1);
  if (typeof dim !== 'number' || !Number.isInteger(dim)) {
    // Plain-JS callers pass {dim: 1}, '1' or true here; say what was got, not "[object Object]".
    throw new TensorError(`${op}: ${arg} must be an integer, got ${showValue(dim)}`);
  }
  if (dim < -r || dim >= r) {
    throw new TensorError(`${op}: ${arg} ${dim} is out of range for a tensor of rank ${rank} (expected -${r} <= ${arg} < ${r})`);
  }
  return dim < 0 ? dim + r : dim;
}

/** Normalizes `dim` (number, array or undefined = all) into sorted unique axes. */
export function normalizeDims(op: string, dim: number | readonly number[] | undefined, rank: number): number[] {
  if (dim === undefined || dim === null) return Array.from({ length: rank }, (_, i) => i);
  if (typeof dim !== 'number' && !Array.isArray(dim)) {
    throw new TensorError(`${op}: dim must be an integer or an array of integers, got ${showValue(dim)}`);
  }
  const dims = (typeof dim === 'number' ? [dim] : [...dim]).map((d) => normalizeDim(op, d, rank));
  const set = new Set(dims);
  if (set.size !== dims.length) throw new TensorError(`${op}: dim ${JSON.stringify(dim)} repeats an axis`);
  return [...set].sort((a, b) => a - b);
}

/** A value as error messages show it: `{"dim":1}`, `'1'`, `true`, `NaN`. */
function showValue(v: unknown): string {
  if (typeof v === 'string') return `'${v}'`;
  if (typeof v === 'number' || typeof v === 'boolean' || v === undefined || v === null) return String(v);
  if (typeof v === 'object' && 'shape' in v && 'dtype' in v) return `a Tensor`;
  try {
    return JSON.stringify(v) ?? typeof v;
  } catch {
    return typeof v;
  }
}

/** Throws unless `shape` is an array of non-negative integers (NaN, Infinity, -1, 2.5 and non-numbers are refused). */
export function checkShape(op: string, shape: Shape, arg = 'shape'): void {
  if (!Array.isArray(shape)) throw new TensorError(`${op}: ${arg} must be an array of non-negative integers, got ${showValue(shape)}`);
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) throw new TensorError(`${op}: ${arg} ${fmtShape(shape)} must contain non-negative integers`);
  }
}
