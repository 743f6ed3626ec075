/**
 * `optimizers`: SGD, SGD with momentum, Nesterov momentum, RMSprop, Adagrad
 * and Adam training the same CNN from the same initial weights on the same
 * batches: the training-loss curves on one plot.
 */
import { SGD } from '../optim/sgd.js';
import { Adam } from '../optim/adam.js';
import { RMSprop } from '../optim/rmsprop.js';
import { Adagrad } from '../optim/adagrad.js';
import type { Optimizer } from '../optim/optimizer.js';
import type { Parameter } from '../nn/parameter.js';
import { lineChart, barChart } from '../viz/chart.js';
import { defineExperiment, type Row } from './types.js';
import { fit } from '../train/fit.js';
import { SmallCnn, accuracyOn, ema, loaderOf, mnistSlice, pct, round } from './common.js';

type OptimizerName = 'sgd' | 'momentum' | 'nesterov' | 'rmsprop' | 'adagrad' | 'adam';

interface OptimizerSettings {
  train: number;
  test: number;
  epochs: number;
  batchSize: number;
  channels: [number, number];
  hidden: number;
  /** Learning rate of each optimizer (customary defaults, not tuned). */
  lr: Record<OptimizerName, number>;
  momentum: number;
  /** Smoothing of the plotted loss (exponential moving average coefficient). */
  smoothing: number;
}

const LABELS: Record<OptimizerName, string> = {
  sgd: 'SGD', momentum: 'SGD + momentum', nesterov: 'Nesterov', rmsprop: 'RMSprop', adagrad: 'Adagrad', adam: 'Adam',
};

function makeOptimizer(name: OptimizerName, params: Parameter[], s: OptimizerSettings): Optimizer<{ lr: number }> {
  const lr = s.lr[name];
  switch (name) {
    case 'sgd': return new SGD(params, { lr });
    case 'momentum': return new SGD(params, { lr, momentum: s.momentum });
    case 'nesterov': return new SGD(params, { lr, momentum: s.momentum, nesterov: true });
    case 'rmsprop': return new RMSprop(params, { lr });
    case 'adagrad': return new Adagrad(params, { lr });
    case 'adam': return new Adam(params, { lr });
  }
}

const LR = { sgd: 0.05, momentum: 0.005, nesterov: 0.005, rmsprop: 0.001, adagrad: 0.01, adam: 0.001 };

