import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  adaptiveAvgPool,
  adaptiveAvgPoolBackward,
  adaptiveMaxPool,
  avgPool,
  avgPoolBackward,
  maxPool,
} from '../../src/backend/reference/pool.js';
import type { AdaptivePoolParams, AvgPoolParams, PoolParams } from '../../src/backend/backend.js';
import type { TypedArray } from '../../src/core/dtype.js';
import { prng, randInt } from '../helpers/prng.js';

type D3 = [number, number, number];

// ---------------------------------------------------------------- helpers


/** Values on a coarse grid, so max-pool windows often hold ties. */
function randomData(r: () => number, n: number, coarse: boolean): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = coarse ? randInt(r, -3, 3) : r() * 2 - 1;
  return out;
}

/** PyTorch's pooling output size, including the ceil-mode rule that drops a window starting at or past `in + p`. */
function pooledSize(inSize: number, k: number, s: number, p: number, d: number, ceil: boolean): number {
  const span = inSize + 2 * p - d * (k - 1) - 1;
  let out = (ceil ? Math.ceil(span / s) : Math.floor(span / s)) + 1;
  if (ceil && (out - 1) * s >= inSize + p) out--;
  return out;
}

function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!, e = expected[i]!;
    if (a === e) continue; // also covers ±Infinity
    if (Number.isNaN(e)) {
      assert.ok(Number.isNaN(a), `${what}[${i}]: expected NaN, got ${a}`);
      continue;
    }
    assert.ok(Math.abs(a - e) <= tol * Math.max(1, Math.abs(e)), `${what}[${i}]: ${a} vs ${e}`);
  }
}

const dot = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
};

const prod = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);

// ---------------------------------------------------------------- naive references (float64, straight from the definitions)

/** Calls f(od, oh, ow, planeIndex, outIndex) for every output element. */
function forEachOut(planes: number, outSize: D3, f: (o: D3, plane: number, i: number) => void): void {
  let i = 0;
  for (let pl = 0; pl < planes; pl++)
    for (let a = 0; a < outSize[0]; a++)
      for (let b = 0; b < outSize[1]; b++)
        for (let c = 0; c < outSize[2]; c++) f([a, b, c], pl, i++);
}

function naiveMaxPool(x: Float64Array, p: PoolParams): { out: number[]; indices: number[] } {
  const [D, H, W] = p.inSize;
  const out: number[] = [], indices: number[] = [];
  forEachOut(p.batch * p.channels, [...p.outSize], (o, pl) => {
    let best = -Infinity, arg = -1;
    for (let kd = 0; kd < p.kernelSize[0]; kd++)
      for (let kh = 0; kh < p.kernelSize[1]; kh++)
        for (let kw = 0; kw < p.kernelSize[2]; kw++) {
          const d = o[0] * p.stride[0] - p.padding[0] + kd * p.dilation[0];
          const h = o[1] * p.stride[1] - p.padding[1] + kh * p.dilation[1];
          const w = o[2] * p.stride[2] - p.padding[2] + kw * p.dilation[2];
          if (d < 0 || d >= D || h < 0 || h >= H || w < 0 || w >= W) continue;
          const idx = (d * H + h) * W + w;
          const v = x[pl * D * H * W + idx]!;
          if (arg < 0 || v > best || Number.isNaN(v)) {
            best = v;
            arg = idx;
          }
        }
    out.push(best);
    indices.push(arg);
  });
  return { out, indices };
}

