import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { manualSeed, Generator } from '../tensor/random.js';
import { setBackend } from '../backend/current.js';
import { TensorDataset } from '../data/dataset.js';
import { DataLoader } from '../data/loader.js';
import { buildModel, modelSpec } from '../models/registry.js';
import { fit, type EpochResult } from '../train/fit.js';
import { saveCheckpoint, loadCheckpoint } from '../io/checkpoint.js';
import { writeFileAtomic } from '../io/safetensors.js';
import { loadDataset } from './datasets.js';
import { makeOptimizer, makeScheduler, DEFAULT_LR } from './optimizers.js';
import { CHECKPOINT_FILE, ensureDir, saveRun, type RunConfig } from './run-folder.js';
import { createProgress, formatDuration } from './progress.js';
import { UserError } from './errors.js';

export interface TrainOptions {
  model: string;
  dataset: string;
  dataDir?: string;
  epochs: number;
  batchSize: number;
  lr?: number;
  optimizer: string;
  scheduler: string;
  weightDecay: number;
  seed: number;
  out?: string;
  resume?: string;
  backend: string;
  trainSubset?: number;
  testSubset?: number;
}

/** The settings a checkpoint remembers so that --resume continues the same run. */
type Settings = Omit<TrainOptions, 'resume' | 'out' | 'backend'> & { lr: number };

interface MetricsRow {
  epoch: number; train_loss: number; train_accuracy: number; test_loss: number; test_accuracy: number;
  lr: number; seconds: number; images_per_second: number;
}

const rowOf = (r: EpochResult): MetricsRow => ({
  epoch: r.epoch, train_loss: r.trainLoss, train_accuracy: r.trainAccuracy, test_loss: r.testLoss,
  test_accuracy: r.testAccuracy, lr: r.lr, seconds: r.seconds, images_per_second: r.imagesPerSecond,
});

function writeMetrics(dir: string, rows: MetricsRow[]): void {
  const cols = Object.keys(rows[0] ?? rowOf({} as EpochResult)) as (keyof MetricsRow)[];
  const csv = [cols.join(','), ...rows.map((r) => cols.map((c) => r[c]).join(','))].join('\n');
  writeFileAtomic('train', join(dir, 'metrics.csv'), Buffer.from(`${csv}\n`));
  writeFileAtomic('train', join(dir, 'metrics.json'), Buffer.from(`${JSON.stringify(rows, null, 2)}\n`));
}

function defaultOutDir(s: Settings): string {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
  return join('runs', `${s.model}-${s.dataset}-${stamp}`);
}

/**
 * `tensorgrad train`: trains a registered model on a dataset, writing into the
 * run folder the model (safetensors + config.json), the last checkpoint, and
 * metrics.csv/json per epoch. Returns the per-epoch metrics.
 */
