/**
 * An optimizer step on the wasm backend runs its fused updates as one pool job
 * (FusedKernels.updateBatch, src/backend/wasm/optim.ts): every parameter's
 * update is collected in element ranges and the ranges run together when the
 * step ends. The parameters and optimizer state must come out bit-identical
 * to one-by-one updates on one thread, for parameters of every size (one
 * element, a scalar tail, exactly one range, several ranges) and mixed
 * optimizers; an exception inside a batch must still run the updates
 * collected before it and leave the backend consistent.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tg from '../../src/index.js';
import { createWasmBackend, type WasmBackend } from '../../src/backend/wasm/index.js';
import { sharedMemorySupported } from '../../src/backend/wasm/threads.js';
import { prng } from '../helpers/prng.js';
import { fusedKernels } from '../../src/ops/fused.js';

const skip = !sharedMemorySupported() && 'no shared memory: one thread only';
const one = await createWasmBackend({ name: 'wasm-batch-1t', threads: 1 });
const two = skip ? one : await createWasmBackend({ name: 'wasm-batch-2t', threads: 2 });

/** Sizes around the batch's range edges (2^15 elements) and the kernels' 4-lane tail. */
const SIZES = [1, 3, 255, 256, 1027, 32768, 32771, 70001, 150003];

function values(n: number, seed: number): Float32Array {
  const rnd = prng(seed);
  return Float32Array.from({ length: n }, () => rnd() * 2 - 1);
}

/** Three steps of SGD (momentum, nesterov, weight decay) on half the parameters and AMSGrad Adam on the rest. */
function train(b: WasmBackend): Float32Array[] {
  tg.setBackend(b);
  const params = SIZES.map((n, i) => new tg.nn.Parameter(tg.tensor(values(n, i + 1))));
  const sgd = new tg.optim.SGD(params.filter((_, i) => i % 2 === 0), { lr: 0.05, momentum: 0.9, nesterov: true, weightDecay: 1e-3 });
  const adam = new tg.optim.Adam(params.filter((_, i) => i % 2 === 1), { lr: 1e-2, amsgrad: true, weightDecay: 1e-2 });
  for (let s = 0; s < 3; s++) {
    sgd.zeroGrad();
    adam.zeroGrad();
    params.forEach((p, i) => {
      p.grad = tg.tensor(values(p.numel(), 100 * s + i));
    });
    sgd.step();
    adam.step();
  }
  const out = params.map((p) => Float32Array.from(p.data() as Float32Array));
  for (const opt of [sgd, adam]) {
    for (const st of opt.state.values()) {
      for (const v of Object.values(st)) if (v instanceof tg.Tensor) out.push(Float32Array.from(v.data() as Float32Array));
    }
  }
  return out;
}

function sameBits(a: Float32Array[], b: Float32Array[], what: string): void {
  assert.equal(a.length, b.length, `${what}: number of arrays`);
  a.forEach((x, i) => {
    const y = b[i]!;
    assert.equal(x.length, y.length, `${what}: array ${i} length`);
    const u = new Uint32Array(x.buffer), v = new Uint32Array(y.buffer);
    const j = u.findIndex((bits, k) => bits !== v[k]);
    assert.equal(j, -1, `${what}: array ${i} (${x.length} elements) differs first at ${j}: ${x[j]} vs ${y[j]}`);
  });
}

test('batched SGD + Adam steps on 2 threads match one-by-one updates on 1 thread bit for bit', { skip }, () => {
  const before = tg.getBackend();
  try {
    sameBits(train(two), train(one), '2 threads (batched) vs 1 thread');
  } finally {
    tg.setBackend(before);
  }
});

// With the fused kernels switched off (TENSORGRAD_FUSED=0) the optimizers run their tensor-op composites: no batch.
const unfused = !skip && fusedKernels(two) === null && 'fused kernels switched off (TENSORGRAD_FUSED=0)';

