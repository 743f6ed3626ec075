/**
 * Dependency-free SVG charts for training curves and experiment results:
 * line charts (several series, optional log axes) and bar charts; the heatmap
 * chart is in chart-heatmap.ts. The output is a standalone SVG document that
 * browsers and GitHub render directly and that can be inlined into an HTML
 * report (ids are unique per chart). Every marker and bar carries a `<title>`
 * with its exact value, which browsers show on hover.
 *
 * Why hand-written rather than Vega-Lite rendered by `vega` (measured on the
 * 2-core dev machine, issue 11): vega + vega-lite add 79 packages / 25 MB to
 * node_modules and 810 KB (286 KB gzipped) to a browser bundle, against 6 KB
 * here; they take ~0.5 s to import and 50-110 ms per warm chart, against
 * under 1 ms; their `toSVG` is async and the packages are ESM-only; and their
 * gradient ids come from a process-wide counter, so the same chart gives
 * different bytes on a second call. We draw three chart kinds with fixed
 * styling, so the ~430 lines here cost less than the dependency.
 */
import { axes, chartId, esc, fmtTick, fmtValue, FONT, frameOf, logTicks, niceTicks, PALETTE, px, svgDocument, yGrid } from './svg.js';

export { niceTicks } from './svg.js';

/** One line of a `tg.viz.lineChart`: its legend name and its points. */
export interface Series {
  /** Name shown in the legend and tooltips. */
  name: string;
  /** x coordinates of the points (e.g. epochs). */
  x: readonly number[];
  /** y coordinates, one per x (a non-finite pair is left out). */
  y: readonly number[];
  /** Stroke colour (default: the palette colour of the series' position). */
  color?: string;
  /** Dashed line (e.g. training curves beside solid test curves). */
  dashed?: boolean;
}

/** Options of `tg.viz.lineChart`. */
export interface LineChartOptions {
  /** Title written above the chart. */
  title: string;
  /** Caption of the x axis. */
  xLabel: string;
  /** Caption of the y axis. */
  yLabel: string;
  /** The lines to draw, legend in this order. */
  series: readonly Series[];
  /** Logarithmic y axis (values <= 0 are dropped). */
  logY?: boolean;
  /** Logarithmic x axis (values <= 0 are dropped). */
  logX?: boolean;
  /** Fixed y range (data units); each end defaults to the data's extent plus a margin. */
  yMin?: number;
  /** Fixed top of the y range (data units); see yMin. */
  yMax?: number;
  /** Formats y tick labels and tooltips (default: 4 significant digits). */
  yFormat?: (v: number) => string;
  /** SVG width in pixels (default 720 plus the legend's width). */
  width?: number;
  /** SVG height in pixels (default 420). */
  height?: number;
}

/** Series with up to this many points get a marker (with a value tooltip) at each point. */
const MARKER_LIMIT = 30;

/**
 * A line chart of one or more series; points with a non-finite coordinate
 * (NaN, e.g. a test loss of a run without test data) are left out.
 * @example writeFileSync('loss.svg', lineChart({ title: 'Loss', xLabel: 'epoch', yLabel: 'loss', series: [{ name: 'train', x: [1, 2], y: [0.9, 0.4] }] }))
 */
