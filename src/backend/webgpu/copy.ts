/**
 * Strided copy with dtype conversion, fill, and "make contiguous": the
 * kernels behind Backend.copy/fill and the reads of non-contiguous views.
 */
import type { Layout } from '../backend.js';
import type { DType } from '../../core/dtype.js';
import { numel, contiguousStrides } from '../../core/shape.js';
import type { GpuContext } from './context.js';
import type { GpuStorage } from './storage.js';
import { PARAMS, Params, StridedIndex, grid1d, main1d, wgslType } from './wgsl.js';

/** WGSL expression converting `v` (of type `from`) to dtype `to`'s GPU type, as the reference backend converts. */
export function convertExpr(v: string, from: DType, to: DType): string {
  const t = wgslType(to), f = wgslType(from);
  if (to === 'bool') return f === 'f32' ? `select(0u, 1u, ${v} != 0.0)` : f === 'i32' ? `select(0u, 1u, ${v} != 0)` : `select(0u, 1u, ${v} != 0u)`;
  if (t === f) return v;
  return `${t}(${v})`;
}

/** dst[dstLayout] = convert(src[srcLayout]); the views have equal shapes and do not overlap. */
export function copyStrided(ctx: GpuContext, dst: GpuStorage, dl: Layout, src: GpuStorage, sl: Layout): void {
  const n = numel(dl.shape);
  if (n === 0) return;
  const idx = new StridedIndex(dl.shape, [dl, sl]);
  if (dst.dtype === src.dtype && idx.contiguous(0) && idx.contiguous(1)) {
    ctx.copyElements(src, sl.offset, dst, dl.offset, n);
    return;
  }
  const p = new Params().u32(n);
  const base = idx.words(p);
  const key = `copy:${src.dtype}>${dst.dtype}:${idx.key}`;
  ctx.run(
    {
      key,
      source: () => `${PARAMS}
@group(0) @binding(1) var<storage, read> S: array<${wgslType(src.dtype)}>;
@group(0) @binding(2) var<storage, read_write> D: array<${wgslType(dst.dtype)}>;
${idx.wgsl(base)}
${main1d()}
  if (i >= P[0]) { return; }
  D[at0(i)] = ${convertExpr('S[at1(i)]', src.dtype, dst.dtype)};
}`,
    },
    [src],
    [dst],
    p.words,
    grid1d(n),
  );
}

/** A new contiguous storage with the view's elements (the storage itself when it already is one, whole). */
export function contiguous(ctx: GpuContext, src: GpuStorage, layout: Layout): GpuStorage {
  const n = numel(layout.shape);
  const out = ctx.alloc(src.dtype, n, 'contiguous');
  copyStrided(ctx, out, { shape: layout.shape, strides: contiguousStrides(layout.shape), offset: 0 }, src, layout);
  return out;
}

/** dst[view] = value. */
export function fillStrided(ctx: GpuContext, dst: GpuStorage, dl: Layout, value: number): void {
  const n = numel(dl.shape);
  if (n === 0) return;
  const idx = new StridedIndex(dl.shape, [dl]);
  const t = wgslType(dst.dtype);
  const p = new Params().u32(n);
  if (t === 'f32') p.f32(value);
  else if (t === 'i32') p.i32(Math.trunc(value));
  else p.u32(value ? 1 : 0);
  const base = idx.words(p);
  ctx.run(
    {
      key: `fill:${t}:${idx.key}`,
      source: () => `${PARAMS}
@group(0) @binding(1) var<storage, read_write> D: array<${t}>;
${idx.wgsl(base)}
${main1d()}
  if (i >= P[0]) { return; }
  D[at0(i)] = ${t === 'u32' ? 'P[1]' : `bitcast<${t}>(P[1])`};
}`,
    },
    [],
    [dst],
    p.words,
    grid1d(n),
  );
}
