/**
 * The Winograd F(2×2, 3×3) and F(4×4, 3×3) convolution kernels
 * (assembly/conv-winograd.ts, conv-winograd4.ts, conv-winograd4-weight.ts,
 * src/backend/wasm/conv-winograd.ts)
 * on both wasm builds, against the reference backend: the forward pass
 * (plain; + bias + ReLU; + 2×2 max pooling with indices), the input gradient
 * and the weight gradient, with padding 0, 1 and 2, output widths 8 to 48
 * (half-filled last panels of 8 tiles), channel counts that leave partial
 * blocks of 4 (and of 3 in the weight gradient). Values are small integers
 * (F(4×4): weights multiples of 576), so that every transform, product and
 * sum is exact and the results must equal the reference's exactly; F(4×4)
 * on real-valued data stays within 1e-5 of the terms' magnitudes. NaN inputs
 * make NaN exactly where the reference has NaN; an Infinity may come out as
 * NaN (the transforms add and subtract it), but never outside the outputs
 * whose windows hold it (F(4×4) would spread it over its tiles, so such an
 * input is recomputed by F(2×2)). The path must be the one taken (its
 * kernels appear in pool jobs), and only where it applies.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Backend, ConvParams, Storage } from '../../src/backend/backend.js';
import { convPool2x2Params } from '../../src/backend/backend.js';
import { createWasmBackend, type WasmBackend } from '../../src/backend/wasm/index.js';
import { KERNEL_NAMES } from '../../src/backend/wasm/threads.js';
import { winogradSwitch } from '../../src/backend/wasm/conv-winograd.js';
import { referenceBackend as R } from '../../src/backend/reference/index.js';
import { prng } from '../helpers/prng.js';

const flat = (n: number) => ({ shape: [n], strides: [1], offset: 0 });
const readAll = (b: Backend, s: Storage): number[] => Array.from(b.read(s, flat(s.length)));

function conv3x3(batch: number, cin: number, cout: number, h: number, w: number, pad: number): ConvParams {
  return {
    batch, inChannels: cin, outChannels: cout, groups: 1, inSize: [1, h, w], kernelSize: [1, 3, 3],
    outSize: [1, h + 2 * pad - 2, w + 2 * pad - 2], stride: [1, 1, 1], padding: [0, pad, pad], dilation: [1, 1, 1],
  };
}

/** Small integers in [-3, 3]. */
function ints(rnd: () => number, n: number): Float32Array {
  return Float32Array.from({ length: n }, () => Math.round(rnd() * 6) - 3);
}

/** Equal element by element, NaN equal to NaN, -0 equal to +0. */
function same(got: number[], want: number[], what: string): void {
  assert.equal(got.length, want.length, what);
  for (let i = 0; i < got.length; i++) {
    const g = got[i]!, w = want[i]!;
    if (!(g === w || (Number.isNaN(g) && Number.isNaN(w)))) assert.fail(`${what}: [${i}] = ${g}, expected ${w}`);
  }
}

/** Kernel names put in pool jobs while `f` runs on backend b. */
function poolKernels(b: WasmBackend, f: () => void): Set<string> {
  const pool = b.context.pool;
  const call = pool.call;
  const seen = new Set<string>();
  pool.call = function (this: typeof pool, fn: number, ...args: number[]) {
    seen.add(KERNEL_NAMES[fn]!);
    return call.call(this, fn, ...args);
  } as typeof pool.call;
  try {
    f();
  } finally {
    pool.call = call;
  }
  return seen;
}

// Which passes each case runs by Winograd: the forward pass needs an output of even height and a width a multiple
// of 8, the input gradient the same of the input, the weight gradient also >= 32 channels each way. F(4x4, 3x3)
// takes those whose height is a multiple of 4 and width a multiple of 16.
const CASES: { p: ConvParams; fwd: boolean; input: boolean; weight: boolean }[] = [
  { p: conv3x3(4, 32, 32, 8, 8, 1), fwd: true, input: true, weight: true },
  { p: conv3x3(3, 33, 34, 10, 18, 0), fwd: true, input: false, weight: true }, // channel blocks of 4 and 3 with remainders
  { p: conv3x3(2, 17, 19, 6, 22, 2), fwd: true, input: false, weight: false }, // 8 x 24 outputs: 12 tiles a row (half panels)
  { p: conv3x3(2, 16, 20, 8, 16, 0), fwd: false, input: true, weight: false }, // input gradient padded by 2 (F4)
  { p: conv3x3(2, 20, 16, 8, 24, 2), fwd: false, input: true, weight: false }, // input gradient cropped by 0, 12 tiles a row
  { p: conv3x3(2, 16, 16, 16, 16, 1), fwd: true, input: true, weight: false }, // F4 both ways: 4 tiles a row, 2 rows a panel
  { p: conv3x3(2, 17, 19, 12, 16, 1), fwd: true, input: true, weight: false }, // F4: 3 tile rows of 4 (a half panel), blocks of 4 and 3
  { p: conv3x3(1, 18, 21, 4, 48, 1), fwd: true, input: true, weight: false }, // F4: 12 tiles in one row (a half panel)
  { p: conv3x3(2, 16, 18, 10, 34, 0), fwd: true, input: false, weight: false }, // F4 forward, padding 0: 8 x 32 outputs
  { p: conv3x3(2, 32, 35, 16, 16, 1), fwd: true, input: true, weight: true }, // F4 all three: channel blocks of 3 with a remainder
];

