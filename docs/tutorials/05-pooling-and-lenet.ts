/**
 * Tutorial 5: pooling and LeNet-5. Max versus average pooling (forward and
 * backward), how much pooling buys in translation invariance, then LeNet-5
 * trained briefly on MNIST, its summary, its filters and feature maps.
 * Run: node --import tsx docs/tutorials/05-pooling-and-lenet.ts [--full]
 */
import * as tg from 'tensorgrad';
import { image, settings, show, table } from './lib.js';

const { F, data, models, optim, train, viz, analysis } = tg;
tg.manualSeed(0);

const s = settings({ train: 4000, test: 1000, epochs: 1 }, { train: 60000, test: 10000, epochs: 3 });

// ── 1. Max and average pooling, forward and backward ────────────────────────
const x = tg.tensor([[[[1, 3, 2, 0], [4, 2, 1, 1], [0, 1, 5, 6], [2, 2, 7, 8]]]], { requiresGrad: true });
const maxOut = F.maxPool2d(x, 2);
maxOut.sum().backward();
const maxGrad = x.grad!.clone();
x.grad = null;
const avgOut = F.avgPool2d(x, 2);
avgOut.sum().backward();
// Each tensor as lines of right-aligned numbers, then the blocks side by side.
const lines = (t: tg.Tensor) => (t.reshape([t.shape[2]!, t.shape[3]!]).toArray() as number[][]).map((r) => r.map((v) => String(v).padStart(5)).join(''));
const besideEachOther = (blocks: [string, tg.Tensor][]) => {
  const cols = blocks.map(([title, t]) => [title, ...lines(t)]);
  const widths = cols.map((c) => Math.max(...c.map((l) => l.length)) + 4);
  return Array.from({ length: Math.max(...cols.map((c) => c.length)) }, (_, i) =>
    cols.map((c, k) => (c[i] ?? '').padEnd(widths[k]!)).join('').trimEnd()).join('\n');
};
show('pooling', besideEachOther([['input x', x], ['maxPool2d(x, 2)', maxOut], ['avgPool2d(x, 2)', avgOut]]) + '\n\n' +
  besideEachOther([['d sum(maxPool2d(x, 2)) / dx', maxGrad], ['d sum(avgPool2d(x, 2)) / dx', x.grad!]]));

// ── 2. LeNet-5 ──────────────────────────────────────────────────────────────
const model = models.lenet5();
show('summary', String(analysis.summary(model, [1, 1, 28, 28])));

const MEAN = 0.1307, STD = 0.3081;
const norm = (images: tg.Tensor) => images.sub(MEAN).div(STD);
const all = data.loadMnist({ split: 'train' }), testAll = data.loadMnist({ split: 'test' });
const trainImages = norm(all.images.narrow(0, 0, s.train)), trainLabels = all.labels.narrow(0, 0, s.train).contiguous();
const testImages = norm(testAll.images.narrow(0, 0, s.test)), testLabels = testAll.labels.narrow(0, 0, s.test).contiguous();
const batches = (images: tg.Tensor, labels: tg.Tensor, batchSize: number, shuffle: boolean) =>
  new data.DataLoader(new data.TensorDataset(images, labels), { batchSize, shuffle });

const epochs = await train.fit({
  model, optimizer: new optim.Adam(model.parameters(), { lr: 2e-3 }),
  train: batches(trainImages, trainLabels, 64, true), test: batches(testImages, testLabels, 500, false), numClasses: 10, epochs: s.epochs,
});
show('training', table(['epoch', 'train loss', 'train acc. %', 'test acc. %', 'seconds'], epochs.map((e) => [
  e.epoch, e.trainLoss.toFixed(4), (e.trainAccuracy * 100).toFixed(2), (e.testAccuracy * 100).toFixed(2), e.seconds.toFixed(1),
])));

// ── 3. Translation invariance ───────────────────────────────────────────────
// Shift every test image right by `d` pixels (zero background), and measure (a) how much the layer outputs
// change, relative to their size, before and after the first pooling layer, and (b) the accuracy.
const background = (0 - MEAN) / STD;
const shiftRight = (images: tg.Tensor, d: number) => (d === 0 ? images
  : F.pad(images, [d, 0, 0, 0], { value: background }).narrow(3, 0, 28));
const captured = (images: tg.Tensor, layer: string) => viz.featureMaps(model, images, { layers: [layer] }).get(layer)!;
const relChange = (a: tg.Tensor, b: tg.Tensor) => a.sub(b).norm().item() / a.norm().item();
const probe = testImages.narrow(0, 0, 200);
model.eval();
const invRows = [0, 1, 2, 3].map((d) => {
  const shifted = shiftRight(probe, d);
  const acc = tg.noGrad(() => model.forward(shiftRight(testImages, d)).argmax(1).eq(testLabels).to('float32').mean().item());
  return [d, relChange(captured(probe, 'features.1'), captured(shifted, 'features.1')).toFixed(2),
    relChange(captured(probe, 'features.2'), captured(shifted, 'features.2')).toFixed(2),
    relChange(captured(probe, 'features.5'), captured(shifted, 'features.5')).toFixed(2), (acc * 100).toFixed(1)];
});
show('invariance', table(['shift (px)', 'change after conv1+ReLU', 'after pool1', 'after pool2', 'test acc. %'], invRows));

// ── 4. What LeNet-5 learned ─────────────────────────────────────────────────
image('filters', viz.filterGrid(model, { cellSize: 80, padding: 8 }));
const digit = testImages.narrow(0, 0, 1);
image('maps-conv1', viz.featureMapGrid(model, digit, { layer: 'features.1', map: 'grey', columns: 6, cellSize: 84 }).image);
image('maps-pool1', viz.featureMapGrid(model, digit, { layer: 'features.2', map: 'grey', columns: 6, cellSize: 84 }).image);
