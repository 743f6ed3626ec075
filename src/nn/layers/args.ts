import { TensorError } from '../../tensor/errors.js';
import { isDType } from '../../tensor/dtype.js';
import { checkArgs, describeArg, positionalOptions, type ArgSpec } from '../../tensor/args.js';

/*
 * Constructor-argument handling shared by the layers. Plain-JavaScript users
 * write PyTorch's positional forms (`new nn.Linear(4, 2, false)`,
 * `new nn.Conv2d(1, 8, 3, 1, 1)`); those are accepted, options objects too,
 * and anything else (extra arguments, unknown keys, wrong types) throws a
 * TensorError naming the layer instead of being silently ignored.
 */

/**
 * Merges a layer's trailing arguments (PyTorch's positional values in `names`
 * order, then optionally one options object with keys from `allowed`) into one
 * options object. Throws on extra positional values, unknown keys, or a value
 * given both ways.
 * @example layerOptions('Linear', [false], ['bias'], ['bias', 'dtype']) // { bias: false }
 */
export function layerOptions(layer: string, rest: readonly unknown[], names: readonly string[], allowed: readonly string[]): Record<string, unknown> {
  return positionalOptions(layer, rest, names, allowed);
}

/** A layer's `dtype` option must be a supported floating dtype (parameters are trained). */
export function checkDtypeOption(layer: string, dtype: unknown): void {
  if (dtype === undefined) return;
  if (!isDType(dtype) || (dtype !== 'float32' && dtype !== 'float64')) {
    throw new TensorError(`${layer}: dtype must be 'float32' or 'float64' (got ${describeArg(dtype)})`);
  }
}

/**
 * Checks a layer constructor's arguments against a spec (names in order with
 * their kinds), so `new nn.ReLU(5)` or `new nn.Softmax({dim: 1})` throws.
 * @example checkLayerArgs('Softmax', arguments, { dim: 'dim' })
 */
export function checkLayerArgs(layer: string, args: ArrayLike<unknown>, spec: Readonly<Record<string, ArgSpec>>): void {
  checkArgs(layer, args, spec);
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
