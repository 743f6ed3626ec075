import type { ConvParams } from '../backend.js';
import { TensorError } from '../../core/errors.js';
import type { GpuContext } from './context.js';
import type { GpuStorage } from './storage.js';

const todo = (op: string): never => { throw new TensorError(`webgpu backend: ${op} is not implemented yet`); };
export function conv(_ctx: GpuContext, _x: GpuStorage, _w: GpuStorage, _p: ConvParams): GpuStorage { return todo('conv'); }
export function convBackwardInput(_ctx: GpuContext, _gy: GpuStorage, _w: GpuStorage, _p: ConvParams): GpuStorage { return todo('convBackwardInput'); }
export function convBackwardWeight(_ctx: GpuContext, _x: GpuStorage, _gy: GpuStorage, _p: ConvParams): GpuStorage { return todo('convBackwardWeight'); }
