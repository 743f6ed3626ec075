/**
 * The wasm elementwise, where, reduction, max-pool and scatter-add kernels vs
 * the reference backend, on the layouts they accelerate (contiguous,
 * [N,C] + [C], [N,C,H,W] + [1,C,1,1], scalars, offsets) and on layouts that
 * must fall back (transposed, flipped), float32 and float64. Values include
 * NaN, ±Infinity, ±0 and exact ties so the NaN/tie rules are exercised.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Backend, BinaryOp, Layout, ReduceOp, Storage, UnaryOp } from '../../src/backend/backend.js';
import { initWasmBackend } from '../../src/backend/wasm/index.js';
import { fallbackCounts } from '../../src/backend/wasm/fallback.js';
import { referenceBackend } from '../../src/backend/reference/index.js';
import type { DType } from '../../src/core/dtype.js';
import { contiguousStrides } from '../../src/core/shape.js';
import { prng } from '../helpers/prng.js';


const wasm = await initWasmBackend();
const SPECIAL = [NaN, Infinity, -Infinity, 0, -0, 1, -1, 0.5, 2.5, -2.5];

/** Values with a sprinkling of specials and repeated values (ties). */
function values(rnd: () => number, n: number, specials: boolean): number[] {
  return Array.from({ length: n }, () => {
    const u = rnd();
    if (specials && u < 0.1) return SPECIAL[Math.floor(rnd() * SPECIAL.length)]!;
    if (u < 0.2) return Math.round(rnd() * 4) - 2;
    return (rnd() * 2 - 1) * 3;
  });
}

function store(b: Backend, dtype: DType, v: number[]): Storage {
  const a = dtype === 'float32' ? Float32Array.from(v) : dtype === 'float64' ? Float64Array.from(v) : dtype === 'int32' ? Int32Array.from(v) : Uint8Array.from(v.map((x) => (x ? 1 : 0)));
  return b.fromArray(dtype, a);
}

const dense = (shape: number[], offset = 0): Layout => ({ shape, strides: contiguousStrides(shape), offset });
const readAll = (b: Backend, s: Storage, shape: number[]) => Array.from(b.read(s, dense(shape)));

function same(got: number[], want: number[], tol: number, what: string): void {
  assert.equal(got.length, want.length, `${what}: length`);
  for (let i = 0; i < got.length; i++) {
    const g = got[i]!, e = want[i]!;
    if (Object.is(g, e) || (Number.isNaN(g) && Number.isNaN(e)) || Math.abs(g - e) <= tol * (1 + Math.abs(e))) continue;
    assert.fail(`${what}: [${i}] = ${g}, expected ${e}`);
  }
}

/** Operand layouts over a storage of `len` elements, for a given output shape. */
interface Case {
  name: string;
  shape: number[];
  a: { len: number; layout: Layout };
  b: { len: number; layout: Layout };
  fast: boolean;
}

const CASES: Case[] = [
  { name: 'same shape contiguous', shape: [7, 13], a: { len: 91, layout: dense([7, 13]) }, b: { len: 91, layout: dense([7, 13]) }, fast: true },
  { name: 'with offsets', shape: [37], a: { len: 40, layout: dense([37], 3) }, b: { len: 38, layout: dense([37], 1) }, fast: true },
  { name: '[N,C] + [C]', shape: [5, 11], a: { len: 55, layout: dense([5, 11]) }, b: { len: 11, layout: { shape: [5, 11], strides: [0, 1], offset: 0 } }, fast: true },
  { name: '[C] + [N,C]', shape: [5, 11], a: { len: 11, layout: { shape: [5, 11], strides: [0, 1], offset: 0 } }, b: { len: 55, layout: dense([5, 11]) }, fast: true },
  { name: '[N,C,H,W] + [1,C,1,1]', shape: [2, 3, 4, 5], a: { len: 120, layout: dense([2, 3, 4, 5]) }, b: { len: 3, layout: { shape: [2, 3, 4, 5], strides: [0, 1, 0, 0], offset: 0 } }, fast: true },
  { name: 'tensor + scalar', shape: [3, 9], a: { len: 27, layout: dense([3, 9]) }, b: { len: 1, layout: { shape: [3, 9], strides: [0, 0], offset: 0 } }, fast: true },
  { name: 'transposed (fallback)', shape: [6, 5], a: { len: 30, layout: { shape: [6, 5], strides: [1, 6], offset: 0 } }, b: { len: 30, layout: dense([6, 5]) }, fast: false },
  { name: 'flipped (fallback)', shape: [9], a: { len: 9, layout: { shape: [9], strides: [-1], offset: 8 } }, b: { len: 9, layout: dense([9]) }, fast: false },
];

