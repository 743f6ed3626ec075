/**
 * The Train tab: the training settings (labelled form controls), Start / Pause /
 * Reset, the status line, live charts and test accuracy per epoch. Training runs
 * in the module worker (../worker/train-worker.ts); this file only talks to it
 * through protocol.ts messages. DOM module: nothing runs at import.
 */
import { checkSettings, DEFAULT_SETTINGS, type FromWorker, type RunState, type TrainSettings } from '../worker/protocol.js';
import type { WorkerClient } from './client.js';
import { TrainCharts } from './train-chart.js';

export interface TrainPanelOptions {
  /** Start training with the default settings as soon as the worker is ready (`?autostart=1`, for headless checks). */
  autostart?: boolean;
}

export interface TrainPanel {
  /** Where other controls for the run go (the save / load buttons). */
  extras: HTMLElement;
  /** Shows `settings` in the form (after a model was loaded from a file). */
  showSettings(settings: TrainSettings): void;
  /** Removes the panel's elements and stops listening to the worker. */
  destroy(): void;
}

/** Default learning rate per optimizer: switching optimizer puts the other's default in the field. */
const DEFAULT_LR = { sgd: 0.05, adam: 0.001 } as const;

const FORM_HTML = `
<form class="train-form" novalidate>
  <fieldset class="train-group"><legend>Model</legend>
    <label class="field">Network
      <select name="model">
        <option value="lenet5">LeNet-5 (61,706 parameters)</option>
        <option value="cnn">Small CNN (builder)</option>
        <option value="mlp">MLP (2 hidden layers)</option>
      </select></label>
    <div class="cnn-only field-row">
      <label class="field">Conv blocks <select name="blocks"><option>1</option><option selected>2</option><option>3</option></select></label>
      <label class="field">First channels <select name="channels"><option>4</option><option selected>8</option><option>16</option><option>32</option></select></label>
      <label class="field">Kernel <select name="kernel"><option value="3" selected>3x3</option><option value="5">5x5</option></select></label>
      <label class="field">Pooling <select name="pool"><option value="max" selected>max</option><option value="avg">average</option></select></label>
      <label class="field check"><input type="checkbox" name="batchNorm"> Batch norm</label>
    </div>
    <div class="mlp-only field-row">
      <label class="field">Hidden width <select name="mlpHidden"><option>64</option><option selected>128</option><option>256</option><option>512</option></select></label>
    </div>
  </fieldset>
  <fieldset class="train-group"><legend>Optimization</legend>
    <div class="field-row">
      <label class="field">Optimizer <select name="optimizer"><option value="sgd">SGD, momentum</option><option value="adam">Adam</option></select></label>
      <label class="field">Learning rate <input name="lr" type="number" min="0" step="any" inputmode="decimal"></label>
      <label class="field" title="One-cycle: the learning rate rises to the value set over the first 30 % of the steps, then falls to almost 0 (as the CLI trains). Constant: the value set throughout.">Schedule <select name="schedule"><option value="one-cycle">One-cycle</option><option value="constant">Constant</option></select></label>
      <label class="field sgd-only">Momentum <input name="momentum" type="number" min="0" max="0.999" step="0.05" inputmode="decimal"></label>
      <label class="field">Batch size <select name="batchSize"><option>16</option><option>32</option><option>64</option><option>128</option><option>256</option></select></label>
      <label class="field">Epochs <input name="epochs" type="number" min="1" max="100" step="1" inputmode="numeric"></label>
      <label class="field">Seed <input name="seed" type="number" min="0" step="1" inputmode="numeric"></label>
    </div>
  </fieldset>
  <div class="train-buttons">
    <button type="button" name="start" class="primary">Start</button>
    <button type="button" name="pause">Pause</button>
    <button type="button" name="reset">Reset</button>
  </div>
  <ul class="train-errors" aria-live="assertive"></ul>
</form>
<p class="train-threads note" hidden></p>
<p class="train-status" id="train-status" role="status" aria-live="polite">Loading the data and the WebAssembly kernels…</p>
<dl class="train-stats">
  <div><dt>Step</dt><dd data-stat="step">–</dd></div>
  <div><dt>Loss</dt><dd data-stat="loss">–</dd></div>
  <div><dt>Train accuracy (recent)</dt><dd data-stat="trainAccuracy">–</dd></div>
  <div><dt>Images/s</dt><dd data-stat="imagesPerSecond">–</dd></div>
</dl>
<div class="train-charts"><figure class="chart" data-chart="loss"></figure><figure class="chart" data-chart="acc"></figure></div>
<table class="train-epochs"><caption>Test accuracy after each epoch</caption>
  <thead><tr><th scope="col">Epoch</th><th scope="col">Test accuracy</th><th scope="col">Test loss</th><th scope="col">Seconds</th></tr></thead>
  <tbody></tbody></table>
<div class="train-extras"></div>`;

