/**
 * The model views of `tensorgrad viz` (and of `report`): filters, feature
 * maps, top patches, activation maximisation, saliency, occlusion. Each takes
 * the shared VizContext and its own sizes, calls tg.viz, and returns named
 * PNG/SVG artifacts; writing them is the caller's job. Images are shown in
 * pixel space (the model's normalisation undone), enlarged by nearest
 * neighbour so small inputs and kernels stay visible.
 */
import { noGrad } from '../tensor/graph.js';
import type { Tensor } from '../tensor/tensor.js';
import { softmax } from '../ops/activation.js';
import { lineChart } from '../viz/chart.js';
import { colormap, overlay } from '../viz/colormap.js';
import { featureMapSheet } from '../viz/feature-view.js';
import { filterGrid } from '../viz/filters.js';
import { maximize } from '../viz/maximize.js';
import { occlusion } from '../viz/occlusion.js';
import { saliency } from '../viz/saliency.js';
import { imageGrid } from '../viz/sheet.js';
import { topPatches, topPatchesImage } from '../viz/top-patches.js';
import { pngArtifact, svgArtifact, type Artifact } from './artifacts.js';
import { UserError } from './errors.js';
import { cliErr } from './io.js';
import { toPixels, type InputImage, type VizContext } from './viz-context.js';

export { VIZ_VIEWS, type VizView } from './viz-options.js';

/** File-name form of a layer path ('features.0' stays, '' would be 'model'). */
const fileSafe = (s: string) => (s === '' ? 'model' : s.replace(/[^\w.-]+/g, '_'));

/** A grey or RGB image `[C, H, W]` as RGB, so it can sit in one grid beside coloured heatmaps. */
const rgb = (img: Tensor): Tensor => (img.shape[0] === 3 ? img : img.expand(3, img.shape[1]!, img.shape[2]!).contiguous());

/** The model's predicted class and its probability for one input `[1, C, H, W]`. */
function predict(ctx: VizContext, input: Tensor): { cls: number; p: number } {
  const probs = noGrad(() => softmax(ctx.model.forward(input) as Tensor, 1)).data();
  let cls = 0;
  for (let i = 1; i < probs.length; i++) if (probs[i]! > probs[cls]!) cls = i;
  return { cls, p: probs[cls]! };
}

const className = (ctx: VizContext, i: number) => ctx.config.classes[i] ?? String(i);

/** `filters`: the kernels of the first conv layer (or --layer), one grid. */
export function filtersView(ctx: VizContext, o: { layer?: string }): Artifact[] {
  const layer = ctx.layer(o.layer, () => ctx.firstConv());
  const grid = filterGrid(ctx.model, { layer, cellSize: 40 });
  return [pngArtifact(`filters-${fileSafe(layer)}.png`, `filters of ${layer}, each min-max normalised (dark: negative weights, light: positive)`, grid, 240)];
}

/**
 * `maps`: the input and each layer's feature maps for one image (default: every
 * layer with spatial output; --layer: that one, a vector layer drawn as a strip).
 */
export function mapsView(ctx: VizContext, o: { layer?: string; layers?: readonly string[]; image: InputImage }): Artifact[] {
  const chosen = o.layer !== undefined ? [ctx.layer(o.layer, () => '')] : o.layers;
  const sheet = featureMapSheet(ctx.model, o.image.input, { ...(chosen ? { layers: chosen } : {}), scale: 'per-map', cellSize: 84 });
  const tag = o.image.tag;
  const out: Artifact[] = [pngArtifact(`${tag}-input.png`, `input: ${o.image.name}`, o.image.pixels, 112)];
  for (const l of sheet.layers) {
    // Without --layer, only maps: strips of a classifier's numbers belong to `--layer` requests.
    if (l.kind === 'skipped' || (l.kind === 'vector' && o.layer === undefined)) continue;
    out.push(pngArtifact(`${tag}-${fileSafe(l.path)}.png`, `${l.path} [${l.shape.join(', ')}] for ${o.image.name}: each map on its own colour scale (viridis)`, l.image));
  }
  if (out.length === 1) throw new UserError(`no layer with a feature map to draw${o.layer ? ` at --layer ${o.layer}` : ''}`);
  return out;
}

/**
 * `top`: for each unit, the k test-image patches that excite it most (top row)
 * and their guided-backpropagation projections (bottom row).
 */
export function topView(ctx: VizContext, o: { layer: string; units: readonly number[]; k: number }): Artifact[] {
  const test = ctx.testImages();
  const progress = ctx.progress(`top patches ${o.layer}`);
  let tp;
  try {
    tp = topPatches(ctx.model, test.inputs, { layer: o.layer, units: o.units, k: o.k, onProgress: (d, t) => progress.update(d, t) });
  } finally {
    progress.stop();
  }
  // Patches are as large as the layer's receptive field: a 5x5 first-layer patch is enlarged more than a 14x14 one.
  const first = tp.units[0]?.entries[0]?.patch;
  const scale = first ? Math.max(1, Math.ceil(40 / Math.max(first.shape[1]!, first.shape[2]!))) : 1;
  const norm = ctx.config.normalize;
  return tp.units.map(({ unit, entries }) => {
    // The patches are crops of the normalised inputs: shown in pixel space like every other image.
    const shown = entries.map((e) => ({ ...e, patch: toPixels(e.patch, norm) }));
    const values = entries.map((e) => e.value.toFixed(2)).join(', ');
    return pngArtifact(`${fileSafe(o.layer)}-unit-${unit}.png`,
      `${o.layer} unit ${unit}: top ${entries.length} of ${tp.count} test images (activations ${values}); below each patch its guided-backprop projection`,
      topPatchesImage(shown, { scale }));
  });
}

