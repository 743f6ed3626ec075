import { asksForGpu, onCpu, useBackend, useBackendAsync } from './backend.js';
import { getBackend } from '../backend/current.js';
import { TensorDataset } from '../data/dataset.js';
import { DataLoader } from '../data/loader.js';
import { evaluate, evaluateAsync, type Evaluation } from '../train/evaluate.js';
import { loadDataset } from './datasets.js';
import { openRun } from './run-folder.js';
import { selectClasses } from './class-subset.js';
import { cliOut } from './io.js';
import { UserError } from './errors.js';

export interface EvalOptions {
  dataset?: string;
  dataDir?: string;
  /** Backend name (default: TENSORGRAD_BACKEND, else wasm where it loads). */
  backend?: string;
  testSubset?: number;
  json?: boolean;
}

/** Formats a confusion matrix with class labels. */
export function formatConfusion(confusion: number[][], classes: string[]): string {
  const w = Math.max(5, ...confusion.flat().map((v) => String(v).length), ...classes.map((c) => c.length)) + 1;
  const head = `${'true\\pred'.padEnd(12)}${classes.map((c) => c.slice(0, w - 1).padStart(w)).join('')}`;
  const rows = confusion.map((row, i) => `${classes[i]!.slice(0, 11).padEnd(12)}${row.map((v) => String(v).padStart(w)).join('')}`);
  return [head, ...rows].join('\n');
}

/**
 * `tensorgrad eval RUN_OR_MODEL`: accuracy, per-class accuracy and the confusion
 * matrix on the test split of the run's dataset. Synchronous on the CPU
 * backends; with --backend webgpu (or TENSORGRAD_BACKEND=webgpu) it returns a
 * promise (the GPU is started, and its results read, asynchronously).
 */
export function evalCommand(path: string, opts: EvalOptions): Evaluation | Promise<Evaluation> {
  if (asksForGpu(opts.backend)) {
    return (async () => {
      await useBackendAsync(opts.backend);
      const e = prepareEval(path, opts);
      return printEval(await evaluateAsync(e.run.model, e.loader, e.run.config.numClasses), e, opts);
    })();
  }
  useBackend(opts.backend);
  const e = prepareEval(path, opts);
  return printEval(evaluate(e.run.model, e.loader, e.run.config.numClasses), e, opts);
}

/** The run, its test data in batches, and the dataset's name. */
function prepareEval(path: string, opts: EvalOptions) {
  const run = openRun(path);
  // Prepared on the CPU, then moved (with their host copies) to the model's backend: see onCpu.
  const { data, test } = onCpu(() => {
    const d = loadDataset(opts.dataset ?? run.config.dataset, {
      dataDir: opts.dataDir, testSubset: opts.testSubset, size: [run.config.inputShape[1], run.config.inputShape[2]], splits: ['test'], strictSubsets: true,
    });
    // A run trained on some classes (--classes) is evaluated on those, relabelled as its outputs.
    return { data: d, test: run.config.datasetClasses ? selectClasses(d.test, run.config.datasetClasses) : d.test };
  });
  const here = getBackend();
  test.images = test.images.toBackend(here);
  test.labels = test.labels.toBackend(here);
  let top = -1;
  for (const y of test.labels.data()) top = Math.max(top, Number(y));
  if (top >= run.config.numClasses) {
    throw new UserError(`${path}: the model has ${run.config.numClasses} outputs but the ${data.name} test labels go up to ${top}; ` +
      'a model trained on some classes of the dataset needs them in config.json ("datasetClasses", written by train/finetune --classes)');
  }
  const loader = new DataLoader(new TensorDataset(test.images, test.labels), { batchSize: 500 });
  return { run, name: data.name, loader };
}

/** Prints the result (text or --json) and returns it. */
function printEval(result: Evaluation, e: ReturnType<typeof prepareEval>, opts: EvalOptions): Evaluation {
  const { run } = e;
  if (opts.json) {
    cliOut(`${JSON.stringify({ accuracy: result.accuracy, loss: result.loss, correct: result.correct, total: result.total, perClass: result.perClass, confusion: result.confusion })}\n`);
    return result;
  }
  const classes = run.config.classes;
  const lines = [
    `${run.config.model} on ${e.name} test set: accuracy ${(result.accuracy * 100).toFixed(2)}% (${result.correct}/${result.total}), loss ${result.loss.toFixed(4)}`,
    '',
    'per-class accuracy:',
    ...result.perClass.map((a, i) => `  ${classes[i]!.padEnd(12)} ${Number.isNaN(a) ? '   -' : `${(a * 100).toFixed(2)}%`}`),
    '',
    'confusion matrix (rows: true class, columns: predicted):',
    formatConfusion(result.confusion, classes),
  ];
  cliOut(`${lines.join('\n')}\n`);
  return result;
}
