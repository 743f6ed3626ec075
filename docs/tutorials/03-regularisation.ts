/**
 * Tutorial 3: regularisation and normalisation. One MLP trained on a small
 * MNIST subset, so that it overfits, then with L2 weight decay, dropout, batch
 * norm, data augmentation (random shifts) and early stopping, one at a time:
 * train and test accuracy and the gap between them.
 * Run: node --import tsx docs/tutorials/03-regularisation.ts [--full]
 */
import * as tg from 'tensorgrad';
import { image, settings, show, svg, table } from './lib.js';

const { data, models, optim, train, viz } = tg;

const s = settings(
  { train: 500, validation: 500, test: 1000, epochs: 12, sizes: [784, 128, 128, 10] },
  { train: 1000, validation: 5000, test: 10000, epochs: 100, sizes: [784, 512, 512, 10] },
);

// ── The data: few training images, so that the network can memorise them ──
const MEAN = 0.1307, STD = 0.3081;   // MNIST's pixel statistics
const all = data.loadMnist({ split: 'train' }), testAll = data.loadMnist({ split: 'test' });
const slice = (set: { images: tg.Tensor; labels: tg.Tensor }, start: number, n: number) => ({
  images: set.images.narrow(0, start, n).sub(MEAN).div(STD), labels: set.labels.narrow(0, start, n).contiguous(),
});
const trainSet = slice(all, 0, s.train);
const validation = slice(all, 50000, s.validation);   // for early stopping: never the test images
const testSet = slice(testAll, 0, s.test);
const batches = (set: { images: tg.Tensor; labels: tg.Tensor }, batchSize = 500, shuffle = false) =>
  new data.DataLoader(new data.TensorDataset(set.images, set.labels), { batchSize, shuffle });

// Augmentation: shift each image by up to 2 pixels (pad with background, crop 28x28 at random).
const shift = data.randomCrop(28, { padding: 2, fill: (0 - MEAN) / STD });
tg.manualSeed(1);
const original = trainSet.images.narrow(0, 0, 8);
const shifted = [0, 1, 2].map(() => shift(original));
const toPixels = (x: tg.Tensor) => x.mul(STD).add(MEAN);
image('shifts', viz.upscaleNearest(viz.imageGrid([original, ...shifted].flatMap((b) => Array.from({ length: 8 }, (_, i) => toPixels(b.select(0, i)))), { columns: 8 }), 2));

// ── One network, six ways of training it ────────────────────────────────────
type Method = 'none' | 'L2 weight decay' | 'dropout' | 'batch norm' | 'augmentation' | 'early stopping';
const methods: Method[] = ['none', 'L2 weight decay', 'dropout', 'batch norm', 'augmentation', 'early stopping'];
const rows: (string | number)[][] = [];
const curves: tg.viz.Series[] = [];
const results: { method: Method; gap: number; test: number }[] = [];
for (const method of methods) {
  tg.manualSeed(0);                                            // the same initial weights and data order for every method
  const model = models.mlp({
    sizes: s.sizes, activation: 'relu', dropout: method === 'dropout' ? 0.25 : 0, batchNorm: method === 'batch norm',
  });
  const optimizer = new optim.SGD(model.parameters(), { lr: 0.05, momentum: 0.9, weightDecay: method === 'L2 weight decay' ? 5e-3 : 0 });
  const stopper = method === 'early stopping' ? new optim.EarlyStopping({ patience: 3, restoreBestWeights: true }) : undefined;
  const epochs = await train.fit({
    model, optimizer, train: batches(trainSet, 32, true), test: batches(validation), numClasses: 10, epochs: s.epochs,
    augment: method === 'augmentation' ? shift : undefined,
    earlyStopping: stopper,                                    // watches the validation loss after each epoch
  });
  // Accuracy on the whole training subset and on the test set, in eval mode (no dropout, no augmentation).
  const tr = train.evaluate(model, batches(trainSet), 10).accuracy;
  const te = train.evaluate(model, batches(testSet), 10).accuracy;
  results.push({ method, gap: tr - te, test: te });
  rows.push([method, epochs.length + (stopper ? ` (best ${stopper.bestEpoch + 1})` : ''), (tr * 100).toFixed(1), (te * 100).toFixed(1), ((tr - te) * 100).toFixed(1)]);
  if (method === 'none' || method === 'augmentation') {
    const color = method === 'none' ? '#1f77b4' : '#2ca02c';
    curves.push({ name: `${method}: validation`, x: epochs.map((e) => e.epoch), y: epochs.map((e) => e.testLoss), color });
    curves.push({ name: `${method}: training (running)`, x: epochs.map((e) => e.epoch), y: epochs.map((e) => e.trainLoss), dashed: true, color });
  }
}
show('results', `${s.train} training images, ${s.epochs} epochs at most, MLP ${s.sizes.join('-')}:\n\n` +
  table(['method', 'epochs', 'train acc. %', 'test acc. %', 'gap (points)'], rows));
svg('gap', viz.barChart({
  title: 'Generalisation gap: train minus test accuracy', xLabel: 'method', yLabel: 'percentage points', width: 720, height: 340,
  labels: results.map((r) => r.method), values: results.map((r) => Number((r.gap * 100).toFixed(1))),
}));
svg('loss-curves', viz.lineChart({
  title: 'Loss without regularisation and with augmentation', xLabel: 'epoch', yLabel: 'cross-entropy', width: 720, height: 340,
  series: curves,
}));
