/** The ONNX op table of the importer: op type -> implementation (one table, built from the op families). */
import { LAYOUT_OPS } from './layout-ops.js';
import { LOGIC_OPS } from './logic-ops.js';
import { MATH_OPS } from './math-ops.js';
import { NN_OPS } from './nn-ops.js';
import { RESIZE_OPS } from './resize.js';
import { SHAPE_OPS } from './shape-ops.js';
import type { OpFn } from './values.js';

export const ONNX_IMPORT_OPS: ReadonlyMap<string, OpFn> = new Map(Object.entries({ ...SHAPE_OPS, ...LAYOUT_OPS, ...MATH_OPS, ...LOGIC_OPS, ...NN_OPS, ...RESIZE_OPS }));

/**
 * Inputs that are op arguments, not weights: a float initializer used only in
 * these slots stays a constant instead of becoming a Parameter. (Pow's exponent
 * is one: as a Parameter its gradient, y * log(x), is NaN wherever x < 0, and
 * one optimizer step would turn the whole model into NaN.)
 */
export const ARGUMENT_SLOTS: Readonly<Record<string, readonly number[]>> = {
  Clip: [1, 2], Pow: [1], Pad: [1, 2, 3], Reshape: [1], Slice: [1, 2, 3, 4], Dropout: [1, 2], Unsqueeze: [1], Squeeze: [1],
  ReduceMean: [1], ReduceSum: [1], ReduceMax: [1], ReduceMin: [1], ReduceProd: [1], ConstantOfShape: [0], Gather: [1],
  ReduceL1: [1], ReduceL2: [1], ReduceSumSquare: [1], ReduceLogSum: [1], ReduceLogSumExp: [1],
  Resize: [1, 2, 3], Upsample: [1], Expand: [1], Tile: [1], Split: [1], Range: [0, 1, 2],
  // No gradient flows through a comparison, a logic op, a Where condition or an ArgMax input.
  Greater: [0, 1], Less: [0, 1], GreaterOrEqual: [0, 1], LessOrEqual: [0, 1], Equal: [0, 1],
  Not: [0], And: [0, 1], Or: [0, 1], Xor: [0, 1], Where: [0], ArgMax: [0], ArgMin: [0],
};

/** Elementwise ops whose 0-d float inputs are constants (every input slot of these ops). */
const SCALAR_CONSTANT_OPS: ReadonlySet<string> = new Set(['Add', 'Sub', 'Mul', 'Div', 'Max', 'Min', 'Sum', 'Mean', 'Where']);

/**
 * Whether an initializer of shape `dims` used as input `slot` of `opType` is an
 * argument (a constant) rather than a weight: the ARGUMENT_SLOTS above, plus a
 * 0-d float scalar in elementwise arithmetic — exporters (PyTorch's and
 * tensorgrad's) write a Python number such as a folded `x / 255` or GELU's 0.5
 * that way, while weights have a shape. Only 0-d counts: a Linear(k, 1) bias on
 * a 3-D input is written as MatMul + Add of a [1] initializer, a real weight.
 * (A deliberately learnable 0-d scalar is therefore imported as a constant.)
 * @example isArgumentUse('Div', 1, []) // true; isArgumentUse('Add', 1, [1]) // false
 */
export function isArgumentUse(opType: string, slot: number, dims: readonly number[] | undefined): boolean {
  if ((ARGUMENT_SLOTS[opType] ?? []).includes(slot)) return true;
  return dims !== undefined && dims.length === 0 && SCALAR_CONSTANT_OPS.has(opType);
}

/** Inputs that BatchNormalization keeps as running statistics (buffers). */
export const BUFFER_SLOTS: Readonly<Record<string, readonly number[]>> = { BatchNormalization: [3, 4] };
