/**
 * Convolution on the wasm backend (direct kernels where the width stride is
 * 1, else im2col + GEMM, pointwise as plain GEMM) against the reference
 * backend: forward, backward-input and backward-weight over random
 * geometries in 1-D/2-D/3-D with stride, padding before/after (including
 * negative), dilation, groups and 1×1 kernels, float32 (wasm kernels) and
 * float64 (fallback). The direct kernels' own edge cases: partial position
 * vectors and every channel-block remainder, tiles spanning rows, rows whose
 * taps read only padding, weight gradients over many images (image groups,
 * partial sums), Inf in inputs only partial vectors' unused lanes could
 * touch, and bit-identical results for 1, 2 and 3 threads.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Backend, ConvParams, Storage } from '../../src/backend/backend.js';
import { createWasmBackend, type WasmBackend } from '../../src/backend/wasm/index.js';
import { fallbackCounts } from '../../src/backend/wasm/fallback.js';
import { referenceBackend } from '../../src/backend/reference/index.js';
import type { DType } from '../../src/core/dtype.js';
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

/**
 * A random geometry the direct kernels take (width stride 1, output width at
 * least 4), with more channels than randomParams so that every channel-block
 * remainder (blocks of 4) and tile shape occurs.
 */
function directParams(rnd: () => number): ConvParams {
  const rank = randInt(rnd, 1, 3);
  const inSize: Triple = [1, 1, 1], kernelSize: Triple = [1, 1, 1], outSize: Triple = [1, 1, 1];
  const stride: Triple = [1, 1, 1], padding: Triple = [0, 0, 0], dilation: Triple = [1, 1, 1];
  for (let d = 3 - rank; d < 3; d++) {
    const k = randInt(rnd, 1, rank === 3 ? 3 : 5);
    const s = d === 2 ? 1 : randInt(rnd, 1, 2);
    const dil = randInt(rnd, 1, 2);
    const pBefore = randInt(rnd, -1, 3), pAfter = randInt(rnd, -1, 3);
    const span = dil * (k - 1) + 1;
    // Width: outputs 4..19; other axes: small.
    const minIn = Math.max(1, span - pBefore - pAfter + (d === 2 ? 3 : 0));
    const inD = randInt(rnd, minIn, minIn + (d === 2 ? 15 : rank === 3 ? 2 : 5));
    kernelSize[d] = k; stride[d] = s; dilation[d] = dil; padding[d] = pBefore; inSize[d] = inD;
    outSize[d] = Math.floor((inD + pBefore + pAfter - span) / s) + 1;
  }
  const groups = randInt(rnd, 1, 2);
  return {
    batch: randInt(rnd, 1, 3), inChannels: groups * randInt(rnd, 1, 9), outChannels: groups * randInt(rnd, 1, 13), groups,
    inSize, kernelSize, outSize, stride, padding, dilation,
  };
}

/** A 2-D convolution (square kernel, same padding on both sides of each axis). */
function conv2d(batch: number, cin: number, cout: number, h: number, w: number, k: number, pad = 0, groups = 1): ConvParams {
  return {
    batch, inChannels: cin, outChannels: cout, groups, inSize: [1, h, w], kernelSize: [1, k, k],
    outSize: [1, h + 2 * pad - k + 1, w + 2 * pad - k + 1], stride: [1, 1, 1], padding: [0, pad, pad], dilation: [1, 1, 1],
  };
}

function arr(rnd: () => number, n: number, dtype: DType): Float32Array | Float64Array {
  const a = dtype === 'float32' ? new Float32Array(n) : new Float64Array(n);
  for (let i = 0; i < n; i++) a[i] = rnd() * 2 - 1;
  return a;
}

