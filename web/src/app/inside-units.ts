/**
 * The Inside tab's "What excites a channel" section: pick a conv layer, a
 * method (the test patches that excite each channel most, or an input
 * optimised to excite it) and a page of channels, press Show, and see one row
 * per channel. On demand only: top patches scan the test set and take up to a
 * second. Nothing runs at import.
 */
import type { UnitsReply, UnitsRequest } from '../worker/protocol.js';
import type { WorkerClient } from './client.js';
import { channelPage, channelPageLabels, formatActivation, formatCount } from './inside-format.js';
import { errorText, imageCanvas, showError, withTimeout } from './inside-images.js';

/** Channels per request (the protocol allows 16; 8 rows fit a laptop screen). */
export const CHANNELS_PER_PAGE = 8;
/** Top patches per channel. */
const TOP_K = 6;

type Method = UnitsReply['method'];

export interface UnitsSection {
  /** The layers that can be shown (from the summary); keeps the chosen layer when it is still there. */
  setLayers(layers: readonly { path: string; channels: number }[]): void;
  /** Marks the results shown as belonging to an older model. */
  markStale(): void;
  /** Runs the current choice (what the Show button does). */
  show(): Promise<void>;
}

/**
 * Builds the section in `parent`.
 * @example const units = mountUnitsSection(box, client); units.setLayers(summary.unitLayers);
 */
