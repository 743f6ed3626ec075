/**
 * Drawing into an RGBA pixel buffer without a canvas context, so that the
 * drawing pad, the e2e test and the Node tests produce the same pixels
 * (a browser's own `ctx.stroke()` anti-aliases differently per platform).
 *
 * Every pixel is treated as a coverage between the pad's background and ink
 * colours: drawing raises a pixel's coverage to at least the new stroke's,
 * never blends twice, so overlapping segments (a polyline's joints, a pen
 * going back over a line) leave no darker seams and the result does not depend
 * on the order of segments. Pure functions over `ImageData`-like buffers, no DOM.
 */
import { TensorError } from '../../../src/index.js';
import { checkRgba, type RgbaImage } from './ink.js';

/** An RGB colour, each channel 0..255. */
export type Rgb = readonly [number, number, number];

/** The pad's colours: strokes of `ink` on `background`, both opaque. */
export interface PadStyle {
  background: Rgb;
  ink: Rgb;
}

/** MNIST's look: white strokes on black (the default pad style). */
export const MNIST_STYLE: PadStyle = { background: [0, 0, 0], ink: [255, 255, 255] };

/** A point on the pad, in pixels (continuous: pixel (x, y) covers [x, x+1) x [y, y+1)). */
export interface Point {
  x: number;
  y: number;
}

/** A pen stroke: a polyline drawn with a round brush of diameter `width` pixels. */
export interface Stroke {
  points: Point[];
  width: number;
}

/**
 * Fills the buffer with the style's background, fully opaque (a cleared pad).
 * @example const pad = new ImageData(280, 280); clearPad(pad);
 */
export function clearPad(img: RgbaImage, style: PadStyle = MNIST_STYLE): void {
  checkRgba('clearPad', img);
  const [r, g, b] = style.background;
  const d = img.data;
  for (let at = 0; at < d.length; at += 4) {
    d[at] = r;
    d[at + 1] = g;
    d[at + 2] = b;
    d[at + 3] = 255;
  }
}

/** Ink coverage already at a pixel: its colour projected onto background -> ink, in [0, 1]. */
function coverageAt(d: RgbaImage['data'], at: number, style: PadStyle): number {
  const { background: bg, ink } = style;
  let num = 0, den = 0;
  for (let c = 0; c < 3; c++) {
    const span = ink[c]! - bg[c]!;
    num += (d[at + c]! - bg[c]!) * span;
    den += span * span;
  }
  return den > 0 ? Math.min(1, Math.max(0, num / den)) : 0;
}

/** Raises pixel `at`'s coverage to at least `c` (0..1). */
function raise(d: RgbaImage['data'], at: number, c: number, style: PadStyle): void {
  if (c <= 0 || c <= coverageAt(d, at, style)) return;
  const { background: bg, ink } = style;
  for (let k = 0; k < 3; k++) d[at + k] = Math.round(bg[k]! + (ink[k]! - bg[k]!) * c);
  d[at + 3] = 255;
}

/** Distance from (px, py) to the segment a-b. */
function distanceToSegment(px: number, py: number, a: Point, b: Point): number {
  const vx = b.x - a.x, vy = b.y - a.y;
  const len2 = vx * vx + vy * vy;
  const t = len2 > 0 ? Math.min(1, Math.max(0, ((px - a.x) * vx + (py - a.y) * vy) / len2)) : 0;
  const dx = px - (a.x + t * vx), dy = py - (a.y + t * vy);
  return Math.hypot(dx, dy);
}

/**
 * Draws the segment a-b with a round brush of diameter `width` (round caps;
 * a == b draws a dot). Anti-aliased: a pixel whose centre lies at distance d
 * from the segment gets coverage clamp(width/2 + 0.5 - d, 0, 1), a one-pixel
 * linear ramp across the edge.
 * @example drawSegment(pad, { x: 40, y: 40 }, { x: 200, y: 220 }, 18);
 */
export function drawSegment(img: RgbaImage, a: Point, b: Point, width: number, style: PadStyle = MNIST_STYLE): void {
  checkRgba('drawSegment', img);
  if (!(width > 0) || !Number.isFinite(width)) throw new TensorError(`drawSegment: width must be a positive number (got ${width})`);
  if (![a.x, a.y, b.x, b.y].every(Number.isFinite)) {
    throw new TensorError(`drawSegment: points must be finite (got (${a.x}, ${a.y}) -> (${b.x}, ${b.y}))`);
  }
  const r = width / 2;
  const x0 = Math.max(0, Math.floor(Math.min(a.x, b.x) - r - 1));
  const x1 = Math.min(img.width - 1, Math.ceil(Math.max(a.x, b.x) + r + 1));
  const y0 = Math.max(0, Math.floor(Math.min(a.y, b.y) - r - 1));
  const y1 = Math.min(img.height - 1, Math.ceil(Math.max(a.y, b.y) + r + 1));
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      const c = Math.min(1, r + 0.5 - distanceToSegment(x + 0.5, y + 0.5, a, b));
      raise(img.data, 4 * (y * img.width + x), c, style);
    }
  }
}