const BINARY: BinaryOp[] = ['add', 'sub', 'mul', 'div', 'pow', 'maximum', 'minimum', 'eq', 'ne', 'lt', 'le', 'gt', 'ge', 'reluBackward'];
const UNARY: UnaryOp[] = ['neg', 'abs', 'sign', 'exp', 'log', 'log1p', 'expm1', 'sqrt', 'rsqrt', 'reciprocal', 'sin', 'cos', 'tanh', 'sigmoid', 'relu', 'floor', 'ceil', 'round'];

for (const dtype of ['float32', 'float64'] as const) {
  const tol = dtype === 'float32' ? 2e-6 : 1e-13;

  test(`binary ops ${dtype}: every layout case vs the reference`, () => {
    const rnd = prng(1);
    for (const c of CASES) {
      const av = values(rnd, c.a.len, true), bv = values(rnd, c.b.len, true);
      for (const op of BINARY) {
        const outDtype: DType = ['eq', 'ne', 'lt', 'le', 'gt', 'ge'].includes(op) ? 'bool' : dtype;
        fallbackCounts.clear();
        const run = (be: Backend) => readAll(be, be.binary(op, store(be, dtype, av), c.a.layout, store(be, dtype, bv), c.b.layout, outDtype), c.shape);
        same(run(wasm), run(referenceBackend), tol, `${op} ${c.name}`);
        if (c.fast) assert.equal(fallbackCounts.size, 0, `${op} ${c.name} ran in wasm`);
      }
    }
  });

  test(`unary ops ${dtype}: contiguous, offset and strided rows vs the reference`, () => {
    const rnd = prng(2);
    const layouts: [Layout, number][] = [
      [dense([4, 9]), 36],
      [dense([21], 2), 23],
      [{ shape: [3, 5], strides: [7, 1], offset: 1 }, 22], // rows of a wider tensor (slice)
    ];
    for (const [l, len] of layouts) {
      const xv = values(rnd, len, true);
      for (const op of UNARY) {
        fallbackCounts.clear();
        const run = (be: Backend) => readAll(be, be.unary(op, store(be, dtype, xv), l, dtype), [...l.shape]);
        same(run(wasm), run(referenceBackend), dtype === 'float32' ? 2e-6 : 1e-14, `${op} ${JSON.stringify(l)}`);
        assert.equal(fallbackCounts.size, 0, `${op} ran in wasm`);
      }
    }
  });

  test(`reductions ${dtype}: sum/max/min over trailing, leading, middle, mixed and all axes`, () => {
    const rnd = prng(3);
    const shape = [3, 4, 5, 6];
    const xv = values(rnd, 360, false);
    const axesList = [[3], [0], [1], [1, 2], [0, 2, 3], [0, 1, 2, 3], [0, 3], [2]];
    for (const axes of axesList) {
      for (const op of ['sum', 'max', 'min', 'prod', 'argmax'] as ReduceOp[]) {
        const outShape = shape.filter((_, i) => !axes.includes(i));
        const outDtype: DType = op === 'argmax' ? 'int32' : dtype;
        const run = (be: Backend) => readAll(be, be.reduce(op, store(be, dtype, xv), dense(shape), axes, outDtype), outShape);
        same(run(wasm), run(referenceBackend), dtype === 'float32' ? 1e-6 : 1e-12, `${op} over ${axes}`);
      }
    }
    // NaN propagates through max/min.
    const nanv = values(rnd, 360, false);
    nanv[77] = NaN;
    for (const op of ['max', 'min', 'sum'] as ReduceOp[]) {
      const run = (be: Backend) => readAll(be, be.reduce(op, store(be, dtype, nanv), dense(shape), [3], dtype), [3, 4, 5]);
      same(run(wasm), run(referenceBackend), 1e-6, `${op} with NaN`);
    }
  });
}

