/**
 * The wasm GEMM against a float64 triple loop: every edge tile (M, N, K in
 * 1..67 with primes, sizes around the 5- and 4-row panels, NR=8, KC=512, NC=1024 and
 * MC=64 block edges), every
 * transpose combination, accumulate mode, zero and negative strides, and the
 * batched matmul of the backend vs the reference backend. Both builds
 * (relaxed SIMD and baseline SIMD) when the engine supports them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createWasmBackend, type WasmBackend } from '../../src/backend/wasm/index.js';
import { referenceBackend } from '../../src/backend/reference/index.js';
import { FN } from '../../src/backend/wasm/threads.js';
import { contiguousStrides } from '../../src/core/shape.js';
import { prng } from '../helpers/prng.js';


const builds: WasmBackend[] = [await createWasmBackend({ variant: 'simd', name: 'wasm-simd' })];
const relaxed = await createWasmBackend({ variant: 'relaxed', name: 'wasm-relaxed' }).catch(() => null);
if (relaxed) builds.push(relaxed);

/** |got - want| <= tol * (sum_k |a_ik b_kj| + 1): float32 accumulation error scales with the absolute dot product. */
function checkGemm(
  b: WasmBackend, M: number, N: number, K: number, transA: boolean, transB: boolean, accumulate: boolean, seed: number,
): void {
  const { kernels: k, heap, gemmScratch } = b.context;
  const rnd = prng(seed);
  const a = Float32Array.from({ length: M * K }, () => rnd() * 2 - 1);
  const bb = Float32Array.from({ length: K * N }, () => rnd() * 2 - 1);
  const c0 = Float32Array.from({ length: M * N }, () => rnd() * 2 - 1);
  const pa = heap.alloc(a.byteLength), pb = heap.alloc(bb.byteLength), pc = heap.alloc(c0.byteLength);
  heap.f32.set(a, pa.ptr / 4);
  heap.f32.set(bb, pb.ptr / 4);
  heap.f32.set(c0, pc.ptr / 4);
  // A stored as [M,K] (or [K,M] when transposed), B as [K,N] (or [N,K]).
  const [rsA, csA] = transA ? [1, M] : [K, 1];
  const [rsB, csB] = transB ? [1, K] : [N, 1];
  k.sgemm(M, N, K, pa.ptr, rsA, csA, pb.ptr, rsB, csB, pc.ptr, N, accumulate ? 1 : 0, gemmScratch);
  const got = heap.f32.slice(pc.ptr / 4, pc.ptr / 4 + M * N);
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let s = accumulate ? c0[i * N + j]! : 0, mag = 1;
      for (let q = 0; q < K; q++) {
        const t = a[i * rsA + q * csA]! * bb[q * rsB + j * csB]!;
        s += t;
        mag += Math.abs(t);
      }
      const g = got[i * N + j]!;
      if (!(Math.abs(g - s) <= 1e-5 * mag)) {
        assert.fail(`${b.name} sgemm M=${M} N=${N} K=${K} tA=${transA} tB=${transB} acc=${accumulate}: C[${i},${j}] = ${g}, expected ${s}`);
      }
    }
  }
  for (const p of [pa, pb, pc]) heap.free(p.ptr, p.size);
}

const SIZES = [1, 2, 3, 4, 5, 7, 8, 9, 13, 16, 17, 31, 33, 64, 67];