/**
 * `maximize`: gradient-ascent images for units of a layer (mean activation of the
 * channel) or, without a layer, for class logits; plus the objective curves.
 */
export function maximizeView(ctx: VizContext, o: { layer?: string; units: readonly number[]; seed: number; steps?: number }): Artifact[] {
  const layer = o.layer;
  const what = layer === undefined ? 'class' : `${layer} unit`;
  const results = o.units.map((unit) => ({
    unit,
    ...maximize(ctx.model, {
      ...(layer === undefined ? { objective: 'logit' as const } : { layer, objective: 'channel-mean' as const }),
      unit, inputShape: ctx.config.inputShape, steps: o.steps ?? 128, seed: o.seed,
      // The model's inputs are normalised (std ~1): start with that much contrast, or a trained
      // network's first ReLUs can all be off and the gradient is zero (see maximize's initStd).
      initStd: 1,
    }),
  }));
  const grid = imageGrid(results.map((r) => r.image), { columns: Math.min(results.length, 8), padding: 2 });
  const label = (u: number) => (layer === undefined ? className(ctx, u) : String(u));
  // An objective that never rises had a zero gradient at the start (the ReLUs on its path off): say so, the image is only blurred start noise.
  const flat = results.filter((r) => Math.max(...r.curve) - r.curve[0]! < 1e-3).map((r) => label(r.unit));
  if (flat.length) {
    cliErr(`tensorgrad viz: note: the objective of ${what} ${flat.join(', ')} did not rise (no gradient at the starting image: the ReLUs on its path are off), so those images show only the start noise\n`);
  }
  const curves = lineChart({
    title: `activation maximisation: objective per step (${layer === undefined ? 'class logits' : `${layer} channel means`})`,
    xLabel: 'step', yLabel: layer === undefined ? 'logit' : 'mean activation',
    series: results.map((r) => ({ name: `${what} ${label(r.unit)}`, x: r.curve.map((_, i) => i), y: r.curve })),
  });
  const tag = layer === undefined ? 'classes' : fileSafe(layer);
  return [
    pngArtifact(`maximize-${tag}.png`, `inputs that maximise ${what} ${results.map((r) => label(r.unit)).join(', ')} (left to right; seed ${o.seed}; each rescaled to [0, 1])`, grid, 112 * Math.min(results.length, 8)),
    svgArtifact(`maximize-${tag}-objective.svg`, 'the objective during gradient ascent', curves),
  ];
}

/** `saliency`: |d logit / d pixel| of the predicted class, plain and SmoothGrad, and overlaid on the image. */
export function saliencyView(ctx: VizContext, o: { image: InputImage; seed: number; samples?: number }): Artifact[] {
  const { cls, p } = predict(ctx, o.image.input);
  const plain = saliency(ctx.model, o.image.input, { target: cls });
  const smooth = saliency(ctx.model, o.image.input, { target: cls, smoothGrad: { samples: o.samples ?? 25, seed: o.seed } });
  const panels = [rgb(o.image.pixels), colormap(plain, { map: 'magma' }), colormap(smooth, { map: 'magma' }), overlay(o.image.pixels, smooth, { map: 'magma', alpha: 0.6 })];
  const tag = o.image.tag;
  return [pngArtifact(`${tag}-saliency.png`,
    `${o.image.name}, predicted ${className(ctx, cls)} (${(p * 100).toFixed(1)}%): image | saliency | SmoothGrad (seed ${o.seed}) | overlay`,
    imageGrid(panels, { columns: panels.length }), 448)];
}

/** `occlusion`: the drop in the predicted class's probability when a square is hidden (Zeiler & Fergus, fig. 7). */
export function occlusionView(ctx: VizContext, o: { image: InputImage }): Artifact[] {
  const { cls, p } = predict(ctx, o.image.input);
  const [, h, w] = ctx.config.inputShape;
  const size = Math.max(1, Math.round(Math.min(h, w) / 4));
  // Stride 1 where it is cheap (digit-sized images: a few hundred forward passes): no blocky averaging artefacts.
  const stride = h * w <= 64 * 64 ? 1 : Math.max(1, Math.round(size / 3));
  const progress = ctx.progress('occlusion');
  let heat: Tensor;
  try {
    // Filled with 0 in the model's input space: the dataset's mean colour, the neutral value for normalised inputs.
    heat = occlusion(ctx.model, o.image.input, { target: cls, size, stride, fill: 0, onProgress: (d, t) => progress.update(d, t) });
  } finally {
    progress.stop();
  }
  let m = 1e-6;
  for (const v of heat.data()) m = Math.max(m, Math.abs(v)); // a loop: spreading H·W values into Math.max overflows the stack on large images
  const panels = [rgb(o.image.pixels), colormap(heat, { map: 'diverging', range: [-m, m] }), overlay(o.image.pixels, heat, { map: 'diverging', range: [-m, m], alpha: 0.6 })];
  const tag = o.image.tag;
  return [pngArtifact(`${tag}-occlusion.png`,
    `${o.image.name}, predicted ${className(ctx, cls)} (${(p * 100).toFixed(1)}%): image | probability drop when a ${size}x${size} square is hidden (red: supports the class, blue: against; largest ${m.toPrecision(2)}) | overlay`,
    imageGrid(panels, { columns: panels.length }), 336)];
}
