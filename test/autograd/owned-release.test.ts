/**
 * Saved tensors that only their graph node holds (GradNode.owned: the pooling
 * indices of the fused conv + ReLU + pool and of a max pooling whose indices
 * nobody asked for) are given back when a backward pass frees the graph, not
 * left to the garbage collector; with retainGraph they stay, and a second
 * backward gives the same gradients; indices the caller asked for are never
 * released. Gradients equal the reference backend's either way.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tg from '../../src/index.js';
import type { ConvParams } from '../../src/backend/backend.js';
import { createWasmBackend } from '../../src/backend/wasm/index.js';
import type { WasmStorage } from '../../src/backend/wasm/storage.js';
import { referenceBackend } from '../../src/backend/reference/index.js';
import { convReluPoolPrim } from '../../src/ops/conv-prims.js';
import { setFusedKernelsEnabled } from '../../src/ops/fused.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import { prng } from '../helpers/prng.js';

const wasm = await createWasmBackend({ name: 'wasm-owned', threads: 2 });

const p: ConvParams = {
  batch: 2, inChannels: 2, outChannels: 3, groups: 1,
  inSize: [1, 8, 8], kernelSize: [1, 3, 3], outSize: [1, 8, 8],
  stride: [1, 1, 1], padding: [0, 1, 1], dilation: [1, 1, 1],
};
const rnd = prng(5);
// Small integers: the wasm and reference convolutions agree exactly.
const ints = (n: number) => Array.from({ length: n }, () => Math.round(rnd() * 6) - 3);
const xs = ints(2 * 2 * 8 * 8), ws = ints(3 * 2 * 9), bs = ints(3), gys = ints(2 * 3 * 4 * 4);

/** The owned tensors of the nearest node of `op` behind `t` (the test's look inside the graph). */
function owned(t: Tensor, op?: string): readonly Tensor[] {
  let node = t._node;
  while (node && op && node.op !== op) {
    const edge = node.next.find((e) => e !== null);
    node = edge && 'node' in edge ? edge.node : null;
  }
  return node?.owned ?? [];
}
const released = (t: Tensor): boolean => (t._storage as WasmStorage).released;

function withBackend<T>(b: tg.Backend, fn: () => T): T {
  const prev = tg.getBackend();
  tg.setBackend(b);
  setFusedKernelsEnabled(true);
  try {
    return fn();
  } finally {
    setFusedKernelsEnabled(undefined);
    tg.setBackend(prev);
  }
}

function convPool(b: tg.Backend) {
  const x = tg.tensor(xs, { shape: [2, 2, 1, 8, 8], requiresGrad: true });
  const w = tg.tensor(ws, { shape: [3, 2, 1, 3, 3], requiresGrad: true });
  const bias = tg.tensor(bs, { requiresGrad: true });
  const y = convReluPoolPrim(x, w, p, bias);
  return { x, w, bias, y, loss: y.mul(tg.tensor(gys, { shape: y.shape })).sum(), backend: b };
}

const grads = (r: { x: Tensor; w: Tensor; bias: Tensor }) => [r.x.grad!, r.w.grad!, r.bias.grad!].map((g) => Array.from(g.data()));

test('fused conv + ReLU + pool: backward releases the pooling indices it alone held', () => {
  const want = withBackend(referenceBackend, () => {
    const r = convPool(referenceBackend);
    r.loss.backward();
    return grads(r);
  });
  withBackend(wasm, () => {
    const r = convPool(wasm);
    const [indices] = owned(r.y);
    assert.ok(indices, 'the convReluPool node owns its indices');
    assert.equal(indices!.dtype, 'int32');
    r.loss.backward();
    assert.ok(released(indices!), 'released when the pass ends');
    assert.equal(r.y._node!.owned, null);
    assert.deepEqual(grads(r), want);
  });
});

test('retainGraph keeps the owned indices: a second backward gives the same gradients, then releases them', () => {
  withBackend(wasm, () => {
    const r = convPool(wasm);
    const [indices] = owned(r.y);
    r.loss.backward(undefined, { retainGraph: true });
    assert.ok(!released(indices!), 'kept for the next pass');
    const first = grads(r);
    for (const t of [r.x, r.w, r.bias]) t.grad = null;
    r.loss.backward();
    assert.ok(released(indices!));
    assert.deepEqual(grads(r), first);
  });
});

test('max pooling: indices nobody asked for are released by backward; returned ones never', () => {
  withBackend(wasm, () => {
    const x = tg.tensor(ints(2 * 3 * 6 * 6), { shape: [2, 3, 6, 6], requiresGrad: true });
    const y = tg.F.maxPool2d(x, 2);
    const [indices] = owned(y, 'maxPool');
    assert.ok(indices, 'the maxPool node owns the indices nobody asked for');
    y.sum().backward();
    assert.ok(released(indices!));
    const gradUnasked = Array.from(x.grad!.data());

    x.grad = null;
    const { values, indices: kept } = tg.F.maxPool2d(x, 2, { returnIndices: true });
    const before = Array.from(kept.data());
    assert.equal(owned(values, 'maxPool').length, 0, 'returned indices are not owned by the node');
    values.sum().backward();
    assert.deepEqual(Array.from(kept.data()), before, 'the caller\'s indices stay readable');
    assert.deepEqual(Array.from(x.grad!.data()), gradUnasked);
  });
});
