/**
 * What the views of `tensorgrad viz` and `tensorgrad report` share: the opened
 * model, its test images (loaded once, lazily, in the model's input space and
 * in pixel space for display), the input image, the layers worth showing, and
 * the checks that turn bad --layer / --unit / --image into one clear line.
 *
 * Space conventions: the model takes normalised inputs ((x - mean) / std, as
 * in training); everything shown is in pixel space [0, 1]. `toPixels` maps a
 * normalised image back.
 */
import { basename } from 'node:path';
import { fmtShape } from '../core/errors.js';
import { readImage } from '../data/image-io.js';
import { ConvNd } from '../nn/layers/conv.js';
import type { Module } from '../nn/module.js';
import { noGrad } from '../tensor/graph.js';
import { tensor, zeros } from '../tensor/create.js';
import type { Tensor } from '../tensor/tensor.js';
import { featureMaps, moduleAt } from '../viz/capture.js';
import { loadDataset, normalizeImages, type Normalization } from './datasets.js';
import { UserError } from './errors.js';
import { cliIO } from './io.js';
import type { ModelSource } from './model-source.js';
import { createScanProgress, type ScanProgress } from './progress.js';
import type { RunConfig } from './run-folder.js';
import { selectClasses } from './class-subset.js';

/** Test images in both spaces, with their labels. */
export interface TestImages {
  /** `[N, C, H, W]` normalised: what the model takes. */
  inputs: Tensor;
  /** `[N, C, H, W]` in [0, 1]: what is shown. */
  pixels: Tensor;
  /** `[N]` int32. */
  labels: Tensor;
}

/** One input image in both spaces. */
export interface InputImage {
  /** `[1, C, H, W]` normalised. */
  input: Tensor;
  /** `[C, H, W]` in [0, 1]. */
  pixels: Tensor;
  /** Where it came from, for captions: a file name or `test image 0 (class 7)`. */
  name: string;
  /** Short file-name prefix: `test-0`, or the file's base name without extension. */
  tag: string;
}

/**
 * Normalised images `[N, C, H, W]` back to pixel space, clamped to [0, 1].
 * @example toPixels(data.test.images, { mean: [0.1307], std: [0.3081] }) // [N, 1, 28, 28] in [0, 1]
 */
export function toPixels(images: Tensor, n: Normalization): Tensor {
  return noGrad(() => {
    const c = images.shape[images.ndim - 3]!;
    const shape = images.ndim === 4 ? [1, c, 1, 1] : [c, 1, 1];
    return images.mul(tensor(n.std, { shape })).add(tensor(n.mean, { shape })).clamp(0, 1);
  });
}

/**
 * Test images a scan uses when --limit is not given: `fallback`, but no more
 * than the run trained with (--test-subset), so the numbers match the run's own.
 * @example scanLimit(source, undefined, 2000) // 200 for a run trained with --test-subset 200
 */
export function scanLimit(source: ModelSource, given: number | undefined, fallback: number): number {
  if (given !== undefined) return given;
  const subset = (source.config.training as { testSubset?: unknown } | undefined)?.testSubset;
  return typeof subset === 'number' && Number.isSafeInteger(subset) && subset > 0 ? Math.min(subset, fallback) : fallback;
}

export interface ContextOptions {
  dataDir?: string;
  /** Test images to load for scans (the first N of the test split). */
  limit: number;
  /** --image for maps, saliency and occlusion. */
  image?: string;
  quiet?: boolean;
}

export class VizContext {
  readonly model: Module;
  readonly config: RunConfig;
  private test: TestImages | null = null;
  private readonly channelCache = new Map<string, number>();

  constructor(readonly source: ModelSource, readonly opts: ContextOptions) {
    this.model = source.model;
    this.config = source.config;
  }

  /** `[1, C, H, W]` of one model input. */
  get inputShape(): number[] {
    return [1, ...this.config.inputShape];
  }

