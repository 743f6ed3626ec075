/**
 * Ink extraction: a drawing canvas's RGBA pixels -> one ink value per pixel in
 * [0, 1] (1 = full stroke), whichever way round the pad is painted. Pure
 * functions, no DOM: the drawing pad, the Web Worker and the Node tests share them.
 */
import { TensorError } from '../../../src/index.js';

/** An RGBA pixel buffer as `ImageData` holds it (row-major, 4 bytes a pixel). */
export interface RgbaImage {
  readonly data: Uint8ClampedArray | Uint8Array;
  readonly width: number;
  readonly height: number;
}

/**
 * Which way round the strokes are: `'light-on-dark'` (MNIST's own convention:
 * white digit on black) or `'dark-on-light'` (pen on paper).
 */
export type Polarity = 'light-on-dark' | 'dark-on-light';

/** Rec. 601 luma of one pixel, in [0, 1]. */
function luma(d: ArrayLike<number>, at: number): number {
  return (0.299 * d[at]! + 0.587 * d[at + 1]! + 0.114 * d[at + 2]!) / 255;
}

/** Throws unless `img` is a well-formed RGBA buffer; `op` names the caller in the message. */
export function checkRgba(op: string, img: RgbaImage): void {
  const { width, height, data } = img;
  if (!Number.isSafeInteger(width) || !Number.isSafeInteger(height) || width < 1 || height < 1) {
    throw new TensorError(`${op}: width and height must be positive integers (got ${width}x${height})`);
  }
  if (data.length !== width * height * 4) {
    throw new TensorError(`${op}: an RGBA image of ${width}x${height} needs ${width * height * 4} bytes but data has ${data.length}`);
  }
}

/**
 * Detects the polarity of a drawing. The background is read from the border
 * ring (strokes rarely cover all of it): an opaque bright border means dark
 * strokes, an opaque dark border light strokes. A mostly transparent border
 * (a canvas cleared with `clearRect`) says nothing about the background, so the
 * strokes' own colour decides: the alpha-weighted mean luma of all pixels.
 * @example detectPolarity({ data, width: 280, height: 280 })  // 'light-on-dark'
 */
export function detectPolarity(img: RgbaImage): Polarity {
  checkRgba('detectPolarity', img);
  const { data, width, height } = img;
  let alpha = 0;
  let lumaSum = 0;
  let ring = 0;
  const visit = (x: number, y: number): void => {
    const at = 4 * (y * width + x);
    const a = data[at + 3]! / 255;
    alpha += a;
    lumaSum += a * luma(data, at);
    ring++;
  };
  for (let x = 0; x < width; x++) {
    visit(x, 0);
    if (height > 1) visit(x, height - 1);
  }
  for (let y = 1; y < height - 1; y++) {
    visit(0, y);
    if (width > 1) visit(width - 1, y);
  }
  if (alpha >= ring / 2) return lumaSum / alpha > 0.5 ? 'dark-on-light' : 'light-on-dark';
  // Transparent background: judge the strokes, which are the opaque pixels.
  alpha = 0;
  lumaSum = 0;
  for (let at = 0; at < data.length; at += 4) {
    const a = data[at + 3]! / 255;
    alpha += a;
    lumaSum += a * luma(data, at);
  }
  return alpha > 0 && lumaSum / alpha < 0.5 ? 'dark-on-light' : 'light-on-dark';
}

/**
 * Ink per pixel, `[height * width]` row-major in [0, 1]: luma for light strokes,
 * 1 - luma for dark ones, times alpha (transparent pixels are background, and
 * a stroke's anti-aliased edge on a transparent canvas is carried by its alpha).
 * @example const ink = inkFromRgba(ctx.getImageData(0, 0, 280, 280));  // Float32Array(78400)
 */
export function inkFromRgba(img: RgbaImage, polarity: Polarity = detectPolarity(img)): Float32Array {
  checkRgba('inkFromRgba', img);
  const { data } = img;
  const out = new Float32Array(img.width * img.height);
  const dark = polarity === 'dark-on-light';
  for (let i = 0, at = 0; i < out.length; i++, at += 4) {
    const l = luma(data, at);
    out[i] = (data[at + 3]! / 255) * (dark ? 1 - l : l);
  }
  return out;
}