for (const b of builds) {
  test(`${b.name}: sgemm matches float64 on every edge tile and transpose`, () => {
    let seed = 1;
    const rnd = prng(99);
    for (const M of SIZES) {
      for (const N of SIZES) {
        // K sweeps too, but not the whole cube: a few per (M, N), always including 1.
        for (const K of [1, SIZES[Math.floor(rnd() * SIZES.length)]!]) {
          const tA = rnd() < 0.5, tB = rnd() < 0.5, acc = rnd() < 0.25;
          checkGemm(b, M, N, K, tA, tB, acc, seed++);
        }
      }
    }
  });

  test(`${b.name}: sgemm across the KC/MC/NC block edges`, () => {
    for (const [M, N, K] of [[65, 9, 257], [3, 2049, 5], [130, 17, 513], [1, 1, 300], [70, 1030, 1100]] as const) {
      for (const t of [[false, false], [true, true]] as const) checkGemm(b, M, N, K, t[0], t[1], false, M + N + K);
    }
  });

  test(`${b.name}: sgemm's row panels of 5 and 4 give each row the same bits as a 1-row product`, () => {
    // fivePanels cuts a block's rows into 5-row panels (the 5x8 kernel) and 4-row ones (4x8, zero-padded):
    // every row count 1-25 and around the MC = 64 block edge and a K past KC; each row of C must be
    // bit-identical to the same row computed alone (a padded 4-row panel), with and without the epilogue.
    const { kernels: k, heap, gemmScratch } = b.context;
    const rnd = prng(5);
    const rows = [...Array.from({ length: 25 }, (_, i) => i + 1), 59, 60, 63, 64, 65, 69, 75, 76, 128, 131];
    for (const M of rows) {
      const N = M % 3 === 0 ? 13 : 24, K = M % 2 ? 600 : 37, tA = M % 4 === 1;
      const a = Float32Array.from({ length: M * K }, () => rnd() * 2 - 1);
      const bb = Float32Array.from({ length: K * N }, () => rnd() * 2 - 1);
      const bias = Float32Array.from({ length: N }, () => rnd() - 0.5);
      const pa = heap.alloc(a.byteLength), pb = heap.alloc(bb.byteLength), pv = heap.alloc(bias.byteLength);
      const pc = heap.alloc(M * N * 4), p1 = heap.alloc(N * 4);
      heap.f32.set(a, pa.ptr / 4);
      heap.f32.set(bb, pb.ptr / 4);
      heap.f32.set(bias, pv.ptr / 4);
      const [rsA, csA] = tA ? [1, M] : [K, 1];
      const epi = M % 5 === 2;
      const sgemm = k.sgemm as unknown as (...args: number[]) => void;
      sgemm(M, N, K, pa.ptr, rsA, csA, pb.ptr, N, 1, pc.ptr, N, epi ? 2 : 0, gemmScratch, epi ? pv.ptr : 0);
      const all = heap.f32.slice(pc.ptr / 4, pc.ptr / 4 + M * N);
      for (let i = 0; i < M; i++) {
        sgemm(1, N, K, pa.ptr + 4 * i * rsA, rsA, csA, pb.ptr, N, 1, p1.ptr, N, epi ? 2 : 0, gemmScratch, epi ? pv.ptr : 0);
        const one = heap.f32.slice(p1.ptr / 4, p1.ptr / 4 + N);
        for (let j = 0; j < N; j++) {
          if (!Object.is(one[j], all[i * N + j])) {
            assert.fail(`${b.name} sgemm M=${M} N=${N} K=${K} tA=${tA}: C[${i},${j}] = ${all[i * N + j]} in the ${M}-row product, ${one[j]} alone`);
          }
        }
      }
      for (const p of [pa, pb, pv, pc, p1]) heap.free(p.ptr, p.size);
    }
  });

  test(`${b.name}: sgemm with K = 0 writes zeros, and keeps C when accumulating`, () => {
    const { kernels: k, heap, gemmScratch } = b.context;
    const c = heap.alloc(4 * 6);
    heap.f32.fill(7, c.ptr / 4, c.ptr / 4 + 6);
    k.sgemm(2, 3, 0, 0, 0, 0, 0, 0, 0, c.ptr, 3, 1, gemmScratch);
    assert.deepEqual([...heap.f32.subarray(c.ptr / 4, c.ptr / 4 + 6)], [7, 7, 7, 7, 7, 7]);
    k.sgemm(2, 3, 0, 0, 0, 0, 0, 0, 0, c.ptr, 3, 0, gemmScratch);
    assert.deepEqual([...heap.f32.subarray(c.ptr / 4, c.ptr / 4 + 6)], [0, 0, 0, 0, 0, 0]);
    heap.free(c.ptr, c.size);
  });

  test(`${b.name}: batched matmul with transposed, broadcast (stride 0) and flipped views vs the reference backend`, () => {
    const rnd = prng(5);
    const cases: { a: number[]; b: number[]; perm?: 'a' | 'b' | 'flip' | 'bcast' }[] = [
      { a: [3, 5, 7], b: [3, 7, 2] },
      { a: [2, 2, 9, 11], b: [2, 2, 11, 13], perm: 'a' },
      { a: [4, 6, 1], b: [4, 1, 5], perm: 'b' },
      { a: [3, 17, 3], b: [3, 3, 19], perm: 'flip' },
      { a: [5, 8, 10], b: [5, 10, 6], perm: 'bcast' },
    ];
    for (const cse of cases) {
      const na = cse.a.reduce((x, y) => x * y, 1), nb = cse.b.reduce((x, y) => x * y, 1);
      const av = Float32Array.from({ length: na }, () => rnd() * 2 - 1);
      const bv = Float32Array.from({ length: nb }, () => rnd() * 2 - 1);
      const r = cse.a.length;
      let al = { shape: cse.a, strides: contiguousStrides(cse.a), offset: 0 };
      let bl = { shape: cse.b, strides: contiguousStrides(cse.b), offset: 0 };
      if (cse.perm === 'a') {
        // Store A transposed in its last two dims and view it back.
        const st = contiguousStrides([...cse.a.slice(0, r - 2), cse.a[r - 1]!, cse.a[r - 2]!]);
        al = { shape: cse.a, strides: [...st.slice(0, r - 2), st[r - 1]!, st[r - 2]!], offset: 0 };
      } else if (cse.perm === 'b') {
        const st = contiguousStrides([...cse.b.slice(0, r - 2), cse.b[r - 1]!, cse.b[r - 2]!]);
        bl = { shape: cse.b, strides: [...st.slice(0, r - 2), st[r - 1]!, st[r - 2]!], offset: 0 };
      } else if (cse.perm === 'flip') {
        // Negative strides: A flipped along its rows.
        const st = contiguousStrides(cse.a);
        al = { shape: cse.a, strides: [st[0]!, -st[1]!, st[2]!], offset: (cse.a[1]! - 1) * st[1]! };
      } else if (cse.perm === 'bcast') {
        // B shared by every batch element (batch stride 0), as after expand().
        bl = { shape: cse.b, strides: [0, cse.b[2]!, 1], offset: 0 };
      }
      const run = (be: typeof referenceBackend) =>
        be.read(be.matmul(be.fromArray('float32', av), al, be.fromArray('float32', bv), bl, 'float32'),
          { shape: [...cse.a.slice(0, r - 1), cse.b[r - 1]!], strides: contiguousStrides([...cse.a.slice(0, r - 1), cse.b[r - 1]!]), offset: 0 });
      const want = run(referenceBackend), got = run(b);
      assert.equal(got.length, want.length);
      got.forEach((g, i) => assert.ok(Math.abs(g - want[i]!) <= 1e-4 * (1 + Math.abs(want[i]!)), `${JSON.stringify(cse)}: [${i}] ${g} vs ${want[i]}`));
    }
  });
}