export const optimizers = defineExperiment<OptimizerSettings>({
  name: 'optimizers',
  title: 'Optimizers compared: SGD, momentum, Nesterov, RMSprop, Adagrad, Adam on one CNN',
  summary: 'training-loss curves of SGD, momentum, Nesterov, RMSprop, Adagrad and Adam on the same CNN and seed',
  description: `
The four-layer CNN of the \`activations\` experiment (ReLU) is trained on MNIST by each optimizer, every run from the
same initial weights and with the same sequence of mini-batches, so the curves differ only by the update rule:

- **SGD**: w -= lr * g
- **SGD + momentum** (Polyak): v = momentum * v + g; w -= lr * v
- **Nesterov**: the same velocity, but the step uses g + momentum * v (a look-ahead)
- **RMSprop** (Tieleman & Hinton 2012): divides g by a running RMS of past gradients (alpha 0.99)
- **Adagrad** (Duchi et al. 2011): divides g by the root of the sum of all past squared gradients
- **Adam** (Kingma & Ba 2015): momentum on g and RMS scaling, both bias-corrected (betas 0.9, 0.999)

The learning rates are each optimizer's customary default (\`lr\`): momentum methods get a tenth of the
plain-SGD rate since their velocity adds up about 1/(1 - momentum) = 10 gradients. Nothing is tuned, so the
ranking says how well each rule does out of the box, not at its best. The plotted loss is the mini-batch
cross-entropy smoothed with an exponential moving average; the final test accuracy is measured on held-out test images.`,
  settings: {
    smoke: { train: 128, test: 100, epochs: 1, batchSize: 32, channels: [2, 4], hidden: 8, lr: LR, momentum: 0.9, smoothing: 0.5 },
    quick: { train: 2560, test: 1000, epochs: 1, batchSize: 32, channels: [6, 12], hidden: 32, lr: LR, momentum: 0.9, smoothing: 0.9 },
    full: { train: 60000, test: 10000, epochs: 5, batchSize: 32, channels: [20, 50], hidden: 500, lr: LR, momentum: 0.9, smoothing: 0.98 },
  },
  async run(ctx, s) {
    const train = mnistSlice('train', 0, s.train, true);
    const test = mnistSlice('test', 0, s.test, true);
    const names = Object.keys(s.lr) as OptimizerName[];
    const n = train.labels.shape[0]!;
    ctx.log(`${n} training images, ${s.epochs} epoch(s) of ${Math.ceil(n / s.batchSize)} steps per optimizer`);
    const rows: Row[] = [];
    const results: { name: OptimizerName; losses: number[]; test: number; testLoss: number; seconds: number }[] = [];
    for (const name of names) {
      ctx.reseed(0);
      const model = new SmallCnn({ inputShape: [1, 28, 28], numClasses: 10, channels: s.channels, hidden: s.hidden, activation: 'relu' });
      const optimizer = makeOptimizer(name, model.parameters(), s);
      // The same generator seed for every optimizer (ctx.generator(0)): identical batches in identical order.
      const losses: number[] = [];
      const epochs = await fit({
        model, optimizer, train: loaderOf(train, s.batchSize, ctx.generator(0)), numClasses: 10, epochs: s.epochs,
        onBatch: (b) => void losses.push(b.loss),
      });
      const seconds = epochs.reduce((a, e) => a + e.seconds, 0);
      const t = accuracyOn(model, test, 10);
      results.push({ name, losses, test: t.accuracy, testLoss: t.loss, seconds });
      const smooth = ema(losses, s.smoothing);
      losses.forEach((l, i) => rows.push({ optimizer: name, lr: s.lr[name], step: i + 1, loss: round(l), smoothed_loss: round(smooth[i]!) }));
      ctx.log(`${LABELS[name]} (lr ${s.lr[name]}): final smoothed loss ${smooth[smooth.length - 1]!.toFixed(4)}, test accuracy ${pct(t.accuracy)}% (${seconds.toFixed(1)} s)`);
    }

    ctx.writeSvg('loss-curves.svg', lineChart({
      title: `Training loss (EMA ${s.smoothing}), same CNN, seed and batches`, xLabel: 'step', yLabel: 'cross-entropy (log scale)', logY: true,
      series: results.map((r) => ({ name: `${LABELS[r.name]} (${s.lr[r.name]})`, x: r.losses.map((_, i) => i + 1), y: ema(r.losses, s.smoothing) })),
    }));
    ctx.writeSvg('test-accuracy.svg', barChart({
      title: `Test accuracy after ${s.epochs} epoch${s.epochs > 1 ? 's' : ''}`, xLabel: 'optimizer', yLabel: 'accuracy (%)',
      labels: results.map((r) => LABELS[r.name]), values: results.map((r) => Number(pct(r.test))),
    }));

    const tail = (r: typeof results[number]) => {
      const k = Math.max(1, Math.round(r.losses.length / 10));
      return r.losses.slice(-k).reduce((a, b) => a + b, 0) / k;
    };
    const ranked = [...results].sort((a, b) => tail(a) - tail(b));
    const steps = results[0]?.losses.length ?? 0;
    const headline = [
      `After ${steps} steps (${s.epochs} epoch${s.epochs > 1 ? 's' : ''} over ${n.toLocaleString('en-US')} MNIST images), ranked by the mean loss of the last 10% of steps: ` +
      ranked.map((r) => `${LABELS[r.name]} ${tail(r).toFixed(3)}`).join(', ') + '.',
      `Test accuracy: ${results.map((r) => `${LABELS[r.name]} ${pct(r.test, 1)}%`).join(', ')}.`,
    ];
    return {
      headline,
      summary: Object.fromEntries(results.map((r) => [r.name, { lr: s.lr[r.name], final_loss: round(tail(r)), test_accuracy: round(r.test), test_loss: round(r.testLoss) }])),
      table: {
        columns: ['optimizer', 'learning rate', 'loss, first 10% of steps', 'loss, last 10% of steps', 'test loss', 'test acc.', 'seconds'],
        rows: results.map((r) => {
          const k = Math.max(1, Math.round(r.losses.length / 10));
          return [LABELS[r.name], s.lr[r.name], (r.losses.slice(0, k).reduce((a, b) => a + b, 0) / k).toFixed(3), tail(r).toFixed(3), r.testLoss.toFixed(3), `${pct(r.test)}%`, r.seconds.toFixed(1)];
        }),
      },
      rows,
      plots: [
        { file: 'loss-curves.svg', caption: `Mini-batch training loss, exponential moving average (${s.smoothing}); legend: optimizer (learning rate)` },
        { file: 'test-accuracy.svg', caption: 'Test accuracy after training' },
      ],
      data: { losses: Object.fromEntries(results.map((r) => [r.name, r.losses.map((l) => round(l))])) },
    };
  },
});
