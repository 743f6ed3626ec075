/**
 * Every kernel the wasm backend runs on its worker pool, at sizes above its
 * split threshold chosen so that the split is uneven (the last chunk gets a
 * different share: remainder planes, images, columns, position vectors,
 * output-channel blocks), at 1, 2 and 3 threads: results must be
 * bit-identical across thread counts and match the reference backend. Each
 * case also checks that at 2 and 3 threads the call really was split (some
 * pool job had several chunks), so a threshold change cannot silently turn a
 * case into a single-chunk one. A last test checks that every kernel that can
 * appear in a pool job was exercised here, so a newly threaded kernel needs a
 * case. (Batch norm, average pooling and reductions run on the calling thread
 * only: they never enter the pool.)
 *
 * Checked by injecting the bugs this file exists for: dropping the last
 * chunk's remainder planes in the max-pool split, or the remainder images of
 * the im2col weight-gradient split, makes it fail.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Backend, ConvEpilogue, ConvParams, Layout, PoolParams, Storage } from '../../src/backend/backend.js';
import { convPool2x2Params } from '../../src/backend/backend.js';
import { createWasmBackend } from '../../src/backend/wasm/index.js';
import { KERNEL_NAMES, type KernelName } from '../../src/backend/wasm/threads.js';
import { referenceBackend } from '../../src/backend/reference/index.js';
import { contiguousStrides } from '../../src/core/shape.js';
import { prng } from '../helpers/prng.js';

const wasm = await createWasmBackend({ name: 'wasm-splits', threads: 3 });
const threaded = wasm.sharedMemory;
const skip = !threaded && 'no shared memory';
const pool = wasm.context.pool;

/** Kernel names seen in pool jobs (the pool's callArgs, which call goes through too, is wrapped to record them). */
const seen = new Set<KernelName>();
const callArgs = pool.callArgs.bind(pool);
pool.callArgs = (fn: number, args: ArrayLike<number>) => {
  seen.add(KERNEL_NAMES[fn]!);
  callArgs(fn, args);
};

const dense = (shape: number[]): Layout => ({ shape, strides: contiguousStrides(shape), offset: 0 });
const rand = (n: number, seed: number) => {
  const r = prng(seed);
  return Float32Array.from({ length: n }, () => r() * 2 - 1);
};
const readAll = (be: Backend, s: Storage) => Float64Array.from(be.read(s, dense([s.length])) as ArrayLike<number>);

/**
 * The conv epilogue on `be`: its fused kernel (wasm), or on a backend without
 * one (the reference) its definition from the required kernels: conv, + bias,
 * ReLU, then 2×2 max pooling. Returns the output (and the pooling's indices).
 */
function convEpilogueOn(be: Backend, x: Storage, w: Storage, p: ConvParams, epi: ConvEpilogue): Float64Array[] {
  const fused = be.fused?.convEpilogue?.(x, w, p, epi) ?? null;
  if (fused) return epi.poolIndices ? [readAll(be, fused), readAll(be, epi.poolIndices)] : [readAll(be, fused)];
  const y = readAll(be, be.conv(x, w, p)), b = epi.bias ? readAll(be, epi.bias) : null;
  const plane = p.outSize[0] * p.outSize[1] * p.outSize[2];
  for (let i = 0; i < y.length; i++) {
    const v = y[i]! + (b ? b[Math.floor(i / plane) % p.outChannels]! : 0);
    y[i] = epi.relu ? Math.max(v, 0) : v;
  }
  if (!epi.pool2x2) return [y];
  const r = be.maxPool(be.fromArray('float64', y), convPool2x2Params(p));
  return [readAll(be, r.out), readAll(be, r.indices!)];
}

/** The conv epilogue's backward on `be`: its fused kernel, or its definition (g where y > 0; per-channel sums). */
function convEpilogueBackwardOn(be: Backend, gv: Float32Array, yv: Float32Array, n: number, c: number, s: number): Float64Array[] {
  const fused = be.fused?.convEpilogueBackward?.(be.fromArray('float32', gv), be.fromArray('float32', yv), n, c, s, true) ?? null;
  if (fused) return [readAll(be, fused.g!), readAll(be, fused.bias!)];
  const g = Float64Array.from(gv, (v, i) => (yv[i]! > 0 ? v : 0)), bias = new Float64Array(c);
  for (let i = 0; i < g.length; i++) bias[Math.floor(i / s) % c] += g[i]!;
  return [g, bias];
}

