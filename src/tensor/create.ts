import type { Backend } from '../backend/backend.js';
import { getBackend } from '../backend/current.js';
import type { DType, TypedArray } from '../core/dtype.js';
import { isDType, isFloating, toTypedArray, typedArrayFor } from '../core/dtype.js';
import { TensorError, fmtShape } from '../core/errors.js';
import { checkShape, numel } from '../core/shape.js';
import type { Shape } from '../core/shape.js';
import { Tensor, type NestedArray } from './tensor.js';
import { defaultGenerator, type Generator } from './random.js';
import { checkArgs, checkOptionKeys, describeArg, isPlainObject } from './args.js';

/** Options of the creation functions (`tg.zeros`, `tg.tensor`, `tg.arange`, ...): dtype, autograd and backend. */
export interface CreateOptions {
  /** Element type (default float32; inferred from typed arrays and booleans by `tensor`). */
  dtype?: DType;
  /** Make the tensor a leaf that records operations for autograd (floating dtypes only). Default false. */
  requiresGrad?: boolean;
  /** Backend to create on (default: the current one). */
  backend?: Backend;
}

/** Options of the random creation functions (`tg.rand`, `tg.randn`, `tg.randint`, `tg.randperm`): {@link CreateOptions} plus a generator. */
export interface RandomOptions extends CreateOptions {
  /** Generator to draw from (default: the global one seeded by manualSeed). */
  generator?: Generator;
}

const CREATE_KEYS = ['dtype', 'requiresGrad', 'backend'] as const;
const RANDOM_KEYS = [...CREATE_KEYS, 'generator'] as const;
const TENSOR_KEYS = [...CREATE_KEYS, 'shape'] as const;

/** Validates an options object: known keys only, a supported dtype, a boolean requiresGrad. */
function checkOpts(op: string, opts: CreateOptions, keys: readonly string[] = CREATE_KEYS): void {
  checkOptionKeys(op, opts, keys);
  if (opts.dtype !== undefined && !isDType(opts.dtype)) {
    throw new TensorError(`${op}: unknown dtype ${describeArg(opts.dtype)} (supported: float32, float64, int32, bool)`);
  }
  if (opts.requiresGrad !== undefined && typeof opts.requiresGrad !== 'boolean') {
    throw new TensorError(`${op}: requiresGrad must be a boolean (true or false), got ${describeArg(opts.requiresGrad)}`);
  }
  if (opts.backend !== undefined && (typeof opts.backend !== 'object' || opts.backend === null || typeof opts.backend.fromArray !== 'function')) {
    throw new TensorError(`${op}: backend must be a Backend object (e.g. tg.getBackend()), got ${describeArg(opts.backend)}`);
  }
}

/**
 * A shape given PyTorch's ways: spread (`zeros(2, 3)`), as one array
 * (`zeros([2, 3])`), either followed by an options object.
 */
export type ShapeArgs<O> = [shape: Shape, opts?: O] | number[] | [...number[], O];

/** Splits {@link ShapeArgs} into a checked shape and the options object. */
function shapeArgs<O extends object>(op: string, args: readonly unknown[], keys: readonly string[]): [number[], O] {
  let rest = [...args];
  while (rest.length && rest[rest.length - 1] === undefined) rest.pop();
  let opts = {} as O;
  if (rest.length && isPlainObject(rest[rest.length - 1])) opts = rest.pop() as O;
  let shape: unknown[];
  if (rest.length === 1 && Array.isArray(rest[0])) shape = [...(rest[0] as unknown[])];
  else if (rest.every((d) => typeof d === 'number')) shape = rest;
  else {
    throw new TensorError(`${op}: expected a shape as numbers (${op}(2, 3)) or one array (${op}([2, 3])), optionally followed by options; got (${rest.map(describeArg).join(', ')})`);
  }
  if (rest.length === 0) throw new TensorError(`${op}: missing shape; call ${op}([2, 3]) or ${op}(2, 3) (${op}([]) is a 0-d tensor)`);
  for (const d of shape) {
    if (typeof d !== 'number' || !Number.isInteger(d) || d < 0) {
      throw new TensorError(`${op}: shape ${describeArg(shape)} must contain non-negative integers (got ${describeArg(d)})`);
    }
  }
  checkOpts(op, opts as CreateOptions, keys);
  return [shape as number[], opts];
}

