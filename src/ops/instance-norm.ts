import { noGrad } from '../tensor/graph.js';
import { describeArg, trailingOptions } from '../tensor/args.js';
import { TensorError, fmtShape } from '../core/errors.js';
import { Tensor } from '../tensor/tensor.js';
import { requireFloat, sameBackend } from './core.js';
import { cast, rsqrt } from './elementwise.js';
import { reshape } from './movement.js';
import { affine, centre, updateRunningStats } from './norm-common.js';

/** Options of `F.instanceNorm` (PyTorch's use_input_stats, momentum, eps). */
export interface InstanceNormOptions {
  /** Normalise with each instance's own statistics (default true); false uses runningMean/runningVar. */
  useInputStats?: boolean;
  /** Weight of the new statistic in the running averages (default 0.1). */
  momentum?: number;
  /** Added to the variance before the square root (default 1e-5). */
  eps?: number;
}

function checkOptional(op: string, name: string, t: unknown, c: number, input: Tensor): void {
  if (t == null) return;
  if (!(t instanceof Tensor)) throw new TensorError(`${op}: ${name} must be a Tensor or null (got ${describeArg(t)})`);
  if (t.ndim !== 1 || t.shape[0] !== c) {
    throw new TensorError(`${op}: ${name} must have shape [${c}] (one per channel) but has shape ${fmtShape(t.shape)} (input ${fmtShape(input.shape)})`);
  }
  sameBackend(op, input, t);
}

/**
 * Instance normalisation (`F.instance_norm`): each channel of each sample is
 * normalised by its own mean and biased variance over the spatial dims, then
 * scaled by `weight[c]` and shifted by `bias[c]`.
 *
 * With `useInputStats` (the default) and running statistics given, these are
 * updated in place (no gradient) as PyTorch does: `running = (1 - momentum) *
 * running + momentum * batchAverage`, averaging over the batch each instance's
 * mean and UNBIASED variance. With `useInputStats: false` the running
 * statistics normalise instead (evaluation of a layer that tracks them).
 *
 * Shapes: input `[N, C, *]` with at least one spatial dim; runningMean,
 * runningVar, weight, bias `[C]`; output as input. After bias: PyTorch's
 * positional (useInputStats, momentum, eps) and/or an options object.
 * @example
 * F.instanceNorm(x)                                        // x: [N, C, H, W]
 * F.instanceNorm(x, null, null, gamma, beta, { eps: 1e-3 })
 * F.instanceNorm(x, null, null, gamma, beta, true, 0.1, 1e-3)   // PyTorch's positional form
 */
export function instanceNorm(
  input: Tensor,
  runningMean?: Tensor | null,
  runningVar?: Tensor | null,
  weight?: Tensor | null,
  bias?: Tensor | null,
  ...rest: [opts?: InstanceNormOptions] | [useInputStats?: boolean, momentum?: number, eps?: number, opts?: InstanceNormOptions]
): Tensor {
  const op = 'instanceNorm';
  if (!(input instanceof Tensor)) throw new TensorError(`${op}: input must be a Tensor (got ${describeArg(input)})`);
  const opts = trailingOptions(op, [input, runningMean, runningVar, weight, bias, ...rest],
    { input: 'tensor', runningMean: 'any', runningVar: 'any', weight: 'any', bias: 'any' }, // checked against the input below
    { useInputStats: 'bool?', momentum: 'finite?', eps: 'finite?' }) as InstanceNormOptions;
  const { useInputStats = true, momentum = 0.1, eps = 1e-5 } = opts;
  requireFloat(op, input);
  if (input.ndim < 3) {
    throw new TensorError(`${op}: expected an input of shape [N, C, *] with at least one spatial dim (got input ${fmtShape(input.shape)})`);
  }
  if (eps < 0) throw new TensorError(`${op}: eps must be a finite number >= 0 (got ${eps})`);
  const [n, c] = [input.shape[0]!, input.shape[1]!];
  checkOptional(op, 'runningMean', runningMean, c, input);
  checkOptional(op, 'runningVar', runningVar, c, input);
  checkOptional(op, 'weight', weight, c, input);
  checkOptional(op, 'bias', bias, c, input);
  if ((runningMean == null) !== (runningVar == null)) throw new TensorError(`${op}: runningMean and runningVar must both be given or both be null`);

  const chanShape = input.shape.map((d, i) => (i === 1 ? d : 1));
  let y: Tensor;
  if (useInputStats) {
    const count = input.numel() / Math.max(n * c, 1);
    if (count <= 1 && input.numel() > 0) {
      throw new TensorError(`${op}: expected more than 1 spatial element per channel when using input statistics (input ${fmtShape(input.shape)})`);
    }
    const dims = input.shape.map((_, i) => i).slice(2);
    // Centre in two passes (see norm-common.ts): float32 inputs far from zero keep their precision.
    const centered = centre(input, dims);
    const varBiased = centered.square().mean(dims, true);
    if (runningMean != null && runningVar != null) {
      // Each instance's statistics averaged over the batch (copy_ casts to the buffers' dtype).
      const batchAverage = (t: Tensor) => noGrad(() => reshape(t, [n, c]).mean(0));
      updateRunningStats(runningMean, runningVar, batchAverage(input.mean(dims, true)), batchAverage(varBiased), momentum, count);
    }
    y = centered.mul(rsqrt(varBiased.add(eps)));
  } else {
    if (runningMean == null || runningVar == null) {
      throw new TensorError(`${op}: runningMean and runningVar are required when useInputStats is false (input ${fmtShape(input.shape)})`);
    }
    const mean = reshape(cast(runningMean, input.dtype), chanShape);
    y = input.sub(mean).mul(rsqrt(reshape(cast(runningVar, input.dtype), chanShape).add(eps)));
  }
  return affine(y, weight, bias, chanShape);
}
