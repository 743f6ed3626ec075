import type { Layout } from '../backend.js';
import { TensorError } from '../../core/errors.js';
import type { GpuContext } from './context.js';
import type { GpuStorage } from './storage.js';

export function gather(_ctx: GpuContext, _x: GpuStorage, _xl: Layout, _dim: number, _index: GpuStorage, _il: Layout): GpuStorage {
  throw new TensorError('webgpu backend: gather is not implemented yet');
}
export function scatterAdd(_ctx: GpuContext, _dst: GpuStorage, _dstShape: readonly number[], _dim: number, _index: GpuStorage, _il: Layout, _src: GpuStorage, _sl: Layout): void {
  throw new TensorError('webgpu backend: scatterAdd is not implemented yet');
}
