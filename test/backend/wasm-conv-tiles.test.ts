/**
 * The direct forward kernel's 3-channel weight blocks (3×3 register tiles),
 * taken for output channel counts that are multiples of 3 but not of 4 on
 * rows of at least 6 position vectors (LeNet's conv1: 1 → 6 channels, 28
 * wide): forward, fused bias + ReLU (+ 2×2 pooling) and weight gradient
 * against the reference on both wasm builds, with partial last vectors, tiles
 * spanning rows, padding rows, batch 1, cin 1, groups; and bit-identical
 * results for 1, 2 and 3 threads.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Backend, ConvParams, Storage } from '../../src/backend/backend.js';
import { createWasmBackend, type WasmBackend } from '../../src/backend/wasm/index.js';
import { fallbackCounts } from '../../src/backend/wasm/fallback.js';
import { referenceBackend } from '../../src/backend/reference/index.js';
import { prng } from '../helpers/prng.js';

const flat = (n: number) => ({ shape: [n], strides: [1], offset: 0 });
const readAll = (b: Backend, s: Storage): number[] => Array.from(b.read(s, flat(s.length)));

function rand(rnd: () => number, n: number): Float32Array {
  return Float32Array.from({ length: n }, () => rnd() * 2 - 1);
}

function conv2d(batch: number, cin: number, cout: number, h: number, w: number, k: number, pad: number, groups = 1): ConvParams {
  return {
    batch, inChannels: cin, outChannels: cout, groups, inSize: [1, h, w], kernelSize: [1, k, k],
    outSize: [1, h + 2 * pad - k + 1, w + 2 * pad - k + 1], stride: [1, 1, 1], padding: [0, pad, pad], dilation: [1, 1, 1],
  };
}

/** Output widths 21..32 (6..8 vectors a row, full and partial last ones), channel counts 3, 6, 9, 15 (and 6 per group). */
const cases: ConvParams[] = [
  conv2d(1, 1, 6, 28, 28, 5, 2),
  conv2d(3, 1, 6, 7, 25, 5, 2),
  conv2d(2, 2, 3, 6, 26, 3, 1),
  conv2d(1, 3, 9, 5, 31, 3, 0),
  conv2d(2, 4, 15, 4, 24, 1, 0),
  conv2d(2, 4, 12, 6, 30, 3, 1, 2), // 6 output channels per group
  conv2d(1, 1, 6, 9, 23, 5, 1),
];

function close(got: number[], want: number[], what: string): void {
  assert.equal(got.length, want.length, what);
  for (let i = 0; i < got.length; i++) {
    if (!(Math.abs(got[i]! - want[i]!) <= 1e-4 * (1 + Math.abs(want[i]!)))) assert.fail(`${what}: [${i}] = ${got[i]}, expected ${want[i]}`);
  }
}

const builds: WasmBackend[] = [await createWasmBackend({ variant: 'simd', name: 'wasm-simd' })];
const relaxed = await createWasmBackend({ variant: 'relaxed', name: 'wasm-relaxed' }).catch(() => null);
if (relaxed) builds.push(relaxed);

for (const b of builds) {
  test(`${b.name}: 3-channel blocks on wide rows: forward, bias + ReLU, gradients vs the reference`, () => {
    const rnd = prng(153);
    fallbackCounts.clear();
    for (const p of cases) {
      const cinG = p.inChannels / p.groups;
      const xv = rand(rnd, p.batch * p.inChannels * p.inSize[1] * p.inSize[2]);
      const wv = rand(rnd, p.outChannels * cinG * p.kernelSize[1] * p.kernelSize[2]);
      const S = p.outSize[1] * p.outSize[2];
      const gv = rand(rnd, p.batch * p.outChannels * S), bv = rand(rnd, p.outChannels);
      const run = (be: Backend) => {
        const [x, w, g] = [xv, wv, gv].map((v) => be.fromArray('float32', v)) as [Storage, Storage, Storage];
        return [readAll(be, be.conv(x, w, p)), readAll(be, be.convBackwardInput(g, w, p)), readAll(be, be.convBackwardWeight(x, g, p))];
      };
      const got = run(b), want = run(referenceBackend);
      ['forward', 'backward-input', 'backward-weight'].forEach((what, k) => close(got[k]!, want[k]!, `${b.name} ${what} ${JSON.stringify(p)}`));
      const fused = readAll(b, b.fused.convEpilogue!(b.fromArray('float32', xv), b.fromArray('float32', wv), p,
        { bias: b.fromArray('float32', bv), relu: true })!);
      const def = want[0]!.map((v, i) => Math.max(0, v + bv[Math.floor(i / S) % p.outChannels]!));
      close(fused, def, `${b.name} forward + bias + ReLU ${JSON.stringify(p)}`);
    }
    assert.equal([...fallbackCounts.keys()].filter((k) => k.startsWith('conv')).length, 0, 'convolutions ran in wasm');
  });
}

