/**
 * Loss and accuracy curves of a training run, from the per-epoch records a run
 * folder keeps (`metrics.json` / `metrics.csv`, written by `tensorgrad train`)
 * or the EpochResults `fit` returns. The records are validated first, so a
 * damaged file fails with one line naming the row and the field.
 */
import { TensorError } from '../core/errors.js';
import { lineChart } from './chart.js';

/** One epoch's numbers; the test values are NaN when the run had no test data. */
export interface EpochMetrics {
  /** The epoch number (1-based, increasing). */
  epoch: number;
  /** Mean training loss over the epoch. */
  trainLoss: number;
  /** Fraction of training samples classified correctly, in [0, 1]. */
  trainAccuracy: number;
  /** Mean test loss after the epoch (NaN: not measured). */
  testLoss: number;
  /** Fraction of test samples classified correctly, in [0, 1] (NaN: not measured). */
  testAccuracy: number;
}

/** Each field under its run-folder name (metrics.json/csv) and its `fit` EpochResult name. */
const FIELDS = [
  ['epoch', 'epoch', 'epoch'],
  ['trainLoss', 'train_loss', 'trainLoss'],
  ['trainAccuracy', 'train_accuracy', 'trainAccuracy'],
  ['testLoss', 'test_loss', 'testLoss'],
  ['testAccuracy', 'test_accuracy', 'testAccuracy'],
] as const;

/**
 * Validates per-epoch records: an array of objects with `epoch` (positive
 * integers, increasing) and `train_loss`, `train_accuracy`, `test_loss`,
 * `test_accuracy` (numbers; null, NaN or a missing test field mean "not
 * measured"; accuracies are fractions in [0, 1]). camelCase names (fit's
 * EpochResult) are accepted too. Throws a TensorError naming `source`, the row
 * and the field.
 * @example parseMetrics(JSON.parse(readFileSync('runs/a/metrics.json', 'utf8')), 'runs/a/metrics.json')
 */
export function parseMetrics(raw: unknown, source = 'metrics'): EpochMetrics[] {
  if (!Array.isArray(raw)) throw new TensorError(`parseMetrics: ${source} must be an array of per-epoch records (got ${raw === null ? 'null' : typeof raw})`);
  if (!raw.length) throw new TensorError(`parseMetrics: ${source} has no epochs (the run finished no epoch)`);
  let last = 0;
  return raw.map((row: unknown, i) => {
    if (typeof row !== 'object' || row === null || Array.isArray(row)) throw new TensorError(`parseMetrics: ${source} row ${i} is not an object`);
    const r = row as Record<string, unknown>;
    const out = {} as Record<keyof EpochMetrics, number>;
    for (const [key, snake, camel] of FIELDS) {
      const name = snake in r ? snake : camel;
      const v = r[name];
      // JSON has no NaN: a value that was not measured (no test data) is written as null.
      if (v === undefined && !key.startsWith('test')) throw new TensorError(`parseMetrics: ${source} row ${i} has no "${snake}"`);
      if (v === undefined || v === null) out[key] = NaN;
      else if (typeof v === 'number') out[key] = v;
      else throw new TensorError(`parseMetrics: ${source} row ${i} has "${name}" = ${JSON.stringify(v)?.slice(0, 40) ?? typeof v}; expected a number`);
    }
    if (!Number.isSafeInteger(out.epoch) || out.epoch <= last) {
      throw new TensorError(`parseMetrics: ${source} row ${i} has "epoch" = ${out.epoch}; epochs must be positive integers in increasing order`);
    }
    last = out.epoch;
    for (const key of ['trainAccuracy', 'testAccuracy'] as const) {
      if (out[key] < 0 || out[key] > 1) throw new TensorError(`parseMetrics: ${source} row ${i} has ${key === 'trainAccuracy' ? 'train' : 'test'} accuracy ${out[key]}; expected a fraction in [0, 1]`);
    }
    return out;
  });
}

