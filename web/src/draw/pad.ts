/**
 * The drawing pad: a pixel buffer the user draws into with a round brush
 * (`DrawingPad`, pure, tested in Node) and its binding to a `<canvas>` with
 * pointer events (mouse, touch, pen) and keys (`attachPad`, DOM). Nothing runs
 * at import.
 */
import { TensorError } from '../../../src/index.js';
import type { RgbaImage } from './ink.js';
import { MNIST_STYLE, clearPad, drawSegment, type PadStyle, type Point } from './strokes.js';

export interface DrawingPadOptions {
  /** Side of the square pad in pixels; default 280 (10 pad pixels per MNIST pixel). */
  size?: number;
  /**
   * Brush diameter in pad pixels; default 20. A digit drawn to fill most of the
   * pad is scaled by about 0.1 to fit 20x20, so the stroke lands 2 px wide, as
   * MNIST's pen strokes are.
   */
  brush?: number;
  /** Colours; default white on black, as MNIST. */
  style?: PadStyle;
  /** Called after every change (a segment drawn, a clear), e.g. to re-run the prediction. */
  onChange?: (pad: DrawingPad) => void;
}

/**
 * A square RGBA buffer drawn with strokes: `begin` puts the pen down (a dot),
 * `move` draws a segment from the last point, `end` lifts the pen.
 * @example
 * const pad = new DrawingPad({ onChange: (p) => predict(preprocessDrawing(p.pixels)) });
 * pad.begin({ x: 100, y: 40 }); pad.move({ x: 110, y: 200 }); pad.end();
 */
export class DrawingPad {
  readonly pixels: { data: Uint8ClampedArray<ArrayBuffer>; width: number; height: number };
  readonly brush: number;
  readonly style: PadStyle;
  private readonly listeners = new Set<(pad: DrawingPad) => void>();
  private last: Point | null = null;
  private inked = false;

  constructor(opts: DrawingPadOptions = {}) {
    const size = opts.size ?? 280;
    const brush = opts.brush ?? 20;
    if (!Number.isSafeInteger(size) || size < 1 || size > 4096) throw new TensorError(`DrawingPad: size must be an integer in 1..4096 (got ${size})`);
    if (!(brush > 0) || !Number.isFinite(brush)) throw new TensorError(`DrawingPad: brush must be a positive number (got ${brush})`);
    this.pixels = { data: new Uint8ClampedArray(size * size * 4), width: size, height: size };
    this.brush = brush;
    this.style = opts.style ?? MNIST_STYLE;
    if (opts.onChange) this.listeners.add(opts.onChange);
    clearPad(this.pixels, this.style);
  }

  /**
   * Calls `fn` after every change (the canvas binding repaints this way, the app
   * re-predicts); returns a function that stops it.
   */
  onChange(fn: (pad: DrawingPad) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** True until anything has been drawn since the last clear. */
  get isEmpty(): boolean {
    return !this.inked;
  }

  /** Puts the pen down at `p` (pad pixels) and draws a dot there. */
  begin(p: Point): void {
    this.last = p;
    this.segment(p, p);
  }

  /** Draws from the last point to `p`; ignored while the pen is up. */
  move(p: Point): void {
    if (!this.last) return;
    const from = this.last;
    this.last = p;
    this.segment(from, p);
  }

  /** Lifts the pen. */
  end(): void {
    this.last = null;
  }

  /** Erases everything. */
  clear(): void {
    clearPad(this.pixels, this.style);
    this.last = null;
    this.inked = false;
    this.changed();
  }

  private segment(a: Point, b: Point): void {
    drawSegment(this.pixels, a, b, this.brush, this.style);
    this.inked = true;
    this.changed();
  }

  private changed(): void {
    for (const fn of this.listeners) fn(this);
  }
}

/**
 * Binds a pad to a canvas: pointer events draw (the canvas may be shown at any
 * CSS size: positions are mapped to pad pixels), Delete / Backspace / Escape
 * clear it when it has focus, and every change (also `pad.clear()` from a button)
 * is painted with `putImageData`, once per animation frame.
 * Sets the canvas size to the pad's, makes it focusable and labelled, and turns
 * off touch scrolling over it. Returns a function that removes the listeners.
 * @example
 * const pad = new DrawingPad({ onChange: () => schedulePrediction() });
 * const detach = attachPad(document.querySelector('canvas#pad')!, pad);
 */
export function attachPad(canvas: HTMLCanvasElement, pad: DrawingPad): () => void {
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new TensorError('attachPad: the canvas has no 2d context');
  canvas.width = pad.pixels.width;
  canvas.height = pad.pixels.height;
  canvas.tabIndex = 0;
  canvas.style.touchAction = 'none';
  if (!canvas.getAttribute('aria-label')) canvas.setAttribute('aria-label', 'Drawing pad: draw a digit; Delete clears');
  const image = new ImageData(pad.pixels.data, pad.pixels.width, pad.pixels.height);
  let frame = 0;
  // Painting once per animation frame keeps fast pointer moves from repainting the canvas per event.
  const paint = (): void => {
    if (frame) return;
    frame = requestAnimationFrame(() => {
      frame = 0;
      ctx.putImageData(image, 0, 0);
    });
  };
  const at = (e: PointerEvent): Point => {
    const r = canvas.getBoundingClientRect();
    return { x: ((e.clientX - r.left) / r.width) * canvas.width, y: ((e.clientY - r.top) / r.height) * canvas.height };
  };
  const down = (e: PointerEvent): void => {
    if (e.button !== 0) return;
    canvas.setPointerCapture(e.pointerId);
    pad.begin(at(e));
    e.preventDefault();
  };
  const move = (e: PointerEvent): void => {
    // Coalesced events keep fast strokes smooth where the browser batches them.
    const events = typeof e.getCoalescedEvents === 'function' ? e.getCoalescedEvents() : [];
    for (const ev of events.length ? events : [e]) pad.move(at(ev));
  };
  const up = (): void => pad.end();
  const key = (e: KeyboardEvent): void => {
    if (e.key === 'Delete' || e.key === 'Backspace' || e.key === 'Escape') {
      pad.clear();
      e.preventDefault();
    }
  };
  canvas.addEventListener('pointerdown', down);
  canvas.addEventListener('pointermove', move);
  canvas.addEventListener('pointerup', up);
  canvas.addEventListener('pointercancel', up);
  canvas.addEventListener('keydown', key);
  const unsubscribe = pad.onChange(paint);
  ctx.putImageData(image, 0, 0);
  return () => {
    unsubscribe();
    if (frame) cancelAnimationFrame(frame);
    canvas.removeEventListener('pointerdown', down);
    canvas.removeEventListener('pointermove', move);
    canvas.removeEventListener('pointerup', up);
    canvas.removeEventListener('pointercancel', up);
    canvas.removeEventListener('keydown', key);
  };
}
