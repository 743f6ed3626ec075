/**
 * The WebGPU elementwise kernels (unary, binary, where) against the reference
 * backend, called at the Backend level on random views (permuted, flipped,
 * broadcast, offset, gapped; size-0 and size-1 dims) with NaN, ±Inf, ±0 and
 * half-integer values mixed in. Skips where no WebGPU adapter exists.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tg from '../../src/index.js';
import type { BinaryOp, Layout, Storage, UnaryOp } from '../../src/backend/backend.js';
import type { DType, TypedArray } from '../../src/core/dtype.js';
import { toTypedArray } from '../../src/core/dtype.js';
import { contiguousStrides } from '../../src/core/shape.js';
import { prng, randInt } from '../helpers/prng.js';
import { randomView } from '../helpers/random-view.js';
import { webgpuOrSkip } from '../helpers/webgpu.js';

const gpu = await webgpuOrSkip();
const ref = tg.referenceBackend;
type Rnd = () => number;


function randomShape(rnd: Rnd, maxRank = 4): number[] {
  const r = randInt(rnd, 0, maxRank);
  return Array.from({ length: r }, () => (rnd() < 0.08 ? 0 : rnd() < 0.2 ? 1 : randInt(rnd, 2, 6)));
}

/** Floats with the edge values mixed in. */
function floatValue(rnd: Rnd): number {
  const u = rnd();
  if (u < 0.04) return NaN;
  if (u < 0.07) return Infinity;
  if (u < 0.1) return -Infinity;
  if (u < 0.13) return 0;
  if (u < 0.15) return -0;
  if (u < 0.22) return (randInt(rnd, -8, 8) + 0.5) * (rnd() < 0.5 ? 1 : 1); // round-half ties
  if (u < 0.27) return randInt(rnd, -5, 5);
  if (u < 0.32) return (rnd() - 0.5) * 1e-4; // near 0: log1p, expm1, erf, sin
  if (u < 0.36) return (rnd() - 0.5) * 200; // tanh/sigmoid/exp saturation
  return (rnd() - 0.5) * 8;
}

function values(rnd: Rnd, dtype: DType, n: number, gen: (rnd: Rnd) => number = floatValue): TypedArray {
  const v = Array.from({ length: n }, () => (dtype === 'float32' ? gen(rnd) : dtype === 'int32' ? randInt(rnd, -6, 6) : rnd() < 0.5 ? 1 : 0));
  return toTypedArray(dtype, v);
}

const dense = (shape: readonly number[]): Layout => ({ shape, strides: contiguousStrides(shape), offset: 0 });

interface Tol { rtol: number; atol: number }
const TOL: Partial<Record<string, Tol>> = {
  erf: { rtol: 1e-6, atol: 1e-6 },
  sin: { rtol: 1e-6, atol: 2e-7 },
  cos: { rtol: 1e-6, atol: 2e-7 },
  tan: { rtol: 4e-6, atol: 2e-7 },
  pow: { rtol: 1e-5, atol: 0 },
  atan2: { rtol: 1e-6, atol: 1e-7 },
};
const DEFAULT_TOL: Tol = { rtol: 1e-6, atol: 0 };

async function compare(what: string, gOut: Storage, rOut: Storage, shape: readonly number[], tol: Tol): Promise<void> {
  assert.equal(gOut.dtype, rOut.dtype, `${what}: dtype`);
  const want = ref.read(rOut, dense(shape));
  const got = await gpu!.readAsync(gOut, dense(shape));
  assert.equal(got.length, want.length, `${what}: length`);
  for (let i = 0; i < want.length; i++) {
    const w = Number(want[i]), g = Number(got[i]);
    if (rOut.dtype === 'bool') {
      assert.equal(g !== 0, w !== 0, `${what} [${i}]: got ${g}, want ${w}`);
      continue;
    }
    if (Number.isNaN(w) || !Number.isFinite(w) || rOut.dtype === 'int32') {
      assert.ok(Object.is(g, w) || (w === 0 && g === 0), `${what} [${i}]: got ${g}, want ${w}`);
      continue;
    }
    // GPUs may flush subnormal results to zero: below 2^-126 any tiny value passes.
    assert.ok(Math.abs(g - w) <= Math.max(tol.atol, 2 ** -126) + tol.rtol * Math.abs(w), `${what} [${i}]: got ${g}, want ${w} (diff ${Math.abs(g - w)})`);
  }
}

