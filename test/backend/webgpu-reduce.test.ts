/**
 * The WebGPU reduce kernels against the reference backend, at the Backend
 * level: every op over random axis sets of random views (permuted, flipped,
 * broadcast, offset; size-0 and size-1 dims), both kernels (thread per output
 * and workgroup tree, with the split for few outputs), NaN/±Inf handling,
 * first-occurrence ties, and large reductions. Skips where no WebGPU adapter exists.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tg from '../../src/index.js';
import type { Layout, ReduceOp, Storage } from '../../src/backend/backend.js';
import type { DType } from '../../src/core/dtype.js';
import { toTypedArray } from '../../src/core/dtype.js';
import { contiguousStrides } from '../../src/core/shape.js';
import { prng, randInt } from '../helpers/prng.js';
import { randomView } from '../helpers/random-view.js';
import { webgpuOrSkip } from '../helpers/webgpu.js';

const gpu = await webgpuOrSkip();
const ref = tg.referenceBackend;
type Rnd = () => number;


const dense = (shape: readonly number[]): Layout => ({ shape, strides: contiguousStrides(shape), offset: 0 });

/** Floats (with NaN/±Inf sometimes), small integers (many ties) or bools. */
function fill(rnd: Rnd, dtype: DType, n: number, special: number, prodInts = false): ArrayLike<number> {
  const v = Array.from({ length: n }, () => {
    if (dtype === 'bool') return rnd() < 0.5 ? 1 : 0;
    // int32 products stay in {-1, 0, 1, 2}: the reference multiplies in doubles, exact only to 2^53.
    if (dtype === 'int32') return prodInts ? randInt(rnd, -1, 2) : randInt(rnd, -4, 4);
    const u = rnd();
    if (u < special) return [NaN, Infinity, -Infinity][randInt(rnd, 0, 2)]!;
    return u < 0.3 ? randInt(rnd, -3, 3) : (rnd() - 0.5) * 4;
  });
  return toTypedArray(dtype, v);
}

function outDtypeOf(op: ReduceOp, dt: DType): DType {
  if (op === 'argmax' || op === 'argmin') return 'int32';
  return (op === 'sum' || op === 'prod') && dt === 'bool' ? 'int32' : dt;
}

async function check(what: string, op: ReduceOp, dt: DType, xl: Layout, length: number, axes: number[], rnd: Rnd, special = 0.05, rtol = 2e-6): Promise<void> {
  const v = fill(rnd, dt, length, special, op === 'prod');
  // The op layer casts bool to int32 before sum/prod; do the same here.
  const inDt = (op === 'sum' || op === 'prod') && dt === 'bool' ? 'int32' : dt;
  const vi = toTypedArray(inDt, v);
  const out = outDtypeOf(op, dt);
  const g = gpu!.reduce(op, gpu!.fromArray(inDt, vi), xl, axes, out);
  const r = ref.reduce(op, ref.fromArray(inDt, vi), xl, axes, out);
  await same(`${what} ${op}:${dt} axes ${JSON.stringify(axes)} ${JSON.stringify(xl)}`, g, r, xl.shape.filter((_, i) => !axes.includes(i)), rtol);
}

async function same(what: string, g: Storage, r: Storage, shape: readonly number[], rtol: number): Promise<void> {
  assert.equal(g.dtype, r.dtype, what);
  const want = ref.read(r, dense(shape));
  const got = await gpu!.readAsync(g, dense(shape));
  assert.equal(got.length, want.length, what);
  for (let i = 0; i < want.length; i++) {
    const w = Number(want[i]), x = Number(got[i]);
    if (Number.isNaN(w) || !Number.isFinite(w) || r.dtype !== 'float32') {
      assert.ok(Object.is(x, w) || (x === 0 && w === 0), `${what} [${i}]: got ${x}, want ${w}`);
    } else {
      assert.ok(Math.abs(x - w) <= 1e-5 + rtol * Math.abs(w), `${what} [${i}]: got ${x}, want ${w}`);
    }
  }
}

/** A random non-empty sorted subset of 0..r-1 (or empty sometimes). */
function randomAxes(rnd: Rnd, r: number): number[] {
  const axes = [...Array(r).keys()].filter(() => rnd() < 0.5);
  return axes.length || rnd() < 0.2 ? axes : r ? [randInt(rnd, 0, r - 1)] : [];
}

const OPS: ReduceOp[] = ['sum', 'prod', 'max', 'min', 'argmax', 'argmin'];

