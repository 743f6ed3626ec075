import { TensorError, fmtShape } from '../core/errors.js';
import { Tensor } from './tensor.js';
import { normalizeDim, normalizeDims } from '../core/shape.js';

/*
 * Argument checks shared by the public ops and layers, for callers without a
 * type checker (plain JavaScript): a wrong type, an extra positional argument
 * or a misspelt option key must throw one clear TensorError naming the op and
 * the argument, never be silently ignored or surface as a raw TypeError.
 */

/**
 * What an argument must be:
 * - `tensor`: a Tensor; `tensorLike`: a Tensor, number or boolean; `tensors`: an array of Tensors;
 * - `number` (not NaN), `scalar` (any number, NaN included, or a boolean), `finite`, `int`, `bool`, `string`, `fn`, `any`;
 * - `dim`: an integer; `dims`: an integer or an array of integers; `shape`: an array of
 *   integers; `size`: an integer or an array of integers (kernel sizes, strides, ...);
 * - a `?` suffix: may also be undefined or null;
 * - an array of keys: an optional options object whose keys must all be listed.
 */
export type ArgKind =
  | 'tensor' | 'tensorLike' | 'tensors' | 'number' | 'scalar' | 'finite' | 'int' | 'bool' | 'string' | 'fn' | 'any'
  | 'dim' | 'dims' | 'shape' | 'size';
export type ArgSpec = ArgKind | `${ArgKind}?` | readonly string[];

/**
 * True for `{...}` literals (not Tensors, arrays, typed arrays or class instances other than Object).
 * @example isPlainObject({ dim: 1 }) // true; isPlainObject(tg.zeros([1])) // false
 */
export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v) || ArrayBuffer.isView(v) || v instanceof Tensor) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

/**
 * A short, readable rendering of any argument for error messages:
 * `'bogus'`, `{dim: 1}`, `[2,3]`, `a Tensor of shape [2,3] (float32)`.
 */
export function describeArg(v: unknown): string {
  if (v instanceof Tensor) return `a Tensor of shape ${fmtShape(v.shape)} (${v.dtype})`;
  if (typeof v === 'string') return `'${v.length > 40 ? v.slice(0, 40) + '...' : v}'`;
  if (typeof v === 'function') return 'a function';
  if (typeof v === 'bigint') return `${v}n (a BigInt)`;
  if (Array.isArray(v)) {
    const items = v.slice(0, 8).map((e) => (e instanceof Tensor ? `Tensor${fmtShape(e.shape)}` : typeof e === 'object' && e !== null ? describeArg(e) : typeof e === 'string' ? `'${e}'` : String(e)));
    return `[${items.join(',')}${v.length > 8 ? ',...' : ''}]`;
  }
  if (ArrayBuffer.isView(v)) return `a ${v.constructor.name}`;
  if (isPlainObject(v)) {
    const entries = Object.entries(v).slice(0, 6).map(([k, e]) => `${k}: ${typeof e === 'object' && e !== null ? describeArg(e) : typeof e === 'string' ? `'${e}'` : String(e)}`);
    return `{${entries.join(', ')}${Object.keys(v).length > 6 ? ', ...' : ''}}`;
  }
  if (v !== null && typeof v === 'object') return `a ${v.constructor?.name ?? 'object'}`;
  return String(v);
}

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);

