// The WebGPU pooling kernels against the reference backend's (the executable spec): random 1-D/2-D/3-D
// geometries with stride, padding, dilation and ceil mode, ties, NaN and -Infinity, empty dilated windows,
// overlapping windows for the backward sums, adaptive windows that do not divide. Skips without an adapter.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tg from '../../src/index.js';
import * as ref from '../../src/backend/reference/pool.js';
import { referenceBackend } from '../../src/backend/reference/index.js';
import type { AdaptivePoolParams, AvgPoolParams, PoolParams, Storage } from '../../src/backend/backend.js';
import type { TypedArray } from '../../src/core/dtype.js';
import { webgpuOrSkip } from '../helpers/webgpu.js';
import { prng, randInt } from '../helpers/prng.js';

const gpu = await webgpuOrSkip();
const skip = gpu ? false : 'no WebGPU adapter here';

type D3 = [number, number, number];
const prod = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);

/** PyTorch's pooled size, with the ceil-mode rule that drops a window starting at or past `in + p`. */
function pooledSize(inSize: number, k: number, s: number, p: number, d: number, ceil: boolean): number {
  const span = inSize + 2 * p - d * (k - 1) - 1;
  let out = (ceil ? Math.ceil(span / s) : Math.floor(span / s)) + 1;
  if (ceil && (out - 1) * s >= inSize + p) out--;
  return out;
}

/** A random 1-D/2-D/3-D geometry lifted to 3-D; stride < kernel often, so windows overlap. */
function randomGeometry(r: () => number, withDilation: boolean): { p: AvgPoolParams; desc: string } {
  for (;;) {
    const rank = randInt(r, 1, 3);
    const inSize: D3 = [1, 1, 1], kernelSize: D3 = [1, 1, 1], stride: D3 = [1, 1, 1];
    const padding: D3 = [0, 0, 0], dilation: D3 = [1, 1, 1], outSize: D3 = [1, 1, 1];
    const ceil = r() < 0.5;
    let ok = true;
    for (let i = 3 - rank; i < 3; i++) {
      inSize[i] = randInt(r, 1, rank === 3 ? 5 : 8);
      kernelSize[i] = randInt(r, 1, 3);
      stride[i] = randInt(r, 1, 3);
      padding[i] = randInt(r, 0, Math.floor(kernelSize[i] / 2));
      dilation[i] = withDilation ? randInt(r, 1, 2) : 1;
      outSize[i] = pooledSize(inSize[i], kernelSize[i], stride[i], padding[i], dilation[i], ceil);
      if (outSize[i] < 1) ok = false;
    }
    if (!ok) continue;
    const u = r();
    const p: AvgPoolParams = {
      batch: randInt(r, 1, 2), channels: randInt(r, 1, 3),
      inSize, kernelSize, outSize, stride, padding, dilation,
      countIncludePad: r() < 0.5,
      ...(u < 0.25 ? { divisorOverride: randInt(r, 1, 5) } : {}),
    };
    return { p, desc: `rank=${rank} ceil=${ceil} ${JSON.stringify(p)}` };
  }
}

/** Coarse values (many ties) or uniform ones, optionally sprinkled with NaN and ±Infinity. */
function randomData(r: () => number, n: number, coarse: boolean, specials: boolean): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    out[i] = coarse ? randInt(r, -3, 3) : r() * 2 - 1;
    if (specials) {
      const u = r();
      if (u < 0.05) out[i] = NaN;
      else if (u < 0.1) out[i] = -Infinity;
      else if (u < 0.12) out[i] = Infinity;
    }
  }
  return out;
}

const up = (a: TypedArray): Storage => gpu!.fromArray(a instanceof Int32Array ? 'int32' : 'float32', a);
const down = (s: Storage, n: number): Promise<TypedArray> => gpu!.readAsync(s, { shape: [n], strides: [1], offset: 0 });

function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!, e = expected[i]!;
    if (Object.is(a, e) || a === e) continue;
    if (Number.isNaN(e)) assert.ok(Number.isNaN(a), `${what}[${i}]: expected NaN, got ${a}`);
    else assert.ok(Math.abs(a - e) <= tol * Math.max(1, Math.abs(e)), `${what}[${i}]: ${a} vs ${e}`);
  }
}

test('maxPool matches the reference: random geometries, dilation, ceil mode, ties, NaN and ±Infinity', { skip }, async () => {
  const r = prng(11);
  for (let t = 0; t < 60; t++) {
    const { p, desc } = randomGeometry(r, true);
    const planes = p.batch * p.channels;
    const x = randomData(r, planes * prod(p.inSize), t % 2 === 0, t % 3 === 0);
    const want = ref.maxPool(x, p, 'float32');
    const got = gpu!.maxPool(up(x), p, true);
    assert.deepEqual(Array.from(await down(got.indices!, want.indices.length)), Array.from(want.indices), `indices ${desc}`);
    assertClose(await down(got.out, want.out.length), want.out, 0, `out ${desc}`);
    // Without indices (inference): same values, no index buffer.
    const noIdx = gpu!.maxPool(up(x), p, false);
    assert.equal(noIdx.indices, null);
    assertClose(await down(noIdx.out, want.out.length), want.out, 0, `out (no indices) ${desc}`);
  }
});