  /** The first `limit` test images of the run's dataset (loaded on first use). */
  testImages(): TestImages {
    if (!this.test) {
      const [, h, w] = this.config.inputShape;
      const kept = this.config.datasetClasses;
      // A run trained on some classes (--classes) is shown only those, relabelled as its outputs.
      const data = loadDataset(this.config.dataset, { dataDir: this.opts.dataDir, testSubset: kept ? undefined : this.opts.limit, size: [h, w], splits: ['test'] });
      let split = data.test;
      if (kept) {
        split = selectClasses(split, kept);
        const n = Math.min(this.opts.limit ?? Infinity, split.labels.shape[0]!);
        split = { images: split.images.narrow(0, 0, n), labels: split.labels.narrow(0, 0, n) };
      }
      this.test = { inputs: split.images, pixels: toPixels(split.images, this.config.normalize), labels: split.labels };
    }
    return this.test;
  }

  /** Test image `i` in both spaces. */
  testImage(i: number): InputImage {
    const t = this.testImages();
    return {
      input: t.inputs.narrow(0, i, 1), pixels: t.pixels.select(0, i),
      name: `test image ${i} (class ${this.config.classes[t.labels.data()[i]!] ?? '?'})`, tag: `test-${i}`,
    };
  }

  /**
   * The input of the single-image views: --image (which must already have the
   * model's size and channel count: a silent resize would show the model
   * something other than the file), else the first test image.
   */
  inputImage(): InputImage {
    const file = this.opts.image;
    if (file === undefined) return this.testImage(0);
    const [c, h, w] = this.config.inputShape;
    const pixels = readImage(file);
    const [ic, ih, iw] = pixels.shape as [number, number, number];
    if (ic !== c || ih !== h || iw !== w) {
      const kind = (n: number) => (n === 1 ? 'grey' : n === 3 ? 'RGB' : `${n}-channel`);
      const shape = (dims: number[]) => `[${dims.join(', ')}]`;
      throw new UserError(`--image ${file} is ${iw}x${ih} ${kind(ic)} (${shape([ic, ih, iw])}), but the model takes ${w}x${h} ${kind(c)} images (${shape([c, h, w])})`);
    }
    const tag = basename(file).replace(/\.[^.]*$/, '').replace(/[^\w.-]+/g, '_') || 'image';
    return { input: normalizeImages(pixels.unsqueeze(0), this.config.normalize), pixels, name: file, tag };
  }

  /** The conv layers of the model, by path, in module order. */
  convLayers(): string[] {
    return this.model.namedModules().filter(([name, m]) => name !== '' && m instanceof ConvNd).map(([name]) => name);
  }

  /** --layer checked against the model (an unknown path lists the valid ones), or `fallback()` when not given. */
  layer(given: string | undefined, fallback: () => string): string {
    if (given === undefined) return fallback();
    // moduleAt's TensorError is a user error for the CLI: `--layer: unknown layer 'x' (valid layers: ...)`.
    moduleAt(this.model, given, '--layer');
    return given;
  }

  /** The first conv layer (for filters and as the default unit layer). */
  firstConv(): string {
    const conv = this.convLayers()[0];
    if (conv === undefined) throw new UserError(`the model '${this.config.model}' has no conv layer; give --layer`);
    return conv;
  }

  /** Channels of `layer`'s output for one input (dim 1 of the captured output). */
  channels(layer: string): number {
    let n = this.channelCache.get(layer);
    if (n === undefined) {
      const out = featureMaps(this.model, zeros(this.inputShape), { layers: [layer] }).get(layer);
      if (!out) throw new UserError(`--layer ${layer} does not return a tensor`);
      if (out.ndim < 2) throw new UserError(`--layer ${layer} has output ${fmtShape(out.shape)}, without channels`);
      n = out.shape[1]!;
      this.channelCache.set(layer, n);
    }
    return n;
  }

  /**
   * The units to show: [--unit] after checking it against the layer's channel
   * count, else the first `count` channels.
   */
  units(layer: string, unit: number | undefined, count: number): number[] {
    const n = this.channels(layer);
    if (unit !== undefined) {
      if (unit >= n) throw new UserError(`--unit ${unit} is out of range: layer ${layer} has ${n} channels (0 to ${n - 1})`);
      return [unit];
    }
    return Array.from({ length: Math.min(count, n) }, (_, i) => i);
  }

  /** A progress bar for a scan (nothing when quiet or not on a terminal). */
  progress(label: string): ScanProgress {
    return createScanProgress(label, cliIO().stderr, this.opts.quiet);
  }
}
