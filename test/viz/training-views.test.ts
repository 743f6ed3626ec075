import '../../src/index.js';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tg from '../../src/index.js';
import { curvesFromMetrics, parseMetrics, parseMetricsCsv } from '../../src/viz/curves.js';
import { confusionMatrix, type Misclassified } from '../../src/viz/confusion.js';
import { confusionHeatmap, perClassBars } from '../../src/viz/confusion-chart.js';
import { misclassifiedGrid, formatConfidence } from '../../src/viz/misclassified.js';
import { assertWellFormedXml } from '../experiments/xml.js';
import { withBackend } from '../helpers/check-op.js';

/** The hover texts (`<title>`) of an SVG document, in order. */
const titles = (svg: string) => [...svg.matchAll(/<title>([^<]*)<\/title>/g)].map((m) => m[1]!.replace(/&gt;/g, '>').replace(/&lt;/g, '<').replace(/&amp;/g, '&'));
const count = (s: string, re: RegExp) => (s.match(re) ?? []).length;

// What `tensorgrad train` writes to metrics.json (a run without test data writes null there).
const ROWS = [
  { epoch: 1, train_loss: 0.9, train_accuracy: 0.7, test_loss: 0.5, test_accuracy: 0.85, lr: 0.01, seconds: 3, images_per_second: 900 },
  { epoch: 2, train_loss: 0.4, train_accuracy: 0.88, test_loss: 0.35, test_accuracy: 0.9, lr: 0.01, seconds: 3, images_per_second: 910 },
  { epoch: 3, train_loss: 0.25, train_accuracy: 0.925, test_loss: 0.3125, test_accuracy: 0.9125, lr: 0.01, seconds: 3, images_per_second: 905 },
];

describe('curvesFromMetrics', () => {
  test('loss and accuracy charts carry every value; train dashed, test solid; well-formed and deterministic', () => {
    const { loss, accuracy } = curvesFromMetrics(ROWS);
    assertWellFormedXml(loss, 'loss curves');
    assertWellFormedXml(accuracy, 'accuracy curves');
    assert.deepEqual(titles(loss), [
      'train, epoch 1: 0.9', 'train, epoch 2: 0.4', 'train, epoch 3: 0.25',
      'test, epoch 1: 0.5', 'test, epoch 2: 0.35', 'test, epoch 3: 0.3125',
    ]);
    assert.deepEqual(titles(accuracy), [
      'train, epoch 1: 70%', 'train, epoch 2: 88%', 'train, epoch 3: 92.5%',
      'test, epoch 1: 85%', 'test, epoch 2: 90%', 'test, epoch 3: 91.25%',
    ]);
    assert.equal(count(loss, /<path [^>]*stroke-dasharray/g), 1, 'only the train curve is dashed');
    // A falling loss is drawn falling: the markers' y pixel grows with the epoch.
    const cy = [...loss.matchAll(/<circle cx="[\d.]+" cy="([\d.]+)"/g)].map((m) => Number(m[1]));
    assert.ok(cy[0]! < cy[1]! && cy[1]! < cy[2]!, `train markers at ${cy}`);
    assert.equal(curvesFromMetrics(ROWS).loss, loss, 'same input, same bytes');
  });

  test('a run without test data draws only the train curves; fit results and CSV give the same charts', () => {
    const noTest = ROWS.map((r) => ({ ...r, test_loss: null, test_accuracy: null }));
    const { loss } = curvesFromMetrics(noTest);
    assert.equal(count(loss, /<path /g), 1);
    assert.ok(!loss.includes('NaN'));
    const fitResults = ROWS.map((r) => ({ epoch: r.epoch, trainLoss: r.train_loss, trainAccuracy: r.train_accuracy, testLoss: r.test_loss, testAccuracy: r.test_accuracy }));
    assert.deepEqual(curvesFromMetrics(fitResults), curvesFromMetrics(ROWS));
    const cols = Object.keys(ROWS[0]!) as (keyof (typeof ROWS)[0])[];
    const csv = [cols.join(','), ...ROWS.map((r) => cols.map((c) => r[c]).join(','))].join('\n');
    assert.deepEqual(parseMetricsCsv(`${csv}\n`), parseMetrics(ROWS));
    const csvNaN = csv.replace(/\n(\d),([\d.]+),([\d.]+),[\d.]+,[\d.]+,/g, '\n$1,$2,$3,NaN,NaN,');
    assert.deepEqual(parseMetricsCsv(csvNaN).map((r) => r.testLoss), [NaN, NaN, NaN]);
  });

  test('bad records fail with one line naming the row and the field', () => {
    assert.throws(() => curvesFromMetrics([]), /no epochs/);
    assert.throws(() => curvesFromMetrics({ epoch: 1 }), /must be an array/);
    assert.throws(() => curvesFromMetrics([{ ...ROWS[0], train_loss: 'abc' }]), /row 0 has "train_loss" = "abc"; expected a number/);
    assert.throws(() => curvesFromMetrics([ROWS[0], { ...ROWS[1], train_accuracy: undefined }]), /row 1 has no "train_accuracy"/);
    assert.throws(() => curvesFromMetrics([ROWS[1], ROWS[0]]), /row 1 has "epoch" = 1; epochs must be positive integers in increasing order/);
    assert.throws(() => curvesFromMetrics([{ ...ROWS[0], test_accuracy: 85 }]), /row 0 has test accuracy 85; expected a fraction/);
    assert.throws(() => curvesFromMetrics([null], { source: 'runs/a/metrics.json' }), /runs\/a\/metrics.json row 0 is not an object/);
    assert.throws(() => parseMetricsCsv('epoch,train_loss\n1,x\n'), /line 2 has "train_loss" = "x"/);
    assert.throws(() => parseMetricsCsv('epoch,train_loss\n1\n'), /line 2 has 1 cells, the header has 2/);
  });
});

