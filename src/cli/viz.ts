/**
 * `tensorgrad viz RUN_OR_MODEL <view>`: renders one view of a trained model
 * (see VIZ_VIEWS) into PNG/SVG files in --out (default RUN/viz/<view>),
 * written atomically, and prints their paths, one a line.
 */
import { join } from 'node:path';
import { writeArtifacts, type Artifact } from './artifacts.js';
import { useBackend } from './backend.js';
import { UserError } from './errors.js';
import { ensureDir, removeEmptyDirs } from './files.js';
import { cliOut } from './io.js';
import { openModelSource } from './model-source.js';
import { scanLimit, VizContext } from './viz-context.js';
import { DEFAULT_SCAN_LIMIT, VIZ_VIEWS, type VizOptions, type VizView } from './viz-options.js';
import { confusionView, curvesView, evolutionView } from './viz-run-views.js';
import { filtersView, mapsView, maximizeView, occlusionView, saliencyView, topView } from './viz-views.js';

/** How many units a view shows when --unit is not given. */
const DEFAULT_UNITS = { top: 4, maximize: 4, evolution: 6 } as const;
/** Top patches per unit (evolution: per snapshot). */
const TOP_K = { top: 9, evolution: 6 } as const;

/** Checks --unit as a class index (maximize without --layer), or all classes up to `count`. */
function classUnits(ctx: VizContext, unit: number | undefined, count: number): number[] {
  const n = ctx.config.numClasses;
  if (unit !== undefined) {
    if (unit >= n) throw new UserError(`--unit ${unit} is out of range: without --layer it is a class, and the model has ${n} classes (0 to ${n - 1})`);
    return [unit];
  }
  return Array.from({ length: Math.min(n, count) }, (_, i) => i);
}

/** The artifacts of `view`; every flag is checked before any long work. */
function render(ctx: VizContext, view: VizView, o: VizOptions): Artifact[] {
  switch (view) {
    case 'filters':
      return filtersView(ctx, { layer: o.layer });
    case 'maps':
      return mapsView(ctx, { layer: o.layer, image: ctx.inputImage() });
    case 'top': {
      const layer = ctx.layer(o.layer, () => ctx.convLayers().at(-1) ?? ctx.firstConv());
      return topView(ctx, { layer, units: ctx.units(layer, o.unit, DEFAULT_UNITS.top), k: TOP_K.top });
    }
    case 'maximize': {
      if (o.layer === undefined) return maximizeView(ctx, { units: classUnits(ctx, o.unit, 10), seed: o.seed });
      const layer = ctx.layer(o.layer, () => '');
      return maximizeView(ctx, { layer, units: ctx.units(layer, o.unit, DEFAULT_UNITS.maximize), seed: o.seed });
    }
    case 'saliency':
      return saliencyView(ctx, { image: ctx.inputImage(), seed: o.seed });
    case 'occlusion':
      return occlusionView(ctx, { image: ctx.inputImage() });
    case 'evolution': {
      const layer = ctx.layer(o.layer, () => ctx.firstConv());
      return evolutionView(ctx, { layer, units: ctx.units(layer, o.unit, DEFAULT_UNITS.evolution), k: TOP_K.evolution });
    }
    case 'curves':
      return curvesView(ctx);
    case 'confusion':
      return confusionView(ctx, { misclassified: 24 });
  }
}

/**
 * Renders `view` of `target` (run folder, model file, or zoo name with
 * --weights) and writes the files; returns their paths (also printed).
 * @example vizCommand('runs/lenet', 'filters', { seed: 0 }) // ['runs/lenet/viz/filters/filters-features.0.png']
 */
export function vizCommand(target: string, view: string, o: VizOptions): string[] {
  if (!(VIZ_VIEWS as readonly string[]).includes(view)) throw new UserError(`unknown view '${view}' (available: ${VIZ_VIEWS.join(', ')})`);
  useBackend(o.backend);
  const source = openModelSource(target, { weights: o.weights, dataset: o.dataset });
  const ctx = new VizContext(source, { dataDir: o.dataDir, limit: scanLimit(source, o.limit, DEFAULT_SCAN_LIMIT), image: o.image, quiet: o.quiet });
  const out = o.out ?? join(source.home, 'viz', view);
  // Checked before the work (a bad --out fails at once); removed again if nothing gets written.
  const created = ensureDir(out, '--out');
  let artifacts: Artifact[];
  try {
    artifacts = render(ctx, view as VizView, o);
  } catch (e) {
    removeEmptyDirs(created);
    throw e;
  }
  const paths = writeArtifacts(out, artifacts);
  for (const p of paths) cliOut(`${p}\n`);
  return paths;
}
