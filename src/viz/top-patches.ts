/**
 * Top activating patches and their projections (Zeiler & Fergus, ECCV 2014,
 * fig. 2): for each chosen unit, the k dataset patches that excite it most,
 * each beside its projection back to pixel space, both cropped to the unit's
 * receptive field at that position.
 */
import type { Tensor } from '../tensor/tensor.js';
import type { Module } from '../nn/module.js';
import { TensorError } from '../core/errors.js';
import { openImageSource, type ImageSource } from './image-source.js';
import { topActivations, type Activation, type TopActivationsOptions } from './top-activations.js';
import { cropWindow, fieldWindow, layerField, type ImageField, type PixelWindow } from './receptive-window.js';
import { projectActivations, projectionImage, type ProjectionMethod } from './guided-backprop.js';
import { select, stack } from '../ops/movement.js';
import { imageGrid, upscaleNearest } from './sheet.js';

export interface TopPatchesOptions extends TopActivationsOptions {
  /** Value of patch pixels outside the image (default 0: what zero padding feeds the network). */
  background?: number;
  /** Projection drawn beside each patch (default 'guided'; 'none' skips the backward passes). */
  projection?: ProjectionMethod | 'none';
}

/** One top activation with what it saw. */
export interface PatchEntry extends Activation {
  /** Input pixels under the activation's receptive field (may reach outside the image). */
  window: PixelWindow;
  /**
   * The input crop `[C, window.height, window.width]`, in the source's own units: for
   * normalised inputs, map it back to [0, 1] (x·std + mean) before `topPatchesImage` or a PNG.
   */
  patch: Tensor;
  /** The projection cropped to the same window, as an image in [0, 1] (0.5 = zero); null with projection 'none'. */
  projection: Tensor | null;
}

/** What `tg.viz.topPatches` returns: the scan's shapes, the layer's field, and each unit's top-k patches. */
export interface TopPatches {
  /** Module path of the scanned layer. */
  layer: string;
  /** The layer's receptive field the windows come from. */
  field: ImageField;
  /** Channels of the layer's output. */
  channels: number;
  /** [H', W'] of the layer's output map ([1, 1] without spatial dims). */
  mapSize: [number, number];
  /** [C, H, W] of the scanned images. */
  imageShape: [number, number, number];
  /** Images scanned. */
  count: number;
  /** Per requested unit, in the order given: its k entries, most activating first. */
  units: {
    /** The channel. */
    unit: number;
    /** Its k most activating patches, most activating first. */
    entries: PatchEntry[];
  }[];
}

/**
 * Scans `images` for the top-k activations of each unit of `layer` (see
 * {@link topActivations}), then crops each one's receptive-field window out of
 * its image and, unless `projection: 'none'`, projects the activation back to
 * pixels ({@link projectActivations}: one batched pass per unit) and crops
 * that too. The window is the receptive field from `tg.analysis.receptiveField` (start + position·jump,
 * `size` wide); a layer past the spatial part (global field) gets whole images.
 * Shapes: images `[N, C, H, W]` (or a Dataset / DataLoader); patch and
 * projection `[C, s_h, s_w]` with s the field's size.
 * @example
 * const tp = tg.viz.topPatches(model, test.images, { layer: 'features.3', units: [0, 1, 2], k: 9 });
 * writePng('unit0.png', tg.viz.topPatchesImage(tp.units[0].entries, { scale: 4 }));
 */
export function topPatches<T, B>(model: Module, images: ImageSource<T, B>, opts: TopPatchesOptions): TopPatches {
  const method = opts.projection ?? 'guided';
  if (!['guided', 'deconvnet', 'gradient', 'none'].includes(method)) {
    throw new TensorError(`topPatches: projection must be 'guided', 'deconvnet', 'gradient' or 'none' (got '${String(method)}')`);
  }
  const top = topActivations(model, images, opts);
  const field = layerField(model, opts.layer, top.imageShape, 'topPatches');
  const source = openImageSource('topPatches', images);
  const size: [number, number] = [top.imageShape[1], top.imageShape[2]];
  const units = top.units.map(({ unit, top: acts }) => {
    const imgs = acts.map((a) => source.image(a.index));
    // All k projections of a unit from one forward and one backward pass.
    const projections = method === 'none' || acts.length === 0 ? null
      : projectActivations(model, stack(imgs), acts.map((a) => ({ unit, position: a.position })), { layer: opts.layer, method });
    return {
      unit,
      entries: acts.map((a, i): PatchEntry => {
        const window = fieldWindow(field, a.position, size);
        const projection = projections && projectionImage(select(projections, 0, i), window);
        return { ...a, window, patch: cropWindow(imgs[i]!, window, opts.background ?? 0), projection };
      }),
    };
  });
  return { layer: top.layer, field, channels: top.channels, mapSize: top.mapSize, imageShape: top.imageShape, count: top.count, units };
}

/** Options of `tg.viz.topPatchesImage`: enlargement and spacing of the patches. */
export interface PatchSheetOptions {
  /** Integer enlargement of every patch (default 1). */
  scale?: number;
  /** Pixels between patches (default 2). */
  padding?: number;
}

/**
 * One unit's entries as one image: the patches in a row, most activating
 * first, and under each its projection when there is one.
 * Shapes: k entries with patches `[C, s_h, s_w]` -> `[C, rows·(s_h·scale + pad) + pad, k·(s_w·scale + pad) + pad]`.
 * @example writePng('unit3.png', topPatchesImage(tp.units[3].entries, { scale: 4 }))
 */
export function topPatchesImage(entries: readonly PatchEntry[], opts: PatchSheetOptions = {}): Tensor {
  if (!Array.isArray(entries) || entries.length === 0) throw new TensorError('topPatchesImage: got no entries');
  const scale = opts.scale ?? 1;
  const grow = (t: Tensor) => (scale === 1 ? t : upscaleNearest(t, scale));
  const row = (pick: (e: PatchEntry) => Tensor | null) => entries.map(pick).filter((t): t is Tensor => t !== null).map(grow);
  const images = [...row((e) => e.patch), ...row((e) => e.projection)];
  return imageGrid(images, { columns: entries.length, padding: opts.padding ?? 2 });
}
