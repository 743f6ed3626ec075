/**
 * `activations`: how much faster does a CNN with ReLUs train than the same
 * network with tanh or sigmoid units? Krizhevsky, Sutskever & Hinton (2012),
 * Figure 1: a four-layer CNN with ReLUs reached 25% training error on
 * CIFAR-10 six times faster than the tanh version.
 */
import { SGD } from '../optim/sgd.js';
import { lineChart, barChart } from '../viz/chart.js';
import { loadDataset } from '../data/named-datasets.js';
import { fit, type BatchInfo } from '../train/fit.js';
import { defineExperiment, type Row, type RunContext } from './types.js';
import { SmallCnn, loaderOf, mnistSlice, pct, round, type Activation, type Labeled } from './common.js';

interface ActivationSettings {
  /** Training images (all of them: 60,000 for MNIST, 50,000 for CIFAR-10, when larger). */
  train: number;
  batchSize: number;
  /** Learning rates tried for each activation; the fastest one counts (the paper tuned each network's). */
  lrs: number[];
  momentum: number;
  /** Stop after this many epochs (fractions allowed) if the target is not reached. */
  maxEpochs: number;
  /** The training error to reach (0.25 as in the paper). */
  target: number;
  /** Lower error levels also timed when reached. */
  extraTargets: number[];
  /** Stop a run as soon as it reaches every target (false: train for maxEpochs to draw the whole curve). */
  stopAtTargets: boolean;
  /** Training error = errors over the last `window` mini-batches (before each update). */
  window: number;
  channels: [number, number];
  hidden: number;
  activations: Activation[];
}

interface Crossing {
  step: number;
  epochs: number;
  seconds: number;
}

interface Run {
  act: Activation;
  lr: number;
  /** When each target was first reached (null: never). */
  crossings: (Crossing | null)[];
  steps: number;
  seconds: number;
  curve: { step: number; error: number }[];
  finalError: number;
}

function loadData(ctx: RunContext, n: number): { name: string; set: Labeled; inputShape: [number, number, number] } {
  if (ctx.dataDir) {
    const d = loadDataset('cifar10', { dataDir: ctx.dataDir, trainSubset: n, splits: ['train'] });
    return { name: 'CIFAR-10', set: d.train, inputShape: d.inputShape };
  }
  return { name: 'MNIST', set: mnistSlice('train', 0, n, true), inputShape: [1, 28, 28] };
}