/**
 * Draws a stroke: each consecutive pair of points as a segment (one point: a dot).
 * @example drawStroke(pad, { points: [{ x: 50, y: 60 }, { x: 140, y: 60 }, { x: 90, y: 230 }], width: 18 });
 */
export function drawStroke(img: RgbaImage, stroke: Stroke, style: PadStyle = MNIST_STYLE): void {
  const { points, width } = stroke;
  if (points.length === 1) drawSegment(img, points[0]!, points[0]!, width, style);
  for (let i = 1; i < points.length; i++) drawSegment(img, points[i - 1]!, points[i]!, width, style);
}

/** Throws unless `image` holds rows x cols values in [0, 1]. */
function checkDigit(op: string, image: ArrayLike<number>, rows: number, cols: number): void {
  if (!Number.isSafeInteger(rows) || !Number.isSafeInteger(cols) || rows < 1 || cols < 1) {
    throw new TensorError(`${op}: rows and cols must be positive integers (got ${rows}x${cols})`);
  }
  if (image.length !== rows * cols) throw new TensorError(`${op}: a ${rows}x${cols} image needs ${rows * cols} values but has ${image.length}`);
}

/**
 * Paints a small greyscale image (e.g. an MNIST digit, `[rows * cols]` in [0, 1],
 * 1 = ink) onto the whole pad pixel by pixel: source pixel (i, j) becomes the
 * pad rectangle it maps to, with its grey level as coverage; pad pixels split
 * between source pixels take the area-weighted mean. Used by the e2e test to
 * draw a real test digit exactly.
 * @example paintDigit(pad, mnistTestImage, 28, 28);   // 280x280 pad, 10x10 blocks
 */
export function paintDigit(img: RgbaImage, image: ArrayLike<number>, rows: number, cols: number, style: PadStyle = MNIST_STYLE): void {
  checkRgba('paintDigit', img);
  checkDigit('paintDigit', image, rows, cols);
  const sx = cols / img.width, sy = rows / img.height;
  for (let y = 0; y < img.height; y++) {
    // Pad pixel y covers source rows [y*sy, (y+1)*sy).
    const r0 = y * sy, r1 = (y + 1) * sy;
    for (let x = 0; x < img.width; x++) {
      const c0 = x * sx, c1 = (x + 1) * sx;
      let acc = 0;
      for (let i = Math.floor(r0); i < Math.min(rows, Math.ceil(r1)); i++) {
        const wy = Math.min(r1, i + 1) - Math.max(r0, i);
        for (let j = Math.floor(c0); j < Math.min(cols, Math.ceil(c1)); j++) {
          const wx = Math.min(c1, j + 1) - Math.max(c0, j);
          acc += wx * wy * Math.min(1, Math.max(0, image[i * cols + j]!));
        }
      }
      raise(img.data, 4 * (y * img.width + x), acc / (sx * sy), style);
    }
  }
}

/**
 * Turns a small greyscale image into pen strokes on a `width x height` pad, as a
 * user (or the e2e test's pointer events) would draw it: every horizontal run
 * of pixels with ink above `threshold` becomes one stroke along the run's row,
 * with a brush as tall as a row, so the strokes cover the runs' cells. Grey
 * levels are lost (a pen has one colour); `paintDigit` keeps them.
 * @example for (const s of digitToStrokes(img, 28, 28, 280, 280)) drawStroke(pad, s);
 */
export function digitToStrokes(image: ArrayLike<number>, rows: number, cols: number, width: number, height: number, threshold = 0.5): Stroke[] {
  checkDigit('digitToStrokes', image, rows, cols);
  const cw = width / cols, ch = height / rows;
  const brush = ch;
  const strokes: Stroke[] = [];
  for (let i = 0; i < rows; i++) {
    const y = (i + 0.5) * ch;
    for (let j = 0; j < cols; j++) {
      if (!(image[i * cols + j]! > threshold)) continue;
      let end = j;
      while (end + 1 < cols && image[i * cols + end + 1]! > threshold) end++;
      // Round caps reach brush/2 beyond the end points: pull them in so the run's cells are what is covered.
      const inset = Math.min(brush / 2, ((end - j + 1) * cw) / 2);
      const xa = j * cw + inset, xb = (end + 1) * cw - inset;
      strokes.push({ points: xa === xb ? [{ x: xa, y }] : [{ x: xa, y }, { x: xb, y }], width: brush });
      j = end;
    }
  }
  return strokes;
}
