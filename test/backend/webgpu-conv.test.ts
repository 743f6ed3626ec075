/**
 * Convolution on the WebGPU backend (implicit GEMMs on the tiled kernel)
 * against the reference backend: forward, backward-input and backward-weight
 * over random geometries in 1-D/2-D/3-D with stride, padding before/after
 * (including negative), dilation, groups (depthwise too), 1×1 kernels, batch
 * 1 and 3, plus geometries that span several 64×64 tiles and K slices, empty
 * sizes, int32, NaN in the input, and split-K. Skips where no WebGPU adapter exists.
 */
import { after, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Backend, ConvParams, Storage } from '../../src/backend/backend.js';
import { referenceBackend } from '../../src/backend/reference/index.js';
import type { DType } from '../../src/core/dtype.js';
import { prng, randInt } from '../helpers/prng.js';
import { webgpuOrSkip } from '../helpers/webgpu.js';
import { gemmLimits, splitKPolicy } from '../../src/backend/webgpu/matmul.js';

type Triple = [number, number, number];
const gpu = await webgpuOrSkip();
const numelOf = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);
const flat = (n: number) => ({ shape: [n], strides: [1], offset: 0 });

/** A random geometry of `rank` spatial dims; `pointwise` forces 1×1 kernels with stride 1 and no padding. */
function randomParams(rnd: () => number, rank: number, opts: { pointwise?: boolean; depthwise?: boolean; batch?: number } = {}): ConvParams {
  const pw = opts.pointwise === true;
  const maxExtra = rank === 3 ? 3 : rank === 2 ? 5 : 10;
  const inSize: Triple = [1, 1, 1], kernelSize: Triple = [1, 1, 1], outSize: Triple = [1, 1, 1];
  const stride: Triple = [1, 1, 1], padding: Triple = [0, 0, 0], dilation: Triple = [1, 1, 1];
  for (let d = 3 - rank; d < 3; d++) {
    const k = pw ? 1 : randInt(rnd, 1, 3);
    const s = pw ? 1 : randInt(rnd, 1, 2);
    const dil = pw ? 1 : randInt(rnd, 1, 2);
    const pBefore = pw ? 0 : randInt(rnd, -1, 2);
    const pAfter = pw ? 0 : randInt(rnd, -1, 2);
    const span = dil * (k - 1) + 1;
    const minIn = Math.max(1, span - pBefore - pAfter);
    const inD = randInt(rnd, minIn, minIn + maxExtra);
    kernelSize[d] = k; stride[d] = s; dilation[d] = dil; padding[d] = pBefore; inSize[d] = inD;
    outSize[d] = Math.floor((inD + pBefore + pAfter - span) / s) + 1;
  }
  const groups = opts.depthwise ? randInt(rnd, 2, 5) : randInt(rnd, 1, 3);
  const inPer = opts.depthwise ? 1 : randInt(rnd, 1, 4), outPer = opts.depthwise ? randInt(rnd, 1, 2) : randInt(rnd, 1, 4);
  return {
    batch: opts.batch ?? (rnd() < 0.5 ? 1 : 3), inChannels: groups * inPer, outChannels: groups * outPer, groups,
    inSize, kernelSize, outSize, stride, padding, dilation,
  };
}

function values(rnd: () => number, n: number, dtype: DType): Float32Array | Int32Array {
  if (dtype === 'int32') return Int32Array.from({ length: n }, () => randInt(rnd, -5, 5));
  return Float32Array.from({ length: n }, () => rnd() * 2 - 1);
}

/** Reads the three conv results of a backend (the reference synchronously, the GPU asynchronously). */
async function results(be: Backend, p: ConvParams, dtype: DType, x: ArrayLike<number>, w: ArrayLike<number>, gy: ArrayLike<number>) {
  const [sx, sw, sg] = [x, w, gy].map((v) => be.fromArray(dtype, v as Float32Array)) as [Storage, Storage, Storage];
  const outs = [be.conv(sx, sw, p), be.convBackwardInput(sg, sw, p), be.convBackwardWeight(sx, sg, p)];
  const lens = [gy.length, x.length, w.length];
  return Promise.all(outs.map((s, k) => be.readAsync(s, flat(lens[k]!))));
}

async function compare(p: ConvParams, dtype: DType, rnd: () => number, edit?: (x: Float32Array | Int32Array) => void): Promise<void> {
  const cinG = p.inChannels / p.groups;
  const x = values(rnd, p.batch * p.inChannels * numelOf(p.inSize), dtype);
  const w = values(rnd, p.outChannels * cinG * numelOf(p.kernelSize), dtype);
  const gy = values(rnd, p.batch * p.outChannels * numelOf(p.outSize), dtype);
  edit?.(x);
  const want = await results(referenceBackend, p, dtype, x, w, gy);
  const got = await results(gpu!, p, dtype, x, w, gy);
  ['forward', 'backward-input', 'backward-weight'].forEach((what, k) => {
    const g = got[k]!, e = want[k]!;
    assert.equal(g.length, e.length, what);
    for (let i = 0; i < g.length; i++) {
      const ok = Number.isNaN(e[i]!) ? Number.isNaN(g[i]!) : Math.abs(g[i]! - e[i]!) <= 1e-4 * (1 + Math.abs(e[i]!));
      if (!ok) assert.fail(`webgpu conv ${what} ${dtype} ${JSON.stringify(p)}: [${i}] = ${g[i]}, expected ${e[i]}`);
    }
  });
}

