import { TensorError } from './errors.js';
/** Element types. `bool` is stored one byte per element (0/1). */
export type DType = 'float32' | 'float64' | 'int32' | 'bool';

/** The flat host arrays that hold each dtype's elements: Float32Array, Float64Array, Int32Array, Uint8Array (bool, 0/1). */
export type TypedArray = Float32Array | Float64Array | Int32Array | Uint8Array;

export const DTYPES: readonly DType[] = ['float32', 'float64', 'int32', 'bool'];

export function isDType(x: unknown): x is DType {
  return typeof x === 'string' && (DTYPES as readonly string[]).includes(x);
}

export function isFloating(dtype: DType): boolean {
  return dtype === 'float32' || dtype === 'float64';
}

/**
 * Allocates a zero-filled typed array of the dtype's element type.
 * Throws a TensorError (never a raw TypeError/RangeError) for an unknown dtype,
 * a size that is not a non-negative integer, or an array the engine cannot allocate.
 */
export function typedArrayFor(dtype: DType, size: number): TypedArray {
  if (!Number.isSafeInteger(size) || size < 0) throw new TensorError(`alloc: the element count must be a non-negative integer (got ${size}, dtype ${dtype})`);
  try {
    switch (dtype) {
      case 'float32': return new Float32Array(size);
      case 'float64': return new Float64Array(size);
      case 'int32': return new Int32Array(size);
      case 'bool': return new Uint8Array(size);
    }
  } catch (e) {
    throw new TensorError(`alloc: cannot allocate ${size} elements of ${dtype} (${(e as Error).message})`);
  }
  throw new TensorError(`alloc: unknown dtype ${JSON.stringify(dtype)} (supported: ${DTYPES.join(', ')})`);
}

/** Copies (and converts) any array-like of numbers into the dtype's typed array. */
export function toTypedArray(dtype: DType, values: ArrayLike<number>): TypedArray {
  const out = typedArrayFor(dtype, values.length);
  if (dtype === 'bool') {
    for (let i = 0; i < values.length; i++) out[i] = values[i] ? 1 : 0;
  } else if (dtype === 'int32') {
    for (let i = 0; i < values.length; i++) out[i] = Math.trunc(values[i]!);
  } else {
    out.set(values as ArrayLike<number>);
  }
  return out;
}

const RANK: Record<DType, number> = { bool: 0, int32: 1, float32: 2, float64: 3 };

/** PyTorch-style type promotion between two tensors: bool < int32 < float32 < float64. */
export function promoteTypes(a: DType, b: DType): DType {
  return RANK[a] >= RANK[b] ? a : b;
}

/**
 * Result dtype of `tensor op scalar`: a scalar never widens a tensor's category
 * beyond what it needs (float32 + 0.5 stays float32; int32 + 0.5 becomes float32).
 */
export function promoteWithScalar(t: DType, scalar: number | boolean): DType {
  if (typeof scalar === 'boolean') return t;
  if (!Number.isInteger(scalar)) return isFloating(t) ? t : 'float32';
  return t === 'bool' ? 'int32' : t;
}

/**
 * An IEEE 754 half-precision bit pattern as a number (exact: every half is a float64).
 * Shared by the file readers (safetensors F16, numpy <f2, ONNX float16).
 * @example halfToNumber(0x3c00) // 1
 */
export function halfToNumber(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}
