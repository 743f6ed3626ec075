/**
 * Painting the worker's RGBA images (protocol `RgbaImage`) into canvases, and
 * the colour scale the Draw tab's legend shows. DOM module: nothing runs
 * at import.
 */
import type { RgbaImage } from '../worker/protocol.js';

/**
 * Sizes `canvas` to the image (only when it differs, so a canvas updated in
 * place keeps its context state) and paints it pixel for pixel; CSS scales it up.
 * @example paintRgba(doc.createElement('canvas'), reply.saliency!);
 */
export function paintRgba(canvas: HTMLCanvasElement, img: RgbaImage): void {
  if (canvas.width !== img.width) canvas.width = img.width;
  if (canvas.height !== img.height) canvas.height = img.height;
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  // A copy: ImageData wants its own ArrayBuffer-backed array, and the reply's may be a view of a larger buffer.
  ctx.putImageData(new ImageData(new Uint8ClampedArray(img.rgba), img.width, img.height), 0, 0);
}

/**
 * matplotlib's viridis at 0, 1/4, 1/2, 3/4 and 1: the colours tg.viz gives
 * feature maps by default, low -> high. As a CSS gradient for the legend, so the
 * page's thread needs no tensor (its wasm backend is not loaded there).
 */
export const VIRIDIS_STOPS: readonly string[] = ['#440154', '#3b528b', '#21918c', '#5ec962', '#fde725'];

/**
 * The legend's colour scale as a CSS background.
 * @example el.style.background = colourScaleCss();
 */
export function colourScaleCss(): string {
  return `linear-gradient(to right, ${VIRIDIS_STOPS.join(', ')})`;
}