const KINDS: Record<ArgKind, [test: (v: unknown) => boolean, what: string]> = {
  tensor: [(v) => v instanceof Tensor, 'a Tensor'],
  tensorLike: [(v) => v instanceof Tensor || (typeof v === 'number' && !Number.isNaN(v)) || typeof v === 'boolean', 'a Tensor, a number or a boolean'],
  tensors: [(v) => Array.isArray(v) && v.every((t) => t instanceof Tensor), 'an array of Tensors'],
  number: [(v) => typeof v === 'number' && !Number.isNaN(v), 'a number'],
  scalar: [(v) => typeof v === 'number' || typeof v === 'boolean', 'a number or a boolean'],
  finite: [(v) => typeof v === 'number' && Number.isFinite(v), 'a finite number'],
  int: [isInt, 'an integer'],
  bool: [(v) => typeof v === 'boolean', 'a boolean (true or false)'],
  string: [(v) => typeof v === 'string', 'a string'],
  fn: [(v) => typeof v === 'function', 'a function'],
  any: [() => true, 'anything'],
  dim: [isInt, 'an integer'],
  dims: [(v) => isInt(v) || (Array.isArray(v) && v.every(isInt)), 'an integer or an array of integers'],
  shape: [(v) => Array.isArray(v) && v.every(isInt), 'an array of integers'],
  size: [(v) => isInt(v) || (Array.isArray(v) && v.every(isInt)), 'an integer or an array of integers'],
};

/**
 * Rejects an options object with keys the op does not know (a misspelt
 * `paddding` would otherwise be ignored and the default used), and anything
 * that is not a plain object.
 * @example checkOptionKeys('conv2d', { paddding: 1 }, ['stride', 'padding']) // throws: unknown option 'paddding'
 */
export function checkOptionKeys(op: string, opts: unknown, allowed: readonly string[], name = 'options'): void {
  if (opts === undefined || opts === null) return;
  if (!isPlainObject(opts)) {
    throw new TensorError(`${op}: ${name} must be an object like {${allowed[0] ?? ''}: ...} (got ${describeArg(opts)})`);
  }
  for (const key of Object.keys(opts)) {
    if (!allowed.includes(key)) {
      throw new TensorError(`${op}: unknown option '${key}' (accepted: ${allowed.join(', ') || 'none'})`);
    }
  }
}

/** KINDS by spec string, the `?` forms included, so a check does no string work per call. */
const CHECKS: Record<string, { test: (v: unknown) => boolean; optional: boolean }> = {};
for (const [kind, [test]] of Object.entries(KINDS)) {
  CHECKS[kind] = { test, optional: false };
  CHECKS[`${kind}?`] = { test, optional: true };
}

/** Whether an options argument would pass {@link checkOptionKeys}. */
function optionsOk(v: unknown, allowed: readonly string[]): boolean {
  if (v === undefined || v === null) return true;
  if (!isPlainObject(v)) return false;
  for (const key in v) if (!allowed.includes(key)) return false;
  return true;
}

/**
 * Checks a call's arguments against `spec` (argument names in order, each with
 * its {@link ArgKind}): too many arguments, a wrong type, or an options object
 * with unknown keys throws a TensorError naming `op` and the argument. Pass the
 * function's `arguments` (or its rest array).
 * @example
 * function softmax(x, dim) { checkArgs('softmax', arguments, { x: 'tensor', dim: 'dim' }); ... }
 * softmax(x, { dim: 1 }) // softmax: dim must be an integer, got {dim: 1}; call softmax(x, 1)
 */
export function checkArgs(op: string, args: ArrayLike<unknown>, spec: Readonly<Record<string, ArgSpec>>): void {
  // This runs on every op call: a for-in over the spec and table lookups, no arrays, closures or
  // strings. Any failure (or more arguments than names) goes to `explainArgs`, which finds the
  // first problem and words it.
  let i = 0;
  for (const name in spec) {
    const s = spec[name]!, v = args[i++];
    if (typeof s !== 'string') {
      if (!optionsOk(v, s)) return explainArgs(op, args, spec);
      continue;
    }
    const c = CHECKS[s]!;
    if (!(c.optional && (v === undefined || v === null)) && !c.test(v)) return explainArgs(op, args, spec);
  }
  if (args.length > i) explainArgs(op, args, spec);
}

