/**
 * The Draw tab, first part: the drawing pad (mouse, touch, pen; Delete clears)
 * and, beside it, the 28x28 MNIST-like input that preprocessDrawing makes of
 * the drawing (bounding box scaled to 20x20, centred by mass), redrawn as the
 * user draws. The live prediction, feature maps and saliency need the trained
 * model from the worker and come next. DOM module: nothing runs at import.
 */
import { DrawingPad, attachPad } from '../draw/pad.js';
import { FIELD, preprocessDrawing } from '../draw/preprocess.js';

export interface DrawPanel {
  /** The pad (tests and the coming prediction code draw into it). */
  pad: DrawingPad;
  /** The latest 28x28 input in [0, 1], or null while the pad is empty. */
  readonly digit: Float32Array | null;
  destroy(): void;
}

/** Paints a 28x28 [0, 1] map (1 = ink) white on black into `canvas`. */
function paintField(canvas: HTMLCanvasElement, pixels: Float32Array | null): void {
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  const img = ctx.createImageData(FIELD, FIELD);
  for (let i = 0; i < FIELD * FIELD; i++) {
    const v = Math.round(255 * Math.min(1, Math.max(0, pixels?.[i] ?? 0)));
    img.data.set([v, v, v, 255], 4 * i);
  }
  ctx.putImageData(img, 0, 0);
}

/**
 * Builds the Draw tab in `root`.
 * @example const draw = mountDrawPanel(document.querySelector('#panel-draw')!);
 */
export function mountDrawPanel(root: HTMLElement): DrawPanel {
  const doc = root.ownerDocument;
  const box = doc.createElement('div');
  box.className = 'draw';
  box.innerHTML = `
    <div class="draw-pad"><canvas class="pad" aria-label="Drawing pad: draw a digit with the mouse, a finger or a pen; Delete clears"></canvas>
      <div class="draw-buttons"><button type="button" name="clear">Clear</button></div></div>
    <figure class="draw-preview"><canvas class="field" width="${FIELD}" height="${FIELD}" role="img" aria-label="The 28x28 model input made from the drawing"></canvas>
      <figcaption>What the network sees: 28x28, digit scaled into 20x20 and centred by its centre of mass, as MNIST.</figcaption></figure>
    <p class="note">Next: live prediction with class probabilities, the feature maps of every layer and a saliency overlay, from the model trained in the Train tab.</p>`;
  root.append(box);
  const padCanvas = box.querySelector<HTMLCanvasElement>('canvas.pad')!;
  const fieldCanvas = box.querySelector<HTMLCanvasElement>('canvas.field')!;
  let digit: Float32Array | null = null;
  let frame = 0;
  const pad = new DrawingPad();
  // Preprocessing a 280x280 pad takes well under a millisecond, but strokes come faster than frames: once per frame is enough.
  const stopListening = pad.onChange(() => {
    if (frame) return;
    frame = requestAnimationFrame(() => {
      frame = 0;
      digit = preprocessDrawing(pad.pixels)?.pixels ?? null;
      paintField(fieldCanvas, digit);
    });
  });
  const detach = attachPad(padCanvas, pad);
  box.querySelector<HTMLButtonElement>('button[name="clear"]')!.addEventListener('click', () => pad.clear());
  paintField(fieldCanvas, null);
  return {
    pad,
    get digit() { return digit; },
    destroy(): void {
      if (frame) cancelAnimationFrame(frame);
      stopListening();
      detach();
      box.remove();
    },
  };
}
