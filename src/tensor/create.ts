import type { Backend } from '../backend/backend.js';
import { getBackend } from '../backend/current.js';
import type { DType, TypedArray } from './dtype.js';
import { isDType, isFloating, toTypedArray, typedArrayFor } from './dtype.js';
import { TensorError, fmtShape } from './errors.js';
import { checkShape, numel } from './shape.js';
import type { Shape } from './shape.js';
import { Tensor, type NestedArray } from './tensor.js';
import { defaultGenerator, type Generator } from './random.js';

export interface CreateOptions {
  /** Element type (default float32; inferred from typed arrays and booleans by `tensor`). */
  dtype?: DType;
  requiresGrad?: boolean;
  /** Backend to create on (default: the current one). */
  backend?: Backend;
}

export interface RandomOptions extends CreateOptions {
  /** Generator to draw from (default: the global one seeded by manualSeed). */
  generator?: Generator;
}

function checkOpts(op: string, opts: CreateOptions): void {
  if (opts.dtype !== undefined && !isDType(opts.dtype)) {
    throw new TensorError(`${op}: unknown dtype '${String(opts.dtype)}' (expected float32, float64, int32 or bool)`);
  }
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
  checkOpts('tensor', opts);
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

/** A tensor of `shape` filled with `value`. */
export function full(shape: Shape, value: number | boolean, opts: CreateOptions = {}): Tensor {
  checkOpts('full', opts);
  checkShape('full', shape);
  const dtype = opts.dtype ?? (typeof value === 'boolean' ? 'bool' : 'float32');
  const values = typedArrayFor(dtype, numel(shape));
  values.fill(Number(value));
  return finish('full', values, shape, dtype, opts);
}

/** @example tg.zeros([2, 3]) */
export function zeros(shape: Shape, opts: CreateOptions = {}): Tensor {
  return full(shape, 0, opts);
}

/** @example tg.ones([2, 3], { dtype: 'float64' }) */
export function ones(shape: Shape, opts: CreateOptions = {}): Tensor {
  return full(shape, 1, opts);
}

/**
 * Values from `start` to `end` (exclusive) by `step`; `arange(n)` is 0..n-1.
 * Integer arguments give int32 unless a dtype is given, like PyTorch.
 */
export function arange(start: number, end?: number, step = 1, opts: CreateOptions = {}): Tensor {
  checkOpts('arange', opts);
  const [s, e] = end === undefined ? [0, start] : [start, end];
  if (step === 0 || !Number.isFinite(step)) throw new TensorError(`arange: step must be a non-zero finite number (got ${step})`);
  const n = Math.max(0, Math.ceil((e - s) / step));
  const dtype = opts.dtype ?? ([s, e, step].every(Number.isInteger) ? 'int32' : 'float32');
  const values = Array.from({ length: n }, (_, i) => s + i * step);
  return finish('arange', toTypedArray(dtype, values), [n], dtype, opts);
}

/** `steps` evenly spaced values from `start` to `end` inclusive. */
export function linspace(start: number, end: number, steps: number, opts: CreateOptions = {}): Tensor {
  checkOpts('linspace', opts);
  if (!Number.isInteger(steps) || steps < 0) throw new TensorError(`linspace: steps must be a non-negative integer (got ${steps})`);
  const dtype = opts.dtype ?? 'float32';
  const values = Array.from({ length: steps }, (_, i) => (steps === 1 ? start : start + ((end - start) * i) / (steps - 1)));
  return finish('linspace', toTypedArray(dtype, values), [steps], dtype, opts);
}

/** n x m identity matrix (m defaults to n). */
export function eye(n: number, m = n, opts: CreateOptions = {}): Tensor {
  checkOpts('eye', opts);
  checkShape('eye', [n, m]);
  const dtype = opts.dtype ?? 'float32';
  const values = typedArrayFor(dtype, n * m);
  for (let i = 0; i < Math.min(n, m); i++) values[i * m + i] = 1;
  return finish('eye', values, [n, m], dtype, opts);
}

function randomTensor(op: string, shape: Shape, opts: RandomOptions, draw: (g: Generator) => number): Tensor {
  checkOpts(op, opts);
  checkShape(op, shape);
  const dtype = opts.dtype ?? 'float32';
  if (!isFloating(dtype)) throw new TensorError(`${op}: dtype must be float32 or float64 (got ${dtype})`);
  const g = opts.generator ?? defaultGenerator;
  const values = typedArrayFor(dtype, numel(shape));
  for (let i = 0; i < values.length; i++) values[i] = draw(g);
  return finish(op, values, shape, dtype, opts);
}

/** Uniform samples in [0, 1). */
export function rand(shape: Shape, opts: RandomOptions = {}): Tensor {
  return randomTensor('rand', shape, opts, (g) => g.uniform());
}

/** Standard normal samples. */
export function randn(shape: Shape, opts: RandomOptions = {}): Tensor {
  return randomTensor('randn', shape, opts, (g) => g.normal());
}

/** Uniform integers in [low, high) (int32 by default). */
export function randint(low: number, high: number, shape: Shape, opts: RandomOptions = {}): Tensor {
  checkOpts('randint', opts);
  checkShape('randint', shape);
  if (!Number.isInteger(low) || !Number.isInteger(high) || high <= low) {
    throw new TensorError(`randint: expected integers low < high (got low ${low}, high ${high})`);
  }
  const g = opts.generator ?? defaultGenerator;
  const dtype = opts.dtype ?? 'int32';
  const values = typedArrayFor(dtype, numel(shape));
  for (let i = 0; i < values.length; i++) values[i] = g.randint(low, high);
  return finish('randint', values, shape, dtype, opts);
}

/** A random permutation of 0..n-1 (int32). */
export function randperm(n: number, opts: RandomOptions = {}): Tensor {
  const g = opts.generator ?? defaultGenerator;
  const values = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = g.randint(0, i + 1);
    [values[i], values[j]] = [values[j]!, values[i]!];
  }
  return finish('randperm', values, [n], 'int32', { ...opts, dtype: 'int32' });
}

const like = (x: Tensor, opts: CreateOptions): CreateOptions => ({ dtype: x.dtype, backend: x.backend, ...opts });

export const zerosLike = (x: Tensor, opts: CreateOptions = {}): Tensor => zeros(x.shape, like(x, opts));
export const onesLike = (x: Tensor, opts: CreateOptions = {}): Tensor => ones(x.shape, like(x, opts));
export const fullLike = (x: Tensor, value: number, opts: CreateOptions = {}): Tensor => full(x.shape, value, like(x, opts));
export const randLike = (x: Tensor, opts: RandomOptions = {}): Tensor => rand(x.shape, like(x, opts));
export const randnLike = (x: Tensor, opts: RandomOptions = {}): Tensor => randn(x.shape, like(x, opts));
