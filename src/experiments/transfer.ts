/**
 * `transfer`: a small CNN pretrained on digits 0-4 learns digits 5-9 from a
 * few examples per class: from scratch, as frozen features with a new head,
 * and fully fine-tuned.
 */
import { Adam } from '../optim/adam.js';
import type { Module, StateDict } from '../nn/module.js';
import type { Tensor } from '../tensor/tensor.js';
import { noGrad } from '../tensor/graph.js';
import { tensor } from '../tensor/create.js';
import { lineChart } from '../viz/chart.js';
import { defineExperiment, type Row, type RunContext } from './types.js';
import { fit } from '../train/fit.js';
import { SmallCnn, accuracyOn, loaderOf, mnistSlice, pct, pick, round, selectClasses, type Labeled } from './common.js';

type Method = 'scratch' | 'frozen' | 'finetune';

interface TransferSettings {
  /** The first `pool` MNIST training images supply both the pretraining and the few-shot examples. */
  pool: number;
  /** At most this many images of digits 0-4 for pretraining. */
  pretrain: number;
  pretrainEpochs: number;
  /** Examples per class of digits 5-9. */
  shots: number[];
  /** Optimizer steps for every few-shot run (whatever the number of examples). */
  steps: number;
  batchSize: number;
  lr: number;
  /** Test images (the first of the test set) of each task. */
  test: number;
  /** Few-shot samples drawn per number of examples (results are averaged). */
  repeats: number;
  channels: [number, number];
  hidden: number;
}

const LABELS: Record<Method, string> = { scratch: 'from scratch', frozen: 'frozen features + new head', finetune: 'fine-tuned' };
const METHODS: Method[] = ['scratch', 'frozen', 'finetune'];
const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Trains `model` for exactly `steps` Adam steps, cycling through the (shuffled) examples as often as needed. */
async function trainSteps(ctx: RunContext, model: Module, set: Labeled, steps: number, s: TransferSettings, seedOffset: number): Promise<void> {
  const optimizer = new Adam(model.parameters().filter((p) => p.requiresGrad), { lr: s.lr });
  const batches = loaderOf(set, Math.min(s.batchSize, set.labels.shape[0]!), ctx.generator(seedOffset));
  await fit({ model, optimizer, train: batches, numClasses: 5, epochs: Math.ceil(steps / batches.length), maxSteps: steps });
}

/** Features (the flattened output of the convolutional layers) of a set, without gradients. */
function featuresOf(model: SmallCnn, set: Labeled): Labeled {
  const parts: Tensor[] = [];
  noGrad(() => {
    for (const [x] of loaderOf(set, 500)) parts.push(model.features.forward(x) as Tensor);
  });
  const n = parts.reduce((a, p) => a + p.shape[0]!, 0);
  const d = parts[0]!.shape[1]!;
  const out = new Float32Array(n * d);
  let off = 0;
  for (const p of parts) {
    out.set(p.data(), off);
    off += p.numel();
  }
  return { images: tensor(out, { shape: [n, d] }), labels: set.labels };
}

/** The first n samples of a set. */
const take = (set: Labeled, n: number): Labeled => pick(set, Array.from({ length: Math.min(n, set.labels.shape[0]!) }, (_, i) => i));

