/**
 * Buffers allocated without a zero fill (Backend.allocUninitialized, through
 * allocForOverwrite): the ops that use them write every element, so their
 * results must not depend on what the heap held before. Each case first fills a
 * block of the same size with garbage (NaN, -7) and frees it, so that the
 * allocation reuses dirty memory, then compares with the reference backend:
 * clone, cast both ways, filled with a non-zero value (or -0), and the fused
 * conv + bias + ReLU + 2×2 max-pool forward with its pooling indices, and its
 * gradients. `alloc` itself still zero-fills.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tg from '../../src/index.js';
import { allocForOverwrite, type Backend, type ConvParams } from '../../src/backend/backend.js';
import { createWasmBackend } from '../../src/backend/wasm/index.js';
import { referenceBackend } from '../../src/backend/reference/index.js';
import { convReluPoolPrim } from '../../src/ops/conv-prims.js';
import { setFusedKernelsEnabled } from '../../src/ops/fused.js';
import { filled } from '../../src/ops/core.js';
import type { DType } from '../../src/core/dtype.js';
import { prng } from '../helpers/prng.js';

const flat = (n: number) => ({ shape: [n], strides: [1], offset: 0 });

/** Fills a fresh block of `length` elements with garbage and frees it: the next allocation of that size finds dirty memory. */
function dirty(b: Backend, dtype: DType, length: number): void {
  const s = b.alloc(dtype, length);
  b.fill(s, flat(length), dtype === 'float32' ? NaN : -7);
  b.release(s);
}

const wasm = await createWasmBackend({ name: 'wasm-uninit', threads: 2 });

test('allocUninitialized: the dtype and length asked for; alloc still zero-fills after dirty memory', () => {
  for (const [dtype, n] of [['float32', 1000], ['int32', 77], ['bool', 5]] as const) {
    dirty(wasm, dtype, n);
    const u = allocForOverwrite(wasm, dtype, n);
    assert.equal(u.dtype, dtype);
    assert.equal(u.length, n);
    // The heap hands the freed block back: what makes the cases below run on dirty memory.
    assert.ok(!Object.is(wasm.read(u, flat(n))[0], 0), `allocUninitialized(${dtype}, ${n}) reused the dirty block`);
    wasm.release(u);
    dirty(wasm, dtype, n);
    const z = wasm.alloc(dtype, n);
    assert.ok(Array.from(wasm.read(z, flat(n))).every((v) => v === 0), `alloc(${dtype}, ${n}) is zero-filled`);
  }
  // A backend without the method: allocForOverwrite falls back to alloc.
  const s = allocForOverwrite(referenceBackend, 'float32', 3);
  assert.deepEqual(Array.from(referenceBackend.read(s, flat(3))), [0, 0, 0]);
});

test('clone, cast and filled write every element of their uninitialized buffers', () => {
  const prev = tg.getBackend();
  tg.setBackend(wasm);
  try {
    const rnd = prng(7);
    const values = Array.from({ length: 2 * 3 * 37 }, () => Math.round(rnd() * 200 - 100) / 8);
    const x = tg.tensor(values, { shape: [2, 3, 37] });
    const view = x.transpose(0, 2); // non-contiguous source
    dirty(wasm, 'float32', view.numel());
    const transposed: number[] = [];
    for (let k = 0; k < 37; k++) for (let j = 0; j < 3; j++) for (let i = 0; i < 2; i++) transposed.push(values[(i * 3 + j) * 37 + k]!);
    assert.deepEqual(Array.from(view.clone().data()), transposed);
    dirty(wasm, 'int32', x.numel());
    const i = x.to('int32');
    assert.deepEqual(Array.from(i.data()), values.map((v) => Math.trunc(v) | 0));
    dirty(wasm, 'float32', x.numel());
    assert.deepEqual(Array.from(i.to('float32').data()), values.map((v) => Math.trunc(v) | 0));
    dirty(wasm, 'float32', 41);
    assert.deepEqual(Array.from(filled([41], 3.5, 'float32', wasm).data()), new Array(41).fill(3.5));
    dirty(wasm, 'int32', 41);
    assert.deepEqual(Array.from(filled([41], -2, 'int32', wasm).data()), new Array(41).fill(-2));
    dirty(wasm, 'float32', 41);
    assert.ok(Array.from(filled([41], -0, 'float32', wasm).data()).every((v) => Object.is(v, -0)), 'filled with -0 keeps the sign');
  } finally {
    tg.setBackend(prev);
  }
});

test('fused conv + ReLU + pool: pooling indices in dirty memory, forward and gradients equal the reference', () => {
  const p: ConvParams = {
    batch: 3, inChannels: 2, outChannels: 4, groups: 1,
    inSize: [1, 11, 11], kernelSize: [1, 3, 3], outSize: [1, 11, 11],
    stride: [1, 1, 1], padding: [0, 1, 1], dilation: [1, 1, 1],
  };
  const rnd = prng(11);
  // Small integers: the wasm and reference convolutions agree exactly, ties included.
  const ints = (n: number) => Array.from({ length: n }, () => Math.round(rnd() * 6) - 3);
  const xs = ints(3 * 2 * 11 * 11), ws = ints(4 * 2 * 3 * 3), bs = ints(4), gys = ints(3 * 4 * 5 * 5);
  const run = (b: Backend) => {
    const prev = tg.getBackend();
    tg.setBackend(b);
    try {
      const x = tg.tensor(xs, { shape: [3, 2, 1, 11, 11], requiresGrad: true });
      const w = tg.tensor(ws, { shape: [4, 2, 1, 3, 3], requiresGrad: true });
      const bias = tg.tensor(bs, { requiresGrad: true });
      if (b === wasm) dirty(wasm, 'int32', 3 * 4 * 5 * 5); // the indices' size
      const y = convReluPoolPrim(x, w, p, bias);
      y.mul(tg.tensor(gys, { shape: y.shape })).sum().backward();
      return [y, x.grad!, w.grad!, bias.grad!].map((t) => Array.from(t.data()));
    } finally {
      tg.setBackend(prev);
    }
  };
  setFusedKernelsEnabled(true);
  try {
    const want = run(referenceBackend);
    const got = run(wasm);
    ['output', 'x.grad', 'w.grad', 'bias.grad'].forEach((what, i) => assert.deepEqual(got[i], want[i], what));
  } finally {
    setFusedKernelsEnabled(undefined);
  }
});
