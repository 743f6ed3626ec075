/**
 * The small vocabulary the SVG charts share: escaping, number formatting,
 * "nice" axis ticks, the plot frame with its title and axis labels, and the
 * document wrapper. Kept apart from the charts so line, bar and heatmap charts
 * look alike (same fonts, margins, tick style) without copying code.
 */

export const FONT = 'font-family="Helvetica, Arial, sans-serif"';

/** Ten distinguishable colours (matplotlib's tab10), used in order for series and bars. */
export const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];

/**
 * Escapes text for SVG/XML element content and double-quoted attribute values,
 * so labels such as `a<b & "c"` cannot break the document.
 */
export function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** A coordinate with at most one decimal (keeps the files small and the bytes stable). */
export function px(v: number): string {
  return String(Math.round(v * 10) / 10);
}

/**
 * "Nice" tick values inside [lo, hi]: steps of 1, 2, 2.5 or 5 times a power of
 * ten, the one whose tick count is nearest `count + 1` (the larger step on a
 * tie); with `integer`, whole-number steps only (epochs, steps).
 * @example niceTicks(0, 1, 5) // [0, 0.2, 0.4, 0.6, 0.8, 1]
 */
export function niceTicks(lo: number, hi: number, count = 5, integer = false): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const steps = [0.5, 1, 2, 2.5, 5, 10, 20].filter((m) => !integer || m !== 2.5).map((m) => m * mag).filter((st) => !integer || st >= 1);
  const ticksWith = (st: number) => Math.floor(hi / st + 1e-9) - Math.ceil(lo / st - 1e-9) + 1;
  const miss = (st: number) => Math.abs(ticksWith(st) - (count + 1));
  // Steps are ascending, so scanning from the largest keeps the larger step on a tie.
  const step = [...steps].reverse().reduce((best, st) => (miss(st) < miss(best) ? st : best));
  const ticks: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

/**
 * Tick positions (as log10 values) for a logarithmic axis spanning [lo, hi]
 * (log10 units): 1-2-5 steps when the range is under three decades, else powers of ten.
 */
export function logTicks(lo: number, hi: number): number[] {
  const mult = hi - lo < 3 ? [1, 2, 5] : [1];
  const ticks: number[] = [];
  for (let e = Math.floor(lo); e <= Math.ceil(hi); e++) {
    for (const m of mult) {
      const t = e + Math.log10(m);
      if (t >= lo - 1e-9 && t <= hi + 1e-9) ticks.push(t);
    }
  }
  return ticks.length ? ticks : [lo];
}

/** A tick label: short, exponent form only for very large or small magnitudes. */
export function fmtTick(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e4 || a < 1e-3) return v.toExponential(0);
  return String(Number(v.toPrecision(4)));
}

/** A data value for a tooltip or a value label: four significant digits, integers as they are. */
export function fmtValue(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v)) return String(v);
  const a = Math.abs(v);
  if (a >= 1e5 || a < 1e-4) return v.toExponential(3);
  return String(Number(v.toPrecision(4)));
}

/** The plot area of a chart, in pixels, inside a `width` x `height` document. */
export interface Frame {
  width: number;
  height: number;
  left: number;
  right: number;
  top: number;
  bottom: number;
}

/** The default plot area: room on the left for y tick labels, below for x ticks and the x label. */
export function frameOf(width: number, height: number): Frame {
  return { width, height, left: 70, right: width - 20, top: 40, bottom: height - 55 };
}

/** White background, title, axis labels and the two axis lines of a frame. */
export function axes(f: Frame, title: string, xLabel: string, yLabel: string): string[] {
  const midY = (f.top + f.bottom) / 2;
  return [
    `<rect width="${f.width}" height="${f.height}" fill="white"/>`,
    `<text x="${f.width / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold" ${FONT}>${esc(title)}</text>`,
    `<text x="${px((f.left + f.right) / 2)}" y="${f.height - 12}" text-anchor="middle" font-size="12" ${FONT}>${esc(xLabel)}</text>`,
    `<text x="16" y="${px(midY)}" text-anchor="middle" font-size="12" transform="rotate(-90 16 ${px(midY)})" ${FONT}>${esc(yLabel)}</text>`,
    `<line x1="${f.left}" y1="${f.bottom}" x2="${f.right}" y2="${f.bottom}" stroke="black"/>`,
    `<line x1="${f.left}" y1="${f.top}" x2="${f.left}" y2="${f.bottom}" stroke="black"/>`,
  ];
}

/** Horizontal grid lines with labels at the y ticks (`sy` maps a tick to its pixel row). */
export function yGrid(f: Frame, ticks: readonly number[], sy: (t: number) => number, label: (t: number) => string = fmtTick): string[] {
  return ticks.flatMap((t) => [
    `<line x1="${f.left}" y1="${px(sy(t))}" x2="${f.right}" y2="${px(sy(t))}" stroke="#e5e5e5"/>`,
    `<text x="${f.left - 6}" y="${px(sy(t) + 4)}" text-anchor="end" font-size="11" ${FONT}>${esc(label(t))}</text>`,
  ]);
}

/**
 * A short id for `<clipPath>` and gradients that stays unique when several
 * charts are inlined into one HTML page (ids are document-global there), yet
 * is the same for the same chart (FNV-1a of its content), so output bytes are
 * deterministic.
 */
export function chartId(prefix: string, content: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < content.length; i++) h = Math.imul(h ^ content.charCodeAt(i), 0x01000193);
  return `${prefix}-${(h >>> 0).toString(16).padStart(8, '0')}`;
}

/** Wraps chart elements into a standalone SVG document. */
export function svgDocument(width: number, height: number, parts: readonly string[]): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">\n${parts.join('\n')}\n</svg>\n`;
}