/** The error path of {@link checkArgs}: throws for the first problem (returns if there is none, e.g. trailing undefined). */
function explainArgs(op: string, args: ArrayLike<unknown>, spec: Readonly<Record<string, ArgSpec>>): void {
  const names = Object.keys(spec);
  if (args.length > names.length) {
    let n = args.length;
    while (n > names.length && args[n - 1] === undefined) n--; // trailing undefined is harmless
    if (n > names.length) {
      throw new TensorError(
        `${op}: too many arguments: expected at most ${names.length} (${names.join(', ')}), got ${n}; ` +
          `extra argument ${describeArg(args[names.length])}`,
      );
    }
  }
  for (let i = 0; i < names.length; i++) {
    const name = names[i]!;
    const v = args[i];
    const s = spec[name]!;
    if (typeof s !== 'string') {
      checkOptionKeys(op, v, s, name);
      continue;
    }
    const optional = s.endsWith('?');
    if (optional && (v === undefined || v === null)) continue;
    const [test, what] = KINDS[(optional ? s.slice(0, -1) : s) as ArgKind];
    if (test(v)) continue;
    let hint = '';
    if (isPlainObject(v) && name in v && Object.keys(v).length === 1) {
      const shown = v[name];
      hint = `; call ${op}(${[...names.slice(0, i), describeArg(shown)].join(', ')})`;
    }
    throw new TensorError(`${op}: ${name} must be ${what}${optional ? ' (or omitted)' : ''}, got ${describeArg(v)}${hint}`);
  }
}

/**
 * Splits the trailing arguments of a call that accepts PyTorch's positional
 * form AND an options object (`new nn.Conv2d(1, 8, 3, 1, 1)` or
 * `new nn.Conv2d(1, 8, 3, { stride: 1, padding: 1 })`, or both: positional
 * values first, then an options object for the rest). Positional values map to
 * `names` in order; a value given both ways, too many positional values, or
 * an unknown option key throws. Returns the merged options (undefined values
 * dropped).
 * @example positionalOptions('Linear', [false], ['bias'], ['bias', 'dtype']) // { bias: false }
 */
export function positionalOptions(op: string, rest: readonly unknown[], names: readonly string[], allowed: readonly string[]): Record<string, unknown> {
  let positional = [...rest];
  while (positional.length && positional[positional.length - 1] === undefined) positional.pop();
  let opts: Record<string, unknown> = {};
  const last = positional[positional.length - 1];
  if (isPlainObject(last)) {
    checkOptionKeys(op, last, allowed);
    opts = last;
    positional = positional.slice(0, -1);
  }
  if (positional.length > names.length) {
    throw new TensorError(
      `${op}: too many positional arguments: after the required ones it takes at most ${names.length} (${names.join(', ')}), ` +
        `got ${positional.length} (${positional.map(describeArg).join(', ')}); pass options as an object, e.g. {${allowed[0]}: ...}`,
    );
  }
  const out: Record<string, unknown> = {};
  positional.forEach((v, i) => {
    if (v === undefined) return;
    const name = names[i]!;
    if (isPlainObject(v)) {
      throw new TensorError(`${op}: ${name} must not be an object (got ${describeArg(v)}); options go last, as one object`);
    }
    if (opts[name] !== undefined) throw new TensorError(`${op}: ${name} given twice (positionally as ${describeArg(v)} and as an option)`);
    out[name] = v;
  });
  for (const [k, v] of Object.entries(opts)) if (v !== undefined) out[k] = v;
  return out;
}

/**
 * Throws unless `v` is an integer >= `min` (sizes, counts, channel numbers).
 * @example checkInt('Linear', 'inFeatures', 0, 1) // throws: Linear: inFeatures must be a positive integer, got 0
 */
export function checkInt(op: string, name: string, v: unknown, min: number): number {
  if (!isInt(v) || v < min) {
    const what = min === 1 ? 'a positive integer' : min === 0 ? 'a non-negative integer' : `an integer >= ${min}`;
    throw new TensorError(`${op}: ${name} must be ${what}, got ${describeArg(v)}`);
  }
  return v;
}

/**
 * Throws unless `v` is a boolean (JavaScript would treat 0, '' or 'false' by truthiness).
 * @example checkBool('Linear', 'bias', 'no') // throws: Linear: bias must be a boolean (true or false), got 'no'
 */