export const activations = defineExperiment<ActivationSettings>({
  name: 'activations',
  title: 'ReLU vs tanh vs sigmoid: time to reach 25% training error in the same CNN',
  summary: 'epochs/steps/seconds for a 4-layer CNN to reach 25% training error with ReLU, tanh, sigmoid (Krizhevsky et al. 2012, Fig. 1)',
  description: `
Krizhevsky, Sutskever and Hinton ([ImageNet Classification with Deep Convolutional Neural Networks](https://papers.nips.cc/paper/4824-imagenet-classification-with-deep-convolutional-neural-networks), NeurIPS 2012, Figure 1)
trained a four-layer convolutional network on CIFAR-10 with ReLUs and with tanh units and found that the ReLU network
reached 25% training error six times faster. Here the same four-layer CNN (conv 5x5 -> activation -> max-pool 2,
conv 5x5 -> activation -> max-pool 2, fully connected -> activation, fully connected) is trained with each activation
from the same seed, with SGD with momentum, on MNIST (or on CIFAR-10 with \`--data-dir\`); as in the paper, each
network gets the learning rate (of \`lrs\`) with which it reaches the target soonest.
The training error is the error rate over the last \`window\` mini-batches, each counted before its update, which is
what a training-error curve shows without extra passes over the data. A run stops when it reaches the target error
(quick run) or after \`maxEpochs\`. MNIST is much easier than CIFAR-10, so 25% error
comes within a fraction of an epoch; the ratio is the quantity to compare.`,
  settings: {
    smoke: { train: 256, batchSize: 16, lrs: [0.05], momentum: 0.9, maxEpochs: 0.25, target: 0.25, extraTargets: [], stopAtTargets: true, window: 2, channels: [2, 4], hidden: 8, activations: ['relu', 'tanh', 'sigmoid'] },
    quick: { train: 6400, batchSize: 32, lrs: [0.01, 0.05], momentum: 0.9, maxEpochs: 0.75, target: 0.25, extraTargets: [0.1], stopAtTargets: true, window: 10, channels: [6, 12], hidden: 32, activations: ['relu', 'tanh', 'sigmoid'] },
    full: { train: 60000, batchSize: 32, lrs: [0.003, 0.01, 0.03, 0.1], momentum: 0.9, maxEpochs: 3, target: 0.25, extraTargets: [0.1, 0.05, 0.02], stopAtTargets: false, window: 50, channels: [20, 50], hidden: 500, activations: ['relu', 'tanh', 'sigmoid'] },
  },
  async run(ctx, s) {
    const data = loadData(ctx, s.train);
    const n = data.set.labels.shape[0]!;
    const maxSteps = Math.max(1, Math.round((s.maxEpochs * n) / s.batchSize));
    const targets = [s.target, ...s.extraTargets];
    ctx.log(`${data.name}: ${n} training images, at most ${maxSteps} steps of ${s.batchSize} per activation`);
    const rows: Row[] = [];

    /** One training run; stops at maxSteps or (with stopAtTargets) once every target is reached. */
    const runOne = async (act: Activation, lr: number): Promise<Run> => {
      ctx.reseed(0);
      const model = new SmallCnn({ inputShape: data.inputShape, numClasses: 10, channels: s.channels, hidden: s.hidden, activation: act });
      const optimizer = new SGD(model.parameters(), { lr, momentum: s.momentum });
      const batches = loaderOf(data.set, s.batchSize, ctx.generator(0));
      const recent: [number, number][] = [];
      const crossings: (Crossing | null)[] = targets.map(() => null);
      const curve: { step: number; error: number }[] = [];
      const started = performance.now();
      let step = 0, error = 1;
      const every = Math.max(1, Math.round(maxSteps / 200));
      const onBatch = (b: BatchInfo) => {
        step = b.step;
        recent.push([b.samples - b.correct, b.samples]);
        if (recent.length > s.window) recent.shift();
        error = recent.reduce((a, r) => a + r[0], 0) / recent.reduce((a, r) => a + r[1], 0);
        if (step % every === 0) curve.push({ step, error });
        const seconds = (performance.now() - started) / 1000;
        targets.forEach((t, i) => {
          // The window must be full, so that a lucky first batch does not count.
          if (!crossings[i] && recent.length === s.window && error <= t) {
            crossings[i] = { step, epochs: (step * s.batchSize) / n, seconds };
            ctx.log(`${act}, lr ${lr}: ${pct(t, 0)}% training error after ${step} steps (${crossings[i]!.epochs.toFixed(3)} epochs, ${seconds.toFixed(1)} s)`);
          }
        });
        if (step % 100 === 0) ctx.log(`${act}, lr ${lr}: step ${step}/${maxSteps}, training error ${pct(error)}%`);
      };
      await fit({
        model, optimizer, train: batches, numClasses: 10, epochs: Math.ceil(maxSteps / batches.length), maxSteps, onBatch,
        shouldStop: () => s.stopAtTargets && crossings.every((c) => c !== null),
      });
      const seconds = (performance.now() - started) / 1000;
      for (const p of curve) rows.push({ activation: act, lr, step: p.step, epoch: round((p.step * s.batchSize) / n, 5), training_error: round(p.error) });
      ctx.log(`${act}, lr ${lr}: ${crossings[0] ? `reached ${pct(s.target, 0)}% at step ${crossings[0].step}` : `did not reach ${pct(s.target, 0)}% in ${step} steps`} (${seconds.toFixed(1)} s)`);
      return { act, lr, crossings, steps: step, seconds, curve, finalError: error };
    };

    // As in the paper, each activation gets the learning rate that reaches the targets soonest.
    const stepsTo = (r: Run, i: number) => r.crossings[i]?.step ?? Infinity;
    const better = (a: Run, b: Run) => {
      for (let i = 0; i < targets.length; i++) if (stepsTo(a, i) !== stepsTo(b, i)) return stepsTo(a, i) < stepsTo(b, i);
      return a.finalError <= b.finalError;
    };
    const allRuns: Run[] = [];
    const results: Run[] = [];
    for (const act of s.activations) {
      const runs: Run[] = [];
      for (const lr of s.lrs) runs.push(await runOne(act, lr));
      allRuns.push(...runs);
      results.push(runs.reduce((a, b) => (better(a, b) ? a : b)));
    }

    const base = results.find((r) => r.act === 'relu') ?? results[0]!;
    const fmtCross = (c: Crossing | null, r: { steps: number }) => (c ? `${c.epochs.toFixed(3)} (${c.step} steps, ${c.seconds.toFixed(1)} s)` : `not reached in ${r.steps} steps`);
    const ratioOf = (r: Run): { text: string; value: number | null; lowerBound: boolean } => {
      const b = base.crossings[0], c = r.crossings[0];
      if (!b) return { text: 'n/a', value: null, lowerBound: false };
      if (!c) return { text: `> ${(r.steps / b.step).toFixed(1)}x`, value: r.steps / b.step, lowerBound: true };
      return { text: `${(c.step / b.step).toFixed(1)}x`, value: c.step / b.step, lowerBound: false };
    };

    const tpct = pct(s.target, 0);
    ctx.writeSvg('training-error.svg', lineChart({
      title: `${data.name}: training error (last ${s.window} mini-batches)`, xLabel: 'epoch', yLabel: 'training error (%)', yMin: 0, yMax: 100,
      series: [
        ...results.map((r) => ({ name: `${r.act} (lr ${r.lr})`, x: r.curve.map((p) => (p.step * s.batchSize) / n), y: r.curve.map((p) => p.error * 100) })),
        { name: `${tpct}% target`, x: [0, Math.max(...results.map((r) => (r.steps * s.batchSize) / n))], y: [s.target * 100, s.target * 100], color: '#999', dashed: true },
      ],
    }));
    ctx.writeSvg('steps-to-target.svg', barChart({
      title: `Steps to ${tpct}% training error (missing bar: not reached)`, xLabel: 'activation', yLabel: 'steps',
      labels: results.map((r) => r.act), values: results.map((r) => r.crossings[0]?.step ?? NaN),
    }));

    const others = results.filter((r) => r !== base);
    const tanhRun = results.find((r) => r.act === 'tanh');
    const tanhRatio = tanhRun && base.act === 'relu' ? ratioOf(tanhRun).value : null;
    const headline = [
      `${data.name}, ${s.channels.join('/')}-channel CNN: ${base.act} ${base.crossings[0] ? `reached ${tpct}% training error after ${base.crossings[0].epochs.toFixed(2)} epochs (${base.crossings[0].step} steps, ${base.crossings[0].seconds.toFixed(1)} s)` : `did not reach ${tpct}% training error within ${base.steps} steps`}; ` +
      others.map((r) => `${r.act} ${r.crossings[0] ? `after ${r.crossings[0].epochs.toFixed(2)} epochs (${r.crossings[0].step} steps)` : `not within ${r.steps} steps`}${ratioOf(r).value !== null ? `, ${ratioOf(r).text} the steps` : ''}`).join('; ') + '.',
      'Krizhevsky et al. (2012, Fig. 1): ReLU about 6x faster than tanh to 25% training error on CIFAR-10.',
    ];
    return {
      headline,
      summary: {
        dataset: data.name, target: s.target,
        ...Object.fromEntries(results.map((r) => [r.act, {
          lr: r.lr, steps_to_target: r.crossings[0]?.step ?? null, epochs_to_target: r.crossings[0] ? round(r.crossings[0].epochs, 5) : null,
          seconds_to_target: r.crossings[0] ? round(r.crossings[0].seconds, 4) : null, slowdown_vs_relu: round(ratioOf(r).value ?? NaN, 4), lower_bound: ratioOf(r).lowerBound,
        }])),
      },
      table: {
        columns: ['activation', 'best lr', ...targets.map((t) => `epochs to ${pct(t, 0)}% error`), `steps vs ReLU (${tpct}%)`, 'steps run', 'seconds run'],
        rows: results.map((r) => [r.act, r.lr, ...r.crossings.map((c) => fmtCross(c, r)), ratioOf(r).text, r.steps, r.seconds.toFixed(1)]),
      },
      tables: s.lrs.length > 1 ? [{
        title: 'Every learning rate tried (steps to each target; the best run per activation is used above)',
        columns: ['activation', 'lr', ...targets.map((t) => `steps to ${pct(t, 0)}%`), 'final training error'],
        rows: allRuns.map((r) => [r.act, r.lr, ...r.crossings.map((c) => (c ? c.step : `> ${r.steps}`)), `${pct(r.finalError)}%`]),
      }] : [],
      rows,
      plots: [
        { file: 'training-error.svg', caption: `Training error over the last ${s.window} mini-batches; dashed: the ${tpct}% target` },
        { file: 'steps-to-target.svg', caption: `Optimizer steps (mini-batches of ${s.batchSize}) to reach ${tpct}% training error` },
      ],
      notes: [
        ...(tanhRatio !== null && tanhRatio < 2 && data.name === 'MNIST'
          ? [`On MNIST the ${tpct}% level comes within a fraction of an epoch for both ReLU and tanh, so the large ReLU advantage the paper measured on CIFAR-10 (where 25% error takes several epochs) does not show at this level; the sigmoid network's long initial plateau is the big effect here. Run with \`--data-dir\` pointing at the CIFAR-10 binary batches (cifar-10-batches-bin) to repeat the paper's setting.`]
          : []),
        'Why: sigmoid and tanh saturate, so their derivative is small for large |z| (at most 0.25 for the sigmoid, whose outputs are also not zero-centred); ' +
        'ReLU has derivative 1 wherever it is active, so gradients reach the early layers undiminished and SGD makes progress from the first steps.',
      ],
      data: { curves: Object.fromEntries(results.map((r) => [r.act, r.curve.map((p) => [p.step, round(p.error)])])) },
    };
  },
});
