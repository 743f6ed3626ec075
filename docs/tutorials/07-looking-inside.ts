/**
 * Tutorial 7: looking inside a CNN. LeNet-5 trained briefly on MNIST, then
 * what it computes: first-layer filters, the feature maps of one digit layer
 * by layer, the test patches that excite conv2 units most with their
 * projections back to pixels (Zeiler & Fergus 2014), inputs that maximise
 * class scores, and saliency maps for one digit (Simonyan et al. 2014):
 * gradient, SmoothGrad, guided backprop, integrated gradients, occlusion.
 * Run: node --import tsx docs/tutorials/07-looking-inside.ts [--full]
 */
import * as tg from 'tensorgrad';
import { image, settings, show, table } from './lib.js';

const { F, data, models, optim, train, viz } = tg;
tg.manualSeed(0);

const s = settings(
  { train: 6000, test: 1000, epochs: 2, maxSteps: 96 },
  { train: 60000, test: 10000, epochs: 3, maxSteps: 256 },
);

// ── 1. Train LeNet-5 (as in tutorial 5) ─────────────────────────────────────
const MEAN = 0.1307, STD = 0.3081;
const norm = (images: tg.Tensor) => images.sub(MEAN).div(STD);
const toPixels = (x: tg.Tensor) => x.mul(STD).add(MEAN).clamp(0, 1);   // back to [0, 1] for a picture
const BLACK = (0 - MEAN) / STD;                                          // a black pixel, normalised
const all = data.loadMnist({ split: 'train' }), testAll = data.loadMnist({ split: 'test' });
const trainImages = norm(all.images.narrow(0, 0, s.train)), trainLabels = all.labels.narrow(0, 0, s.train).contiguous();
const testImages = norm(testAll.images.narrow(0, 0, s.test)), testLabels = testAll.labels.narrow(0, 0, s.test).contiguous();
const batches = (images: tg.Tensor, labels: tg.Tensor, batchSize: number, shuffle: boolean) =>
  new data.DataLoader(new data.TensorDataset(images, labels), { batchSize, shuffle });

const model = models.lenet5();
const epochs = await train.fit({
  model, optimizer: new optim.Adam(model.parameters(), { lr: 2e-3 }),
  train: batches(trainImages, trainLabels, 64, true), test: batches(testImages, testLabels, 500, false), numClasses: 10, epochs: s.epochs,
});
model.eval();
show('training', table(['epoch', 'train loss', 'train acc. %', 'test acc. %', 'seconds'], epochs.map((e) => [
  e.epoch, e.trainLoss.toFixed(4), (e.trainAccuracy * 100).toFixed(2), (e.testAccuracy * 100).toFixed(2), e.seconds.toFixed(1),
])));

// ── 2. First-layer filters ──────────────────────────────────────────────────
image('filters', viz.filterGrid(model, { cellSize: 80, padding: 8 }));

// ── 3. One digit through the layers ─────────────────────────────────────────
const digitIndex = 0;                                   // the first test image
const digit = testImages.narrow(0, 0, 1);               // [1, 1, 28, 28]
const layers = ['features.1', 'features.2', 'features.4', 'features.5'];
const columns: Record<string, number> = { 'features.1': 6, 'features.4': 8, 'features.5': 8 };   // the layers drawn
image('digit', viz.upscaleNearest(toPixels(digit.reshape([1, 28, 28])), 4));
for (const layer of Object.keys(columns)) {
  const view = viz.featureMapGrid(model, digit, { layer, map: 'grey', cellSize: 84, columns: columns[layer] });
  image(`maps-${layer.replace('.', '-')}`, view.image);
}
const logits = tg.noGrad(() => model.forward(digit));
const probs = F.softmax(logits, 1).reshape([10]).toArray() as number[];
const predicted = probs.indexOf(Math.max(...probs));
show('layers', table(['layer', 'type', 'output shape', 'values', 'zero %', 'largest'], layers.map((path) => {
  const out = viz.featureMaps(model, digit, { layers: [path] }).get(path)!;
  return [path, model.getSubmodule(path).constructor.name, `[${out.shape.join(', ')}]`, out.numel(),
    (out.eq(0).to('float32').mean().item() * 100).toFixed(0), out.max().item().toFixed(2)];
})) + `\n\nlabel ${testLabels.data()[digitIndex]}, predicted ${predicted} with p = ${probs[predicted]!.toFixed(3)}`);

