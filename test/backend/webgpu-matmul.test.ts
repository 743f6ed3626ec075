/**
 * Batched matmul on the WebGPU backend (tiled GEMM) against the reference
 * backend: random batch/M/K/N including 0 and 1, sizes spanning several
 * 64×64 tiles and 16-deep K slices, views of every kind (transposed, flipped,
 * broadcast batch dims, offsets, batch dims that do not collapse), int32,
 * NaN/Inf propagation, grids split over several dispatches, split-K, and the
 * tensor-level tg.matmul. Skips where no WebGPU adapter exists.
 */
import { after, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tg from '../../src/index.js';
import type { Backend, Layout } from '../../src/backend/backend.js';
import { referenceBackend } from '../../src/backend/reference/index.js';
import type { DType } from '../../src/core/dtype.js';
import { prng, randInt } from '../helpers/prng.js';
import { webgpuOrSkip } from '../helpers/webgpu.js';
import { gemmLimits, splitKPolicy } from '../../src/backend/webgpu/matmul.js';

const gpu = await webgpuOrSkip();
const skip = gpu ? false : 'no WebGPU adapter';
const numelOf = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);
const flat = (n: number): Layout => ({ shape: [n], strides: [1], offset: 0 });

/**
 * A random view of `shape` over a fresh storage: dims laid out in a random
 * order (the matrix dims transposed half the time), some flipped (negative
 * stride), batch dims sometimes broadcast (stride 0), a random offset.
 * Returns the layout and the storage's length.
 */
function randomView(rnd: () => number, shape: readonly number[], plain = false): { layout: Layout; length: number } {
  const r = shape.length;
  const order = [...Array(r).keys()];
  if (!plain) {
    if (rnd() < 0.5) [order[r - 2], order[r - 1]] = [order[r - 1]!, order[r - 2]!];
    if (r > 3 && rnd() < 0.5) [order[0], order[1]] = [order[1]!, order[0]!];
  }
  const broadcast = shape.map((_, d) => !plain && d < r - 2 && rnd() < 0.25);
  const strides = new Array<number>(r).fill(0);
  let acc = 1;
  for (let q = r - 1; q >= 0; q--) {
    const d = order[q]!;
    strides[d] = broadcast[d] ? 0 : acc;
    if (!broadcast[d]) acc *= shape[d]!;
  }
  let offset = plain ? 0 : randInt(rnd, 0, 3);
  const length = offset + acc + (plain ? 0 : randInt(rnd, 0, 2));
  if (!plain) {
    for (let d = 0; d < r; d++) {
      if (rnd() < 0.25 && shape[d]! > 0) {
        offset += (shape[d]! - 1) * strides[d]!;
        strides[d] = -strides[d]!;
      }
    }
  }
  return { layout: { shape: [...shape], strides, offset }, length: numelOf(shape) === 0 ? Math.max(length, 0) : length };
}

function values(rnd: () => number, n: number, dtype: DType): Float32Array | Int32Array {
  if (dtype === 'int32') return Int32Array.from({ length: n }, () => randInt(rnd, -9, 9));
  return Float32Array.from({ length: n }, () => rnd() * 2 - 1);
}

async function product(be: Backend, dtype: DType, a: ArrayLike<number>, al: Layout, b: ArrayLike<number>, bl: Layout, n: number) {
  const s = be.matmul(be.fromArray(dtype, a as Float32Array), al, be.fromArray(dtype, b as Float32Array), bl, dtype);
  return be.readAsync(s, flat(n));
}

/** Compares one product; `edit` may plant special values in a's storage. */
async function compare(rnd: () => number, batch: number[], M: number, K: number, N: number, dtype: DType = 'float32', opts: { plain?: boolean; edit?: (a: Float32Array | Int32Array) => void } = {}): Promise<void> {
  const av = randomView(rnd, [...batch, M, K], opts.plain), bv = randomView(rnd, [...batch, K, N], opts.plain);
  const a = values(rnd, av.length, dtype), b = values(rnd, bv.length, dtype);
  opts.edit?.(a);
  const n = numelOf(batch) * M * N;
  const want = await product(referenceBackend, dtype, a, av.layout, b, bv.layout, n);
  const got = await product(gpu!, dtype, a, av.layout, b, bv.layout, n);
  assert.equal(got.length, n);
  for (let i = 0; i < n; i++) {
    const e = want[i]!, g = got[i]!;
    const ok = Number.isNaN(e) ? Number.isNaN(g) : !Number.isFinite(e) ? g === e : Math.abs(g - e) <= 1e-4 * (1 + Math.abs(e));
    if (!ok) assert.fail(`webgpu matmul ${dtype} batch ${JSON.stringify(batch)} M${M} K${K} N${N} a ${JSON.stringify(av.layout)} b ${JSON.stringify(bv.layout)}: [${i}] = ${g}, expected ${e}`);
  }
}