test('the batch collects the updates and runs them in one pool job', { skip: skip || unfused }, () => {
  const pool = two.context.pool;
  const before = tg.getBackend();
  try {
    tg.setBackend(two);
    const params = SIZES.map((n, i) => new tg.nn.Parameter(tg.tensor(values(n, i + 1))));
    const opt = new tg.optim.SGD(params, { lr: 0.1, momentum: 0.9 });
    params.forEach((p, i) => (p.grad = tg.tensor(values(p.numel(), 50 + i))));
    const jobs = pool.stats.jobs, chunks = pool.stats.chunks;
    opt.step();
    // 2^15-element ranges: 1+1+1+1+1+1+2+3+5 = 16 chunks in a single job.
    assert.equal(pool.stats.jobs - jobs, 1);
    assert.equal(pool.stats.chunks - chunks, SIZES.reduce((s, n) => s + Math.max(1, Math.ceil(n / 32768)), 0));
  } finally {
    tg.setBackend(before);
  }
});

test('a step of fewer than 2^17 elements in all runs on the calling thread, with the same bits', { skip: skip || unfused }, () => {
  const pool = two.context.pool;
  const before = tg.getBackend();
  try {
    const small = [1, 3, 255, 1027, 32771];
    const run = (b: WasmBackend) => {
      tg.setBackend(b);
      const params = small.map((n, i) => new tg.nn.Parameter(tg.tensor(values(n, 30 + i))));
      const opt = new tg.optim.SGD(params, { lr: 0.1, momentum: 0.9 });
      for (let s = 0; s < 2; s++) {
        opt.zeroGrad();
        params.forEach((p, i) => (p.grad = tg.tensor(values(p.numel(), 60 + 10 * s + i))));
        opt.step();
      }
      return params.map((p) => Float32Array.from(p.data() as Float32Array));
    };
    const jobs = pool.stats.jobs;
    const got = run(two);
    assert.equal(pool.stats.jobs - jobs, 0, 'a small step ran a pool job');
    sameBits(got, run(one), 'small step, 2 threads vs 1');
  } finally {
    tg.setBackend(before);
  }
});

test('an exception inside a batch still runs the updates collected before it; the next step is correct', { skip }, () => {
  const k = two.fused!;
  const n = 70001;
  const pv = values(n, 7), gv = values(n, 8);
  const p = two.fromArray('float32', pv), g = two.fromArray('float32', gv);
  const opts = { lr: 0.5, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, maximize: false, firstStep: true };
  assert.throws(() => k.updateBatch!(() => {
    assert.ok(k.sgdStep!(p, g, null, n, opts));
    throw new Error('boom');
  }), /boom/);
  const want = Float32Array.from(pv, (x, i) => Math.fround(x - Math.fround(0.5 * gv[i]!)));
  const got = two.read(p, { shape: [n], strides: [1], offset: 0 }) as Float32Array;
  // p - lr*g as the kernel computes it (a fused multiply-add where relaxed SIMD has one): within an ulp.
  got.forEach((x, i) => assert.ok(Math.abs(x - want[i]!) <= 1e-6 * Math.max(1, Math.abs(want[i]!)), `element ${i}: ${x} vs ${want[i]}`));
  // The backend is consistent: a plain step and a matmul afterwards compute correctly.
  const before = tg.getBackend();
  try {
    tg.setBackend(two);
    const a = tg.tensor(values(64 * 32, 9), { shape: [64, 32] }), w = tg.tensor(values(32 * 16, 10), { shape: [32, 16] });
    const y = tg.matmul(a, w).data() as Float32Array;
    tg.setBackend(one);
    const y1 = tg.matmul(tg.tensor(values(64 * 32, 9), { shape: [64, 32] }), tg.tensor(values(32 * 16, 10), { shape: [32, 16] })).data() as Float32Array;
    sameBits([Float32Array.from(y)], [Float32Array.from(y1)], 'matmul after the failed batch');
  } finally {
    tg.setBackend(before);
  }
});