// ---- the fused linear epilogue (bias + ReLU in sgemm's store) and the small-M split ----

/** sgemm with its epilogue arguments (kernels.ts may type the 13-argument form only). */
type SgemmEpi = (M: number, N: number, K: number, a: number, rsA: number, csA: number, b: number, rsB: number, csB: number,
  c: number, ldc: number, flags: number, scratch: number, bias: number) => void;

/** relu as the relu op (NaN stays NaN, -0 -> +0). */
const reluRef = (v: number) => (v > 0 ? v : Number.isNaN(v) ? v : 0);

/**
 * sgemm with bias and/or ReLU flags vs float64: C = relu?((acc ? C0 : 0) + A·B + bias).
 * `special` plants NaN/±Inf into A and the bias: they must propagate as in the unfused ops.
 */
function checkEpilogue(b: WasmBackend, M: number, N: number, K: number, bias: boolean, relu: boolean, accumulate: boolean, seed: number, special = false): void {
  const { kernels: k, heap, gemmScratch } = b.context;
  const rnd = prng(seed);
  const a = Float32Array.from({ length: M * K }, () => rnd() * 2 - 1);
  const bb = Float32Array.from({ length: K * N }, () => rnd() * 2 - 1);
  const bv = Float32Array.from({ length: N }, () => rnd() * 2 - 1);
  const c0 = Float32Array.from({ length: M * N }, () => rnd() * 2 - 1);
  if (special && K > 0) {
    a[0] = NaN;
    a[Math.min(M - 1, 1) * K] = Infinity;
    bv[N - 1] = -Infinity;
  }
  const pa = heap.alloc(Math.max(4, a.byteLength)), pb = heap.alloc(Math.max(4, bb.byteLength));
  const pc = heap.alloc(c0.byteLength), pv = heap.alloc(bv.byteLength);
  heap.f32.set(a, pa.ptr / 4);
  heap.f32.set(bb, pb.ptr / 4);
  heap.f32.set(c0, pc.ptr / 4);
  heap.f32.set(bv, pv.ptr / 4);
  (k.sgemm as unknown as SgemmEpi)(M, N, K, pa.ptr, K, 1, pb.ptr, N, 1, pc.ptr, N, (accumulate ? 1 : 0) | (relu ? 2 : 0), gemmScratch,
    bias ? pv.ptr : 0);
  const got = heap.f32.slice(pc.ptr / 4, pc.ptr / 4 + M * N);
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let s = accumulate ? c0[i * N + j]! : 0, mag = 1;
      for (let q = 0; q < K; q++) {
        const t = a[i * K + q]! * bb[q * N + j]!;
        s += t;
        mag += Math.abs(t);
      }
      if (bias) s += bv[j]!;
      if (relu) s = reluRef(s);
      const g = got[i * N + j]!;
      const ok = Number.isNaN(s) ? Number.isNaN(g) : !Number.isFinite(s) ? g === s : Math.abs(g - s) <= 1e-5 * mag && !(relu && g < 0);
      if (!ok) assert.fail(`${b.name} sgemm epilogue M=${M} N=${N} K=${K} bias=${bias} relu=${relu} acc=${accumulate}: C[${i},${j}] = ${g}, expected ${s}`);
    }
  }
  for (const p of [pa, pb, pc, pv]) heap.free(p.ptr, p.size);
}

