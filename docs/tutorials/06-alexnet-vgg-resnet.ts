/**
 * Tutorial 6: AlexNet, VGG, ResNet. The classic ImageNet architectures side by
 * side from `tg.analysis.summary` (parameters, multiply-accumulates, depth,
 * receptive fields; traced on shape-only tensors, so no weights are made),
 * where their parameters sit, why VGG stacks 3x3 convolutions, and what a
 * residual connection does to the gradient of a deep net and to its training.
 * Run: node --import tsx docs/tutorials/06-alexnet-vgg-resnet.ts [--full]
 */
import * as tg from 'tensorgrad';
import { settings, show, svg, table } from './lib.js';

const { nn, F, data, models, optim, analysis, viz } = tg;

const s = settings({ images: 1024, steps: 64, blocks: 8 }, { images: 8192, steps: 1000, blocks: 8 });
const n = (v: number) => v.toLocaleString('en-US');
const pct = (part: number, whole: number) => `${((100 * part) / whole).toFixed(1)} %`;

// ── 1. The architectures side by side ───────────────────────────────────────
// A builder function (not a built model): summary traces it on shape-only tensors, so no weights are made.
const zoo: [string, () => tg.nn.Module, number[]][] = [
  ['LeNet-5', () => models.lenet5(), [1, 1, 28, 28]],
  ['AlexNet', () => models.alexnet(), [1, 3, 224, 224]],
  ['VGG-11', () => models.vgg11(), [1, 3, 224, 224]],
  ['VGG-16', () => models.vgg16(), [1, 3, 224, 224]],
  ['NiN (CIFAR)', () => models.nin(), [1, 3, 32, 32]],
  ['ResNet-20 (CIFAR)', () => models.resnet20(), [1, 3, 32, 32]],
  ['ResNet-18', () => models.resnet18(), [1, 3, 224, 224]],
  ['ResNet-50', () => models.resnet50(), [1, 3, 224, 224]],
];
const started = performance.now();
const summaries = new Map(zoo.map(([name, build, shape]) => [name, analysis.summary(build, shape)]));
const summarySeconds = (performance.now() - started) / 1000;

// Weight layers on the main path (ResNet's 1x1 projection shortcuts, `downsample`, are not counted in its depth).
const isWeightLayer = (r: tg.analysis.LayerRow) => (r.type === 'Conv2d' || r.type === 'Linear') && !r.name.includes('downsample');
const paramsOf = (sm: tg.analysis.ModelSummary, type: string) =>
  sm.rows.filter((r) => r.type === type).reduce((a, r) => a + r.trainableParams + r.frozenParams, 0);
// The last feature map: the last layer before the global pooling (AdaptiveAvgPool2d) or the flattening.
const lastField = (sm: tg.analysis.ModelSummary) => {
  const end = sm.rows.findIndex((r) => r.type === 'AdaptiveAvgPool2d' || r.type === 'Flatten');
  const row = sm.rows[end - 1]!;
  const f = row.receptiveField as { size: number[]; jump: number[] };
  return { size: f.size[0]!, jump: f.jump[0]!, map: row.outputShape.slice(2).join('x') };
};

show('compare', table(
  ['model', 'input', 'weight layers', 'params', 'MACs', 'conv params', 'fc params', 'last map', 'its RF'],
  zoo.map(([name, , shape]) => {
    const sm = summaries.get(name)!;
    const f = lastField(sm);
    return [name, shape.slice(1).join('x'), sm.rows.filter(isWeightLayer).length, n(sm.totalParams), analysis.humanCount(sm.macs),
      pct(paramsOf(sm, 'Conv2d'), sm.totalParams), pct(paramsOf(sm, 'Linear'), sm.totalParams), f.map, f.size];
  }),
) + `\n\n${zoo.length} summaries in ${summarySeconds.toFixed(2)} s (traced on shape-only tensors: no weights made, nothing computed)`);

