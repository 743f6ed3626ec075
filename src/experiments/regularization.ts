/**
 * `regularization`: one network trained on a small MNIST subset without
 * regularisation and with L2 weight decay, dropout, batch normalisation and
 * data augmentation (random shifts): train/test accuracy and the gap between them.
 */
import { SGD } from '../optim/sgd.js';
import { mlp } from '../models/mlp.js';
import { randomCrop } from '../data/transforms.js';
import type { Tensor } from '../tensor/tensor.js';
import { lineChart, barChart } from '../viz/chart.js';
import { defineExperiment, type Row } from './types.js';
import { fit } from '../train/fit.js';
import { MNIST_MEAN, MNIST_STD, accuracyOn, loaderOf, mnistSlice, pct, round } from './common.js';

type Method = 'none' | 'l2' | 'dropout' | 'batchnorm' | 'augmentation';

interface RegularizationSettings {
  /** Training images: few, so that the unregularised network overfits. */
  train: number;
  test: number;
  epochs: number;
  /** Measure train and test accuracy after every `evalEvery` epochs (and after the last). */
  evalEvery: number;
  /** Layer widths of the fully connected network. */
  sizes: number[];
  batchSize: number;
  lr: number;
  momentum: number;
  /** L2 weight decay for 'l2'. */
  weightDecay: number;
  /** Dropout probability after each hidden layer for 'dropout'. */
  dropout: number;
  /** Largest shift in pixels for 'augmentation' (pad by this much, then crop 28x28 at random). */
  shift: number;
  methods: Method[];
}

const LABELS: Record<Method, string> = {
  none: 'none', l2: 'L2 weight decay', dropout: 'dropout', batchnorm: 'batch norm', augmentation: 'augmentation (shifts)',
};