function compare(b: Backend, p: ConvParams, dtype: DType, rnd: () => number, edit?: (x: Float32Array | Float64Array) => void): void {
  const cinG = p.inChannels / p.groups;
  const x = arr(rnd, p.batch * p.inChannels * numelOf(p.inSize), dtype);
  const w = arr(rnd, p.outChannels * cinG * numelOf(p.kernelSize), dtype);
  const gy = arr(rnd, p.batch * p.outChannels * numelOf(p.outSize), dtype);
  const bias = arr(rnd, p.outChannels, dtype);
  edit?.(x);
  const flat = (n: number) => ({ shape: [n], strides: [1], offset: 0 });
  const S = numelOf(p.outSize);
  const inputs = (be: Backend) => [x, w, gy, bias].map((v) => be.fromArray(dtype, v)) as [Storage, Storage, Storage, Storage];
  const required = (be: Backend) => {
    const [sx, sw, sg] = inputs(be);
    return [
      be.read(be.conv(sx, sw, p), flat(gy.length)),
      be.read(be.convBackwardInput(sg, sw, p), flat(x.length)),
      be.read(be.convBackwardWeight(sx, sg, p), flat(w.length)),
    ];
  };
  const want = required(referenceBackend), got = required(b);
  const tol = dtype === 'float32' ? 1e-4 : 1e-10;
  const check = (names: string[], g: ArrayLike<number>[], e: ArrayLike<number>[]) => names.forEach((what, k) => {
    const gk = g[k]!, ek = e[k]!;
    assert.equal(gk.length, ek.length, what);
    for (let i = 0; i < gk.length; i++) {
      // Non-finite expectations (from Inf inputs) only need a non-finite result.
      if (!Number.isFinite(ek[i]!) ? Number.isFinite(gk[i]!) : !(Math.abs(gk[i]! - ek[i]!) <= tol * (1 + Math.abs(ek[i]!)))) {
        assert.fail(`${b.name} conv ${what} ${dtype} ${JSON.stringify(p)}: [${i}] = ${gk[i]}, expected ${ek[i]}`);
      }
    }
  });
  check(['forward', 'backward-input', 'backward-weight'], got, want);

  // The fused epilogue (bias + ReLU on the forward, then its backward from that output), where
  // the backend offers it for this dtype, against its definition on the reference conv output.
  const k = b.fused;
  const [sx, sw, sg, sb] = inputs(b);
  const yFused = k?.convEpilogue?.(sx, sw, p, { bias: sb, relu: true }) ?? null;
  if (!k || !yFused) return;
  const yBias = k.convEpilogue!(sx, sw, p, { bias: sb, relu: false })!;
  const epi = k.convEpilogueBackward!(sg, yFused, p.batch, p.outChannels, S, true)!;
  const yGot = b.read(yFused, flat(gy.length));
  const e = epilogueDefinition(want[0]!, bias, gy, yGot, p.batch, p.outChannels, S);
  check(['forward+bias+relu', 'forward+bias', 'epilogue-backward', 'bias-gradient'],
    [yGot, b.read(yBias, flat(gy.length)), b.read(epi.g!, flat(gy.length)), b.read(epi.bias!, flat(p.outChannels))],
    [e.relu, e.biased, e.masked, e.biasGrad]);
}

/**
 * The conv epilogue's definition on plain arrays (as the composite in
 * src/ops/conv-prims.ts computes it): y + bias[c], then ReLU; backward: g
 * where the fused output yOut > 0, and its per-channel sums.
 */
function epilogueDefinition(
  y: ArrayLike<number>, bias: ArrayLike<number>, g: ArrayLike<number>, yOut: ArrayLike<number>, n: number, c: number, s: number,
) {
  const biased = new Float64Array(n * c * s), relu = new Float64Array(n * c * s), masked = new Float64Array(n * c * s);
  const biasGrad = new Float64Array(c);
  for (let i = 0; i < n * c * s; i++) {
    const ch = Math.floor(i / s) % c;
    biased[i] = y[i]! + bias[ch]!;
    relu[i] = biased[i]! > 0 ? biased[i]! : biased[i]! <= 0 ? 0 : biased[i]!;
    masked[i] = yOut[i]! > 0 ? g[i]! : 0;
    biasGrad[ch] += masked[i]!;
  }
  return { biased, relu, masked, biasGrad };
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

  test(`${b.name}: LeNet-sized convolutions (wide outputs, many tiles)`, () => {
    const rnd = prng(7);
    const lenet = (cin: number, cout: number, size: number, pad: number): ConvParams => ({
      batch: 3, inChannels: cin, outChannels: cout, groups: 1, inSize: [1, size, size], kernelSize: [1, 5, 5],
      outSize: [1, size + 2 * pad - 4, size + 2 * pad - 4], stride: [1, 1, 1], padding: [0, pad, pad], dilation: [1, 1, 1],
    });
    compare(b, lenet(1, 6, 28, 2), 'float32', rnd);
    compare(b, lenet(6, 16, 14, 0), 'float32', rnd);
  });

  test(`${b.name}: direct kernels on random geometries (strides, dilation, padding, groups, 1-D/2-D/3-D)`, () => {
    const rnd = prng(77);
    fallbackCounts.clear();
    for (let c = 0; c < 150; c++) compare(b, directParams(rnd), 'float32', rnd);
    assert.equal([...fallbackCounts.keys()].filter((k) => k.startsWith('conv')).length, 0);
  });

  test(`${b.name}: direct kernels: partial vectors, channel-block remainders, tiles across rows`, () => {
    const rnd = prng(78);
    // Output widths 4..13 (full, partial and contiguous vectors), every output
    // channel count 1..9 and 13 (blocks of 4 plus 0..3; the backward-input
    // pass has the input channels as outputs), padding rows that read only
    // zeros, batch 1.
    for (const ow of [4, 5, 6, 7, 9, 10, 13]) {
      for (const [cin, cout] of [[1, 1], [1, 6], [2, 3], [3, 2], [5, 7], [6, 16], [9, 13], [4, 5], [7, 8], [13, 9]] as const) {
        compare(b, conv2d(1, cin, cout, 3 + (ow % 3), ow + 2, 3, 0), 'float32', rnd);
        compare(b, conv2d(1, cin, cout, 5, ow, 5, 2), 'float32', rnd);
      }
    }
    // 1-D rows long enough for many tiles; 3-D with depth and height strides.
    compare(b, { ...conv2d(2, 3, 5, 1, 77, 1), inSize: [1, 1, 77], kernelSize: [1, 1, 7], outSize: [1, 1, 71] }, 'float32', rnd);
    compare(b, {
      batch: 2, inChannels: 4, outChannels: 6, groups: 2, inSize: [5, 6, 9], kernelSize: [2, 3, 3], outSize: [3, 3, 8],
      stride: [2, 2, 1], padding: [0, 1, 1], dilation: [1, 1, 1],
    }, 'float32', rnd);
  });

  test(`${b.name}: direct weight gradient over many images (image groups, partial sums)`, () => {
    const rnd = prng(79);
    compare(b, conv2d(70, 2, 4, 8, 8, 3), 'float32', rnd); // one part, groups of 8 images
    compare(b, conv2d(130, 4, 8, 10, 10, 3, 1), 'float32', rnd); // 8 partial sums of 16-17 images
    compare(b, conv2d(9, 6, 16, 14, 14, 5, 0, 2), 'float32', rnd); // groups 2
  });

  test(`${b.name}: Inf in the input that only a partial vector's unused lanes could read`, () => {
    const rnd = prng(80);
    // Width 8, kernel 3, no padding: output width 6, vectors of 4 + 2 lanes.
    // Column 7 is read by tap kw = 2 only: results for the other taps, and
    // forward / input-gradient values that do not involve it, stay finite.
    const p = conv2d(2, 2, 5, 6, 8, 3);
    compare(b, p, 'float32', rnd, (x) => {
      for (let i = 7; i < x.length; i += 8 * 5) x[i] = Infinity;
    });
  });
}