// Every test runs on both GEMM kernels: the small one (no workgroup memory) and the 64x64 tiled one.
for (const path of ['small', 'tiled'] as const) describe(`${path} GEMM kernel`, () => {
  beforeEach(() => { gemmLimits.path = path; });
  after(() => { gemmLimits.path = 'auto'; });

test('webgpu matmul: random shapes and views (transposed, flipped, broadcast, offset), sizes 0 and 1', { skip }, async () => {
  const rnd = prng(41);
  const size = () => [0, 1, 1, 2, 3, 5, 7, 17, 20][randInt(rnd, 0, 8)]!;
  for (let i = 0; i < 40; i++) {
    const batch = Array.from({ length: randInt(rnd, 0, 3) }, () => randInt(rnd, 1, 3));
    if (i === 5) batch.push(0);
    await compare(rnd, batch, size(), size(), size());
  }
});

test('webgpu matmul: several tiles and K slices, plain and transposed', { skip }, async () => {
  const rnd = prng(42);
  await compare(rnd, [], 130, 40, 70, 'float32', { plain: true });
  await compare(rnd, [2], 65, 33, 129, 'float32');
  await compare(rnd, [], 64, 16, 64, 'float32', { plain: true });
  await compare(rnd, [3], 1, 100, 67, 'float32');
  await compare(rnd, [], 67, 100, 1, 'float32');
});

test('webgpu matmul: K = 0 gives zeros, M or N = 0 gives an empty result', { skip }, async () => {
  const rnd = prng(43);
  await compare(rnd, [2], 3, 0, 4);
  await compare(rnd, [], 0, 5, 4);
  await compare(rnd, [2, 1], 3, 5, 0);
});

test('webgpu matmul: int32, NaN and Inf', { skip }, async () => {
  const rnd = prng(44);
  for (let i = 0; i < 6; i++) await compare(rnd, i % 2 ? [2] : [], randInt(rnd, 1, 9), randInt(rnd, 0, 9), randInt(rnd, 1, 9), 'int32');
  // A NaN spreads along its row; Inf gives ±Inf or NaN (Inf·0, Inf - Inf) as the reference.
  await compare(rnd, [], 4, 3, 5, 'float32', { plain: true, edit: (a) => { a[4] = NaN; a[9] = Infinity; } });
  await compare(rnd, [], 3, 2, 2, 'float32', { plain: true, edit: (a) => { a[0] = Infinity; a[1] = -Infinity; } });
});

test('webgpu matmul: grids split over several dispatches (per-dimension workgroup limit, lowered to 2)', { skip }, async () => {
  const rnd = prng(45);
  const saved = gemmLimits.maxGroups;
  gemmLimits.maxGroups = 2;
  try {
    await compare(rnd, [5], 130, 3, 150); // 3 tile rows, 3 tile columns, 5 batches: 3 chunks each
  } finally {
    gemmLimits.maxGroups = saved;
  }
});

test('webgpu matmul: K split over several workgroups, partials summed (split-K, forced on small shapes)', { skip }, async () => {
  const rnd = prng(47);
  const saved = splitKPolicy.minChunk;
  splitKPolicy.minChunk = 16;
  try {
    await compare(rnd, [], 3, 100, 5); // 4 splits of 32, the last one partial
    await compare(rnd, [2], 7, 50, 70, 'float32'); // batches × tiles × splits, any views
    await compare(rnd, [], 4, 40, 3, 'int32');
    await compare(rnd, [], 3, 0, 4); // K = 0: no split, zeros
  } finally {
    splitKPolicy.minChunk = saved;
  }
});

test('webgpu matmul: tg.matmul on webgpu tensors (1-D operands, broadcast batch, transposed operand)', { skip }, async () => {
  const prev = tg.getBackend();
  try {
    tg.setBackend(gpu!);
    const rnd = prng(46);
    const a = Array.from({ length: 2 }, () => Array.from({ length: 3 }, () => Array.from({ length: 4 }, () => rnd())));
    const b = Array.from({ length: 5 }, () => Array.from({ length: 4 }, () => rnd()));
    const v = [rnd(), rnd(), rnd(), rnd()];
    const run = async (be: Backend) => {
      tg.setBackend(be);
      const ta = tg.tensor(a), tb = tg.tensor(b), tv = tg.tensor(v);
      return [await ta.matmul(tb.t()).array(), await ta.matmul(tv).array(), await tv.matmul(tb.t()).array()];
    };
    const got = await run(gpu!), want = await run(referenceBackend);
    const flatAll = (x: unknown): number[] => (Array.isArray(x) ? x.flatMap(flatAll) : [x as number]);
    const g = flatAll(got), e = flatAll(want);
    assert.equal(g.length, e.length);
    g.forEach((x, i) => assert.ok(Math.abs(x - e[i]!) <= 1e-5, `[${i}] ${x} vs ${e[i]}`));
  } finally {
    tg.setBackend(prev);
  }
});
});
