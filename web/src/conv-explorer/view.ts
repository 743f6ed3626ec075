import { ExplorerError, explain } from './compute.js';
import { fmtNum, fmtTerm, outputSizeFormula } from './formula.js';
import { randomIntGrid, resizeGrid } from './grid.js';
import { listPresets, presetState, type PresetId } from './presets.js';
import type { ExplorerSettings, ExplorerState, Explanation, OutputCell } from './types.js';
import { buildControls, readControls, writeControls, type Controls } from './view-controls.js';
import { gridTable, markCells } from './view-grid.js';
import { CONV_EXPLORER_CSS } from './view-style.js';

/*
 * The convolution explorer's UI (issue 12): a thin DOM layer over the tested
 * model (explain). Framework-free; everything lives in the mounted instance and
 * nothing runs at import.
 */

/** Options of {@link mountConvExplorer}. */
export interface ConvExplorerOptions {
  /** The example shown first (default: the 5x5 input with a 3x3 kernel). */
  preset?: PresetId;
  /** Milliseconds per step while playing (default 700). */
  stepMs?: number;
}

/** A mounted explorer. */
export interface ConvExplorer {
  /** The current settings and numbers (a snapshot). */
  state(): ExplorerState;
  /** The worked example on screen, or null while the settings are impossible. */
  explanation(): Explanation | null;
  /** Stops playback, removes listeners and the explorer's elements. */
  destroy(): void;
}

interface View {
  doc: Document;
  section: HTMLElement;
  controls: Controls;
  note: HTMLParagraphElement;
  errors: HTMLUListElement;
  formula: HTMLDivElement;
  inputGrid: HTMLDivElement;
  kernelGrid: HTMLDivElement;
  outputGrid: HTMLDivElement;
  work: HTMLDivElement;
  position: HTMLSpanElement;
  play: HTMLButtonElement;
}

