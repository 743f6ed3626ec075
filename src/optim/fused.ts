/**
 * When the optimizers can hand a step to a backend's fused update kernel
 * (FusedKernels.sgdStep / adamStep, looked up with fusedKernels in
 * src/ops/fused.ts): every tensor involved is a whole, contiguous float
 * tensor (offset 0, covering its storage) of one dtype on one backend, as
 * parameters, their gradients and state created by the optimizers are.
 * Anything else takes the tensor-op path, which defines the rule.
 */
import type { Tensor } from '../tensor/tensor.js';

function whole(t: Tensor): boolean {
  return t.offset === 0 && t._storage.length === t.numel() && t.isContiguous();
}

/**
 * True when `p` and `others` (null entries skipped) can go through one fused kernel call.
 * @example if (kernel && fusable(p, grad, state.momentumBuffer)) kernel(p._storage, ...);
 */
export function fusable(p: Tensor, ...others: (Tensor | null | undefined)[]): boolean {
  if ((p.dtype !== 'float32' && p.dtype !== 'float64') || !whole(p)) return false;
  return others.every((t) => !t || (t.dtype === p.dtype && t.backend === p.backend && t.numel() === p.numel() && whole(t)));
}
