/**
 * The WebGPU backend's optional fused kernels (see FusedKernels in
 * ../backend.ts). Each declines (null/false) what it does not handle.
 */
import type { FusedKernels } from '../backend.js';
import type { GpuContext } from './context.js';

export function webgpuFusedKernels(_ctx: GpuContext): FusedKernels {
  return {};
}