function finish(op: string, values: TypedArray, shape: Shape, dtype: DType, opts: CreateOptions): Tensor {
  checkShape(op, shape);
  const backend = opts.backend ?? getBackend();
  const t = Tensor._fromStorage(backend.fromArray(dtype, values), [...shape], dtype);
  if (opts.requiresGrad) {
    if (!isFloating(dtype)) throw new TensorError(`${op}: only floating-point tensors can require gradients (got dtype ${dtype})`);
    t.requiresGrad = true;
  }
  return t;
}

/** Elements a single tensor may hold: its offsets are int32 in the kernels. */
export const MAX_ELEMENTS = 2 ** 31 - 1;
/** Above this many elements a creation function first checks that the backend can hold the tensor. */
const PROBE_ELEMENTS = 1 << 24;

/**
 * The host array a creation function fills before handing it to the backend.
 * Large sizes are checked against the backend first (an allocation that is
 * released at once), so a tensor the backend cannot hold fails in
 * microseconds with the backend's own message, instead of after filling
 * gigabytes of random numbers in JavaScript.
 */
function hostBuffer(op: string, shape: Shape, dtype: DType, opts: CreateOptions): TypedArray {
  const n = numel(shape);
  if (n > MAX_ELEMENTS) throw new TensorError(`${op}: shape ${fmtShape(shape)} has ${n} elements; a tensor holds at most ${MAX_ELEMENTS}`);
  if (n > PROBE_ELEMENTS) {
    const backend = opts.backend ?? getBackend();
    backend.release(backend.alloc(dtype, n));
  }
  return typedArrayFor(dtype, n);
}

function inferDtype(data: unknown): DType {
  if (data instanceof Float64Array) return 'float64';
  if (data instanceof Int32Array) return 'int32';
  let x: unknown = data;
  while (Array.isArray(x)) x = x[0];
  return typeof x === 'boolean' ? 'bool' : 'float32';
}

/** Walks a nested array, checking it is rectangular, collecting shape and values. */
function flattenNested(data: NestedArray): { shape: number[]; values: number[] } {
  const shape: number[] = [];
  let probe: NestedArray = data;
  while (Array.isArray(probe)) {
    shape.push(probe.length);
    probe = probe[0] as NestedArray;
    if (probe === undefined) break;
  }
  const values: number[] = [];
  const walk = (x: NestedArray, depth: number, path: string): void => {
    if (depth === shape.length) {
      if (typeof x !== 'number' && typeof x !== 'boolean') {
        throw new TensorError(`tensor: expected a number at ${path || 'top level'} but found ${Array.isArray(x) ? 'an array' : typeof x}`);
      }
      values.push(Number(x));
      return;
    }
    if (!Array.isArray(x) || x.length !== shape[depth]) {
      throw new TensorError(`tensor: ragged nested array: expected length ${shape[depth]} at ${path || 'top level'} but found ${Array.isArray(x) ? `length ${x.length}` : typeof x}`);
    }
    x.forEach((v, i) => walk(v, depth + 1, `${path}[${i}]`));
  };
  walk(data, 0, '');
  return { shape, values };
}

/**
 * A tensor from nested arrays, a number, or a flat typed array (with `shape`).
 * Numbers default to float32; booleans to bool; Float64Array/Int32Array keep their type.
 * @example tg.tensor([[1, 2], [3, 4]], { requiresGrad: true })
 */
export function tensor(data: NestedArray | TypedArray | readonly number[], opts: CreateOptions & { shape?: Shape } = {}): Tensor {
  checkArgs('tensor', arguments, { data: 'any', opts: TENSOR_KEYS });
  checkOpts('tensor', opts, TENSOR_KEYS);
  if (data instanceof Tensor) throw new TensorError(`tensor: data is already a Tensor (shape ${fmtShape(data.shape)}); use x.clone() or x.detach()`);
  if (opts.shape !== undefined) checkShape('tensor', opts.shape);
  const dtype = opts.dtype ?? inferDtype(data);
  if (ArrayBuffer.isView(data)) {
    const shape = opts.shape ?? [data.length];
    if (numel(shape) !== data.length) throw new TensorError(`tensor: shape ${fmtShape(shape)} needs ${numel(shape)} elements but the array has ${data.length}`);
    return finish('tensor', toTypedArray(dtype, data), shape, dtype, opts);
  }
  const { shape, values } = flattenNested(data as NestedArray);
  const target = opts.shape ?? shape;
  if (numel(target) !== values.length) throw new TensorError(`tensor: shape ${fmtShape(target)} needs ${numel(target)} elements but the data has ${values.length}`);
  return finish('tensor', toTypedArray(dtype, values), target, dtype, opts);
}

