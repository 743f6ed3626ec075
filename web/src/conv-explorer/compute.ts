import { fmtNum, fmtTerm, outputSizeFormula } from './formula.js';
import { padGrid, zeroFill } from './padding.js';
import type { ExplorerState, Explanation, OutputCell, PaddedGrid, WindowCell } from './types.js';
import { validateState } from './validate.js';

/** Thrown for impossible settings; `errors` holds every reason, `message` joins them. */
export class ExplorerError extends Error {
  constructor(readonly errors: string[]) {
    super(`conv explorer: ${errors.join('; ')}`);
    this.name = 'ExplorerError';
  }
}

/** The cells the window at output (r, c) reads: rows r·s + i·d, cols c·s + j·d of the padded grid. */
function windowCells(st: ExplorerState, padded: PaddedGrid, r: number, c: number): WindowCell[] {
  const { kernel: k, stride: s, dilation: d, op } = st.settings;
  const cells: WindowCell[] = [];
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) {
      const row = r * s + i * d, col = c * s + j * d;
      const cell: WindowCell = { row, col, value: padded.values[row]![col]!, padded: padded.padded[row]![col]! };
      if (op === 'conv') {
        cell.weight = st.weights[i]![j]!;
        cell.product = cell.value * cell.weight;
      }
      cells.push(cell);
    }
  }
  return cells;
}

/** Combines a window's cells as the op does, and writes the arithmetic out. */
function combine(st: ExplorerState, cells: WindowCell[]): { value: number; text: string } {
  switch (st.settings.op) {
    case 'conv': {
      const value = cells.reduce((acc, x) => acc + x.product!, 0);
      const terms = cells.map((x) => `${fmtTerm(x.value)}·${fmtTerm(x.weight!)}`);
      return { value, text: `${terms.join(' + ')} = ${fmtNum(value)}` };
    }
    case 'max': {
      const value = Math.max(...cells.map((x) => x.value));
      return { value, text: `max(${cells.map((x) => fmtNum(x.value)).join(', ')}) = ${fmtNum(value)}` };
    }
    case 'avg': {
      // Every window holds k·k cells (border included): F.avgPool2d's countIncludePad default.
      const sum = cells.reduce((acc, x) => acc + x.value, 0);
      const value = sum / cells.length;
      // One cell needs no inner parentheses: "(−1) / 1", not "((−1)) / 1".
      const inner = cells.length > 1 ? cells.map((x) => fmtTerm(x.value)).join(' + ') : fmtNum(sum);
      return { value, text: `(${inner}) / ${cells.length} = ${fmtNum(value)}` };
    }
  }
}

/**
 * Works the whole example: the output-size formula for each dim, the padded
 * input, and for every output position the window's cells (with kernel weights
 * and products for a convolution) and the result. Computed with plain numbers;
 * equals `F.conv2d(x, w, null, { stride, padding, dilation })` (zeros) or
 * `F.conv2d(F.pad(x, [p, p, p, p], { mode }), w, null, { stride, dilation })`, and
 * likewise `F.maxPool2d` / `F.avgPool2d` (stride as chosen, not the kernel default).
 * Shapes: input `H x W`, weights `k x k` -> output `outH x outW`.
 * Throws {@link ExplorerError} with every reason when the settings are impossible.
 * @example explain(presetState('classic-5x5')).output // [[4,3,4],[2,4,3],[2,3,4]]
 */
export function explain(st: ExplorerState): Explanation {
  const errors = validateState(st);
  if (errors.length) throw new ExplorerError(errors);
  const s = st.settings;
  const formulaH = outputSizeFormula(s.inputH, s.kernel, s.stride, s.padding, s.dilation);
  const formulaW = outputSizeFormula(s.inputW, s.kernel, s.stride, s.padding, s.dilation);
  const padded = padGrid(st.input, s.padding, s.paddingMode, zeroFill(s.op));
  const cells: OutputCell[][] = [];
  for (let r = 0; r < formulaH.value; r++) {
    const row: OutputCell[] = [];
    for (let c = 0; c < formulaW.value; c++) {
      const win = windowCells(st, padded, r, c);
      row.push({ row: r, col: c, cells: win, ...combine(st, win) });
    }
    cells.push(row);
  }
  const output = cells.map((row) => row.map((x) => x.value));
  return { formulaH, formulaW, padded, outH: formulaH.value, outW: formulaW.value, output, cells };
}
