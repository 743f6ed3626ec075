import type { Backend } from '../backend/backend.js';
import { findBackend } from '../backend/current.js';
import { record } from '../tensor/graph.js';
import { DTYPES, isDType, isFloating, type DType, type TypedArray } from '../core/dtype.js';
import { TensorError, fmtShape } from '../core/errors.js';
import { Tensor } from '../tensor/tensor.js';
import { cast } from './elementwise.js';
import { checkArgs } from '../tensor/args.js';

/** What `x.to(...)` accepts besides a dtype string: PyTorch's keyword form `x.to(dtype=...)`. */
export interface ToOptions {
  /** The dtype to cast to. */
  dtype: DType;
}

/** Looks up a backend by object or built-in name (TensorError naming `toBackend` otherwise). */
function resolve(backend: Backend | string): Backend {
  if (typeof backend === 'string') return findBackend(backend, 'toBackend');
  const b = backend as Partial<Backend> | null;
  if (b === null || typeof b !== 'object' || typeof b.fromArray !== 'function' || typeof b.name !== 'string') {
    throw new TensorError(`toBackend: expected a backend name (e.g. 'reference' or 'wasm') or a Backend object, got ${describe(backend)}`);
  }
  return backend;
}

/**
 * A copy of `x` on another backend (the tensor itself if it is already there).
 * Differentiable: the gradient is copied back. A tensor computed on a GPU
 * backend cannot be read synchronously: move it with `await tg.toBackendAsync(x, name)`.
 * @example const y = tg.toBackend(x, 'reference');
 */
export function toBackend(x: Tensor, backend: Backend | string): Tensor {
  checkArgs('toBackend', arguments, { x: 'tensor', backend: 'any' });
  const target = resolve(backend);
  if (x.backend === target) return x;
  if (!x.isHostReadable()) {
    throw new TensorError(
      `toBackend: this ${x.dtype} tensor of shape ${fmtShape(x.shape)} was computed on the '${x.backend.name}' backend and cannot be read synchronously; ` +
        `use \`await tg.toBackendAsync(x, '${target.name}')\``,
    );
  }
  return landed(x, target, x.data());
}

/**
 * The asynchronous form of `toBackend`, for tensors computed on a GPU backend
 * (works on every backend). Differentiable like `toBackend`: the gradient is
 * copied back (in backward, which reads it synchronously).
 * @example const cpu = await tg.toBackendAsync(gpuResult, 'wasm');
 */
export async function toBackendAsync(x: Tensor, backend: Backend | string): Promise<Tensor> {
  checkArgs('toBackendAsync', arguments, { x: 'tensor', backend: 'any' });
  const target = resolve(backend);
  if (x.backend === target) return x;
  return landed(x, target, await x.dataAsync());
}

/** `x`'s elements `values` as a new tensor on `target`, recorded for the gradient. */
function landed(x: Tensor, target: Backend, values: TypedArray): Tensor {
  const out = Tensor._fromStorage(target.fromArray(x.dtype, values), x.shape, x.dtype);
  return isFloating(x.dtype) ? record('toBackend', [x], out, [], { backend: x.backend }) : out;
}

/**
 * `x` converted to a dtype, PyTorch's `x.to(...)`: the target is a dtype
 * string, `{dtype}` (PyTorch's keyword form), or another tensor (its dtype).
 * Returns `x` itself when it already has that dtype; differentiable between
 * floating dtypes. Same shape as `x`. Anything else (unknown dtype, a device
 * string such as 'cpu' or 'cuda', dtypes tensorgrad does not have) throws a
 * TensorError saying what to use.
 * @example const x = tg.tensor([1.5]); x.to('float64'); x.to({ dtype: 'int32' }); x.to(tg.arange(2)); // int32 [1]
 */
export function to(x: Tensor, target: DType | ToOptions | Tensor): Tensor {
  return cast(x, targetDtype(target));
}

/** Device names PyTorch users pass to `to()` (tensorgrad has backends instead). */
const DEVICES = /^(cpu|cuda|mps|xpu|meta|gpu|tpu|vulkan|opengl|hip|ipu|xla|lazy)(:\d+)?$/i;
/** Dtypes tensorgrad does not have, with the one to use instead. */
const UNSUPPORTED: Record<string, DType> = {
  int64: 'int32', long: 'int32', int16: 'int32', int8: 'int32', uint8: 'int32', short: 'int32', int: 'int32',
  float16: 'float32', half: 'float32', bfloat16: 'float32', float: 'float32',
  double: 'float64', complex64: 'float32', complex128: 'float64',
};
const METHOD: Record<DType, string> = { float32: 'x.float()', float64: 'x.double()', int32: 'x.int()', bool: 'x.bool()' };

function targetDtype(target: unknown): DType {
  if (target instanceof Tensor) return target.dtype;
  if (typeof target === 'string') return dtypeFromString(target);
  if (target !== null && typeof target === 'object' && !Array.isArray(target)) {
    const keys = Object.keys(target);
    if ('device' in target) throw deviceError(String((target as { device: unknown }).device));
    const extra = keys.filter((k) => k !== 'dtype');
    if (extra.length) throw new TensorError(`to: unknown option${extra.length > 1 ? 's' : ''} ${extra.join(', ')} (expected {dtype})`);
    if (!('dtype' in target)) throw new TensorError(`to: expected {dtype: ${DTYPES.map((d) => `'${d}'`).join(' | ')}}, got {}`);
    const d = (target as { dtype: unknown }).dtype;
    if (typeof d === 'string') return dtypeFromString(d);
    throw new TensorError(`to: dtype must be one of ${DTYPES.join(', ')}, got ${describe(d)}`);
  }
  throw new TensorError(`to: expected a dtype (${DTYPES.map((d) => `'${d}'`).join(', ')}), {dtype}, or a tensor, got ${describe(target)}`);
}

function dtypeFromString(s: string): DType {
  if (isDType(s)) return s;
  const name = s.replace(/^torch\./, '');
  if (isDType(name)) return fail(`to: write the dtype as '${name}' (got '${s}')`);
  const use = UNSUPPORTED[name.toLowerCase()];
  if (use) {
    return fail(`to: dtype '${s}' is not supported (tensorgrad has ${DTYPES.join(', ')}); use '${use}' (${METHOD[use]}${use === 'int32' ? ' or x.long()' : ''})`);
  }
  if (DEVICES.test(s)) throw deviceError(s);
  return fail(`to: unknown dtype '${s}' (supported: ${DTYPES.join(', ')}); to move a tensor to another backend use x.toBackend(name)`);
}

function deviceError(device: string): TensorError {
  return new TensorError(
    `to: '${device}' is a device; tensorgrad has no devices but backends: use x.toBackend('reference') or x.toBackend('wasm') to move a tensor, and x.to(dtype) to convert it`,
  );
}

function fail(message: string): never {
  throw new TensorError(message);
}

/** A value in words for error messages: `number 5`, `null`, `an array`. */
function describe(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'undefined';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return `'${v}'`;
  if (typeof v === 'object') return `an object with keys {${Object.keys(v).join(', ')}}`;
  return `${typeof v} ${String(v)}`;
}