// ── 2. Where the parameters and the work are ────────────────────────────────
show('heaviest', table(
  ['model', 'layer with most params', 'its params', 'share of params', 'share of MACs'],
  zoo.map(([name]) => {
    const sm = summaries.get(name)!;
    const top = sm.rows.reduce((a, r) => (r.trainableParams > a.trainableParams ? r : a));
    return [name, `${top.name} (${top.type})`, n(top.trainableParams), pct(top.trainableParams, sm.totalParams), pct(top.macs, sm.macs)];
  }),
));

const vgg = summaries.get('VGG-16')!;
const vggLayers = vgg.rows.filter(isWeightLayer);
svg('vgg16-params', viz.barChart({
  title: 'VGG-16: parameters per layer (millions)', xLabel: 'layer (13 convolutions, then 3 fully connected)', yLabel: 'parameters (M)',
  width: 760, height: 360, format: (v) => v.toFixed(1),
  labels: vggLayers.map((r, i) => (r.type === 'Linear' ? `fc${i - 12}` : `conv${i + 1}`)),
  values: vggLayers.map((r) => r.trainableParams / 1e6),
}));
// What global average pooling saves: VGG-16's first fc layer reads 512x7x7 values; after a global pool it would read 512.
const fc6 = vggLayers.find((r) => r.type === 'Linear')!;
const pooledFc6 = 512 * 4096 + 4096;
show('global-pool', [
  `VGG-16 fc6 reads 512x7x7 = ${n(512 * 49)} values: ${n(fc6.trainableParams)} parameters (${pct(fc6.trainableParams, vgg.totalParams)} of the model)`,
  `the same layer after a global average pool reads 512 values: ${n(pooledFc6)} parameters (${(fc6.trainableParams / pooledFc6).toFixed(0)}x fewer)`,
  `ResNet-18 does that: its only fc layer has ${n(paramsOf(summaries.get('ResNet-18')!, 'Linear'))} parameters`,
].join('\n'));

// ── 3. Why 3x3: stacks against one big kernel, at VGG's channel counts ──────
const C = 256;
const conv = (k: number) => new nn.Conv2d(C, C, k, { padding: (k - 1) / 2 });
const stack = (count: number) => new nn.Sequential(...Array.from({ length: count }, () => [conv(3), new nn.ReLU()]).flat());
const stacks: [string, () => tg.nn.Module][] = [
  ['two 3x3 convs', () => stack(2)], ['one 5x5 conv', () => new nn.Sequential(conv(5), new nn.ReLU())],
  ['three 3x3 convs', () => stack(3)], ['one 7x7 conv', () => new nn.Sequential(conv(7), new nn.ReLU())],
];
show('stacks', `${C} -> ${C} channels on a 56x56 map (VGG-16's third stage):\n\n` + table(
  ['layers', 'params', 'MACs', 'receptive field', 'ReLUs'],
  stacks.map(([name, build]) => {
    const sm = analysis.summary(build, [1, C, 56, 56]);
    const rf = sm.rows.at(-1)!.receptiveField as { size: number[] };
    return [name, n(sm.totalParams), analysis.humanCount(sm.macs), `${rf.size[0]}x${rf.size[0]}`, sm.rows.filter((r) => r.type === 'ReLU').length];
  }),
));

// ResNet-18's receptive field, stage by stage.
const r18 = summaries.get('ResNet-18')!;
show('resnet-field', table(['after', 'output', 'receptive field', 'jump'], ['maxpool', 'layer1', 'layer2', 'layer3', 'layer4'].map((stage) => {
  const row = r18.rows.filter((r) => r.name === stage || r.name.startsWith(`${stage}.`)).at(-1)!;
  const f = row.receptiveField as { size: number[]; jump: number[] };
  return [stage, `[${row.outputShape.join(', ')}]`, f.size[0]!, f.jump[0]!];
})));

