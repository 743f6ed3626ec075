import type { Tensor } from '../tensor/tensor.js';

/*
 * Internal helper of the normalisation composites, kept out of norm.ts so that
 * `export * from '../ops/norm.js'` in nn/functional.ts does not leak it into tg.F.
 */

/**
 * x - mean(x) over `dims`. In float32 the mean of inputs far from zero (~1000) is off by up to
 * half an ulp of the mean (3e-5), which would shift every normalised output by that much; a
 * second pass subtracts the mean of the centred values, which are small and exact
 * (Sterbenz), so the result is centred to float32 rounding. Idempotent in exact arithmetic,
 * so the gradient is unchanged. float64 needs no second pass.
 * Shapes: x any; dims the reduced dims; result as x.
 * @example centre(x, [2, 3])   // x [N, C, H, W]: each (n, c) plane centred
 * @internal for the normalisation composites (norm.ts, instance-norm.ts); not re-exported by tg.F
 */
export function centre(x: Tensor, dims: number | number[]): Tensor {
  const c = x.sub(x.mean(dims, true));
  return x.dtype === 'float64' ? c : c.sub(c.mean(dims, true));
}