export function checkBool(op: string, name: string, v: unknown): boolean {
  if (typeof v !== 'boolean') throw new TensorError(`${op}: ${name} must be a boolean (true or false), got ${describeArg(v)}`);
  return v;
}

/**
 * Throws unless `v` is a finite number within [lo, hi].
 * @example checkRange('BatchNorm2d', 'momentum', 2, 0, 1) // throws: BatchNorm2d: momentum must be a number in [0, 1], got 2
 */
export function checkRange(op: string, name: string, v: unknown, lo = -Infinity, hi = Infinity): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < lo || v > hi) {
    const range = lo === -Infinity && hi === Infinity ? 'a finite number' : hi === Infinity ? `a finite number >= ${lo}` : `a number in [${lo}, ${hi}]`;
    throw new TensorError(`${op}: ${name} must be ${range}, got ${describeArg(v)}`);
  }
  return v;
}

/**
 * Expands a keyword object passed at position `at` (`sum(x, {dim: 1, keepdim: true})`,
 * `softmax(x, {dim: 1})`, `cat(xs, {dim: 0})`) into PyTorch's positional values
 * in `keys` order, so plain-JavaScript callers who write the keyword form get what
 * they meant. Unknown keys, or positional values after the object, throw.
 * @example keywordArgs('sum', [x, { dim: 1 }], 1, ['dim', 'keepdim']) // [x, 1, undefined]
 */
export function keywordArgs(op: string, args: ArrayLike<unknown>, at: number, keys: readonly string[]): ArrayLike<unknown> {
  const v = args[at];
  if (!isPlainObject(v)) return args; // the usual call: nothing to copy
  const a = Array.from(args);
  const after = a.slice(at + 1);
  if (after.some((x) => x !== undefined)) {
    throw new TensorError(`${op}: an options object ${describeArg(v)} must be the last argument (got ${describeArg(after.find((x) => x !== undefined))} after it)`);
  }
  checkOptionKeys(op, v, keys);
  return [...a.slice(0, at), ...keys.map((k) => v[k])];
}

/**
 * The arguments of a `(x, dim)` op such as softmax: `{dim}` objects are
 * accepted (PyTorch's keyword), anything else must be a Tensor and an integer.
 * @example const [x, dim] = checkDimCall('softmax', arguments)
 */
export function checkDimCall(op: string, args: ArrayLike<unknown>): [x: unknown, dim: unknown] {
  const a = keywordArgs(op, args, 1, ['dim']);
  checkArgs(op, a, { x: 'tensor', dim: 'dim' });
  return [a[0], a[1]];
}

/**
 * The arguments of a reduction `(x, dim?, keepdim?)`: also `(x, {dim, keepdim})`.
 * `dims` says whether several dims are allowed (sum) or one (argmax).
 * @example const [x, dim, keepdim] = reduceCall('sum', arguments, 'dims?')
 */
export function reduceCall(op: string, args: ArrayLike<unknown>, dimKind: 'dims?' | 'dim?' | 'dims' | 'any'): [Tensor, number | number[] | undefined, boolean] {
  const a = keywordArgs(op, args, 1, ['dim', 'keepdim']);
  checkArgs(op, a, { x: 'tensor', dim: dimKind, keepdim: 'bool?' });
  const x = a[0] as Tensor, dim = a[1] ?? undefined;
  // Range-checked here so the message names this op, not the primitive it is built on.
  if (typeof dim === 'number' && Number.isInteger(dim)) normalizeDim(op, dim, x.ndim);
  else if (Array.isArray(dim) && dimKind !== 'any') normalizeDims(op, dim, x.ndim);
  return [x, dim as number | number[] | undefined, (a[2] ?? false) as boolean];
}

/**
 * The arguments of var/std `(x, dim?, {correction, keepdim}?)`, also
 * `(x, {dim, correction, keepdim})`; x must be floating.
 * @example const [x, dim, opts] = varianceCall('var', [t, { dim: 1, correction: 0 }]) // dim 1, opts { correction: 0 }
 */
