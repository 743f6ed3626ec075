/**
 * The views of `tensorgrad viz` and its options, apart from the code that
 * renders them (viz.ts, loaded only when the command runs), so that the
 * program's flag parsing stays cheap to import.
 */

/** The views `tensorgrad viz RUN <view>` renders. */
export const VIZ_VIEWS = ['filters', 'maps', 'top', 'maximize', 'saliency', 'occlusion', 'evolution', 'curves', 'confusion'] as const;
export type VizView = (typeof VIZ_VIEWS)[number];

/** One line per view for `tensorgrad viz --help`. */
export const VIEW_HELP: Readonly<Record<VizView, string>> = {
  filters: 'kernels of the first conv layer (or --layer), one grid',
  maps: 'feature maps of an image (--image, else the first test image), one grid per layer',
  top: 'test patches that excite a unit most, with their guided-backprop projections (default: last conv layer, 4 units)',
  maximize: 'inputs that maximise a unit of --layer, or without --layer a class logit; and the objective curves',
  saliency: '|d logit / d pixel| of the predicted class, plain and SmoothGrad (--seed), overlaid on the image',
  occlusion: "drop in the predicted class's probability when a square of the image is hidden",
  evolution: 'the same units (filters, top patches) per weight snapshot of train --snapshot-epochs',
  curves: 'loss and accuracy per epoch from the run\'s metrics.json',
  confusion: 'confusion matrix, per-class accuracy and the most confident mistakes on test images',
};

/** --unit: a channel index (its upper bound is the layer's channel count, checked against the model). */
export const UNIT_RANGE = { min: 0, max: 1_000_000 } as const;

/** Test images scanned by default for top patches and the confusion matrix (about 2 s for LeNet-5). */
export const DEFAULT_SCAN_LIMIT = 2000;

export interface VizOptions {
  layer?: string;
  unit?: number;
  image?: string;
  out?: string;
  seed: number;
  weights?: string;
  dataset?: string;
  dataDir?: string;
  limit?: number;
  quiet?: boolean;
  /** Backend name (default: TENSORGRAD_BACKEND, else wasm where it loads). */
  backend?: string;
}
