/**
 * Tutorial 8: transfer learning. Pretrain LeNet-5 on the MNIST digits 0-4,
 * then teach it the digits 5-9 from a few images per class: from scratch, with
 * a new head on frozen layers, with gradual unfreezing and with full
 * fine-tuning at per-group learning rates; the test accuracies side by side.
 * Run: node --import tsx docs/tutorials/08-transfer-learning.ts [--full]
 */
import * as tg from 'tensorgrad';
import { image, settings, show, svg, table } from './lib.js';

const { data, models, optim, train, viz, io } = tg;
tg.manualSeed(0);

const s = settings(
  { pretrain: 3000, pretrainEpochs: 1, test: 1000, shots: [10], seeds: [0, 1, 2], epochs: 10 },
  { pretrain: Infinity, pretrainEpochs: 3, test: 10000, shots: [10, 50], seeds: [0, 1, 2, 3, 4], epochs: 20 },
);

// ── Data: digits 0-4 to pretrain on, 5-9 to adapt to ────────────────────────
const MEAN = 0.1307, STD = 0.3081;
const mnist = data.loadMnist({ split: 'train' }), mnistTest = data.loadMnist({ split: 'test' });
const trainLabels = mnist.labels.toArray() as number[];
/** The images at `indices`, normalised, and their labels minus `offset` (5-9 become 0-4). */
function subset(set: tg.data.ImageLabelSet, indices: number[], offset: number) {
  const idx = tg.tensor(indices, { dtype: 'int32' });
  return { images: set.images.indexSelect(0, idx).sub(MEAN).div(STD), labels: set.labels.indexSelect(0, idx).sub(offset).to('int32') };
}
const where = (labels: number[], keep: (y: number) => boolean, limit = Infinity) =>
  labels.flatMap((y, i) => (keep(y) ? [i] : [])).slice(0, limit);
const loader = (d: { images: tg.Tensor; labels: tg.Tensor }, batchSize: number, shuffle: boolean) =>
  new data.DataLoader(new data.TensorDataset(d.images, d.labels), { batchSize, shuffle });

const pre = subset(mnist, where(trainLabels, (y) => y < 5, s.pretrain), 0);
const testLabelsAll = (mnistTest.labels.toArray() as number[]).slice(0, s.test);
const pretrainTest = subset(mnistTest, where(testLabelsAll, (y) => y < 5), 0);
const newTest = subset(mnistTest, where(testLabelsAll, (y) => y >= 5), 5);
/** The first `k` training images of each digit 5-9, starting at `skip` per digit (a different sample per seed). */
function fewShot(k: number, skip: number) {
  const byClass = [5, 6, 7, 8, 9].map((c) => where(trainLabels, (y) => y === c).slice(skip, skip + k));
  return subset(mnist, byClass.flat(), 5);
}

// ── 1. Pretraining on 0-4 ───────────────────────────────────────────────────
const pretrained = models.lenet5({ numClasses: 5 });
const preEpochs = await train.fit({
  model: pretrained, optimizer: new optim.Adam(pretrained.parameters(), { lr: 2e-3 }),
  train: loader(pre, 64, true), test: loader(pretrainTest, 1000, false), numClasses: 5, epochs: s.pretrainEpochs,
});
// The weights as a safetensors file would hold them (tg.io.save writes the same bytes to disk).
const weights = io.serialize(pretrained.stateDict());
const last = preEpochs.at(-1)!;
show('pretrain', table(['pretrained on', 'images', 'epochs', 'test acc. on 0-4 %', 'seconds', 'weights (safetensors)'], [[
  'digits 0-4', pre.labels.shape[0]!, s.pretrainEpochs, (last.testAccuracy * 100).toFixed(2),
  preEpochs.reduce((t, e) => t + e.seconds, 0).toFixed(1), `${(weights.length / 1024).toFixed(0)} KiB`,
]]));

// ── 2. Methods of adaptation ────────────────────────────────────────────────
/** A LeNet-5 with the pretrained weights and a new, randomly initialised 5-class head. */
function fromPretrained(): { model: tg.models.LeNet5; head: string } {
  const model = models.lenet5({ numClasses: 5 });
  model.loadStateDict(io.deserialize(weights).tensors, { strict: true });
  const { path } = train.replaceHead(model, 5);
  return { model, head: path };
}