test('3-channel blocks: identical for 1, 2 and 3 threads (fused pooled forward, plain forward)', async () => {
  const wasm = await createWasmBackend({ name: 'wasm-conv-tiles-threads', threads: 2 });
  if (!wasm.sharedMemory) return;
  const rnd = prng(154);
  for (const p of [conv2d(1, 1, 6, 28, 28, 5, 2), conv2d(9, 1, 6, 28, 28, 5, 2), conv2d(2, 4, 12, 6, 30, 3, 1, 2)]) {
    const x = wasm.fromArray('float32', rand(rnd, p.batch * p.inChannels * p.inSize[1] * p.inSize[2]));
    const w = wasm.fromArray('float32', rand(rnd, p.outChannels * (p.inChannels / p.groups) * p.kernelSize[1] * p.kernelSize[2]));
    const bias = wasm.fromArray('float32', rand(rnd, p.outChannels));
    const pooled = p.batch * p.outChannels * Math.floor(p.outSize[1] / 2) * Math.floor(p.outSize[2] / 2);
    const runs: number[][][] = [];
    for (const t of [1, 2, 3]) {
      await wasm.setNumThreads(t);
      const idx = wasm.alloc('int32', pooled);
      const y = wasm.conv(x, w, p);
      const yp = wasm.fused.convEpilogue!(x, w, p, { bias, relu: true, pool2x2: true, poolIndices: idx })!;
      runs.push([readAll(wasm, y), readAll(wasm, yp), readAll(wasm, idx)]);
    }
    for (let t = 1; t < runs.length; t++) {
      runs[0]!.forEach((a, k) => {
        const c = runs[t]![k]!;
        for (let i = 0; i < a.length; i++) {
          if (!Object.is(a[i], c[i])) assert.fail(`${JSON.stringify(p)} output ${k}: ${t + 1} threads differ at [${i}]: ${c[i]} vs ${a[i]}`);
        }
      });
    }
  }
  await wasm.setNumThreads(1);
});

/**
 * The weight gradient's 3-channel blocks (3 channels × 3 taps of one kernel
 * row per register tile), taken for kernels 3 wide: channel counts that are
 * not multiples of 3 (blocks of 2 and 1 at the end), 3-D kernels, dilation,
 * stride along the height, partial vectors, groups, several image groups.
 */
function conv3(
  batch: number, cin: number, cout: number, inSize: [number, number, number], kernel: [number, number, number],
  o: { pad?: [number, number, number]; stride?: [number, number, number]; dilation?: [number, number, number]; groups?: number } = {},
): ConvParams {
  const pad = o.pad ?? [0, 1, 1], stride = o.stride ?? [1, 1, 1], dilation = o.dilation ?? [1, 1, 1];
  const outSize = [0, 1, 2].map((i) => Math.floor((inSize[i]! + 2 * pad[i]! - dilation[i]! * (kernel[i]! - 1) - 1) / stride[i]!) + 1) as [number, number, number];
  return { batch, inChannels: cin, outChannels: cout, groups: o.groups ?? 1, inSize, kernelSize: kernel, outSize, stride, padding: pad, dilation };
}

const weightCases: ConvParams[] = [
  conv3(2, 3, 32, [1, 12, 13], [1, 3, 3]),
  conv3(3, 5, 7, [1, 9, 10], [1, 3, 3], { stride: [1, 2, 1] }),
  conv3(1, 2, 1, [1, 6, 7], [1, 3, 3], { pad: [0, 0, 0] }),
  conv3(2, 4, 2, [3, 5, 9], [2, 3, 3], { pad: [1, 1, 1], dilation: [1, 2, 2] }),
  conv3(2, 6, 10, [1, 8, 8], [1, 1, 3], { pad: [0, 0, 1], groups: 2 }),
  conv3(19, 2, 5, [1, 5, 6], [1, 3, 3]),
];

for (const b of builds) {
  test(`${b.name}: 3-channel weight-gradient blocks (kernels 3 wide) vs the reference`, () => {
    const rnd = prng(155);
    fallbackCounts.clear();
    for (const p of weightCases) {
      const S = p.outSize[0] * p.outSize[1] * p.outSize[2];
      const xv = rand(rnd, p.batch * p.inChannels * p.inSize[0] * p.inSize[1] * p.inSize[2]);
      const gv = rand(rnd, p.batch * p.outChannels * S);
      const run = (be: Backend) => readAll(be, be.convBackwardWeight(be.fromArray('float32', xv), be.fromArray('float32', gv), p));
      close(run(b), run(referenceBackend), `${b.name} backward-weight ${JSON.stringify(p)}`);
    }
    assert.equal([...fallbackCounts.keys()].filter((k) => k.startsWith('conv')).length, 0, 'convolutions ran in wasm');
  });
}

test('3-channel weight-gradient blocks: identical for 1, 2 and 3 threads (channel ranges, partial sums)', async () => {
  const wasm = await createWasmBackend({ name: 'wasm-conv-tiles-wthreads', threads: 2 });
  if (!wasm.sharedMemory) return;
  const rnd = prng(156);
  // 1 image: ranges of 3-channel blocks (the last one partial); 32 images: 8 partial sums of 4 images.
  for (const p of [conv3(1, 8, 32, [1, 29, 30], [1, 3, 3]), conv3(32, 4, 10, [1, 16, 16], [1, 3, 3])]) {
    const S = p.outSize[1] * p.outSize[2];
    const x = wasm.fromArray('float32', rand(rnd, p.batch * p.inChannels * p.inSize[1] * p.inSize[2]));
    const g = wasm.fromArray('float32', rand(rnd, p.batch * p.outChannels * S));
    const runs: number[][] = [];
    for (const t of [1, 2, 3]) {
      await wasm.setNumThreads(t);
      runs.push(readAll(wasm, wasm.convBackwardWeight(x, g, p)));
    }
    for (let t = 1; t < runs.length; t++) {
      for (let i = 0; i < runs[0]!.length; i++) {
        if (!Object.is(runs[0]![i], runs[t]![i])) assert.fail(`${JSON.stringify(p)}: ${t + 1} threads differ at [${i}]: ${runs[t]![i]} vs ${runs[0]![i]}`);
      }
    }
  }
  await wasm.setNumThreads(1);
});
