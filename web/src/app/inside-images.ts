/**
 * Turning the worker's RGBA images into canvases, and small DOM helpers the
 * Inside sections share (busy state, inline errors). Nothing runs at import.
 */
import type { RgbaImage } from '../worker/protocol.js';

/**
 * A canvas of the image's own size showing it; CSS scales it up (pixelated),
 * so a 5x5 filter stays 25 crisp squares instead of a blur.
 * @example grid.append(imageCanvas(document, reply.images[0]!, 'filter', 'filter 0'));
 */
export function imageCanvas(doc: Document, image: RgbaImage, className: string, label: string): HTMLCanvasElement {
  const canvas = doc.createElement('canvas');
  canvas.className = className;
  canvas.width = image.width;
  canvas.height = image.height;
  canvas.setAttribute('role', 'img');
  canvas.setAttribute('aria-label', label);
  canvas.title = label;
  const ctx = canvas.getContext('2d');
  // ImageData wants its own ArrayBuffer-backed array of exactly w*h*4 bytes.
  if (ctx && image.rgba.length === image.width * image.height * 4) {
    ctx.putImageData(new ImageData(new Uint8ClampedArray(image.rgba), image.width, image.height), 0, 0);
  }
  return canvas;
}

/** A message for a failed request: the worker's sentence, or a generic one. */
export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * Shows `message` in `el` (a role=alert element), or hides it when null.
 * @example showError(alertEl, 'the model is not ready yet');
 */
export function showError(el: HTMLElement, message: string | null): void {
  el.textContent = message ?? '';
  el.hidden = message === null;
}

/**
 * `promise`, or a rejection after `ms` milliseconds: a worker that never answers
 * (an older worker without this request type) must not leave a panel busy forever.
 * @example const reply = await withTimeout(client.request({ type: 'summary' }), 30_000, 'the model summary');
 */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what}: the training worker did not answer within ${Math.round(ms / 1000)} s`)), ms);
    promise.then(
      (v) => { clearTimeout(timer); resolve(v); },
      (e: unknown) => { clearTimeout(timer); reject(e instanceof Error ? e : new Error(String(e))); },
    );
  });
}
