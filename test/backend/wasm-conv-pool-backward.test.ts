/**
 * FusedKernels.convPoolBackward on the wasm backend (src/backend/wasm/conv-pool-backward.ts):
 * the input and weight gradients of conv -> ReLU -> 2×2 max pooling from the
 * pooled gradient and the indices, against their definition on the reference
 * backend (maxPoolBackward to full size, then convBackwardInput and
 * convBackwardWeight). Small integers make every sum exact, so the results
 * must be equal whatever the order of summation: LeNet-5's two layers, odd
 * output sizes (a last row and column the pooling drops), kernels 3, 5 and 7
 * (two blocks of rows), padding 0 to kernel - 1, rows of zero gradient (the
 * ReLU off). It declines (null) what it does not handle, and a NaN or an
 * Infinity that the sparse sums would skip; and the training step of
 * LeNet-5 uses it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Backend, ConvParams, Storage } from '../../src/backend/backend.js';
import { convPool2x2Params } from '../../src/backend/backend.js';
import { createWasmBackend } from '../../src/backend/wasm/index.js';
import { referenceBackend as R } from '../../src/backend/reference/index.js';
import { prng } from '../helpers/prng.js';
import { withBackend } from '../helpers/check-op.js';
import * as tg from '../../src/index.js';
import { fusedKernels } from '../../src/ops/fused.js';

const flat = (n: number) => ({ shape: [n], strides: [1], offset: 0 });
const readAll = (b: Backend, s: Storage): number[] => Array.from(b.read(s, flat(s.length)));

function conv2d(batch: number, cin: number, cout: number, h: number, w: number, k: number, pad: number): ConvParams {
  return {
    batch, inChannels: cin, outChannels: cout, groups: 1, inSize: [1, h, w], kernelSize: [1, k, k],
    outSize: [1, h + 2 * pad - k + 1, w + 2 * pad - k + 1], stride: [1, 1, 1], padding: [0, pad, pad], dilation: [1, 1, 1],
  };
}

const ints = (rnd: () => number, n: number) => Float32Array.from({ length: n }, () => Math.round(rnd() * 6) - 3);

/** x, w, the pooled gradient (zero where the ReLU was off, and in a few whole channels) and the forward's indices. */
function problem(p: ConvParams, seed: number) {
  const rnd = prng(seed);
  const [, H, W] = p.inSize, [, kH, kW] = p.kernelSize;
  const xv = ints(rnd, p.batch * p.inChannels * H * W), wv = ints(rnd, p.outChannels * p.inChannels * kH * kW);
  const y = readAll(R, R.conv(R.fromArray('float32', xv), R.fromArray('float32', wv), p));
  const pooled = R.maxPool(R.fromArray('float32', Float32Array.from(y, (v) => Math.max(v, 0))), convPool2x2Params(p));
  const yv = readAll(R, pooled.out), idx = Int32Array.from(readAll(R, pooled.indices!));
  const plane = idx.length / (p.batch * p.outChannels);
  const gv = Float32Array.from(yv, (y, i) => (y > 0 && Math.floor(i / plane) % 5 !== 3 ? Math.round(rnd() * 8) - 4 : 0));
  return { xv, wv, gv, idx };
}

/** The definition: scatter to full size, then the convolution's gradients (reference backend). */
function definition(p: ConvParams, xv: Float32Array, wv: Float32Array, gv: Float32Array, idx: Int32Array): [number[], number[]] {
  const pp = convPool2x2Params(p);
  const full = R.maxPoolBackward(R.fromArray('float32', gv), R.fromArray('int32', idx), p.batch * p.outChannels,
    pp.outSize[1] * pp.outSize[2], p.outSize[1] * p.outSize[2]);
  return [readAll(R, R.convBackwardInput(full, R.fromArray('float32', wv), p)), readAll(R, R.convBackwardWeight(R.fromArray('float32', xv), full, p))];
}

function same(got: number[], want: number[], what: string): void {
  assert.equal(got.length, want.length, `${what}: length`);
  for (let i = 0; i < want.length; i++) if (got[i] !== want[i]) assert.fail(`${what}: [${i}] = ${got[i]}, expected ${want[i]}`);
}

const b1 = await createWasmBackend({ name: 'wasm-cpb-1t', threads: 1 });
const b2 = await createWasmBackend({ name: 'wasm-cpb-2t', threads: 2 });

