import type { ExplorerSettings, ExplorerState, Grid } from './types.js';

/** Largest input side the explorer accepts: the grid must stay readable and the animation short. */
export const MAX_INPUT = 16;
/** Largest kernel side the explorer accepts. */
export const MAX_KERNEL = 7;

const OP_NAME = { conv: 'convolution', max: 'max pooling', avg: 'average pooling' } as const;

function intIn(errors: string[], name: string, v: number, min: number, max: number): boolean {
  if (Number.isInteger(v) && v >= min && v <= max) return true;
  const range = max === Infinity ? (min === 0 ? 'a non-negative integer' : 'a positive integer') : `an integer from ${min} to ${max}`;
  errors.push(`${name} must be ${range} (got ${String(v)})`);
  return false;
}

/**
 * Every reason the settings cannot be carried out, as sentences for the UI
 * (empty when they are fine). The rules are tensorgrad's own: a setting the
 * explorer accepts is one `tg.F.conv2d` / `maxPool2d` / `avgPool2d` / `pad` accept.
 * @example validateSettings({ ...s, stride: 0 }) // ["stride must be a positive integer (got 0)"]
 */
export function validateSettings(s: ExplorerSettings): string[] {
  const errors: string[] = [];
  const ok = [
    intIn(errors, 'input height', s.inputH, 1, MAX_INPUT),
    intIn(errors, 'input width', s.inputW, 1, MAX_INPUT),
    intIn(errors, 'kernel size', s.kernel, 1, MAX_KERNEL),
    intIn(errors, 'stride', s.stride, 1, Infinity),
    intIn(errors, 'padding', s.padding, 0, Infinity),
    intIn(errors, 'dilation', s.dilation, 1, Infinity),
  ].every(Boolean);
  if (!(s.op in OP_NAME)) errors.push(`operation must be conv, max or avg (got ${String(s.op)})`);
  if (!['zeros', 'reflect', 'replicate'].includes(s.paddingMode)) {
    errors.push(`padding mode must be zeros, reflect or replicate (got ${String(s.paddingMode)})`);
  }
  if (!ok || errors.length) return errors;

  const op = OP_NAME[s.op];
  if (s.op === 'avg' && s.dilation !== 1) {
    errors.push(`average pooling has no dilation (F.avgPool2d takes none): set dilation to 1 (got ${s.dilation})`);
  }
  if (s.paddingMode === 'reflect' && s.padding >= Math.min(s.inputH, s.inputW)) {
    const [side, n] = s.inputH <= s.inputW ? ['height', s.inputH] : ['width', s.inputW];
    errors.push(`reflect padding ${s.padding} must be less than the input ${side} ${n}: the mirror image skips the edge cell, so it has only ${n - 1} cells to copy`);
  }
  // Pooling's own border (zeros mode) follows PyTorch: at most half the window, so no window is mostly border.
  if (s.op !== 'conv' && s.paddingMode === 'zeros' && s.padding > Math.floor(s.kernel / 2)) {
    errors.push(`${op}: padding ${s.padding} must be at most half the kernel size ${s.kernel} (${Math.floor(s.kernel / 2)}), as in F.${s.op}Pool2d`);
  }
  const span = s.dilation * (s.kernel - 1) + 1;
  for (const [dim, n] of [['tall', s.inputH], ['wide', s.inputW]] as const) {
    const paddedN = n + 2 * s.padding;
    if (span > paddedN) {
      const how = s.dilation > 1 ? ` (dilation ${s.dilation}·(${s.kernel} − 1) + 1)` : '';
      errors.push(`the ${op} window spans ${span} cells${how} but the padded input is only ${paddedN} cells ${dim} (${n} + 2·${s.padding}): make the kernel smaller or add padding`);
    }
  }
  return errors;
}

function checkGrid(errors: string[], name: string, g: Grid, rows: number, cols: number): void {
  if (g.length !== rows || g.some((r) => r.length !== cols)) {
    errors.push(`the ${name} grid must be ${rows}x${cols} (got ${g.length}x${g[0]?.length ?? 0})`);
  } else if (g.some((r) => r.some((v) => !Number.isFinite(v)))) {
    errors.push(`the ${name} grid must hold finite numbers`);
  }
}

/** {@link validateSettings} plus the grids: input `inputH x inputW`, weights `kernel x kernel` (conv), finite values. */
export function validateState(st: ExplorerState): string[] {
  const errors = validateSettings(st.settings);
  if (errors.length) return errors;
  const s = st.settings;
  checkGrid(errors, 'input', st.input, s.inputH, s.inputW);
  if (s.op === 'conv') checkGrid(errors, 'kernel', st.weights, s.kernel, s.kernel);
  return errors;
}
