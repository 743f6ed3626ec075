import type { TypedArray } from '../core/dtype.js';

/** What printing needs of a tensor (taken structurally, so this file does not import tensor.ts). */
export interface Printable {
  readonly shape: readonly number[];
  readonly dtype: string;
  readonly requiresGrad: boolean;
  data(): TypedArray;
  /** False for a GPU result, which can only be read asynchronously (printed without its values). */
  isHostReadable?(): boolean;
  readonly backend?: { readonly name: string };
}

const EDGE = 3;         // elements kept at each end of an elided dim
const THRESHOLD = 1000; // elide when more elements than this, as PyTorch

/** How floats print: all-integer values as `1.`, moderate ranges fixed with 4 decimals, else scientific. */
function formatter(values: ArrayLike<number>, dtype: string): (v: number) => string {
  if (dtype === 'bool') return (v) => (v ? 'true' : 'false');
  if (dtype === 'int32') return (v) => String(v);
  let allInt = true, maxAbs = 0, minAbs = Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) continue;
    if (!Number.isInteger(v)) allInt = false;
    const a = Math.abs(v);
    maxAbs = Math.max(maxAbs, a);
    if (a > 0) minAbs = Math.min(minAbs, a);
  }
  const special = (v: number) => (Number.isNaN(v) ? 'nan' : v > 0 ? 'inf' : '-inf');
  if (allInt && maxAbs < 1e8) return (v) => (Number.isFinite(v) ? `${v}.` : special(v));
  if (maxAbs < 1e8 && (minAbs >= 1e-4 || minAbs === Infinity) && maxAbs / Math.max(minAbs, 1e-300) < 1e8) {
    return (v) => (Number.isFinite(v) ? v.toFixed(4) : special(v));
  }
  return (v) => (Number.isFinite(v) ? v.toExponential(4) : special(v));
}

/** PyTorch-style text: `tensor([[1.0000, 2.5000]], shape=[1,2], dtype=float32)`, elided past 1000 elements. */
export function formatTensor(t: Printable): string {
  if (t.isHostReadable && !t.isHostReadable()) {
    // Printing must not throw (console.log of a GPU tensor): say how to see the values.
    const extras = [`shape=[${t.shape.join(',')}]`, `dtype=${t.dtype}`, `backend=${t.backend?.name}`];
    if (t.requiresGrad) extras.push('requiresGrad=true');
    return `tensor(<on the GPU: await x.array() to read>, ${extras.join(', ')})`;
  }
  const data = t.data();
  const fmt = formatter(data, t.dtype);
  const strs = Array.from(data, fmt);
  const width = strs.reduce((w, s) => Math.max(w, s.length), 0);
  const elide = data.length > THRESHOLD;
  const shape = t.shape;
  const strides = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
  const render = (dim: number, off: number, indent: string): string => {
    if (dim === shape.length) return strs[off]!.padStart(width);
    const n = shape[dim]!;
    const idx = elide && n > 2 * EDGE ? [...Array(EDGE).keys(), -1, ...Array.from({ length: EDGE }, (_, i) => n - EDGE + i)] : [...Array(n).keys()];
    const parts = idx.map((i) => (i === -1 ? '...' : render(dim + 1, off + i * strides[dim]!, indent + ' ')));
    const sep = dim === shape.length - 1 ? ', ' : ',' + '\n'.repeat(shape.length - dim - 1) + indent + ' ';
    return `[${parts.join(sep)}]`;
  };
  const body = data.length === 0 ? '[]' : render(0, 0, '       ');
  const extras = [`shape=[${shape.join(',')}]`, `dtype=${t.dtype}`];
  if (t.requiresGrad) extras.push('requiresGrad=true');
  return `tensor(${body}, ${extras.join(', ')})`;
}
