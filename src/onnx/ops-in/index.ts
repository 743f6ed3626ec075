/** The ONNX op table of the importer: op type -> implementation (one table, built from the op families). */
import { MATH_OPS } from './math-ops.js';
import { NN_OPS } from './nn-ops.js';
import { SHAPE_OPS } from './shape-ops.js';
import type { OpFn } from './values.js';

export const ONNX_IMPORT_OPS: ReadonlyMap<string, OpFn> = new Map(Object.entries({ ...SHAPE_OPS, ...MATH_OPS, ...NN_OPS }));

/**
 * Inputs that are op arguments, not weights: a float initializer used only in
 * these slots stays a constant instead of becoming a Parameter. (Pow's exponent
 * is one: as a Parameter its gradient, y * log(x), is NaN wherever x < 0, and
 * one optimizer step would turn the whole model into NaN.)
 */
export const ARGUMENT_SLOTS: Readonly<Record<string, readonly number[]>> = {
  Clip: [1, 2], Pow: [1], Pad: [1, 2, 3], Reshape: [1], Slice: [1, 2, 3, 4], Dropout: [1, 2], Unsqueeze: [1], Squeeze: [1],
  ReduceMean: [1], ReduceSum: [1], ReduceMax: [1], ReduceMin: [1], ReduceProd: [1], ConstantOfShape: [0], Gather: [1],
};

/** Inputs that BatchNormalization keeps as running statistics (buffers). */
export const BUFFER_SLOTS: Readonly<Record<string, readonly number[]>> = { BatchNormalization: [3, 4] };
