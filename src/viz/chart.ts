/**
 * Dependency-free SVG charts for training curves and experiment results:
 * line charts (several series, optional log y axis) and bar charts. The output
 * is a standalone SVG document that browsers and GitHub render directly.
 */

export interface Series {
  name: string;
  x: readonly number[];
  y: readonly number[];
}

export interface LineChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  series: readonly Series[];
  /** Logarithmic y axis (values <= 0 are dropped). */
  logY?: boolean;
  width?: number;
  height?: number;
}

const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];
const FONT = 'font-family="Helvetica, Arial, sans-serif"';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** "Nice" tick values covering [lo, hi] (about `count` of them). */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw)!;
  const ticks: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) ticks.push(Number(v.toPrecision(12)));
  return ticks;
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
  const f = frameOf(o.width ?? 720, o.height ?? 420);
  const tr = (v: number) => (o.logY ? Math.log10(v) : v);
  const pts = o.series.flatMap((s) => s.x.map((x, i) => [x, s.y[i]!] as const)).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y) && (!o.logY || y > 0));
  const xs = pts.map((p) => p[0]), ys = pts.map((p) => tr(p[1]));
  let [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  let [y0, y1] = [Math.min(...ys), Math.max(...ys)];
  if (!pts.length) [x0, x1, y0, y1] = [0, 1, 0, 1];
  if (x1 === x0) x1 = x0 + 1;
  if (y1 === y0) [y0, y1] = [y0 - 0.5, y1 + 0.5];
  const pad = (y1 - y0) * 0.05;
  y0 -= pad;
  y1 += pad;
  const sx = (x: number) => f.left + ((x - x0) / (x1 - x0)) * (f.right - f.left);
  const sy = (y: number) => f.bottom - ((y - y0) / (y1 - y0)) * (f.bottom - f.top);
  const parts = axes(f, o.title, o.xLabel, o.yLabel);
  for (const t of niceTicks(x0, x1, 6)) {
    parts.push(`<line x1="${sx(t)}" y1="${f.bottom}" x2="${sx(t)}" y2="${f.bottom + 5}" stroke="black"/>`,
      `<text x="${sx(t)}" y="${f.bottom + 18}" text-anchor="middle" font-size="11" ${FONT}>${fmtTick(t)}</text>`);
  }
  const yTicks = o.logY
    ? Array.from({ length: Math.floor(y1) - Math.ceil(y0) + 1 }, (_, i) => Math.ceil(y0) + i)
    : niceTicks(y0, y1, 5);
  for (const t of yTicks) {
    parts.push(`<line x1="${f.left}" y1="${sy(t)}" x2="${f.right}" y2="${sy(t)}" stroke="#e5e5e5"/>`,
      `<text x="${f.left - 6}" y="${sy(t) + 4}" text-anchor="end" font-size="11" ${FONT}>${fmtTick(o.logY ? 10 ** t : t)}</text>`);
  }
  o.series.forEach((s, k) => {
    const color = PALETTE[k % PALETTE.length]!;
    const path = s.x
      .map((x, i) => [x, s.y[i]!] as const)
      .filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y) && (!o.logY || y > 0))
      .map(([x, y], i) => `${i ? 'L' : 'M'}${sx(x).toFixed(1)},${sy(tr(y)).toFixed(1)}`)
      .join(' ');
    if (path) parts.push(`<path d="${path}" fill="none" stroke="${color}" stroke-width="2"/>`);
    if (s.x.length <= 30) {
      s.x.forEach((x, i) => {
        const y = s.y[i]!;
        if (Number.isFinite(y) && (!o.logY || y > 0)) parts.push(`<circle cx="${sx(x).toFixed(1)}" cy="${sy(tr(y)).toFixed(1)}" r="3" fill="${color}"/>`);
      });
    }
    const ly = f.top + 8 + k * 16;
    parts.push(`<line x1="${f.right - 150}" y1="${ly}" x2="${f.right - 130}" y2="${ly}" stroke="${color}" stroke-width="2"/>`,
      `<text x="${f.right - 125}" y="${ly + 4}" font-size="11" ${FONT}>${esc(s.name)}</text>`);
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