test('convPoolBackward equals maxPoolBackward + the convolution gradients exactly on integer data, 1 and 2 threads', () => {
  const cases = [
    conv2d(64, 1, 6, 28, 28, 5, 2), // LeNet-5 conv1
    conv2d(64, 6, 16, 14, 14, 5, 0), // LeNet-5 conv2
    conv2d(3, 5, 7, 11, 13, 3, 1), // odd outputs: the last row and column are not pooled
    conv2d(2, 4, 3, 9, 10, 7, 3), // 7 rows: blocks of 5 and 2
    conv2d(2, 3, 4, 8, 8, 3, 0),
    conv2d(1, 2, 9, 6, 7, 1, 0),
  ];
  cases.forEach((p, c) => {
    const { xv, wv, gv, idx } = problem(p, 170 + c);
    const [wantGx, wantGw] = definition(p, xv, wv, gv, idx);
    for (const b of [b1, b2]) {
      const what = `${b.name} ${JSON.stringify([p.batch, p.inChannels, p.outChannels, p.inSize[1], p.inSize[2], p.kernelSize[1], p.padding[1]])}`;
      const r = b.fused.convPoolBackward!(b.fromArray('float32', gv), b.fromArray('int32', idx), b.fromArray('float32', xv), b.fromArray('float32', wv), p);
      assert.ok(r, `${what}: taken`);
      same(readAll(b, r.gx!), wantGx, `${what} input gradient`);
      same(readAll(b, r.gw!), wantGw, `${what} weight gradient`);
      // One of the two alone.
      const onlyW = b.fused.convPoolBackward!(b.fromArray('float32', gv), b.fromArray('int32', idx), b.fromArray('float32', xv), null, p)!;
      assert.equal(onlyW.gx, null);
      same(readAll(b, onlyW.gw!), wantGw, `${what} weight gradient alone`);
    }
  });
});

test('convPoolBackward declines what it does not handle, and NaN or Infinity the sparse sums would skip', () => {
  const p = conv2d(2, 3, 4, 10, 10, 3, 1);
  const { xv, wv, gv, idx } = problem(p, 180);
  const run = (x: Float32Array | null, w: Float32Array | null, g = gv, q = p) =>
    b2.fused.convPoolBackward!(b2.fromArray('float32', g), b2.fromArray('int32', idx), x && b2.fromArray('float32', x), w && b2.fromArray('float32', w), q);
  assert.ok(run(xv, wv), 'the plain case is taken');
  const withValue = (a: Float32Array, v: number) => Float32Array.from(a, (e, i) => (i === 7 ? v : e));
  assert.equal(run(null, withValue(wv, NaN)), null, 'NaN weight');
  assert.equal(run(withValue(xv, Infinity), null), null, 'Infinity input');
  assert.equal(run(xv, wv, withValue(gv, -Infinity)), null, 'Infinity gradient');
  assert.ok(run(withValue(xv, NaN), wv.slice(), gv) === null, 'NaN input with the weight gradient asked');
  assert.ok(run(null, wv, gv) !== null, 'a NaN-free weight alone is taken');
  assert.equal(run(xv, wv, gv, { ...p, stride: [1, 2, 2], outSize: [1, 5, 5] }), null, 'stride 2');
  assert.equal(run(xv, wv, gv, { ...p, groups: 1, dilation: [1, 2, 2], outSize: [1, 8, 8] }), null, 'dilation 2');
  assert.equal(b2.fused.convPoolBackward!(b2.alloc('float64', gv.length), b2.fromArray('int32', idx), null, b2.alloc('float64', wv.length), p), null, 'float64');
});

// With the fused kernels switched off (TENSORGRAD_FUSED=0) the gradient rules run their composites.
const unfused = fusedKernels(b2) === null && 'fused kernels switched off (TENSORGRAD_FUSED=0)';

test('a LeNet-5 training step takes the gradients of both conv -> ReLU -> pool runs from the pooled gradient', { skip: unfused }, () => {
  const outcomes: string[] = [];
  const k = b2.fused;
  const original = k.convPoolBackward!;
  k.convPoolBackward = (...a) => {
    const r = original(...a);
    outcomes.push(r ? 'taken' : 'declined');
    return r;
  };
  try {
    withBackend(b2, () => {
      const model = tg.models.lenet5();
      model.forward(tg.randn([4, 1, 28, 28])).sum().backward();
    });
  } finally {
    k.convPoolBackward = original;
  }
  assert.deepEqual(outcomes, ['taken', 'taken']);
});
