/**
 * MNIST-like preprocessing of a drawing, as LeCun et al. made the MNIST digits:
 * the digit's bounding box is scaled to fit a 20x20 box, aspect ratio kept,
 * with area averaging (the anti-aliasing that gives MNIST its grey edges); the
 * result is placed in a 28x28 field so that its centre of mass lies at the
 * field's centre; then the model's normalisation (x - 0.1307) / 0.3081.
 *
 * Centre of mass is in pixel indices (pixel (x, y) counts at (x, y)) and goes to
 * (14, 14), half a pixel right of and below the field's geometric centre (13.5):
 * that is where MNIST has it (mean over all 70,000 digits (14.007, 13.995), every
 * digit but one within half a pixel), and the model learned MNIST's placement.
 * Pure functions over typed arrays, no DOM.
 */
import { TensorError } from '../../../src/index.js';
import { inkFromRgba, type Polarity, type RgbaImage, detectPolarity } from './ink.js';

/** Side of the field MNIST digits live in. */
export const FIELD = 28;
/** Side of the box the digit's bounding box is scaled to fit. */
export const BOX = 20;
/** Where the centre of mass goes, in pixel indices (see above). */
export const CENTRE = 14;

/**
 * MNIST's training-set pixel statistics, the same as the CLI's `--dataset mnist`
 * (`DATASETS.mnist.normalize` in src/data/named-datasets.ts; a test keeps them equal).
 * The playground's worker must normalise its training images with these too.
 */
export const MNIST_NORMALIZATION = { mean: 0.1307, std: 0.3081 } as const;

/** A pixel rectangle: columns `x .. x+width-1`, rows `y .. y+height-1`. */
export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** What `preprocessDrawing` made of a drawing. */
export interface Preprocessed {
  /** The 28x28 digit, row-major, ink in [0, 1] (as `tg.data.loadMnist` scales pixels): for display. */
  pixels: Float32Array;
  /** `pixels` normalised with `MNIST_NORMALIZATION`: the model's input, reshape to [1, 1, 28, 28]. */
  input: Float32Array;
  /** The polarity used (detected unless given). */
  polarity: Polarity;
  /** The ink's bounding box on the source canvas. */
  box: Box;
  /** Where the scaled digit was placed in the field (may differ from the centring shift when clamped). */
  placed: Box;
}

export interface PreprocessOptions {
  /** Stroke polarity; default: detected (see `detectPolarity`). */
  polarity?: Polarity;
  /** Pixels with ink at or below this are background for the bounding box; default 0. */
  inkThreshold?: number;
}

/**
 * A drawing canvas's RGBA pixels (any size, e.g. 280x280; white strokes on black,
 * black on white, or strokes on a transparent canvas) -> an MNIST-like 28x28 input.
 * Returns `null` for an empty drawing (no pixel with ink above the threshold),
 * never NaN: the caller shows "draw a digit" instead of a prediction.
 * @example
 * const r = preprocessDrawing(ctx.getImageData(0, 0, 280, 280));
 * if (r) model.forward(tg.tensor(r.input, { shape: [1, 1, 28, 28] }));
 */
export function preprocessDrawing(img: RgbaImage, opts: PreprocessOptions = {}): Preprocessed | null {
  const polarity = opts.polarity ?? detectPolarity(img);
  const ink = inkFromRgba(img, polarity);
  const r = preprocessInk(ink, img.width, img.height, opts.inkThreshold ?? 0);
  return r && { ...r, polarity };
}

/**
 * The same pipeline from an ink map `[height * width]` in [0, 1] (1 = stroke).
 * Returns `null` when no pixel exceeds `inkThreshold`.
 * @example preprocessInk(new Float32Array(280 * 280), 280, 280)  // null
 */
export function preprocessInk(ink: Float32Array, width: number, height: number, inkThreshold = 0): Omit<Preprocessed, 'polarity'> | null {
  if (ink.length !== width * height) {
    throw new TensorError(`preprocessInk: an ink map of ${width}x${height} needs ${width * height} values but has ${ink.length}`);
  }
  const box = inkBoundingBox(ink, width, height, inkThreshold);
  if (!box) return null;
  const scale = BOX / Math.max(box.width, box.height);
  // The longer side becomes exactly 20; the shorter keeps the aspect ratio (at least 1 px).
  const w = Math.max(1, Math.round(box.width * scale));
  const h = Math.max(1, Math.round(box.height * scale));
  const digit = resizeArea(ink, width, box, w, h);
  const pixels = new Float32Array(FIELD * FIELD);
  const placed = placeByCentreOfMass(digit, w, h, pixels);
  const { mean, std } = MNIST_NORMALIZATION;
  const input = pixels.map((v) => (v - mean) / std);
  return { pixels, input, box, placed };
}

