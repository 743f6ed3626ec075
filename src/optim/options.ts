import { TensorError } from '../core/errors.js';
import { checkOptionKeys, describeArg, isPlainObject } from '../tensor/args.js';

/**
 * The options of an optimizer constructor `(params, opts)`, merged over its
 * `defaults`, for callers without a type checker: PyTorch's positional learning
 * rate (`new optim.Adam(params, 1e-3)`) is accepted, anything else must be an
 * options object whose keys are the optimizer's (`lr` plus its defaults' keys;
 * a misspelt `momentm` would otherwise be ignored), flags must be booleans,
 * and extra arguments throw. Ranges are the optimizer's own `validate`.
 * @example super('SGD', params, optimizerOptions('SGD', arguments, { momentum: 0, nesterov: false }))
 */
export function optimizerOptions<D extends object>(name: string, args: ArrayLike<unknown>, defaults: D): D & { lr: number } {
  const params = args[0];
  if (params === null || typeof params !== 'object' || typeof (params as Iterable<unknown>)[Symbol.iterator] !== 'function') {
    throw new TensorError(`${name}: params must be an iterable of Tensors (e.g. model.parameters()) or an array of parameter groups, got ${describeArg(params)}`);
  }
  let n = args.length;
  while (n > 2 && args[n - 1] === undefined) n--;
  if (n > 2) {
    throw new TensorError(`${name}: too many arguments (${n}); pass hyperparameters as one options object, e.g. new optim.${name}(params, { lr: 0.01 })`);
  }
  const raw = args[1];
  let opts: Record<string, unknown>;
  if (raw === undefined) opts = {};
  else if (typeof raw === 'number') opts = { lr: raw }; // PyTorch's positional lr
  else if (isPlainObject(raw)) opts = raw;
  else throw new TensorError(`${name}: options must be an object like { lr: 0.01 } (or a number, the learning rate), got ${describeArg(raw)}`);
  const keys = ['lr', ...Object.keys(defaults).filter((k) => k !== 'lr')];
  checkOptionKeys(name, opts, keys);
  for (const [k, v] of Object.entries(opts)) {
    const d = (defaults as Record<string, unknown>)[k];
    // Ranges are each optimizer's validate; a flag given as 1 or 'yes' would pass as truthy.
    if (typeof d === 'boolean' && typeof v !== 'boolean') throw new TensorError(`${name}: ${k} must be true or false (got ${describeArg(v)})`);
    // '0.1' >= 0 is true in JavaScript: a string would pass the range checks and compute with string arithmetic.
    if (k === 'lr' && typeof v !== 'number') throw new TensorError(`${name}: invalid learning rate ${String(v)} (must be a number >= 0)`);
    if (typeof d === 'number' && typeof v !== 'number') throw new TensorError(`${name}: invalid ${k} ${String(v)} (must be a number)`);
  }
  const merged: Record<string, unknown> = { ...(defaults as Record<string, unknown>) };
  for (const [k, v] of Object.entries(opts)) if (v !== undefined) merged[k] = v;
  return merged as D & { lr: number };
}
