/**
 * The Inside tab's "First-layer filters" section: the first conv layer's
 * kernels (or the MLP's first Linear rows as 28x28 images) as a grid of
 * pixelated canvases, with the worker's description and the step they were
 * taken at. The panel decides when to refresh; this section keeps one request
 * in flight at a time and coalesces the calls made meanwhile. Nothing runs at import.
 */
import type { FiltersReply, FiltersRequest } from '../worker/protocol.js';
import type { WorkerClient } from './client.js';
import { formatCount } from './inside-format.js';
import { errorText, imageCanvas, showError, withTimeout } from './inside-images.js';
import { singleFlight } from './single-flight.js';

export interface FiltersSection {
  /** Asks for the current filters (coalesced: at most one request in flight, one queued). */
  refresh(): void;
  /** When the latest request was sent (performance.now() ms; 0 before the first). */
  readonly lastRequest: number;
}

/** Words for the step count in the caption. */
function stepText(step: number): string {
  return step === 0 ? 'before any training step' : `after ${formatCount(step)} step${step === 1 ? '' : 's'}`;
}

/**
 * Builds the section in `parent`; `onReply` sees every reply (the panel shows its step and model version).
 * @example const filters = mountFiltersSection(box, client, (r) => box.dataset.step = String(r.step)); filters.refresh();
 */
export function mountFiltersSection(parent: HTMLElement, client: WorkerClient, onReply: (r: FiltersReply) => void): FiltersSection {
  const doc = parent.ownerDocument;
  const section = doc.createElement('section');
  section.className = 'inside-section inside-filters';
  section.setAttribute('aria-labelledby', 'inside-filters-title');
  section.innerHTML = `
    <h3 id="inside-filters-title">First-layer filters</h3>
    <p class="inside-explain">Each square is one filter of the first layer: the pattern of input pixels it responds to
      (bright = positive weight, dark = negative). They start as random noise and turn into stroke and edge detectors as the network trains.</p>
    <div class="filter-grid" role="group" aria-label="First-layer filters"></div>
    <p class="inside-caption" aria-live="polite">Train a model in the Train tab (or load weights) to see its filters.</p>
    <p class="inside-error" role="alert" hidden></p>`;
  parent.append(section);
  const grid = section.querySelector<HTMLElement>('.filter-grid')!;
  const caption = section.querySelector<HTMLElement>('.inside-caption')!;
  const error = section.querySelector<HTMLElement>('.inside-error')!;

  let lastRequest = 0;

  function paint(r: FiltersReply): void {
    const old = Array.from(grid.querySelectorAll<HTMLCanvasElement>('canvas.filter'));
    const same = old.length === r.images.length && old.every((c, i) => c.width === r.images[i]!.width && c.height === r.images[i]!.height);
    if (same) {
      // Repaint in place: replacing the canvases every second would make the grid flicker and lose scroll position.
      old.forEach((c, i) => {
        const img = r.images[i]!;
        c.getContext('2d')?.putImageData(new ImageData(new Uint8ClampedArray(img.rgba), img.width, img.height), 0, 0);
      });
    } else {
      grid.replaceChildren(...r.images.map((img, i) => imageCanvas(doc, img, 'filter', `${r.layer} filter ${i}`)));
    }
    grid.style.setProperty('--filter-size', r.images[0] && r.images[0].width > 10 ? '84px' : '56px');
    // Name the layer unless the worker's description already does (the MLP's does).
    const layer = r.description.includes(`'${r.layer}'`) ? '' : `${r.layer}: `;
    caption.textContent = `${layer}${r.description}, ${stepText(r.step)}.`;
  }

  const flight = singleFlight(async () => {
    lastRequest = performance.now();
    try {
      const r = await withTimeout(client.request<FiltersRequest>({ type: 'filters' }), 30_000, 'first-layer filters');
      paint(r);
      showError(error, null);
      onReply(r);
    } catch (e) {
      showError(error, `Could not show the filters: ${errorText(e)}`);
    }
  });

  return {
    refresh: () => flight.refresh(),
    get lastRequest() { return lastRequest; },
  };
}
