// tg.train.fit's hooks as the experiments use them: onBatch sees each step's
// loss, batch size and correct count with a run-wide step number; maxSteps
// ends training mid-epoch and still completes that epoch; shouldStop checked
// after onBatch stops at once; onEpoch sees every epoch's evaluation. And fit
// is a plain loop: it trains exactly as a hand-written loop over the same batches.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tg from '../../src/index.js';
import { fit, type BatchInfo, type EpochResult } from '../../src/train/fit.js';

/** 50 random 4-feature samples of 3 classes, shuffled by a seeded generator in batches of 8 (7 batches, the last of 2). */
function setup(seed = 0) {
  tg.manualSeed(seed);
  const x = tg.randn([50, 4]);
  const y = tg.tensor([...Array(50).keys()].map((i) => i % 3), { dtype: 'int32' });
  const model = new tg.nn.Linear(4, 3);
  const optimizer = new tg.optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
  const train = new tg.data.DataLoader(new tg.data.TensorDataset(x, y), { batchSize: 8, shuffle: true, generator: new tg.Generator(seed + 1) });
  const test = new tg.data.DataLoader(new tg.data.TensorDataset(x, y), { batchSize: 25 });
  return { model, optimizer, train, test, numClasses: 3, x, y };
}

test('fit: onBatch gets a run-wide step, the batch size and the correct count of each batch', async () => {
  const s = setup();
  const seen: BatchInfo[] = [];
  const results = await fit({ ...s, epochs: 2, onBatch: (b) => void seen.push(b) });
  assert.deepEqual(seen.map((b) => b.step), [...Array(14).keys()].map((i) => i + 1));
  assert.deepEqual(seen.map((b) => b.batch), [1, 2, 3, 4, 5, 6, 7, 1, 2, 3, 4, 5, 6, 7]);
  assert.deepEqual(seen.slice(0, 7).map((b) => b.samples), [8, 8, 8, 8, 8, 8, 2]);
  for (const [e, r] of results.entries()) {
    const epoch = seen.filter((b) => b.epoch === e + 1);
    const correct = epoch.reduce((a, b) => a + b.correct, 0);
    assert.ok(epoch.every((b) => Number.isInteger(b.correct) && b.correct >= 0 && b.correct <= b.samples));
    // The epoch's accuracy and loss are the sample-weighted means of the batches'.
    assert.ok(Math.abs(r.trainAccuracy - correct / 50) < 1e-12);
    assert.ok(Math.abs(r.trainLoss - epoch.reduce((a, b) => a + b.loss * b.samples, 0) / 50) < 1e-9);
    assert.equal(r.steps, 7);
    assert.ok(Math.abs(epoch[epoch.length - 1]!.accuracy - r.trainAccuracy) < 1e-12);
  }
});

test('fit: maxSteps ends training mid-epoch, and that epoch is still evaluated and reported', async () => {
  const s = setup();
  const steps: number[] = [];
  const epochs: EpochResult[] = [];
  const results = await fit({ ...s, epochs: 5, maxSteps: 10, onBatch: (b) => void steps.push(b.step), onEpoch: (r) => void epochs.push(r) });
  assert.equal(steps.length, 10);
  assert.deepEqual(results.map((r) => r.steps), [7, 3]);
  assert.deepEqual(epochs, results);
  assert.ok(Number.isFinite(results[1]!.testAccuracy), 'the partial epoch is evaluated on the test data');
  // Whichever of epochs and maxSteps comes first: here the epochs.
  assert.deepEqual((await fit({ ...setup(), epochs: 1, maxSteps: 100 })).map((r) => r.steps), [7]);
  assert.deepEqual(await fit({ ...setup(), epochs: 3, maxSteps: 0 }), []);
  for (const bad of [-1, 2.5, NaN]) {
    await assert.rejects(fit({ ...setup(), epochs: 1, maxSteps: bad }),
      (e: unknown) => e instanceof tg.TensorError && e.message === `fit: maxSteps must be a non-negative integer (got ${bad})`);
  }
});

test('fit: shouldStop set from onBatch stops after that batch, without a result for the unfinished epoch', async () => {
  const s = setup();
  let steps = 0;
  let epochsSeen = 0;
  const results = await fit({
    ...s, epochs: 3, onBatch: (b) => void (steps = b.step), onEpoch: () => void epochsSeen++, shouldStop: () => steps >= 9,
  });
  assert.equal(steps, 9);
  assert.equal(results.length, 1);
  assert.equal(epochsSeen, 1);
});

test('fit: onEpoch sees each epoch with its test evaluation, in eval mode only for the evaluation', async () => {
  const s = setup();
  const modes: boolean[] = [];
  const results = await fit({
    ...s, epochs: 2,
    onBatch: () => void modes.push(s.model.training),
    onEpoch: (r) => {
      modes.push(s.model.training);
      const again = tg.train.evaluate(s.model, s.test, 3);
      assert.equal(r.testAccuracy, again.accuracy);
      assert.ok(Math.abs(r.testLoss - again.loss) < 1e-9);
    },
  });
  assert.equal(results.length, 2);
  assert.ok(modes.every((m) => m), 'training mode during the batches and restored after the evaluation');
});

test('fit: the same parameters as a hand-written loop over the same batches', async () => {
  const a = setup(3);
  await fit({ model: a.model, optimizer: a.optimizer, train: a.train, numClasses: 3, epochs: 2 });

  const b = setup(3);
  b.model.train();
  for (let epoch = 0; epoch < 2; epoch++) {
    for (const [x, y] of b.train) {
      const loss = tg.F.crossEntropy(b.model.forward(x), y);
      b.optimizer.zeroGrad();
      loss.backward();
      b.optimizer.step();
    }
  }
  assert.deepEqual([...a.model.weight.data()], [...b.model.weight.data()]);
  assert.deepEqual([...a.model.bias!.data()], [...b.model.bias!.data()]);
});
