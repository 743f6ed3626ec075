/**
 * `npm run readme:numbers`: reruns the quick experiments whose numbers the guide's
 * Experiments page (docs/guide/experiments.md, once the README's section) quotes (wasm
 * backend, seed 0), writes their reports into docs/experiments/NAME
 * and rewrites that page's text between `<!-- numbers:NAME -->` and
 * `<!-- /numbers -->` from the fresh results; the full-run cells
 * (`<!-- numbers:full-NAME -->`) are rewritten from the recorded runs in
 * docs/experiments/full (not rerun). `--check` writes nothing: it runs
 * into a temporary folder and exits 1 when a quoted number differs (what
 * test/docs/readme-numbers.test.ts does inside `npm test`). `--threads=N` runs
 * the kernels on N threads (the numbers are the same for any N: checked at 1 and 2).
 *
 * The cells are written from results.json (settings and summary), never by hand,
 * so a change of the code that moves a number is seen by the test.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

/** The page whose `<!-- numbers:NAME -->` cells this script writes, relative to the repository root. */
export const NUMBERS_PAGE = 'docs/guide/experiments.md';
/** The tutorial chapters may quote recorded full runs too (`<!-- numbers:full-NAME -->` cells only). */
export const TUTORIALS_DIR = 'docs/tutorials';

/**
 * The tutorial chapters (relative paths) that hold `<!-- numbers:... -->` cells.
 * @example chaptersWithNumbers(process.cwd()) // ['docs/tutorials/02-mlp-and-depth.md', ...]
 */
export function chaptersWithNumbers(root: string): string[] {
  return readdirSync(join(root, TUTORIALS_DIR)).filter((f) => f.endsWith('.md')).sort()
    .map((f) => `${TUTORIALS_DIR}/${f}`).filter((f) => readFileSync(join(root, f), 'utf8').includes('<!-- numbers:'));
}

/** The parts of an experiment's results.json the numbers cells use. */
export interface ResultsJson {
  experiment: string;
  settings: Record<string, unknown>;
  summary: Record<string, unknown>;
  data?: Record<string, unknown>;
}

type Cell = (r: ResultsJson) => string;
type Rec = Record<string, number>;

const pct1 = (v: number) => (v * 100).toFixed(1);
const num = (v: number) => v.toLocaleString('en-US');
const sig2 = (v: number) => Number(v.toPrecision(2)).toString();
/** A ratio as the Experiments page prints it: 99x, 6.9x. */
const times = (v: number) => (v >= 10 ? v.toFixed(0) : v.toFixed(1));

/** Validation accuracy per depth of the depth experiment, and whether some deeper net beats one hidden layer. */
function depthResults(s: ResultsJson['settings'], summary: ResultsJson['summary']): { depths: number[]; acc: number[]; deeperHelps: boolean } {
  const depths = s.depths as number[];
  const acc = depths.map((d) => (summary[`hidden_${d}`] as Rec).validation_accuracy!);
  const one = acc[depths.indexOf(1)]!;
  return { depths, acc, deeperHelps: depths.some((d, i) => d > 1 && acc[i]! > one) };
}

/** The transfer experiment at k shots: `scratch / frozen / fine-tuned % at k=K`. */
function transferAt(summary: ResultsJson['summary'], k: number): string {
  const r = summary[`k${k}`] as Rec;
  return `${pct1(r.scratch!)} / ${pct1(r.frozen!)} / ${pct1(r.finetune!)} % at k=${k}`;
}

const gapOf = (summary: Record<string, unknown>, m: string) => pct1((summary[m] as Rec).gap!);

const OPTIMIZER_NAMES: Record<string, string> = {
  sgd: 'SGD', momentum: 'SGD + momentum', nesterov: 'Nesterov', rmsprop: 'RMSprop', adagrad: 'Adagrad', adam: 'Adam',
};