export const transfer = defineExperiment<TransferSettings>({
  name: 'transfer',
  title: 'Transfer learning: digits 5-9 from a few examples, with features learned on digits 0-4',
  summary: 'pretrain a CNN on digits 0-4, learn 5-9 from 10/50/200 examples per class: scratch vs frozen features vs fine-tuning',
  description: `
A small CNN (the four-layer network of the other experiments, with ReLU) is first trained to classify the digits 0-4.
Then the task changes to the digits 5-9, of which only k examples per class are available, and three ways of learning
it are compared, each with the same number of Adam steps:

- **from scratch**: a new network with random weights, all layers trained on the k x 5 examples;
- **frozen features + new head**: the pretrained convolutional layers are kept fixed and used as a feature extractor;
  only a new head (the fully connected hidden and output layers, randomly initialised) is trained;
- **fine-tuned**: the pretrained convolutional layers plus a new head, all trained.

Accuracy is measured on test images of the digits 5-9 (never seen in any form during pretraining). The first layers
of a CNN learn strokes, edges and curves that digits share, so features learned on 0-4 should make 5-9 learnable from
far fewer examples; with many examples the advantage should shrink.`,
  settings: {
    smoke: { pool: 600, pretrain: 200, pretrainEpochs: 1, shots: [2, 5], steps: 3, batchSize: 10, lr: 1e-3, test: 100, repeats: 1, channels: [2, 4], hidden: 8 },
    quick: { pool: 6000, pretrain: 2500, pretrainEpochs: 2, shots: [10, 50, 200], steps: 50, batchSize: 25, lr: 1e-3, test: 500, repeats: 1, channels: [6, 12], hidden: 32 },
    full: { pool: 60000, pretrain: 30000, pretrainEpochs: 3, shots: [10, 50, 200, 1000], steps: 300, batchSize: 25, lr: 1e-3, test: 10000, repeats: 3, channels: [20, 50], hidden: 500 },
  },
  async run(ctx, s) {
    const pool = mnistSlice('train', 0, s.pool, true);
    const testAll = mnistSlice('test', 0, Math.min(10000, s.test * 2 + 200), true);
    const source = selectClasses(pool, [0, 1, 2, 3, 4]);
    const pretrainSet = take(source, s.pretrain);
    const testA = take(selectClasses(testAll, [0, 1, 2, 3, 4]), s.test);
    const testB = take(selectClasses(testAll, [5, 6, 7, 8, 9]), s.test);
    const shape: [number, number, number] = [1, 28, 28];
    const build = () => new SmallCnn({ inputShape: shape, numClasses: 5, channels: s.channels, hidden: s.hidden, activation: 'relu' });
    const newClassifier = () => SmallCnn.classifier(base.featureSize, { hidden: s.hidden, numClasses: 5, activation: 'relu' });

    ctx.log(`pretraining on ${pretrainSet.labels.shape[0]} images of digits 0-4 for ${s.pretrainEpochs} epoch(s)`);
    ctx.reseed(0);
    const base = build();
    const opt = new Adam(base.parameters(), { lr: s.lr });
    const pretraining = await fit({ model: base, optimizer: opt, train: loaderOf(pretrainSet, 32, ctx.generator(0)), numClasses: 5, epochs: s.pretrainEpochs });
    const pretrainSeconds = pretraining.reduce((a, e) => a + e.seconds, 0);
    const pretrainAcc = accuracyOn(base, testA, 5).accuracy;
    ctx.log(`pretrained: ${pct(pretrainAcc)}% test accuracy on digits 0-4 (${pretrainSeconds.toFixed(1)} s)`);
    // A copy of the pretrained feature weights (stateDict shares storage with the live model).
    const pretrained: StateDict = Object.fromEntries(Object.entries(base.stateDict()).filter(([k]) => k.startsWith('features.')).map(([k, v]) => [k, v.clone()]));
    const testFeatures = featuresOf(base, testB);

    const rows: Row[] = [];
    const acc: Record<Method, number[][]> = { scratch: [], frozen: [], finetune: [] };
    for (const [si, k] of s.shots.entries()) {
      METHODS.forEach((m) => (acc[m][si] = []));
      for (let r = 0; r < s.repeats; r++) {
        const few = selectClasses(pool, [5, 6, 7, 8, 9], k, ctx.generator(10_000 + si * 100 + r));
        const n = few.labels.shape[0]!;
        for (const method of METHODS) {
          const started = performance.now();
          let accuracy: number;
          if (method === 'frozen') {
            ctx.reseed(200 + r);
            const head = newClassifier();
            await trainSteps(ctx, head, featuresOf(base, few), s.steps, s, 1 + r);
            accuracy = accuracyOn(head, testFeatures, 5).accuracy;
          } else {
            ctx.reseed(100 + r);
            const model = build();
            if (method === 'finetune') {
              ctx.reseed(200 + r);
              model.classifier = newClassifier();
              model.loadStateDict(pretrained, { strict: false });
            }
            await trainSteps(ctx, model, few, s.steps, s, 1 + r);
            accuracy = accuracyOn(model, testB, 5).accuracy;
          }
          const seconds = (performance.now() - started) / 1000;
          acc[method][si]!.push(accuracy);
          rows.push({ examples_per_class: k, examples: n, repeat: r + 1, method, test_accuracy: round(accuracy), seconds: round(seconds, 4) });
          ctx.log(`${k} per class (${n} images), ${LABELS[method]}: ${pct(accuracy)}% (${seconds.toFixed(1)} s)`);
          await yieldToEventLoop();
        }
      }
    }

    const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / a.length;
    ctx.writeSvg('accuracy-vs-examples.svg', lineChart({
      title: 'Digits 5-9: test accuracy vs examples per class', xLabel: 'examples per class (log scale)', yLabel: 'test accuracy (%)', logX: true, yMax: 100,
      series: METHODS.map((m) => ({ name: LABELS[m], x: s.shots, y: s.shots.map((_, i) => mean(acc[m][i]!) * 100) })),
    }));
    const cell = (m: Method, i: number) => `${pct(mean(acc[m][i]!), 1)}%`;
    const headline = [
      `Digits 5-9 learned from k examples per class with a CNN pretrained on 0-4 (${pct(pretrainAcc, 1)}% on 0-4), test accuracy (scratch / frozen features / fine-tuned): ` +
      s.shots.map((k, i) => `k=${k}: ${cell('scratch', i)} / ${cell('frozen', i)} / ${cell('finetune', i)}`).join('; ') + ` (${s.steps} Adam steps each${s.repeats > 1 ? `, mean of ${s.repeats} samples` : ''}).`,
    ];
    const gain = s.shots.map((_, i) => Math.max(mean(acc.frozen[i]!), mean(acc.finetune[i]!)) - mean(acc.scratch[i]!));
    const signed = (g: number) => `${g >= 0 ? '+' : ''}${(g * 100).toFixed(1)}`;
    headline.push(`Best pretrained variant minus scratch: ${gain.map((g, i) => `${signed(g)} points at k=${s.shots[i]}`).join(', ')}.`);
    return {
      headline,
      summary: {
        pretrain_accuracy_0_4: round(pretrainAcc),
        ...Object.fromEntries(s.shots.map((k, i) => [`k${k}`, Object.fromEntries(METHODS.map((m) => [m, round(mean(acc[m][i]!))]))])),
      },
      table: {
        columns: ['examples per class', ...METHODS.map((m) => LABELS[m]), 'best gain over scratch (points)'],
        rows: s.shots.map((k, i) => [k, ...METHODS.map((m) => cell(m, i)), `${gain[i]! >= 0 ? '+' : ''}${(gain[i]! * 100).toFixed(1)}`]),
      },
      rows,
      plots: [{ file: 'accuracy-vs-examples.svg', caption: 'Test accuracy on digits 5-9 against the number of training examples per class' }],
      notes: [
        `Pretraining: ${pretrainSet.labels.shape[0]} images of digits 0-4, ${s.pretrainEpochs} epoch(s) of Adam (lr ${s.lr}), ${pct(pretrainAcc)}% test accuracy on 0-4 (${pretrainSeconds.toFixed(1)} s). ` +
        `Every few-shot run takes ${s.steps} steps of mini-batches of up to ${s.batchSize}; the frozen variant and the fine-tuned one start from the same new head.`,
      ],
      data: { accuracy: acc },
    };
  },
});
