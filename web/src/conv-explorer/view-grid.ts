import { fmtNum } from './formula.js';
import type { Grid } from './types.js';

/*
 * Numeric grids as HTML tables (screen readers announce tables and their
 * captions; no canvas). DOM-only helpers: nothing runs at import.
 */

/** How one grid is drawn: a caption, and per cell its classes and an optional accessible label. */
export interface GridSpec {
  caption: string;
  values: Grid;
  /** CSS classes of cell (r, c), e.g. border or window membership. */
  classes?: (r: number, c: number) => string[];
  /** Extra words a screen reader says for a cell, e.g. "border, copies row 1 column 2". */
  label?: (r: number, c: number) => string | undefined;
  /** Text shown instead of the number, e.g. "2·−1 = −2" in the products grid. */
  text?: (r: number, c: number) => string;
  /** When set, cells are number inputs and each change is reported. */
  onEdit?: (r: number, c: number, value: number) => void;
  /** When set, cells are buttons (e.g. pick an output position). */
  onPick?: (r: number, c: number) => void;
}

function cellContent(doc: Document, spec: GridSpec, r: number, c: number): HTMLElement | string {
  const v = spec.values[r]![c]!;
  const name = `${spec.caption}, row ${r + 1}, column ${c + 1}`;
  if (spec.onEdit) {
    const input = doc.createElement('input');
    input.type = 'number';
    input.step = 'any';
    input.value = String(v);
    input.setAttribute('aria-label', name);
    const onEdit = spec.onEdit;
    input.addEventListener('change', () => {
      const x = Number(input.value);
      // An empty or half-typed field is ignored rather than turned into 0.
      if (input.value.trim() !== '' && Number.isFinite(x)) onEdit(r, c, x);
    });
    return input;
  }
  if (spec.onPick) {
    const button = doc.createElement('button');
    button.type = 'button';
    button.textContent = fmtNum(v);
    button.setAttribute('aria-label', `${name}: ${fmtNum(v)}`);
    const onPick = spec.onPick;
    button.addEventListener('click', () => onPick(r, c));
    return button;
  }
  return spec.text ? spec.text(r, c) : fmtNum(v);
}

/**
 * A `<table>` for a grid; cell (r, c) is `table.rows[r].cells[c]` and carries
 * `data-row` / `data-col` so highlights can be moved without rebuilding.
 * @example root.append(gridTable(document, { caption: 'Output', values: [[4, 3], [2, 4]] }))
 */
export function gridTable(doc: Document, spec: GridSpec): HTMLTableElement {
  const table = doc.createElement('table');
  table.className = 'ce-grid';
  const caption = doc.createElement('caption');
  caption.textContent = spec.caption;
  table.append(caption);
  const body = doc.createElement('tbody');
  spec.values.forEach((row, r) => {
    const tr = doc.createElement('tr');
    row.forEach((_, c) => {
      const td = doc.createElement('td');
      td.dataset.row = String(r);
      td.dataset.col = String(c);
      td.classList.add(...(spec.classes?.(r, c) ?? []));
      const extra = spec.label?.(r, c);
      if (extra) td.title = extra;
      td.append(cellContent(doc, spec, r, c));
      tr.append(td);
    });
    body.append(tr);
  });
  table.append(body);
  return table;
}

/** Sets `cls` on exactly the listed cells of a grid table (and removes it elsewhere). */
export function markCells(table: HTMLTableElement, cls: string, cells: readonly (readonly [number, number])[]): void {
  const keep = new Set(cells.map(([r, c]) => `${r},${c}`));
  for (const td of Array.from(table.querySelectorAll('td'))) {
    td.classList.toggle(cls, keep.has(`${td.dataset.row},${td.dataset.col}`));
  }
}