/** One threaded computation: `run(be)` returns its outputs (read back) on backend `be`. */
interface Case {
  name: string;
  run: (be: Backend) => Float64Array[];
  /** Relative tolerance against the reference (0: exact, e.g. pooling and indices). */
  tol: number;
}

/** Runs a case at 1, 2 and 3 threads and on the reference; asserts identity, closeness and a real split. */
async function check(c: Case): Promise<void> {
  const results: Float64Array[][] = [];
  for (const t of [1, 2, 3]) {
    await wasm.setNumThreads(t);
    const before = { jobs: pool.stats.jobs, chunks: pool.stats.chunks };
    results.push(c.run(wasm));
    const jobs = pool.stats.jobs - before.jobs, chunks = pool.stats.chunks - before.chunks;
    if (t > 1) assert.ok(chunks > jobs, `${c.name}: not split at ${t} threads (${jobs} jobs, ${chunks} chunks): enlarge the case`);
  }
  const want = c.run(referenceBackend);
  for (let k = 0; k < want.length; k++) {
    const base = results[0]![k]!;
    for (let t = 1; t < 3; t++) {
      const got = results[t]![k]!;
      assert.equal(got.length, base.length);
      for (let i = 0; i < base.length; i++) {
        if (!Object.is(got[i], base[i])) assert.fail(`${c.name} output ${k}: ${t + 1} threads differ from 1 at [${i}]: ${got[i]} vs ${base[i]}`);
      }
    }
    const w = want[k]!;
    assert.equal(base.length, w.length, `${c.name} output ${k}: length`);
    for (let i = 0; i < w.length; i++) {
      if (!(Math.abs(base[i]! - w[i]!) <= c.tol * (1 + Math.abs(w[i]!)))) {
        assert.fail(`${c.name} output ${k}: [${i}] is ${base[i]}, reference ${w[i]}`);
      }
    }
  }
}

// ---- max pooling --------------------------------------------------------------

function poolParams(batch: number, channels: number, H: number, W: number, k: number, s: number, pad: number): PoolParams {
  const o = (n: number) => Math.floor((n + 2 * pad - k) / s) + 1;
  return {
    batch, channels, inSize: [1, H, W], kernelSize: [1, k, k], outSize: [1, o(H), o(W)],
    stride: [1, s, s], padding: [0, pad, pad], dilation: [1, 1, 1],
  };
}

/** Forward (values and indices) and backward; 35 planes of 64x61 (136,640 elements > 2^17) split 6 or 9 ways. */
function maxPoolCase(k: number, s: number, pad: number): Case {
  const p = poolParams(5, 7, 64, 61, k, s, pad);
  const planes = 35, inPlane = 64 * 61, outPlane = p.outSize[1] * p.outSize[2];
  const xv = rand(planes * inPlane, 10 + k + pad), gv = rand(planes * outPlane, 20 + k + pad);
  return {
    name: `maxPool ${k}x${k} stride ${s} pad ${pad}`,
    tol: 0,
    run: (be) => {
      const r = be.maxPool(be.fromArray('float32', xv), p);
      const gx = be.maxPoolBackward(be.fromArray('float32', gv), r.indices!, planes, outPlane, inPlane);
      return [readAll(be, r.out), readAll(be, r.indices!), readAll(be, gx)];
    },
  };
}

test('max pooling forward and backward: uneven plane splits', { skip }, async () => {
  await check(maxPoolCase(2, 2, 0));
  await check(maxPoolCase(3, 2, 1));
  // The 2x2 kernel's no-indices variant (inference).
  const p = poolParams(5, 7, 64, 61, 2, 2, 0);
  const xv = rand(35 * 64 * 61, 30);
  await check({
    name: 'maxPool 2x2 without indices', tol: 0,
    run: (be) => [readAll(be, be.maxPool(be.fromArray('float32', xv), p, false).out)],
  });
});

// ---- elementwise --------------------------------------------------------------

