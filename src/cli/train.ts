import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { manualSeed, Generator } from '../tensor/random.js';
import { onCpu, useBackendAsync } from './backend.js';
import { getBackend } from '../backend/current.js';
import { TensorDataset } from '../data/dataset.js';
import { DataLoader } from '../data/loader.js';
import { buildModel, modelSpec } from '../models/registry.js';
import { fit, type EpochResult } from '../train/fit.js';
import { saveCheckpoint, loadCheckpoint } from '../io/checkpoint.js';
import { hostModule, hostOptimizer } from '../io/host-copy.js';
import { loadDataset } from './datasets.js';
import { parseClassList, subsetDataset } from './class-subset.js';
import { DATASETS } from '../data/named-datasets.js';
import { makeOptimizer, makeScheduler, DEFAULT_LR, OPTIMIZERS } from './optimizers.js';
import { CHECKPOINT_FILE, saveRun, type RunConfig } from './run-folder.js';
import { cleanStaleTempFiles, ensureDir, removeEmptyDirs } from './files.js';
import { writeFileAtomic } from '../util/node.js';
import { createProgress, formatDuration } from './progress.js';
import { EXIT, UserError } from './errors.js';
import { cliErr, cliIO } from './io.js';
import { peekCheckpoint, resumePlan, type TrainSettings } from './resume.js';
import { saveSnapshot } from './snapshots.js';

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
  /** Backend name (default: TENSORGRAD_BACKEND, else wasm where it loads). */
  backend?: string;
  trainSubset?: number;
  testSubset?: number;
  /** Epochs whose weights are kept as RUN/snapshots/epoch-<n>.safetensors (--snapshot-epochs; sorted, each at most the total). */
  snapshotEpochs?: number[];
  /** Write RUN/report.html at the end of the run (--report). */
  report?: boolean;
  /** --classes: keep these dataset classes (indices or names, comma-separated), relabelled 0..k-1. */
  classes?: string;
  /** --per-class: keep only the first k training images of each kept class. */
  perClass?: number;
}

export interface MetricsRow {
  epoch: number; train_loss: number; train_accuracy: number; test_loss: number; test_accuracy: number;
  lr: number; seconds: number; images_per_second: number;
}

export const rowOf = (r: EpochResult): MetricsRow => ({
  epoch: r.epoch, train_loss: r.trainLoss, train_accuracy: r.trainAccuracy, test_loss: r.testLoss,
  test_accuracy: r.testAccuracy, lr: r.lr, seconds: r.seconds, images_per_second: r.imagesPerSecond,
});

export function writeMetrics(dir: string, rows: MetricsRow[]): void {
  const cols = Object.keys(rows[0] ?? rowOf({} as EpochResult)) as (keyof MetricsRow)[];
  const csv = [cols.join(','), ...rows.map((r) => cols.map((c) => r[c]).join(','))].join('\n');
  writeFileAtomic('train', join(dir, 'metrics.csv'), `${csv}\n`);
  writeFileAtomic('train', join(dir, 'metrics.json'), `${JSON.stringify(rows, null, 2)}\n`);
}

function defaultOutDir(s: TrainSettings): string {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
  return join('runs', `${s.model}-${s.dataset}-${stamp}`);
}

/** The settings of a new run: the flags (range-checked by their parsers, program.ts), with the optimizer's default learning rate. */
function newRunSettings(o: TrainOptions): TrainSettings {
  const lr = o.lr ?? DEFAULT_LR[o.optimizer as (typeof OPTIMIZERS)[number]];
  const s: TrainSettings = {
    model: o.model, dataset: o.dataset, epochs: o.epochs, batchSize: o.batchSize, lr, optimizer: o.optimizer,
    scheduler: o.scheduler, weightDecay: o.weightDecay, seed: o.seed,
  };
  if (o.dataDir !== undefined) s.dataDir = o.dataDir;
  if (o.trainSubset !== undefined) s.trainSubset = o.trainSubset;
  if (o.testSubset !== undefined) s.testSubset = o.testSubset;
  if (o.classes !== undefined) s.classes = canonicalClasses(o.classes, o.dataset);
  if (o.perClass !== undefined) s.perClass = o.perClass;
  return s;
}

