import type { FormulaSteps } from './types.js';

/** Formats a number for display, with a true minus sign (U+2212) as in the formula. */
export function fmtNum(x: number): string {
  if (x === -Infinity) return '−∞';
  if (x === Infinity) return '∞';
  // Averages can be long fractions; 4 significant decimals is plenty on a grid.
  const s = Number.isInteger(x) ? String(Math.abs(x)) : String(Math.abs(Math.round(x * 1e4) / 1e4));
  return x < 0 ? `−${s}` : s;
}

/** A number as a factor or term: negatives in parentheses, so "2·(−1)" never reads as "2·−1". */
export function fmtTerm(x: number): string {
  return x < 0 ? `(${fmtNum(x)})` : fmtNum(x);
}

/**
 * One dim's output size, `floor((n + 2p − d·(k − 1) − 1) / s) + 1` (PyTorch's
 * formula, the same as `tg.analysis.convOutputSize`), evaluated step by step with
 * the chosen numbers so the learner can follow the arithmetic.
 * Expects integers (validate settings first); a result <= 0 means the kernel does not fit.
 * @example outputSizeFormula(5, 3, 1, 1, 1).text
 * // "floor((5 + 2·1 − 1·(3 − 1) − 1) / 1) + 1 = floor(4 / 1) + 1 = 4 + 1 = 5"
 */
export function outputSizeFormula(n: number, kernel: number, stride: number, padding: number, dilation: number): FormulaSteps {
  const numerator = n + 2 * padding - dilation * (kernel - 1) - 1;
  const quotient = Math.floor(numerator / stride);
  const value = quotient + 1;
  const steps = [
    `floor((${n} + 2·${padding} − ${dilation}·(${kernel} − 1) − 1) / ${stride}) + 1`,
    `floor(${fmtNum(numerator)} / ${stride}) + 1`,
    `${fmtNum(quotient)} + 1`,
    fmtNum(value),
  ];
  return { value, steps, text: steps.join(' = ') };
}