/**
 * LeNet-5 trained for one short epoch (64 steps) on an MNIST subset, and a
 * test subset. Trained on the wasm backend whatever the default (training on
 * the reference backend would take most of the time budget); other backends
 * get a copy (trainedOn).
 */
function trainedLenet(seed: number) {
  return withBackend('wasm', () => trainLenet(seed));
}

async function trainLenet(seed: number) {
  tg.manualSeed(seed);
  const all = tg.data.loadMnist({ split: 'train' });
  const x = all.images.narrow(0, 0, 2048), y = all.labels.narrow(0, 0, 2048);
  const testAll = tg.data.loadMnist({ split: 'test' });
  const test = { images: testAll.images.narrow(0, 0, 300).contiguous(), labels: testAll.labels.narrow(0, 0, 300).contiguous() };
  const model = tg.models.lenet5();
  const loader = new tg.data.DataLoader(new tg.data.TensorDataset(x, y), { batchSize: 32, shuffle: true, generator: new tg.Generator(seed) });
  await tg.train.fit({ model, optimizer: new tg.optim.Adam(model.parameters(), { lr: 3e-3 }), train: loader, numClasses: 10, epochs: 1 });
  return { model, test };
}

/** A tensor rebuilt on the current backend from another backend's values. */
const here = (t: tg.Tensor) => tg.tensor(t.data(), { shape: t.shape, dtype: t.dtype });

let trainedOnce: ReturnType<typeof trainedLenet> | null = null;
const trained = () => (trainedOnce ??= trainedLenet(7));

/** The trained model and test data on `backend`. */
async function trainedOn(backend: string) {
  const { model, test } = await trained();
  if (backend === 'wasm') return { model, test };
  return withBackend(backend, () => {
    const copy = tg.models.lenet5();
    copy.loadStateDict(Object.fromEntries(Object.entries(model.stateDict()).map(([k, t]) => [k, here(t)])));
    return { model: copy, test: { images: here(test.images), labels: here(test.labels) } };
  });
}