export const regularization = defineExperiment<RegularizationSettings>({
  name: 'regularization',
  title: 'Regularisation on a small training set: L2, dropout, batch norm, data augmentation',
  summary: 'train/test accuracy and generalisation gap of one MLP with none / L2 / dropout / batch norm / augmentation on a small MNIST subset',
  description: `
One fully connected ReLU network (\`sizes\`) is trained on a small subset of MNIST, so that without
regularisation it fits the training images perfectly while test accuracy stays well below, and then with one
regulariser at a time, every run from the same initial weights and the same data order:

- **L2 weight decay**: SGD adds \`weightDecay * w\` to each gradient (the gradient of (weightDecay/2) ||w||^2).
- **dropout** (Srivastava et al. 2014): each hidden unit is zeroed with probability \`dropout\` during training.
- **batch norm** (Ioffe & Szegedy 2015): BatchNorm1d after each hidden linear layer.
- **data augmentation**: each training image is shifted by up to \`shift\` pixels in each direction (zero padding, then a random 28x28 crop), a new shift every time it is seen.

Optimiser: SGD with momentum, mini-batches of \`batchSize\`. After every \`evalEvery\` epochs the accuracy on the whole training
subset (in eval mode, without augmentation or dropout) and on the test images is measured; the generalisation gap is
training accuracy minus test accuracy (measured every \`evalEvery\` epochs).`,
  settings: {
    smoke: { train: 64, test: 100, epochs: 2, evalEvery: 1, sizes: [784, 16, 16, 10], batchSize: 32, lr: 0.05, momentum: 0.9, weightDecay: 5e-3, dropout: 0.5, shift: 2, methods: ['none', 'l2', 'dropout', 'batchnorm', 'augmentation'] },
    quick: { train: 500, test: 1000, epochs: 20, evalEvery: 2, sizes: [784, 128, 128, 10], batchSize: 32, lr: 0.05, momentum: 0.9, weightDecay: 5e-3, dropout: 0.25, shift: 2, methods: ['none', 'l2', 'dropout', 'batchnorm', 'augmentation'] },
    full: { train: 1000, test: 10000, epochs: 100, evalEvery: 2, sizes: [784, 512, 512, 10], batchSize: 32, lr: 0.01, momentum: 0.9, weightDecay: 5e-3, dropout: 0.5, shift: 2, methods: ['none', 'l2', 'dropout', 'batchnorm', 'augmentation'] },
  },
  async run(ctx, s) {
    const train = mnistSlice('train', 0, s.train, true);
    const test = mnistSlice('test', 0, s.test, true);
    const n = train.labels.shape[0]!;
    ctx.log(`${n} training / ${test.labels.shape[0]} test images, ${s.epochs} epochs per method`);
    const rows: Row[] = [];
    const results: { method: Method; epochs: number[]; train: number[]; test: number[]; seconds: number }[] = [];
    for (const method of s.methods) {
      ctx.reseed(0);
      const model = mlp({ sizes: s.sizes, activation: 'relu', dropout: method === 'dropout' ? s.dropout : 0, batchNorm: method === 'batchnorm' });
      const optimizer = new SGD(model.parameters(), { lr: s.lr, momentum: s.momentum, weightDecay: method === 'l2' ? s.weightDecay : 0 });
      // Shifted-in border pixels get the value of a blank (normalised) background.
      const shiftGen = ctx.generator(1);
      const augment = method === 'augmentation'
        ? (x: Tensor) => randomCrop(28, { padding: s.shift, fill: (0 - MNIST_MEAN) / MNIST_STD, generator: shiftGen })(x)
        : undefined;
      const r = { method, epochs: [] as number[], train: [] as number[], test: [] as number[], seconds: 0 };
      await fit({
        model, optimizer, train: loaderOf(train, s.batchSize, ctx.generator(0)), numClasses: 10, epochs: s.epochs, augment,
        onEpoch: ({ epoch, seconds }) => {
          r.seconds += seconds;
          if (epoch % s.evalEvery !== 0 && epoch !== s.epochs) return;
          // The whole training subset in eval mode (no dropout, no augmentation), not fit's running accuracy.
          const tr = accuracyOn(model, train, 10), te = accuracyOn(model, test, 10);
          r.epochs.push(epoch);
          r.train.push(tr.accuracy);
          r.test.push(te.accuracy);
          rows.push({ method, epoch, train_loss: round(tr.loss), train_accuracy: round(tr.accuracy), test_loss: round(te.loss), test_accuracy: round(te.accuracy), gap: round(tr.accuracy - te.accuracy), seconds: round(r.seconds, 4) });
          if (r.epochs.length % 5 === 0 || epoch === s.epochs) ctx.log(`${LABELS[method]}, epoch ${epoch}/${s.epochs}: train ${pct(tr.accuracy)}%, test ${pct(te.accuracy)}%`);
        },
      });
      results.push(r);
    }

    const last = (a: number[]) => a[a.length - 1]!;
    const gap = (r: typeof results[number]) => last(r.train) - last(r.test);
    const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b'];
    ctx.writeSvg('accuracy-curves.svg', lineChart({
      title: `Train (dashed) and test (solid) accuracy, ${n} training images`, xLabel: 'epoch', yLabel: 'accuracy (%)', yMax: 100, height: 480,
      series: results.flatMap((r, k) => [
        { name: `${LABELS[r.method]} test`, x: r.epochs, y: r.test.map((a) => a * 100), color: PALETTE[k % PALETTE.length] },
        { name: `${LABELS[r.method]} train`, x: r.epochs, y: r.train.map((a) => a * 100), color: PALETTE[k % PALETTE.length], dashed: true },
      ]),
    }));
    ctx.writeSvg('gap.svg', barChart({
      title: `Generalisation gap after ${s.epochs} epochs (train - test accuracy)`, xLabel: 'regulariser', yLabel: 'percentage points',
      labels: results.map((r) => LABELS[r.method]), values: results.map((r) => Number((gap(r) * 100).toFixed(2))),
    }));
    ctx.writeSvg('test-accuracy.svg', barChart({
      title: `Test accuracy after ${s.epochs} epochs`, xLabel: 'regulariser', yLabel: 'accuracy (%)',
      labels: results.map((r) => LABELS[r.method]), values: results.map((r) => Number(pct(last(r.test)))),
    }));

    const none = results.find((r) => r.method === 'none');
    const bestTest = results.reduce((a, b) => (last(b.test) > last(a.test) ? b : a));
    const smallestGap = results.reduce((a, b) => (gap(b) < gap(a) ? b : a));
    const headline = [
      `${n} MNIST training images, ${s.epochs} epochs: ` + (none ? `without regularisation train ${pct(last(none.train), 1)}% / test ${pct(last(none.test), 1)}% (gap ${(gap(none) * 100).toFixed(1)} points); ` : '') +
      results.filter((r) => r.method !== 'none').map((r) => `${LABELS[r.method]} ${pct(last(r.train), 1)}% / ${pct(last(r.test), 1)}% (gap ${(gap(r) * 100).toFixed(1)})`).join(', ') + '.',
      `Best test accuracy: ${LABELS[bestTest.method]} (${pct(last(bestTest.test))}%${none && bestTest !== none ? `, +${((last(bestTest.test) - last(none.test)) * 100).toFixed(1)} points over none` : ''}); smallest gap: ${LABELS[smallestGap.method]}.`,
    ];
    return {
      headline,
      summary: Object.fromEntries(results.map((r) => [r.method, { train_accuracy: round(last(r.train)), test_accuracy: round(last(r.test)), gap: round(gap(r)), best_test_accuracy: round(Math.max(...r.test)) }])),
      table: {
        columns: ['regulariser', 'train acc.', 'test acc.', 'gap (points)', 'best test acc. (epoch)', 'train time (s)'],
        rows: results.map((r) => [LABELS[r.method], `${pct(last(r.train))}%`, `${pct(last(r.test))}%`, (gap(r) * 100).toFixed(2),
          `${pct(Math.max(...r.test))}% (${r.epochs[r.test.indexOf(Math.max(...r.test))]})`, r.seconds.toFixed(1)]),
      },
      rows,
      plots: [
        { file: 'accuracy-curves.svg', caption: 'Accuracy on the training subset (dashed) and the test images (solid) after each epoch' },
        { file: 'gap.svg', caption: 'Training minus test accuracy after the last epoch' },
        { file: 'test-accuracy.svg', caption: 'Test accuracy after the last epoch' },
      ],
      notes: [
        'Each regulariser is used alone with settings that are common defaults, not tuned for this subset; combining them (e.g. augmentation with dropout) usually helps further. ' +
        'Augmentation effectively enlarges the training set, which is why it tends to narrow the gap most on tiny subsets; batch norm mainly speeds up and stabilises training, its regularising effect is a side effect of batch noise.',
      ],
      data: { curves: Object.fromEntries(results.map((r) => [r.method, { epochs: r.epochs, train: r.train.map((v) => round(v)), test: r.test.map((v) => round(v)) }])) },
    };
  },
});
