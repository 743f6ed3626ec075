/**
 * sgemm reads a row-major B in place (no packing) when M is small
 * (assembly/gemm.ts DIRECT_B_MAX_M, directB). That path must give the same
 * bits as the packed one (GEMM_PACK_B forces packing): random shapes around
 * the tile and block edges (N not a multiple of 8, M not a multiple of 4,
 * K > KC, N > NC), B rows wider than N, accumulate, bias and ReLU, and the
 * strides that are not row-major (zero, negative, transposed), which pack
 * either way. Plus one float64 check of the in-place path itself.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createWasmBackend, type WasmBackend } from '../../src/backend/wasm/index.js';
import { prng } from '../helpers/prng.js';

const builds: WasmBackend[] = [await createWasmBackend({ variant: 'simd', name: 'wasm-simd' })];
const relaxed = await createWasmBackend({ variant: 'relaxed', name: 'wasm-relaxed' }).catch(() => null);
if (relaxed) builds.push(relaxed);

/** sgemm with its epilogue argument. */
type Sgemm = (M: number, N: number, K: number, a: number, rsA: number, csA: number, b: number, rsB: number, csB: number,
  c: number, ldc: number, flags: number, scratch: number, bias: number) => void;

const ACCUMULATE = 1, RELU = 2, PACK_B = 4;

interface Case { M: number; N: number; K: number; ldb: number; flags: number; bias: boolean; layout: 'row' | 'zero' | 'neg' | 'trans' }

/** Runs `cs` with and without GEMM_PACK_B on the same inputs; returns both results (and the inputs for a float64 check). */
function both(b: WasmBackend, cs: Case, seed: number) {
  const { kernels: k, heap, gemmScratch } = b.context;
  const { M, N, K, ldb } = cs;
  const rnd = prng(seed);
  const a = Float32Array.from({ length: M * K }, () => rnd() * 2 - 1);
  // B's storage: K rows of ldb (row-major, zero, negative) or N rows of K (transposed).
  const bLen = cs.layout === 'trans' ? N * K : K * ldb;
  const bb = Float32Array.from({ length: Math.max(1, bLen) }, () => rnd() * 2 - 1);
  const bv = Float32Array.from({ length: N }, () => rnd() * 2 - 1);
  const c0 = Float32Array.from({ length: M * N }, () => rnd() * 2 - 1);
  const pa = heap.alloc(Math.max(4, a.byteLength)), pb = heap.alloc(bb.byteLength);
  const pc = heap.alloc(c0.byteLength), pv = heap.alloc(bv.byteLength);
  heap.f32.set(a, pa.ptr / 4);
  heap.f32.set(bb, pb.ptr / 4);
  heap.f32.set(bv, pv.ptr / 4);
  // Element (k, j) of B at b0 + k*rsB + j*csB (elements).
  const [b0, rsB, csB] = {
    row: [0, ldb, 1], zero: [0, 0, 1], neg: [(K - 1) * ldb, -ldb, 1], trans: [0, 1, K],
  }[cs.layout];
  const run = (flags: number) => {
    heap.f32.set(c0, pc.ptr / 4);
    (k.sgemm as unknown as Sgemm)(M, N, K, pa.ptr, K, 1, pb.ptr + 4 * b0, rsB, csB, pc.ptr, N, flags, gemmScratch, cs.bias ? pv.ptr : 0);
    return heap.f32.slice(pc.ptr / 4, pc.ptr / 4 + M * N);
  };
  const direct = run(cs.flags), packed = run(cs.flags | PACK_B);
  for (const p of [pa, pb, pc, pv]) heap.free(p.ptr, p.size);
  return { direct, packed, a, bb, bv, c0, b0, rsB, csB };
}

const bitsEqual = (x: Float32Array, y: Float32Array) => {
  const u = new Uint32Array(x.buffer, x.byteOffset, x.length), v = new Uint32Array(y.buffer, y.byteOffset, y.length);
  for (let i = 0; i < u.length; i++) if (u[i] !== v[i]) return i;
  return -1;
};

for (const b of builds) {
  test(`${b.name}: sgemm reading a row-major B in place gives the packed path's bits`, () => {
    const rnd = prng(1234);
    const pick = <T>(xs: T[]) => xs[Math.floor(rnd() * xs.length)]!;
    const cases: Case[] = [
      // The fixed edges first: K > KC (512), N > NC (1024) with a partial last panel, M at and around the limit (32).
      { M: 32, N: 2051, K: 600, ldb: 2051, flags: 0, bias: false, layout: 'row' },
      { M: 33, N: 100, K: 20, ldb: 100, flags: 0, bias: false, layout: 'row' },
      { M: 1, N: 7, K: 1, ldb: 7, flags: 0, bias: false, layout: 'row' },
      { M: 5, N: 520, K: 513, ldb: 600, flags: ACCUMULATE | RELU, bias: true, layout: 'row' },
      { M: 6, N: 784, K: 25, ldb: 784, flags: RELU, bias: true, layout: 'row' },
    ];
    for (let i = 0; i < 60; i++) {
      const N = pick([1, 3, 7, 8, 9, 15, 16, 17, 63, 100, 120, 257, 400, 784]);
      cases.push({
        M: pick([1, 2, 3, 4, 5, 7, 8, 13, 16, 31, 32, 33, 64]), N, K: pick([1, 2, 5, 17, 120, 256, 257, 300, 513]),
        ldb: N + pick([0, 0, 1, 5, 8]), flags: pick([0, ACCUMULATE, RELU, ACCUMULATE | RELU]), bias: rnd() < 0.5,
        layout: pick(['row', 'row', 'row', 'zero', 'neg', 'trans']),
      });
    }
    cases.forEach((cs, i) => {
      const { direct, packed } = both(b, cs, 100 + i);
      const at = bitsEqual(direct, packed);
      assert.equal(at, -1, `${JSON.stringify(cs)}: C[${at}] ${direct[at]} (in place) vs ${packed[at]} (packed)`);
    });
  });

  test(`${b.name}: sgemm with B in place matches float64 (bias, ReLU, accumulate, partial panel)`, () => {
    const cs: Case = { M: 7, N: 29, K: 270, ldb: 33, flags: ACCUMULATE | RELU, bias: true, layout: 'row' };
    const { direct, a, bb, bv, c0, b0, rsB, csB } = both(b, cs, 7);
    for (let i = 0; i < cs.M; i++) {
      for (let j = 0; j < cs.N; j++) {
        let s = c0[i * cs.N + j]!, mag = 1;
        for (let q = 0; q < cs.K; q++) {
          const t = a[i * cs.K + q]! * bb[b0 + q * rsB + j * csB]!;
          s += t;
          mag += Math.abs(t);
        }
        s += bv[j]!;
        s = s > 0 ? s : 0;
        const g = direct[i * cs.N + j]!;
        assert.ok(Math.abs(g - s) <= 1e-5 * mag, `C[${i},${j}] = ${g}, expected ${s}`);
      }
    }
  });
}
