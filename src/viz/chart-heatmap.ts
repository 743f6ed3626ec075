/**
 * An SVG heatmap chart: a matrix of coloured cells with row and column labels,
 * optional text in each cell, a hover tooltip per cell and a colour bar. The
 * colours come from the colormap tables (colormap.ts), so the confusion
 * matrix uses the same viridis as the feature-map images.
 */
import { TensorError } from '../core/errors.js';
import { tensor } from '../tensor/create.js';
import { colormap, type ColormapName } from './colormap.js';
import { esc, fmtTick, FONT, niceTicks, px, svgDocument } from './svg.js';

/** Options of `tg.viz.heatmapChart`: the matrix, its labels, and optional text, tooltips and colours. */
export interface HeatmapChartOptions {
  /** Title written above the chart. */
  title: string;
  /** Axis captions: under the columns and beside the rows. */
  xLabel: string;
  /** Caption beside the rows (see xLabel). */
  yLabel: string;
  /** Cell values `[rows][cols]`, which set the colours; a non-finite value is drawn grey. */
  values: readonly (readonly number[])[];
  /** One label per row (`values.length`; a mismatch throws). */
  rowLabels: readonly string[];
  /** One label per column (the length of every row of `values`; a mismatch throws). */
  colLabels: readonly string[];
  /** Text written in cell (r, c) (default: none); '' leaves the cell blank, as does text too wide for the cell. */
  cellText?: (r: number, c: number) => string;
  /** Hover text of cell (r, c) (default: `row label, column label: value`). */
  tooltip?: (r: number, c: number) => string;
  /** Colour map (default 'viridis'). */
  map?: ColormapName;
  /** Value range mapped onto the colours (default: the finite values' min..max). */
  range?: readonly [number, number];
  /** Caption of the colour bar. */
  colorbarLabel?: string;
  /** Formats the colour bar's tick labels (default: 4 significant digits). */
  colorbarFormat?: (v: number) => string;
  /** Side of one cell in pixels (default: 40, smaller for large matrices). */
  cellSize?: number;
}

const hex = (v: number) => Math.round(Math.min(1, Math.max(0, v)) * 255).toString(16).padStart(2, '0');

/** The colours of `values` `[rows][cols]` as '#rrggbb' strings, through the colormap tables. */
function cellColors(values: readonly (readonly number[])[], cols: number, lo: number, hi: number, map: ColormapName): string[] {
  const rows = values.length;
  const flat = new Float32Array(rows * cols);
  values.forEach((row, r) => row.forEach((v, c) => { flat[r * cols + c] = Number.isFinite(v) ? v : lo; }));
  const rgb = colormap(tensor(flat, { shape: [rows, cols] }), { map, range: [lo, hi] }).data();
  const n = rows * cols;
  return Array.from({ length: n }, (_, i) => `#${hex(rgb[i]!)}${hex(rgb[n + i]!)}${hex(rgb[2 * n + i]!)}`);
}

/** Black text on light cells, white on dark ones (relative luminance of the fill). */
function textColorOn(fill: string): string {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(fill.slice(i, i + 2), 16) / 255) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.45 ? 'black' : 'white';
}

/**
 * A heatmap of a `[rows][cols]` matrix as a standalone SVG document.
 * @example heatmapChart({ title: 'Confusion', xLabel: 'predicted', yLabel: 'true', values: [[5, 1], [0, 7]], rowLabels: ['a', 'b'], colLabels: ['a', 'b'], cellText: (r, c) => String([[5, 1], [0, 7]][r]![c]) })
 */
