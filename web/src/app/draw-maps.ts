/**
 * The Draw tab's feature maps: one section per layer (header 'features.0 ·
 * Conv2d · 6×28×28' and its colour range), the channels of [C, H, W] outputs
 * as small pixelated canvases, [F] outputs as one strip. While the network
 * stays the same, the canvases are repainted in place (no flicker, no layout
 * jump while drawing); a different network rebuilds the sections.
 * DOM module: nothing runs at import.
 */
import type { LayerMaps } from '../worker/protocol.js';
import { colourScaleCss, paintRgba } from './draw-image.js';

export interface MapsView {
  element: HTMLElement;
  show(layers: readonly LayerMaps[]): void;
  clear(): void;
}

/**
 * A shape as the header writes it.
 * @example shapeText([6, 28, 28]) // '6×28×28'
 */
export function shapeText(shape: readonly number[]): string {
  return shape.length ? shape.join('×') : 'scalar';
}

/**
 * A range end as the header writes it: 3 significant digits, no '-0'.
 * @example rangeText([-0.00012, 4.5678]) // '-0.00012 … 4.57'
 */
export function rangeText([lo, hi]: readonly [number, number]): string {
  const f = (v: number): string => (v === 0 || Object.is(v, -0) ? '0' : Number(v.toPrecision(3)).toString());
  return `${f(lo)} … ${f(hi)}`;
}

/** CSS width of a [F] strip: wide cells for a few values (logits), thin ones for hundreds. */
function stripWidth(values: number): number {
  const cell = values <= 16 ? 18 : values <= 64 ? 8 : values <= 160 ? 4 : 2;
  return values * cell;
}

interface LayerSection {
  root: HTMLElement;
  range: HTMLElement;
  canvases: HTMLCanvasElement[];
}

function buildSection(doc: Document, layer: LayerMaps, last: boolean): LayerSection {
  const root = doc.createElement('section');
  root.className = 'draw-layer';
  root.dataset['layer'] = layer.path;
  const isMap = layer.shape.length === 3;
  const channels = isMap ? layer.shape[0]! : layer.shape[0] ?? 1;
  const shown = isMap ? layer.images.length : layer.images[0]?.width ?? 0;
  const h = doc.createElement('h4');
  const path = doc.createElement('code');
  path.textContent = layer.path;
  h.append(path, ` · ${layer.kind} · ${shapeText(layer.shape)}`);
  const range = doc.createElement('span');
  range.className = 'draw-range';
  h.append(' ', range);
  root.append(h);
  if (shown < channels) {
    const more = doc.createElement('p');
    more.className = 'draw-more';
    more.textContent = isMap ? `First ${shown} of ${channels} channels shown.` : `First ${shown} of ${channels} values shown.`;
    root.append(more);
  }
  const grid = doc.createElement('div');
  grid.className = isMap ? 'draw-channels' : 'draw-strip';
  const canvases = layer.images.map((img, i) => {
    const c = doc.createElement('canvas');
    c.className = isMap ? 'fmap' : 'fmap vector';
    c.dataset['layer'] = layer.path;
    c.dataset['channel'] = String(i);
    c.setAttribute('role', 'img');
    c.setAttribute('aria-label', isMap ? `${layer.path} channel ${i}` : `${layer.path}: ${img.width} values as a strip of colours`);
    if (!isMap) c.style.width = `${stripWidth(img.width)}px`;
    c.title = isMap ? `channel ${i}` : `${img.width} values, left to right`;
    grid.append(c);
    return c;
  });
  root.append(grid);
  if (last && layer.shape.length === 1 && layer.shape[0] === 10) {
    // The strip a learner is most likely to puzzle over: say what the final ten numbers are.
    const note = doc.createElement('p');
    note.className = 'draw-more';
    note.textContent = 'The 10 class scores (logits) for 0 to 9, left to right: softmax turns them into the probabilities.';
    root.append(note);
  }
  return { root, range, canvases };
}

/**
 * Builds the view (not attached).
 * @example const maps = createMapsView(document); box.append(maps.element); maps.show(reply.layers);
 */
export function createMapsView(doc: Document): MapsView {
  const element = doc.createElement('section');
  element.className = 'draw-maps';
  element.setAttribute('aria-labelledby', 'draw-maps-title');
  element.innerHTML = `
    <h3 id="draw-maps-title">Inside: every layer's output for your drawing</h3>
    <p class="draw-legend"><span>Low</span><span class="draw-scale" role="img" aria-label="Colour scale: dark purple for a layer's lowest value, through green, to yellow for its highest"></span><span>high</span>
      <span class="draw-legend-text">Each layer is coloured over its own range (shown beside its name), so its channels compare by brightness.</span></p>
    <p class="draw-maps-empty">The layers' outputs appear here when you draw.</p>
    <div class="draw-layers"></div>`;
  element.querySelector<HTMLElement>('.draw-scale')!.style.background = colourScaleCss();
  const holder = element.querySelector<HTMLElement>('.draw-layers')!;
  const empty = element.querySelector<HTMLElement>('.draw-maps-empty')!;
  let signature = '';
  let sections: LayerSection[] = [];

  return {
    element,
    show(layers) {
      // Same paths, kinds, shapes and image counts: repaint in place.
      const sig = layers.map((l) => `${l.path}|${l.kind}|${l.shape.join('x')}|${l.images.length}|${l.images[0]?.width ?? 0}`).join(';');
      if (sig !== signature) {
        signature = sig;
        sections = layers.map((l, i) => buildSection(doc, l, i === layers.length - 1));
        holder.replaceChildren(...sections.map((s) => s.root));
      }
      layers.forEach((l, i) => {
        const s = sections[i]!;
        s.range.textContent = `range ${rangeText(l.range)}`;
        l.images.forEach((img, c) => paintRgba(s.canvases[c]!, img));
      });
      empty.hidden = layers.length > 0;
    },
    clear() {
      signature = '';
      sections = [];
      holder.replaceChildren();
      empty.hidden = false;
    },
  };
}