function naiveAvgPool(x: Float64Array, p: AvgPoolParams): number[] {
  const [D, H, W] = p.inSize;
  const out: number[] = [];
  forEachOut(p.batch * p.channels, [...p.outSize], (o, pl) => {
    let poolSize = 1, clipped = 1;
    const lo: number[] = [], hi: number[] = [];
    for (let i = 0; i < 3; i++) {
      let start = o[i]! * p.stride[i]! - p.padding[i]!;
      let end = Math.min(start + p.kernelSize[i]!, p.inSize[i]! + p.padding[i]!);
      poolSize *= end - start;
      start = Math.max(start, 0);
      end = Math.min(end, p.inSize[i]!);
      clipped *= Math.max(0, end - start);
      lo.push(start);
      hi.push(end);
    }
    let sum = 0;
    for (let d = lo[0]!; d < hi[0]!; d++)
      for (let h = lo[1]!; h < hi[1]!; h++)
        for (let w = lo[2]!; w < hi[2]!; w++) sum += x[pl * D * H * W + (d * H + h) * W + w]!;
    const divisor = p.divisorOverride ?? (p.countIncludePad ? poolSize : clipped);
    out.push(clipped === 0 ? 0 : sum / divisor);
  });
  return out;
}

function adaptiveRange(o: number, inSize: number, outSize: number): [number, number] {
  return [Math.floor((o * inSize) / outSize), Math.ceil(((o + 1) * inSize) / outSize)];
}

function naiveAdaptive(x: Float64Array, p: AdaptivePoolParams, mode: 'avg' | 'max'): { out: number[]; indices: number[] } {
  const [D, H, W] = p.inSize;
  const out: number[] = [], indices: number[] = [];
  forEachOut(p.batch * p.channels, [...p.outSize], (o, pl) => {
    const [d0, d1] = adaptiveRange(o[0], D, p.outSize[0]);
    const [h0, h1] = adaptiveRange(o[1], H, p.outSize[1]);
    const [w0, w1] = adaptiveRange(o[2], W, p.outSize[2]);
    let sum = 0, best = -Infinity, arg = -1;
    for (let d = d0; d < d1; d++)
      for (let h = h0; h < h1; h++)
        for (let w = w0; w < w1; w++) {
          const idx = (d * H + h) * W + w;
          const v = x[pl * D * H * W + idx]!;
          sum += v;
          if (arg < 0 || v > best || Number.isNaN(v)) {
            best = v;
            arg = idx;
          }
        }
    out.push(mode === 'avg' ? sum / ((d1 - d0) * (h1 - h0) * (w1 - w0)) : best);
    indices.push(arg);
  });
  return { out, indices };
}

// ---------------------------------------------------------------- random geometry

interface Case {
  p: AvgPoolParams;
  desc: string;
}

/** A random 1-D/2-D/3-D pooling geometry, lifted to 3-D with size-1 leading dims. */
function randomCase(r: () => number, withDilation: boolean): Case {
  for (;;) {
    const rank = randInt(r, 1, 3);
    const inSize: D3 = [1, 1, 1], kernelSize: D3 = [1, 1, 1], stride: D3 = [1, 1, 1];
    const padding: D3 = [0, 0, 0], dilation: D3 = [1, 1, 1], outSize: D3 = [1, 1, 1];
    const ceilMode = r() < 0.5;
    let ok = true;
    for (let i = 3 - rank; i < 3; i++) {
      inSize[i] = randInt(r, 1, rank === 3 ? 5 : 7);
      kernelSize[i] = randInt(r, 1, 3);
      stride[i] = randInt(r, 1, 3);
      padding[i] = randInt(r, 0, Math.floor(kernelSize[i] / 2));
      dilation[i] = withDilation ? randInt(r, 1, 2) : 1;
      outSize[i] = pooledSize(inSize[i], kernelSize[i], stride[i], padding[i], dilation[i], ceilMode);
      if (outSize[i] < 1) ok = false;
    }
    if (!ok) continue;
    const u = r();
    const p: AvgPoolParams = {
      batch: randInt(r, 1, 2),
      channels: randInt(r, 1, 3),
      inSize, kernelSize, outSize, stride, padding, dilation,
      countIncludePad: r() < 0.5,
      ...(u < 0.25 ? { divisorOverride: randInt(r, 1, 5) } : {}),
    };
    const desc = `rank=${rank} ceil=${ceilMode} ${JSON.stringify(p)}`;
    return { p, desc };
  }
}

