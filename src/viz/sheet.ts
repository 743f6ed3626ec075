/**
 * Contact sheets: many small images side by side, as one image tensor (for a
 * PNG) or as a labelled SVG that embeds each PNG, so a reader sees at a glance
 * what each filter, feature map or sample looks like.
 */
import { TensorError, fmtShape } from '../core/errors.js';
import { tensor } from '../tensor/create.js';
import type { Tensor } from '../tensor/tensor.js';
import { encodePng } from '../data/image-io.js';

/** Options of `tg.viz.imageGrid`: columns, padding and its value. */
export interface GridOptions {
  /** Images per row (default: ceil(sqrt(count))). */
  columns?: number;
  /** Pixels between and around images (default 2). */
  padding?: number;
  /** Value of the padding pixels, in [0, 1] (default 1, white). */
  background?: number;
}

/**
 * Tiles same-sized images `[C, H, W]` (values in [0, 1]) into one image
 * `[C, rows*(H+p)+p, columns*(W+p)+p]`, row by row.
 * @example writePng('grid.png', imageGrid(images, { columns: 8 }))
 */
export function imageGrid(images: readonly Tensor[], opts: GridOptions = {}): Tensor {
  if (!images.length) throw new TensorError('imageGrid: got no images');
  const [c, h, w] = images[0]!.shape as [number, number, number];
  for (const img of images) {
    if (img.ndim !== 3 || img.shape[0] !== c || img.shape[1] !== h || img.shape[2] !== w) {
      throw new TensorError(`imageGrid: all images must be [C, H, W] of the same shape (got ${fmtShape(images[0]!.shape)} and ${fmtShape(img.shape)})`);
    }
  }
  const columns = opts.columns ?? Math.ceil(Math.sqrt(images.length));
  const pad = opts.padding ?? 2;
  const rows = Math.ceil(images.length / columns);
  const H = rows * (h + pad) + pad, W = columns * (w + pad) + pad;
  const out = new Float32Array(c * H * W).fill(opts.background ?? 1);
  images.forEach((img, k) => {
    const src = img.data();
    const top = pad + Math.floor(k / columns) * (h + pad), left = pad + (k % columns) * (w + pad);
    for (let ch = 0; ch < c; ch++) {
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) out[ch * H * W + (top + y) * W + left + x] = src[ch * h * w + y * w + x]!;
      }
    }
  });
  return tensor(out, { shape: [c, H, W] });
}

/**
 * Nearest-neighbour enlargement of an image `[C, H, W]` by an integer factor
 * (so 28x28 digits stay crisp when shown larger): `[C, H, W] -> [C, H * factor, W * factor]`.
 * Throws unless the image is 3-D and the factor a positive integer.
 * @example tg.viz.upscaleNearest(tg.rand([1, 28, 28]), 4).shape // [1, 112, 112]
 */
export function upscaleNearest(img: Tensor, factor: number): Tensor {
  if (img.ndim !== 3 || !Number.isInteger(factor) || factor < 1) {
    throw new TensorError(`upscaleNearest: expected an image [C, H, W] and a positive integer factor (got ${fmtShape(img.shape)}, ${factor})`);
  }
  const [c, h, w] = img.shape as [number, number, number];
  const src = img.data();
  const H = h * factor, W = w * factor;
  const out = new Float32Array(c * H * W);
  for (let ch = 0; ch < c; ch++) {
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) out[ch * H * W + y * W + x] = src[ch * h * w + Math.floor(y / factor) * w + Math.floor(x / factor)]!;
    }
  }
  return tensor(out, { shape: [c, H, W] });
}

/** One picture of a `tg.viz.labelledSheet`: the image and the text under it. */
export interface SheetCell {
  /** Text written under the image. */
  label: string;
  /** Image `[C, H, W]` or `[H, W]`, values in [0, 1]. */
  image: Tensor;
}

/** Options of `tg.viz.labelledSheet`. */
export interface SheetOptions {
  /** Title above the sheet (default: none). */
  title?: string;
  /** Cells per row (default: ceil(sqrt(count))). */
  columns?: number;
  /** Displayed size of each cell's image in pixels (default: the image's own width). */
  cellSize?: number;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/**
 * A labelled contact sheet as a standalone SVG document: each image is
 * embedded as a PNG data URI with its label underneath. Pixelated rendering
 * keeps small images sharp when scaled up. Cells are `[C, H, W]` or `[H, W]` in [0, 1].
 * @example writeFileSync('digits.svg', tg.viz.labelledSheet([{ label: 'seven', image: tg.rand([28, 28]) }], { cellSize: 84 }))
 */
export function labelledSheet(cells: readonly SheetCell[], opts: SheetOptions = {}): string {
  if (!cells.length) throw new TensorError('labelledSheet: got no cells');
  const columns = opts.columns ?? Math.ceil(Math.sqrt(cells.length));
  const size = opts.cellSize ?? cells[0]!.image.shape[cells[0]!.image.ndim - 1]!;
  const gap = 12, labelH = 18, titleH = opts.title ? 30 : 0;
  const rows = Math.ceil(cells.length / columns);
  const width = columns * (size + gap) + gap, height = titleH + rows * (size + labelH + gap) + gap;
  const parts = [`<rect width="${width}" height="${height}" fill="white"/>`];
  if (opts.title) {
    parts.push(`<text x="${width / 2}" y="21" text-anchor="middle" font-size="15" font-weight="bold" font-family="Helvetica, Arial, sans-serif">${esc(opts.title)}</text>`);
  }
  cells.forEach((cell, k) => {
    const x = gap + (k % columns) * (size + gap), y = titleH + gap + Math.floor(k / columns) * (size + labelH + gap);
    const png = encodePng(cell.image).toString('base64');
    const h = cell.image.shape[cell.image.ndim - 2]!, w = cell.image.shape[cell.image.ndim - 1]!;
    const ih = Math.round((size * h) / w);
    parts.push(
      `<image x="${x}" y="${y}" width="${size}" height="${ih}" style="image-rendering:pixelated" href="data:image/png;base64,${png}"/>`,
      `<rect x="${x}" y="${y}" width="${size}" height="${ih}" fill="none" stroke="#bbb"/>`,
      `<text x="${x + size / 2}" y="${y + ih + 14}" text-anchor="middle" font-size="12" font-family="Helvetica, Arial, sans-serif">${esc(cell.label)}</text>`,
    );
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">\n${parts.join('\n')}\n</svg>\n`;
}