/**
 * A tensor of `shape` filled with `value`. The dtype defaults to bool for a boolean value, else float32. Like torch.full.
 * @example tg.full([2, 2], 7) // [[7, 7], [7, 7]]
 */
export function full(shape: Shape, value: number | boolean, opts: CreateOptions = {}): Tensor {
  checkArgs('full', arguments, { shape: 'shape', value: 'any', opts: CREATE_KEYS });
  if (typeof value !== 'number' && typeof value !== 'boolean') throw new TensorError(`full: value must be a number or a boolean, got ${describeArg(value)}`);
  checkOpts('full', opts);
  checkShape('full', shape);
  const dtype = opts.dtype ?? (typeof value === 'boolean' ? 'bool' : 'float32');
  const values = hostBuffer('full', shape, dtype, opts);
  values.fill(Number(value));
  return finish('full', values, shape, dtype, opts);
}

/**
 * A tensor of zeros; the shape is one array or spread numbers (PyTorch's forms).
 * @example tg.zeros([2, 3]); tg.zeros(2, 3); tg.zeros(2, 3, { dtype: 'float64' })
 */
export function zeros(...args: ShapeArgs<CreateOptions>): Tensor {
  const [shape, opts] = shapeArgs<CreateOptions>('zeros', args, CREATE_KEYS);
  return full(shape, 0, opts);
}

/**
 * A tensor of ones; the shape is one array or spread numbers.
 * @example tg.ones([2, 3], { dtype: 'float64' }); tg.ones(2, 3)
 */
export function ones(...args: ShapeArgs<CreateOptions>): Tensor {
  const [shape, opts] = shapeArgs<CreateOptions>('ones', args, CREATE_KEYS);
  return full(shape, 1, opts);
}

/**
 * A 1-D tensor of the values from `start` to `end` (exclusive) by `step` (default 1; may be negative, not 0);
 * `arange(n)` is 0..n-1, shape `[ceil((end - start) / step)]`. Integer arguments give int32 (PyTorch: int64),
 * others float32, unless a dtype is given. Options may come after any positional argument. Like torch.arange.
 * @example tg.arange(5); tg.arange(0, 1, 0.25); tg.arange(3, { dtype: 'float32' })
 */
export function arange(start: number, end?: number | CreateOptions, step?: number | CreateOptions, opts?: CreateOptions): Tensor;
export function arange(...args: unknown[]): Tensor {
  // PyTorch's keyword forms too: arange(5, { dtype }) and arange(0, 5, { dtype }).
  const [pos, opts] = splitOpts('arange', args);
  checkArgs('arange', pos, { start: 'finite', end: 'finite?', step: 'finite?' });
  checkOpts('arange', opts);
  const [s, e] = pos[1] == null ? [0, pos[0] as number] : [pos[0] as number, pos[1] as number];
  const step = (pos[2] ?? 1) as number;
  if (step === 0) throw new TensorError(`arange: step must be a non-zero finite number (got ${step})`);
  const n = Math.max(0, Math.ceil((e - s) / step));
  if (n > 2 ** 31 - 1) throw new TensorError(`arange: ${n} elements is too many (start ${s}, end ${e}, step ${step})`);
  const dtype = opts.dtype ?? ([s, e, step].every(Number.isInteger) ? 'int32' : 'float32');
  const values = hostBuffer('arange', [n], dtype, opts);
  for (let i = 0; i < n; i++) values[i] = dtype === 'int32' ? Math.trunc(s + i * step) : dtype === 'bool' ? Number(s + i * step !== 0) : s + i * step;
  return finish('arange', values, [n], dtype, opts);
}

/**
 * A 1-D tensor `[steps]` of evenly spaced values from `start` to `end` inclusive (float32 by default). Like torch.linspace.
 * @example tg.linspace(0, 1, 5) // [0, 0.25, 0.5, 0.75, 1]
 */
export function linspace(start: number, end: number, steps: number, opts: CreateOptions = {}): Tensor {
  checkArgs('linspace', arguments, { start: 'finite', end: 'finite', steps: 'int', opts: CREATE_KEYS });
  checkOpts('linspace', opts);
  if (!Number.isInteger(steps) || steps < 0) throw new TensorError(`linspace: steps must be a non-negative integer (got ${steps})`);
  const dtype = opts.dtype ?? 'float32';
  const host = hostBuffer('linspace', [steps], dtype, opts);
  // Integer and bool dtypes convert from exact float64 values, as tg.tensor does.
  const values = isFloating(dtype) ? host : new Float64Array(steps);
  for (let i = 0; i < steps; i++) values[i] = steps === 1 ? start : start + ((end - start) * i) / (steps - 1);
  return finish('linspace', isFloating(dtype) ? values : toTypedArray(dtype, values), [steps], dtype, opts);
}