type Method = { name: string; short: string; setup: () => { model: tg.models.LeNet5; optimizer: tg.optim.Adam; onEpochStart?: (e: number) => void } };
// Adam for every method; the new head (and a model from scratch) at 3e-3, pretrained layers at a tenth of it where a method says so.
const HEAD_LR = 3e-3, BODY_LR = 3e-4;
const adam = (params: ConstructorParameters<typeof optim.Adam>[0]) => new optim.Adam(params, { lr: HEAD_LR });
const methods: Method[] = [
  {
    name: 'from scratch', short: 'from scratch', setup: () => {
      const model = models.lenet5({ numClasses: 5 });
      return { model, optimizer: adam(model.parameters()) };
    },
  },
  {
    name: 'new head only, all else frozen', short: 'head only', setup: () => {
      const { model } = fromPretrained();
      model.freeze().unfreeze('classifier.5');
      return { model, optimizer: adam(model.parameters()) };
    },
  },
  {
    name: 'frozen convolutions, new head', short: 'frozen convs', setup: () => {
      const { model, head } = fromPretrained();
      model.freezeUntil('features.3');
      return { model, optimizer: adam(train.paramGroupsFor(model, { head: [head], headLr: HEAD_LR, bodyLr: BODY_LR })) };
    },
  },
  {
    name: 'gradual unfreezing', short: 'gradual unfreezing', setup: () => {
      const { model, head } = fromPretrained();
      model.freezeUntil('classifier.3');
      const unfreezing = new train.GradualUnfreezing(model);
      return {
        model, optimizer: adam(train.paramGroupsFor(model, { head: [head], headLr: HEAD_LR, bodyLr: BODY_LR })),
        onEpochStart: (e: number) => { unfreezing.onEpochStart(e); },
      };
    },
  },
  {
    name: 'full fine-tuning, body lr x 0.1', short: 'all, body lr x 0.1', setup: () => {
      const { model, head } = fromPretrained();
      return { model, optimizer: adam(train.paramGroupsFor(model, { head: [head], headLr: HEAD_LR, bodyLr: BODY_LR })) };
    },
  },
  {
    name: 'full fine-tuning, one lr', short: 'all, one lr', setup: () => {
      const { model } = fromPretrained();
      return { model, optimizer: adam(model.parameters()) };
    },
  },
];

// ── 3. The gradual-unfreezing schedule, epoch by epoch ──────────────────────
{
  const { model, head } = fromPretrained();
  model.freezeUntil('classifier.3');
  const unfreezing = new train.GradualUnfreezing(model);
  const rows: (string | number)[][] = [];
  for (let e = 1; e <= unfreezing.lastUnfreezeEpoch + 1; e++) {
    const newly = unfreezing.onEpochStart(e);
    rows.push([e, newly.join(', ') || '-', model.numParameters(true), model.numParameters() - model.numParameters(true)]);
  }
  show('schedule', `head: ${head}; blocks, bottom first: ${unfreezing.blocks.join(', ')}\n\n` +
    table(['epoch', 'unfrozen at its start', 'trainable params', 'frozen params'], rows));
}

// ── 4. Every method, every k, several seeds ─────────────────────────────────
const testBatches = loader(newTest, 1000, false);
const results = new Map<string, number[]>(); // `${method}|${k}` -> accuracies
let frozenCheck = '';
for (const k of s.shots) {
  for (const seed of s.seeds) {
    const shots = fewShot(k, seed * k);
    for (const m of methods) {
      tg.manualSeed(seed);
      const { model, optimizer, onEpochStart } = m.setup();
      const conv1 = model.stateDict()['features.0.weight']!.clone();
      await train.fit({ model, optimizer, train: loader(shots, 10, true), numClasses: 5, epochs: s.epochs, onEpochStart });
      const acc = train.evaluate(model, testBatches, 5).accuracy;
      const key = `${m.name}|${k}`;
      results.set(key, [...(results.get(key) ?? []), acc]);
      if (k === s.shots[0] && seed === 0 && m.name === 'frozen convolutions, new head') {
        const moved = model.stateDict()['features.0.weight']!.sub(conv1).abs().max().item();
        frozenCheck = `after ${s.epochs} epochs of '${m.name}': max |change| of features.0.weight = ${moved}, ` +
          `trainable parameters ${model.numParameters(true).toLocaleString('en-US')} of ${model.numParameters().toLocaleString('en-US')}`;
      }
    }
  }
}
const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
const spread = (v: number[]) => Math.sqrt(mean(v.map((x) => (x - mean(v)) ** 2)));
show('results', table(['method', ...s.shots.map((k) => `k = ${k} per class`)], methods.map((m) => [
  m.name, ...s.shots.map((k) => {
    const accs = results.get(`${m.name}|${k}`)!.map((a) => a * 100);
    return `${mean(accs).toFixed(1)} ± ${spread(accs).toFixed(1)} %`;
  }),
])) + `\n\ntest accuracy on ${newTest.labels.shape[0]} test images of the digits 5-9; mean ± standard deviation over ${s.seeds.length} seeds` +
  `\n(each seed: other training images and another head initialisation)\n${frozenCheck}`);

svg('results', viz.barChart({
  title: `Digits 5-9 from ${s.shots[0]} images per class: test accuracy (mean of ${s.seeds.length} seeds)`, xLabel: 'method', yLabel: 'test accuracy %',
  labels: methods.map((m) => m.short), values: methods.map((m) => mean(results.get(`${m.name}|${s.shots[0]}`)!) * 100),
  format: (v) => v.toFixed(1), yMin: 0, yMax: 100, width: 900,
}));

// The few-shot training set of seed 0, k = 10: all the 5-9 the adapted models see.
const shown = fewShot(10, 0).images.mul(STD).add(MEAN);
image('shots', viz.upscaleNearest(viz.imageGrid(Array.from({ length: 50 }, (_, i) => shown.select(0, i)), { columns: 10, background: 1 }), 2));