/** Inputs on both backends over the same random buffer and view. */
function operand(rnd: Rnd, dtype: DType, shape: number[], gen?: (rnd: Rnd) => number) {
  const { layout, length } = randomView(rnd, shape, { slack: 2 });
  const v = values(rnd, dtype, length, gen);
  return { layout, g: gpu!.fromArray(dtype, v), r: ref.fromArray(dtype, v), values: v };
}

const UNARY: UnaryOp[] = [
  'neg', 'abs', 'sign', 'exp', 'log', 'log1p', 'expm1', 'sqrt', 'rsqrt', 'reciprocal', 'sin', 'cos', 'tanh', 'sigmoid',
  'relu', 'erf', 'floor', 'ceil', 'round', 'logicalNot', 'tan', 'atan', 'log2', 'log10',
];
const INT_UNARY: UnaryOp[] = ['neg', 'abs', 'sign', 'relu', 'floor', 'ceil', 'round', 'logicalNot'];

if (!gpu) {
  test('webgpu elementwise (skipped: no WebGPU adapter)', { skip: true }, () => {});
} else {
  test('unary float32: every op on random views and edge values', async () => {
    const rnd = prng(1);
    for (const op of UNARY) {
      for (let c = 0; c < 5; c++) {
        const shape = c === 0 ? [40, 7] : randomShape(rnd);
        const x = operand(rnd, 'float32', shape);
        const out: DType = op === 'logicalNot' ? 'bool' : 'float32';
        await compare(`${op} ${JSON.stringify(x.layout)}`, gpu.unary(op, x.g, x.layout, out), ref.unary(op, x.r, x.layout, out), shape, TOL[op] ?? DEFAULT_TOL);
      }
    }
  });

  test('unary int32 and bool inputs', async () => {
    const rnd = prng(2);
    for (const dtype of ['int32', 'bool'] as const) {
      for (const op of INT_UNARY) {
        if (dtype === 'bool' && op !== 'logicalNot' && op !== 'abs' && op !== 'relu') continue;
        const shape = randomShape(rnd);
        const x = operand(rnd, dtype, shape);
        const out: DType = op === 'logicalNot' ? 'bool' : dtype;
        await compare(`${op}:${dtype}`, gpu.unary(op, x.g, x.layout, out), ref.unary(op, x.r, x.layout, out), shape, DEFAULT_TOL);
      }
    }
  });

  test('unary accuracy on dense grids (exp/log family, trig, erf)', async () => {
    const grid = (lo: number, hi: number, n: number) => Float32Array.from({ length: n }, (_, i) => lo + ((hi - lo) * i) / (n - 1));
    const cases: [UnaryOp, Float32Array][] = [
      ['exp', grid(-100, 88, 3001)], ['expm1', grid(-1, 1, 2001)], ['expm1', grid(-20, 20, 1001)],
      ['log', grid(1e-6, 10, 2001)], ['log', grid(0.9, 1.1, 2001)], ['log1p', grid(-0.999, 2, 2001)], ['log1p', grid(-1e-3, 1e-3, 1001)],
      ['log2', grid(1e-3, 1e3, 2001)], ['log10', grid(1e-3, 1e3, 2001)], ['sin', grid(-100, 100, 4001)], ['cos', grid(-100, 100, 4001)],
      ['tan', grid(-1.5, 1.5, 2001)], ['atan', grid(-50, 50, 2001)], ['tanh', grid(-20, 20, 2001)], ['sigmoid', grid(-100, 100, 2001)],
      ['erf', grid(-5, 5, 4001)], ['sqrt', grid(0, 1e6, 2001)], ['rsqrt', grid(1e-3, 1e3, 2001)],
    ];
    for (const [op, v] of cases) {
      const l = dense([v.length]);
      const tol = TOL[op] ?? { rtol: 1e-6, atol: op === 'sin' || op === 'cos' ? 3e-7 : 0 };
      await compare(`${op} grid [${v[0]}, ${v[v.length - 1]}]`, gpu.unary(op, gpu.fromArray('float32', v), l, 'float32'), ref.unary(op, ref.fromArray('float32', v), l, 'float32'), [v.length], tol);
    }
    // Exact points: log2 of powers of two, powers of ten, round half to even, relu/sign at NaN and ±0.
    const exact = async (op: UnaryOp, xs: number[], want: number[]) => {
      const l = dense([xs.length]);
      const got = await gpu.readAsync(gpu.unary(op, gpu.fromArray('float32', Float32Array.from(xs)), l, 'float32'), l);
      assert.deepEqual(Array.from(got), want, op);
    };
    await exact('log2', [1, 2, 8, 1024, 0.25, 2 ** -126], [0, 1, 3, 10, -2, -126]);
    await exact('round', [0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 2.4999998, 8388609], [0, 2, 2, -0, -2, -2, 2, 8388609]);
    await exact('relu', [NaN, -0, -1, 2], [NaN, 0, 0, 2]);
    await exact('sign', [NaN, -0, 0, -3, 3], [NaN, 0, 0, -1, 1]);
    await exact('exp', [0, -Infinity, Infinity, 89, -104], [1, 0, Infinity, Infinity, 0]);
    await exact('tanh', [100, -100, 1e4, Infinity, -Infinity], [1, -1, 1, 1, -1]);
    await exact('sigmoid', [Infinity, -Infinity, 200, -200], [1, 0, 1, 0]);
    await exact('log', [-1, 0, -0, Infinity, NaN], [NaN, -Infinity, -Infinity, Infinity, NaN]);
    await exact('log1p', [-1, -2, Infinity, 1e-30], [-Infinity, NaN, Infinity, 1e-30 as number].map((v) => Math.fround(v)));
    await exact('expm1', [-Infinity, Infinity, 1e-30, -0], [-1, Infinity, Math.fround(1e-30), -0]);
    await exact('reciprocal', [0, -0, Infinity, -Infinity], [Infinity, -Infinity, 0, -0]);
    await exact('sqrt', [-1, -0, Infinity, 4], [NaN, -0, Infinity, 2]);
  });

  const BINARY: BinaryOp[] = ['add', 'sub', 'mul', 'div', 'pow', 'maximum', 'minimum', 'atan2', 'eq', 'ne', 'lt', 'le', 'gt', 'ge', 'logicalAnd', 'logicalOr', 'reluBackward'];
  const outOf = (op: BinaryOp, dt: DType): DType => (['eq', 'ne', 'lt', 'le', 'gt', 'ge', 'logicalAnd', 'logicalOr'].includes(op) ? 'bool' : dt);

  test('binary float32: every op, broadcast and strided views, edge values', async () => {
    const rnd = prng(3);
    for (const op of BINARY) {
      for (let c = 0; c < 5; c++) {
        const shape = c === 0 ? [33, 9] : randomShape(rnd);
        const a = operand(rnd, 'float32', shape), b = operand(rnd, 'float32', shape);
        const out = outOf(op, 'float32');
        await compare(`${op}`, gpu.binary(op, a.g, a.layout, b.g, b.layout, out), ref.binary(op, a.r, a.layout, b.r, b.layout, out), shape, TOL[op] ?? DEFAULT_TOL);
      }
    }
  });

  test('binary: both operands the same storage (x * x, x == x)', async () => {
    const rnd = prng(4);
    const shape = [5, 6];
    const x = operand(rnd, 'float32', shape);
    for (const op of ['mul', 'eq', 'ne', 'sub'] as BinaryOp[]) {
      const out = outOf(op, 'float32');
      await compare(op, gpu.binary(op, x.g, x.layout, x.g, x.layout, out), ref.binary(op, x.r, x.layout, x.r, x.layout, out), shape, DEFAULT_TOL);
    }
  });

  test('binary int32 and bool', async () => {
    const rnd = prng(5);
    for (const dt of ['int32', 'bool'] as const) {
      for (const op of BINARY) {
        if (dt === 'bool' && !['eq', 'ne', 'lt', 'le', 'gt', 'ge', 'logicalAnd', 'logicalOr', 'maximum', 'minimum'].includes(op)) continue;
        const shape = randomShape(rnd);
        const a = operand(rnd, dt, shape), b = operand(rnd, dt, shape);
        // int32 / int32 is true division in float (the op layer's rule); the other ops keep the dtype.
        const out = op === 'div' || op === 'atan2' ? 'float32' : outOf(op, dt);
        await compare(`${op}:${dt}`, gpu.binary(op, a.g, a.layout, b.g, b.layout, out), ref.binary(op, a.r, a.layout, b.r, b.layout, out), shape, TOL[op] ?? DEFAULT_TOL);
      }
    }
    // int32 wrapping and integer powers.
    const l = dense([6]);
    const ia = Int32Array.from([2147483647, -2147483648, 3, -2, 7, 0]);
    const ib = Int32Array.from([1, -1, 19, 5, -1, 0]);
    for (const op of ['add', 'sub', 'pow'] as BinaryOp[]) {
      const got = await gpu.readAsync(gpu.binary(op, gpu.fromArray('int32', ia), l, gpu.fromArray('int32', ib), l, 'int32'), l);
      assert.deepEqual(Array.from(got), Array.from(ref.read(ref.binary(op, ref.fromArray('int32', ia), l, ref.fromArray('int32', ib), l, 'int32'), l)), op);
    }
  });

  test('pow: Math.pow special values and accuracy', async () => {
    const sp = [NaN, Infinity, -Infinity, 0, -0, 1, -1, 0.5, -0.5, 2, -2, 3, -3, 2.5, -2.5, 1e-3, 1e3];
    const xs: number[] = [], ys: number[] = [];
    for (const x of sp) for (const y of sp) (xs.push(x), ys.push(y));
    const rnd = prng(6);
    for (let i = 0; i < 3000; i++) {
      xs.push(rnd() < 0.3 ? -randInt(rnd, 0, 9) - rnd() * (rnd() < 0.5 ? 1 : 0) : rnd() * 10);
      ys.push(rnd() < 0.4 ? randInt(rnd, -12, 12) : (rnd() - 0.5) * 16);
    }
    const l = dense([xs.length]);
    const a = Float32Array.from(xs), b = Float32Array.from(ys);
    await compare('pow', gpu.binary('pow', gpu.fromArray('float32', a), l, gpu.fromArray('float32', b), l, 'float32'),
      ref.binary('pow', ref.fromArray('float32', a), l, ref.fromArray('float32', b), l, 'float32'), [xs.length], { rtol: 3e-6, atol: 0 });
  });

  test('where: float32, int32 and bool branches, broadcast condition', async () => {
    const rnd = prng(7);
    for (const dt of ['float32', 'int32', 'bool'] as const) {
      for (let c = 0; c < 4; c++) {
        const shape = randomShape(rnd);
        const cond = operand(rnd, 'bool', shape), a = operand(rnd, dt, shape), b = operand(rnd, dt, shape);
        await compare(`where:${dt}`, gpu.where(cond.g, cond.layout, a.g, a.layout, b.g, b.layout, dt),
          ref.where(cond.r, cond.layout, a.r, a.layout, b.r, b.layout, dt), shape, DEFAULT_TOL);
      }
    }
  });

  test('through the tensor API: isnan, relu, comparisons, broadcasting', async () => {
    const x = tg.tensor([[1, NaN, -2], [0, Infinity, -Infinity]], { backend: gpu });
    assert.deepEqual(await x.isnan().array(), [[false, true, false], [false, false, false]]);
    assert.deepEqual(await x.relu().array(), [[1, NaN, 0], [0, Infinity, 0]]);
    assert.deepEqual(await x.gt(tg.tensor([0, 1, -3], { backend: gpu })).array(), [[true, false, true], [false, true, false]]);
    assert.deepEqual(await x.T.add(tg.tensor([10, 20], { backend: gpu })).array(), [[11, 20], [NaN, Infinity], [8, -Infinity]]);
  });
}
