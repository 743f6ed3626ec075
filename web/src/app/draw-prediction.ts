/**
 * The Draw tab's answer: the predicted class, large, with a line saying which
 * model answered, and the ten class probabilities as a list of bars with the
 * percentage as text (the list is what a screen reader reads; the bars are
 * decoration). Only the headline is a polite live region: announcing ten bars
 * on every stroke would drown the user. DOM module: nothing runs at import.
 */
import type { InspectReply } from '../worker/protocol.js';

export interface PredictionView {
  element: HTMLElement;
  /** Shows a reply's prediction and probabilities. */
  show(reply: Pick<InspectReply, 'predicted' | 'probabilities' | 'step'>): void;
  /** Empties the view and shows `message` (e.g. 'Draw a digit'). */
  clear(message: string): void;
}

/**
 * "untrained network" at step 0, else "the network after N steps".
 * @example modelLabel(1200) // 'the network after 1,200 training steps'
 */
export function modelLabel(step: number): string {
  if (step <= 0) return 'the untrained network (random weights: train it in the Train tab)';
  return `the network after ${step.toLocaleString('en-US')} training step${step === 1 ? '' : 's'}`;
}

/**
 * A probability as the text beside its bar: one decimal, '<0.1%' for tiny ones.
 * @example percent(0.98765) // '98.8%'
 */
export function percent(p: number): string {
  if (!Number.isFinite(p)) return '–';
  if (p > 0 && p < 0.0005) return '<0.1%';
  return `${(100 * p).toFixed(1)}%`;
}

/**
 * Builds the view (not attached: append `element` where it goes).
 * @example const view = createPredictionView(document); box.append(view.element); view.show(reply);
 */
export function createPredictionView(doc: Document): PredictionView {
  const element = doc.createElement('section');
  element.className = 'draw-answer';
  element.setAttribute('aria-label', 'Prediction');
  element.innerHTML = `
    <p class="draw-headline" aria-live="polite"><span class="draw-class" aria-hidden="true"></span><span class="draw-says"></span></p>
    <p class="draw-model"></p>
    <ol class="draw-probs" aria-label="Probability of each digit" start="0"></ol>`;
  const big = element.querySelector<HTMLElement>('.draw-class')!;
  const says = element.querySelector<HTMLElement>('.draw-says')!;
  const model = element.querySelector<HTMLElement>('.draw-model')!;
  const list = element.querySelector<HTMLOListElement>('.draw-probs')!;
  const rows: { li: HTMLLIElement; bar: HTMLElement; text: HTMLElement }[] = [];
  for (let d = 0; d < 10; d++) {
    const li = doc.createElement('li');
    li.innerHTML = `<span class="draw-digit">${d}</span><span class="draw-bar" aria-hidden="true"><span></span></span><span class="draw-pct"></span>`;
    list.append(li);
    rows.push({ li, bar: li.querySelector<HTMLElement>('.draw-bar > span')!, text: li.querySelector<HTMLElement>('.draw-pct')! });
  }

  return {
    element,
    show(reply) {
      const p = reply.probabilities;
      big.textContent = String(reply.predicted);
      says.textContent = `The network says ${reply.predicted} (probability ${percent(p[reply.predicted] ?? NaN)})`;
      model.textContent = `Answer from ${modelLabel(reply.step)}.`;
      list.hidden = false;
      rows.forEach((r, d) => {
        const v = p[d] ?? 0;
        r.bar.style.width = `${Math.max(0, Math.min(100, 100 * v))}%`;
        r.text.textContent = percent(v);
        r.li.classList.toggle('top', d === reply.predicted);
        // The list item's accessible text: "3: 87.2%, predicted".
        r.li.setAttribute('aria-label', `${d}: ${percent(v)}${d === reply.predicted ? ', predicted' : ''}`);
      });
    },
    clear(message) {
      big.textContent = '';
      says.textContent = message;
      model.textContent = '';
      list.hidden = true;
    },
  };
}
