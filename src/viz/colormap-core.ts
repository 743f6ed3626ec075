/**
 * The colour lookup behind colormap.ts, shared by the viz renderers: table
 * choice, default value ranges and colouring of raw value arrays. Internal to
 * src/viz (tg.viz exports `colormap` and `overlay`, not these).
 */
import { TensorError } from '../core/errors.js';
import { MAGMA, RDBU_R, VIRIDIS } from './colormap-data.js';

/** 'viridis' and 'magma' for magnitudes (low = dark), 'diverging' (RdBu_r) for signed values (0 = near-white). */
export type ColormapName = 'viridis' | 'magma' | 'diverging';

const TABLES: Record<ColormapName, readonly number[]> = { viridis: VIRIDIS, magma: MAGMA, diverging: RDBU_R };

/** The names `colormap` accepts. */
export const COLORMAPS: readonly ColormapName[] = ['viridis', 'magma', 'diverging'];

/** Throws unless `map` is a known colormap name; returns its table. @internal */
export function colormapTable(map: unknown, fn: string): readonly number[] {
  if (typeof map !== 'string' || !(COLORMAPS as readonly string[]).includes(map)) {
    throw new TensorError(`${fn}: map must be one of ${COLORMAPS.map((m) => `'${m}'`).join(', ')} (got ${JSON.stringify(map)})`);
  }
  return TABLES[map as ColormapName];
}

/**
 * The RGB colour at position `t` in [0, 1] of a table (clamped), interpolating
 * linearly between its rows, written into `out` at `out[k * plane + p]` for k = 0..2.
 */
function lookup(table: readonly number[], t: number, out: Float32Array, plane: number, p: number): void {
  const last = table.length / 3 - 1;
  const pos = Math.min(Math.max(t, 0), 1) * last;
  const i = Math.min(Math.floor(pos), last - 1);
  const f = pos - i;
  for (let k = 0; k < 3; k++) out[k * plane + p] = table[3 * i + k]! * (1 - f) + table[3 * (i + 1) + k]! * f;
}

/**
 * The default value range of a heatmap (see ColormapOptions.range), checking
 * that every value is finite. @internal
 */
export function valueRange(values: ArrayLike<number>, map: ColormapName, fn: string): [number, number] {
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) throw new TensorError(`${fn}: values must be finite (got ${v} at flat index ${i})`);
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (values.length === 0) return [0, 0];
  if (map === 'diverging') {
    const m = Math.max(Math.abs(lo), Math.abs(hi));
    return [-m, m];
  }
  return [lo, hi];
}

/**
 * Colours raw values: the RGB planes `[3 * values.length]` (channel-major) for
 * `values` under `range`. A range with lo == hi maps everything to the middle
 * colour, so a constant heatmap never produces NaN. @internal
 */
export function colorize(values: ArrayLike<number>, map: ColormapName, range: readonly [number, number]): Float32Array {
  const table = TABLES[map];
  const n = values.length;
  const out = new Float32Array(3 * n);
  const [lo, hi] = range;
  const span = hi - lo;
  for (let p = 0; p < n; p++) lookup(table, span > 0 ? (values[p]! - lo) / span : 0.5, out, n, p);
  return out;
}

