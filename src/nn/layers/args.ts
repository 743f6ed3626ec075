import { TensorError } from '../../core/errors.js';
import { isDType } from '../../core/dtype.js';
import { describeArg } from '../../tensor/args.js';

/*
 * Constructor-argument handling shared by the layers. Plain-JavaScript users
 * write PyTorch's positional forms (`new nn.Linear(4, 2, false)`,
 * `new nn.Conv2d(1, 8, 3, 1, 1)`); those are accepted, options objects too,
 * and anything else (extra arguments, unknown keys, wrong types) throws a
 * TensorError naming the layer instead of being silently ignored. The merge
 * and the checks are tensor/args.ts's positionalOptions and checkArgs; the
 * layer-only checks are here.
 */

/** A layer's `dtype` option must be a supported floating dtype (parameters are trained). */
export function checkDtypeOption(layer: string, dtype: unknown): void {
  if (dtype === undefined) return;
  if (!isDType(dtype) || (dtype !== 'float32' && dtype !== 'float64')) {
    throw new TensorError(`${layer}: dtype must be 'float32' or 'float64' (got ${describeArg(dtype)})`);
  }
}

/**
 * PyTorch's `inplace` flag: accepted as a boolean for compatibility; results
 * are identical (tensorgrad always allocates the output), only memory differs.
 */
export function checkInplace(layer: string, inplace: unknown): void {
  if (inplace !== undefined && typeof inplace !== 'boolean') {
    throw new TensorError(`${layer}: inplace must be a boolean, got ${describeArg(inplace)}`);
  }
}
