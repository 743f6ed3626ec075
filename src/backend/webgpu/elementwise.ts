import type { BinaryOp, Layout, UnaryOp } from '../backend.js';
import type { DType } from '../../core/dtype.js';
import { TensorError } from '../../core/errors.js';
import type { GpuContext } from './context.js';
import type { GpuStorage } from './storage.js';

const todo = (op: string): never => { throw new TensorError(`webgpu backend: ${op} is not implemented yet`); };
export function unary(_ctx: GpuContext, op: UnaryOp, _x: GpuStorage, _xl: Layout, _out: DType): GpuStorage { return todo(op); }
export function binary(_ctx: GpuContext, op: BinaryOp, _a: GpuStorage, _al: Layout, _b: GpuStorage, _bl: Layout, _out: DType): GpuStorage { return todo(op); }
export function where(_ctx: GpuContext, _c: GpuStorage, _cl: Layout, _a: GpuStorage, _al: Layout, _b: GpuStorage, _bl: Layout, _out: DType): GpuStorage { return todo('where'); }