/**
 * Parses a run's metrics.csv (a header row, then one row per epoch; 'NaN' or
 * an empty cell for a value not measured) and validates it as `parseMetrics`.
 * @example parseMetricsCsv(readFileSync('runs/a/metrics.csv', 'utf8'), 'runs/a/metrics.csv')
 */
export function parseMetricsCsv(text: string, source = 'metrics.csv'): EpochMetrics[] {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  if (!lines.length) throw new TensorError(`parseMetricsCsv: ${source} is empty`);
  const header = lines[0]!.split(',').map((h) => h.trim());
  const rows = lines.slice(1).map((line, i) => {
    const cells = line.split(',');
    if (cells.length !== header.length) throw new TensorError(`parseMetricsCsv: ${source} line ${i + 2} has ${cells.length} cells, the header has ${header.length}`);
    const row: Record<string, number> = {};
    header.forEach((h, k) => {
      const cell = cells[k]!.trim();
      const v = cell === '' || cell === 'NaN' ? NaN : Number(cell);
      if (Number.isNaN(v) && cell !== '' && cell !== 'NaN') throw new TensorError(`parseMetricsCsv: ${source} line ${i + 2} has "${h}" = ${JSON.stringify(cell.slice(0, 40))}; expected a number`);
      row[h] = v;
    });
    return row;
  });
  // Back to the JSON form (NaN as null), so both files go through the same checks.
  return parseMetrics(rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, Number.isNaN(v) ? null : v]))), source);
}

/** What `tg.viz.curvesFromMetrics` returns: two standalone SVG documents. */
export interface Curves {
  /** Train and test loss per epoch (SVG document). */
  loss: string;
  /** Train and test accuracy per epoch, in percent (SVG document). */
  accuracy: string;
}

/** Options of `tg.viz.curvesFromMetrics`. */
export interface CurvesOptions {
  /** Log scale for the loss axis (useful when the loss falls by orders of magnitude). */
  logLoss?: boolean;
  /** Prefix of both chart titles, e.g. the run's name. */
  title?: string;
  /** Where the records came from, for error messages (default 'metrics'). */
  source?: string;
}

/**
 * Loss and accuracy curves (train dashed, test solid; test curves only when
 * measured) as two SVG line charts; each point's tooltip gives its value.
 * `metrics` are the run folder's records (parsed metrics.json, or
 * `parseMetricsCsv` output) or fit's EpochResults; they are validated first.
 * @example
 * const { loss, accuracy } = curvesFromMetrics(JSON.parse(readFileSync('runs/a/metrics.json', 'utf8')));
 * writeFileSync('loss.svg', loss);
 */
export function curvesFromMetrics(metrics: unknown, opts: CurvesOptions = {}): Curves {
  const rows = parseMetrics(metrics, opts.source ?? 'metrics');
  const x = rows.map((r) => r.epoch);
  const hasTest = (k: 'testLoss' | 'testAccuracy') => rows.some((r) => Number.isFinite(r[k]));
  const prefix = opts.title ? `${opts.title}: ` : '';
  const pctFmt = (v: number) => `${Number(v.toFixed(2))}%`;
  const loss = lineChart({
    title: `${prefix}loss`, xLabel: 'epoch', yLabel: opts.logLoss ? 'cross-entropy loss (log scale)' : 'cross-entropy loss', logY: opts.logLoss ?? false,
    series: [
      { name: 'train', x, y: rows.map((r) => r.trainLoss), color: '#1f77b4', dashed: true },
      ...(hasTest('testLoss') ? [{ name: 'test', x, y: rows.map((r) => r.testLoss), color: '#d62728' }] : []),
    ],
  });
  const accuracy = lineChart({
    title: `${prefix}accuracy`, xLabel: 'epoch', yLabel: 'accuracy (%)', yFormat: pctFmt,
    series: [
      { name: 'train', x, y: rows.map((r) => 100 * r.trainAccuracy), color: '#1f77b4', dashed: true },
      ...(hasTest('testAccuracy') ? [{ name: 'test', x, y: rows.map((r) => 100 * r.testAccuracy), color: '#d62728' }] : []),
    ],
  });
  return { loss, accuracy };
}