/** n x m identity matrix (m defaults to n). @example tg.eye(3); tg.eye(2, 3, { dtype: 'float64' }) */
export function eye(n: number, m?: number | CreateOptions, opts?: CreateOptions): Tensor;
export function eye(...args: unknown[]): Tensor {
  const [pos, opts] = splitOpts('eye', args);
  checkArgs('eye', pos, { n: 'int', m: 'int?' });
  checkOpts('eye', opts);
  const n = pos[0] as number, m = (pos[1] ?? n) as number;
  checkShape('eye', [n, m]);
  const dtype = opts.dtype ?? 'float32';
  const values = hostBuffer('eye', [n, m], dtype, opts);
  for (let i = 0; i < Math.min(n, m); i++) values[i * m + i] = 1;
  return finish('eye', values, [n, m], dtype, opts);
}

/**
 * Splits trailing options from positional arguments: an options object may
 * only come last (trailing undefined ignored), so nothing is silently dropped.
 */
function splitOpts(op: string, args: readonly unknown[]): [unknown[], CreateOptions & RandomOptions] {
  const a = [...args];
  while (a.length && a[a.length - 1] === undefined) a.pop();
  const i = a.findIndex(isPlainObject);
  if (i < 0) return [a, {}];
  if (i !== a.length - 1) throw new TensorError(`${op}: the options object must be the last argument (got ${describeArg(a[i + 1])} after it)`);
  return [a.slice(0, i), a[i] as CreateOptions];
}

function randomTensor(op: string, shape: Shape, opts: RandomOptions, draw: (g: Generator) => number): Tensor {
  checkOpts(op, opts, RANDOM_KEYS);
  checkShape(op, shape);
  checkGenerator(op, opts.generator);
  const dtype = opts.dtype ?? 'float32';
  if (!isFloating(dtype)) throw new TensorError(`${op}: dtype must be float32 or float64 (got ${dtype})`);
  const g = opts.generator ?? defaultGenerator;
  const values = hostBuffer(op, shape, dtype, opts);
  for (let i = 0; i < values.length; i++) values[i] = draw(g);
  return finish(op, values, shape, dtype, opts);
}

/**
 * Uniform samples in [0, 1); the shape is one array or spread numbers.
 * @example tg.rand([2, 3]); tg.rand(2, 3, { generator: new tg.Generator(7) })
 */
export function rand(...args: ShapeArgs<RandomOptions>): Tensor {
  const [shape, opts] = shapeArgs<RandomOptions>('rand', args, RANDOM_KEYS);
  return randomTensor('rand', shape, opts, (g) => g.uniform());
}

/**
 * Standard normal samples; the shape is one array or spread numbers.
 * @example tg.randn([2, 3]); tg.randn(2, 3, { dtype: 'float64' })
 */
export function randn(...args: ShapeArgs<RandomOptions>): Tensor {
  const [shape, opts] = shapeArgs<RandomOptions>('randn', args, RANDOM_KEYS);
  return randomTensor('randn', shape, opts, (g) => g.normal());
}

/**
 * Uniform integers in [low, high) (int32 by default); `randint(high, shape)` starts at 0, like PyTorch.
 * @example tg.randint(0, 10, [4]); tg.randint(10, [4])
 */
export function randint(low: number, high: number | Shape, shape?: Shape | RandomOptions, opts?: RandomOptions): Tensor;
export function randint(...args: unknown[]): Tensor {
  const [pos, opts] = splitOpts('randint', args);
  if (Array.isArray(pos[1])) pos.unshift(0);
  checkArgs('randint', pos, { low: 'int', high: 'int', shape: 'shape' });
  checkOpts('randint', opts, RANDOM_KEYS);
  checkGenerator('randint', opts.generator);
  const [low, high, shape] = pos as [number, number, number[]];
  if (opts.dtype === 'bool') throw new TensorError(`randint: dtype must be int32, float32 or float64 (got bool)`);
  checkShape('randint', shape);
  if (high <= low) throw new TensorError(`randint: expected integers low < high (got low ${low}, high ${high})`);
  const g = opts.generator ?? defaultGenerator;
  const dtype = opts.dtype ?? 'int32';
  const values = hostBuffer('randint', shape, dtype, opts);
  for (let i = 0; i < values.length; i++) values[i] = g.randint(low, high);
  return finish('randint', values, shape, dtype, opts);
}

