/**
 * Dependency-free SVG charts for training curves and experiment results:
 * line charts (several series, optional log y axis) and bar charts. The output
 * is a standalone SVG document that browsers and GitHub render directly.
 */

export interface Series {
  name: string;
  x: readonly number[];
  y: readonly number[];
  /** Stroke colour (default: the palette colour of the series' position). */
  color?: string;
  /** Dashed line (e.g. training curves beside solid test curves). */
  dashed?: boolean;
}

export interface LineChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  series: readonly Series[];
  /** Logarithmic y axis (values <= 0 are dropped). */
  logY?: boolean;
  /** Logarithmic x axis (values <= 0 are dropped). */
  logX?: boolean;
  /** Fixed y range (data units); each end defaults to the data's extent plus a margin. */
  yMin?: number;
  yMax?: number;
  width?: number;
  height?: number;
}

const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];
const FONT = 'font-family="Helvetica, Arial, sans-serif"';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * "Nice" tick values covering [lo, hi] (about `count` of them); with
 * `integer`, whole-number steps only (epochs, steps).
 */
export function niceTicks(lo: number, hi: number, count = 5, integer = false): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const steps = (integer ? [1, 2, 5, 10] : [1, 2, 2.5, 5, 10]).map((m) => m * mag).filter((st) => !integer || st >= 1);
  const step = steps.find((st) => st >= raw) ?? steps[steps.length - 1]!;
  const ticks: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

/**
 * Tick positions (as log10 values) for a logarithmic axis spanning [lo, hi]
 * (log10 units): 1-2-5 steps when the range is under three decades, else powers of ten.
 */
function logTicks(lo: number, hi: number): number[] {
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

function fmtTick(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e4 || a < 1e-3) return v.toExponential(0);
  return String(Number(v.toPrecision(4)));
}

interface Frame {
  width: number;
  height: number;
  left: number;
  right: number;
  top: number;
  bottom: number;
}

function frameOf(width: number, height: number): Frame {
  return { width, height, left: 70, right: width - 20, top: 40, bottom: height - 55 };
}

function axes(f: Frame, title: string, xLabel: string, yLabel: string): string[] {
  return [
    `<rect width="${f.width}" height="${f.height}" fill="white"/>`,
    `<text x="${f.width / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold" ${FONT}>${esc(title)}</text>`,
    `<text x="${(f.left + f.right) / 2}" y="${f.height - 12}" text-anchor="middle" font-size="12" ${FONT}>${esc(xLabel)}</text>`,
    `<text x="16" y="${(f.top + f.bottom) / 2}" text-anchor="middle" font-size="12" transform="rotate(-90 16 ${(f.top + f.bottom) / 2})" ${FONT}>${esc(yLabel)}</text>`,
    `<line x1="${f.left}" y1="${f.bottom}" x2="${f.right}" y2="${f.bottom}" stroke="black"/>`,
    `<line x1="${f.left}" y1="${f.top}" x2="${f.left}" y2="${f.bottom}" stroke="black"/>`,
  ];
}

