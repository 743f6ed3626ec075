/**
 * The asynchronous read paths on a backend whose computed results cannot be
 * read synchronously (hostless-backend.ts stands in for webgpu on every
 * machine): isHostReadable, itemAsync, deferred value checks, toBackendAsync,
 * clipGradNormTensor, BatchNorm with momentum null.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tg from '../../src/index.js';
import { toBackendAsync } from '../../src/ops/transfer.js';
import { clipGradNormTensor } from '../../src/optim/clip.js';
import { clearPendingChecks, pendingCheckCount, verifyPendingChecks } from '../../src/tensor/deferred-checks.js';
import { hostlessBackend } from './hostless-backend.js';

const { F, optim, nn } = tg;
const gpu = hostlessBackend();
const on = (values: tg.NestedArray, dtype: tg.DType = 'float32') => tg.tensor(values as number[], { backend: gpu, dtype });
const ref = tg.referenceBackend;


test('host-made tensors read synchronously; computed ones only asynchronously', async () => {
  const x = on([1, 2, 3]);
  assert.equal(x.isHostReadable(), true);
  assert.deepEqual(Array.from(x.data()), [1, 2, 3]);
  const y = x.mul(2);
  assert.equal(y.isHostReadable(), false);
  assert.throws(() => y.data(), /dataAsync/);
  assert.deepEqual(Array.from(await y.dataAsync()), [2, 4, 6]);
  assert.deepEqual(await y.array(), [2, 4, 6]);
  assert.equal(await y.sum().itemAsync(), 12);
  await assert.rejects(() => y.itemAsync(), /itemAsync: only one-element tensors can be converted to a number \(got shape \[3\]\)/);
  // In-place writes drop the host copy.
  x.add_(1);
  assert.equal(x.isHostReadable(), false);
  assert.equal(tg.tensor([1]).isHostReadable(), true); // CPU backends: always
});

test('itemAsync on CPU backends equals item', async () => {
  const x = tg.tensor([[2.5]]);
  assert.equal(await x.itemAsync(), x.item());
});

test('a value check deferred on the device is thrown by the next asynchronous read, once', async () => {
  clearPendingChecks();
  const p = on([0.2, 0.7]).mul(2); // 0.4, 1.4: not probabilities, computed "on the GPU"
  const loss = F.binaryCrossEntropy(p, on([0, 1]));
  assert.equal(pendingCheckCount(), 1);
  await assert.rejects(() => loss.dataAsync(), /binaryCrossEntropy: input must hold probabilities in \[0, 1\] but some element is outside.*checked on the device/);
  assert.equal(pendingCheckCount(), 0);
  assert.ok(Number.isFinite(await loss.itemAsync())); // cleared: the next read succeeds
});

test('passing deferred checks read normally; repeated checks merge into one', async () => {
  clearPendingChecks();
  const p = on([0.2, 0.7]).mul(1);
  let last: tg.Tensor | null = null;
  for (let i = 0; i < 5; i++) last = F.binaryCrossEntropy(p, on([0, 1]));
  assert.equal(pendingCheckCount(), 1);
  const want = F.binaryCrossEntropy(tg.tensor([0.2, 0.7], { backend: ref }), tg.tensor([0, 1], { backend: ref })).item();
  assert.ok(Math.abs((await last!.itemAsync()) - want) < 1e-6);
  assert.equal(pendingCheckCount(), 0);
});

test('a failing check among merged passing ones still fails', async () => {
  clearPendingChecks();
  F.binaryCrossEntropy(on([0.5]).mul(1), on([1]));
  F.binaryCrossEntropy(on([0.5]).mul(3), on([1])); // same message (same shapes): OR-ed
  assert.equal(pendingCheckCount(), 1);
  await assert.rejects(() => verifyPendingChecks(), /probabilities/);
});

test('NaN probabilities fail the deferred check, as the synchronous one', async () => {
  clearPendingChecks();
  F.binaryCrossEntropy(on([0.5, 0]).log().mul(0).add(on([NaN, 0.5])), on([1, 0]));
  await assert.rejects(() => verifyPendingChecks(), /probabilities/);
  assert.throws(() => F.binaryCrossEntropy(tg.tensor([NaN, 0.5]), tg.tensor([1, 0])), /element 0 is NaN/);
});

test('host-readable inputs are still checked at once on a GPU-like backend', () => {
  clearPendingChecks();
  assert.throws(() => F.binaryCrossEntropy(on([1.5]), on([1])), /element 0 is 1.5/);
  assert.equal(pendingCheckCount(), 0);
});

test('class-index targets computed on the device: range checked when read; the fused mean counts kept targets on the device', async () => {
  clearPendingChecks();
  const logits = on([[1, 2, 3], [0, 0, 1]]);
  const bad = on([0, 3], 'int32').mul(1);
  F.crossEntropy(logits, bad);
  await assert.rejects(() => verifyPendingChecks(), /crossEntropy: some target value is out of range for 3 classes/);
  const t = on([2, -100], 'int32').mul(1);
  const got = await F.crossEntropy(logits, t).itemAsync();
  const want = F.crossEntropy(tg.tensor([[1, 2, 3], [0, 0, 1]], { backend: ref }), tg.tensor([2, -100], { dtype: 'int32', backend: ref })).item();
  assert.ok(Math.abs(got - want) < 1e-6, `${got} vs ${want}`);
  await verifyPendingChecks();
});

test('cosineEmbeddingLoss labels computed on the device are checked when read', async () => {
  clearPendingChecks();
  F.cosineEmbeddingLoss(on([[1, 0]]), on([[0, 1]]), on([1], 'int32').mul(0));
  await assert.rejects(() => verifyPendingChecks(), /cosineEmbeddingLoss: y must hold 1 or -1/);
});

test('embedding with device-computed indices looks up the rows; a bad index is reported at the read; maxNorm needs host indices', async () => {
  clearPendingChecks();
  const w = on([[1, 2], [3, 4], [5, 6]]);
  const ids = on([2, 0], 'int32').mul(1);
  assert.deepEqual(await F.embedding(ids, w).array(), [[5, 6], [1, 2]]);
  F.embedding(on([0, 3], 'int32').mul(1), w);
  await assert.rejects(() => verifyPendingChecks(), /embedding: some index is out of range for 3 embeddings/);
  assert.throws(() => F.embedding(ids, w, { maxNorm: 1 }), /embedding: maxNorm renormalises the looked-up rows on the host/);
});

test('oneHot of device-computed classes needs numClasses and checks the range at the read', async () => {
  clearPendingChecks();
  const c = on([2, 0], 'int32').mul(1);
  assert.deepEqual(await F.oneHot(c, 3).array(), [[0, 0, 1], [1, 0, 0]]);
  assert.throws(() => F.oneHot(c), /oneHot: numClasses is needed for class values computed on the hostless backend/);
  F.oneHot(c, 2);
  await assert.rejects(() => verifyPendingChecks(), /oneHot: some class value is out of range for numClasses 2/);
});

test('sort, argsort and topk of device results rank on the device and match the host sort', async () => {
  const vals = [3, NaN, 1, 2, 1, -Infinity, NaN, 5];
  for (const descending of [false, true]) {
    const dev = on(vals).mul(1).sort(0, descending);
    const host = tg.tensor(vals, { backend: ref }).sort(0, descending);
    assert.deepEqual(await dev.indices.array(), host.indices.toArray());
    assert.deepEqual(await on(vals).mul(1).argsort(0, descending).array(), host.indices.toArray());
  }
  const m = on([[4, 1, 3], [0, 9, 2]]).mul(1);
  assert.deepEqual(await m.topk(2).indices.array(), [[0, 2], [1, 2]]);
  assert.deepEqual(await m.sort(0).indices.array(), [[1, 0, 1], [0, 1, 0]]);
});

test('maxUnpool with device-computed indices matches the reference, bad indices reported at the read', async () => {
  clearPendingChecks();
  const xs = [[[[1, 5, 2, 0], [3, 4, 8, 7], [0, 1, 2, 9], [6, 2, 3, 1]]]];
  const run = async (backend: tg.Backend) => {
    const x = tg.tensor(xs, { backend }).mul(1);
    // Overlapping windows (stride 1): duplicate indices carrying the same value.
    const { values, indices } = F.maxPool2d(x, 2, { stride: 1, returnIndices: true }) as { values: tg.Tensor; indices: tg.Tensor };
    return tg.F.maxUnpool2d(values, indices, 2, { stride: 1, outputSize: [4, 4] }).array();
  };
  assert.deepEqual(await run(gpu), await run(ref));
  const bad = on([[[[0, 99]]]], 'int32').mul(1);
  F.maxUnpool2d(on([[[[1, 2]]]]), bad, [1, 2]);
  await assert.rejects(() => verifyPendingChecks(), /maxUnpool2d: some index is out of bounds/);
});

test('toBackend names toBackendAsync for device results; toBackendAsync moves them, differentiably', async () => {
  const x = on([1, 2, 3]).requiresGrad_();
  const y = x.mul(2);
  assert.throws(() => y.toBackend('reference'), /toBackend: this float32 tensor of shape \[3\] was computed on the 'hostless' backend.*await tg\.toBackendAsync\(x, 'reference'\)/);
  const moved = await toBackendAsync(y, 'reference');
  assert.equal(moved.backend, ref);
  assert.deepEqual(moved.toArray(), [2, 4, 6]);
  moved.sum().backward();
  assert.deepEqual(await x.grad!.array(), [2, 2, 2]);
  assert.equal(await toBackendAsync(moved, ref), moved);
  // Host-made tensors still move synchronously.
  assert.deepEqual(on([4]).toBackend('reference').toArray(), [4]);
});

test('clipGradNorm asks for clipGradNormTensor on device gradients; the tensor form matches it', async () => {
  const make = (backend: tg.Backend) => {
    const a = tg.tensor([3, 4], { backend }).requiresGrad_();
    const b = tg.tensor([[12]], { backend }).requiresGrad_();
    a.mul(a).mul(0.5).sum().add(b.mul(b).mul(0.5).sum()).backward(); // grads 3, 4, 12: norm 13
    return [a, b];
  };
  assert.throws(() => optim.clipGradNorm(make(gpu), 1), /clipGradNorm: the gradients were computed on the 'hostless' backend.*clipGradNormTensor/);
  for (const [normType, maxNorm] of [[2, 1], [2, 100], [Infinity, 2], [1, 5]] as const) {
    const cpu = make(ref), dev = make(gpu);
    const want = optim.clipGradNorm(cpu, maxNorm, normType);
    const got = clipGradNormTensor(dev, maxNorm, normType);
    assert.ok(Math.abs((await got.itemAsync()) - want) < 1e-4, `norm ${normType}: ${await got.itemAsync()} vs ${want}`);
    for (let i = 0; i < 2; i++) {
      const g = Array.from(await dev[i]!.grad!.dataAsync()), w = Array.from(cpu[i]!.grad!.data());
      g.forEach((v, j) => assert.ok(Math.abs(v - w[j]!) < 1e-5, `norm ${normType}: grad ${v} vs ${w[j]}`));
    }
  }
  assert.equal(clipGradNormTensor([on([1]).requiresGrad_()], 1).item(), 0);
});

test('BatchNorm with momentum null keeps the cumulative average when the count is on the device', async () => {
  const xs = [[[[1, 2], [3, 4]]], [[[0, -1], [5, 2]]]];
  const stats = async (backend: tg.Backend) => {
    // The layer's buffers made on `backend` (layers build them on the current one).
    const layer = new nn.BatchNorm2d(1, { momentum: null, affine: false });
    layer.registerBuffer('running_mean', tg.tensor([0], { backend }));
    layer.registerBuffer('running_var', tg.tensor([1], { backend }));
    layer.registerBuffer('num_batches_tracked', tg.tensor(0, { dtype: 'int32', backend }));
    for (let i = 1; i <= 3; i++) layer.forward(tg.tensor(xs, { backend }).mul(i));
    return [await layer.runningMean!.array(), await layer.runningVar!.array(), await layer.getBuffer('num_batches_tracked')!.itemAsync()];
  };
  const [m1, v1, n1] = await stats(ref);
  const [m2, v2, n2] = await stats(gpu);
  assert.equal(n1, 3);
  assert.equal(n2, 3);
  assert.ok(Math.abs((m1 as number[])[0]! - (m2 as number[])[0]!) < 1e-5, `${m1} vs ${m2}`);
  assert.ok(Math.abs((v1 as number[])[0]! - (v2 as number[])[0]!) < 1e-4, `${v1} vs ${v2}`);
});

test('optimizer state computed on the device is validated when read', async () => {
  clearPendingChecks();
  const p = on([1, 2]).requiresGrad_();
  const opt = new optim.Adam([p]);
  opt.loadStateDict({
    state: { 0: { step: 1, expAvg: on([0, 0]).mul(1), expAvgSq: on([1, -1]).mul(1) } },
    paramGroups: opt.stateDict().paramGroups,
  });
  await assert.rejects(() => verifyPendingChecks(), /expAvgSq holds a non-finite or negative element/);
});
