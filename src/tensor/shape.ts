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
  if (!Number.isInteger(dim) || dim < -r || dim >= r) {
    throw new TensorError(`${op}: ${arg} ${dim} is out of range for a tensor of rank ${rank} (expected -${r} <= ${arg} < ${r})`);
  }
  return dim < 0 ? dim + r : dim;
}

/** Normalizes `dim` (number, array or undefined = all) into sorted unique axes. */
export function normalizeDims(op: string, dim: number | readonly number[] | undefined, rank: number): number[] {
  if (dim === undefined) return Array.from({ length: rank }, (_, i) => i);
  const dims = (typeof dim === 'number' ? [dim] : [...dim]).map((d) => normalizeDim(op, d, rank));
  const set = new Set(dims);
  if (set.size !== dims.length) throw new TensorError(`${op}: dim ${JSON.stringify(dim)} repeats an axis`);
  return [...set].sort((a, b) => a - b);
}

export function checkShape(op: string, shape: Shape, arg = 'shape'): void {
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) throw new TensorError(`${op}: ${arg} ${fmtShape(shape)} must contain non-negative integers`);
  }
}