/**
 * A line chart of one or more series.
 * @example writeFileSync('loss.svg', lineChart({ title: 'Loss', xLabel: 'epoch', yLabel: 'loss', series: [{ name: 'train', x, y }] }))
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
  const pts = o.series.flatMap((s) => s.x.map((x, i) => [x, s.y[i]!] as const)).filter(([x, y]) => ok(x, y));
  const xs = pts.map((p) => trX(p[0])), ys = pts.map((p) => trY(p[1]));
  let [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  let [y0, y1] = [Math.min(...ys), Math.max(...ys)];
  if (!pts.length) [x0, x1, y0, y1] = [0, 1, 0, 1];
  if (x1 === x0) x1 = x0 + 1;
  if (y1 === y0) [y0, y1] = [y0 - 0.5, y1 + 0.5];
  const pad = (y1 - y0) * 0.05;
  y0 = o.yMin !== undefined && (!o.logY || o.yMin > 0) ? trY(o.yMin) : y0 - pad;
  y1 = o.yMax !== undefined && (!o.logY || o.yMax > 0) ? trY(o.yMax) : y1 + pad;
  if (!(y1 > y0)) y1 = y0 + 1;
  const sx = (x: number) => f.left + ((x - x0) / (x1 - x0)) * (f.right - f.left);
  const sy = (y: number) => f.bottom - ((y - y0) / (y1 - y0)) * (f.bottom - f.top);
  const parts = axes(f, o.title, o.xLabel, o.yLabel);
  const integerX = pts.length > 0 && pts.every(([x]) => Number.isInteger(x));
  for (const t of o.logX ? logTicks(x0, x1) : niceTicks(x0, x1, 6, integerX)) {
    parts.push(`<line x1="${sx(t)}" y1="${f.bottom}" x2="${sx(t)}" y2="${f.bottom + 5}" stroke="black"/>`,
      `<text x="${sx(t)}" y="${f.bottom + 18}" text-anchor="middle" font-size="11" ${FONT}>${fmtTick(o.logX ? 10 ** t : t)}</text>`);
  }
  for (const t of o.logY ? logTicks(y0, y1) : niceTicks(y0, y1, 5)) {
    parts.push(`<line x1="${f.left}" y1="${sy(t)}" x2="${f.right}" y2="${sy(t)}" stroke="#e5e5e5"/>`,
      `<text x="${f.left - 6}" y="${sy(t) + 4}" text-anchor="end" font-size="11" ${FONT}>${fmtTick(o.logY ? 10 ** t : t)}</text>`);
  }
  // Points outside a fixed y range are clipped to the plot area.
  parts.push(`<clipPath id="plot-area"><rect x="${f.left}" y="${f.top}" width="${f.right - f.left}" height="${f.bottom - f.top}"/></clipPath>`);
  o.series.forEach((s, k) => {
    const color = s.color ?? PALETTE[k % PALETTE.length]!;
    const dash = s.dashed ? ' stroke-dasharray="6 4"' : '';
    const shown = s.x.map((x, i) => [x, s.y[i]!] as const).filter(([x, y]) => ok(x, y));
    const path = shown.map(([x, y], i) => `${i ? 'L' : 'M'}${sx(trX(x)).toFixed(1)},${sy(trY(y)).toFixed(1)}`).join(' ');
    if (path) parts.push(`<path d="${path}" fill="none" stroke="${color}" stroke-width="2"${dash} clip-path="url(#plot-area)"/>`);
    if (s.x.length <= 30) {
      for (const [x, y] of shown) parts.push(`<circle cx="${sx(trX(x)).toFixed(1)}" cy="${sy(trY(y)).toFixed(1)}" r="3" fill="${color}" clip-path="url(#plot-area)"/>`);
    }
    const ly = f.top + 8 + k * 16;
    parts.push(`<line x1="${f.right + 12}" y1="${ly}" x2="${f.right + 34}" y2="${ly}" stroke="${color}" stroke-width="2"${dash}/>`,
      `<text x="${f.right + 39}" y="${ly + 4}" font-size="11" ${FONT}>${esc(s.name)}</text>`);
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${f.width}" height="${f.height}" viewBox="0 0 ${f.width} ${f.height}">\n${parts.join('\n')}\n</svg>\n`;
}

export interface BarChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  labels: readonly string[];
  values: readonly number[];
  width?: number;
  height?: number;
}

/** A bar chart of labelled values (e.g. accuracy per configuration). */
export function barChart(o: BarChartOptions): string {
  const f = frameOf(o.width ?? 720, o.height ?? 420);
  const finite = o.values.filter(Number.isFinite);
  const hi = Math.max(0, ...finite), lo = Math.min(0, ...finite);
  const top = hi === lo ? lo + 1 : hi + (hi - lo) * 0.08;
  const sy = (y: number) => f.bottom - ((y - lo) / (top - lo)) * (f.bottom - f.top);
  const slot = (f.right - f.left) / Math.max(1, o.labels.length);
  const parts = axes(f, o.title, o.xLabel, o.yLabel);
  for (const t of niceTicks(lo, top, 5)) {
    parts.push(`<line x1="${f.left}" y1="${sy(t)}" x2="${f.right}" y2="${sy(t)}" stroke="#e5e5e5"/>`,
      `<text x="${f.left - 6}" y="${sy(t) + 4}" text-anchor="end" font-size="11" ${FONT}>${fmtTick(t)}</text>`);
  }
  o.labels.forEach((label, i) => {
    const v = o.values[i]!;
    const x = f.left + i * slot + slot * 0.15;
    const w = slot * 0.7;
    if (Number.isFinite(v)) {
      const y = sy(Math.max(v, 0)), h = Math.abs(sy(v) - sy(0));
      parts.push(`<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${w.toFixed(1)}" height="${h.toFixed(1)}" fill="${PALETTE[i % PALETTE.length]}"/>`,
        `<text x="${(x + w / 2).toFixed(1)}" y="${(y - 4).toFixed(1)}" text-anchor="middle" font-size="11" ${FONT}>${fmtTick(v)}</text>`);
    }
    parts.push(`<text x="${(x + w / 2).toFixed(1)}" y="${f.bottom + 18}" text-anchor="middle" font-size="11" ${FONT}>${esc(label)}</text>`);
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${f.width}" height="${f.height}" viewBox="0 0 ${f.width} ${f.height}">\n${parts.join('\n')}\n</svg>\n`;
}
