// fit and evaluateAsync on a backend whose computed results cannot be read
// synchronously (test/tensor/hostless-backend.ts stands in for webgpu): no
// synchronous read of a computed tensor, the same numbers as on the reference
// backend, onBatch for every step in order (late by up to readEvery - 1 steps),
// and stopOnNonFinite naming the batch that diverged.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tg from '../../src/index.js';
import { fit, type BatchInfo, type FitOptions } from '../../src/train/fit.js';
import { evaluate, evaluateAsync } from '../../src/train/evaluate.js';
import { clearPendingChecks } from '../../src/tensor/deferred-checks.js';
import { hostlessBackend } from '../tensor/hostless-backend.js';

const gpu = hostlessBackend();

/** Whether gather/scatterAdd defer their index check for device indices (crossEntropy's composite needs it). */
const indexChecksDeferred = (() => {
  try {
    tg.gather(tg.tensor([1, 2], { backend: gpu }), 0, tg.tensor([0], { dtype: 'int32', backend: gpu }).mul(1));
    return true;
  } catch {
    return false;
  } finally {
    clearPendingChecks();
  }
})();
const needsIndexing = indexChecksDeferred ? {} : { todo: 'gather/scatterAdd read their indices synchronously (src/ops/indexing.ts checkIndex)' };

/** Runs `f` with `backend` current (layers and data are made on the current backend). */
async function on<T>(backend: tg.Backend, f: () => Promise<T>): Promise<T> {
  const prev = tg.getBackend();
  tg.setBackend(backend);
  try {
    return await f();
  } finally {
    tg.setBackend(prev);
  }
}

/** 40 random 4-feature samples of 3 classes in batches of 8 (the last one 8 too), a linear model, SGD. */
function setup(nanAfter = Infinity) {
  tg.manualSeed(0);
  const x = tg.tensor(Array.from({ length: 160 }, (_, i) => (i >= nanAfter * 4 ? NaN : Math.sin(i * 1.7))), { shape: [40, 4] });
  const y = tg.tensor([...Array(40).keys()].map((i) => i % 3), { dtype: 'int32' });
  const model = new tg.nn.Sequential(new tg.nn.Linear(4, 5), new tg.nn.ReLU(), new tg.nn.Linear(5, 3));
  const optimizer = new tg.optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
  const train = new tg.data.DataLoader(new tg.data.TensorDataset(x, y), { batchSize: 8 });
  const test = new tg.data.DataLoader(new tg.data.TensorDataset(x, y), { batchSize: 16 });
  return { model, optimizer, train, test, numClasses: 3 };
}

/** Squared error against one-hot labels: a loss without gather (runs whatever indexing.ts does). */
const oneHotMse = (logits: tg.Tensor, y: tg.Tensor) =>
  logits.softmax(1).sub(y.unsqueeze(1).eq(tg.arange(3, { dtype: 'int32', backend: y.backend }).unsqueeze(0)).float()).square().mean();

async function run(backend: tg.Backend, opts: Partial<FitOptions> & { nanAfter?: number } = {}) {
  return on(backend, async () => {
    const s = setup(opts.nanAfter);
    const batches: BatchInfo[] = [];
    const results = await fit({ ...s, epochs: 2, onBatch: (b) => void batches.push(b), ...opts });
    return { results, batches, model: s.model };
  });
}

const close = (a: number, b: number, tol = 1e-5) => Math.abs(a - b) <= tol * (1 + Math.abs(b));

test('fit on a backend without synchronous reads: same losses and accuracies as the reference, onBatch for every step in order', async () => {
  const before = gpu.refusedReads;
  for (const readEvery of [1, 3, 10]) {
    const want = await run(tg.referenceBackend, { lossFn: oneHotMse, test: undefined });
    const got = await run(gpu, { lossFn: oneHotMse, test: undefined, readEvery });
    assert.equal(got.batches.length, want.batches.length);
    got.batches.forEach((b, i) => {
      const w = want.batches[i]!;
      assert.deepEqual([b.epoch, b.batch, b.step, b.samples, b.correct], [w.epoch, w.batch, w.step, w.samples, w.correct]);
      assert.ok(close(b.loss, w.loss), `step ${b.step}: loss ${b.loss} vs ${w.loss}`);
      assert.ok(close(b.accuracy, w.accuracy));
    });
    got.results.forEach((r, i) => {
      assert.ok(close(r.trainLoss, want.results[i]!.trainLoss));
      assert.equal(r.trainAccuracy, want.results[i]!.trainAccuracy);
    });
  }
  assert.equal(gpu.refusedReads, before, 'fit made no synchronous read of a computed tensor');
});

test('fit with the default loss and test data on a backend without synchronous reads matches the reference', needsIndexing, async () => {
  const before = gpu.refusedReads;
  const want = await run(tg.referenceBackend);
  const got = await run(gpu, { readEvery: 4 });
  got.results.forEach((r, i) => {
    const w = want.results[i]!;
    assert.ok(close(r.trainLoss, w.trainLoss), `${r.trainLoss} vs ${w.trainLoss}`);
    assert.equal(r.trainAccuracy, w.trainAccuracy);
    assert.ok(close(r.testLoss, w.testLoss), `${r.testLoss} vs ${w.testLoss}`);
    assert.equal(r.testAccuracy, w.testAccuracy);
    assert.deepEqual(r.test!.confusion, w.test!.confusion);
  });
  assert.equal(gpu.refusedReads, before);
});

test('stopOnNonFinite on a backend without synchronous reads names the batch that diverged', async () => {
  // Samples 20.. are NaN: batch 3 of epoch 1 (samples 16-23) is the first NaN loss.
  await assert.rejects(run(gpu, { lossFn: oneHotMse, test: undefined, nanAfter: 20, stopOnNonFinite: true, readEvery: 10 }),
    (e: unknown) => e instanceof tg.TensorError && /^fit: the training loss became NaN at epoch 1, batch 3 /.test(e.message));
});

test('shouldStop reports the steps taken before returning', async () => {
  let taken = 0, reported = 0;
  const lossFn = (logits: tg.Tensor, y: tg.Tensor) => (taken++, oneHotMse(logits, y));
  const got = await run(gpu, { lossFn, test: undefined, readEvery: 10, shouldStop: () => taken >= 2, onBatch: () => void reported++ });
  assert.equal(got.results.length, 0);
  assert.equal(reported, 2, 'the unread steps are reported before fit returns');
});

test('fit: readEvery must be a positive integer', async () => {
  await assert.rejects(run(gpu, { readEvery: 0 }), /^TensorError: fit: readEvery must be a positive integer \(got 0\)$/);
});

test('evaluateAsync equals evaluate on CPU backends, and on a backend without synchronous reads', needsIndexing, async () => {
  const s = setup();
  const want = evaluate(s.model, s.test, 3);
  assert.deepEqual(await evaluateAsync(s.model, s.test, 3), want);
  const got = await on(gpu, async () => {
    const g = setup();
    return evaluateAsync(g.model, g.test, 3);
  });
  assert.ok(close(got.loss, want.loss));
  assert.deepEqual({ ...got, loss: 0 }, { ...want, loss: 0 });
});