test('float64 convolutions (reference fallback) match exactly', () => {
  const rnd = prng(11);
  for (let c = 0; c < 10; c++) compare(builds[0]!, randomParams(rnd, c % 3 === 0), 'float64', rnd);
});

test('direct convolution: identical for 1, 2 and 3 threads (position splits, image chunks, channel splits)', async () => {
  const wasm = await createWasmBackend({ name: 'wasm-conv-threads', threads: 2 });
  if (!wasm.sharedMemory) return;
  const rnd = prng(81);
  const flat = (n: number) => ({ shape: [n], strides: [1], offset: 0 });
  const cases: ConvParams[] = [
    conv2d(1, 8, 24, 30, 30, 3, 1), // one image: position ranges; weight gradient: channel ranges
    conv2d(2, 6, 16, 14, 14, 5), // fewer images than 2 threads × 2
    conv2d(13, 1, 6, 28, 28, 5, 2), // LeNet conv1, image chunks and partial sums
    conv2d(3, 16, 6, 18, 18, 3, 1, 2), // groups
  ];
  for (const p of cases) {
    const cinG = p.inChannels / p.groups;
    const x = wasm.fromArray('float32', arr(rnd, p.batch * p.inChannels * numelOf(p.inSize), 'float32'));
    const w = wasm.fromArray('float32', arr(rnd, p.outChannels * cinG * numelOf(p.kernelSize), 'float32'));
    const gy = wasm.fromArray('float32', arr(rnd, p.batch * p.outChannels * numelOf(p.outSize), 'float32'));
    const b = wasm.fromArray('float32', arr(rnd, p.outChannels, 'float32'));
    const runs: Float32Array[][] = [];
    for (const t of [1, 2, 3]) {
      await wasm.setNumThreads(t);
      const y = wasm.conv(x, w, p), gx = wasm.convBackwardInput(gy, w, p), gw = wasm.convBackwardWeight(x, gy, p);
      const yr = wasm.fused.convEpilogue!(x, w, p, { bias: b, relu: true })!;
      const epi = wasm.fused.convEpilogueBackward!(gy, yr, p.batch, p.outChannels, numelOf(p.outSize), true)!;
      runs.push([y, gx, gw, yr, epi.g!, epi.bias!].map((s) => wasm.read(s, flat(s.length)) as Float32Array));
    }
    for (let t = 1; t < runs.length; t++) {
      for (let k = 0; k < 6; k++) {
        const a = runs[0]![k]!, c = runs[t]![k]!;
        for (let i = 0; i < a.length; i++) {
          if (!Object.is(a[i], c[i])) assert.fail(`${JSON.stringify(p)} op ${k}: ${t + 1} threads differ at [${i}]: ${c[i]} vs ${a[i]}`);
        }
      }
    }
  }
  await wasm.setNumThreads(1);
});