if (!gpu) {
  test('webgpu reduce (skipped: no WebGPU adapter)', { skip: true }, () => {});
} else {
  test('every op, random views and axes (thread-per-output sizes)', async () => {
    const rnd = prng(11);
    for (const op of OPS) {
      for (const dt of ['float32', 'int32', 'bool'] as DType[]) {
        if (dt === 'bool' && op === 'prod') continue;
        for (let c = 0; c < 4; c++) {
          const r = randInt(rnd, 0, 4);
          const shape = Array.from({ length: r }, () => (rnd() < 0.15 ? 1 : randInt(rnd, 2, 6)));
          const axes = randomAxes(rnd, r);
          const { layout, length } = randomView(rnd, shape, { broadcast: 0.12 });
          // prod of many floats over/underflows: keep the products short.
          await check('small', op, dt, layout, length, axes, rnd);
        }
      }
    }
  });

  test('tree kernel: large reduced extents, kept axes before and after, strided views', async () => {
    const rnd = prng(12);
    const cases: [number[], number[]][] = [
      [[3, 700], [1]], [[700, 3], [0]], [[5, 40, 30], [0, 2]], [[2, 3, 300], [2]], [[40, 2, 40], [0, 2]], [[2000], [0]], [[4, 64], [1]],
    ];
    for (const op of OPS) {
      for (const [shape, axes] of cases) {
        const { layout, length } = randomView(rnd, shape, { broadcast: 0.12 });
        await check('tree', op, op === 'prod' ? 'int32' : 'float32', layout, length, axes, rnd, 0.002);
      }
    }
  });

  test('large reductions (100k elements, the split path) and many outputs', async () => {
    const rnd = prng(13);
    for (const op of OPS) {
      await check('100k', op, 'float32', dense([100_000]), 100_000, [0], rnd, 0, 1e-5);
      await check('100k', op, 'int32', dense([100_000]), 100_000, [0], rnd, 0);
      await check('2x60k', op, 'float32', dense([2, 60_000]), 120_000, [1], rnd, 0, 1e-5);
    }
    await check('many outputs', 'sum', 'float32', dense([70_000, 3]), 210_000, [1], rnd, 0);
    await check('many outputs', 'argmax', 'float32', dense([3, 70_000]), 210_000, [0], rnd, 0);
  });

  test('NaN and ties: first NaN wins, first extremum on ties, Inf sums', async () => {
    const run = async (op: ReduceOp, xs: number[], want: number) => {
      for (const n of [xs.length, 2000]) {
        // Also padded to 2000 with zeros at the end to take the tree kernel.
        const v = Float32Array.from({ length: n }, (_, i) => xs[i] ?? (op === 'argmin' || op === 'min' ? 100 : op === 'prod' ? 1 : 0));
        const out = op === 'argmax' || op === 'argmin' ? 'int32' : 'float32';
        const s = gpu.reduce(op, gpu.fromArray('float32', v), dense([n]), [0], out);
        const got = (await gpu.readAsync(s, dense([])))[0];
        assert.ok(Object.is(got, want), `${op}(${xs}) over ${n}: got ${got}, want ${want}`);
      }
    };
    await run('argmax', [1, 5, 5, 2], 1);
    await run('argmin', [3, -1, 2, -1], 1);
    await run('argmax', [1, NaN, 7, NaN], 1);
    await run('argmin', [1, 2, NaN], 2);
    await run('max', [1, NaN, 7], NaN);
    await run('min', [-Infinity, 3], -Infinity);
    await run('sum', [Infinity, 1, 2], Infinity);
    await run('sum', [Infinity, -Infinity], NaN);
    await run('sum', [1e8, 1, -1e8, 1], 2);
    await run('prod', [2, -3, 0.5], -3);
  });

  test('empty reductions: sum 0, prod 1; empty outputs', async () => {
    const x = gpu.fromArray('float32', new Float32Array(4));
    const l: Layout = { shape: [2, 0], strides: [1, 1], offset: 0 };
    assert.deepEqual(Array.from(await gpu.readAsync(gpu.reduce('sum', x, l, [1], 'float32'), dense([2]))), [0, 0]);
    assert.deepEqual(Array.from(await gpu.readAsync(gpu.reduce('prod', x, l, [1], 'float32'), dense([2]))), [1, 1]);
    assert.equal(gpu.reduce('sum', x, l, [0], 'float32').length, 0);
  });

  test('through the tensor API', async () => {
    const x = tg.tensor([[1, 5, 2], [7, -1, 7]], { backend: gpu });
    assert.deepEqual(await x.sum(1).array(), [8, 13]);
    assert.deepEqual(await x.amax(0).array(), [7, 5, 7]);
    assert.deepEqual(await x.argmax(1).array(), [1, 0]);
    assert.deepEqual(await x.T.flip(0).argmin(0).array(), [2, 1]); // columns [2, 5, 1] and [7, -1, 7]
    assert.equal(await x.mean().itemAsync(), 21 / 6);
  });
}