const planeCount = (p: { batch: number; channels: number }): number => p.batch * p.channels;

// ---------------------------------------------------------------- tests

test('maxPool matches the naive reference (random sweep, with ties and dilation)', () => {
  const r = prng(1234);
  for (let iter = 0; iter < 400; iter++) {
    const { p, desc } = randomCase(r, true);
    const x = randomData(r, planeCount(p) * prod(p.inSize), iter % 2 === 0);
    const want = naiveMaxPool(x, p);
    const got = maxPool(x, p, 'float64');
    assert.ok(got.out instanceof Float64Array);
    assertClose(got.out, want.out, 0, `maxPool out ${desc}`);
    assert.deepEqual([...got.indices], want.indices, `maxPool indices ${desc}`);
    // Every index points at its max, inside its own plane (or is -1 for a window
    // whose dilated taps all fall in padding, whose max is -Infinity).
    const inPlane = prod(p.inSize), outPlane = prod(p.outSize);
    for (let i = 0; i < got.out.length; i++) {
      const idx = got.indices[i]!;
      if (idx === -1 && got.out[i] === -Infinity) continue;
      assert.ok(idx >= 0 && idx < inPlane, desc);
      assert.equal(x[Math.floor(i / outPlane) * inPlane + idx], got.out[i], desc);
    }
  }
});

test('avgPool matches the naive reference (random sweep: padding, ceilMode, countIncludePad, divisorOverride)', () => {
  const r = prng(99);
  for (let iter = 0; iter < 400; iter++) {
    const { p, desc } = randomCase(r, false);
    const x = randomData(r, planeCount(p) * prod(p.inSize), false);
    assertClose(avgPool(x, p, 'float64'), naiveAvgPool(x, p), 1e-12, `avgPool ${desc}`);
  }
});

test('avgPoolBackward is the adjoint of avgPool', () => {
  const r = prng(7);
  for (let iter = 0; iter < 300; iter++) {
    const { p, desc } = randomCase(r, false);
    const x = randomData(r, planeCount(p) * prod(p.inSize), false);
    const gy = randomData(r, planeCount(p) * prod(p.outSize), false);
    const gx = avgPoolBackward(gy, p, 'float64');
    assert.equal(gx.length, x.length, desc);
    const lhs = dot(avgPool(x, p, 'float64'), gy), rhs = dot(x, gx);
    assert.ok(Math.abs(lhs - rhs) <= 1e-12 * Math.max(1, Math.abs(lhs)), `${lhs} vs ${rhs}: ${desc}`);
  }
});

test('adaptive pooling matches the naive reference, including sizes that do not divide', () => {
  const r = prng(2024);
  const pairs: [number, number][] = [[7, 3], [5, 4], [3, 5], [6, 3], [4, 4], [1, 3], [5, 1], [8, 5]];
  for (let iter = 0; iter < 300; iter++) {
    const rank = randInt(r, 1, 3);
    const inSize: D3 = [1, 1, 1], outSize: D3 = [1, 1, 1];
    for (let i = 3 - rank; i < 3; i++) [inSize[i], outSize[i]] = pairs[randInt(r, 0, pairs.length - 1)]!;
    const p: AdaptivePoolParams = { batch: randInt(r, 1, 2), channels: randInt(r, 1, 2), inSize, outSize };
    const desc = JSON.stringify(p);
    const x = randomData(r, planeCount(p) * prod(inSize), iter % 2 === 0);
    const wantAvg = naiveAdaptive(x, p, 'avg'), wantMax = naiveAdaptive(x, p, 'max');
    assertClose(adaptiveAvgPool(x, p, 'float64'), wantAvg.out, 1e-12, `adaptiveAvgPool ${desc}`);
    const gotMax = adaptiveMaxPool(x, p, 'float64');
    assertClose(gotMax.out, wantMax.out, 0, `adaptiveMaxPool ${desc}`);
    assert.deepEqual([...gotMax.indices], wantMax.indices, `adaptiveMaxPool indices ${desc}`);
    const outPlane = prod(outSize), inPlane = prod(inSize);
    for (let i = 0; i < gotMax.out.length; i++)
      assert.equal(x[Math.floor(i / outPlane) * inPlane + gotMax.indices[i]!], gotMax.out[i], desc);

    const gy = randomData(r, planeCount(p) * outPlane, false);
    const gx = adaptiveAvgPoolBackward(gy, p, 'float64');
    const lhs = dot(adaptiveAvgPool(x, p, 'float64'), gy), rhs = dot(x, gx);
    assert.ok(Math.abs(lhs - rhs) <= 1e-12 * Math.max(1, Math.abs(lhs)), `adjoint ${lhs} vs ${rhs}: ${desc}`);
  }
});