// ── 4. Top patches of conv2 units, with their projections ───────────────────
const units = [0, 1, 2, 3, 4, 5];
const k = 8;
const withPixels = (entries: tg.viz.PatchEntry[]) => entries.map((e) => ({ ...e, patch: toPixels(e.patch) }));
const top = viz.topPatches(model, testImages, { layer: 'features.3', units, k, projection: 'deconvnet', background: BLACK });
image('top-patches', viz.imageGrid(top.units.map((u) => viz.topPatchesImage(withPixels(u.entries), { scale: 6, padding: 4 })),
  { columns: 2, padding: 16 }));
const labels = testLabels.data();
const field = top.field === 'global' ? 'the whole image' : `${top.field.size.join('x')} pixels, jump ${top.field.jump[0]}`;
show('top-patches', `features.3 (conv2, before its ReLU): receptive field ${field}; ${top.count} test images scanned\n\n` +
  table(['unit', 'top activation', `${k}th`, `digits of the top ${k} patches`],
    top.units.map((u) => [u.unit, u.entries[0]!.value.toFixed(2), u.entries[k - 1]!.value.toFixed(2), u.entries.map((e) => labels[e.index]).join(' ')])));

// The same unit projected three ways: what the deconvnet, guided backprop and the plain gradient send back.
const unit = units[0]!;
const methods = ['deconvnet', 'guided', 'gradient'] as const;
const rows = methods.map((projection) => viz.topPatches(model, testImages, { layer: 'features.3', units: [unit], k, projection, background: BLACK }).units[0]!.entries);
image('projections', viz.imageGrid([
  viz.topPatchesImage(withPixels(rows[0]!).map((e) => ({ ...e, projection: null })), { scale: 6, padding: 4 }),
  ...rows.map((entries) => viz.topPatchesImage(entries.map((e) => ({ ...e, patch: e.projection! })).map((e) => ({ ...e, projection: null })), { scale: 6, padding: 4 })),
], { columns: 1, padding: 8 }));

// What each unit "wants": an input made by gradient ascent on the unit at the centre of its map, cropped to
// the receptive field there (the same window size as the patches above).
const centre: [number, number] = [Math.floor(top.mapSize[0] / 2), Math.floor(top.mapSize[1] / 2)];
const window = viz.fieldWindow(top.field, centre, [28, 28]);
const wanted = units.map((u) => viz.maximize(model, { layer: 'features.3', unit: u, objective: 'channel-center', inputShape: [1, 28, 28], steps: s.maxSteps, initStd: 1, seed: 0 }));
image('units-maximize', viz.imageGrid(wanted.map((m) => viz.upscaleNearest(viz.cropWindow(m.image, window), 6)), { columns: units.length, padding: 8 }));

// ── 5. Activation maximisation of the class scores ──────────────────────────
const classes = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
const maxed = classes.map((c) => viz.maximize(model, { unit: c, inputShape: [1, 28, 28], steps: s.maxSteps, lr: 0.1, l2: 0.02, initStd: 1, seed: 0 }));
image('maximize', viz.imageGrid(maxed.map((m) => viz.upscaleNearest(m.image, 4)), { columns: 10, padding: 6 }));
// For comparison: the largest logit each class gets on a real test digit.
const testLogits = tg.noGrad(() => model.forward(testImages));
const realMax = testLogits.amax(0).toArray() as number[];
show('maximize', table(['class', 'logit at start', 'logit at end', 'p(class) at end', 'largest logit on a test digit'], maxed.map((m, i) => {
  const p = F.softmax(tg.noGrad(() => model.forward(m.input.unsqueeze(0))), 1).reshape([10]).toArray() as number[];
  const c = classes[i]!;
  return [c, m.curve[0]!.toFixed(2), m.curve[m.curve.length - 1]!.toFixed(2), p[c]!.toFixed(3), realMax[c]!.toFixed(2)];
})));

