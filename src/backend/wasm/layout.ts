/**
 * Layout algebra for the kernels: collapsing views to few dims, and walking the
 * outer dims that a 1-D or 2-D kernel does not cover.
 */
import type { Layout } from '../backend.js';
import type { Shape } from '../../core/shape.js';
import { contiguousStrides, isContiguous } from '../../core/shape.js';
import { offsetsOf } from '../reference/storage.js';

/** Several operands viewed with one shape, each with its own strides (in elements). */
export interface Collapsed {
  shape: number[];
  strides: number[][];
}

/**
 * Drops size-1 dims and merges neighbouring dims (i, i+1) wherever every operand
 * has strides[i] == strides[i+1] * shape[i+1] (a contiguous run in each). The
 * element order is unchanged, so a kernel walking the collapsed shape in
 * row-major order produces the same output as one walking the original.
 */
export function collapse(shape: Shape, strides: readonly (readonly number[])[]): Collapsed {
  const outShape: number[] = [];
  const outStrides: number[][] = strides.map(() => []);
  for (let d = 0; d < shape.length; d++) {
    const n = shape[d]!;
    if (n === 1) continue;
    const last = outShape.length - 1;
    const mergeable = last >= 0 && strides.every((s, k) => outStrides[k]![last] === s[d]! * n);
    if (mergeable) {
      outShape[last]! *= n;
      strides.forEach((s, k) => (outStrides[k]![last] = s[d]!));
    } else {
      outShape.push(n);
      strides.forEach((s, k) => outStrides[k]!.push(s[d]!));
    }
  }
  return { shape: outShape, strides: outStrides };
}

/** True when a view reads its elements as one contiguous run (any offset). */
export function isDense(l: Layout): boolean {
  return isContiguous(l.shape, l.strides);
}

/** Contiguous strides of a shape (the output layout of every kernel). */
export function denseStrides(shape: Shape): number[] {
  return contiguousStrides(shape);
}

/**
 * Element offsets of each operand for every index of the first `rank` dims of a
 * collapsed view (row-major), starting from the operands' base offsets.
 */
export function outerOffsets(c: Collapsed, rank: number, bases: readonly number[]): Int32Array[] {
  const shape = c.shape.slice(0, rank);
  return c.strides.map((s, k) => offsetsOf({ shape, strides: s.slice(0, rank), offset: bases[k]! }));
}

/** Product of a shape's dims. */
export function prod(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}
