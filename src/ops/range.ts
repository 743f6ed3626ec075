import type { Backend } from '../backend/backend.js';
import type { DType } from '../core/dtype.js';
import type { Tensor } from '../tensor/tensor.js';
import { fromHost } from './core.js';

/** 0, 1, ..., n-1 on a given backend. @internal */
export function arangeOn(n: number, dtype: DType, backend: Backend): Tensor {
  return fromHost(Array.from({ length: n }, (_, i) => i), [n], dtype, backend);
}
