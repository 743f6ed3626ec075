/**
 * Charts of a confusion matrix: the matrix as a heatmap with the counts
 * written in the cells, and the per-class accuracy as bars.
 */
import { TensorError } from '../core/errors.js';
import { barChart } from './chart.js';
import { heatmapChart } from './chart-heatmap.js';
import type { ColormapName } from './colormap.js';

/** Options of `tg.viz.confusionHeatmap`. */
export interface ConfusionHeatmapOptions {
  /** Class names, one per row/column (default '0', '1', ...). */
  labels?: readonly string[];
  /**
   * 'row': colour each cell by its share of the true class's samples (so rare
   * classes are as readable as common ones; the tooltips give the share);
   * 'none' (default): colour by the count.
   */
  normalize?: 'none' | 'row';
  /** Title above the chart (default 'Confusion matrix (N samples)', noting the row normalisation). */
  title?: string;
  /** Colour map (default 'viridis'). */
  map?: ColormapName;
  /** Side of one cell in pixels (default: 40, smaller for many classes). */
  cellSize?: number;
}

function checkMatrix(fn: string, matrix: readonly (readonly number[])[]): number {
  const n = Array.isArray(matrix) ? matrix.length : -1;
  if (n < 1 || !matrix.every((row) => Array.isArray(row) && row.length === n && row.every((v) => Number.isFinite(v) && v >= 0))) {
    throw new TensorError(`${fn}: matrix must be a square array of non-negative counts, matrix[true][predicted] (got ${JSON.stringify(matrix)?.slice(0, 80)})`);
  }
  return n;
}

function labelsFor(fn: string, labels: readonly string[] | undefined, n: number): readonly string[] {
  const out = labels ?? Array.from({ length: n }, (_, i) => String(i));
  if (out.length !== n) throw new TensorError(`${fn}: got ${out.length} labels for ${n} classes`);
  return out;
}

const pct = (v: number) => `${(100 * v).toFixed(1)}%`;

/**
 * The confusion matrix `matrix[true][predicted]` (as `confusionMatrix`
 * returns it) as an SVG heatmap: rows are true classes, columns predicted
 * classes, every cell shows its count (zero cells stay blank so the mistakes
 * stand out); hovering a cell shows its count and share of the row.
 * @example writeFileSync('confusion.svg', confusionHeatmap(result.matrix, { labels: classes, normalize: 'row' }))
 */
export function confusionHeatmap(matrix: readonly (readonly number[])[], opts: ConfusionHeatmapOptions = {}): string {
  const n = checkMatrix('confusionHeatmap', matrix);
  const labels = labelsFor('confusionHeatmap', opts.labels, n);
  const normalize = opts.normalize ?? 'none';
  if (normalize !== 'none' && normalize !== 'row') throw new TensorError(`confusionHeatmap: normalize must be 'none' or 'row' (got ${JSON.stringify(normalize)})`);
  const rowSums = matrix.map((row) => row.reduce((a, b) => a + b, 0));
  const share = (r: number, c: number) => (rowSums[r] ? matrix[r]![c]! / rowSums[r]! : 0);
  const values = normalize === 'row' ? matrix.map((row, r) => row.map((_, c) => share(r, c))) : matrix;
  const total = rowSums.reduce((a, b) => a + b, 0);
  return heatmapChart({
    title: opts.title ?? `Confusion matrix (${total} samples${normalize === 'row' ? ', colour: share of the true class' : ''})`,
    xLabel: 'predicted class', yLabel: 'true class', values, rowLabels: labels, colLabels: labels,
    cellText: (r, c) => (matrix[r]![c]! ? String(matrix[r]![c]!) : ''),
    tooltip: (r, c) => `true ${labels[r]}, predicted ${labels[c]}: ${matrix[r]![c]} (${pct(share(r, c))} of ${rowSums[r]})`,
    range: normalize === 'row' ? [0, 1] : [0, Math.max(1, ...matrix.flat())],
    colorbarLabel: normalize === 'row' ? 'share of true class' : 'count',
    ...(normalize === 'row' ? { colorbarFormat: (v: number) => `${Math.round(v * 100)}%` } : {}),
    ...(opts.map ? { map: opts.map } : {}),
    ...(opts.cellSize ? { cellSize: opts.cellSize } : {}),
  });
}

/**
 * Per-class accuracy (fractions in [0, 1], NaN for an absent class) as an SVG
 * bar chart in percent, one bar per class, with the value above each bar.
 * @example writeFileSync('per-class.svg', perClassBars(result.perClassAccuracy, classes))
 */
export function perClassBars(accuracy: readonly number[], labels?: readonly string[], opts: { title?: string } = {}): string {
  if (!Array.isArray(accuracy) || !accuracy.length || !accuracy.every((a) => Number.isNaN(a) || (a >= 0 && a <= 1))) {
    throw new TensorError(`perClassBars: accuracy must be fractions in [0, 1] (NaN for an absent class), one per class (got ${JSON.stringify(accuracy)?.slice(0, 80)})`);
  }
  const names = labelsFor('perClassBars', labels, accuracy.length);
  return barChart({
    title: opts.title ?? 'Accuracy per class', xLabel: 'class', yLabel: 'accuracy (%)',
    labels: names, values: accuracy.map((a) => 100 * a), yMin: 0, yMax: 100, color: '#1f77b4',
    format: (v) => `${Number(v.toFixed(1))}`,
  });
}
