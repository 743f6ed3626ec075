import type { Layout, ReduceOp } from '../backend.js';
import type { DType, TypedArray } from '../../core/dtype.js';
import { typedArrayFor } from '../../core/dtype.js';
import { offsetsOf } from './storage.js';

/**
 * Splits a view into "kept" and "reduced" axes: out[o] reduces
 * x[outer[o] + inner[j]] over j. Both offset lists come from sub-layouts.
 */
function splitAxes(xl: Layout, axes: readonly number[]): { outer: Int32Array; inner: Int32Array } {
  const set = new Set(axes);
  const keep = xl.shape.map((_, i) => i).filter((i) => !set.has(i));
  const outer = offsetsOf({ shape: keep.map((i) => xl.shape[i]!), strides: keep.map((i) => xl.strides[i]!), offset: xl.offset });
  const inner = offsetsOf({ shape: axes.map((i) => xl.shape[i]!), strides: axes.map((i) => xl.strides[i]!), offset: 0 });
  return { outer, inner };
}

export function reduce(op: ReduceOp, x: TypedArray, xl: Layout, axes: readonly number[], outDtype: DType): TypedArray {
  const { outer, inner } = splitAxes(xl, axes);
  const out = typedArrayFor(outDtype, outer.length);
  const m = inner.length;
  for (let o = 0; o < outer.length; o++) {
    const base = outer[o]!;
    switch (op) {
      case 'sum': {
        // Kahan-compensated so float32 sums of large tensors stay accurate. Once the running
        // sum is infinite the compensation would be inf - inf = NaN: keep it 0 there, so ±Inf
        // propagates as a plain sum (inf + 1 = inf, inf + -inf = NaN), as in PyTorch.
        let s = 0, c = 0;
        for (let j = 0; j < m; j++) {
          const y = x[base + inner[j]!]! - c;
          const t = s + y;
          c = t - t === 0 ? t - s - y : 0;
          s = t;
        }
        out[o] = s;
        break;
      }
      case 'prod': {
        let p = 1;
        for (let j = 0; j < m; j++) p *= x[base + inner[j]!]!;
        out[o] = p;
        break;
      }
      case 'max':
      case 'argmax':
      case 'min':
      case 'argmin': {
        const isMax = op === 'max' || op === 'argmax';
        let best = x[base + inner[0]!]!;
        let bestJ = 0;
        for (let j = 1; j < m && best === best; j++) {
          const v = x[base + inner[j]!]!;
          // NaN wins (propagates), first occurrence wins ties, as in PyTorch.
          if (v !== v || (isMax ? v > best : v < best)) {
            best = v;
            bestJ = j;
          }
        }
        out[o] = op === 'max' || op === 'min' ? best : bestJ;
        break;
      }
    }
  }
  return out;
}
