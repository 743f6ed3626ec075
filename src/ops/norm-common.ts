import { noGrad } from '../tensor/graph.js';
import type { Tensor } from '../tensor/tensor.js';
import { reshape } from './movement.js';

/*
 * Internal helpers of the normalisation composites (norm.ts, instance-norm.ts),
 * kept out of norm.ts so that `export * from '../ops/norm.js'` in
 * nn/functional.ts does not leak them into tg.F.
 */

/**
 * x - mean(x) over `dims`. In float32 the mean of inputs far from zero (~1000) is off by up to
 * half an ulp of the mean (3e-5), which would shift every normalised output by that much; a
 * second pass subtracts the mean of the centred values, which are small and exact
 * (Sterbenz), so the result is centred to float32 rounding. Idempotent in exact arithmetic,
 * so the gradient is unchanged. float64 needs no second pass.
 * Shapes: x any; dims the reduced dims; result as x.
 * @example centre(x, [2, 3])   // x [N, C, H, W]: each (n, c) plane centred
 * @internal
 */
export function centre(x: Tensor, dims: number | number[]): Tensor {
  const c = x.sub(x.mean(dims, true));
  return x.dtype === 'float64' ? c : c.sub(c.mean(dims, true));
}

/**
 * running = (1 - momentum)·running + momentum·batch, in place and without gradient, with the
 * unbiased batch variance (PyTorch). `mean` and `varBiased` are `[C]`; `count` the values per statistic.
 * @internal
 */
export function updateRunningStats(runningMean: Tensor, runningVar: Tensor, mean: Tensor, varBiased: Tensor, momentum: number, count: number): void {
  noGrad(() => {
    const batchVar = varBiased.mul(count / (count - 1));
    runningMean.copy_(runningMean.mul(1 - momentum).add(mean.detach().mul(momentum)));
    runningVar.copy_(runningVar.mul(1 - momentum).add(batchVar.detach().mul(momentum)));
  });
}

/** `y * weight + bias` with the optional parameters reshaped to `shape` for broadcasting. @internal */
export function affine(y: Tensor, weight: Tensor | null | undefined, bias: Tensor | null | undefined, shape: readonly number[]): Tensor {
  let out = y;
  if (weight != null) out = out.mul(reshape(weight, shape));
  if (bias != null) out = out.add(reshape(bias, shape));
  return out;
}