/** --classes as the checkpoint keeps it: class indices of `dataset`, comma-separated. */
function canonicalClasses(text: string, dataset: string): string {
  return parseClassList(text, DATASETS[dataset]?.classes ?? []).join(',');
}

/**
 * `tensorgrad train`: trains a registered model on a dataset, writing into the
 * run folder the model (safetensors + config.json), the last checkpoint, and
 * metrics.csv/json per epoch. `given` holds the option keys typed on the
 * command line: with --resume, those that contradict the checkpoint are refused
 * (see resume.ts). Returns the exit code (0, or 130 when interrupted).
 */
export async function train(opts: TrainOptions, given: ReadonlySet<string> = new Set()): Promise<number> {
  const backend = await useBackendAsync(opts.backend);
  let settings: TrainSettings;
  if (opts.resume) {
    if (!existsSync(opts.resume)) throw new UserError(`checkpoint ${opts.resume} does not exist`);
    const peek = peekCheckpoint(opts.resume);
    const typed = opts.classes !== undefined && given.has('classes') ? { ...opts, classes: canonicalClasses(opts.classes, peek.settings.dataset) } : opts;
    const plan = resumePlan(peek, typed, given);
    if (plan.kind === 'done') {
      cliErr(`tensorgrad train: ${plan.message}\n`);
      return EXIT.ok;
    }
    settings = plan.settings;
  } else {
    settings = newRunSettings(opts);
  }
  // Checked against the total before any work, like the other flags; the total may come from the checkpoint.
  const beyond = (opts.snapshotEpochs ?? []).filter((e) => e > settings.epochs);
  if (beyond.length) {
    throw new UserError(`--snapshot-epochs ${beyond.join(',')} ${beyond.length === 1 ? 'is' : 'are'} beyond the run's ${settings.epochs} epochs`);
  }
  const out = opts.out ?? (opts.resume ? dirname(opts.resume) : defaultOutDir(settings));
  // The output folder is checked before the data is loaded: a bad --out fails at once.
  const created = ensureDir(out, '--out');
  try {
    return await trainInto(out, settings, opts.resume, backend, { snapshotEpochs: opts.snapshotEpochs ?? [], report: opts.report ?? false });
  } catch (e) {
    // Failed before writing anything (bad data, bad checkpoint): leave no empty run folder behind.
    removeEmptyDirs(created);
    throw e;
  }
}

/** What a run writes besides the model, checkpoint and metrics (flags that do not change the training). */
interface Extras {
  snapshotEpochs: readonly number[];
  report: boolean;
}