// ── 4. Skip connections: a deep plain net against the same net with residual connections ──
// A stem (3x3 conv, stride 2, then 2x2 max pool: 28x28 -> 7x7), `blocks` blocks of two 3x3 convs with ReLUs,
// global average pooling and a linear classifier. No batch norm; PyTorch's default initialisation.
const CH = 8;
function deepNet(blocks: number, residual: boolean): tg.nn.Module {
  const layers: tg.nn.Module[] = [new nn.Conv2d(1, CH, 3, { stride: 2, padding: 1 }), new nn.ReLU(), new nn.MaxPool2d(2)];
  for (let i = 0; i < blocks; i++) {
    const body = new nn.Sequential(new nn.Conv2d(CH, CH, 3, { padding: 1 }), new nn.ReLU(), new nn.Conv2d(CH, CH, 3, { padding: 1 }));
    layers.push(residual ? new nn.Residual(body, { activation: new nn.ReLU() }) : new nn.Sequential(body, new nn.ReLU()));
  }
  layers.push(new nn.AdaptiveAvgPool2d(1), new nn.Flatten(), new nn.Linear(CH, 10));
  return new nn.Sequential(...layers);
}

const MEAN = 0.1307, STD = 0.3081;
const mnist = data.loadMnist({ split: 'train' });
const images = mnist.images.narrow(0, 0, s.images).sub(MEAN).div(STD), labels = mnist.labels.narrow(0, 0, s.images).contiguous();

// At initialisation, for one batch of 64 digits: the norm of the gradient that reaches the first convolution,
// and how much the last feature map differs between digits (its standard deviation over the batch, averaged).
const batch = images.narrow(0, 0, 64);
const atInit = (blocks: number, residual: boolean) => {
  tg.manualSeed(0);
  const model = deepNet(blocks, residual);
  F.crossEntropy(model.forward(batch), labels.narrow(0, 0, 64)).backward();
  const lastMap = viz.featureMaps(model, batch, { layers: [String(blocks + 2)] }).get(String(blocks + 2))!;
  return [model.parameters()[0]!.grad!.norm().item().toExponential(2), lastMap.std(0).mean().item().toExponential(1)];
};
show('gradients', table(['blocks', 'conv layers', '‖grad‖ first conv: plain', 'residual', 'spread of last map: plain', 'residual'],
  [1, 2, 4, 8, 16].map((b) => {
    const [gp, sp] = atInit(b, false), [gr, sr] = atInit(b, true);
    return [b, 2 * b + 1, gp!, gr!, sp!, sr!];
  })));

// Train both at depth `s.blocks` with the same seed, data order and optimiser.
const curves: tg.viz.Series[] = [];
const trainRows: (string | number)[][] = [];
for (const residual of [false, true]) {
  tg.manualSeed(0);
  const model = deepNet(s.blocks, residual);
  const optimizer = new optim.Adam(model.parameters(), { lr: 5e-3 });
  const loader = new data.DataLoader(new data.TensorDataset(images, labels), { batchSize: 32, shuffle: true });
  const losses: number[] = [];
  const t0 = performance.now();
  while (losses.length < s.steps) {
    for (const [x, y] of loader) {
      if (losses.length === s.steps) break;
      const loss = F.crossEntropy(model.forward(x!), y!);
      optimizer.zeroGrad();
      loss.backward();
      optimizer.step();
      losses.push(loss.item());
    }
  }
  const every = s.steps / 8;   // the mean loss over each eighth of the run
  const means = Array.from({ length: 8 }, (_, k) => losses.slice(k * every, (k + 1) * every).reduce((a, v) => a + v, 0) / every);
  curves.push({ name: residual ? 'residual' : 'plain', x: means.map((_, k) => (k + 1) * every), y: means });
  trainRows.push([residual ? 'residual' : 'plain', means[0]!.toFixed(3), means[3]!.toFixed(3), means[7]!.toFixed(3), ((performance.now() - t0) / 1000).toFixed(1)]);
}
show('training', `${2 * s.blocks + 1} conv layers, Adam (lr 0.005), batch 32, ${s.steps} steps on ${n(s.images)} MNIST images; mean training loss:\n\n` +
  table(['net', `steps 1-${s.steps / 8}`, `steps ${(3 * s.steps) / 8 + 1}-${s.steps / 2}`, `steps ${(7 * s.steps) / 8 + 1}-${s.steps}`, 'seconds'], trainRows));
svg('residual-loss', viz.lineChart({
  title: `Training loss, ${2 * s.blocks + 1} conv layers: plain vs residual`, xLabel: 'step', yLabel: `cross-entropy (mean of ${s.steps / 8} steps)`,
  width: 720, height: 340, series: curves,
}));
