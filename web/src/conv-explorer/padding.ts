import type { ExplorerOp, Grid, PaddedGrid, PaddingMode } from './types.js';

/**
 * The value a constant border holds for an op. Convolution and average pooling
 * pad with zeros (F.conv2d, and F.avgPool2d counting the border); max pooling's
 * border is −∞, as in F.maxPool2d, so a border cell never wins the max.
 */
export function zeroFill(op: ExplorerOp): number {
  return op === 'max' ? -Infinity : 0;
}

/** The input index a border position copies along one dim of size n, or null for a constant fill. */
function sourceIndex(i: number, n: number, mode: PaddingMode): number | null {
  if (i >= 0 && i < n) return i;
  if (mode === 'zeros') return null;
  if (mode === 'replicate') return Math.min(Math.max(i, 0), n - 1);
  // reflect mirrors about the edge cell without repeating it: -1 -> 1, n -> n - 2 (as F.pad).
  return i < 0 ? -i : 2 * (n - 1) - i;
}

/**
 * Pads a grid by `p` cells on every side, filling the border as
 * `tg.F.pad(x, [p, p, p, p], { mode })` does (`zeros` = mode 'constant' with `fill`).
 * Shape: `H x W` -> `(H + 2p) x (W + 2p)`. Reflect needs `p < H` and `p < W`.
 * @example padGrid([[1, 2, 3]], 1, 'replicate').values // [[1,1,2,3,3],[1,1,2,3,3],[1,1,2,3,3]]
 */
export function padGrid(input: Grid, p: number, mode: PaddingMode, fill = 0): PaddedGrid {
  const h = input.length, w = input[0]?.length ?? 0;
  const values: Grid = [], padded: boolean[][] = [], source: ([number, number] | null)[][] = [];
  for (let r = -p; r < h + p; r++) {
    const vRow: number[] = [], pRow: boolean[] = [], sRow: ([number, number] | null)[] = [];
    const sr = sourceIndex(r, h, mode);
    for (let c = -p; c < w + p; c++) {
      const sc = sourceIndex(c, w, mode);
      const src: [number, number] | null = sr === null || sc === null ? null : [sr, sc];
      vRow.push(src ? input[src[0]]![src[1]]! : fill);
      pRow.push(r < 0 || r >= h || c < 0 || c >= w);
      sRow.push(src);
    }
    values.push(vRow); padded.push(pRow); source.push(sRow);
  }
  return { values, padded, source };
}