function q<T extends Element>(root: ParentNode, sel: string): T {
  const e = root.querySelector<T>(sel);
  if (!e) throw new Error(`train panel: missing ${sel}`);
  return e;
}

/**
 * Builds the Train tab in `root`, driving the worker through `client` (the
 * page sends `init` once the panels are mounted).
 * The panel's box carries the run's numbers as data attributes for scripts and
 * tests: data-state, data-step, data-first-loss, data-loss, data-images-per-second,
 * data-test-accuracy (latest epoch), data-backend, data-threads.
 * @example const panel = mountTrainPanel(document.querySelector('#panel-train')!, client, { autostart: location.search.includes('autostart=1') });
 */
export function mountTrainPanel(root: HTMLElement, client: WorkerClient, opts: TrainPanelOptions = {}): TrainPanel {
  const doc = root.ownerDocument;
  const box = doc.createElement('div');
  box.className = 'train';
  box.innerHTML = FORM_HTML;
  root.append(box);
  const form = q<HTMLFormElement>(box, 'form');
  const field = <T extends HTMLInputElement | HTMLSelectElement>(name: string): T => q<T>(form, `[name="${name}"]`);
  const buttons = { start: q<HTMLButtonElement>(form, '[name="start"]'), pause: q<HTMLButtonElement>(form, '[name="pause"]'), reset: q<HTMLButtonElement>(form, '[name="reset"]') };
  const errorsEl = q<HTMLUListElement>(box, '.train-errors');
  const statusEl = q<HTMLParagraphElement>(box, '.train-status');
  const threadsEl = q<HTMLParagraphElement>(box, '.train-threads');
  const epochsBody = q<HTMLTableSectionElement>(box, '.train-epochs tbody');
  const stat = (name: string): HTMLElement => q<HTMLElement>(box, `[data-stat="${name}"]`);
  const charts = new TrainCharts(q(box, '[data-chart="loss"]'), q(box, '[data-chart="acc"]'));

  const s = DEFAULT_SETTINGS;
  const initial: Record<string, string> = {
    model: s.model, blocks: String(s.cnn.blocks), channels: String(s.cnn.channels), kernel: String(s.cnn.kernel), pool: s.cnn.pool,
    mlpHidden: String(s.mlpHidden), optimizer: s.optimizer, lr: String(s.lr), schedule: s.schedule, momentum: String(s.momentum),
    batchSize: String(s.batchSize), epochs: String(s.epochs), seed: String(s.seed),
  };
  for (const [k, v] of Object.entries(initial)) field(k).value = v;
  field<HTMLInputElement>('batchNorm').checked = s.cnn.batchNorm;

  function readSettings(): TrainSettings {
    const num = (name: string): number => (field(name).value.trim() === '' ? NaN : Number(field(name).value));
    return {
      model: field('model').value as TrainSettings['model'],
      cnn: {
        blocks: num('blocks'), channels: num('channels'), kernel: num('kernel') as 3 | 5,
        pool: field('pool').value as 'max' | 'avg', batchNorm: field<HTMLInputElement>('batchNorm').checked,
      },
      mlpHidden: num('mlpHidden'),
      optimizer: field('optimizer').value as TrainSettings['optimizer'],
      lr: num('lr'), schedule: field('schedule').value as TrainSettings['schedule'], momentum: num('momentum'), batchSize: num('batchSize'), epochs: num('epochs'), seed: num('seed'),
    };
  }

  /** Shows only the fields that apply to the chosen model and optimizer. */
  function showRelevant(): void {
    const model = field('model').value;
    box.querySelectorAll<HTMLElement>('.cnn-only').forEach((e) => { e.hidden = model !== 'cnn'; });
    box.querySelectorAll<HTMLElement>('.mlp-only').forEach((e) => { e.hidden = model !== 'mlp'; });
    box.querySelectorAll<HTMLElement>('.sgd-only').forEach((e) => { e.hidden = field('optimizer').value !== 'sgd'; });
  }
  showRelevant();
  form.addEventListener('change', (e) => {
    const name = (e.target as HTMLInputElement).name;
    if (name === 'optimizer') field('lr').value = String(DEFAULT_LR[field('optimizer').value as 'sgd' | 'adam']);
    showRelevant();
  });
  form.addEventListener('submit', (e) => e.preventDefault());

  let state: RunState = 'loading';
  let settings: TrainSettings = readSettings();
  let lastStep = 0;
  // Set by Reset until the worker confirms 'idle': progress already in flight from the old run is dropped.
  let resetting = false;
  // Set when weights were loaded from a file and not yet reset or replaced by a new run.
  let weightsLoaded = false;

  function setState(next: RunState): void {
    if (next === 'idle' && resetting) {
      resetting = false;
      statusEl.textContent = 'Reset: press Start for a new run.';
    }
    state = next;
    box.dataset.state = next;
    buttons.start.disabled = next === 'loading' || next === 'running';
    buttons.start.textContent = next === 'paused' ? 'Resume' : 'Start';
    buttons.pause.disabled = next !== 'running';
    // Idle with loaded weights: Reset still has something to undo (back to random weights).
    buttons.reset.disabled = next === 'loading' || (next === 'idle' && !weightsLoaded);
    // Settings apply to a new run only: locked while one is running or paused.
    const locked = next === 'running' || next === 'paused' || next === 'loading';
    form.querySelectorAll<HTMLInputElement | HTMLSelectElement>('input, select').forEach((el) => { el.disabled = locked; });
    if (next === 'done') statusEl.textContent = `Done: ${settings.epochs} epoch${settings.epochs === 1 ? '' : 's'}. ${statusEl.dataset.last ?? ''}`;
    if (next === 'paused') statusEl.textContent = `Paused. ${statusEl.dataset.last ?? ''}`;
  }

  function showErrors(list: string[]): void {
    errorsEl.replaceChildren(...list.map((m) => Object.assign(doc.createElement('li'), { textContent: m })));
  }

  const send = client.send.bind(client);

  function start(): void {
    if (state === 'paused') {
      send({ type: 'start', settings });
      return;
    }
    const next = readSettings();
    const errors = checkSettings(next);
    showErrors(errors);
    if (errors.length) return;
    settings = next;
    weightsLoaded = false;
    lastStep = 0;
    delete box.dataset.firstLoss;
    delete box.dataset.testAccuracy;
    charts.clear();
    epochsBody.replaceChildren();
    statusEl.textContent = 'Starting…';
    send({ type: 'start', settings });
  }

  function onProgress(m: Extract<FromWorker, { type: 'progress' }>): void {
    if (resetting) return;
    lastStep = m.step;
    box.dataset.step = String(m.step);
    box.dataset.loss = String(m.loss);
    box.dataset.firstLoss ??= String(m.loss);
    box.dataset.imagesPerSecond = String(Math.round(m.imagesPerSecond));
    stat('step').textContent = `${m.step.toLocaleString('en')} (epoch ${m.epoch}/${settings.epochs}, ${Math.round((100 * ((m.step - 1) % m.stepsPerEpoch + 1)) / m.stepsPerEpoch)} %)`;
    stat('loss').textContent = m.loss.toFixed(4);
    stat('trainAccuracy').textContent = `${(m.trainAccuracy * 100).toFixed(1)} %`;
    stat('imagesPerSecond').textContent = Math.round(m.imagesPerSecond).toLocaleString('en');
    const line = `Step ${m.step}, epoch ${m.epoch}/${settings.epochs}: loss ${m.loss.toFixed(4)}, train accuracy ${(m.trainAccuracy * 100).toFixed(1)} %, learning rate ${m.lr.toPrecision(3)}, ${Math.round(m.imagesPerSecond)} images/s.`;
    statusEl.dataset.last = line;
    if (state === 'running') statusEl.textContent = `Training. ${line}`;
    charts.addStep(m.step, m.loss, m.trainAccuracy);
  }

  const unsubscribe = client.on((m: FromWorker) => {
    switch (m.type) {
      case 'ready':
        statusEl.textContent = `Ready: ${m.trainCount.toLocaleString('en')} training and ${m.testCount.toLocaleString('en')} test images loaded in ${m.loadSeconds.toFixed(1)} s; backend ${m.backend}, ${m.threads} thread${m.threads === 1 ? '' : 's'}.`;
        box.dataset.backend = m.backend;
        box.dataset.threads = String(m.threads);
        threadsEl.hidden = m.isolated && m.threads > 1;
        threadsEl.textContent = m.isolated
          ? `Running single-threaded (${m.threads} thread): this device reports one core.`
          : 'Running single-threaded: this page is not cross-origin isolated, so WebAssembly threads are off. Serve it with the headers Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp for multi-threaded training.';
        break;
      case 'state':
        setState(m.state);
        if (m.state === 'idle' && opts.autostart && lastStep === 0 && !box.dataset.autostarted) {
          box.dataset.autostarted = '1';
          start();
        }
        break;
      case 'progress':
        onProgress(m);
        break;
      case 'epoch': {
        if (resetting) break;
        const row = doc.createElement('tr');
        for (const v of [String(m.epoch), `${(m.testAccuracy * 100).toFixed(2)} %`, m.testLoss.toFixed(4), m.seconds.toFixed(1)]) {
          row.append(Object.assign(doc.createElement('td'), { textContent: v }));
        }
        epochsBody.append(row);
        box.dataset.testAccuracy = String(m.testAccuracy);
        charts.addTest(lastStep, m.testAccuracy);
        break;
      }
      case 'loaded':
        weightsLoaded = true;
        buttons.reset.disabled = state === 'loading';
        showSettings(m.settings);
        statusEl.textContent = 'Weights loaded (see above): Start trains them further with the settings shown; Reset starts again from random weights.';
        break;
      case 'error':
        // Errors of the other panels' requests are shown by those panels.
        if (m.id !== undefined) break;
        showErrors([m.message]);
        statusEl.textContent = `Error: ${m.message}`;
        break;
    }
  });

  buttons.start.addEventListener('click', start);
  buttons.pause.addEventListener('click', () => send({ type: 'pause' }));
  buttons.reset.addEventListener('click', () => {
    send({ type: 'reset' });
    resetting = true;
    weightsLoaded = false;
    lastStep = 0;
    statusEl.textContent = 'Resetting…';
  });

  function showSettings(t: TrainSettings): void {
    const values: Record<string, string> = {
      model: t.model, blocks: String(t.cnn.blocks), channels: String(t.cnn.channels), kernel: String(t.cnn.kernel), pool: t.cnn.pool,
      mlpHidden: String(t.mlpHidden), optimizer: t.optimizer, lr: String(t.lr), schedule: t.schedule, momentum: String(t.momentum),
      batchSize: String(t.batchSize), epochs: String(t.epochs), seed: String(t.seed),
    };
    for (const [k, v] of Object.entries(values)) {
      const el = field(k);
      // A select without that option (e.g. a loaded MLP width the menu lacks) gets it added, so the form shows the truth.
      if (el instanceof HTMLSelectElement && !Array.from(el.options).some((o) => o.value === v)) el.append(new Option(v, v));
      el.value = v;
    }
    field<HTMLInputElement>('batchNorm').checked = t.cnn.batchNorm;
    settings = t;
    showRelevant();
  }

  setState(client.ready ? 'idle' : 'loading');

  return {
    extras: q<HTMLElement>(box, '.train-extras'),
    showSettings,
    destroy(): void {
      unsubscribe();
      box.remove();
    },
  };
}