test('int32 comparisons: every layout case vs the reference, in wasm where the layout allows', () => {
  const rnd = prng(7);
  for (const c of CASES) {
    const av = values(rnd, c.a.len, false).map(Math.round), bv = values(rnd, c.b.len, false).map(Math.round);
    for (const op of ['eq', 'ne', 'lt', 'le', 'gt', 'ge'] as const) {
      fallbackCounts.clear();
      const run = (be: Backend) => readAll(be, be.binary(op, store(be, 'int32', av), c.a.layout, store(be, 'int32', bv), c.b.layout, 'bool'), c.shape);
      same(run(wasm), run(referenceBackend), 0, `int32 ${op} ${c.name}`);
      if (c.fast) assert.equal(fallbackCounts.size, 0, `int32 ${op} ${c.name} ran in wasm`);
    }
  }
});

test('where: bool condition with tensor/scalar branches, float32 and int32', () => {
  const rnd = prng(4);
  for (const dtype of ['float32', 'int32'] as const) {
    const shape = [6, 7];
    const cv = values(rnd, 42, false).map((v) => (v > 0 ? 1 : 0));
    const av = values(rnd, 42, false).map((v) => (dtype === 'int32' ? Math.round(v) : v));
    const run = (be: Backend) =>
      readAll(be, be.where(store(be, 'bool', cv), dense(shape), store(be, dtype, av), dense(shape), store(be, dtype, [5]),
        { shape, strides: [0, 0], offset: 0 }, dtype), shape);
    fallbackCounts.clear();
    same(run(wasm), run(referenceBackend), 0, `where ${dtype}`);
    assert.equal(fallbackCounts.size, 0);
  }
});

test('maxPool 2-D (ties, NaN, padding), its backward and scatterAdd vs the reference', () => {
  const rnd = prng(5);
  // Wide rows run the 4-column vector path for strides 1, 2 and 3, with scalar tails.
  const cases = [[8, 8, 2, 2, 0], [7, 9, 3, 2, 1], [5, 5, 3, 1, 1], [6, 4, 2, 3, 1], [4, 31, 3, 3, 1], [5, 30, 2, 2, 1], [3, 21, 3, 1, 0], [4, 19, 2, 1, 1], [6, 22, 2, 2, 0], [5, 13, 2, 2, 0], [4, 8, 2, 2, 0]] as const;
  for (const [H, W, k, s, pad] of cases) {
    const oH = Math.floor((H + 2 * pad - k) / s) + 1, oW = Math.floor((W + 2 * pad - k) / s) + 1;
    const p = {
      batch: 2, channels: 3, inSize: [1, H, W] as [number, number, number], kernelSize: [1, k, k] as [number, number, number],
      outSize: [1, oH, oW] as [number, number, number], stride: [1, s, s] as [number, number, number],
      padding: [0, pad, pad] as [number, number, number], dilation: [1, 1, 1] as [number, number, number],
    };
    const xv = values(rnd, 6 * H * W, true);
    fallbackCounts.clear();
    const run = (be: Backend) => {
      const r = be.maxPool(store(be, 'float32', xv), p);
      const outShape = [2, 3, oH * oW];
      // The maxPool gradient: scatter ones*g into a [N, C, H*W] zero tensor at the indices (valid ones only).
      const idx = Array.from(be.read(r.indices!, dense(outShape)));
      const g = store(be, 'float32', idx.map((_, i) => (i % 7) - 3));
      const dst = be.alloc('float32', 6 * H * W);
      be.scatterAdd(dst, [2, 3, H * W], 2, store(be, 'int32', idx.map((i) => Math.max(i, 0))), dense(outShape), g, dense(outShape));
      const gx = be.maxPoolBackward(g, r.indices!, 6, oH * oW, H * W);
      // Without indices (inference), the values must be the same.
      const bare = be.maxPool(store(be, "float32", xv), p, false);
      assert.deepEqual(readAll(be, bare.out, outShape), readAll(be, r.out, outShape), `${be.name}: maxPool without indices`);
      return [...readAll(be, r.out, outShape), ...idx, ...readAll(be, dst, [6 * H * W]), ...readAll(be, gx, [6 * H * W])];
    };
    same(run(wasm), run(referenceBackend), 1e-6, `maxPool H=${H} W=${W} k=${k} s=${s} p=${pad}`);
    assert.equal(fallbackCounts.size, 0, 'maxPool, maxPoolBackward and scatterAdd ran in wasm');
  }
});