export async function train(opts: TrainOptions): Promise<MetricsRow[]> {
  setBackend(opts.backend);
  let settings: Settings = { ...opts, lr: opts.lr ?? DEFAULT_LR[opts.optimizer as keyof typeof DEFAULT_LR] ?? 0.01 };
  let history: MetricsRow[] = [];
  let startEpoch = 1;
  let resumeState: ReturnType<typeof loadCheckpoint> | null = null;
  if (opts.resume) {
    if (!existsSync(opts.resume)) throw new UserError(`checkpoint ${opts.resume} does not exist`);
    // The checkpoint's own settings win, except the total number of epochs, which may be extended.
    const { peekCheckpointSettings } = await import('./resume.js');
    settings = { ...(peekCheckpointSettings(opts.resume) as Settings), epochs: opts.epochs };
  }
  if (!Number.isInteger(settings.epochs) || settings.epochs < 1) throw new UserError(`--epochs must be a positive integer (got ${settings.epochs})`);
  if (!Number.isInteger(settings.batchSize) || settings.batchSize < 1) throw new UserError(`--batch-size must be a positive integer (got ${settings.batchSize})`);
  if (!(settings.lr > 0)) throw new UserError(`--lr must be a positive number (got ${settings.lr})`);
  const spec = modelSpec(settings.model);
  manualSeed(settings.seed);
  const loaderGenerator = new Generator(settings.seed + 1);

  const data = loadDataset(settings.dataset, {
    dataDir: settings.dataDir, trainSubset: settings.trainSubset, testSubset: settings.testSubset, size: spec.inputSize,
  });
  const numClasses = data.classes.length;
  const model = buildModel(settings.model, { numClasses, inputShape: data.inputShape });
  const trainLoader = new DataLoader(new TensorDataset(data.train.images, data.train.labels), { batchSize: settings.batchSize, shuffle: true, generator: loaderGenerator });
  const testLoader = new DataLoader(new TensorDataset(data.test.images, data.test.labels), { batchSize: 500 });
  const optimizer = makeOptimizer(settings.optimizer, model.parameters(), settings.lr, settings.weightDecay);
  const { scheduler, stepPer } = makeScheduler(settings.scheduler, optimizer, settings.epochs, trainLoader.length, settings.lr);

  const out = opts.out ?? (opts.resume ? dirname(opts.resume) : defaultOutDir(settings));
  ensureDir(out);
  const ckptPath = join(out, CHECKPOINT_FILE);
  if (opts.resume) {
    resumeState = loadCheckpoint(opts.resume, { model, optimizer, scheduler: scheduler ?? undefined, generators: { loader: loaderGenerator } });
    startEpoch = resumeState.epoch + 1;
    history = ((resumeState.extra.history as MetricsRow[] | undefined) ?? []).filter((r) => r.epoch <= resumeState!.epoch);
  }
  const config: RunConfig = {
    format: 'tensorgrad-run', version: 1, model: settings.model, dataset: settings.dataset, numClasses,
    classes: data.classes, inputShape: data.inputShape, normalize: data.normalize,
  };

  const progress = createProgress(settings.epochs);
  progress.log(`training ${settings.model} on ${settings.dataset} (${data.train.labels.shape[0]} train / ${data.test.labels.shape[0]} test images, ${model.numParameters().toLocaleString('en-US')} parameters) ` +
    `for ${settings.epochs} epochs: ${settings.optimizer} lr ${settings.lr}, batch ${settings.batchSize}, scheduler ${settings.scheduler}, backend ${opts.backend}; run folder ${out}`);
  if (startEpoch > settings.epochs) progress.log(`checkpoint is already at epoch ${startEpoch - 1} of ${settings.epochs}; nothing to do (pass a larger --epochs)`);

  let interrupted = false;
  const onSigint = () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    progress.endEpoch();
    progress.log('interrupt: stopping after this batch (Ctrl-C again to quit at once); the last complete checkpoint stays intact');
  };
  process.on('SIGINT', onSigint);
  const started = performance.now();
  try {
    await fit({
      model, optimizer, train: trainLoader, test: testLoader, numClasses, epochs: settings.epochs, startEpoch,
      scheduler, schedulerStep: stepPer,
      onBatch: (b) => progress.batch(b),
      shouldStop: () => interrupted,
      onEpoch: (r) => {
        progress.endEpoch();
        history.push(rowOf(r));
        progress.log(`epoch ${r.epoch}/${settings.epochs}: train loss ${r.trainLoss.toFixed(4)} acc ${(r.trainAccuracy * 100).toFixed(2)}% | ` +
          `test loss ${r.testLoss.toFixed(4)} acc ${(r.testAccuracy * 100).toFixed(2)}% | lr ${r.lr.toPrecision(3)} | ${formatDuration(r.seconds)} (${Math.round(r.imagesPerSecond)} img/s)`);
        writeMetrics(out, history);
        const best = history.reduce((a, b) => (b.test_accuracy > a.test_accuracy ? b : a));
        saveRun(out, { ...config, training: { ...settings, epochsDone: r.epoch, bestTestAccuracy: best.test_accuracy, bestEpoch: best.epoch, finalTestAccuracy: r.testAccuracy } }, model);
        saveCheckpoint(ckptPath, {
          model, optimizer, scheduler: scheduler ?? undefined, epoch: r.epoch, generators: { loader: loaderGenerator },
          extra: { settings, history, config },
        });
      },
    });
  } finally {
    process.off('SIGINT', onSigint);
  }
  const seconds = (performance.now() - started) / 1000;
  if (interrupted) {
    progress.log(`interrupted; the last complete checkpoint is ${existsSync(ckptPath) ? ckptPath : '(none yet)'}; continue with --resume ${ckptPath}`);
    process.exitCode = 130;
    return history;
  }
  if (history.length) {
    const best = history.reduce((a, b) => (b.test_accuracy > a.test_accuracy ? b : a));
    const last = history[history.length - 1]!;
    progress.log(`done in ${formatDuration(seconds)}: final test accuracy ${(last.test_accuracy * 100).toFixed(2)}%, best ${(best.test_accuracy * 100).toFixed(2)}% (epoch ${best.epoch}); model saved to ${out}`);
  }
  return history;
}