/** Whether F(4x4) applies to an output of h x w. */
const f4Shape = (h: number, w: number) => h % 4 === 0 && w % 16 === 0;

const builds: WasmBackend[] = [await createWasmBackend({ variant: 'simd', name: 'wasm-simd' })];
const relaxed = await createWasmBackend({ variant: 'relaxed', name: 'wasm-relaxed' }).catch(() => null);
if (relaxed) builds.push(relaxed);

/** Runs f with F(4x4) on or off, restoring the switch. */
function withF4<T>(on: boolean, f: () => T): T {
  const was = winogradSwitch.f4;
  winogradSwitch.f4 = on;
  try {
    return f();
  } finally {
    winogradSwitch.f4 = was;
  }
}

// F(2x2)'s transforms have coefficients ±1 and ½ (in G), F(4x4)'s up to 1/24 in G: with weights that are small
// multiples of 576 = 24², G·g·Gᵀ is an integer too, and every value along the way stays far below 2^24.
const MODES = [
  { f4: false, kernel: 'wgConv', wScale: 1, range: 3 },
  { f4: true, kernel: 'wg4Conv', wScale: 576, range: 1 },
] as const;

for (const b of builds) {
  for (const mode of MODES) {
    test(`${b.name}: Winograd ${mode.f4 ? 'F(4x4)' : 'F(2x2)'} forward, input and weight gradients equal the reference exactly on integer data`, () => {
      const rnd = prng(mode.f4 ? 164 : 161);
      const small = (n: number, scale: number) => Float32Array.from({ length: n }, () => scale * (Math.round(rnd() * 2 * mode.range) - mode.range));
      for (const { p, fwd, input, weight } of CASES) {
        const [, H, W] = p.inSize, [, oH, oW] = p.outSize;
        const fwd4 = fwd && f4Shape(oH, oW), input4 = input && f4Shape(H, W);
        const xv = small(p.batch * p.inChannels * H * W, 1), wv = small(p.outChannels * p.inChannels * 9, mode.wScale);
        const gv = small(p.batch * p.outChannels * oH * oW, 1), bv = small(p.outChannels, 1);
        const what = `${b.name} ${JSON.stringify([p.batch, p.inChannels, p.outChannels, H, W, p.padding[1]])}`;
        const ref = readAll(R, R.conv(R.fromArray('float32', xv), R.fromArray('float32', wv), p));
        const x = b.fromArray('float32', xv), w = b.fromArray('float32', wv), gy = b.fromArray('float32', gv);
        let y: Storage | null = null, gx: Storage | null = null, gw: Storage | null = null;
        withF4(mode.f4, () => {
          const f = poolKernels(b, () => (y = b.conv(x, w, p)));
          assert.equal(f.has('wg4Conv'), mode.f4 && fwd4, `${what}: F(4x4) forward`);
          assert.equal(f.has('wgConv'), fwd && !(mode.f4 && fwd4), `${what}: F(2x2) forward`);
          const i = poolKernels(b, () => (gx = b.convBackwardInput(gy, w, p)));
          assert.equal(i.has('wg4Conv'), mode.f4 && input4, `${what}: F(4x4) input gradient`);
          assert.equal(i.has('wgConv'), input && !(mode.f4 && input4), `${what}: F(2x2) input gradient`);
          const wk = poolKernels(b, () => (gw = b.convBackwardWeight(x, gy, p)));
          const weight4 = mode.f4 && weight && f4Shape(oH, oW);
          assert.equal(wk.has('wg4BwdW'), weight4, `${what}: F(4x4) weight gradient`);
          assert.equal(wk.has('wgBwdW'), weight && !weight4, `${what}: F(2x2) weight gradient`);
        });
        same(readAll(b, y!), ref, `${what} forward`);
        same(readAll(b, gx!), readAll(R, R.convBackwardInput(R.fromArray('float32', gv), R.fromArray('float32', wv), p)), `${what} input gradient`);
        same(readAll(b, gw!), readAll(R, R.convBackwardWeight(R.fromArray('float32', xv), R.fromArray('float32', gv), p)), `${what} weight gradient`);
        // + bias, ReLU (ties at zero), then the 2x2 pooling with its indices.
        const S = oH * oW;
        const act = ref.map((v, i) => Math.max(v + bv[Math.floor(i / S) % p.outChannels]!, 0));
        const bias = b.fromArray('float32', bv);
        withF4(mode.f4, () => {
          same(readAll(b, b.fused.convEpilogue!(x, w, p, { bias, relu: true })!), act, `${what} + bias + ReLU`);
          const pooled = R.maxPool(R.fromArray('float32', Float32Array.from(act)), convPool2x2Params(p));
          const pp = convPool2x2Params(p);
          const idx = b.alloc('int32', p.batch * p.outChannels * pp.outSize[1] * pp.outSize[2]);
          const out = b.fused.convEpilogue!(x, w, p, { bias, relu: true, pool2x2: true, poolIndices: idx })!;
          same(readAll(b, out), readAll(R, pooled.out), `${what} + bias + ReLU + pool values`);
          same(readAll(b, idx), readAll(R, pooled.indices!), `${what} pool indices`);
        });
      }
    });
  }

  test(`${b.name}: Winograd F(4x4) on real-valued data: all three passes within 1e-5 of the sum of the terms' magnitudes`, () => {
    // The transforms' larger constants cost accuracy: measured worst |error| / Σ|terms| 2-3.4e-6 (F(2x2): 1e-7) on
    // 16-64 channels, weight gradients 1-5e-7; the bound leaves room, and a wrong transform coefficient is off by far more.
    const rnd = prng(165);
    for (const p of [conv3x3(2, 32, 32, 32, 32, 1), conv3x3(2, 64, 64, 16, 16, 1), conv3x3(1, 48, 40, 16, 48, 1)]) {
      const [, H, W] = p.inSize, [, oH, oW] = p.outSize;
      const xv = Float32Array.from({ length: p.batch * p.inChannels * H * W }, () => rnd() * 2 - 1);
      const wv = Float32Array.from({ length: p.outChannels * p.inChannels * 9 }, () => (rnd() * 2 - 1) / Math.sqrt(p.inChannels * 9));
      const gv = Float32Array.from({ length: p.batch * p.outChannels * oH * oW }, () => rnd() * 2 - 1);
      const check = (got: number[], want: number[], mags: number[], what: string) => {
        for (let i = 0; i < want.length; i++) {
          const err = Math.abs(got[i]! - want[i]!) / mags[i]!;
          if (!(err <= 1e-5)) assert.fail(`${what}: [${i}] = ${got[i]}, reference ${want[i]} (error ${err.toExponential(2)} of the terms' magnitude)`);
        }
      };
      const abs = (v: Float32Array) => R.fromArray('float32', v.map(Math.abs));
      const what = `${b.name} ${JSON.stringify([p.batch, p.inChannels, p.outChannels, H, W])}`;
      const x = b.fromArray('float32', xv), w = b.fromArray('float32', wv), gy = b.fromArray('float32', gv);
      const [y, gx, gw] = withF4(true, () => [readAll(b, b.conv(x, w, p)), readAll(b, b.convBackwardInput(gy, w, p)), readAll(b, b.convBackwardWeight(x, gy, p))]);
      check(y!, readAll(R, R.conv(R.fromArray('float32', xv), R.fromArray('float32', wv), p)), readAll(R, R.conv(abs(xv), abs(wv), p)), `${what} forward`);
      check(gx!, readAll(R, R.convBackwardInput(R.fromArray('float32', gv), R.fromArray('float32', wv), p)),
        readAll(R, R.convBackwardInput(abs(gv), abs(wv), p)), `${what} input gradient`);
      check(gw!, readAll(R, R.convBackwardWeight(R.fromArray('float32', xv), R.fromArray('float32', gv), p)),
        readAll(R, R.convBackwardWeight(abs(xv), abs(gv), p)), `${what} weight gradient`);
    }
  });

  test(`${b.name}: Winograd NaN and Infinity inputs stay within the outputs whose windows hold them`, () => {
    const rnd = prng(162);
    const p = conv3x3(2, 16, 16, 8, 16, 1);
    for (const special of [NaN, Infinity, -Infinity]) {
      const xv = ints(rnd, 2 * 16 * 8 * 16), wv = ints(rnd, 16 * 16 * 9);
      for (let k = 0; k < 3; k++) xv[Math.floor(rnd() * xv.length)] = special;
      const want = readAll(R, R.conv(R.fromArray('float32', xv), R.fromArray('float32', wv), p));
      let got: number[] = [];
      // F(4x4) would spread the value over whole 4x4 tiles: it sees it and the layer is recomputed by F(2x2).
      const seen = poolKernels(b, () => (got = readAll(b, b.conv(b.fromArray('float32', xv), b.fromArray('float32', wv), p))));
      assert.ok(seen.has('wg4Conv') && seen.has('wgConv'), `${special}: F(4x4), then F(2x2)`);
      for (let i = 0; i < want.length; i++) {
        const g = got[i]!, w = want[i]!;
        if (Number.isFinite(w)) assert.equal(g, w, `${special}: [${i}]`);
        else if (Number.isNaN(w)) assert.ok(Number.isNaN(g), `${special}: [${i}] = ${g}, expected NaN`);
        else assert.ok(g === w || Number.isNaN(g), `${special}: [${i}] = ${g}, expected ${w} or NaN`);
      }
    }
  });

  test(`${b.name}: a weight gradient from an infinite or NaN input or gradient is F(2x2)'s`, () => {
    const rnd = prng(167);
    const p = conv3x3(2, 32, 32, 16, 16, 1);
    for (const special of [NaN, Infinity, -Infinity]) {
      for (const where of ['x', 'gy'] as const) {
        const xv = ints(rnd, 2 * 32 * 256), gv = ints(rnd, 2 * 32 * 256);
        (where === 'x' ? xv : gv)[Math.floor(rnd() * xv.length)] = special;
        const run = () => readAll(b, b.convBackwardWeight(b.fromArray('float32', xv), b.fromArray('float32', gv), p));
        let got: number[] = [];
        const seen = poolKernels(b, () => (got = run()));
        assert.ok(seen.has('wg4BwdW') && seen.has('wgBwdW'), `${special} in ${where}: F(4x4), then F(2x2)`);
        same(got, withF4(false, run), `${special} in ${where}`);
      }
    }
  });

  test(`${b.name}: a finite input keeps F(4x4); F(2x2) where F(4x4) does not apply`, () => {
    const rnd = prng(166);
    for (const [p, f4] of [[conv3x3(2, 16, 16, 8, 16, 1), true], [conv3x3(2, 16, 16, 8, 8, 1), false], [conv3x3(2, 16, 16, 6, 16, 1), false]] as const) {
      const [, H, W] = p.inSize;
      const xv = ints(rnd, p.batch * p.inChannels * H * W), wv = ints(rnd, p.outChannels * p.inChannels * 9);
      xv[0] = 3e38; // large but finite
      const seen = poolKernels(b, () => b.conv(b.fromArray('float32', xv), b.fromArray('float32', wv), p));
      assert.equal(seen.has('wg4Conv'), f4, `${JSON.stringify(p.outSize)}: F(4x4)`);
      assert.equal(seen.has('wgConv'), !f4, `${JSON.stringify(p.outSize)}: F(2x2)`);
    }
  });

  test(`${b.name}: the Winograd path is not taken where it does not apply`, () => {
    const rnd = prng(163);
    const cases = [
      conv3x3(2, 16, 16, 12, 12, 1), // output width 12: not a multiple of 8
      conv3x3(2, 16, 16, 9, 16, 1), // output height 9: odd
      conv3x3(2, 8, 16, 16, 16, 1), // 8 input channels: fewer than 16
      { ...conv3x3(2, 16, 16, 16, 16, 1), stride: [1, 2, 2], outSize: [1, 8, 8] } as ConvParams, // stride 2
    ];
    for (const p of cases) {
      const [, H, W] = p.inSize, [, oH, oW] = p.outSize;
      const xv = ints(rnd, p.batch * p.inChannels * H * W), wv = ints(rnd, p.outChannels * p.inChannels * 9);
      const gv = ints(rnd, p.batch * p.outChannels * oH * oW);
      const seen = poolKernels(b, () => {
        b.conv(b.fromArray('float32', xv), b.fromArray('float32', wv), p);
        b.convBackwardInput(b.fromArray('float32', gv), b.fromArray('float32', wv), p);
        b.convBackwardWeight(b.fromArray('float32', xv), b.fromArray('float32', gv), p);
      });
      assert.ok(!seen.has('wgConv') && !seen.has('wg4Conv') && !seen.has('wgBwdW'), `${JSON.stringify(p)}: no Winograd kernel`);
    }
  });
}
