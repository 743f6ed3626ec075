// The WebGPU gather and scatterAdd kernels against the reference backend: every dim of 1-D..4-D tensors,
// strided / transposed / flipped / broadcast / offset views of x, index and src, float32, int32 and bool,
// repeated indices (atomic accumulation), size-0 and size-1 dims, and out-of-range indices at the kernel
// level (never written, never read out of bounds). Skips without an adapter.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tg from '../../src/index.js';
import { referenceBackend } from '../../src/backend/reference/index.js';
import type { Backend, Layout } from '../../src/backend/backend.js';
import type { DType } from '../../src/core/dtype.js';
import { webgpuOrSkip } from '../helpers/webgpu.js';
import { prng, randInt } from '../helpers/prng.js';

const gpu = await webgpuOrSkip();
const skip = gpu ? false : 'no WebGPU adapter here';

const numel = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);
const contig = (shape: number[]): Layout => {
  const strides = shape.map((_, i) => numel(shape.slice(i + 1)));
  return { shape, strides, offset: 0 };
};

function randomValues(r: () => number, n: number, dtype: DType): number[] {
  return Array.from({ length: n }, () => (dtype === 'float32' ? r() * 4 - 2 : dtype === 'int32' ? randInt(r, -50, 50) : randInt(r, 0, 1)));
}

/**
 * A tensor of `shape` on `backend` reached through a view: its storage is laid out
 * transposed, flipped, or as a slice of a bigger tensor (offset, padded rows), and
 * the view restores `shape`. The storage is made from host values (no GPU kernel
 * runs), so the op layer's synchronous index checks can read it.
 */
function viewOf(backend: Backend, values: number[], shape: number[], dtype: DType, kind: number): tg.Tensor {
  const onRef = tg.tensor(values, { backend: referenceBackend, dtype }).reshape(shape);
  if (kind === 0 || shape.length === 0) return tg.tensor(values, { backend, dtype }).reshape(shape);
  const last = shape.length - 1;
  if (kind === 1) {
    const stored = onRef.transpose(0, last).contiguous();
    return tg.tensor(Array.from(stored.data(), Number), { backend, dtype }).reshape(stored.shape).transpose(0, last);
  }
  if (kind === 2) {
    // Negative stride with an offset.
    return tg.tensor(Array.from(onRef.flip(0).contiguous().data(), Number), { backend, dtype }).reshape(shape).flip(0);
  }
  // A slice of a bigger tensor: a non-zero offset and a padded last-dim stride.
  const big = shape.map((n, i) => n + (i === 0 ? 1 : 0) + (i === last ? 2 : 0));
  const bigRef = tg.zeros(big, { backend: referenceBackend, dtype });
  const narrow = (t: tg.Tensor): tg.Tensor => shape.reduce<tg.Tensor>((v, n, i) => v.narrow(i, big[i]! - n, n), t);
  narrow(bigRef).copy_(onRef);
  return narrow(tg.tensor(Array.from(bigRef.data(), Number), { backend, dtype }).reshape(big));
}

/** A random case: x shape, dim, index shape with index.shape[d] <= x.shape[d] for d != dim. */
function randomCase(r: () => number): { xShape: number[]; dim: number; iShape: number[] } {
  const rank = randInt(r, 1, 4);
  const xShape = Array.from({ length: rank }, () => randInt(r, 1, 4));
  const dim = randInt(r, 0, rank - 1);
  const iShape = xShape.map((s, d) => (d === dim ? randInt(r, 1, 6) : randInt(r, 1, s)));
  if (r() < 0.1) iShape[randInt(r, 0, rank - 1)] = 0; // an empty index
  return { xShape, dim, iShape };
}

const dtypes: DType[] = ['float32', 'int32', 'bool'];

test('gather matches the reference over views of x and index, every dtype', { skip }, async () => {
  const r = prng(21);
  for (let t = 0; t < 80; t++) {
    const { xShape, dim, iShape } = randomCase(r);
    const dtype = dtypes[t % 3]!;
    const xv = randomValues(r, numel(xShape), dtype);
    const iv = Array.from({ length: numel(iShape) }, () => randInt(r, 0, xShape[dim]! - 1));
    const [kx, ki] = [randInt(r, 0, 3), randInt(r, 0, 3)];
    const run = (b: Backend): tg.Tensor => viewOf(b, xv, xShape, dtype, kx).gather(dim, viewOf(b, iv, iShape, 'int32', ki));
    const want = run(referenceBackend).data();
    const got = await run(gpu!).dataAsync();
    assert.deepEqual(Array.from(got), Array.from(want), `${dtype} x${JSON.stringify(xShape)}/${kx} dim ${dim} index ${JSON.stringify(iShape)}/${ki}`);
  }
});

test('gather with a broadcast (expanded) index: indexSelect', { skip }, async () => {
  const run = (b: Backend): tg.Tensor =>
    tg.tensor([[1, 2, 3], [4, 5, 6], [7, 8, 9]], { backend: b }).t().indexSelect(1, tg.tensor([2, 0, 2, 1], { backend: b, dtype: 'int32' }));
  assert.deepEqual(await run(gpu!).array(), run(referenceBackend).toArray());
});

