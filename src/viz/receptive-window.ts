/**
 * The input window under one output position of a layer (its receptive
 * field, from `tg.analysis.receptiveField`), and crops of an image to that
 * window: the patch a top activation "saw", and the matching piece of its
 * projection to pixel space.
 */
import { TensorError, fmtShape } from '../core/errors.js';
import { typedArrayFor } from '../core/dtype.js';
import { tensor } from '../tensor/create.js';
import type { Tensor } from '../tensor/tensor.js';
import type { Module } from '../nn/module.js';
import { receptiveField, type ReceptiveField } from '../analysis/receptive-field.js';
import { moduleAt } from './capture.js';

/** A rectangle of input pixels; it may reach outside the image (padding). */
export interface PixelWindow {
  /** Row of the window's first pixel (an integer; negative above the image). */
  top: number;
  /** Column of the window's first pixel (an integer; negative left of the image). */
  left: number;
  /** Rows in the window, in pixels. */
  height: number;
  /** Columns in the window, in pixels. */
  width: number;
}

/** A layer's receptive field for 2-D images, or 'global' when every output sees the whole image. */
export type ImageField = ReceptiveField | 'global';

/**
 * The receptive field of `layer`'s output for images `[C, H, W]`, traced on
 * the model itself (residual branches and functional ops included).
 * @example layerField(tg.models.lenet5(), 'features.5', [1, 28, 28]) // { size: [16, 16], jump: [4, 4], start: [5.5, 5.5] }
 */
export function layerField(model: Module, layer: string, imageShape: readonly number[], fn = 'layerField'): ImageField {
  moduleAt(model, layer, fn);
  if (imageShape.length !== 3) throw new TensorError(`${fn}: expected an image shape [C, H, W] (got ${fmtShape(imageShape)})`);
  const report = receptiveField(model, [1, ...imageShape]);
  const found = report.layers.find((l) => l.name === layer);
  if (!found || found.field === null) throw new TensorError(`${fn}: layer '${layer}' has no receptive field (it did not run, or its output does not depend on the image)`);
  if (found.field === 'global') return 'global';
  if (found.field.size.length !== 2) throw new TensorError(`${fn}: layer '${layer}' has a ${found.field.size.length}-D field; expected 2-D images`);
  return found.field;
}

/**
 * The input window under output position [row, col]: centred at
 * start + position·jump, `size` pixels wide (centre ± (size-1)/2), widened to
 * whole pixels where the arithmetic is fractional (adaptive pools). A global
 * field is the whole image `[H, W]`.
 * @example fieldWindow({ size: [16, 16], jump: [4, 4], start: [5.5, 5.5] }, [0, 1], [28, 28]) // { top: -2, left: 2, height: 16, width: 16 }
 */
export function fieldWindow(field: ImageField, position: readonly [number, number], imageSize: readonly [number, number]): PixelWindow {
  if (field === 'global') return { top: 0, left: 0, height: imageSize[0], width: imageSize[1] };
  // Fractional fields (adaptive pools) widen to whole pixels on both sides, so the window always
  // contains every pixel the field touches; integer fields are unchanged.
  const span = (d: 0 | 1) => {
    const centre = field.start[d]! + position[d] * field.jump[d]!, half = (field.size[d]! - 1) / 2;
    const lo = Math.floor(centre - half + 1e-9), hi = Math.ceil(centre + half - 1e-9);
    return { lo, len: hi - lo + 1 };
  };
  const [r, c] = [span(0), span(1)];
  return { top: r.lo, left: c.lo, height: r.len, width: c.len };
}

/**
 * The pixels of `image` `[C, H, W]` in `window`, as `[C, height, width]`;
 * pixels outside the image get `background` (default 0: what zero padding
 * feeds the network). Same dtype and backend as the image.
 * @example cropWindow(img, { top: -2, left: 2, height: 16, width: 16 }) // [1, 16, 16], rows 0-1 zero
 */
export function cropWindow(image: Tensor, window: PixelWindow, background = 0): Tensor {
  if (image.ndim !== 3) throw new TensorError(`cropWindow: image must be [C, H, W] (got ${fmtShape(image.shape)})`);
  const [c, h, w] = image.shape as [number, number, number];
  const { top, left, height, width } = window;
  const src = image.data();
  const out = typedArrayFor(image.dtype, c * height * width).fill(background);
  // Only the rows and columns that fall inside the image are copied.
  const y0 = Math.max(0, -top), y1 = Math.min(height, h - top);
  const x0 = Math.max(0, -left), x1 = Math.min(width, w - left);
  for (let ch = 0; ch < c; ch++) {
    for (let y = y0; y < y1; y++) {
      const from = (ch * h + top + y) * w + left;
      out.set(src.subarray(from + x0, from + x1), (ch * height + y) * width + x0);
    }
  }
  return tensor(out, { shape: [c, height, width], dtype: image.dtype, backend: image.backend });
}