for (const b of builds) {
  test(`${b.name}: sgemm epilogue (bias, ReLU) matches float64 on edge tiles, across KC blocks, with accumulate`, () => {
    let seed = 7000;
    for (const [M, N, K] of [[1, 1, 1], [4, 8, 3], [5, 9, 17], [13, 31, 64], [64, 10, 33], [3, 17, 257], [7, 2049, 2], [9, 12, 600]] as const) {
      for (const [bias, relu] of [[true, false], [false, true], [true, true]] as const) {
        checkEpilogue(b, M, N, K, bias, relu, false, seed++);
        checkEpilogue(b, M, N, K, bias, relu, seed % 3 === 0, seed++);
      }
    }
  });

  test(`${b.name}: sgemm epilogue propagates NaN and ±Inf (ReLU(NaN) = NaN), and applies to K = 0`, () => {
    for (const relu of [false, true]) {
      checkEpilogue(b, 6, 11, 5, true, relu, false, 71, true);
      checkEpilogue(b, 9, 16, 300, true, relu, false, 72, true);
      checkEpilogue(b, 3, 5, 0, true, relu, false, 73);
    }
  });

  test(`${b.name}: the 13-argument sgemm (no bias argument) stores the plain product`, () => {
    const { kernels: k, heap, gemmScratch } = b.context;
    const p = heap.alloc(4 * 4);
    heap.f32.set([-2, 3, 0.5, -1], p.ptr / 4);
    const c = heap.alloc(4 * 4);
    k.sgemm(2, 2, 1, p.ptr, 1, 1, p.ptr + 8, 2, 1, c.ptr, 2, 0, gemmScratch); // [-2, 3]ᵀ · [0.5, -1]
    assert.deepEqual([...heap.f32.subarray(c.ptr / 4, c.ptr / 4 + 4)], [-1, 2, 1.5, -3]);
    heap.free(p.ptr, p.size);
    heap.free(c.ptr, c.size);
  });
}

