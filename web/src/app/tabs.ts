/**
 * Accessible tabs (WAI-ARIA tabs pattern, automatic activation): a
 * `role=tablist` of buttons, one `role=tabpanel` per tab; the selected tab is
 * the only one in the tab order, ← → (and Home / End) move between tabs.
 * DOM module: builds elements when called, nothing at import.
 */

export interface TabSpec {
  /** Used in element ids (`tab-<id>`, `panel-<id>`) and in the URL hash. */
  id: string;
  label: string;
}

export interface Tabs {
  /** The `role=tablist` element (put it in the header). */
  list: HTMLElement;
  /** The panels by tab id, in order (put them in main). */
  panels: Map<string, HTMLElement>;
  /** Shows tab `id`; `focus` moves keyboard focus to its button. */
  select(id: string, focus?: boolean): void;
  /** The selected tab's id. */
  readonly selected: string;
}

/**
 * Builds the tab buttons and empty panels; the first tab (or `initial`) is shown.
 * `onSelect` runs after every change (e.g. to update the URL hash).
 * @example
 * const tabs = createTabs(document, [{ id: 'train', label: 'Train' }, { id: 'draw', label: 'Draw' }], 'Playground sections');
 * header.append(tabs.list); main.append(...tabs.panels.values());
 */
export function createTabs(doc: Document, specs: readonly TabSpec[], label: string, initial?: string, onSelect?: (id: string) => void): Tabs {
  if (specs.length === 0) throw new Error('createTabs: needs at least one tab');
  const list = doc.createElement('div');
  list.className = 'tabs';
  list.setAttribute('role', 'tablist');
  list.setAttribute('aria-label', label);
  const buttons = new Map<string, HTMLButtonElement>();
  const panels = new Map<string, HTMLElement>();
  for (const s of specs) {
    const b = doc.createElement('button');
    b.type = 'button';
    b.id = `tab-${s.id}`;
    b.className = 'tab';
    b.textContent = s.label;
    b.setAttribute('role', 'tab');
    b.setAttribute('aria-controls', `panel-${s.id}`);
    b.addEventListener('click', () => select(s.id));
    list.append(b);
    buttons.set(s.id, b);
    const p = doc.createElement('section');
    p.id = `panel-${s.id}`;
    p.className = 'panel';
    p.setAttribute('role', 'tabpanel');
    p.setAttribute('aria-labelledby', b.id);
    p.tabIndex = 0;
    panels.set(s.id, p);
  }
  const ids = specs.map((s) => s.id);
  let selected = ids.includes(initial ?? '') ? initial! : ids[0]!;

  function select(id: string, focus = false): void {
    if (!buttons.has(id)) return;
    selected = id;
    for (const [tid, b] of buttons) {
      const on = tid === id;
      b.setAttribute('aria-selected', String(on));
      b.tabIndex = on ? 0 : -1;
      panels.get(tid)!.hidden = !on;
    }
    if (focus) buttons.get(id)!.focus();
    onSelect?.(id);
  }

  list.addEventListener('keydown', (e) => {
    const i = ids.indexOf(selected);
    const next = e.key === 'ArrowRight' ? (i + 1) % ids.length
      : e.key === 'ArrowLeft' ? (i - 1 + ids.length) % ids.length
        : e.key === 'Home' ? 0 : e.key === 'End' ? ids.length - 1 : -1;
    if (next < 0) return;
    e.preventDefault();
    select(ids[next]!, true);
  });

  select(selected);
  return { list, panels, select, get selected() { return selected; } };
}