/** The "what it shows (quick run)" cell of the Experiments page's table, per experiment. */
export const QUICK_CELLS: Record<string, Cell> = {
  depth: ({ settings: s, summary }) => {
    const { depths, acc, deeperHelps } = depthResults(s, summary);
    return `Sigmoid MLPs with ${depths[0]}-${depths[depths.length - 1]} hidden layers of ${s.hidden} units (Nielsen, ch. 5): ` +
      `validation accuracy ${acc.map(pct1).join(' / ')} % after ${s.epochs} epochs on ${num(s.train as number)} images; ` +
      (deeperHelps ? 'a deeper net beats one hidden layer here' : 'depth alone does not help (and deep sigmoid nets barely start learning)');
  },
  'vanishing-gradients': ({ summary, data }) => {
    const ratio = summary.init_last_over_first as Rec;
    const bias = (data!.atInit as Record<string, { bias: number[] }>)['sigmoid-4']!.bias;
    return `At initialisation the first layer of a 4-hidden-layer sigmoid net learns ${times(ratio['sigmoid-4']!)}x more slowly than the last ` +
      `(‖∂C/∂b‖ ${sig2(bias[0]!)} vs ${sig2(bias[3]!)}); with ReLU the ratio is ${times(ratio['relu-4']!)}x`;
  },
  activations: ({ settings: s, summary }) => {
    const maxSteps = Math.floor((s.maxEpochs as number) * (s.train as number) / (s.batchSize as number));
    const acts = s.activations as string[];
    const label = (a: string) => (a === 'relu' ? 'ReLU' : a);
    const steps = (a: string) => (summary[a] as { steps_to_target: number | null }).steps_to_target;
    const parts = acts.map((a, i) => {
      const n = steps(a);
      if (n === null) return `${label(a)} not within ${maxSteps}`;
      return i === 0 ? `${label(a)} reaches ${(s.target as number) * 100} % training error in ${n} steps` : `${label(a)} in ${n}`;
    });
    return `Same CNN on MNIST: ${parts.join(', ')} (Krizhevsky et al. saw ReLU 6x faster than tanh on CIFAR-10; pass \`--data-dir\` with CIFAR-10 to try)`;
  },
  regularization: ({ settings: s, summary }) => {
    const gap = (m: string) => gapOf(summary, m);
    return `${num(s.train as number)} training images: generalisation gap ${gap('none')} points without regularisation, ${gap('l2')} with L2, ` +
      `${gap('batchnorm')} with batch norm, ${gap('dropout')} with dropout, ${gap('augmentation')} with shift augmentation`;
  },
  optimizers: ({ settings: s, summary }) => {
    const steps = Math.floor((s.train as number) / (s.batchSize as number)) * (s.epochs as number);
    const ranked = Object.entries(summary as Record<string, Rec>).sort((a, b) => a[1].final_loss! - b[1].final_loss!);
    return `One CNN, one seed, ${steps} steps: final loss ${ranked.map(([k, v]) => `${OPTIMIZER_NAMES[k] ?? k} ${v.final_loss!.toFixed(2)}`).join(', ')} (default learning rates, untuned)`;
  },
  transfer: ({ settings: s, summary }) => {
    const shots = s.shots as number[];
    const at = (k: number) => transferAt(summary, k);
    return `Digits 5-9 from k examples per class after pretraining on 0-4: scratch / frozen features / fine-tuned ${at(shots[0]!)}, ${at(shots[shots.length - 1]!)}`;
  },
};

/** The experiments whose quick-run numbers the Experiments page quotes. */
export const QUICK_EXPERIMENTS = Object.keys(QUICK_CELLS);

/**
 * The "full-run result" cells, from the recorded paper-scale runs in
 * docs/experiments/full/NAME/results.json (minutes to hours each: not rerun, only
 * read; `<!-- numbers:full-NAME -->` markers). Runs recorded without a
 * results.json (optimizers, activations) keep hand-written cells.
 */
