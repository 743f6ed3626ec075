/**
 * The Draw tab: the drawing pad (mouse, touch, pen; Delete clears), the 28x28
 * MNIST-like input made of the drawing (bounding box scaled to 20x20, centred
 * by mass), and the trained network's live answer: the predicted class with all
 * ten probabilities, every layer's output for the drawing and, on request, a
 * saliency overlay. The answers come from the training worker (`inspect`
 * requests through the page's WorkerClient), so the model seen here is the one
 * the Train tab is training, and it updates while training runs.
 * DOM module: nothing runs at import.
 */
import { DrawingPad, attachPad } from '../draw/pad.js';
import { FIELD, preprocessDrawing } from '../draw/preprocess.js';
import type { FromWorker, InspectReply, InspectRequest } from '../worker/protocol.js';
import type { WorkerClient } from './client.js';
import { paintRgba } from './draw-image.js';
import { LatestOnly } from './draw-live.js';
import { createMapsView } from './draw-maps.js';
import { createPredictionView } from './draw-prediction.js';

export interface DrawPanel {
  /** The pad (tests draw into it). */
  pad: DrawingPad;
  /** The latest 28x28 input in [0, 1], or null while the pad is empty. */
  readonly digit: Float32Array | null;
  destroy(): void;
}

/** While training runs and the tab is visible, the answer is refreshed about this often (ms). */
const REFRESH_WHILE_TRAINING_MS = 1000;

type Query = Omit<InspectRequest, 'id'>;

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
 * Builds the Draw tab in `root` (the tab panel), asking `client`'s worker for
 * the answers. Without a client (a page with no worker) the pad and the input
 * preview still work and the answer area says so.
 * @example const draw = mountDrawPanel(tabs.panels.get('draw')!, client);
 */