/** Trains with `settings` into the existing folder `out`, resuming from `resume` when given. */
async function trainInto(out: string, settings: TrainSettings, resume: string | undefined, backend: string, extras: Extras): Promise<number> {
  const cleaned = cleanStaleTempFiles(out);
  const spec = modelSpec(settings.model);
  let history: MetricsRow[] = [];
  let startEpoch = 1;
  manualSeed(settings.seed);
  const loaderGenerator = new Generator(settings.seed + 1);

  if (settings.perClass !== undefined && settings.classes === undefined) throw new UserError('--per-class needs --classes (the classes to keep)');
  const kept = settings.classes?.split(',').map(Number);
  // Prepared on the CPU, then moved (with their host copies) to the training backend: see onCpu.
  const data = onCpu(() => {
    const d = loadDataset(settings.dataset, {
      dataDir: settings.dataDir, trainSubset: settings.trainSubset, testSubset: settings.testSubset, size: spec.inputSize, strictSubsets: true,
    });
    return kept ? subsetDataset(d, kept, settings.perClass) : d;
  });
  const here = getBackend();
  for (const split of [data.train, data.test]) {
    split.images = split.images.toBackend(here);
    split.labels = split.labels.toBackend(here);
  }
  const numClasses = data.classes.length;
  const model = buildModel(settings.model, { numClasses, inputShape: data.inputShape });
  const trainLoader = new DataLoader(new TensorDataset(data.train.images, data.train.labels), { batchSize: settings.batchSize, shuffle: true, generator: loaderGenerator });
  const testLoader = new DataLoader(new TensorDataset(data.test.images, data.test.labels), { batchSize: 500 });
  const optimizer = makeOptimizer(settings.optimizer, model.parameters(), settings.lr, settings.weightDecay);
  const { scheduler, stepPer } = makeScheduler(settings.scheduler, optimizer, settings.epochs, trainLoader.length, settings.lr);

  const ckptPath = join(out, CHECKPOINT_FILE);
  if (resume) {
    const state = loadCheckpoint(resume, { model, optimizer, scheduler: scheduler ?? undefined, generators: { loader: loaderGenerator } });
    startEpoch = state.epoch + 1;
    const rows = state.extra.history;
    history = (Array.isArray(rows) ? (rows as MetricsRow[]) : []).filter((r) => typeof r === 'object' && r !== null && r.epoch <= state.epoch);
  }
  const config: RunConfig = {
    format: 'tensorgrad-run', version: 1, model: settings.model, dataset: settings.dataset, numClasses,
    classes: data.classes, inputShape: data.inputShape, normalize: data.normalize, ...(kept ? { datasetClasses: kept } : {}),
  };

  const progress = createProgress(settings.epochs, cliIO().stderr);
  if (cleaned.length) progress.log(`removed ${cleaned.length} temporary file(s) left in ${out} by an interrupted run`);
  progress.log(`training ${settings.model} on ${settings.dataset} (${data.train.labels.shape[0]} train / ${data.test.labels.shape[0]} test images, ${model.numParameters().toLocaleString('en-US')} parameters) ` +
    `for ${settings.epochs} epochs: ${settings.optimizer} lr ${settings.lr}, batch ${settings.batchSize}, scheduler ${settings.scheduler}, backend ${backend}; run folder ${out}`);
  if (resume) progress.log(`resuming after epoch ${startEpoch - 1} of ${settings.epochs} from ${resume}`);

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
      scheduler, schedulerStep: stepPer, stopOnNonFinite: true,
      onBatch: (b) => progress.batch(b),
      shouldStop: () => interrupted,
      onEpoch: async (r) => {
        progress.endEpoch();
        history.push(rowOf(r));
        progress.log(`epoch ${r.epoch}/${settings.epochs}: train loss ${r.trainLoss.toFixed(4)} acc ${(r.trainAccuracy * 100).toFixed(2)}% | ` +
          `test loss ${r.testLoss.toFixed(4)} acc ${(r.testAccuracy * 100).toFixed(2)}% | lr ${r.lr.toPrecision(3)} | ${formatDuration(r.seconds)} (${Math.round(r.imagesPerSecond)} img/s)`);
        writeMetrics(out, history);
        const best = history.reduce((a, b) => (b.test_accuracy > a.test_accuracy ? b : a));
        // Weights on a GPU are read to the host once, asynchronously, for all three files (the model itself on CPU backends).
        const [saved, savedOptimizer] = await Promise.all([hostModule(model), hostOptimizer(optimizer)]);
        saveRun(out, { ...config, training: { ...settings, epochsDone: r.epoch, bestTestAccuracy: best.test_accuracy, bestEpoch: best.epoch, finalTestAccuracy: r.testAccuracy } }, saved);
        if (extras.snapshotEpochs.includes(r.epoch)) saveSnapshot(out, r.epoch, saved);
        saveCheckpoint(ckptPath, {
          model: saved, optimizer: savedOptimizer, scheduler: scheduler ?? undefined, epoch: r.epoch, generators: { loader: loaderGenerator },
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
    return EXIT.interrupted;
  }
  if (history.length) {
    const best = history.reduce((a, b) => (b.test_accuracy > a.test_accuracy ? b : a));
    const last = history[history.length - 1]!;
    progress.log(`done in ${formatDuration(seconds)}: final test accuracy ${(last.test_accuracy * 100).toFixed(2)}%, best ${(best.test_accuracy * 100).toFixed(2)}% (epoch ${best.epoch}); model saved to ${out}`);
  }
  if (extras.report) {
    // Loaded only when asked for: the report pulls in every view of tg.viz.
    const { writeReport } = await import('./report.js');
    const file = writeReport(out, { dataDir: settings.dataDir });
    progress.log(`report written to ${file}`);
  }
  return EXIT.ok;
}
