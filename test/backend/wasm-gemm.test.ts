/**
 * The wasm GEMM against a float64 triple loop: every edge tile (M, N, K in
 * 1..67 with primes, sizes around the MR=4/NR=8/KC=256 block edges), every
 * transpose combination, accumulate mode, zero and negative strides, and the
 * batched matmul of the backend vs the reference backend. Both builds
 * (relaxed SIMD and baseline SIMD) when the engine supports them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createWasmBackend, type WasmBackend } from '../../src/backend/wasm/index.js';
import { referenceBackend } from '../../src/backend/reference/index.js';
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
    for (const [M, N, K] of [[65, 9, 257], [3, 2049, 5], [130, 17, 513], [1, 1, 300]] as const) {
      for (const t of [[false, false], [true, true]] as const) checkGemm(b, M, N, K, t[0], t[1], false, M + N + K);
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