export function varianceCall(op: string, args: ArrayLike<unknown>): [Tensor, number | number[] | undefined, { correction?: number; keepdim?: boolean }] {
  let a = Array.from(args);
  if (isPlainObject(a[1])) {
    const k = keywordArgs(op, a, 1, ['dim', 'correction', 'keepdim']);
    a = [k[0], k[1], { correction: k[2], keepdim: k[3] }];
  }
  checkArgs(op, a, { x: 'tensor', dim: 'dims?', opts: ['correction', 'keepdim'] });
  const opts = (a[2] ?? {}) as { correction?: number; keepdim?: boolean };
  checkArgs(op, [opts.correction, opts.keepdim], { correction: 'finite?', keepdim: 'bool?' });
  const x = a[0] as Tensor;
  if (x.dtype !== 'float32' && x.dtype !== 'float64') throw new TensorError(`${op}: expected a floating-point tensor (float32 or float64) but got ${x.dtype} of shape ${fmtShape(x.shape)}`);
  if (a[1] != null) normalizeDims(op, a[1] as number | number[], x.ndim);
  return [x, (a[1] ?? undefined) as number | number[] | undefined, opts];
}

/**
 * The arguments of cat/stack `(tensors, dim?)`, also `(tensors, {dim})`.
 * @example listDimCall('cat', [[a, b], { dim: 1 }]) // [[a, b], 1]
 */
export function listDimCall(op: string, args: ArrayLike<unknown>): [Tensor[], number] {
  const a = keywordArgs(op, args, 1, ['dim']);
  checkArgs(op, a, { tensors: 'tensors', dim: 'dim?' });
  return [a[0] as Tensor[], (a[1] ?? 0) as number];
}

/**
 * Checks the leading arguments of a call (`lead`: names and kinds) and merges
 * the trailing ones, PyTorch's positional values in `names` order and/or one
 * options object, into an options object whose values are checked too.
 * @example opts = trailingOptions('layerNorm', arguments, { input: 'tensor', normalizedShape: 'size', weight: 'tensor?', bias: 'tensor?' }, { eps: 'finite?' })
 */
export function trailingOptions(op: string, args: ArrayLike<unknown>, lead: Readonly<Record<string, ArgSpec>>, names: Readonly<Record<string, ArgSpec>>): Record<string, unknown> {
  const a = Array.from(args);
  const k = Object.keys(lead).length;
  checkArgs(op, a.slice(0, k), lead);
  const keys = Object.keys(names);
  const opts = positionalOptions(op, a.slice(k), keys, keys);
  checkArgs(op, keys.map((key) => opts[key]), names);
  return opts;
}

/**
 * The arguments of a dropout `(input, p?, training?, {generator}?)`, also
 * `(input, {p, training, generator})`; defaults p 0.5, training true.
 * @example dropoutCall('dropout', [x, { p: 0.2, training: false }]) // [x, 0.2, false, {}]
 */
export function dropoutCall(op: string, args: ArrayLike<unknown>): [Tensor, number, boolean, { generator?: never }] {
  let a = Array.from(args);
  if (isPlainObject(a[1])) {
    const k = keywordArgs(op, a, 1, ['p', 'training', 'generator']);
    a = [k[0], k[1], k[2], k[3] === undefined ? undefined : { generator: k[3] }];
  }
  checkArgs(op, a, { input: 'tensor', p: 'any', training: 'bool?', opts: ['generator'] }); // p's range: the op's own check
  return [a[0] as Tensor, (a[1] ?? 0.5) as number, (a[2] ?? true) as boolean, (a[3] ?? {}) as { generator?: never }];
}

/**
 * Runs `fn`, re-labelling a TensorError from the op it is built on (`inner`)
 * as the op the user called (`outer`), so the message names what they wrote.
 * @example renamed('gather', 'indexSelect', () => gather(x, d, idx))
 */
export function renamed<T>(inner: string, outer: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof TensorError && e.message.startsWith(`${inner}:`)) throw new TensorError(`${outer}:${e.message.slice(inner.length + 1)}`);
    throw e;
  }
}