test('elementwise float32 and float64: row splits and single-row column splits', { skip }, async () => {
  const rows = 257, cols = 601, n = rows * cols; // 154,457 elements > 2^17; 257 rows and 2,414 64-wide column blocks split unevenly
  const av = rand(n, 40), bv = rand(n, 41);
  for (const dtype of ['float32', 'float64'] as const) {
    const tol = dtype === 'float32' ? 2e-6 : 1e-12;
    const mk = (be: Backend) => [be.fromArray(dtype, av), be.fromArray(dtype, bv)] as const;
    await check({
      name: `${dtype} mul by rows, div as one row`, tol,
      run: (be) => {
        const [a, b] = mk(be);
        return [readAll(be, be.binary('mul', a, dense([rows, cols]), b, dense([rows, cols]), dtype)),
          readAll(be, be.binary('div', a, dense([n]), b, dense([n]), dtype))];
      },
    });
    await check({
      name: `${dtype} exp by rows, tanh as one row`, tol,
      run: (be) => {
        const [a] = mk(be);
        return [readAll(be, be.unary('exp', a, dense([rows, cols]), dtype)), readAll(be, be.unary('tanh', a, dense([n]), dtype))];
      },
    });
  }
});

// ---- matmul ---------------------------------------------------------------------

test('matmul: column and row splits with ragged last blocks, batched entries split in two', { skip }, async () => {
  for (const [B, M, N, K] of [[1, 133, 171, 61], [1, 301, 13, 400], [5, 67, 45, 83]] as const) {
    const av = rand(B * M * K, 50 + M), bv = rand(B * K * N, 60 + N);
    await check({
      name: `matmul ${B}x${M}x${N}x${K}`, tol: 1e-4 * Math.sqrt(K),
      run: (be) => [readAll(be, be.matmul(be.fromArray('float32', av), dense([B, M, K]), be.fromArray('float32', bv), dense([B, K, N]), 'float32'))],
    });
  }
});

test('large matmul with a shared packing of B: K blocks (K > 256, ragged), row blocks, a ragged last panel', { skip }, async () => {
  // M >= 512, N >= 256, cut into row blocks: the threads share one packed copy of each B block (matmul.ts gemmSharedB).
  const [M, N, K] = [517, 301, 530];
  const av = rand(M * K, 71), bv = rand(K * N, 72);
  await check({
    name: `matmul ${M}x${N}x${K} (shared B)`, tol: 1e-4 * Math.sqrt(K),
    run: (be) => [readAll(be, be.matmul(be.fromArray('float32', av), dense([M, K]), be.fromArray('float32', bv), dense([K, N]), 'float32'))],
  });
});

test('small-M matmul and fused linear layer: column blocks with a ragged last one, bias offset per block', { skip }, async () => {
  // M <= 128: one column block per thread (matmul.ts partsFor); N not a multiple of the blocks, so the last is ragged.
  for (const [M, N, K] of [[61, 203, 97], [64, 256, 80]] as const) {
    const av = rand(M * K, 70 + M), bv = rand(N * K, 80 + N), biasv = rand(N, 90 + N);
    const tol = 1e-4 * Math.sqrt(K);
    await check({
      // B read transposed (a weight [N, K] as K x N), as a linear layer's forward does.
      name: `matmul ${M}x${N}x${K} (B transposed)`, tol,
      run: (be) => [readAll(be, be.matmul(be.fromArray('float32', av), dense([M, K]),
        be.fromArray('float32', bv), { shape: [K, N], strides: [1, K], offset: 0 }, 'float32'))],
    });
    await check({
      name: `linearEpilogue ${M}x${N}x${K} + bias + ReLU`, tol,
      run: (be) => {
        const x = be.fromArray('float32', av), w = be.fromArray('float32', bv), b = be.fromArray('float32', biasv);
        const fused = be.fused?.linearEpilogue?.(x, w, b, M, K, N, true) ?? null;
        if (fused) return [readAll(be, fused)];
        const y = readAll(be, be.matmul(x, dense([M, K]), w, { shape: [K, N], strides: [1, K], offset: 0 }, 'float32'));
        return [y.map((v, i) => Math.max(Math.fround(v + biasv[i % N]!), 0))];
      },
    });
  }
});

// ---- convolution ----------------------------------------------------------------

function conv(batch: number, cin: number, cout: number, size: number, k: number, o: { pad?: number; stride?: number; groups?: number } = {}): ConvParams {
  const pad = o.pad ?? 0, stride = o.stride ?? 1;
  const out = Math.floor((size + 2 * pad - k) / stride) + 1;
  return {
    batch, inChannels: cin, outChannels: cout, groups: o.groups ?? 1,
    inSize: [1, size, size], kernelSize: [1, k, k], outSize: [1, out, out],
    stride: [1, stride, stride], padding: [0, pad, pad], dilation: [1, 1, 1],
  };
}