// ── 6. Saliency for one digit ───────────────────────────────────────────────
// A digit the network gets right but is not sure of (p between 0.6 and 0.95), so that hiding part of it matters.
const testProbs = F.softmax(testLogits, 1);
const [pMax, pArg] = [testProbs.amax(1).toArray() as number[], testProbs.argmax(1).toArray() as number[]];
const correct = pMax.map((_, i) => i).filter((i) => pArg[i] === labels[i]);
const pick = correct.find((i) => pMax[i]! > 0.6 && pMax[i]! < 0.95) ?? correct.reduce((a, i) => (pMax[i]! < pMax[a]! ? i : a));
const target = pArg[pick]!;
const one = testImages.narrow(0, pick, 1);   // [1, 1, 28, 28]
const x = one.reshape([1, 28, 28]);
const vanilla = viz.saliency(model, x, { target });
const smooth = viz.saliency(model, x, { target, smoothGrad: { samples: 25, noise: 0.15, seed: 0 } });
// Guided backprop for the class: project the class logit (the last layer's unit `target`) back to pixels.
const guided = viz.projectActivation(model, x, { layer: 'classifier.5', unit: target, method: 'guided' }).reshape([28, 28]);
// Integrated gradients (Sundararajan et al. 2017): the average gradient along the straight path from a black
// image to x (32 midpoints), times (x - black). Its attributions add up to logit(x) - logit(black).
const ig = viz.integratedGradients(model, x, { target, baseline: BLACK, steps: 32 });
const occluded = viz.occlusion(model, x, { target, size: 6, stride: 2, fill: BLACK });
const occludedLogit = viz.occlusion(model, x, { target, size: 6, stride: 2, fill: BLACK, score: 'logit' });

const ranked = (testProbs.select(0, pick).toArray() as number[]).map((p, c) => [c, p] as const).sort((a, b) => b[1] - a[1]);
show('saliency', `test image ${pick}, label ${labels[pick]}: p(${ranked[0]![0]}) = ${ranked[0]![1].toFixed(3)}, p(${ranked[1]![0]}) = ${ranked[1]![1].toFixed(3)}\n\n` +
  table(['method', 'what it measures', 'largest', 'at (row, col)'], ([
    ['gradient', '|d logit / d pixel|', vanilla],
    ['SmoothGrad', 'the same, averaged over 25 noisy copies', smooth],
    ['guided backprop', 'd logit / d pixel, only positive signals, only through ReLUs that were on', guided],
    ['integrated gradients', 'mean gradient on the path from black to x, times (x - black)', ig.heat],
    ['occlusion', 'drop of p(class) when a 6x6 square over the pixel is blacked out', occluded],
    ['occlusion, logit', 'the same, drop of the class logit (score: \'logit\')', occludedLogit],
  ] as [string, string, tg.Tensor][]).map(([method, what, heat]) => {
    const at = heat.argmax().item();
    return [method, what, heat.max().item().toFixed(3), `(${Math.floor(at / 28)}, ${at % 28})`];
  })) + `\n\nintegrated gradients add up to ${ig.sum.toFixed(2)}; ` +
  `logit(x) - logit(black) = ${ig.logit.toFixed(2)} - ${ig.baselineLogit.toFixed(2)} = ${(ig.logit - ig.baselineLogit).toFixed(2)} ` +
  `(difference ${ig.error.toFixed(3)})`);

const grey = tg.repeat(toPixels(x), [3, 1, 1]);
const cells = [
  grey,
  viz.colormap(vanilla, { map: 'magma' }),
  viz.colormap(smooth, { map: 'magma' }),
  viz.colormap(guided, { map: 'diverging' }),
  viz.colormap(ig.heat, { map: 'diverging' }),
  viz.colormap(occluded, { map: 'diverging' }),
];
image('saliency', viz.imageGrid(cells.map((c) => viz.upscaleNearest(c.contiguous(), 5)), { columns: cells.length, padding: 6 }));
