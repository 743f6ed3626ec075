import { zeros } from '../../tensor/create.js';
import type { DType } from '../../tensor/dtype.js';
import type { Tensor } from '../../tensor/tensor.js';

/** Storage for a parameter that its layer's resetParameters() fills right after. */
export function empty(shape: readonly number[], dtype: DType = 'float32'): Tensor {
  return zeros(shape, { dtype });
}
