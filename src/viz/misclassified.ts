/**
 * The misclassified-examples sheet: the images a model got wrong (typically
 * the most confident mistakes from `confusionMatrix`), each captioned with its
 * true class, the predicted class and the confidence. Looking at these is how
 * a learner tells a weak model from ambiguous or mislabelled data.
 */
import { TensorError, fmtShape } from '../core/errors.js';
import { select } from '../ops/movement.js';
import type { Tensor } from '../tensor/tensor.js';
import type { Misclassified } from './confusion.js';
import { labelledSheet } from './sheet.js';

/** Options of `tg.viz.misclassifiedGrid`. */
export interface MisclassifiedGridOptions {
  /** Class names (default: the class index). */
  labels?: readonly string[];
  /** Title above the sheet (default 'Misclassified: true → predicted (confidence)'). */
  title?: string;
  /** Cells per row (default: up to 8). */
  columns?: number;
  /** Displayed size of each image in pixels (default: 3x the image width, at least 64). */
  cellSize?: number;
}

/**
 * A confidence in percent: whole numbers, but one decimal (rounded down) near 100% so a mistake never reads "100%".
 * @example tg.viz.formatConfidence(0.42) // '42%'; tg.viz.formatConfidence(0.9996) gives '99.9%'
 */
export function formatConfidence(p: number): string {
  return p >= 0.995 ? `${(Math.floor(1000 * p) / 10).toFixed(1)}%` : `${Math.round(100 * p)}%`;
}

/**
 * A labelled SVG contact sheet of mistakes: for each entry, image
 * `images[entry.index]` (images `[N, C, H, W]` with C = 1 or 3 and values in
 * [0, 1], i.e. before normalisation) captioned `true → predicted (confidence%)`,
 * in the order given.
 * @example
 * const r = confusionMatrix(model, test, 10, { topN: 24 });
 * writeFileSync('mistakes.svg', misclassifiedGrid(test.images, r.misclassified, { labels: classes }));
 */
export function misclassifiedGrid(images: Tensor, entries: readonly Misclassified[], opts: MisclassifiedGridOptions = {}): string {
  if (images.ndim !== 4 || !(images.shape[1] === 1 || images.shape[1] === 3)) {
    throw new TensorError(`misclassifiedGrid: images must be [N, C, H, W] with C 1 or 3 (got ${fmtShape(images.shape)})`);
  }
  if (!entries.length) throw new TensorError('misclassifiedGrid: got no misclassified entries (the model made no mistakes, or topN was 0)');
  const n = images.shape[0]!;
  const name = (c: number) => opts.labels?.[c] ?? String(c);
  const cells = entries.map((e, k) => {
    if (!Number.isInteger(e.index) || e.index < 0 || e.index >= n) {
      throw new TensorError(`misclassifiedGrid: entry ${k} has index ${e.index}, outside the ${n} images`);
    }
    return { label: `${name(e.label)} → ${name(e.predicted)} (${formatConfidence(e.confidence)})`, image: select(images, 0, e.index) };
  });
  return labelledSheet(cells, {
    title: opts.title ?? 'Misclassified: true → predicted (confidence)',
    columns: opts.columns ?? Math.min(8, cells.length),
    cellSize: opts.cellSize ?? Math.max(64, 3 * images.shape[3]!),
  });
}
