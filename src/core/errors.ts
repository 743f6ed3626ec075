/**
 * The one error type every op throws for bad input. Its message names the op,
 * the offending argument and the shapes/dtypes involved, e.g.
 * `conv2d: input has 3 channels but weight expects 1 (input [8,3,32,32], weight [6,1,5,5], groups 1)`.
 */
export class TensorError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TensorError';
  }
}

/** Formats a shape the way error messages print it: `[8,3,32,32]`. */
export function fmtShape(shape: readonly number[]): string {
  return `[${shape.join(',')}]`;
}

/** Throws `TensorError(`${op}: ${message}`)` when `cond` is false. */
export function check(cond: boolean, op: string, message: () => string): asserts cond {
  if (!cond) throw new TensorError(`${op}: ${message()}`);
}