// ---------------------------------------------------------------- hand-checked cases (values as PyTorch gives them)

const oneD = (n: number, k: number, s: number, pad: number, out: number, extra: Partial<AvgPoolParams> = {}): AvgPoolParams => ({
  batch: 1, channels: 1,
  inSize: [1, 1, n], kernelSize: [1, 1, k], outSize: [1, 1, out],
  stride: [1, 1, s], padding: [0, 0, pad], dilation: [1, 1, 1],
  countIncludePad: true, ...extra,
});

test('avgPool 1-D hand cases: padding, countIncludePad, ceilMode tail window', () => {
  const x = Float64Array.from([1, 2, 3, 4, 5]);
  // k=3 s=2 p=1: windows [-1,2) [1,4) [3,6)
  assert.deepEqual([...avgPool(x, oneD(5, 3, 2, 1, 3), 'float64')], [1, 3, 3]);
  assert.deepEqual([...avgPool(x, oneD(5, 3, 2, 1, 3, { countIncludePad: false }), 'float64')], [1.5, 3, 4.5]);
  assert.deepEqual([...avgPool(x, oneD(5, 3, 2, 1, 3, { divisorOverride: 2 }), 'float64')], [1.5, 4.5, 4.5]);
  // ceil mode, k=2 s=2 p=0: last window [4,6) runs past the input; its pool size is min(6, 5) - 4 = 1.
  assert.equal(pooledSize(5, 2, 2, 0, 1, true), 3);
  assert.deepEqual([...avgPool(x, oneD(5, 2, 2, 0, 3), 'float64')], [1.5, 3.5, 5]);
  // ceil mode, n=6 k=3 s=2 p=1: 4 windows, the last [5,7) counts padding up to in+p only (divisor 2).
  const y = Float64Array.from([1, 2, 3, 4, 5, 6]);
  assert.equal(pooledSize(6, 3, 2, 1, 1, true), 4);
  assert.deepEqual([...avgPool(y, oneD(6, 3, 2, 1, 4), 'float64')], [1, 3, 5, 3]);
  assert.deepEqual([...avgPool(y, oneD(6, 3, 2, 1, 4, { countIncludePad: false }), 'float64')], [1.5, 3, 5, 6]);
  // backward of the same geometry
  assert.deepEqual([...avgPoolBackward(Float64Array.from([3, 6, 9, 12]), oneD(6, 3, 2, 1, 4), 'float64')], [1, 3, 2, 5, 3, 9]);
});

