import { listPresets } from './presets.js';
import type { ExplorerSettings } from './types.js';
import { MAX_INPUT, MAX_KERNEL } from './validate.js';

/*
 * The explorer's settings form: labelled native inputs and selects (keyboard
 * and screen-reader usable for free), read into and written from ExplorerSettings.
 */

type NumberKey = 'inputH' | 'inputW' | 'kernel' | 'stride' | 'padding' | 'dilation';

/** The form and its fields, keyed by setting. */
export interface Controls {
  form: HTMLFormElement;
  preset: HTMLSelectElement;
  op: HTMLSelectElement;
  paddingMode: HTMLSelectElement;
  numbers: Record<NumberKey, HTMLInputElement>;
}

// [key, label, min, max]: the bounds are the validation's, so the spinners never offer an invalid value.
const NUMBER_FIELDS: readonly [NumberKey, string, number, number][] = [
  ['inputH', 'Input height', 1, MAX_INPUT],
  ['inputW', 'Input width', 1, MAX_INPUT],
  ['kernel', 'Kernel size', 1, MAX_KERNEL],
  ['stride', 'Stride', 1, MAX_INPUT],
  ['padding', 'Padding', 0, MAX_INPUT],
  ['dilation', 'Dilation', 1, MAX_INPUT],
];

// The field sits inside its label: labelled without ids, so two explorers on a page never clash.
function labelled(doc: Document, text: string, field: HTMLElement, key: string): HTMLElement {
  field.dataset.setting = key;
  const label = doc.createElement('label');
  label.className = 'ce-field';
  const span = doc.createElement('span');
  span.textContent = text;
  label.append(span, field);
  return label;
}

function select(doc: Document, options: readonly [string, string][]): HTMLSelectElement {
  const el = doc.createElement('select');
  for (const [value, text] of options) {
    const o = doc.createElement('option');
    o.value = value;
    o.textContent = text;
    el.append(o);
  }
  return el;
}

/** Builds the settings form (no listeners: the caller decides what a change does). */
export function buildControls(doc: Document): Controls {
  const form = doc.createElement('form');
  form.className = 'ce-controls';
  form.setAttribute('aria-label', 'Convolution settings');
  const preset = select(doc, [['', 'Custom'], ...listPresets().map((p): [string, string] => [p.id, p.title])]);
  const op = select(doc, [['conv', 'Convolution (kernel)'], ['max', 'Max pooling'], ['avg', 'Average pooling']]);
  const paddingMode = select(doc, [['zeros', 'Zeros'], ['reflect', 'Reflect'], ['replicate', 'Replicate']]);
  form.append(labelled(doc, 'Preset', preset, 'preset'), labelled(doc, 'Operation', op, 'op'));
  const numbers = {} as Record<NumberKey, HTMLInputElement>;
  for (const [key, text, min, max] of NUMBER_FIELDS) {
    const input = doc.createElement('input');
    input.type = 'number';
    input.min = String(min);
    input.max = String(max);
    input.step = '1';
    input.required = true;
    numbers[key] = input;
    form.append(labelled(doc, text, input, key));
  }
  form.append(labelled(doc, 'Padding mode', paddingMode, 'paddingMode'));
  // Enter in a field must not reload the page.
  form.addEventListener('submit', (e) => e.preventDefault());
  return { form, preset, op, paddingMode, numbers };
}

/** The settings as typed (validation happens in the model, which explains what is wrong). */
export function readControls(c: Controls): ExplorerSettings {
  const n = (k: NumberKey): number => (c.numbers[k].value.trim() === '' ? NaN : Number(c.numbers[k].value));
  return {
    op: c.op.value as ExplorerSettings['op'],
    paddingMode: c.paddingMode.value as ExplorerSettings['paddingMode'],
    inputH: n('inputH'), inputW: n('inputW'), kernel: n('kernel'),
    stride: n('stride'), padding: n('padding'), dilation: n('dilation'),
  };
}

/** Shows settings in the form (after a preset is picked). */
export function writeControls(c: Controls, s: ExplorerSettings): void {
  c.op.value = s.op;
  c.paddingMode.value = s.paddingMode;
  for (const [key] of NUMBER_FIELDS) c.numbers[key].value = String(s[key]);
}