export function mountUnitsSection(parent: HTMLElement, client: WorkerClient): UnitsSection {
  const doc = parent.ownerDocument;
  const section = doc.createElement('section');
  section.className = 'inside-section inside-units';
  section.setAttribute('aria-labelledby', 'inside-units-title');
  section.innerHTML = `
    <h3 id="inside-units-title">What excites a channel</h3>
    <form class="units-form">
      <label class="field">Layer <select name="unit-layer"><option value="">(no model yet)</option></select></label>
      <fieldset class="units-methods"><legend>Method</legend>
        <label><input type="radio" name="unit-method" value="top-patches" checked> Top test patches</label>
        <label><input type="radio" name="unit-method" value="maximize"> Activation maximisation</label>
      </fieldset>
      <label class="field units-page" hidden>Channels <select name="unit-page"></select></label>
      <button type="submit" name="show-units" class="primary">Show</button>
    </form>
    <dl class="units-explain">
      <div><dt>Top test patches</dt><dd>The pieces of test images that make the channel respond most strongly, strongest first:
        what it has learned to look for in real digits (Zeiler &amp; Fergus, 2014).</dd></div>
      <div><dt>Activation maximisation</dt><dd>An input image changed step by step by gradient ascent until the channel responds
        as strongly as it can: the channel's “ideal” pattern (Erhan et al., 2009; Olah et al., 2017).</dd></div>
    </dl>
    <p class="inside-caption units-status" aria-live="polite"></p>
    <p class="inside-error" role="alert" hidden></p>
    <div class="unit-results" aria-label="Channels and what excites them" role="group"></div>`;
  parent.append(section);
  const form = section.querySelector<HTMLFormElement>('form')!;
  const layerSelect = section.querySelector<HTMLSelectElement>('select[name="unit-layer"]')!;
  const pageField = section.querySelector<HTMLElement>('.units-page')!;
  const pageSelect = section.querySelector<HTMLSelectElement>('select[name="unit-page"]')!;
  const showButton = section.querySelector<HTMLButtonElement>('button[name="show-units"]')!;
  const status = section.querySelector<HTMLElement>('.units-status')!;
  const error = section.querySelector<HTMLElement>('.inside-error')!;
  const results = section.querySelector<HTMLElement>('.unit-results')!;
  let layers: { path: string; channels: number }[] = [];
  let busy = false;

  const method = (): Method =>
    (form.querySelector<HTMLInputElement>('input[name="unit-method"]:checked')?.value === 'maximize' ? 'maximize' : 'top-patches');
  const chosenLayer = (): { path: string; channels: number } | undefined => layers.find((l) => l.path === layerSelect.value);

  function updatePages(): void {
    const layer = chosenLayer();
    const labels = layer ? channelPageLabels(layer.channels, CHANNELS_PER_PAGE) : [];
    const keep = pageSelect.value;
    pageSelect.replaceChildren(...labels.map((text, i) => new Option(text, String(i))));
    // Keep the chosen page when the new layer has it ('' = nothing chosen yet: the first page stays selected).
    if (keep !== '' && labels[Number(keep)] !== undefined) pageSelect.value = keep;
    pageField.hidden = labels.length <= 1;
  }

  function setEnabled(): void {
    showButton.disabled = busy || !chosenLayer();
    layerSelect.disabled = layers.length === 0;
  }

  function render(r: UnitsReply): void {
    const rows = r.results.map((res) => {
      const row = doc.createElement('figure');
      row.className = 'unit-row';
      const label = doc.createElement('figcaption');
      label.textContent = `channel ${res.unit}`;
      const strip = doc.createElement('div');
      strip.className = 'unit-strip';
      res.images.forEach((img, i) => {
        const value = res.values[i];
        const what = r.method === 'maximize' ? 'optimised input' : `patch ${i + 1}`;
        const text = value === undefined ? '' : `activation ${formatActivation(value)}`;
        const item = doc.createElement('div');
        item.className = 'unit-item';
        const canvas = imageCanvas(doc, img, 'unit-image', `${r.layer} channel ${res.unit}, ${what}${text ? `: ${text}` : ''}`);
        const small = doc.createElement('small');
        small.textContent = value === undefined ? '' : formatActivation(value);
        small.setAttribute('aria-hidden', 'true'); // already in the canvas's label
        item.append(canvas, small);
        strip.append(item);
      });
      if (res.images.length === 0) strip.textContent = 'no test patch excites this channel (it is never positive)';
      row.append(label, strip);
      return row;
    });
    results.replaceChildren(...rows);
    results.classList.toggle('maximize', r.method === 'maximize');
    results.classList.remove('stale');
    const how = r.method === 'maximize' ? 'activation maximisation' : 'top test patches';
    status.textContent = `${r.layer}, ${how}, model after ${formatCount(r.step)} steps. Hover or focus an image for its activation.`;
  }

  async function show(): Promise<void> {
    const layer = chosenLayer();
    if (!layer || busy) return;
    const units = channelPage(layer.channels, CHANNELS_PER_PAGE, Number(pageSelect.value) || 0);
    const m = method();
    busy = true;
    setEnabled();
    results.setAttribute('aria-busy', 'true');
    section.classList.add('busy');
    status.textContent = `Computing ${m === 'maximize' ? 'maximised inputs' : 'top test patches'} for ${units.length} channels of ${layer.path}…`;
    try {
      // Maximisation runs a few dozen forward/backward passes per channel; give it time while training shares the worker.
      const r = await withTimeout(client.request<UnitsRequest>({ type: 'units', layer: layer.path, method: m, units, k: TOP_K }), 120_000, 'channel images');
      render(r);
      showError(error, null);
    } catch (e) {
      status.textContent = '';
      showError(error, `Could not compute the channel images: ${errorText(e)}`);
    } finally {
      busy = false;
      results.removeAttribute('aria-busy');
      section.classList.remove('busy');
      setEnabled();
    }
  }

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void show();
  });
  layerSelect.addEventListener('change', () => { updatePages(); setEnabled(); });
  setEnabled();

  return {
    setLayers(next): void {
      const keep = layerSelect.value;
      layers = next.map((l) => ({ ...l }));
      if (layers.length === 0) {
        layerSelect.replaceChildren(new Option('(this model has no conv layers: try LeNet-5 or the CNN)', ''));
      } else {
        layerSelect.replaceChildren(...layers.map((l) => new Option(`${l.path} (${l.channels} channels)`, l.path)));
        if (layers.some((l) => l.path === keep)) layerSelect.value = keep;
      }
      updatePages();
      setEnabled();
    },
    markStale(): void {
      if (!results.hasChildNodes()) return;
      results.classList.add('stale');
      status.textContent = 'The model has changed since these were computed: press Show to update them.';
    },
    show,
  };
}
