import type { Layout } from '../backend.js';
import type { DType } from '../../core/dtype.js';
import { TensorError } from '../../core/errors.js';
import type { GpuContext } from './context.js';
import type { GpuStorage } from './storage.js';

export function matmul(_ctx: GpuContext, _a: GpuStorage, _al: Layout, _b: GpuStorage, _bl: Layout, _out: DType): GpuStorage {
  throw new TensorError('webgpu backend: matmul is not implemented yet');
}
