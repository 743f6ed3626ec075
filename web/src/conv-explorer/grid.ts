import type { Grid } from './types.js';

/** A `rows x cols` grid with `at(r, c)` in each cell. */
export function makeGrid(rows: number, cols: number, at: (r: number, c: number) => number): Grid {
  return Array.from({ length: rows }, (_, r) => Array.from({ length: cols }, (_, c) => at(r, c)));
}

/** A deep copy (grids are plain arrays the UI edits in place). */
export function copyGrid(g: Grid): Grid {
  return g.map((row) => [...row]);
}

/**
 * Resizes a grid to `rows x cols`, keeping the values that still fit (top-left
 * aligned) so changing a size does not throw away what the learner typed;
 * new cells get `fill(r, c)`.
 * @example resizeGrid([[1, 2], [3, 4]], 1, 3, () => 0) // [[1, 2, 0]]
 */
export function resizeGrid(g: Grid, rows: number, cols: number, fill: (r: number, c: number) => number): Grid {
  return makeGrid(rows, cols, (r, c) => g[r]?.[c] ?? fill(r, c));
}

/**
 * Small random integers in `[lo, hi]` from a seeded generator (mulberry32), so a
 * "shuffle" is reproducible and tests can pin it.
 * @example randomIntGrid(2, 2, 7, 0, 9) // the same 2x2 grid on every call
 */
export function randomIntGrid(rows: number, cols: number, seed: number, lo: number, hi: number): Grid {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return makeGrid(rows, cols, () => lo + Math.floor(next() * (hi - lo + 1)));
}
