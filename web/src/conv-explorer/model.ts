/*
 * The convolution explorer's logic (issue 12): settings -> output-size formula,
 * padded input, every window's arithmetic and the output grid, in plain numbers
 * (no tensors, no DOM) so it runs anywhere and is checked against tg.F in
 * test/web/conv-explorer.test.ts.
 */
export type * from './types.js';
export { outputSizeFormula, fmtNum, fmtTerm } from './formula.js';
export { validateSettings, validateState, MAX_INPUT, MAX_KERNEL } from './validate.js';
export { padGrid, zeroFill } from './padding.js';
export { explain, ExplorerError } from './compute.js';
export { makeGrid, copyGrid, resizeGrid, randomIntGrid } from './grid.js';
export { listPresets, presetState, type Preset, type PresetId } from './presets.js';