const skip = gpu ? false : 'no WebGPU adapter';

// Every test runs on both GEMM kernels: the small one (no workgroup memory) and the 64x64 tiled one.
for (const path of ['small', 'tiled'] as const) describe(`${path} GEMM kernel`, () => {
  beforeEach(() => { gemmLimits.path = path; });
  after(() => { gemmLimits.path = 'auto'; });

test('webgpu conv: random 1-D, 2-D and 3-D geometries (stride, padding incl. negative, dilation, groups)', { skip }, async () => {
  const rnd = prng(14);
  for (let i = 0; i < 24; i++) await compare(randomParams(rnd, 1 + (i % 3)), 'float32', rnd);
});

test('webgpu conv: depthwise, pointwise, batch 1 and 3', { skip }, async () => {
  const rnd = prng(15);
  for (let i = 0; i < 4; i++) await compare(randomParams(rnd, 2, { depthwise: true, batch: i % 2 ? 3 : 1 }), 'float32', rnd);
  for (let i = 0; i < 3; i++) await compare(randomParams(rnd, 1 + i, { pointwise: true, batch: 3 }), 'float32', rnd);
});

test('webgpu conv: stride 2 with dilation 2 and padding in every dim', { skip }, async () => {
  const rnd = prng(16);
  const p: ConvParams = {
    batch: 3, inChannels: 4, outChannels: 6, groups: 2, inSize: [5, 6, 7], kernelSize: [2, 3, 2],
    outSize: [3, 3, 4], stride: [2, 2, 2], padding: [1, 2, 1], dilation: [2, 2, 2],
  };
  // out = floor((in + 2·pad - dil·(k-1) - 1) / stride) + 1 with the same padding after
  assert.deepEqual(p.outSize, p.inSize.map((n, d) => Math.floor((n + 2 * p.padding[d]! - p.dilation[d]! * (p.kernelSize[d]! - 1) - 1) / p.stride[d]!) + 1));
  await compare(p, 'float32', rnd);
});

test('webgpu conv: several output tiles and K slices (edges not multiples of 64 / 16)', { skip }, async () => {
  const rnd = prng(17);
  // forward: M = 70 channels, N = 2·9·9 = 162 positions, K = 5·9 = 45
  await compare({
    batch: 2, inChannels: 5, outChannels: 70, groups: 1, inSize: [1, 9, 9], kernelSize: [1, 3, 3],
    outSize: [1, 9, 9], stride: [1, 1, 1], padding: [0, 1, 1], dilation: [1, 1, 1],
  }, 'float32', rnd);
});

test('webgpu conv: empty sizes (batch 0, output 0, kernel reads only padding)', { skip }, async () => {
  const rnd = prng(18);
  const base: ConvParams = {
    batch: 2, inChannels: 2, outChannels: 3, groups: 1, inSize: [1, 1, 4], kernelSize: [1, 1, 3],
    outSize: [1, 1, 2], stride: [1, 1, 1], padding: [0, 0, 0], dilation: [1, 1, 1],
  };
  await compare({ ...base, batch: 0 }, 'float32', rnd);
  await compare({ ...base, inSize: [1, 1, 0], outSize: [1, 1, 0] , kernelSize: [1, 1, 1] }, 'float32', rnd);
  // Output positions whose whole window lies in the padding: 0 (and gy there reaches no input).
  await compare({ ...base, inSize: [1, 1, 2], padding: [0, 0, 4], outSize: [1, 1, 8], kernelSize: [1, 1, 1] }, 'float32', rnd);
});

test('webgpu conv: int32 and NaN in the input', { skip }, async () => {
  const rnd = prng(19);
  for (let i = 0; i < 3; i++) await compare(randomParams(rnd, 1 + i), 'int32', rnd);
  for (let i = 0; i < 3; i++) await compare(randomParams(rnd, 2), 'float32', rnd, (x) => { x[randInt(rnd, 0, x.length - 1)] = NaN; });
});

test('webgpu conv: K split over several workgroups (split-K, forced on small shapes)', { skip }, async () => {
  const rnd = prng(20);
  const saved = splitKPolicy.minChunk;
  splitKPolicy.minChunk = 16;
  try {
    for (let i = 0; i < 4; i++) await compare(randomParams(rnd, 1 + (i % 3), { batch: 3 }), 'float32', rnd);
  } finally {
    splitKPolicy.minChunk = saved;
  }
});
});
