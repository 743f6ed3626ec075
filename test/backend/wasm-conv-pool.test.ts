/**
 * The 2×2 / stride-2 max pooling kernel (maxPool2dF32's vector path, which
 * redoes a row's last four windows instead of a scalar tail) and the conv
 * epilogue that pools through it, on both wasm builds (the relaxed one
 * selects with relaxed_laneselect), against the reference: every output
 * width 1..15 with odd and even input sizes, ties (first tap wins), NaN
 * (propagates, with the index of the last NaN tap, as PyTorch), ±Infinity,
 * with and without indices; the fused conv + bias + ReLU + pool on LeNet's
 * conv1 shape (1 → 6 channels, 5×5, padding 2) and odd widths, where ReLU
 * zeros make exact ties. Values are small integers so that the wasm and
 * reference convolutions agree exactly and indices can be compared exactly.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Backend, ConvParams, PoolParams, Storage } from '../../src/backend/backend.js';
import { convPool2x2Params } from '../../src/backend/backend.js';
import { createWasmBackend, type WasmBackend } from '../../src/backend/wasm/index.js';
import { fallbackCounts } from '../../src/backend/wasm/fallback.js';
import { referenceBackend } from '../../src/backend/reference/index.js';
import { prng } from '../helpers/prng.js';

const flat = (n: number) => ({ shape: [n], strides: [1], offset: 0 });
const readAll = (b: Backend, s: Storage): number[] => Array.from(b.read(s, flat(s.length)));

/** Small integers (many ties), with NaN and ±Infinity sprinkled in when `specials`. */
function ints(rnd: () => number, n: number, specials: boolean): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const u = rnd();
    a[i] = specials && u < 0.04 ? NaN : specials && u < 0.07 ? (u < 0.055 ? Infinity : -Infinity) : Math.round(rnd() * 6) - 3;
  }
  return a;
}

/** Equal element by element, NaN equal to NaN (Object.is, but -0 == +0). */
function same(got: number[], want: number[], what: string): void {
  assert.equal(got.length, want.length, what);
  for (let i = 0; i < got.length; i++) {
    const g = got[i]!, w = want[i]!;
    if (!(g === w || (Number.isNaN(g) && Number.isNaN(w)))) assert.fail(`${what}: [${i}] = ${g}, expected ${w}`);
  }
}

function pool2x2(batch: number, channels: number, H: number, W: number): PoolParams {
  return {
    batch, channels, inSize: [1, H, W], kernelSize: [1, 2, 2], outSize: [1, Math.floor(H / 2), Math.floor(W / 2)],
    stride: [1, 2, 2], padding: [0, 0, 0], dilation: [1, 1, 1],
  };
}

function conv2d(batch: number, cin: number, cout: number, h: number, w: number, k: number, pad: number): ConvParams {
  return {
    batch, inChannels: cin, outChannels: cout, groups: 1, inSize: [1, h, w], kernelSize: [1, k, k],
    outSize: [1, h + 2 * pad - k + 1, w + 2 * pad - k + 1], stride: [1, 1, 1], padding: [0, pad, pad], dilation: [1, 1, 1],
  };
}

const builds: WasmBackend[] = [await createWasmBackend({ variant: 'simd', name: 'wasm-simd' })];
const relaxed = await createWasmBackend({ variant: 'relaxed', name: 'wasm-relaxed' }).catch(() => null);
if (relaxed) builds.push(relaxed);

for (const b of builds) {
  test(`${b.name}: 2x2 max pooling, every output width 1..15, ties, NaN, Infinity, with and without indices`, () => {
    const rnd = prng(151);
    fallbackCounts.clear();
    for (let oW = 1; oW <= 15; oW++) {
      for (const [H, W] of [[2, 2 * oW], [5, 2 * oW + 1], [4, 2 * oW + 1], [3, 2 * oW]] as const) {
        const p = pool2x2(2, 3, H, W);
        const xv = ints(rnd, 6 * H * W, true);
        const run = (be: Backend) => {
          const r = be.maxPool(be.fromArray('float32', xv), p);
          const bare = be.maxPool(be.fromArray('float32', xv), p, false);
          return [readAll(be, r.out), readAll(be, r.indices!), readAll(be, bare.out)];
        };
        const [go, gi, gb] = run(b), [wo, wi] = run(referenceBackend);
        const what = `${b.name} maxPool 2x2 H=${H} W=${W}`;
        same(go!, wo!, `${what} values`);
        same(gi!, wi!, `${what} indices`);
        same(gb!, wo!, `${what} values without indices`);
      }
    }
    assert.equal(fallbackCounts.size, 0, 'maxPool ran in wasm');
  });

  test(`${b.name}: conv + bias + ReLU + 2x2 pool (fused) on few channels and odd widths`, () => {
    const rnd = prng(152);
    fallbackCounts.clear();
    const cases = [
      conv2d(1, 1, 6, 28, 28, 5, 2), // LeNet conv1, batch 1
      conv2d(3, 1, 6, 13, 17, 5, 2), // odd output sizes: the last row and column are not pooled
      conv2d(2, 6, 16, 14, 14, 5, 0), // LeNet conv2
      conv2d(2, 2, 3, 9, 11, 3, 1), // pooled width 5: one vector, then the overlapping last four
      conv2d(1, 3, 6, 10, 12, 5, 2), // pooled width 6
    ];
    for (const p of cases) {
      for (const nan of [false, true]) {
        const xv = ints(rnd, p.batch * p.inChannels * p.inSize[1] * p.inSize[2], false);
        if (nan) xv[Math.floor(rnd() * xv.length)] = NaN;
        const wv = ints(rnd, p.outChannels * p.inChannels * 25, false).subarray(0, p.outChannels * p.inChannels * p.kernelSize[1] * p.kernelSize[2]);
        const bv = ints(rnd, p.outChannels, false);
        const pp = convPool2x2Params(p);
        const n = p.batch * p.outChannels * pp.outSize[1] * pp.outSize[2];
        // The definition: the reference conv, + bias, ReLU (NaN stays NaN), then the reference pooling.
        const y = readAll(referenceBackend, referenceBackend.conv(referenceBackend.fromArray('float32', xv), referenceBackend.fromArray('float32', wv), p));
        const S = p.outSize[1] * p.outSize[2];
        const act = y.map((v, i) => {
          const t = v + bv[Math.floor(i / S) % p.outChannels]!;
          return t > 0 ? t : Number.isNaN(t) ? t : 0;
        });
        const ref = referenceBackend.maxPool(referenceBackend.fromArray('float32', Float32Array.from(act)), pp);
        const [wo, wi] = [readAll(referenceBackend, ref.out), readAll(referenceBackend, ref.indices!)];
        const idx = b.alloc('int32', n);
        const args = [b.fromArray('float32', xv), b.fromArray('float32', wv)] as const;
        const bias = b.fromArray('float32', bv);
        const got = b.fused.convEpilogue!(...args, p, { bias, relu: true, pool2x2: true, poolIndices: idx })!;
        const bare = b.fused.convEpilogue!(...args, p, { bias, relu: true, pool2x2: true })!;
        const what = `${b.name} fused conv pool ${JSON.stringify(p)} nan=${nan}`;
        same(readAll(b, got), wo, `${what} values`);
        same(readAll(b, idx), wi, `${what} indices`);
        same(readAll(b, bare), wo, `${what} values without indices`);
      }
    }
    assert.equal([...fallbackCounts.keys()].filter((k) => k.startsWith('conv') || k.startsWith('maxPool')).length, 0);
  });
}