/**
 * A random permutation of 0..n-1: int32 `[n]` (Fisher-Yates with the generator of `opts`, default the
 * global one). Like torch.randperm (which gives int64).
 * @example tg.randperm(5) // e.g. [3, 0, 4, 1, 2]
 */
export function randperm(n: number, opts: RandomOptions = {}): Tensor {
  checkArgs('randperm', arguments, { n: 'int', opts: RANDOM_KEYS });
  checkOpts('randperm', opts, RANDOM_KEYS);
  if (n < 0) throw new TensorError(`randperm: n must be a non-negative integer, got ${n}`);
  if (opts.dtype !== undefined && opts.dtype !== 'int32') throw new TensorError(`randperm: dtype must be int32 (got ${opts.dtype})`);
  checkGenerator('randperm', opts.generator);
  const g = opts.generator ?? defaultGenerator;
  const values = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = g.randint(0, i + 1);
    [values[i], values[j]] = [values[j]!, values[i]!];
  }
  return finish('randperm', values, [n], 'int32', { ...opts, dtype: 'int32' });
}

/** Checks a `*Like(x, ..., opts)` call; returns x's shape and the options with x's dtype and backend as defaults. */
function like(op: string, args: ArrayLike<unknown>, spec: Record<string, 'tensor' | 'any' | readonly string[]>, floatOnly = false): [number[], CreateOptions] {
  checkArgs(op, args, spec);
  const x = args[0] as Tensor;
  const last = args[Object.keys(spec).length - 1];
  const opts = { dtype: x.dtype, backend: x.backend, ...(isPlainObject(last) ? last : {}) } as RandomOptions;
  checkOpts(op, opts, RANDOM_KEYS);
  if (floatOnly && !isFloating(opts.dtype!)) throw new TensorError(`${op}: dtype must be float32 or float64 (got ${opts.dtype}; pass { dtype: 'float32' } for an integer x)`);
  return [[...x.shape], opts];
}

/** Zeros with `x`'s shape, dtype and backend. @example tg.zerosLike(tg.ones([2, 3])) */
export function zerosLike(x: Tensor, opts?: CreateOptions): Tensor {
  return zeros(...like('zerosLike', arguments, { x: 'tensor', opts: CREATE_KEYS }));
}
/** Ones with `x`'s shape, dtype and backend. @example tg.onesLike(tg.arange(3)) // int32 [1, 1, 1] */
export function onesLike(x: Tensor, opts?: CreateOptions): Tensor {
  return ones(...like('onesLike', arguments, { x: 'tensor', opts: CREATE_KEYS }));
}
/** `value` everywhere, with `x`'s shape, dtype and backend. @example tg.fullLike(tg.zeros([2]), 7) // [7, 7] */
export function fullLike(x: Tensor, value: number, opts?: CreateOptions): Tensor {
  if (typeof value !== 'number' && typeof value !== 'boolean') throw new TensorError(`fullLike: value must be a number or a boolean, got ${describeArg(value)}`);
  const [shape, o] = like('fullLike', arguments, { x: 'tensor', value: 'any', opts: CREATE_KEYS });
  return full(shape, value, o);
}
/** Uniform [0, 1) samples with `x`'s shape, dtype and backend. @example tg.randLike(tg.zeros([2, 3])) */
export function randLike(x: Tensor, opts?: RandomOptions): Tensor {
  return rand(...like('randLike', arguments, { x: 'tensor', opts: RANDOM_KEYS }, true));
}
/** Standard normal samples with `x`'s shape, dtype and backend. @example tg.randnLike(tg.zeros([2, 3])) */
export function randnLike(x: Tensor, opts?: RandomOptions): Tensor {
  return randn(...like('randnLike', arguments, { x: 'tensor', opts: RANDOM_KEYS }, true));
}

/** A generator option must be a tg.Generator (a plain seed number would otherwise be ignored). */
function checkGenerator(op: string, g: unknown): void {
  if (g !== undefined && !(g instanceof Object && typeof (g as Generator).uniform === 'function' && typeof (g as Generator).normal === 'function')) {
    throw new TensorError(`${op}: generator must be a tg.Generator (e.g. new tg.Generator(0)), got ${describeArg(g)}`);
  }
}