type ConvOp = 'forward' | 'forward+bias+relu' | 'input' | 'weight';

function convCase(name: string, p: ConvParams, op: ConvOp, seed: number): Case {
  const inPlane = p.inSize[1] * p.inSize[2], outPlane = p.outSize[1] * p.outSize[2];
  const xv = rand(p.batch * p.inChannels * inPlane, seed);
  const wv = rand(p.outChannels * (p.inChannels / p.groups) * p.kernelSize[1] * p.kernelSize[2], seed + 1);
  const gv = rand(p.batch * p.outChannels * outPlane, seed + 2);
  const bv = rand(p.outChannels, seed + 3);
  const sums = op === 'weight' ? p.batch * outPlane : op === 'input' ? p.outChannels * 9 : wv.length / p.outChannels;
  return {
    name: `${name} ${op}`, tol: 2e-5 * Math.sqrt(sums),
    run: (be) => {
      const x = be.fromArray('float32', xv), w = be.fromArray('float32', wv), gy = be.fromArray('float32', gv);
      switch (op) {
        case 'forward': return [readAll(be, be.conv(x, w, p))];
        case 'forward+bias+relu': return convEpilogueOn(be, x, w, p, { bias: be.fromArray('float32', bv), relu: true });
        case 'input': return [readAll(be, be.convBackwardInput(gy, w, p))];
        case 'weight': return [readAll(be, be.convBackwardWeight(x, gy, p))];
      }
    },
  };
}

const ALL: ConvOp[] = ['forward', 'forward+bias+relu', 'input', 'weight'];

test('convolution, im2col + GEMM paths (stride 2): image chunks, split GEMMs, partial weight gradients', { skip }, async () => {
  // 26 (image, group) items in chunks of 4 or 2 (uneven); weight gradient: 13 images in 8 partial sums.
  for (const op of ALL) await check(convCase('GEMM batch 13 groups 2', conv(13, 16, 24, 24, 3, { stride: 2, groups: 2 }), op, 100));
  // 2 images: each GEMM split into column blocks with a ragged last one; weight gradient: 2 partials.
  for (const op of ALL) await check(convCase('GEMM batch 2', conv(2, 16, 32, 40, 3, { stride: 2 }), op, 110));
  // 1 image: the weight gradient's single GEMM split across threads.
  await check(convCase('GEMM batch 1', conv(1, 16, 32, 40, 3, { stride: 2 }), 'weight', 120));
});

test('convolution, pointwise (1x1) path: image chunks and partial weight gradients', { skip }, async () => {
  for (const op of ALL) await check(convCase('pointwise batch 13', conv(13, 32, 48, 12, 1), op, 200));
});

test('convolution, direct paths (stride 1): image chunks, position-vector splits, output-channel ranges', { skip }, async () => {
  // 23 images: chunks of 3 or 2 (uneven); weight gradient: 8 partials of 2-3 images.
  for (const op of ALL) await check(convCase('direct batch 23', conv(23, 6, 16, 14, 5), op, 300));
  // 1 image: 232 position vectors in 6 or 9 ranges; weight gradient: 8 channel blocks (the last one partial) in 6 or 8 ranges.
  for (const op of ALL) await check(convCase('direct batch 1', conv(1, 8, 30, 29, 3, { pad: 1 }), op, 310));
});

