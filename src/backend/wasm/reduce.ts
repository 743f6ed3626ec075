/**
 * Driver for sum/max/min reductions of contiguous float tensors.
 *
 * The shape is grouped into runs of kept (K) and reduced (R) axes, e.g.
 * [N, C, H, W] over {0, 2, 3} is R K R. The last R run is reduced as an
 * [outer, red, inner] block (one wasm call), giving a smaller contiguous
 * tensor; repeat until no R run is left. One pass for the common cases
 * (last axis, all axes, leading axis), two for conv bias gradients.
 */
import type { Layout, ReduceOp } from '../backend.js';
import type { DType } from '../../core/dtype.js';
import { addr, type WasmContext } from './context.js';
import { isDense, prod } from './layout.js';
import type { WasmStorage } from './storage.js';

const CODE: Partial<Record<ReduceOp, number>> = { sum: 0, max: 1, min: 2 };

interface Run {
  size: number;
  reduced: boolean;
}

function runs(shape: readonly number[], axes: readonly number[]): Run[] {
  const set = new Set(axes);
  const out: Run[] = [];
  shape.forEach((n, d) => {
    if (n === 1) return; // size-1 dims change nothing
    const reduced = set.has(d);
    const last = out[out.length - 1];
    if (last && last.reduced === reduced) last.size *= n;
    else out.push({ size: n, reduced });
  });
  return out;
}

export function wasmReduce(
  ctx: WasmContext, op: ReduceOp, x: WasmStorage, xl: Layout, axes: readonly number[], outDtype: DType,
): WasmStorage | null {
  const code = CODE[op];
  if (code === undefined || (x.dtype !== 'float32' && x.dtype !== 'float64') || outDtype !== x.dtype) return null;
  if (!isDense(xl) || prod(xl.shape) === 0) return null;
  const fn = x.dtype === 'float32' ? ctx.kernels.reduceF32 : ctx.kernels.reduceF64;
  let rs = runs(xl.shape, axes);
  const outLen = prod(rs.filter((r) => !r.reduced).map((r) => r.size));
  let src = x;
  let srcOffset = xl.offset;
  for (;;) {
    let j = -1;
    for (let i = rs.length - 1; i >= 0; i--) if (rs[i]!.reduced) { j = i; break; }
    if (j < 0) {
      // Nothing (left) to reduce: a plain copy when the input had only size-1 reduced axes.
      if (src !== x) return src;
      const out = ctx.alloc(outDtype, outLen);
      out.view().set(x.view().subarray(srcOffset, srcOffset + outLen) as never);
      return out;
    }
    const outer = prod(rs.slice(0, j).map((r) => r.size));
    const inner = prod(rs.slice(j + 1).map((r) => r.size));
    const red = rs[j]!.size;
    const dst = ctx.alloc(outDtype, outer * inner);
    fn(code, outer, red, inner, addr(src, srcOffset), addr(dst, 0));
    if (src !== x) src.release();
    src = dst;
    srcOffset = 0;
    rs = rs.filter((_, i) => i !== j);
    // Merge the kept runs that became neighbours.
    const merged: Run[] = [];
    for (const r of rs) {
      const last = merged[merged.length - 1];
      if (last && last.reduced === r.reduced) last.size *= r.size;
      else merged.push({ ...r });
    }
    rs = merged;
    if (!rs.some((r) => r.reduced)) return src;
  }
}
