/**
 * Number and label formatting for the Inside tab and the weight files: pure
 * functions (no DOM), so the Node tests can check them. Nothing runs at import.
 */

const GROUPED = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/**
 * An integer with thousands separators (commas, whatever the page's locale, so
 * screenshots and tests read the same everywhere).
 * @example formatCount(61706) // '61,706'
 */
export function formatCount(n: number): string {
  return Number.isFinite(n) ? GROUPED.format(Math.round(n)) : String(n);
}

/**
 * A FLOP (multiply-add) count in K / M / G with two significant decimals, as a learner reads it.
 * @example formatFlops(416_520) // '0.42 M'
 * @example formatFlops(2_300_000_000) // '2.30 G'
 * @example formatFlops(840) // '840'
 */
export function formatFlops(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const abs = Math.abs(n);
  // From 100 K upwards M reads better than K ('0.42 M' beside '1.20 M' in one column).
  if (abs >= 1e8) return `${(n / 1e9).toFixed(2)} G`;
  if (abs >= 1e5) return `${(n / 1e6).toFixed(2)} M`;
  if (abs >= 1e3) return `${(n / 1e3).toFixed(2)} K`;
  return formatCount(n);
}

/**
 * A shape without the batch dimension, as the summary prints it.
 * @example formatShape([6, 28, 28]) // '6 × 28 × 28'
 */
export function formatShape(shape: readonly number[]): string {
  return shape.length ? shape.join(' × ') : 'scalar';
}

/**
 * A file size in bytes, KB or MB (1 KB = 1000 bytes, as browsers' download lists show).
 * @example formatBytes(247_180) // '247 KB'
 */
export function formatBytes(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)} MB`;
  if (n >= 1e3) return `${Math.round(n / 1e3)} KB`;
  return `${n} bytes`;
}

/**
 * The channel numbers of page `page` (0-based) when showing `perPage` of `channels` at a time.
 * @example channelPage(20, 8, 2) // [16, 17, 18, 19]
 */
export function channelPage(channels: number, perPage: number, page: number): number[] {
  const start = Math.max(0, page) * perPage;
  const end = Math.min(channels, start + perPage);
  const out: number[] = [];
  for (let c = start; c < end; c++) out.push(c);
  return out;
}

/**
 * The labels of the channel pages for a selector.
 * @example channelPageLabels(20, 8) // ['channels 0–7', 'channels 8–15', 'channels 16–19']
 */
export function channelPageLabels(channels: number, perPage: number): string[] {
  const labels: string[] = [];
  for (let start = 0; start < channels; start += perPage) {
    const end = Math.min(channels, start + perPage) - 1;
    labels.push(start === end ? `channel ${start}` : `channels ${start}–${end}`);
  }
  return labels;
}

/**
 * An activation value for a tooltip: 3 significant digits.
 * @example formatActivation(12.3456) // '12.3'
 */
export function formatActivation(v: number): string {
  return Number.isFinite(v) ? Number(v.toPrecision(3)).toString() : String(v);
}