test('maxPool hand cases: ties keep the first, NaN propagates with its index, padding is -Infinity', () => {
  const p = (n: number, k: number, s: number, pad: number, out: number, dil = 1): PoolParams => ({
    ...oneD(n, k, s, pad, out), dilation: [1, 1, dil],
  });
  let r = maxPool(Float64Array.from([2, 2, 1, 2]), p(4, 2, 1, 0, 3), 'float64');
  assert.deepEqual([...r.out], [2, 2, 2]);
  assert.deepEqual([...r.indices], [0, 1, 3]);
  r = maxPool(Float64Array.from([-5, NaN, 7, 1]), p(4, 3, 1, 1, 4), 'float64');
  assert.ok(Number.isNaN(r.out[0]!) && Number.isNaN(r.out[1]!) && Number.isNaN(r.out[2]!));
  assert.deepEqual([...r.indices], [1, 1, 1, 2]);
  assert.equal(r.out[3], 7);
  r = maxPool(Float64Array.from([-5, -7, -1]), p(3, 3, 1, 1, 3), 'float64');
  assert.deepEqual([...r.out], [-5, -1, -1]);
  assert.deepEqual([...r.indices], [0, 2, 2]);
  // dilation 2, k=2, pad 1 on [a0..a4]: taps {-1,1}, {0,2}, {1,3}, {2,4}, {3,5}
  assert.equal(pooledSize(5, 2, 1, 1, 2, false), 5);
  r = maxPool(Float64Array.from([4, 0, 3, 9, 1]), p(5, 2, 1, 1, 5, 2), 'float64');
  assert.deepEqual([...r.out], [0, 4, 9, 3, 9]);
  assert.deepEqual([...r.indices], [1, 0, 3, 2, 3]);
  // A window whose dilated taps all land in padding (in=1, k=2, d=2, p=1: taps -1 and 1)
  // is a valid PyTorch geometry; it yields -Infinity with index -1.
  assert.equal(pooledSize(1, 2, 3, 1, 2, false), 1);
  r = maxPool(Float64Array.from([5]), p(1, 2, 3, 1, 1, 2), 'float64');
  assert.deepEqual([...r.out], [-Infinity]);
  assert.deepEqual([...r.indices], [-1]);
});

test('2-D plane indices and float32 output', () => {
  // 1x1x4x4 input 0..15, k=2 s=2: maxima at the bottom-right of each block.
  const x = Float32Array.from({ length: 16 }, (_, i) => i);
  const p: PoolParams = {
    batch: 1, channels: 1, inSize: [1, 4, 4], kernelSize: [1, 2, 2], outSize: [1, 2, 2],
    stride: [1, 2, 2], padding: [0, 0, 0], dilation: [1, 1, 1],
  };
  const r = maxPool(x, p, 'float32');
  assert.ok(r.out instanceof Float32Array);
  assert.deepEqual([...r.out], [5, 7, 13, 15]);
  assert.deepEqual([...r.indices], [5, 7, 13, 15]);
  const a = avgPool(x, { ...p, countIncludePad: true }, 'float32');
  assert.ok(a instanceof Float32Array);
  assert.deepEqual([...a], [2.5, 4.5, 10.5, 12.5]);
  const g = avgPoolBackward(Float32Array.from([4, 8, 12, 16]), { ...p, countIncludePad: true }, 'float32');
  assert.ok(g instanceof Float32Array);
  assert.deepEqual([...g], [1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4]);
  // adaptive 7 -> 3 windows [0,3) [2,5) [4,7)
  const q: AdaptivePoolParams = { batch: 1, channels: 1, inSize: [1, 1, 7], outSize: [1, 1, 3] };
  const z = Float32Array.from([1, 2, 3, 4, 5, 6, 7]);
  assert.deepEqual([...adaptiveAvgPool(z, q, 'float32')], [2, 4, 6]);
  assert.deepEqual([...adaptiveMaxPool(z, q, 'float32').indices], [2, 4, 6]);
  assert.deepEqual([...adaptiveAvgPoolBackward(Float32Array.from([3, 6, 9]), q, 'float32')], [1, 1, 3, 2, 5, 3, 3]);
});

test('rejects inputs whose length does not match the geometry', () => {
  const bad: TypedArray = new Float64Array(4);
  assert.throws(() => avgPool(bad, oneD(5, 3, 2, 1, 3), 'float64'), /expected 5 elements/);
});
