import type { Layout, ReduceOp } from '../backend.js';
import type { DType } from '../../core/dtype.js';
import { TensorError } from '../../core/errors.js';
import type { GpuContext } from './context.js';
import type { GpuStorage } from './storage.js';

export function reduce(_ctx: GpuContext, op: ReduceOp, _x: GpuStorage, _xl: Layout, _axes: readonly number[], _out: DType): GpuStorage {
  throw new TensorError(`webgpu backend: reduce ${op} is not implemented yet`);
}