export function lineChart(o: LineChartOptions): string {
  // The legend sits right of the plot, as wide as the longest name, so it never hides data.
  const longest = Math.max(0, ...o.series.map((s) => s.name.length));
  const legendWidth = o.series.length ? Math.min(300, 40 + Math.ceil(longest * 6.5)) : 0;
  const f = frameOf(o.width ?? 720 + legendWidth, o.height ?? 420);
  f.right = Math.max(f.left + 100, f.right - legendWidth);
  const trY = (v: number) => (o.logY ? Math.log10(v) : v);
  const trX = (v: number) => (o.logX ? Math.log10(v) : v);
  const ok = (x: number, y: number) => Number.isFinite(x) && Number.isFinite(y) && (!o.logY || y > 0) && (!o.logX || x > 0);
  const shownOf = (s: Series) => s.x.map((x, i) => [x, s.y[i]!] as const).filter(([x, y]) => ok(x, y));
  const pts = o.series.flatMap(shownOf);
  const xs = pts.map((p) => trX(p[0])), ys = pts.map((p) => trY(p[1]));
  let [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  let [y0, y1] = [Math.min(...ys), Math.max(...ys)];
  if (!pts.length) [x0, x1, y0, y1] = [0, 1, 0, 1];
  if (x1 === x0) x1 = x0 + 1;
  // A small margin keeps the end markers off the axis and inside the clip area.
  const xPad = (x1 - x0) * 0.02;
  [x0, x1] = [x0 - xPad, x1 + xPad];
  if (y1 === y0) [y0, y1] = [y0 - 0.5, y1 + 0.5];
  const pad = (y1 - y0) * 0.05;
  y0 = o.yMin !== undefined && (!o.logY || o.yMin > 0) ? trY(o.yMin) : y0 - pad;
  y1 = o.yMax !== undefined && (!o.logY || o.yMax > 0) ? trY(o.yMax) : y1 + pad;
  if (!(y1 > y0)) y1 = y0 + 1;
  const sx = (x: number) => f.left + ((x - x0) / (x1 - x0)) * (f.right - f.left);
  const sy = (y: number) => f.bottom - ((y - y0) / (y1 - y0)) * (f.bottom - f.top);
  const yFmt = o.yFormat ?? fmtValue;
  const parts = axes(f, o.title, o.xLabel, o.yLabel);
  const integerX = pts.length > 0 && pts.every(([x]) => Number.isInteger(x));
  for (const t of o.logX ? logTicks(x0, x1) : niceTicks(x0, x1, 6, integerX)) {
    parts.push(`<line x1="${px(sx(t))}" y1="${f.bottom}" x2="${px(sx(t))}" y2="${f.bottom + 5}" stroke="black"/>`,
      `<text x="${px(sx(t))}" y="${f.bottom + 18}" text-anchor="middle" font-size="11" ${FONT}>${fmtTick(o.logX ? 10 ** t : t)}</text>`);
  }
  const yTicks = o.logY ? logTicks(y0, y1) : niceTicks(y0, y1, 5);
  parts.push(...yGrid(f, yTicks, sy, (t) => (o.yFormat ? o.yFormat(o.logY ? 10 ** t : t) : fmtTick(o.logY ? 10 ** t : t))));
  // Points outside a fixed y range are clipped to the plot area; the id is per chart so inlined charts do not share it.
  const clip = chartId('plot', JSON.stringify([o.title, f, o.series.map((s) => [s.name, s.x, s.y])]));
  parts.push(`<clipPath id="${clip}"><rect x="${f.left}" y="${f.top}" width="${px(f.right - f.left)}" height="${px(f.bottom - f.top)}"/></clipPath>`);
  o.series.forEach((s, k) => {
    const color = esc(s.color ?? PALETTE[k % PALETTE.length]!);
    const dash = s.dashed ? ' stroke-dasharray="6 4"' : '';
    const shown = shownOf(s);
    const path = shown.map(([x, y], i) => `${i ? 'L' : 'M'}${sx(trX(x)).toFixed(1)},${sy(trY(y)).toFixed(1)}`).join(' ');
    if (path) parts.push(`<path d="${path}" fill="none" stroke="${color}" stroke-width="2"${dash} clip-path="url(#${clip})"/>`);
    if (s.x.length <= MARKER_LIMIT) {
      for (const [x, y] of shown) {
        parts.push(`<circle cx="${sx(trX(x)).toFixed(1)}" cy="${sy(trY(y)).toFixed(1)}" r="3" fill="${color}" clip-path="url(#${clip})">` +
          `<title>${esc(`${s.name}, ${o.xLabel} ${fmtValue(x)}: ${yFmt(y)}`)}</title></circle>`);
      }
    }
    const ly = f.top + 8 + k * 16;
    parts.push(`<line x1="${f.right + 12}" y1="${ly}" x2="${f.right + 34}" y2="${ly}" stroke="${color}" stroke-width="2"${dash}/>`,
      `<text x="${f.right + 39}" y="${ly + 4}" font-size="11" ${FONT}>${esc(s.name)}</text>`);
  });
  return svgDocument(f.width, f.height, parts);
}

/** Options of `tg.viz.barChart`. */
export interface BarChartOptions {
  /** Title written above the chart. */
  title: string;
  /** Caption of the x axis (under the bar labels). */
  xLabel: string;
  /** Caption of the y axis. */
  yLabel: string;
  /** One label per bar, left to right. */
  labels: readonly string[];
  /** One value per label (bar height in data units). */
  values: readonly number[];
  /** One fill colour for every bar (default: the palette, one colour per bar). */
  color?: string;
  /** Fixed y range (data units); default from 0 (or the smallest negative value) to the largest value plus a margin. */
  yMin?: number;
  /** Fixed top of the y range (data units); see yMin. */
  yMax?: number;
  /** Formats the value written above each bar, the y tick labels and the tooltips (default: 4 significant digits). */
  format?: (v: number) => string;
  /** SVG width in pixels (default max(720, 90 + 34 per bar)). */
  width?: number;
  /** SVG height in pixels (default 420); slanted labels add the room they need below the axis. */
  height?: number;
}

/**
 * A bar chart of labelled values (e.g. accuracy per configuration or per
 * class); each bar has its value written above it. A non-finite value gets
 * its label but no bar.
 * @example barChart({ title: 'Accuracy', xLabel: 'depth', yLabel: '%', labels: ['2', '4'], values: [91.5, 93.2] })
 */
export function barChart(o: BarChartOptions): string {
  const width = o.width ?? Math.max(720, 90 + 34 * o.labels.length), height = o.height ?? 420;
  const plain = frameOf(width, height);
  const slot = (plain.right - plain.left) / Math.max(1, o.labels.length);
  // Long label lists are written slanted (-35°) so neighbouring labels do not overlap. A slanted
  // label reaches ~0.57 x its length (~6.5 px a character) below its anchor, 14 px under the axis:
  // the chart grows by what that and the axis title (22 px) take past the frame's bottom margin,
  // so that neither the labels nor the title are cut off or overlap; the plot keeps its size.
  const slant = o.labels.some((l) => l.length * 6.5 > slot);
  const drop = slant ? 14 + 0.574 * 6.5 * Math.max(...o.labels.map((l) => l.length)) : 0;
  const extra = Math.max(0, Math.ceil(drop + 22 - (plain.height - plain.bottom)));
  const grown = frameOf(width, height + extra);
  const f = { ...grown, bottom: grown.bottom - extra };
  const finite = o.values.filter(Number.isFinite);
  const hi = Math.max(0, ...finite), lo = o.yMin ?? Math.min(0, ...finite);
  let top = o.yMax ?? (hi === lo ? lo + 1 : hi + (hi - lo) * 0.08);
  if (!(top > lo)) top = lo + 1;
  const sy = (y: number) => f.bottom - ((Math.min(Math.max(y, lo), top) - lo) / (top - lo)) * (f.bottom - f.top);
  const fmt = o.format ?? fmtValue;
  const parts = axes(f, o.title, o.xLabel, o.yLabel);
  parts.push(...yGrid(f, niceTicks(lo, top, 5), sy, o.format ?? fmtTick));
  o.labels.forEach((label, i) => {
    const v = o.values[i]!;
    const x = f.left + i * slot + slot * 0.15;
    const w = slot * 0.7;
    const cx = px(x + w / 2);
    if (Number.isFinite(v)) {
      const base = sy(Math.max(lo, Math.min(0, top))), end = sy(v);
      const y = Math.min(base, end), h = Math.abs(base - end);
      const fill = esc(o.color ?? PALETTE[i % PALETTE.length]!);
      parts.push(`<rect x="${px(x)}" y="${px(y)}" width="${px(w)}" height="${px(h)}" fill="${fill}"><title>${esc(`${label}: ${fmt(v)}`)}</title></rect>`,
        `<text x="${cx}" y="${px(y - 4)}" text-anchor="middle" font-size="11" ${FONT}>${esc(fmt(v))}</text>`);
    }
    parts.push(slant
      ? `<text x="${cx}" y="${f.bottom + 14}" text-anchor="end" font-size="11" transform="rotate(-35 ${cx} ${f.bottom + 14})" ${FONT}>${esc(label)}</text>`
      : `<text x="${cx}" y="${f.bottom + 18}" text-anchor="middle" font-size="11" ${FONT}>${esc(label)}</text>`);
  });
  return svgDocument(f.width, f.height, parts);
}
