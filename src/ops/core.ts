import { allocForOverwrite, type Backend, type Layout } from '../backend/backend.js';
import { getBackend } from '../backend/current.js';
import type { DType } from '../core/dtype.js';
import { toTypedArray } from '../core/dtype.js';
import { TensorError } from '../core/errors.js';
import type { Shape } from '../core/shape.js';
import { Tensor, type TensorLike } from '../tensor/tensor.js';

/** A contiguous tensor of `shape` holding host `values` on `backend` (index and weight tables of composites). */
export function fromHost(values: ArrayLike<number>, shape: Shape, dtype: DType, backend: Backend): Tensor {
  return Tensor._fromStorage(backend.fromArray(dtype, toTypedArray(dtype, values)), [...shape], dtype);
}

/** A 0-d tensor holding `value` on `backend`. */
export function scalar(value: number, dtype: DType, backend: Backend = getBackend()): Tensor {
  return fromHost([value], [], dtype, backend);
}

/** A contiguous tensor of `shape` filled with `value`. */
export function filled(shape: Shape, value: number, dtype: DType, backend: Backend = getBackend()): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  // +0 comes from alloc's zero fill; any other value (-0 included) is written over every element by fill.
  const zero = Object.is(value, 0);
  const s = zero ? backend.alloc(dtype, n) : allocForOverwrite(backend, dtype, n);
  const t = Tensor._fromStorage(s, [...shape], dtype);
  if (!zero) backend.fill(s, t.layout, value);
  return t;
}

/** Turns a number operand into a 0-d tensor beside `like`. */
export function asTensor(x: TensorLike, like: Tensor, dtype: DType): Tensor {
  if (x instanceof Tensor) return x;
  return scalar(typeof x === 'boolean' ? Number(x) : x, dtype, like.backend);
}

/** The layout of `t` broadcast to `shape` (stride 0 on new and size-1 dims). */
export function broadcastLayout(t: Tensor, shape: Shape): Layout {
  const lead = shape.length - t.ndim;
  const strides = shape.map((d, i) => {
    if (i < lead) return 0;
    const own = t.shape[i - lead]!;
    return own === d ? t.strides[i - lead]! : 0;
  });
  return { shape, strides, offset: t.offset };
}

/** Throws unless all tensors live on one backend; returns it. */
export function sameBackend(op: string, ...ts: Tensor[]): Backend {
  const b = ts[0]!.backend;
  for (const t of ts) {
    if (t.backend !== b) throw new TensorError(`${op}: tensors are on different backends ('${b.name}' and '${t.backend.name}'); move them with tg.toBackend`);
  }
  return b;
}

/** Throws unless every tensor has a floating dtype. */
export function requireFloat(op: string, ...ts: Tensor[]): void {
  for (const t of ts) {
    if (t.dtype !== 'float32' && t.dtype !== 'float64') {
      throw new TensorError(`${op}: expected a floating-point tensor (float32 or float64) but got ${t.dtype} of shape [${t.shape.join(',')}]`);
    }
  }
}