test('maxPool hand cases: a dilated window entirely in padding gives -Infinity and index -1; NaN keeps the last NaN', { skip }, async () => {
  // in=1, k=2, dilation=2, padding=1: taps at -1 and 1, both outside.
  const p: PoolParams = {
    batch: 1, channels: 1, inSize: [1, 1, 1], kernelSize: [1, 1, 2], outSize: [1, 1, 1],
    stride: [1, 1, 1], padding: [0, 0, 1], dilation: [1, 1, 2],
  };
  const got = gpu!.maxPool(up(new Float32Array([5])), p, true);
  assert.deepEqual(Array.from(await down(got.out, 1)), [-Infinity]);
  assert.deepEqual(Array.from(await down(got.indices!, 1)), [-1]);
  const q: PoolParams = { ...p, inSize: [1, 1, 5], kernelSize: [1, 1, 5], padding: [0, 0, 0], dilation: [1, 1, 1] };
  const r = gpu!.maxPool(up(new Float32Array([1, NaN, 7, NaN, 2])), q, true);
  assert.ok(Number.isNaN((await down(r.out, 1))[0]!));
  assert.deepEqual(Array.from(await down(r.indices!, 1)), [3]);
  const allNegInf = gpu!.maxPool(up(new Float32Array([-Infinity, -Infinity, -Infinity, 1, 0])), { ...q, kernelSize: [1, 1, 3], outSize: [1, 1, 3] }, true);
  assert.deepEqual(Array.from(await down(allNegInf.out, 3)), [-Infinity, 1, 1]);
  assert.deepEqual(Array.from(await down(allNegInf.indices!, 3)), [0, 3, 3]);
});

test('maxPoolBackward sums gy at each index (overlapping windows, repeated indices, -1 skipped)', { skip }, async () => {
  const r = prng(12);
  for (let t = 0; t < 30; t++) {
    const { p, desc } = randomGeometry(r, true);
    const planes = p.batch * p.channels, inPlane = prod(p.inSize), outPlane = prod(p.outSize);
    const x = randomData(r, planes * inPlane, true, false);
    const { indices } = ref.maxPool(x, p, 'float32');
    if (t % 4 === 0) for (let i = 0; i < indices.length; i += 3) indices[i] = -1;
    const gy = randomData(r, planes * outPlane, false, false);
    const want = ref.maxPoolBackward(gy, indices, planes, outPlane, inPlane, 'float32');
    const got = gpu!.maxPoolBackward(up(gy), up(indices), planes, outPlane, inPlane);
    assertClose(await down(got, want.length), want, 1e-5, desc);
  }
  // Many outputs hitting one input: the atomic float add must not lose any.
  const n = 4096;
  const idx = new Int32Array(n).fill(2);
  const gy = new Float32Array(n).fill(0.5);
  const got = await down(gpu!.maxPoolBackward(up(gy), up(idx), 1, n, 3), 3);
  assert.deepEqual(Array.from(got), [0, 0, n / 2]);
});

test('avgPool and avgPoolBackward match the reference: padding, ceil mode, countIncludePad, divisorOverride', { skip }, async () => {
  const r = prng(13);
  for (let t = 0; t < 60; t++) {
    const { p, desc } = randomGeometry(r, false);
    const planes = p.batch * p.channels;
    const x = randomData(r, planes * prod(p.inSize), false, false);
    const want = ref.avgPool(x, p, 'float32');
    assertClose(await down(gpu!.avgPool(up(x), p), want.length), want, 1e-5, `forward ${desc}`);
    const gy = randomData(r, planes * prod(p.outSize), false, false);
    const wantG = ref.avgPoolBackward(gy, p, 'float32');
    assertClose(await down(gpu!.avgPoolBackward(up(gy), p), wantG.length), wantG, 1e-5, `backward ${desc}`);
  }
});

test('avgPool: ±Infinity and NaN propagate through the window sums as in the reference', { skip }, async () => {
  const r = prng(14);
  for (let t = 0; t < 10; t++) {
    const { p, desc } = randomGeometry(r, false);
    const x = randomData(r, p.batch * p.channels * prod(p.inSize), false, true);
    const want = ref.avgPool(x, p, 'float32');
    assertClose(await down(gpu!.avgPool(up(x), p), want.length), want, 1e-5, desc);
  }
});

