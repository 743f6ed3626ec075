/**
 * The views of `tensorgrad viz` that need a run rather than only a model:
 * training curves (the run's metrics.json), the confusion matrix with
 * per-class accuracy and the most confident mistakes (a scan of the test
 * set), and the evolution of units through training (the run's weight
 * snapshots, `train --snapshot-epochs`).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Tensor } from '../tensor/tensor.js';
import { confusionMatrix } from '../viz/confusion.js';
import { confusionHeatmap, perClassBars } from '../viz/confusion-chart.js';
import { curvesFromMetrics } from '../viz/curves.js';
import { filterImages } from '../viz/filters.js';
import { misclassifiedGrid } from '../viz/misclassified.js';
import { imageGrid, labelledSheet, upscaleNearest } from '../viz/sheet.js';
import { topPatches } from '../viz/top-patches.js';
import { svgArtifact, type Artifact } from './artifacts.js';
import { UserError } from './errors.js';
import { loadWeights } from './model-source.js';
import { listSnapshots, SNAPSHOT_DIR } from './snapshots.js';
import { toPixels, type VizContext } from './viz-context.js';

/** metrics.json of a run folder, parsed (validated by curvesFromMetrics); a run without one is a UserError. */
export function readMetrics(runDir: string | null): unknown {
  if (runDir === null) throw new UserError('training curves need a run folder with metrics.json (a zoo model with --weights has none)');
  const path = join(runDir, 'metrics.json');
  if (!existsSync(path)) throw new UserError(`the run folder ${runDir} has no metrics.json (written by 'tensorgrad train' after each epoch)`);
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new UserError(`${path} is not readable JSON: ${(e as Error).message}`);
  }
}

/** `curves`: loss and accuracy per epoch, train and test. */
export function curvesView(ctx: VizContext): Artifact[] {
  const runDir = ctx.source.runDir;
  const curves = curvesFromMetrics(readMetrics(runDir), { source: join(runDir!, 'metrics.json'), title: ctx.config.model });
  return [svgArtifact('loss.svg', 'loss per epoch (train dashed, test solid)', curves.loss), svgArtifact('accuracy.svg', 'accuracy per epoch (train dashed, test solid)', curves.accuracy)];
}

/** `confusion`: confusion matrix, per-class accuracy and the most confident mistakes on the first test images. */
export function confusionView(ctx: VizContext, o: { misclassified: number }): Artifact[] {
  const test = ctx.testImages();
  const progress = ctx.progress('confusion matrix');
  let r;
  try {
    r = confusionMatrix(ctx.model, { images: test.inputs, labels: test.labels }, ctx.config.numClasses, { topN: o.misclassified, onProgress: (d, t) => progress.update(d, t) });
  } finally {
    progress.stop();
  }
  const labels = ctx.config.classes;
  const out = [
    svgArtifact('confusion.svg', `confusion matrix on ${r.total} test images: accuracy ${(r.accuracy * 100).toFixed(2)}%`, confusionHeatmap(r.matrix, { labels })),
    svgArtifact('per-class.svg', 'accuracy per class', perClassBars(r.perClassAccuracy, labels)),
  ];
  if (r.misclassified.length) {
    out.push(svgArtifact('misclassified.svg', `the ${r.misclassified.length} most confident mistakes`, misclassifiedGrid(test.pixels, r.misclassified, { labels })));
  }
  return out;
}

/** A copy of the model's weights, to put back after trying snapshots on it. */
function weightsCopy(ctx: VizContext): Record<string, Tensor> {
  return Object.fromEntries(Object.entries(ctx.model.stateDict()).map(([k, v]) => [k, v.clone()]));
}

/**
 * `evolution`: the same units per weight snapshot, one row per epoch — the
 * layer's filters (when they are grey or RGB images, i.e. a first layer) and
 * each unit's top patches on the test images. The model's weights are put back
 * afterwards.
 */
export function evolutionView(ctx: VizContext, o: { layer: string; units: readonly number[]; k: number; scan?: number }): Artifact[] {
  const runDir = ctx.source.runDir;
  const snaps = runDir === null ? [] : listSnapshots(runDir);
  if (!snaps.length) {
    throw new UserError(`no weight snapshots in ${runDir === null ? 'a zoo model' : join(runDir, SNAPSHOT_DIR)}; train with --snapshot-epochs 1,2,5 to keep them`);
  }
  const all = ctx.testImages().inputs;
  // One scan per snapshot: `scan` bounds the cost (the report uses fewer images here than for its single scans).
  const images = o.scan !== undefined && o.scan < all.shape[0]! ? all.narrow(0, 0, o.scan) : all;
  const original = weightsCopy(ctx);
  const filterRows: { label: string; image: Tensor }[] = [];
  const patchRows = new Map<number, { label: string; image: Tensor }[]>(o.units.map((u) => [u, []]));
  try {
    for (const s of snaps) {
      loadWeights(ctx.model, s.path);
      const label = `epoch ${s.epoch}`;
      const f = ctx.convLayers().includes(o.layer) ? filterImages(ctx.model, { layer: o.layer, filters: o.units }) : null;
      if (f && f.layout !== 'per-channel') {
        const [, , kh, kw] = f.weightShape as [number, number, number, number];
        const factor = Math.max(1, Math.floor(40 / Math.max(kh, kw)));
        filterRows.push({ label, image: imageGrid(f.images.map((img) => upscaleNearest(img, factor)), { columns: f.images.length }) });
      }
      const progress = ctx.progress(`top patches, ${label}`);
      let tp;
      try {
        tp = topPatches(ctx.model, images, { layer: o.layer, units: o.units, k: o.k, projection: 'none', onProgress: (d, t) => progress.update(d, t) });
      } finally {
        progress.stop();
      }
      for (const { unit, entries } of tp.units) {
        const side = Math.max(...entries.map((e) => Math.max(e.patch.shape[1]!, e.patch.shape[2]!)), 1);
        const scale = Math.max(1, Math.ceil(32 / side));
        const patches = entries.map((e) => upscaleNearest(toPixels(e.patch, ctx.config.normalize), scale));
        patchRows.get(unit)!.push({ label, image: imageGrid(patches, { columns: patches.length }) });
      }
    }
  } finally {
    ctx.model.loadStateDict(original);
  }
  const sheet = (rows: { label: string; image: Tensor }[], title: string) =>
    labelledSheet(rows, { title, columns: 1, cellSize: rows[0]!.image.shape[2]! });
  const out: Artifact[] = [];
  if (filterRows.length) {
    out.push(svgArtifact(`evolution-filters-${o.layer}.svg`, `filters ${o.units.join(', ')} of ${o.layer} per snapshot`, sheet(filterRows, `${o.layer} filters ${o.units.join(', ')} through training`)));
  }
  for (const [unit, rows] of patchRows) {
    out.push(svgArtifact(`evolution-${o.layer}-unit-${unit}.svg`, `${o.layer} unit ${unit}: top ${o.k} patches of ${images.shape[0]} test images per snapshot`, sheet(rows, `${o.layer} unit ${unit}: top patches through training`)));
  }
  return out;
}