export const FULL_CELLS: Record<string, Cell> = {
  depth: ({ settings: s, summary }) => {
    const { depths, acc, deeperHelps } = depthResults(s, summary);
    const verdict = deeperHelps ? 'a deeper net beats one hidden layer' : 'no deeper net beats one hidden layer';
    return `${s.epochs} epochs on ${num(s.train as number)} images: validation accuracy ${acc.map((a) => (a * 100).toFixed(2)).join(' / ')} % ` +
      `for ${depths[0]}-${depths[depths.length - 1]} sigmoid hidden layers; ${verdict} (Nielsen reports 96.48 / 96.90 / 96.57 / 96.53 % for 1-4)`;
  },
  'vanishing-gradients': ({ settings: s, summary }) => {
    const init = summary.init_last_over_first as Rec, trained = summary.trained_last_over_first as Rec;
    return `At initialisation the first of 4 sigmoid layers learns ${times(init['sigmoid-4']!)}x more slowly than the last, ${times(init['relu-4']!)}x with ReLU; ` +
      `over ${s.epochs} epochs on ${num(s.train as number)} images, once the set is fitted, the ratio falls to ${times(trained.sigmoid!)}x (sigmoid) and ${times(trained.relu!)}x (ReLU)`;
  },
  regularization: ({ settings: s, summary }) => {
    const test = (m: string) => pct1((summary[m] as Rec).test_accuracy!);
    return `${num(s.train as number)} training images, ${s.epochs} epochs, MLP ${(s.sizes as number[]).join('-')}: generalisation gap ${gapOf(summary, 'none')} points without regularisation, ` +
      `${gapOf(summary, 'l2')} with L2, ${gapOf(summary, 'dropout')} with dropout, ${gapOf(summary, 'batchnorm')} with batch norm, ${gapOf(summary, 'augmentation')} with shift augmentation ` +
      `(test ${test('none')} → ${test('augmentation')} %)`;
  },
  transfer: ({ settings: s, summary }) => {
    const shots = s.shots as number[];
    const at = (k: number) => transferAt(summary, k);
    const gain = (k: number) => {
      const r = summary[`k${k}`] as Rec;
      return `+${((Math.max(r.frozen!, r.finetune!) - r.scratch!) * 100).toFixed(1)}`;
    };
    const [first, last] = [shots[0]!, shots[shots.length - 1]!];
    return `Digits 5-9 after pretraining on 0-4 (${pct1(summary.pretrain_accuracy_0_4 as number)} %), scratch / frozen / fine-tuned: ` +
      `${shots.map((k, i) => (i === 0 ? `${at(k)} per class` : at(k))).join(', ')}: ${gain(first)} points at k=${first}, ${gain(last)} at k=${last}`;
  },
  filters: ({ settings: s, summary }) => {
    const zero = Object.values(summary.edge_zero_fraction_on_pattern as Rec);
    const mean = zero.reduce((a, b) => a + b, 0) / zero.length;
    return `The same kernels on a ${s.patternSize}x${s.patternSize} test pattern with noise and a digit scaled ${s.digitScale}x; ` +
      `edge kernels output exactly 0 on ${(mean * 100).toFixed(0)} % of the pattern (its flat areas)`;
  },
};

const MARKER = /<!-- numbers:([a-z-]+) -->([\s\S]*?)<!-- \/numbers -->/g;

/**
 * The text between each `<!-- numbers:NAME -->` and `<!-- /numbers -->` of a document.
 * @example markedNumbers('a <!-- numbers:depth -->89.1 %<!-- /numbers -->') // Map { 'depth' => '89.1 %' }
 */
export function markedNumbers(doc: string): Map<string, string> {
  return new Map([...doc.matchAll(MARKER)].map((m) => [m[1]!, m[2]!]));
}

/**
 * `doc` with the marked text of every experiment in `results` replaced by its
 * freshly written cell; `full-NAME` keys take the full-run cells.
 * @example rewriteNumbers(readme, new Map([['regularization', resultsJson]]))
 */
export function rewriteNumbers(doc: string, results: ReadonlyMap<string, ResultsJson>): string {
  return doc.replace(MARKER, (whole, name: string) => {
    const r = results.get(name);
    const cell = name.startsWith('full-') ? FULL_CELLS[name.slice(5)] : QUICK_CELLS[name];
    return r && cell ? `<!-- numbers:${name} -->${cell(r)}<!-- /numbers -->` : whole;
  });
}

