/**
 * `tensorgrad report RUN`: one self-contained HTML page about a trained run —
 * training curves, confusion matrix, per-class accuracy, misclassified
 * examples, first-layer filters, feature maps, top patches, saliency and
 * occlusion of a few test images, and the model summary with receptive fields.
 * Images are inlined as data: URIs and charts as inline SVG, so the one file can
 * be mailed, attached or opened offline.
 *
 * The sizes (images, units, scan limit) are chosen so that LeNet-5 on MNIST
 * takes well under 30 s on 2 cores; see REPORT_SIZES.
 */
import { esc } from '../viz/svg.js';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fieldCells, summary } from '../analysis/summary.js';
import { writeFileAtomic } from '../util/node.js';
import { dataUri, type Artifact } from './artifacts.js';
import { UserError } from './errors.js';
import { ensureDir, removeEmptyDirs } from './files.js';
import { cliErr, cliOut } from './io.js';
import { openModelSource } from './model-source.js';
import { scanLimit, VizContext } from './viz-context.js';
import { listSnapshots } from './snapshots.js';
import * as views from './viz-views.js';
import * as runViews from './viz-run-views.js';
import { useBackend } from './backend.js';

export interface ReportOptions {
  out?: string;
  dataDir?: string;
  limit?: number;
  seed?: number;
  quiet?: boolean;
  /** Backend name (default: TENSORGRAD_BACKEND, else wasm where it loads). */
  backend?: string;
}

/** How much the report shows: a few of everything, sized to stay fast on a laptop. */
export const REPORT_SIZES = {
  /** Test images shown with feature maps, saliency and occlusion. */
  images: 3,
  /** Units per conv layer with their top patches. */
  units: 4,
  /** Top patches per unit. */
  k: 8,
  /** SmoothGrad samples per saliency map. */
  smoothGradSamples: 16,
  /** Test images scanned for the confusion matrix and top patches: all of MNIST's 10,000 (about 7 s for LeNet-5 on 2 cores). */
  scanLimit: 10_000,
  /** First-layer units followed through the weight snapshots, and their top patches per snapshot. */
  evolutionUnits: 4,
  evolutionK: 6,
  /** Test images scanned per snapshot. */
  evolutionScan: 2000,
} as const;


interface Section {
  id: string;
  title: string;
  /** A sentence on what to look for. */
  intro: string;
  html: string;
}

/** An artifact as HTML: SVG inline (without its XML prolog), PNG as an `<img>` with a data: URI. */
function figure(a: Artifact): string {
  const body = typeof a.content === 'string'
    ? a.content.replace(/^<\?xml[^>]*>\s*/, '')
    : `<img src="${dataUri(a)}" alt="${esc(a.title)}">`;
  return `<figure>${body}<figcaption>${esc(a.title)}</figcaption></figure>`;
}

const figures = (artifacts: readonly Artifact[]) => `<div class="figures">${artifacts.map(figure).join('\n')}</div>`;

/** The model summary (`tg.analysis.summary`) as an HTML table with receptive fields. */
function summaryTable(ctx: VizContext): string {
  const s = summary(ctx.model, ctx.inputShape);
  const head = ['Layer', 'Type', 'Output shape', 'Params', 'MACs', 'RF size', 'Jump', 'Start'];
  const rows = s.rows.map((r) => [r.name, r.type, `[${r.outputShape.join(', ')}]`, (r.trainableParams + r.frozenParams).toLocaleString('en-US'),
    r.macs.toLocaleString('en-US'), ...fieldCells(r.receptiveField)]);
  const tr = (cells: string[], tag: string) => `<tr>${cells.map((c, i) => `<${tag}${i >= 3 ? ' class="num"' : ''}>${esc(c)}</${tag}>`).join('')}</tr>`;
  return `<table>${tr(head, 'th')}${rows.map((r) => tr(r, 'td')).join('')}</table>` +
    `<p>${s.totalParams.toLocaleString('en-US')} parameters; ${s.macs.toLocaleString('en-US')} multiply-accumulates per image. ` +
    'RF size: the input pixels one output position sees; jump: pixels between neighbouring positions; start: centre of position 0.</p>';
}

