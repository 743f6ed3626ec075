import { getBackend } from '../../backend/current.js';
import type { DType } from '../../core/dtype.js';
import { checkShape, numel } from '../../core/shape.js';
import { Tensor } from '../../tensor/tensor.js';

/**
 * Zero-filled storage for a parameter that its layer's resetParameters() fills
 * right after, allocated on the current backend directly: no host array of the
 * full size on the way (VGG's 25088x4096 weight would be 411 MB), and nothing at
 * all on the meta backend that shape-only summaries use.
 * @example const w = empty([6, 1, 5, 5]);   // zeros, float32, on the current backend
 */
export function empty(shape: readonly number[], dtype: DType = 'float32'): Tensor {
  checkShape('empty', shape);
  return Tensor._fromStorage(getBackend().alloc(dtype, numel(shape)), [...shape], dtype);
}