export function heatmapChart(o: HeatmapChartOptions): string {
  const rows = o.values.length, cols = o.colLabels.length;
  if (rows !== o.rowLabels.length || o.values.some((row) => row.length !== cols)) {
    throw new TensorError(`heatmapChart: values must be ${o.rowLabels.length} rows (one per row label) of ${cols} numbers (one per column label); got ${rows} rows of ${o.values.map((r) => r.length).join('/')}`);
  }
  const finite = o.values.flat().filter(Number.isFinite);
  let [lo, hi] = o.range ?? [finite.length ? Math.min(...finite) : 0, finite.length ? Math.max(...finite) : 1];
  if (!(hi > lo)) hi = lo + 1;
  const map = o.map ?? 'viridis';
  const cell = o.cellSize ?? Math.max(14, Math.min(40, Math.floor(560 / Math.max(rows, cols, 1))));
  const longestRow = Math.max(1, ...o.rowLabels.map((l) => l.length));
  const longestCol = Math.max(1, ...o.colLabels.map((l) => l.length));
  const slant = longestCol * 6.5 > cell;
  const left = 40 + Math.ceil(longestRow * 6.5), top = 44;
  const gridW = cols * cell, gridH = rows * cell;
  const colLabelH = slant ? Math.ceil(longestCol * 5) + 14 : 18;
  const barX = left + gridW + 24, barW = 14, width = barX + barW + 60;
  const height = top + gridH + colLabelH + 34;
  const colors = cellColors(o.values, cols, lo, hi, map);
  const parts = [
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="${px(width / 2)}" y="22" text-anchor="middle" font-size="15" font-weight="bold" ${FONT}>${esc(o.title)}</text>`,
    `<text x="${px(left + gridW / 2)}" y="${height - 10}" text-anchor="middle" font-size="12" ${FONT}>${esc(o.xLabel)}</text>`,
    `<text x="16" y="${px(top + gridH / 2)}" text-anchor="middle" font-size="12" transform="rotate(-90 16 ${px(top + gridH / 2)})" ${FONT}>${esc(o.yLabel)}</text>`,
  ];
  const fontSize = Math.max(8, Math.min(12, Math.floor(cell / 3.2)));
  for (let r = 0; r < rows; r++) {
    parts.push(`<text x="${left - 6}" y="${px(top + r * cell + cell / 2 + 4)}" text-anchor="end" font-size="11" ${FONT}>${esc(o.rowLabels[r]!)}</text>`);
    for (let c = 0; c < cols; c++) {
      const v = o.values[r]![c]!;
      const fill = Number.isFinite(v) ? colors[r * cols + c]! : '#dddddd';
      const tip = o.tooltip ? o.tooltip(r, c) : `${o.rowLabels[r]}, ${o.colLabels[c]}: ${v}`;
      const x = left + c * cell, y = top + r * cell;
      parts.push(`<rect x="${x}" y="${y}" width="${cell}" height="${cell}" fill="${fill}"><title>${esc(tip)}</title></rect>`);
      const text = o.cellText?.(r, c) ?? '';
      // Text that would spill out of its cell (large matrices) is left to the tooltip.
      if (text && text.length * fontSize * 0.6 <= cell - 2) {
        parts.push(`<text x="${px(x + cell / 2)}" y="${px(y + cell / 2 + fontSize * 0.35)}" text-anchor="middle" font-size="${fontSize}" fill="${textColorOn(fill)}" ${FONT}>${esc(text)}</text>`);
      }
    }
  }
  o.colLabels.forEach((label, c) => {
    const cx = px(left + c * cell + cell / 2), y = top + gridH + 14;
    parts.push(slant
      ? `<text x="${cx}" y="${y}" text-anchor="end" font-size="11" transform="rotate(-45 ${cx} ${y})" ${FONT}>${esc(label)}</text>`
      : `<text x="${cx}" y="${y}" text-anchor="middle" font-size="11" ${FONT}>${esc(label)}</text>`);
  });
  parts.push(`<rect x="${left}" y="${top}" width="${gridW}" height="${gridH}" fill="none" stroke="#555"/>`);
  parts.push(...colorbar(barX, top, barW, gridH, lo, hi, map, o.colorbarFormat ?? fmtTick, o.colorbarLabel));
  return svgDocument(width, height, parts);
}

/** A vertical colour bar (high values on top) of `steps` bands from the same colormap, with ticks. */
function colorbar(x: number, top: number, w: number, h: number, lo: number, hi: number, map: ColormapName,
  fmt: (v: number) => string, label: string | undefined): string[] {
  const steps = Math.max(2, Math.min(64, Math.floor(h / 3)));
  const ramp = Array.from({ length: steps }, (_, i) => [hi - ((i + 0.5) / steps) * (hi - lo)]);
  const colors = cellColors(ramp, 1, lo, hi, map);
  const band = h / steps;
  const parts = colors.map((fill, i) => `<rect x="${x}" y="${px(top + i * band)}" width="${w}" height="${px(band + 0.5)}" fill="${fill}"/>`);
  parts.push(`<rect x="${x}" y="${top}" width="${w}" height="${h}" fill="none" stroke="#555"/>`);
  for (const t of niceTicks(lo, hi, 4)) {
    const y = px(top + ((hi - t) / (hi - lo)) * h);
    parts.push(`<line x1="${x + w}" y1="${y}" x2="${x + w + 4}" y2="${y}" stroke="black"/>`,
      `<text x="${x + w + 6}" y="${px(Number(y) + 4)}" font-size="10" ${FONT}>${esc(fmt(t))}</text>`);
  }
  if (label) {
    const lx = x + w + 48, ly = top + h / 2;
    parts.push(`<text x="${lx}" y="${px(ly)}" text-anchor="middle" font-size="11" transform="rotate(90 ${lx} ${px(ly)})" ${FONT}>${esc(label)}</text>`);
  }
  return parts;
}