/** The sections of the report, in reading order. */
function sections(ctx: VizContext, seed: number): Section[] {
  const sizes = REPORT_SIZES;
  const images = Array.from({ length: Math.min(sizes.images, ctx.testImages().labels.shape[0]!) }, (_, i) => ctx.testImage(i));
  const convs = ctx.convLayers();
  const confusion = runViews.confusionView(ctx, { misclassified: 16 });
  return [
    { id: 'summary', title: 'Model', intro: 'Layers, output shapes, parameters and receptive fields (tg.analysis.summary).', html: summaryTable(ctx) },
    { id: 'curves', title: 'Training curves', intro: 'Loss and accuracy per epoch on the training and test sets.', html: figures(runViews.curvesView(ctx)) },
    {
      id: 'confusion', title: 'Confusion matrix and per-class accuracy',
      intro: `Rows: true class, columns: predicted, on the first ${ctx.testImages().labels.shape[0]} test images; then the most confident mistakes.`,
      html: figures(confusion),
    },
    { id: 'filters', title: 'First-layer filters', intro: 'The kernels of the first conv layer, each normalised to its own range.', html: figures(views.filtersView(ctx, {})) },
    {
      id: 'maps', title: 'Feature maps', intro: 'What each conv layer computes for a few test images: one small map per channel.',
      html: images.map((img) => figures(views.mapsView(ctx, { image: img, layers: convs }))).join('\n'),
    },
    {
      id: 'top', title: 'Top activating patches',
      intro: `For ${sizes.units} units of each conv layer: the ${sizes.k} test-image patches (under the unit's receptive field) that excite it most, and beside each its guided-backpropagation projection to pixels (Zeiler & Fergus 2014).`,
      html: convs.map((layer) => figures(views.topView(ctx, { layer, units: ctx.units(layer, undefined, sizes.units), k: sizes.k }))).join('\n'),
    },
    {
      id: 'saliency', title: 'Saliency and occlusion',
      intro: 'Which pixels the predicted class depends on: |d logit / d pixel| (SmoothGrad), and the drop in its probability when a patch is hidden (red: the region supports the class).',
      html: images.map((img) => figures([
        ...views.saliencyView(ctx, { image: img, seed, samples: sizes.smoothGradSamples }),
        ...views.occlusionView(ctx, { image: img }),
      ])).join('\n'),
    },
    ...evolutionSection(ctx),
  ];
}

/** Features through training, when the run kept weight snapshots (train --snapshot-epochs); else nothing. */
function evolutionSection(ctx: VizContext): Section[] {
  if (ctx.source.runDir === null || !listSnapshots(ctx.source.runDir).length || !ctx.convLayers().length) return [];
  const layer = ctx.firstConv();
  const units = ctx.units(layer, undefined, REPORT_SIZES.evolutionUnits);
  return [{
    id: 'evolution', title: 'Features through training',
    intro: `The same units of ${layer} in each weight snapshot: their filters, and the test patches that excite them most.`,
    html: figures(runViews.evolutionView(ctx, { layer, units, k: REPORT_SIZES.evolutionK, scan: REPORT_SIZES.evolutionScan })),
  }];
}

const STYLE = `body{font-family:Helvetica,Arial,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}
h1{font-size:1.6em}h2{margin-top:2em;border-bottom:1px solid #ddd}
.figures{display:flex;flex-wrap:wrap;gap:1.2em;align-items:flex-start}
figure{margin:0}figure img{image-rendering:pixelated;max-width:100%}figcaption{font-size:.85em;color:#555;max-width:420px}
figure svg{max-width:100%;height:auto}
table{border-collapse:collapse;font-size:.9em}td,th{padding:.2em .7em;border-bottom:1px solid #eee;text-align:left}.num{text-align:right}
nav a{margin-right:1em}`;

/**
 * Renders the report of run folder `run` to `out` (default RUN/report.html)
 * and returns the path. Throws a UserError when the run has no metrics.
 * @example const file = writeReport('runs/lenet', {}); // 'runs/lenet/report.html'
 */
export function writeReport(run: string, opts: ReportOptions): string {
  if (!existsSync(run) || !statSync(run).isDirectory()) throw new UserError(`${run} is not a run folder (expected the folder 'tensorgrad train' wrote)`);
  // Checked first: a run without metrics has nothing to report, and should fail before any scan.
  runViews.readMetrics(run);
  const source = openModelSource(run);
  const ctx = new VizContext(source, { dataDir: opts.dataDir, limit: scanLimit(source, opts.limit, REPORT_SIZES.scanLimit), quiet: opts.quiet });
  const out = opts.out ?? join(run, 'report.html');
  const created = ensureDir(dirname(out), '--out');
  let all: Section[];
  try {
    all = sections(ctx, opts.seed ?? 0);
  } catch (e) {
    // Nothing written: leave no empty folder behind.
    removeEmptyDirs(created);
    throw e;
  }
  const c = source.config;
  const t = c.training as { epochsDone?: number; finalTestAccuracy?: number } | undefined;
  const facts = [`${c.model} on ${c.dataset}`, t?.epochsDone !== undefined ? `${t.epochsDone} epochs` : '',
    t?.finalTestAccuracy !== undefined ? `final test accuracy ${(t.finalTestAccuracy * 100).toFixed(2)}%` : ''].filter(Boolean).join(', ');
  const html = `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>tensorgrad report: ${esc(run)}</title><style>${STYLE}</style></head>
<body>
<h1>Inside ${esc(c.model)}: ${esc(run)}</h1>
<p>${esc(facts)}. Made by <code>tensorgrad report</code>.</p>
<nav>${all.map((s) => `<a href="#${s.id}">${esc(s.title)}</a>`).join('')}</nav>
${all.map((s) => `<section id="${s.id}"><h2>${esc(s.title)}</h2><p>${esc(s.intro)}</p>\n${s.html}\n</section>`).join('\n')}
</body></html>
`;
  writeFileAtomic('report', out, html);
  return out;
}

/** `tensorgrad report RUN [--out FILE]`: writes the page and prints its path and how long it took. */
export function reportCommand(run: string, opts: ReportOptions): void {
  useBackend(opts.backend);
  const started = performance.now();
  const file = writeReport(run, opts);
  cliOut(`${file}\n`);
  if (!opts.quiet) cliErr(`report written in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
}