export function mountDrawPanel(root: HTMLElement, client?: WorkerClient): DrawPanel {
  const doc = root.ownerDocument;
  const box = doc.createElement('div');
  box.className = 'draw';
  box.dataset['predicted'] = '';
  box.dataset['pending'] = '0';
  box.dataset['empty'] = '1';
  box.dataset['modelVersion'] = '';
  box.dataset['step'] = '';
  box.innerHTML = `
    <div class="draw-input">
      <h2 class="draw-title">Draw a digit</h2>
      <p class="draw-help">Draw one digit, 0 to 9, large, in the black square. The network from the Train tab answers as you draw.</p>
      <div class="draw-pad"><div class="draw-surface"><span class="draw-hint" aria-hidden="true">Draw here</span><canvas class="pad" aria-label="Drawing pad: draw a digit with the mouse, a finger or a pen; Delete clears"></canvas></div>
        <div class="draw-buttons"><button type="button" name="clear">Clear</button>
          <label class="draw-toggle"><input type="checkbox" name="saliency"> Show saliency</label></div></div>
      <div class="draw-seen">
        <figure class="draw-preview"><canvas class="field" width="${FIELD}" height="${FIELD}" role="img" aria-label="The 28x28 model input made from the drawing"></canvas>
          <figcaption>What the network sees: 28×28, scaled into 20×20 and centred, as MNIST.</figcaption></figure>
        <figure class="draw-saliency" hidden><canvas class="saliency" width="${FIELD}" height="${FIELD}" role="img" aria-label="Saliency of the predicted class over the input"></canvas>
          <figcaption>Saliency: brighter = changing this pixel changes the score of the predicted class most.</figcaption></figure>
      </div>
    </div>
    <p class="draw-status" role="status" hidden></p>`;
  root.append(box);
  const answer = createPredictionView(doc);
  const maps = createMapsView(doc);
  box.querySelector('.draw-input')!.after(answer.element);
  box.append(maps.element);

  const padCanvas = box.querySelector<HTMLCanvasElement>('canvas.pad')!;
  const fieldCanvas = box.querySelector<HTMLCanvasElement>('canvas.field')!;
  const salFigure = box.querySelector<HTMLElement>('.draw-saliency')!;
  const salCanvas = box.querySelector<HTMLCanvasElement>('canvas.saliency')!;
  const salToggle = box.querySelector<HTMLInputElement>('input[name="saliency"]')!;
  const status = box.querySelector<HTMLElement>('.draw-status')!;

  let digit: Float32Array | null = null;
  let frame = 0;
  let lastSent = 0;

  const say = (text: string): void => {
    status.textContent = text;
    status.hidden = text === '';
  };
  const showEmpty = (): void => {
    answer.clear('Draw a digit to see what the network says.');
    maps.clear();
    salFigure.hidden = true;
    box.dataset['predicted'] = '';
    say('');
  };
  const show = (r: InspectReply): void => {
    answer.show(r);
    maps.show(r.layers);
    if (r.saliency && salToggle.checked) {
      paintRgba(salCanvas, r.saliency);
      salFigure.hidden = false;
    } else {
      salFigure.hidden = true;
    }
    box.dataset['predicted'] = String(r.predicted);
    box.dataset['modelVersion'] = String(r.modelVersion);
    box.dataset['step'] = String(r.step);
    say('');
  };

  const live = new LatestOnly<Query, InspectReply>({
    send: (q) => {
      if (!client) return Promise.reject(new Error('this page has no training worker'));
      return client.request<InspectRequest>(q);
    },
    onReply: (r) => { if (digit) show(r); },
    onError: (e) => {
      const loading = client && !client.ready;
      say(loading ? 'The network is not ready yet: the training worker is still loading the data.'
        : `The network could not answer: ${e instanceof Error ? e.message : String(e)}`);
    },
    onPendingChange: (p) => {
      box.dataset['pending'] = p ? '1' : '0';
      answer.element.setAttribute('aria-busy', String(p));
    },
  });

  /** Asks for the answer to the current drawing (the newest wins if one is in flight). */
  const ask = (): void => {
    if (!digit) return;
    lastSent = Date.now();
    live.submit({ type: 'inspect', digit, saliency: salToggle.checked });
  };
  const visible = (): boolean => !root.hidden && box.isConnected && !doc.hidden;

  const pad = new DrawingPad();
  // Preprocessing a 280x280 pad takes well under a millisecond, but strokes come faster than frames: once per frame is enough.
  const stopPad = pad.onChange(() => {
    if (frame) return;
    frame = requestAnimationFrame(() => {
      frame = 0;
      digit = preprocessDrawing(pad.pixels)?.pixels ?? null;
      box.dataset['empty'] = digit ? '0' : '1';
      paintField(fieldCanvas, digit);
      if (digit) ask();
      else {
        live.cancel();
        showEmpty();
      }
    });
  });
  const stopClient = client?.on((msg: FromWorker) => {
    if (!digit) return;
    if (msg.type === 'model' || msg.type === 'ready') ask();
    // A run that stops (paused, finished) leaves new weights: show their answer once.
    else if (msg.type === 'state' && (msg.state === 'paused' || msg.state === 'done' || msg.state === 'idle')) ask();
    else if (msg.type === 'progress' && visible() && !live.pending && Date.now() - lastSent >= REFRESH_WHILE_TRAINING_MS) ask();
  });
  const detach = attachPad(padCanvas, pad);
  box.querySelector<HTMLButtonElement>('button[name="clear"]')!.addEventListener('click', () => pad.clear());
  salToggle.addEventListener('change', () => {
    if (!salToggle.checked) salFigure.hidden = true;
    ask();
  });
  paintField(fieldCanvas, null);
  showEmpty();
  if (!client) say('No training worker on this page: the network cannot answer.');
  return {
    pad,
    get digit() { return digit; },
    destroy(): void {
      if (frame) cancelAnimationFrame(frame);
      live.cancel();
      stopPad();
      stopClient?.();
      detach();
      box.remove();
    },
  };
}
