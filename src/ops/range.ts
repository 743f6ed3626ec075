import type { Backend } from '../backend/backend.js';
import type { DType } from '../tensor/dtype.js';
import { toTypedArray } from '../tensor/dtype.js';
import { Tensor } from '../tensor/tensor.js';

/** 0, 1, ..., n-1 on a given backend. @internal */
export function arangeOn(n: number, dtype: DType, backend: Backend): Tensor {
  const vals = Array.from({ length: n }, (_, i) => i);
  return Tensor._fromStorage(backend.fromArray(dtype, toTypedArray(dtype, vals)), [n], dtype);
}
