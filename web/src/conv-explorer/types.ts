/*
 * The convolution explorer's vocabulary: what the learner chooses (settings),
 * the numbers it acts on (grids), and what the explorer derives from them.
 * Plain data only, so the UI, the tests and a Web Worker can all share it.
 */

/** What slides over the input: a kernel (cross-correlation, as F.conv2d), or a max / average pool. */
export type ExplorerOp = 'conv' | 'max' | 'avg';

/** How the border is filled: zeros (F.conv2d's own padding), or F.pad's reflect / replicate modes. */
export type PaddingMode = 'zeros' | 'reflect' | 'replicate';

/** A 2-D grid of numbers, row-major: `grid[row][col]`. */
export type Grid = number[][];

/** Everything the learner picks. Sizes are per dim-agnostic: the kernel is square, padding symmetric. */
export interface ExplorerSettings {
  op: ExplorerOp;
  /** Input height (rows) and width (columns). */
  inputH: number;
  inputW: number;
  /** Kernel (or pooling window) side length. */
  kernel: number;
  stride: number;
  /** Cells added on every side. */
  padding: number;
  paddingMode: PaddingMode;
  /** Spacing between kernel taps (1 = adjacent cells). */
  dilation: number;
}

/** Settings plus the numbers: the input grid and, for `op: 'conv'`, the kernel grid. */
export interface ExplorerState {
  settings: ExplorerSettings;
  input: Grid;
  /** `kernel x kernel` weights; ignored by the pooling ops. */
  weights: Grid;
}

/** One dim's output size, with the formula written out with the chosen numbers. */
export interface FormulaSteps {
  /** The result of `floor((n + 2p − d·(k − 1) − 1) / s) + 1` (may be <= 0 for impossible settings). */
  value: number;
  /** Each stage of the evaluation, first the substituted formula, last the number. */
  steps: string[];
  /** `steps` joined with " = ", e.g. "floor((5 + 2·1 − 1·(3 − 1) − 1) / 1) + 1 = floor(4 / 1) + 1 = 5". */
  text: string;
}

/** The input after padding: values plus which cells came from the border. */
export interface PaddedGrid {
  values: Grid;
  /** `padded[r][c]` is true for a border cell (not part of the original input). */
  padded: boolean[][];
  /** The original input cell each padded-grid cell copies (for reflect / replicate), or null for a constant fill. */
  source: ([number, number] | null)[][];
}

/** One input cell read by a window. Coordinates are in the padded grid. */
export interface WindowCell {
  row: number;
  col: number;
  value: number;
  padded: boolean;
  /** The kernel weight it is multiplied by (conv only). */
  weight?: number;
  /** value · weight (conv only). */
  product?: number;
}

/** One output position: the cells its window reads and how they combine. */
export interface OutputCell {
  row: number;
  col: number;
  cells: WindowCell[];
  value: number;
  /** The arithmetic written out, e.g. "1·1 + 0·(−2) + … = 4", "max(1, 5, 3, 2) = 5", "(1 + 5 + 3 + 2) / 4 = 2.75". */
  text: string;
}

/** The whole worked example derived from a state. */
export interface Explanation {
  formulaH: FormulaSteps;
  formulaW: FormulaSteps;
  padded: PaddedGrid;
  outH: number;
  outW: number;
  /** `outH x outW` results. */
  output: Grid;
  /** `cells[r][c]` explains `output[r][c]`. */
  cells: OutputCell[][];
}