/** Brute force: every sample's logits at once, argmax and softmax probability per sample. */
function bruteForce(model: tg.nn.Module, images: tg.Tensor, labels: tg.Tensor) {
  model.eval();
  const logits = tg.noGrad(() => model.forward(images) as tg.Tensor);
  const probs = tg.softmax(logits, 1).data(), pred = logits.argmax(1).data(), truth = labels.data();
  const matrix = Array.from({ length: 10 }, () => new Array<number>(10).fill(0));
  const mistakes: Misclassified[] = [];
  truth.forEach((t, i) => {
    const p = pred[i]!;
    matrix[t]![p]!++;
    if (p !== t) mistakes.push({ index: i, label: t, predicted: p, confidence: probs[i * 10 + p]! });
  });
  return { matrix, mistakes };
}

describe('confusionMatrix on a LeNet-5 trained for one epoch', () => {
  for (const backend of ['wasm', 'reference']) {
    test(`${backend}: equals a brute-force count; per-class accuracy; mistakes sorted by confidence`, async () => {
      const { model, test: data } = await trainedOn(backend);
      await withBackend(backend, async () => {
        model.train();
        const progress: number[] = [];
        const r = confusionMatrix(model, data, 10, { topN: 12, batchSize: 64, onProgress: (done, total) => progress.push(done / total) });
        assert.equal(model.training, true, 'the training flag is restored');
        assert.deepEqual(progress, [1, 2, 3, 4, 5].map((k) => k / 5));
        const bf = bruteForce(model, data.images, data.labels);
        assert.deepEqual(r.matrix, bf.matrix);
        assert.equal(r.total, 300);
        const diag = bf.matrix.reduce((s, row, c) => s + row[c]!, 0);
        assert.equal(r.accuracy, diag / 300);
        assert.ok(r.accuracy > 0.6, `one short epoch already learns something (accuracy ${r.accuracy})`);
        assert.ok(bf.mistakes.length > 12, 'enough mistakes to choose the top 12 from');
        r.perClassAccuracy.forEach((a, c) => assert.equal(a, bf.matrix[c]![c]! / bf.matrix[c]!.reduce((s, v) => s + v, 0)));
        // The kept mistakes are exactly the 12 most confident ones of the brute-force list.
        const expected = [...bf.mistakes].sort((a, b) => b.confidence - a.confidence || a.index - b.index).slice(0, 12);
        assert.deepEqual(r.misclassified.map((m) => [m.index, m.label, m.predicted]), expected.map((m) => [m.index, m.label, m.predicted]));
        r.misclassified.forEach((m, k) => {
          assert.ok(Math.abs(m.confidence - expected[k]!.confidence) < 1e-5);
          if (k) assert.ok(m.confidence <= r.misclassified[k - 1]!.confidence);
        });
        // A DataLoader over the same data gives the same result.
        const loader = new tg.data.DataLoader(new tg.data.TensorDataset(data.images, data.labels), { batchSize: 50 });
        const viaLoader = confusionMatrix(model, loader, 10, { topN: 12 });
        assert.deepEqual(viaLoader.matrix, r.matrix);
        assert.deepEqual(viaLoader.misclassified.map((m) => m.index), r.misclassified.map((m) => m.index));
      });
    });
  }

  test('charts of the result: counts in the cells, bars in percent, the mistakes sheet; same seed, same bytes', async () => {
    const views = ({ model, test: data }: Awaited<ReturnType<typeof trained>>) => {
      const r = confusionMatrix(model, data, 10, { topN: 8 });
      return { r, heat: confusionHeatmap(r.matrix), rowHeat: confusionHeatmap(r.matrix, { normalize: 'row', labels: 'zero one two three four five six seven eight nine'.split(' ') }),
        bars: perClassBars(r.perClassAccuracy), sheet: misclassifiedGrid(data.images, r.misclassified) };
    };
    // Training again with the same seed gives the same model, so the same bytes.
    const a = views(await trained()), b = views(await trainedLenet(7));
    for (const k of ['heat', 'rowHeat', 'bars', 'sheet'] as const) {
      assertWellFormedXml(a[k], k);
      assert.equal(a[k], b[k], `${k}: same seed, same bytes`);
    }
    const { r } = a;
    // Every non-zero count is written in its cell; each cell's tooltip gives count and row share.
    const cellTexts = [...a.heat.matchAll(/font-size="\d+" fill="(?:black|white)" [^>]*>(\d+)<\/text>/g)].map((m) => Number(m[1]));
    assert.deepEqual(cellTexts, r.matrix.flat().filter((v) => v > 0));
    const tips = titles(a.heat);
    assert.equal(tips.length, 100);
    assert.equal(tips[3 * 10 + 3], `true 3, predicted 3: ${r.matrix[3]![3]} (${(100 * r.perClassAccuracy[3]!).toFixed(1)}% of ${r.matrix[3]!.reduce((s, v) => s + v, 0)})`);
    assert.notEqual(a.heat, a.rowHeat, 'row normalisation changes the colours');
    assert.ok(a.rowHeat.includes('>seven</text>'));
    assert.deepEqual(titles(a.bars), r.perClassAccuracy.map((acc, c) => `${c}: ${Number((100 * acc).toFixed(1))}`));
    assert.equal(count(a.sheet, /<image /g), r.misclassified.length);
    const m0 = r.misclassified[0]!;
    assert.ok(a.sheet.includes(`>${m0.label} → ${m0.predicted} (${formatConfidence(m0.confidence)})</text>`));
    assert.deepEqual([0.5, 0.994, 0.995, 0.99999].map(formatConfidence), ['50%', '99%', '99.5%', '99.9%']);
  });
});