test('adaptive avg/max pooling (forward and backward) match the reference, sizes that do not divide', { skip }, async () => {
  const r = prng(15);
  for (let t = 0; t < 40; t++) {
    const rank = randInt(r, 1, 3);
    const inSize: D3 = [1, 1, 1], outSize: D3 = [1, 1, 1];
    for (let i = 3 - rank; i < 3; i++) {
      inSize[i] = randInt(r, 1, rank === 3 ? 6 : 9);
      outSize[i] = randInt(r, 1, inSize[i] + 2); // out > in too: windows overlap
    }
    const p: AdaptivePoolParams = { batch: randInt(r, 1, 2), channels: randInt(r, 1, 3), inSize, outSize };
    const desc = JSON.stringify(p);
    const planes = p.batch * p.channels;
    const x = randomData(r, planes * prod(inSize), t % 2 === 0, t % 5 === 0);
    const wantAvg = ref.adaptiveAvgPool(x, p, 'float32');
    assertClose(await down(gpu!.adaptiveAvgPool(up(x), p), wantAvg.length), wantAvg, 1e-5, `avg ${desc}`);
    const wantMax = ref.adaptiveMaxPool(x, p, 'float32');
    const gotMax = gpu!.adaptiveMaxPool(up(x), p);
    assertClose(await down(gotMax.out, wantMax.out.length), wantMax.out, 0, `max ${desc}`);
    assert.deepEqual(Array.from(await down(gotMax.indices, wantMax.indices.length)), Array.from(wantMax.indices), `max indices ${desc}`);
    const gy = randomData(r, planes * prod(outSize), false, false);
    const wantG = ref.adaptiveAvgPoolBackward(gy, p, 'float32');
    assertClose(await down(gpu!.adaptiveAvgPoolBackward(up(gy), p), wantG.length), wantG, 1e-5, `avg backward ${desc}`);
  }
});

test('empty batch: pools of zero planes give empty results', { skip }, async () => {
  const p: AvgPoolParams = {
    batch: 0, channels: 2, inSize: [1, 4, 4], kernelSize: [1, 2, 2], outSize: [1, 2, 2],
    stride: [1, 2, 2], padding: [0, 0, 0], dilation: [1, 1, 1], countIncludePad: true,
  };
  const x = up(new Float32Array(0));
  assert.equal((await down(gpu!.maxPool(x, p, true).out, 0)).length, 0);
  assert.equal((await down(gpu!.avgPool(x, p), 0)).length, 0);
  assert.equal((await down(gpu!.avgPoolBackward(x, p), 0)).length, 0);
  assert.equal((await down(gpu!.maxPoolBackward(x, up(new Int32Array(0)), 0, 4, 16), 0)).length, 0);
});

test('through the ops: F.maxPool2d / avgPool1d / adaptiveAvgPool2d and their gradients agree with the reference backend', { skip }, async () => {
  const r = prng(16);
  const vals = Array.from({ length: 2 * 3 * 7 * 6 }, () => randInt(r, -4, 4) / 2);
  const cases: [string, (x: tg.Tensor) => tg.Tensor][] = [
    ['maxPool2d', (x) => tg.F.maxPool2d(x, 3, { stride: 2, padding: 1, ceilMode: true })],
    ['avgPool1d', (x) => tg.F.avgPool1d(x.reshape([6, 7, 6]), 3, { stride: 1, padding: 1, countIncludePad: false })],
    ['avgPool2d', (x) => tg.F.avgPool2d(x, 2, { stride: 1, padding: 1, ceilMode: true, divisorOverride: 3 })],
    ['adaptiveAvgPool2d', (x) => tg.F.adaptiveAvgPool2d(x, [4, 5])],
    ['adaptiveMaxPool2d', (x) => tg.F.adaptiveMaxPool2d(x, [3, 4])],
  ];
  // One op per graph and an explicit output gradient: only pooling kernels (and copies) run on the GPU.
  const run = async (backend: tg.Backend, f: (x: tg.Tensor) => tg.Tensor): Promise<number[][]> => {
    const x = tg.tensor(vals, { backend }).reshape([2, 3, 7, 6]).requiresGrad_();
    const y = f(x);
    const g = Array.from({ length: y.numel() }, (_, i) => ((i * 7) % 5) - 2);
    y.backward(tg.tensor(g, { backend }).reshape(y.shape));
    return [Array.from(await y.dataAsync()), Array.from(await x.grad!.dataAsync())];
  };
  for (const [name, f] of cases) {
    const [want, got] = [await run(referenceBackend, f), await run(gpu!, f)];
    assertClose(got[0]!, want[0]!, 1e-5, `${name} forward`);
    assertClose(got[1]!, want[1]!, 1e-5, `${name} gradient`);
  }
});
