// tg.train.fit: bad loop settings fail before the first batch, and with
// stopOnNonFinite a diverging run stops with a TensorError instead of
// training on to a NaN model.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tg from '../../src/index.js';
import { fit } from '../../src/train/fit.js';

/** 40 random 4-feature samples of 3 classes, in batches of 10. */
function setup(lr: number, nanInputs = false) {
  tg.manualSeed(0);
  // NaN inputs make every loss NaN from the first batch.
  const x = nanInputs ? tg.tensor(new Array(160).fill(NaN), { shape: [40, 4] }) : tg.randn([40, 4]);
  const y = tg.tensor([...Array(40).keys()].map((i) => i % 3), { dtype: 'int32' });
  const model = new tg.nn.Linear(4, 3);
  const optimizer = new tg.optim.SGD(model.parameters(), { lr });
  const train = new tg.data.DataLoader(new tg.data.TensorDataset(x, y), { batchSize: 10 });
  return { model, optimizer, train, numClasses: 3 };
}

test('fit: invalid epochs, startEpoch, numClasses, schedulerStep throw a TensorError naming fit', async () => {
  const s = setup(0.1);
  const bad: [Record<string, unknown>, RegExp][] = [
    [{ epochs: -1 }, /^fit: epochs must be a non-negative integer \(got -1\)$/],
    [{ epochs: 1.5 }, /^fit: epochs must be/],
    [{ epochs: 1, startEpoch: 0 }, /^fit: startEpoch must be a positive integer \(got 0\)$/],
    [{ epochs: 1, numClasses: 0 }, /^fit: numClasses must be a positive integer \(got 0\)$/],
    [{ epochs: 1, schedulerStep: 'step' }, /^fit: schedulerStep must be 'epoch' or 'batch' \(got "step"\)$/],
  ];
  for (const [opts, pattern] of bad) {
    await assert.rejects(fit({ ...s, ...opts } as unknown as Parameters<typeof fit>[0]), (e: unknown) => e instanceof tg.TensorError && pattern.test(e.message));
  }
});

test('fit: a NaN loss stops the run when stopOnNonFinite is set, and only then', async () => {
  const diverging = () => setup(0.1, true);
  await assert.rejects(fit({ ...diverging(), epochs: 2, stopOnNonFinite: true }),
    (e: unknown) => e instanceof tg.TensorError && /^fit: the training loss became NaN at epoch 1, batch 1 \(lr 0\.1\); the run diverged: use a smaller learning rate$/.test(e.message));
  const results = await fit({ ...diverging(), epochs: 1 });
  assert.ok(Number.isNaN(results[0]!.trainLoss), 'without the option the loop runs on (experiments study divergence)');
  const ok = await fit({ ...setup(0.1), epochs: 1, stopOnNonFinite: true });
  assert.ok(Number.isFinite(ok[0]!.trainLoss));
});