test('convolution, Winograd F(2x2, 3x3) and F(4x4, 3x3) paths: image chunks, tile-row ranges, partial weight gradients', { skip }, async () => {
  // 13 images: chunks of whole images; 36 output channels: a last block of 4 and of 3 (weight gradient); weight gradient: 8 partials.
  // (16 x 16 outputs: F(4x4) all three ways.)
  for (const op of ALL) await check(convCase('winograd batch 13', conv(13, 32, 36, 16, 3, { pad: 1 }), op, 320));
  // 1 image, 24 wide (12 tiles a row: half-filled panels): ranges of tile rows.
  for (const op of ['forward', 'forward+bias+relu', 'input'] as const) await check(convCase('winograd batch 1', conv(1, 32, 20, 24, 3, { pad: 1 }), op, 330));
  // F(4x4, 3x3) (outputs 16k wide): 1 image 48 wide (12 tiles a row: half-filled panels), ranges of tile rows; 16 wide
  // (4 tiles a row): ranges of tile-row pairs, so that every range fills whole panels.
  for (const op of ['forward', 'forward+bias+relu', 'input'] as const) await check(convCase('winograd F4 batch 1', conv(1, 32, 20, 48, 3, { pad: 1 }), op, 350));
  for (const op of ['forward', 'input'] as const) await check(convCase('winograd F4 batch 1 16 wide', conv(1, 64, 40, 16, 3, { pad: 1 }), op, 360));
  // F(2x2)'s weight gradient (8 x 8 outputs): 13 images in 8 partial sums.
  await check(convCase('winograd F2 batch 13', conv(13, 32, 36, 8, 3, { pad: 1 }), 'weight', 370));
  // The pooled epilogue in the Winograd kernel (F(4x4): each 4x4 output tile holds four pooling windows).
  const p = conv(9, 16, 16, 16, 3, { pad: 1 });
  const xv = rand(9 * 16 * 256, 340), wv = rand(16 * 16 * 9, 341), bv = rand(16, 342);
  await check({
    name: 'winograd conv+relu+pool2x2', tol: 2e-5 * Math.sqrt(144),
    run: (be) => {
      const indices = be.alloc('int32', 9 * 16 * 64);
      const epi: ConvEpilogue = { bias: be.fromArray('float32', bv), relu: true, pool2x2: true, poolIndices: indices };
      return convEpilogueOn(be, be.fromArray('float32', xv), be.fromArray('float32', wv), p, epi);
    },
  });
});

test('fused convolution + bias + ReLU + 2x2 max pooling (values and indices): image chunks', { skip }, async () => {
  const p = conv(23, 6, 16, 14, 5);
  const outPlane = (p.outSize[1] >> 1) * (p.outSize[2] >> 1);
  const xv = rand(23 * 6 * 14 * 14, 400), wv = rand(16 * 6 * 25, 401), bv = rand(16, 402);
  await check({
    name: 'conv+relu+pool2x2', tol: 2e-5 * Math.sqrt(150),
    run: (be) => {
      const indices = be.alloc('int32', 23 * 16 * outPlane);
      const epi: ConvEpilogue = { bias: be.fromArray('float32', bv), relu: true, pool2x2: true, poolIndices: indices };
      return convEpilogueOn(be, be.fromArray('float32', xv), be.fromArray('float32', wv), p, epi);
    },
  });
});

test('conv -> ReLU -> pool gradients from the pooled gradient (convPoolBackward): image chunks, 8 partial weight gradients', { skip }, async () => {
  const p = conv(23, 6, 16, 14, 5);
  const pp = convPool2x2Params(p);
  const xv = rand(23 * 6 * 14 * 14, 600), wv = rand(16 * 6 * 25, 601);
  // The forward's indices (reference), and a pooled gradient with zeros where the ReLU was off.
  const y = readAll(referenceBackend, referenceBackend.conv(referenceBackend.fromArray('float32', xv), referenceBackend.fromArray('float32', wv), p));
  const pooled = referenceBackend.maxPool(referenceBackend.fromArray('float64', y.map((v) => Math.max(v, 0))), pp);
  const idx = Int32Array.from(readAll(referenceBackend, pooled.indices!));
  const pv = readAll(referenceBackend, pooled.out), gv = Float32Array.from(rand(pv.length, 602), (v, i) => (pv[i]! > 0 ? v : 0));
  await check({
    name: 'convPoolBackward', tol: 2e-5 * Math.sqrt(16 * 25 * 23),
    run: (be) => {
      const g = be.fromArray('float32', gv), ind = be.fromArray('int32', idx), x = be.fromArray('float32', xv), w = be.fromArray('float32', wv);
      const r = be.fused?.convPoolBackward?.(g, ind, x, w, p) ?? null;
      if (r) return [readAll(be, r.gx!), readAll(be, r.gw!)];
      const full = be.maxPoolBackward(g, ind, p.batch * p.outChannels, pp.outSize[1] * pp.outSize[2], p.outSize[1] * p.outSize[2]);
      return [readAll(be, be.convBackwardInput(full, w, p)), readAll(be, be.convBackwardWeight(x, full, p))];
    },
  });
});

test('conv epilogue backward (ReLU mask and bias gradient): 13 images in 8 parts', { skip }, async () => {
  const n = 13, c = 16, s = 1600;
  const gv = rand(n * c * s, 500), yv = Float32Array.from(rand(n * c * s, 501), (v) => Math.max(0, v));
  await check({
    name: 'convEpilogueBackward', tol: 1e-5 * Math.sqrt(n * s),
    run: (be) => convEpilogueBackwardOn(be, gv, yv, n, c, s),
  });
});

