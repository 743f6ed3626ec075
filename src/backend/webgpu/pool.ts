import type { AdaptivePoolParams, AvgPoolParams, PoolParams } from '../backend.js';
import { TensorError } from '../../core/errors.js';
import type { GpuContext } from './context.js';
import type { GpuStorage } from './storage.js';

const todo = (op: string): never => { throw new TensorError(`webgpu backend: ${op} is not implemented yet`); };
export function maxPool(_ctx: GpuContext, _x: GpuStorage, _p: PoolParams, _withIndices: boolean): { out: GpuStorage; indices: GpuStorage | null } { return todo('maxPool'); }
export function maxPoolBackward(_ctx: GpuContext, _gy: GpuStorage, _idx: GpuStorage, _planes: number, _outPlane: number, _inPlane: number): GpuStorage { return todo('maxPoolBackward'); }
export function avgPool(_ctx: GpuContext, _x: GpuStorage, _p: AvgPoolParams): GpuStorage { return todo('avgPool'); }
export function avgPoolBackward(_ctx: GpuContext, _gy: GpuStorage, _p: AvgPoolParams): GpuStorage { return todo('avgPoolBackward'); }
export function adaptiveAvgPool(_ctx: GpuContext, _x: GpuStorage, _p: AdaptivePoolParams): GpuStorage { return todo('adaptiveAvgPool'); }
export function adaptiveAvgPoolBackward(_ctx: GpuContext, _gy: GpuStorage, _p: AdaptivePoolParams): GpuStorage { return todo('adaptiveAvgPoolBackward'); }
export function adaptiveMaxPool(_ctx: GpuContext, _x: GpuStorage, _p: AdaptivePoolParams): { out: GpuStorage; indices: GpuStorage } { return todo('adaptiveMaxPool'); }