describe('training views: bad input', () => {
  test('errors name the function and the argument', () => {
    const model = tg.models.lenet5();
    const images = tg.zeros([4, 1, 28, 28]);
    assert.throws(() => confusionMatrix(model, { images, labels: tg.zeros([3], { dtype: 'int32' }) }, 10), /confusionMatrix: expected images \[N, \.\.\.\] and labels \[N\] \(got \[4,1,28,28\] and \[3\]\)/);
    assert.throws(() => confusionMatrix(model, { images, labels: tg.full([4], 12, { dtype: 'int32' }) }, 10), /confusionMatrix: label 12 of sample 0 is not a class index in 0\.\.9/);
    assert.throws(() => confusionMatrix(model, { images, labels: tg.zeros([4], { dtype: 'int32' }) }, 5), /confusionMatrix: the model must return logits \[4, 5\]/);
    assert.throws(() => confusionMatrix(model, { images, labels: tg.zeros([4], { dtype: 'int32' }) }, 0), /numClasses must be a positive integer/);
    assert.throws(() => confusionHeatmap([[1, 2], [3]]), /confusionHeatmap: matrix must be a square array/);
    assert.throws(() => confusionHeatmap([[1, 2], [3, 4]], { labels: ['a'] }), /confusionHeatmap: got 1 labels for 2 classes/);
    assert.throws(() => perClassBars([0.5, 97]), /perClassBars: accuracy must be fractions in \[0, 1\]/);
    assert.throws(() => misclassifiedGrid(tg.zeros([4, 28, 28]), [{ index: 0, label: 1, predicted: 2, confidence: 0.9 }]), /misclassifiedGrid: images must be \[N, C, H, W\] with C 1 or 3 \(got \[4,28,28\]\)/);
    assert.throws(() => misclassifiedGrid(images, [{ index: 4, label: 1, predicted: 2, confidence: 0.9 }]), /misclassifiedGrid: entry 0 has index 4, outside the 4 images/);
  });

  test('a class absent from the data gets no bar, and a heatmap row of zeros', () => {
    const bars = perClassBars([1, NaN, 0.5]);
    assertWellFormedXml(bars);
    assert.equal(count(bars, /<rect /g), 1 + 2, 'background and two bars');
    const heat = confusionHeatmap([[2, 0, 0], [0, 0, 0], [1, 0, 1]], { normalize: 'row' });
    assertWellFormedXml(heat);
    assert.ok(titles(heat).includes('true 1, predicted 1: 0 (0.0% of 0)'));
  });
});