function el<K extends keyof HTMLElementTagNameMap>(doc: Document, tag: K, cls: string, text?: string): HTMLElementTagNameMap[K] {
  const e = doc.createElement(tag);
  e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

function button(doc: Document, text: string, onClick: () => void): HTMLButtonElement {
  const b = el(doc, 'button', 'ce-button', text);
  b.type = 'button';
  b.addEventListener('click', onClick);
  return b;
}

/**
 * Mounts the convolution explorer into `root`: settings form and preset picker,
 * the output-size formula for height and width, the padded input, kernel and
 * output grids, the current window highlighted with its products and sum, and
 * step / play / pause (also ← → ↑ ↓ Home End when focus is not in a field).
 * @example const explorer = mountConvExplorer(document.querySelector('#conv')!, { preset: 'x-pattern' });
 * // later: explorer.destroy();
 */
export function mountConvExplorer(root: HTMLElement, opts: ConvExplorerOptions = {}): ConvExplorer {
  const doc = root.ownerDocument;
  let st = presetState(opts.preset ?? 'classic-5x5');
  let ex: Explanation | null = null;
  let cursor = 0;
  let seed = 1;
  let timer: ReturnType<typeof setInterval> | undefined;

  const v = buildView(doc, () => move(-1), togglePlay, () => move(1), shuffle);
  v.controls.preset.value = opts.preset ?? 'classic-5x5';
  writeControls(v.controls, st.settings);
  root.append(v.section);

  function render(): void {
    let errors: string[] = [];
    try {
      ex = explain(st);
    } catch (e) {
      if (!(e instanceof ExplorerError)) throw e;
      [ex, errors] = [null, e.errors];
    }
    v.errors.replaceChildren(...errors.map((m) => el(doc, 'li', '', m)));
    renderFormula(v, st.settings);
    if (!ex) {
      stop();
      for (const wrap of [v.inputGrid, v.kernelGrid, v.outputGrid, v.work]) wrap.replaceChildren();
      v.position.textContent = '';
      return;
    }
    cursor = Math.min(cursor, ex.outH * ex.outW - 1);
    v.inputGrid.replaceChildren(inputTable(doc, st, ex));
    v.kernelGrid.replaceChildren(...(st.settings.op === 'conv' ? [kernelTable(doc, st, editWeight)] : []));
    renderOutput();
  }

  // Only the output changes when a weight is edited: rebuilding the kernel grid would steal the focus.
  function editWeight(r: number, c: number, x: number): void {
    st.weights[r]![c] = x;
    v.controls.preset.value = '';
    ex = explain(st);
    renderOutput();
  }

  function renderOutput(): void {
    const e = ex!;
    v.outputGrid.replaceChildren(gridTable(doc, { caption: `Output ${e.outH}x${e.outW}`, values: e.output, onPick: (r, c) => go(r * e.outW + c) }));
    highlight();
  }

  function highlight(): void {
    if (!ex) return;
    const cell = ex.cells[Math.floor(cursor / ex.outW)]![cursor % ex.outW]!;
    const input = v.inputGrid.querySelector('table'), output = v.outputGrid.querySelector('table');
    if (input) markCells(input, 'ce-window', cell.cells.map((x) => [x.row, x.col] as const));
    if (output) {
      markCells(output, 'ce-current', [[cell.row, cell.col]]);
      // Roving focus: arrow keys on the output grid carry the focus along with the window.
      if (output.contains(doc.activeElement)) output.querySelector<HTMLButtonElement>('td.ce-current button')?.focus();
    }
    v.position.textContent = `Output row ${cell.row + 1}, column ${cell.col + 1} of ${ex.outH}x${ex.outW}`;
    renderWork(v, st, cell);
  }

  function go(i: number): void {
    if (!ex) return;
    const n = ex.outH * ex.outW;
    cursor = ((i % n) + n) % n; // wrap, so play loops and ← from the first cell goes to the last
    highlight();
  }
  function move(delta: number): void { go(cursor + delta); }

  function stop(): void {
    if (timer !== undefined) clearInterval(timer);
    timer = undefined;
    v.play.textContent = 'Play';
    v.play.setAttribute('aria-pressed', 'false');
    v.work.setAttribute('aria-live', 'polite');
  }
  function togglePlay(): void {
    if (timer !== undefined || !ex) return stop();
    timer = setInterval(() => move(1), opts.stepMs ?? 700);
    v.play.textContent = 'Pause';
    v.play.setAttribute('aria-pressed', 'true');
    // A screen reader cannot keep up with a step every 700 ms; it hears the cell where playback stops.
    v.work.setAttribute('aria-live', 'off');
  }

  function shuffle(): void {
    const s = st.settings;
    st.input = randomIntGrid(s.inputH, s.inputW, ++seed, 0, 9);
    v.controls.preset.value = '';
    render();
  }

  function onFormInput(e: Event): void {
    if (e.target === v.controls.preset) {
      const id = v.controls.preset.value as PresetId | '';
      if (!id) return;
      st = presetState(id);
      writeControls(v.controls, st.settings);
      v.note.textContent = listPresets().find((p) => p.id === id)?.description ?? '';
    } else {
      st = withSettings(st, readControls(v.controls), ++seed);
      v.controls.preset.value = '';
      v.note.textContent = '';
    }
    cursor = 0;
    render();
  }

  function onKey(e: KeyboardEvent): void {
    const t = e.target as HTMLElement | null;
    // Arrows inside a field change its value; leave those alone.
    if (!ex || (t && ['INPUT', 'SELECT', 'TEXTAREA'].includes(t.tagName))) return;
    const steps: Record<string, number> = { ArrowRight: 1, ArrowLeft: -1, ArrowDown: ex.outW, ArrowUp: -ex.outW };
    if (e.key in steps) move(steps[e.key]!);
    else if (e.key === 'Home') go(0);
    else if (e.key === 'End') go(ex.outH * ex.outW - 1);
    else return;
    e.preventDefault();
  }

  v.controls.form.addEventListener('input', onFormInput);
  v.section.addEventListener('keydown', onKey);
  v.note.textContent = listPresets().find((p) => p.id === (opts.preset ?? 'classic-5x5'))?.description ?? '';
  render();

  return {
    state: () => ({ settings: { ...st.settings }, input: st.input.map((r) => [...r]), weights: st.weights.map((r) => [...r]) }),
    explanation: () => ex,
    destroy(): void {
      stop();
      v.controls.form.removeEventListener('input', onFormInput);
      v.section.removeEventListener('keydown', onKey);
      v.section.remove();
    },
  };
}

/** New settings, keeping the numbers that still fit; new cells get small random integers. */
function withSettings(st: ExplorerState, s: ExplorerSettings, seed: number): ExplorerState {
  const ok = (n: number): boolean => Number.isInteger(n) && n >= 1 && n <= 64;
  if (!ok(s.inputH) || !ok(s.inputW) || !ok(s.kernel)) return { ...st, settings: s }; // validation will explain
  const fillIn = randomIntGrid(s.inputH, s.inputW, seed, 0, 9);
  const fillK = randomIntGrid(s.kernel, s.kernel, seed + 1, -1, 1);
  return {
    settings: s,
    input: resizeGrid(st.input, s.inputH, s.inputW, (r, c) => fillIn[r]![c]!),
    weights: resizeGrid(st.weights, s.kernel, s.kernel, (r, c) => fillK[r]![c]!),
  };
}

function buildView(doc: Document, prev: () => void, play: () => void, next: () => void, shuffle: () => void): View {
  const section = el(doc, 'section', 'ce');
  section.setAttribute('aria-label', 'Convolution explorer');
  const style = doc.createElement('style');
  style.textContent = CONV_EXPLORER_CSS;
  const controls = buildControls(doc);
  const note = el(doc, 'p', 'ce-note');
  const errors = el(doc, 'ul', 'ce-errors');
  errors.setAttribute('role', 'alert');
  const formula = el(doc, 'div', 'ce-formula');
  const grids = el(doc, 'div', 'ce-grids');
  const [inputGrid, kernelGrid, outputGrid] = ['input', 'kernel', 'output'].map((name) => {
    const wrap = el(doc, 'div', `ce-grid-${name}`);
    wrap.dataset.grid = name;
    return wrap;
  }) as [HTMLDivElement, HTMLDivElement, HTMLDivElement];
  grids.append(inputGrid, kernelGrid, outputGrid);
  const transport = el(doc, 'div', 'ce-transport');
  const playButton = button(doc, 'Play', play);
  playButton.setAttribute('aria-pressed', 'false');
  const position = el(doc, 'span', 'ce-position');
  transport.append(button(doc, 'Previous', prev), playButton, button(doc, 'Next', next), position, button(doc, 'Shuffle input', shuffle));
  const work = el(doc, 'div', 'ce-work');
  work.setAttribute('aria-live', 'polite');
  section.append(style, controls.form, note, errors, formula, transport, grids, work);
  return { doc, section, controls, note, errors, formula, inputGrid, kernelGrid, outputGrid, work, position, play: playButton };
}

function renderFormula(v: View, s: ExplorerSettings): void {
  const nums = [s.inputH, s.inputW, s.kernel, s.stride, s.padding, s.dilation];
  if (!nums.every(Number.isInteger) || s.stride < 1) return v.formula.replaceChildren();
  const line = (dim: string, n: number): HTMLParagraphElement => {
    const f = outputSizeFormula(n, s.kernel, s.stride, s.padding, s.dilation);
    const p = el(v.doc, 'p', 'ce-formula-line', `Output ${dim} = ${f.text}`);
    p.dataset.dim = dim;
    p.dataset.value = String(f.value);
    return p;
  };
  v.formula.replaceChildren(line('height', s.inputH), line('width', s.inputW));
}

/** The padded input; border cells are marked and say what they copy. */
function inputTable(doc: Document, st: ExplorerState, ex: Explanation): HTMLTableElement {
  const s = st.settings;
  const border = s.paddingMode === 'zeros' ? (s.op === 'max' ? 'border (−∞: never the max)' : 'border (zero)') : `border (${s.paddingMode})`;
  return gridTable(doc, {
    caption: s.padding ? `Input ${s.inputH}x${s.inputW}, padded by ${s.padding}` : `Input ${s.inputH}x${s.inputW}`,
    values: ex.padded.values,
    classes: (r, c) => (ex.padded.padded[r]![c] ? ['ce-pad'] : []),
    label: (r, c) => {
      if (!ex.padded.padded[r]![c]) return undefined;
      const src = ex.padded.source[r]![c];
      return src ? `${border}: copies row ${src[0] + 1}, column ${src[1] + 1}` : border;
    },
  });
}

/** The kernel as editable numbers (convolution only). */
function kernelTable(doc: Document, st: ExplorerState, edit: (r: number, c: number, x: number) => void): HTMLTableElement {
  const k = st.settings.kernel;
  return gridTable(doc, { caption: `Kernel ${k}x${k}`, values: st.weights, onEdit: edit });
}

function renderWork(v: View, st: ExplorerState, cell: OutputCell): void {
  const k = st.settings.kernel;
  const what = { conv: 'Products, then their sum', max: 'The window, then its largest value', avg: 'The window, then its mean' }[st.settings.op];
  const grid = Array.from({ length: k }, (_, i) => cell.cells.slice(i * k, (i + 1) * k));
  const table = gridTable(v.doc, {
    caption: what,
    values: grid.map((row) => row.map((x) => x.product ?? x.value)),
    classes: (r, c) => (grid[r]![c]!.padded ? ['ce-pad'] : []),
    text: (r, c) => {
      const x = grid[r]![c]!;
      return x.weight === undefined ? fmtNum(x.value) : `${fmtTerm(x.value)}·${fmtTerm(x.weight)} = ${fmtNum(x.product!)}`;
    },
  });
  const sum = el(v.doc, 'p', 'ce-sum', cell.text);
  v.work.replaceChildren(table, sum);
}