/**
 * The recorded full runs the Experiments page quotes, as `full-NAME` -> results.json (read from `root`/docs/experiments/full).
 * @example recordedFullRuns(process.cwd()).get('full-depth')!.summary
 */
export function recordedFullRuns(root: string): Map<string, ResultsJson> {
  return new Map(Object.keys(FULL_CELLS).map((name) => [
    `full-${name}`, JSON.parse(readFileSync(join(root, 'docs/experiments/full', name, 'results.json'), 'utf8')) as ResultsJson,
  ]));
}

/**
 * Runs the quick experiments into `outRoot/NAME` (seed 0, wasm backend) and returns their results.json.
 * @example const results = await runQuickExperiments(mkdtempSync(join(tmpdir(), 'q-')), ['transfer']);
 */
export async function runQuickExperiments(outRoot: string, names: readonly string[] = QUICK_EXPERIMENTS): Promise<Map<string, ResultsJson>> {
  await import('../src/index.js'); // installs Tensor's op methods and the backward pass
  const { findExperiment } = await import('../src/experiments/registry.js');
  const { runExperiment } = await import('../src/experiments/runner.js');
  const { getBackend } = await import('../src/backend/current.js');
  if (getBackend().name !== 'wasm') throw new Error(`readme-numbers: the quoted numbers are from the wasm backend (current: ${getBackend().name})`);
  const { fusedKernels } = await import('../src/ops/fused.js');
  if (!fusedKernels(getBackend())) throw new Error('readme-numbers: the quoted numbers are from the wasm backend with its fused kernels (unset TENSORGRAD_FUSED)');
  const out = new Map<string, ResultsJson>();
  for (const name of names) {
    const dir = join(outRoot, name);
    await runExperiment(findExperiment(name)!, { scale: 'quick', seed: 0, out: dir, quiet: true });
    out.set(name, JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as ResultsJson);
  }
  return out;
}

async function main(): Promise<void> {
  const root = resolve(import.meta.dirname, '..');
  const pagePath = join(root, NUMBERS_PAGE);
  const check = process.argv.includes('--check');
  const threads = process.argv.find((a) => a.startsWith('--threads='));
  const tg = await import('../src/index.js');
  if (threads) await tg.setNumThreads(Number(threads.slice('--threads='.length)));
  const page = readFileSync(pagePath, 'utf8');
  const outRoot = check ? mkdtempSync(join(tmpdir(), 'tg-readme-numbers-')) : join(root, 'docs/experiments');
  try {
    const results = new Map([...await runQuickExperiments(outRoot), ...recordedFullRuns(root)]);
    const fresh = rewriteNumbers(page, results);
    if (check) {
      const before = markedNumbers(page), after = markedNumbers(fresh);
      const drift = [...after].filter(([k, v]) => before.get(k) !== v);
      for (const [k, v] of drift) process.stdout.write(`${k}:\n  ${NUMBERS_PAGE}: ${before.get(k)}\n  fresh:  ${v}\n`);
      process.stdout.write(drift.length ? `${drift.length} cell(s) of ${NUMBERS_PAGE} drifted; run npm run readme:numbers\n` : `${NUMBERS_PAGE}: numbers match fresh quick runs\n`);
      process.exitCode = drift.length ? 1 : 0;
    } else {
      writeFileSync(pagePath, fresh);
      process.stdout.write(`${NUMBERS_PAGE}: ${results.size} experiment cells rewritten; reports in docs/experiments/\n`);
      // The chapters quote recorded full runs only (their cells are checked by test/docs/tutorials.test.ts).
      const full = recordedFullRuns(root);
      for (const chapter of chaptersWithNumbers(root)) {
        const path = join(root, chapter);
        writeFileSync(path, rewriteNumbers(readFileSync(path, 'utf8'), full));
        process.stdout.write(`${chapter}: full-run cells rewritten\n`);
      }
    }
  } finally {
    if (check) rmSync(outRoot, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
