/**
 * The Inside tab: the first-layer filters (refreshed about once a second while
 * training runs and the tab is visible, and whenever the model changes), the
 * model summary table, and "what excites a channel" on demand. The `.inside`
 * box carries `data-step` and `data-model-version` of the latest reply, for
 * tests. DOM module: nothing runs at import.
 */
import type { WorkerClient } from './client.js';
import { mountFiltersSection } from './inside-filters.js';
import { mountSummarySection } from './inside-summary.js';
import { mountUnitsSection } from './inside-units.js';

/** Least time between two filter refreshes while training runs (ms). */
const FILTER_INTERVAL_MS = 1000;

export interface InsidePanel {
  destroy(): void;
}

/**
 * Builds the Inside tab in `root` (its tab panel); refreshes only while `root` is shown.
 * @example mountInsidePanel(tabs.panels.get('inside')!, client);
 */
export function mountInsidePanel(root: HTMLElement, client: WorkerClient): InsidePanel {
  const doc = root.ownerDocument;
  const box = doc.createElement('div');
  box.className = 'inside';
  box.dataset.step = '0';
  box.dataset.modelVersion = '0';
  box.innerHTML = `<h2>Inside the network</h2>`;
  root.append(box);

  const note = (modelVersion: number, step?: number): void => {
    box.dataset.modelVersion = String(modelVersion);
    if (step !== undefined) box.dataset.step = String(step);
  };
  const filters = mountFiltersSection(box, client, (r) => note(r.modelVersion, r.step));
  const summary = mountSummarySection(box, client, (r) => {
    note(r.modelVersion);
    units.setLayers(r.unitLayers);
  });
  const units = mountUnitsSection(box, client);

  // The tab panel is hidden by toggling its `hidden` attribute; the page may also be in a background browser tab.
  const visible = (): boolean => root.closest('[hidden]') === null && doc.visibilityState === 'visible';
  let hasModel = client.modelVersion > 0;
  let filtersStale = true;
  let summaryStale = true;

  function catchUp(): void {
    if (!visible() || !hasModel) return;
    if (filtersStale) {
      filtersStale = false;
      filters.refresh();
    }
    if (summaryStale) {
      summaryStale = false;
      summary.refresh();
    }
  }

  const unsubscribe = client.on((msg) => {
    if (msg.type === 'model') {
      hasModel = true;
      filtersStale = summaryStale = true;
      units.markStale();
      catchUp();
    } else if (msg.type === 'progress') {
      hasModel = true;
      // Weights change every step; ask again once the last answer is a second old.
      if (performance.now() - filters.lastRequest >= FILTER_INTERVAL_MS) filtersStale = true;
      catchUp();
    } else if (msg.type === 'state' && (msg.state === 'paused' || msg.state === 'done')) {
      // The last progress message may have come less than a second after the last refresh: show the final weights.
      filtersStale = hasModel;
      catchUp();
    }
  });
  const observer = new MutationObserver(() => catchUp());
  observer.observe(root, { attributes: true, attributeFilter: ['hidden'] });
  const onVisibility = (): void => catchUp();
  doc.addEventListener('visibilitychange', onVisibility);
  catchUp();

  return {
    destroy(): void {
      unsubscribe();
      observer.disconnect();
      doc.removeEventListener('visibilitychange', onVisibility);
      box.remove();
    },
  };
}
