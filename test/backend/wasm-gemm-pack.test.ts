/**
 * sgemmPackB's packed layout, byte for byte: panel p (columns p*8..p*8+8) at
 * dst + p*8*kc floats, per k the 8 values B[k, p*8..p*8+8], zero-padded past
 * nc. Covers the row-major fast path (four panels per pass, then single
 * panels) with row strides that are a power of two (1024: the case it was
 * written for), odd, negative (a flipped view) and zero (a broadcast row),
 * and the column-major and general strided paths, for nc on both sides of
 * every multiple of 8 and 32.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createWasmBackend, type WasmBackend } from '../../src/backend/wasm/index.js';
import { prng } from '../helpers/prng.js';

const builds: WasmBackend[] = [await createWasmBackend({ variant: 'simd', name: 'wasm-simd' })];
const relaxed = await createWasmBackend({ variant: 'relaxed', name: 'wasm-relaxed' }).catch(() => null);
if (relaxed) builds.push(relaxed);

const NR = 8;

/** The packed block as sgemm lays it out, from a plain array and element strides. */
function packedReference(src: Float32Array, base: number, kc: number, nc: number, rsB: number, csB: number): Float32Array {
  const panels = Math.ceil(nc / NR);
  const out = new Float32Array(panels * NR * kc);
  for (let p = 0; p < panels; p++) {
    for (let k = 0; k < kc; k++) {
      for (let c = 0; c < NR; c++) {
        const j = p * NR + c;
        out[(p * kc + k) * NR + c] = j < nc ? src[base + k * rsB + j * csB]! : 0;
      }
    }
  }
  return out;
}

for (const b of builds) {
  test(`${b.name}: sgemmPackB lays out every panel as sgemm reads it, for any strides`, () => {
    const { kernels: k, heap } = b.context;
    const rnd = prng(11);
    const cases: { kc: number; nc: number; rsB: number; csB: number }[] = [];
    for (const nc of [1, 7, 8, 9, 24, 31, 32, 33, 40, 63, 64, 65, 100]) {
      for (const kc of [1, 3, 17]) {
        cases.push({ kc, nc, rsB: nc, csB: 1 }); // contiguous rows
        cases.push({ kc, nc, rsB: 1024, csB: 1 }); // power-of-two row stride
        cases.push({ kc, nc, rsB: nc + 5, csB: 1 }); // padded rows
        cases.push({ kc, nc, rsB: -(nc + 3), csB: 1 }); // flipped rows
        cases.push({ kc, nc, rsB: 0, csB: 1 }); // one row broadcast over k
        cases.push({ kc, nc, rsB: 1, csB: kc }); // column-major (a transposed view)
        cases.push({ kc, nc, rsB: 2 * nc + 1, csB: 2 }); // every other column
      }
    }
    cases.push({ kc: 256, nc: 1024, rsB: 1024, csB: 1 }, { kc: 256, nc: 1000, rsB: 1000, csB: 1 });
    for (const { kc, nc, rsB, csB } of cases) {
      // Elements reachable from `base`: rows 0..kc-1 at rsB (maybe negative), columns 0..nc-1 at csB.
      const rowSpan = Math.abs(rsB) * (kc - 1), colSpan = csB * (nc - 1);
      const length = rowSpan + colSpan + 1;
      const base = rsB < 0 ? rowSpan : 0;
      const src = Float32Array.from({ length }, () => rnd() * 2 - 1);
      const want = packedReference(src, base, kc, nc, rsB, csB);
      const ps = heap.alloc(src.byteLength), pd = heap.alloc(want.byteLength + 64);
      heap.f32.set(src, ps.ptr / 4);
      heap.f32.fill(Number.NaN, pd.ptr / 4, (pd.ptr + want.byteLength + 64) / 4); // dirty: padding must be written as 0
      k.sgemmPackB(kc, nc, ps.ptr + 4 * base, rsB, csB, pd.ptr);
      const got = heap.f32.slice(pd.ptr / 4, pd.ptr / 4 + want.length);
      for (let i = 0; i < want.length; i++) {
        if (!Object.is(got[i], want[i])) {
          const p = Math.floor(i / (NR * kc)), r = i % (NR * kc);
          assert.fail(`kc=${kc} nc=${nc} rsB=${rsB} csB=${csB}: panel ${p}, k ${Math.floor(r / NR)}, column ${r % NR}: got ${got[i]}, expected ${want[i]}`);
        }
      }
      assert.ok(Number.isNaN(heap.f32[pd.ptr / 4 + want.length]), 'nothing written past the packed block');
      heap.free(ps.ptr, ps.size);
      heap.free(pd.ptr, pd.size);
    }
  });
}
