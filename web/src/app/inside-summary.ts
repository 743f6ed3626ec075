/**
 * The Inside tab's "Model summary" section: tg.analysis.summary of the current
 * network (computed in the worker) as a table, one row per layer with its
 * output shape, parameters, FLOPs and receptive field, and a totals row.
 * Nothing runs at import.
 */
import type { SummaryReply, SummaryRequest } from '../worker/protocol.js';
import type { WorkerClient } from './client.js';
import { formatCount, formatFlops, formatShape } from './inside-format.js';
import { errorText, showError, withTimeout } from './inside-images.js';
import { singleFlight } from './single-flight.js';

export interface SummarySection {
  /** Asks for the summary of the current model (one request at a time; calls meanwhile are coalesced). */
  refresh(): void;
  /** The model version of the table shown (0 before the first). */
  readonly modelVersion: number;
}

/**
 * Fills `table` with the reply's rows. Exported for reuse (e.g. a printable report).
 * @example renderSummaryTable(document.querySelector('table')!, reply);
 */
export function renderSummaryTable(table: HTMLTableElement, r: SummaryReply): void {
  const doc = table.ownerDocument;
  const cell = (tag: 'td' | 'th', text: string, className = ''): HTMLElement => {
    const el = doc.createElement(tag);
    el.textContent = text;
    if (className) el.className = className;
    if (tag === 'th') el.setAttribute('scope', 'row');
    return el;
  };
  const body = doc.createElement('tbody');
  for (const row of r.rows) {
    const tr = doc.createElement('tr');
    tr.append(
      cell('th', row.path || '(model)'), cell('td', row.kind), cell('td', formatShape(row.outputShape), 'num'),
      cell('td', formatCount(row.params), 'num'), cell('td', formatFlops(row.flops), 'num'), cell('td', row.receptiveField, 'num'),
    );
    tr.title = `${row.path}: ${formatCount(row.flops)} multiply-adds`;
    body.append(tr);
  }
  const foot = doc.createElement('tfoot');
  const total = doc.createElement('tr');
  total.append(cell('th', 'Total'), cell('td', ''), cell('td', ''), cell('td', formatCount(r.totalParams), 'num'), cell('td', formatFlops(r.flops), 'num'), cell('td', ''));
  foot.append(total);
  table.querySelector('tbody')?.remove();
  table.querySelector('tfoot')?.remove();
  table.append(body, foot);
}

/**
 * Builds the section in `parent`; `onReply` sees every reply (the units section takes its layer list from it).
 * @example const summary = mountSummarySection(box, client, (r) => units.setLayers(r.unitLayers)); summary.refresh();
 */
export function mountSummarySection(parent: HTMLElement, client: WorkerClient, onReply: (r: SummaryReply) => void): SummarySection {
  const doc = parent.ownerDocument;
  const section = doc.createElement('section');
  section.className = 'inside-section inside-summary';
  section.setAttribute('aria-labelledby', 'inside-summary-title');
  section.innerHTML = `
    <h3 id="inside-summary-title">Model summary</h3>
    <p class="inside-explain">Every layer for one 28×28 input: the shape it outputs (channels × height × width), its learned parameters,
      the multiply-adds it costs (FLOPs) and its receptive field, the square of input pixels one of its outputs can see.</p>
    <div class="inside-table-wrap" tabindex="0" role="region" aria-label="Model summary table (scrolls sideways on small screens)">
      <table><caption>Layers of the current model</caption><thead><tr>
        <th scope="col">Layer</th><th scope="col">Kind</th><th scope="col" class="num">Output shape</th>
        <th scope="col" class="num">Parameters</th><th scope="col" class="num">FLOPs</th><th scope="col" class="num">Receptive field</th>
      </tr></thead></table>
    </div>
    <p class="inside-error" role="alert" hidden></p>`;
  parent.append(section);
  const table = section.querySelector<HTMLTableElement>('table')!;
  const error = section.querySelector<HTMLElement>('.inside-error')!;
  let modelVersion = 0;
  const flight = singleFlight(async () => {
    try {
      const r = await withTimeout(client.request<SummaryRequest>({ type: 'summary' }), 30_000, 'model summary');
      renderSummaryTable(table, r);
      modelVersion = r.modelVersion;
      showError(error, null);
      onReply(r);
    } catch (e) {
      showError(error, `Could not summarise the model: ${errorText(e)}`);
    }
  });

  return {
    refresh: () => flight.refresh(),
    get modelVersion() { return modelVersion; },
  };
}