test('scatterAdd matches the reference with repeated indices, over views of index and src, every dtype', { skip }, async () => {
  const r = prng(22);
  for (let t = 0; t < 80; t++) {
    const { xShape, dim, iShape } = randomCase(r);
    const dtype = dtypes[t % 3]!;
    const xv = randomValues(r, numel(xShape), dtype);
    // Few distinct targets, so many index elements hit the same destination.
    const iv = Array.from({ length: numel(iShape) }, () => randInt(r, 0, Math.min(1, xShape[dim]! - 1)));
    const srcShape = iShape;
    const sv = randomValues(r, numel(srcShape), dtype);
    const [kx, ki, ks] = [randInt(r, 0, 3), randInt(r, 0, 3), randInt(r, 0, 3)];
    const run = (b: Backend): tg.Tensor =>
      viewOf(b, xv, xShape, dtype, kx).scatterAdd(dim, viewOf(b, iv, iShape, 'int32', ki), viewOf(b, sv, srcShape, dtype, ks));
    const want = Array.from(run(referenceBackend).data(), Number);
    const got = Array.from(await run(gpu!).dataAsync(), Number);
    const desc = `${dtype} x${JSON.stringify(xShape)} dim ${dim} index ${JSON.stringify(iShape)} src ${JSON.stringify(srcShape)} views ${kx}${ki}${ks}`;
    assert.equal(got.length, want.length, desc);
    // float32: the atomic adds run in any order, so sums may differ in the last bits.
    // bool: add is logical or (PyTorch; the GPU stores 1), while the reference's byte array may hold 2.
    const same = (g: number, w: number): boolean =>
      dtype === 'float32' ? Math.abs(g - w) <= 1e-5 * Math.max(1, Math.abs(w)) : dtype === 'bool' ? g === (w ? 1 : 0) : g === w;
    want.forEach((w, i) => assert.ok(same(got[i]!, w), `${desc} [${i}]: ${got[i]} vs ${w}`));
  }
});

test('scatterAdd accumulates thousands of adds into one element exactly (int32) and without losing any (float32)', { skip }, async () => {
  const n = 20000;
  const ones = gpu!.fromArray('float32', new Float32Array(n).fill(0.25));
  const dst = gpu!.alloc('float32', 3);
  gpu!.scatterAdd(dst, [3], 0, gpu!.fromArray('int32', new Int32Array(n).fill(1)), contig([n]), ones, contig([n]));
  assert.deepEqual(Array.from(await gpu!.readAsync(dst, contig([3]))), [0, n / 4, 0]);
  const di = gpu!.alloc('int32', 2);
  gpu!.scatterAdd(di, [2], 0, gpu!.fromArray('int32', new Int32Array(n)), contig([n]), gpu!.fromArray('int32', new Int32Array(n).fill(-3)), contig([n]));
  assert.deepEqual(Array.from(await gpu!.readAsync(di, contig([2]))), [-3 * n, 0]);
});

test('kernel level: out-of-range indices are skipped by scatterAdd and read as 0 by gather', { skip }, async () => {
  const ix = gpu!.fromArray('int32', new Int32Array([0, 5, -1, 2, 3, 1]));
  const dst = gpu!.fromArray('float32', new Float32Array([10, 20, 30]));
  // A neighbour buffer right after dst must stay untouched.
  const guard = gpu!.fromArray('float32', new Float32Array([7, 7, 7, 7]));
  const src = gpu!.fromArray('float32', new Float32Array([1, 2, 3, 4, 5, 6]));
  gpu!.scatterAdd(dst, [3], 0, ix, contig([6]), src, contig([6]));
  assert.deepEqual(Array.from(await gpu!.readAsync(dst, contig([3]))), [11, 26, 34]);
  assert.deepEqual(Array.from(await gpu!.readAsync(guard, contig([4]))), [7, 7, 7, 7]);
  const x = gpu!.fromArray('int32', new Int32Array([5, 6, 7]));
  const out = gpu!.gather(x, contig([3]), 0, ix, contig([6]));
  assert.deepEqual(Array.from(await gpu!.readAsync(out, contig([6]))), [5, 0, 0, 7, 0, 6]);
});

test('scatterAdd reads src through a copy when src shares the destination buffer', { skip }, async () => {
  const buf = gpu!.fromArray('float32', new Float32Array([1, 2, 3, 4]));
  const ix = gpu!.fromArray('int32', new Int32Array([3, 3]));
  // dst = buf (whole), src = buf[0:2]: dst[3] += 1 + 2.
  gpu!.scatterAdd(buf, [4], 0, ix, contig([2]), buf, contig([2]));
  assert.deepEqual(Array.from(await gpu!.readAsync(buf, contig([4]))), [1, 2, 3, 7]);
});

test('scatterAdd with src larger than index reads src at the index positions (PyTorch)', { skip }, async () => {
  // index [1,3,1] of zeros, src [1,3,2] = [[1,2],[3,4],[5,6]]: adds src[0,j,0] = 1, 3, 5.
  const x = tg.tensor([5], { backend: gpu! }).reshape([1, 1, 1]);
  const idx = tg.tensor([0, 0, 0], { backend: gpu!, dtype: 'int32' }).reshape([1, 3, 1]);
  const src = tg.tensor([1, 2, 3, 4, 5, 6], { backend: gpu! }).reshape([1, 3, 2]);
  assert.deepEqual(Array.from(await x.scatterAdd(1, idx, src).dataAsync()), [14]);
});
