/**
 * Convolution on the wasm backend (im2col + GEMM, pointwise as plain GEMM)
 * against the reference backend: forward, backward-input and backward-weight
 * over random geometries in 1-D/2-D/3-D with stride, padding before/after
 * (including negative), dilation, groups and 1×1 kernels, float32 (wasm
 * kernels) and float64 (fallback).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Backend, ConvParams } from '../../src/backend/backend.js';
import { createWasmBackend, type WasmBackend } from '../../src/backend/wasm/index.js';
import { fallbackCounts } from '../../src/backend/wasm/fallback.js';
import { referenceBackend } from '../../src/backend/reference/index.js';
import type { DType } from '../../src/tensor/dtype.js';
import { prng, randInt } from '../helpers/prng.js';

type Triple = [number, number, number];

const numelOf = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);

/** A random geometry; `pointwise` forces 1×1 kernels with stride 1 and no padding. */
function randomParams(rnd: () => number, pointwise: boolean): ConvParams {
  const rank = randInt(rnd, 1, 3);
  const maxExtra = rank === 3 ? 3 : rank === 2 ? 6 : 12;
  const inSize: Triple = [1, 1, 1], kernelSize: Triple = [1, 1, 1], outSize: Triple = [1, 1, 1];
  const stride: Triple = [1, 1, 1], padding: Triple = [0, 0, 0], dilation: Triple = [1, 1, 1];
  for (let d = 3 - rank; d < 3; d++) {
    const k = pointwise ? 1 : randInt(rnd, 1, 4);
    const s = pointwise ? 1 : randInt(rnd, 1, 3);
    const dil = pointwise ? 1 : randInt(rnd, 1, 2);
    const pBefore = pointwise ? 0 : randInt(rnd, -1, 2);
    const pAfter = pointwise ? 0 : randInt(rnd, -1, 2);
    const span = dil * (k - 1) + 1;
    const minIn = Math.max(1, span - pBefore - pAfter);
    const inD = randInt(rnd, minIn, minIn + maxExtra);
    kernelSize[d] = k; stride[d] = s; dilation[d] = dil; padding[d] = pBefore; inSize[d] = inD;
    outSize[d] = Math.floor((inD + pBefore + pAfter - span) / s) + 1;
  }
  const groups = randInt(rnd, 1, 3);
  return {
    batch: randInt(rnd, 1, 3), inChannels: groups * randInt(rnd, 1, 4), outChannels: groups * randInt(rnd, 1, 5), groups,
    inSize, kernelSize, outSize, stride, padding, dilation,
  };
}

function arr(rnd: () => number, n: number, dtype: DType): Float32Array | Float64Array {
  const a = dtype === 'float32' ? new Float32Array(n) : new Float64Array(n);
  for (let i = 0; i < n; i++) a[i] = rnd() * 2 - 1;
  return a;
}

function compare(b: Backend, p: ConvParams, dtype: DType, rnd: () => number): void {
  const cinG = p.inChannels / p.groups;
  const x = arr(rnd, p.batch * p.inChannels * numelOf(p.inSize), dtype);
  const w = arr(rnd, p.outChannels * cinG * numelOf(p.kernelSize), dtype);
  const gy = arr(rnd, p.batch * p.outChannels * numelOf(p.outSize), dtype);
  const flat = (n: number) => ({ shape: [n], strides: [1], offset: 0 });
  const runAll = (be: Backend) => {
    const [sx, sw, sg] = [x, w, gy].map((v) => be.fromArray(dtype, v)) as [ReturnType<Backend['alloc']>, ReturnType<Backend['alloc']>, ReturnType<Backend['alloc']>];
    return [
      be.read(be.conv(sx, sw, p), flat(gy.length)),
      be.read(be.convBackwardInput(sg, sw, p), flat(x.length)),
      be.read(be.convBackwardWeight(sx, sg, p), flat(w.length)),
    ];
  };
  const want = runAll(referenceBackend), got = runAll(b);
  const tol = dtype === 'float32' ? 1e-4 : 1e-10;
  ['forward', 'backward-input', 'backward-weight'].forEach((what, k) => {
    const g = got[k]!, e = want[k]!;
    assert.equal(g.length, e.length, what);
    for (let i = 0; i < g.length; i++) {
      if (!(Math.abs(g[i]! - e[i]!) <= tol * (1 + Math.abs(e[i]!)))) {
        assert.fail(`${b.name} conv ${what} ${dtype} ${JSON.stringify(p)}: [${i}] = ${g[i]}, expected ${e[i]}`);
      }
    }
  });
}

const builds: WasmBackend[] = [await createWasmBackend({ variant: 'simd', name: 'wasm-simd' })];
const relaxed = await createWasmBackend({ variant: 'relaxed', name: 'wasm-relaxed' }).catch(() => null);
if (relaxed) builds.push(relaxed);

for (const b of builds) {
  test(`${b.name}: float32 convolution forward and both backwards match the reference`, () => {
    const rnd = prng(2024);
    fallbackCounts.clear();
    for (let c = 0; c < 120; c++) compare(b, randomParams(rnd, false), 'float32', rnd);
    for (let c = 0; c < 20; c++) compare(b, randomParams(rnd, true), 'float32', rnd);
    assert.equal([...fallbackCounts.keys()].filter((k) => k.startsWith('conv')).length, 0, 'float32 convolutions ran in wasm');
  });

  test(`${b.name}: LeNet-sized convolutions (wide outputs, several GEMM panels)`, () => {
    const rnd = prng(7);
    const lenet = (cin: number, cout: number, size: number, pad: number): ConvParams => ({
      batch: 3, inChannels: cin, outChannels: cout, groups: 1, inSize: [1, size, size], kernelSize: [1, 5, 5],
      outSize: [1, size + 2 * pad - 4, size + 2 * pad - 4], stride: [1, 1, 1], padding: [0, pad, pad], dilation: [1, 1, 1],
    });
    compare(b, lenet(1, 6, 28, 2), 'float32', rnd);
    compare(b, lenet(6, 16, 14, 0), 'float32', rnd);
  });
}

test('float64 convolutions (reference fallback) match exactly', () => {
  const rnd = prng(11);
  for (let c = 0; c < 10; c++) compare(builds[0]!, randomParams(rnd, c % 3 === 0), 'float64', rnd);
});
