/**
 * gather and scatterAdd along one dim, over strided views (src/backend/reference/indexing.ts
 * is the spec). Both walk the index's shape: a thread per index element finds
 * the base position of the tensor with the `dim` coordinate dropped (that
 * layout's stride at `dim` zeroed) and adds index * stride[dim].
 *
 * scatterAdd accumulates with atomics, since several index elements may hit
 * one destination: float32 through a compare-exchange loop on the bit pattern
 * (WGSL has no float atomics), int32 with atomicAdd, bool with atomicOr.
 * Index values outside `[0, size)` are skipped (the op layer rejects them first;
 * the kernels only guarantee never to touch memory out of bounds).
 */
import type { Layout } from '../backend.js';
import type { DType } from '../../core/dtype.js';
import { numel, contiguousStrides } from '../../core/shape.js';
import { TensorError } from '../../core/errors.js';
import type { GpuContext } from './context.js';
import type { GpuStorage } from './storage.js';
import { contiguous } from './copy.js';
import { PARAMS, Params, StridedIndex, grid1d, main1d, wgslType } from './wgsl.js';

/** The layout with its `dim` stride zeroed, walked over the index's shape. */
function withoutDim(indexShape: readonly number[], strides: readonly number[], offset: number, dim: number): Layout {
  return { shape: indexShape, strides: indexShape.map((_, d) => (d === dim ? 0 : strides[d]!)), offset };
}

/** out[i] = x[i with i[dim] := index[i]]; out has the index's shape (an out-of-range index reads as 0). */
export function gather(ctx: GpuContext, x: GpuStorage, xl: Layout, dim: number, index: GpuStorage, il: Layout): GpuStorage {
  requireIndex('gather', index);
  const n = numel(il.shape);
  const out = ctx.alloc(x.dtype, n, 'gather');
  if (n === 0) return out;
  const t = wgslType(x.dtype);
  const idx = new StridedIndex(il.shape, [withoutDim(il.shape, xl.strides, xl.offset, dim), il]);
  // A 0-d x has no dim to index: only index 0 is in range.
  const p = new Params().u32(n).i32(xl.strides[dim] ?? 0).u32(xl.shape[dim] ?? 1);
  const base = idx.words(p);
  ctx.run(
    {
      key: `gather:${t}:${idx.key}`,
      source: () => `${PARAMS}
@group(0) @binding(1) var<storage, read> X: array<${t}>;
@group(0) @binding(2) var<storage, read> I: array<i32>;
@group(0) @binding(3) var<storage, read_write> Y: array<${t}>;
${idx.wgsl(base)}
${main1d()}
  if (i >= P[0]) { return; }
  let k = I[at1(i)];
  if (k < 0 || u32(k) >= P[2]) { Y[i] = ${t}(0); return; }
  Y[i] = X[u32(i32(at0(i)) + k * bitcast<i32>(P[1]))];
}`,
    },
    [x, index],
    [out],
    p.words,
    grid1d(n),
  );
  return out;
}

/** Adds float v to D[k] atomically: compare-exchange on the bit pattern until no other thread got in between. */
const ATOMIC_ADD_F32 = `fn accumulate(k: u32, v: f32) {
  var old = atomicLoad(&D[k]);
  loop {
    let r = atomicCompareExchangeWeak(&D[k], old, bitcast<u32>(bitcast<f32>(old) + v));
    if (r.exchanged) { break; }
    old = r.old_value;
  }
}`;

/** The destination declaration and `accumulate(k, v)` for a dtype. */
function accumulator(dtype: DType): string {
  switch (dtype) {
    case 'float32':
      return `@group(0) @binding(3) var<storage, read_write> D: array<atomic<u32>>;\n${ATOMIC_ADD_F32}`;
    case 'int32':
      return '@group(0) @binding(3) var<storage, read_write> D: array<atomic<i32>>;\nfn accumulate(k: u32, v: i32) { atomicAdd(&D[k], v); }';
    case 'bool':
      // bool + bool is logical or (PyTorch's bool add); stored as u32 0/1.
      return '@group(0) @binding(3) var<storage, read_write> D: array<atomic<u32>>;\nfn accumulate(k: u32, v: u32) { if (v != 0u) { atomicOr(&D[k], 1u); } }';
    default:
      throw new TensorError(`webgpu backend (scatterAdd): dtype ${dtype} cannot live on the GPU`);
  }
}

/**
 * In place: dst[i with i[dim] := index[i]] += src[i] over the index's shape;
 * dst is contiguous of `dstShape`, src has dst's dtype. Index values out of
 * `[0, dstShape[dim])` are skipped.
 */
export function scatterAdd(
  ctx: GpuContext, dst: GpuStorage, dstShape: readonly number[], dim: number, index: GpuStorage, il: Layout, src: GpuStorage, sl: Layout,
): void {
  requireIndex('scatterAdd', index);
  if (src.dtype !== dst.dtype) {
    throw new TensorError(`webgpu backend (scatterAdd): src is ${src.dtype} but the destination is ${dst.dtype} (cast src first)`);
  }
  const n = numel(il.shape);
  if (n === 0) return;
  // One buffer must not be bound as both input and output of a dispatch: read from copies.
  const tmps: GpuStorage[] = [];
  if (src.buffer === dst.buffer) {
    src = contiguous(ctx, src, sl);
    sl = { shape: sl.shape, strides: contiguousStrides(sl.shape), offset: 0 };
    tmps.push(src);
  }
  if (index.buffer === dst.buffer) {
    index = contiguous(ctx, index, il);
    il = { shape: il.shape, strides: contiguousStrides(il.shape), offset: 0 };
    tmps.push(index);
  }
  const strides = contiguousStrides(dstShape);
  const idx = new StridedIndex(il.shape, [withoutDim(il.shape, strides, 0, dim), il, sl]);
  const t = wgslType(dst.dtype);
  const p = new Params().u32(n).i32(strides[dim] ?? 0).u32(dstShape[dim] ?? 1);
  const base = idx.words(p);
  ctx.run(
    {
      key: `scatterAdd:${t}:${idx.key}`,
      source: () => `${PARAMS}
@group(0) @binding(1) var<storage, read> I: array<i32>;
@group(0) @binding(2) var<storage, read> S: array<${t}>;
${accumulator(dst.dtype)}
${idx.wgsl(base)}
${main1d()}
  if (i >= P[0]) { return; }
  let k = I[at1(i)];
  if (k < 0 || u32(k) >= P[2]) { return; }
  accumulate(u32(i32(at0(i)) + k * bitcast<i32>(P[1])), S[at2(i)]);
}`,
    },
    [index, src],
    [dst],
    p.words,
    grid1d(n),
  );
  // Safe now: a later dispatch that reuses these buffers is encoded after this one, so it runs after it.
  for (const s of tmps) s.release();
}

function requireIndex(op: string, index: GpuStorage): void {
  if (index.dtype !== 'int32') throw new TensorError(`webgpu backend (${op}): index must be int32, got ${index.dtype}`);
}