/** Backends at 1, 2 and 3 threads (shared memory permitting): small-M splits must give the same bits. */
const byThreads = await Promise.all([1, 2, 3].map((threads) => createWasmBackend({ name: `wasm-gemm-t${threads}`, threads })));
const threadedOk = byThreads[2]!.sharedMemory;

test('small-M matmul and the fused linear epilogue: bit-identical at 1, 2 and 3 threads, and match the reference', { skip: !threadedOk && 'no shared memory' }, () => {
  const rnd = prng(4242);
  // MLP/LeNet shapes (M = 64 rows, column blocks of unequal width), a transposed operand, a tall one (row split).
  const cases: [number, number, number, boolean, boolean][] = [
    [64, 256, 784, false, true], [64, 120, 400, false, true], [64, 400, 120, false, false], [100, 203, 97, true, false],
    [128, 129, 70, false, true], [256, 60, 100, true, false], [17, 1000, 64, false, false],
  ];
  // Count sgemm chunks per pool job at 3 threads: a small-M product is cut into exactly 3 column blocks.
  const pool3 = byThreads[2]!.context.pool, call3 = pool3.call.bind(pool3);
  let sgemmChunks = 0;
  pool3.call = (fn: number, ...args: number[]) => {
    if (fn === FN.sgemm) sgemmChunks++;
    call3(fn, ...args);
  };
  for (const [M, N, K, tA, tB] of cases) {
    sgemmChunks = 0;
    const av = Float32Array.from({ length: M * K }, () => rnd() * 2 - 1);
    const bv = Float32Array.from({ length: K * N }, () => rnd() * 2 - 1);
    const biasV = Float32Array.from({ length: N }, () => rnd() * 2 - 1);
    const al = { shape: [M, K], strides: tA ? [1, M] : [K, 1], offset: 0 };
    const bl = { shape: [K, N], strides: tB ? [1, K] : [N, 1], offset: 0 };
    const outs = byThreads.map((be) => {
      const y = be.matmul(be.fromArray('float32', av), al, be.fromArray('float32', bv), bl, 'float32');
      return [...be.read(y, { shape: [M * N], strides: [1], offset: 0 })];
    });
    if (M <= 128 && N / 8 >= M / 4) assert.equal(sgemmChunks, 3, `matmul ${M}x${N}x${K}: one column block per thread`);
    else assert.ok(sgemmChunks > 3, `matmul ${M}x${N}x${K}: a few blocks per thread (${sgemmChunks})`);
    for (let t = 1; t < outs.length; t++) assert.deepEqual(outs[t], outs[0], `matmul ${M}x${N}x${K}: ${t + 1} threads differ from 1`);
    const want = referenceBackend.read(referenceBackend.matmul(referenceBackend.fromArray('float32', av), al,
      referenceBackend.fromArray('float32', bv), bl, 'float32'), { shape: [M * N], strides: [1], offset: 0 });
    outs[0]!.forEach((g, i) => assert.ok(Math.abs(g - want[i]!) <= 1e-4 * (1 + Math.abs(want[i]!)), `matmul ${M}x${N}x${K} [${i}]`));
    if (tA) continue;
    // The fused linear layer relu(x·wᵀ + b): x = A [M, K], w [N, K] (B's transpose, stored row-major).
    const w = new Float32Array(N * K);
    for (let q = 0; q < K; q++) for (let j = 0; j < N; j++) w[j * K + q] = bv[tB ? q + j * K : q * N + j]!;
    const fused = byThreads.map((be) => {
      const y = be.fused.linearEpilogue!(be.fromArray('float32', av), be.fromArray('float32', w), be.fromArray('float32', biasV), M, K, N, true)!;
      return [...be.read(y, { shape: [M * N], strides: [1], offset: 0 })];
    });
    for (let t = 1; t < fused.length; t++) assert.deepEqual(fused[t], fused[0], `linear ${M}x${N}x${K}: ${t + 1} threads differ from 1`);
    // Bit for bit the unfused matmul, + bias, ReLU (when B is w's transposed view, as linear computes it).
    if (tB) fused[0]!.forEach((g, i) => assert.equal(g, Math.max(Math.fround(outs[0]![i]! + biasV[i % N]!), 0), `linear [${i}]`));
  }
  pool3.call = call3;
});