// ---- optimizer updates ----------------------------------------------------------

/**
 * Two fused optimizer steps over `n` elements (the first with fresh state, the
 * second from it): the wasm kernels (split in aligned element ranges), or on
 * the reference, which has no fused kernels, the update rule in float64.
 */
function optimizerSteps(be: Backend, kind: 'sgd' | 'adam', n: number): Float64Array[] {
  const pv = rand(n, 600), g1 = rand(n, 601), g2 = rand(n, 602);
  const sgd = { lr: 0.05, momentum: 0.9, dampening: 0.1, weightDecay: 0.01, nesterov: false, maximize: false };
  const adam = { lr: 1e-2, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01, decoupled: true, maximize: false };
  if (be.fused?.sgdStep && be.fused.adamStep) {
    const p = be.fromArray('float32', pv), a = be.fromArray('float32', new Float32Array(n)), b = be.fromArray('float32', new Float32Array(n));
    const vmax = be.fromArray('float32', new Float32Array(n));
    [g1, g2].forEach((gv, i) => {
      const g = be.fromArray('float32', gv);
      const ok = kind === 'sgd'
        ? be.fused!.sgdStep!(p, g, a, n, { ...sgd, nesterov: i === 1, firstStep: i === 0 })
        : be.fused!.adamStep!(p, g, a, b, vmax, n, { ...adam, step: i + 1 });
      assert.ok(ok, `${kind} step declined`);
    });
    return kind === 'sgd' ? [readAll(be, p), readAll(be, a)] : [readAll(be, p), readAll(be, a), readAll(be, b), readAll(be, vmax)];
  }
  const p = Float64Array.from(pv), a = new Float64Array(n), b = new Float64Array(n), vmax = new Float64Array(n);
  [g1, g2].forEach((gv, i) => {
    for (let j = 0; j < n; j++) {
      if (kind === 'sgd') {
        const d = gv[j]! + sgd.weightDecay * p[j]!;
        a[j] = i === 0 ? d : sgd.momentum * a[j]! + (1 - sgd.dampening) * d;
        p[j] = p[j]! - sgd.lr * (i === 1 ? d + sgd.momentum * a[j]! : a[j]!);
      } else {
        const t = i + 1, d = gv[j]!;
        p[j] = p[j]! * (1 - adam.lr * adam.weightDecay);
        a[j] = adam.beta1 * a[j]! + (1 - adam.beta1) * d;
        b[j] = adam.beta2 * b[j]! + (1 - adam.beta2) * d * d;
        vmax[j] = Math.max(vmax[j]!, b[j]!);
        const denom = Math.sqrt(vmax[j]!) / Math.sqrt(1 - adam.beta2 ** t) + adam.eps;
        p[j] = p[j]! - (adam.lr / (1 - adam.beta1 ** t)) * (a[j]! / denom);
      }
    }
  });
  return kind === 'sgd' ? [p, a] : [p, a, b, vmax];
}

test('fused SGD and Adam updates: aligned element ranges, a ragged last range with a scalar tail', { skip }, async () => {
  const n = 150_003; // above the 2^17 split threshold; not a multiple of 4 (the kernels' scalar tail runs in the last range)
  await check({ name: 'sgdStep (momentum, dampening, weight decay; nesterov on the second step)', tol: 1e-5, run: (be) => optimizerSteps(be, 'sgd', n) });
  await check({ name: 'adamStep (AdamW + AMSGrad)', tol: 1e-4, run: (be) => optimizerSteps(be, 'adam', n) });
});

/** Kernels in KERNEL_NAMES that no driver puts in a pool job (they run on the calling thread only). */
const NOT_POOLED: readonly KernelName[] = ['reduceF32', 'reduceF64'];

test('every kernel that runs in pool jobs was exercised above', { skip }, () => {
  const missing = KERNEL_NAMES.filter((n) => !NOT_POOLED.includes(n) && !seen.has(n));
  assert.deepEqual(missing, [], `pool kernels without a split test: ${missing.join(', ')}`);
  for (const n of NOT_POOLED) assert.ok(!seen.has(n), `${n} now runs in pool jobs: give it a split test and drop it from NOT_POOLED`);
});