/**
 * The smallest box holding every pixel with ink above `threshold`, or null if none.
 * @example inkBoundingBox(ink, 280, 280)  // { x: 90, y: 40, width: 100, height: 200 }
 */
export function inkBoundingBox(ink: ArrayLike<number>, width: number, height: number, threshold = 0): Box | null {
  let x0 = width, y0 = height, x1 = -1, y1 = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (ink[y * width + x]! > threshold) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
    }
  }
  return x1 < 0 ? null : { x: x0, y: y0, width: x1 - x0 + 1, height: y1 - y0 + 1 };
}

/**
 * For each output cell along one axis, the source pixels it overlaps and the
 * overlap's share of the cell: box-filter (area averaging) weights. Output cell
 * i covers source [start + i*step, start + (i+1)*step) with step = n / m.
 */
function areaWeights(start: number, n: number, m: number): { index: number[]; weight: number[] }[] {
  const step = n / m;
  const cells: { index: number[]; weight: number[] }[] = [];
  for (let i = 0; i < m; i++) {
    const lo = i * step;
    const hi = (i + 1) * step;
    const index: number[] = [];
    const weight: number[] = [];
    for (let s = Math.floor(lo); s < Math.min(n, Math.ceil(hi)); s++) {
      const overlap = Math.min(hi, s + 1) - Math.max(lo, s);
      if (overlap > 1e-12) {
        index.push(start + s);
        weight.push(overlap / step);
      }
    }
    cells.push({ index, weight });
  }
  return cells;
}

/**
 * Resamples the `box` region of a `[*, srcWidth]` map to `outW x outH` by area
 * averaging: each output pixel is the mean of the source area it covers
 * (exact fractional overlaps), which anti-aliases when shrinking and
 * keeps total ink proportional to area.
 * @example resizeArea(ink, 280, { x: 0, y: 0, width: 280, height: 280 }, 28, 28)  // Float32Array(784)
 */
export function resizeArea(src: ArrayLike<number>, srcWidth: number, box: Box, outW: number, outH: number): Float32Array {
  const wx = areaWeights(box.x, box.width, outW);
  const wy = areaWeights(box.y, box.height, outH);
  // Separable: rows first (box.height x outW), then columns.
  const rows = new Float32Array(box.height * outW);
  for (let y = 0; y < box.height; y++) {
    const base = (box.y + y) * srcWidth;
    for (let i = 0; i < outW; i++) {
      const { index, weight } = wx[i]!;
      let acc = 0;
      for (let k = 0; k < index.length; k++) acc += weight[k]! * src[base + index[k]!]!;
      rows[y * outW + i] = acc;
    }
  }
  const out = new Float32Array(outW * outH);
  for (let j = 0; j < outH; j++) {
    const { index, weight } = wy[j]!;
    for (let i = 0; i < outW; i++) {
      let acc = 0;
      for (let k = 0; k < index.length; k++) acc += weight[k]! * rows[(index[k]! - box.y) * outW + i]!;
      out[j * outW + i] = acc;
    }
  }
  return out;
}

/**
 * Centre of mass of a `[height * width]` map in pixel indices (pixel (x, y)
 * counts at (x, y)), or null when the map has no mass.
 * @example centreOfMass(pixels, 28, 28)  // { x: 14.1, y: 13.8 }
 */
export function centreOfMass(map: ArrayLike<number>, width: number, height: number): { x: number; y: number } | null {
  let m = 0, mx = 0, my = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const v = map[y * width + x]!;
      m += v;
      mx += v * x;
      my += v * y;
    }
  }
  return m > 0 ? { x: mx / m, y: my / m } : null;
}

/**
 * Copies a `w x h` digit into the 28x28 `field` shifted by whole pixels so that
 * its centre of mass is within half a pixel of (14, 14), as in MNIST. When the
 * mass sits so far to one side that the shift would push the digit over the
 * field's edge, the shift is clamped: the whole digit stays visible, slightly
 * off-centre, rather than losing a stroke. Returns where it was placed.
 */
function placeByCentreOfMass(digit: Float32Array, w: number, h: number, field: Float32Array): Box {
  const c = centreOfMass(digit, w, h) ?? { x: (w - 1) / 2, y: (h - 1) / 2 };
  const dx = Math.min(FIELD - w, Math.max(0, Math.round(CENTRE - c.x)));
  const dy = Math.min(FIELD - h, Math.max(0, Math.round(CENTRE - c.y)));
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) field[(y + dy) * FIELD + x + dx] = digit[y * w + x]!;
  }
  return { x: dx, y: dy, width: w, height: h };
}
