/**
 * A large GEMM cut into row blocks shares one packed copy of each B block
 * between the threads (src/backend/wasm/matmul.ts gemmSharedB: B block s is
 * packed in column ranges with sgemmPackB, and its row blocks are computed
 * with sgemmPackedB in the job that also packs block s + 1). It must give the
 * same bits as one sgemm call on one thread: K blocks of 512 with a ragged
 * last one, N past NC = 1024 (two or three column blocks), rows not a
 * multiple of the row blocks, accumulate, bias and ReLU on the last K block
 * only, transposed and negative-stride operands. And it must be the path
 * taken (one job per B block, plus the first packing).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createWasmBackend } from '../../src/backend/wasm/index.js';
import { gemm, matmulGemm, type Gemm } from '../../src/backend/wasm/matmul.js';
import { sharedMemorySupported } from '../../src/backend/wasm/threads.js';
import { prng } from '../helpers/prng.js';

const skip = !sharedMemorySupported() && 'no shared memory: one thread only';
const two = skip ? null : await createWasmBackend({ name: 'wasm-shared-b', threads: 2 });
const one = await createWasmBackend({ name: 'wasm-shared-b-1t', threads: 1 });

interface Case { M: number; N: number; K: number; variant: 'plain' | 'accumulate' | 'bias' | 'relu' | 'transA' | 'transB' | 'negB' }

/** Runs the case on `b` (inputs from `seed`) and returns C. */
function run(b: typeof one, cs: Case, seed: number): Float32Array {
  const { M, N, K } = cs;
  const { heap } = b.context;
  const rnd = prng(seed);
  const fill = (n: number) => {
    const blk = heap.alloc(Math.max(4, 4 * n));
    for (let i = 0; i < n; i++) heap.f32[blk.ptr / 4 + i] = rnd() * 2 - 1;
    return blk;
  };
  const a = fill(M * K), bb = fill(K * N), c = fill(M * N), bias = fill(N);
  const g: Gemm = { M, N, K, a: a.ptr, rsA: K, csA: 1, b: bb.ptr, rsB: N, csB: 1, c: c.ptr, ldc: N, accumulate: 0 };
  if (cs.variant === 'accumulate') g.accumulate = 1;
  if (cs.variant === 'bias' || cs.variant === 'relu') g.bias = bias.ptr;
  if (cs.variant === 'relu') g.relu = true;
  if (cs.variant === 'transA') Object.assign(g, { rsA: 1, csA: M });
  if (cs.variant === 'transB') Object.assign(g, { rsB: 1, csB: K });
  // B's rows in reverse order: a negative row stride from the last row.
  if (cs.variant === 'negB') Object.assign(g, { b: bb.ptr + 4 * (K - 1) * N, rsB: -N });
  (cs.variant === 'bias' || cs.variant === 'relu' ? matmulGemm : gemm)(b.context, g);
  const out = heap.f32.slice(c.ptr / 4, c.ptr / 4 + M * N);
  for (const blk of [a, bb, c, bias]) heap.free(blk.ptr, blk.size);
  return out;
}

const CASES: Case[] = [
  { M: 1024, N: 1024, K: 1024, variant: 'plain' },
  { M: 1100, N: 2100, K: 300, variant: 'plain' },
  { M: 1000, N: 257, K: 600, variant: 'accumulate' },
  { M: 600, N: 300, K: 1100, variant: 'bias' },
  { M: 600, N: 300, K: 513, variant: 'relu' },
  { M: 530, N: 260, K: 270, variant: 'transA' },
  { M: 530, N: 260, K: 270, variant: 'transB' },
  { M: 530, N: 260, K: 270, variant: 'negB' },
];

test('a shared packing of B gives the bits of one sgemm call on one thread', { skip }, () => {
  for (const [i, cs] of CASES.entries()) {
    const pool = two!.context.pool;
    const jobs = pool.stats.jobs;
    const got = run(two!, cs, 100 + i);
    // One job per (NC, KC) block of B (its products and the next block's packing) plus the first packing: the shared path ran.
    assert.equal(pool.stats.jobs - jobs, 1 + Math.ceil(cs.N / 1024) * Math.ceil(cs.K / 512), `${JSON.stringify(cs)}: jobs`);
    const want = run(one, cs, 100 + i);
    const u = new Uint32Array(got.buffer), v = new Uint32Array(want.buffer);
    const j = u.findIndex((bits, k) => bits !== v[k]);
    assert.equal(j, -1, `${JSON.stringify(cs)}: differs first at ${j}: ${got[j]} vs ${want[j]}`);
  }
});