test('same-dtype strided copies (transposes, flips, slices, broadcasts, 4-D) agree with the reference', () => {
  const rnd = prng(7);
  const src = values(rnd, 120, true);
  const cases: [Layout, Layout][] = [
    [dense([4, 6]), { shape: [4, 6], strides: [1, 4], offset: 0 }],                 // transpose (gather)
    [{ shape: [4, 6], strides: [1, 4], offset: 0 }, dense([4, 6])],                 // transposed write
    [dense([5, 7]), { shape: [5, 7], strides: [-7, -1], offset: 34 }],              // both dims flipped
    [dense([3, 9]), { shape: [3, 9], strides: [12, 1], offset: 2 }],                // rows of a wider tensor
    [dense([6, 5]), { shape: [6, 5], strides: [0, 1], offset: 3 }],                 // broadcast rows
    [dense([2, 3, 4, 5]), { shape: [2, 3, 4, 5], strides: [60, 1, 15, 3], offset: 0 }], // 4-D permutation
    [dense([2, 3, 4, 5]), { shape: [2, 3, 4, 5], strides: [1, 40, 10, 2], offset: 0 }],
  ];
  for (const dtype of ['float32', 'float64', 'int32', 'bool'] as const) {
    for (const [dl, sl] of cases) {
      const run = (be: Backend) => {
        const s = store(be, dtype, dtype === 'bool' ? src.map((v) => (v > 0 ? 1 : 0)) : src);
        const d = be.alloc(dtype, 120);
        be.copy(d, dl, s, sl);
        return readAll(be, d, [120]).slice(0, dl.shape.reduce((a, b) => a * b, 1));
      };
      same(run(wasm), run(referenceBackend), 0, `copy ${dtype} ${JSON.stringify(sl)}`);
    }
  }
});

test('dense fills convert the value as the dtype stores it; zeroed allocations are zero', () => {
  for (const dtype of ['float32', 'float64', 'int32', 'bool'] as const) {
    for (const value of [0, 1.5, -2.7, 3e9, NaN, -Infinity]) {
      const run = (be: Backend) => {
        const d = be.alloc(dtype, 23);
        be.fill(d, dense([21], 1), value);
        return readAll(be, d, [23]).slice(1, 22);
      };
      same(run(wasm), run(referenceBackend), 0, `fill ${dtype} ${value}`);
    }
  }
  // Dirty a block, free it, and get it back zeroed.
  const dirty = wasm.alloc('float32', 1000);
  wasm.fill(dirty, dense([1000]), 7);
  (dirty as unknown as { release(): void }).release();
  const z = wasm.alloc('float32', 1000);
  assert.ok(readAll(wasm, z, [1000]).every((v) => v === 0), 'alloc returns zeros');
});

test('copy, fill and read over strided views and dtype conversions agree with the reference', () => {
  const rnd = prng(6);
  const src = values(rnd, 24, true);
  for (const [from, to] of [['float32', 'int32'], ['float64', 'bool'], ['float32', 'float64'], ['int32', 'float32']] as const) {
    const run = (be: Backend) => {
      const s = store(be, from, src);
      const d = be.alloc(to, 24);
      be.copy(d, { shape: [4, 6], strides: [1, 4], offset: 0 }, s, dense([4, 6])); // transposed write
      be.fill(d, { shape: [3], strides: [5], offset: 2 }, 9);
      return [...readAll(be, d, [24]), ...Array.from(be.read(d, { shape: [2, 3], strides: [-6, 2], offset: 12 }))];
    };
    same(run(wasm), run(referenceBackend), 0, `copy ${from} -> ${to}`);
  }
});
