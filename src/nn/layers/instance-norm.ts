import { Module } from '../module.js';
import { registerRunningStats, resetRunningStats } from './running-stats.js';
import { Parameter } from '../parameter.js';
import { instanceNorm } from '../../ops/instance-norm.js';
import { squeeze, unsqueeze } from '../../ops/movement.js';
import { TensorError, fmtShape } from '../../core/errors.js';
import { ones, zeros } from '../../tensor/create.js';
import { Tensor } from '../../tensor/tensor.js';
import type { DType } from '../../core/dtype.js';
import { checkBool, checkInt, checkRange, describeArg, positionalOptions } from '../../tensor/args.js';
import { checkDtypeOption } from './args.js';

export interface InstanceNormLayerOptions {
  /** Added to the variance (default 1e-5). */
  eps?: number;
  /** Running-average factor (default 0.1). */
  momentum?: number;
  /** Learnable per-channel weight and bias (default false, as PyTorch). */
  affine?: boolean;
  /** Keep running mean/variance and use them in eval mode (default false, as PyTorch). */
  trackRunningStats?: boolean;
  dtype?: DType;
}

const POSITIONAL = ['eps', 'momentum', 'affine', 'trackRunningStats'] as const;
const OPTION_KEYS = [...POSITIONAL, 'dtype'];

/** After numFeatures: PyTorch's positional (eps, momentum, affine, trackRunningStats) and/or an options object. */
export type InstanceNormLayerArgs =
  [eps?: number | InstanceNormLayerOptions, momentum?: number | InstanceNormLayerOptions, affine?: boolean | InstanceNormLayerOptions,
   trackRunningStats?: boolean | InstanceNormLayerOptions, opts?: InstanceNormLayerOptions];

/**
 * Shared instance normalisation over channel dim 1 (PyTorch's _InstanceNorm):
 * each channel of each sample is normalised over its own spatial positions.
 * Buffers, when tracked, use PyTorch's state-dict names running_mean,
 * running_var and num_batches_tracked (kept for key compatibility; PyTorch
 * does not advance it for instance norm either).
 */
abstract class InstanceNormNd extends Module {
  weight: Parameter | null;
  bias: Parameter | null;
  readonly eps: number;
  readonly momentum: number;
  readonly affine: boolean;
  readonly trackRunningStats: boolean;

  /** `spatial`: the number of spatial dims (1, 2 or 3). */
  constructor(readonly numFeatures: number, private readonly spatial: number, rest: InstanceNormLayerArgs) {
    super();
    const name = this.constructor.name;
    checkInt(name, 'numFeatures', numFeatures, 1);
    const opts = positionalOptions(name, rest, POSITIONAL, OPTION_KEYS) as InstanceNormLayerOptions;
    this.eps = checkRange(name, 'eps', opts.eps ?? 1e-5, 0);
    this.momentum = checkRange(name, 'momentum', opts.momentum ?? 0.1);
    this.affine = checkBool(name, 'affine', opts.affine ?? false);
    this.trackRunningStats = checkBool(name, 'trackRunningStats', opts.trackRunningStats ?? false);
    checkDtypeOption(name, opts.dtype);
    const dtype = opts.dtype ?? 'float32';
    this.weight = this.affine ? new Parameter(ones([numFeatures], { dtype })) : null;
    this.bias = this.affine ? new Parameter(zeros([numFeatures], { dtype })) : null;
    if (this.trackRunningStats) {
      registerRunningStats(this, numFeatures, dtype);
    }
  }

  get runningMean(): Tensor | null { return this.trackRunningStats ? this.getBuffer('running_mean') : null; }
  get runningVar(): Tensor | null { return this.trackRunningStats ? this.getBuffer('running_var') : null; }

  /** Resets running statistics to mean 0, variance 1. */
  resetRunningStats(): void {
    if (this.trackRunningStats) resetRunningStats(this);
  }

  forward(x: Tensor): Tensor {
    const name = this.constructor.name;
    const k = this.spatial;
    if (!(x instanceof Tensor)) throw new TensorError(`${name}: input must be a Tensor (got ${describeArg(x)})`);
    if (x.ndim !== k + 1 && x.ndim !== k + 2) {
      throw new TensorError(`${name}: expected a ${k + 1}-D (unbatched) or ${k + 2}-D input [N, C, ${k === 1 ? 'L' : k === 2 ? 'H, W' : 'D, H, W'}] (got input ${fmtShape(x.shape)})`);
    }
    const batched = x.ndim === k + 2;
    const c = x.shape[batched ? 1 : 0]!;
    if (c !== this.numFeatures) {
      throw new TensorError(`${name}: input has ${c} channels but the layer has numFeatures ${this.numFeatures} (input ${fmtShape(x.shape)})`);
    }
    const y = instanceNorm(batched ? x : unsqueeze(x, 0), this.runningMean, this.runningVar, this.weight, this.bias, {
      // Instance statistics in training, or whenever there are no running stats to use (as PyTorch).
      useInputStats: this.training || !this.trackRunningStats, momentum: this.momentum, eps: this.eps,
    });
    return batched ? y : squeeze(y, 0);
  }

  override extraRepr(): string {
    return `${this.numFeatures}, eps=${this.eps}, momentum=${this.momentum}, affine=${this.affine}, trackRunningStats=${this.trackRunningStats}`;
  }
}

/** Instance norm over `[N, C, L]` (or unbatched `[C, L]`). @example new nn.InstanceNorm1d(16) */
export class InstanceNorm1d extends InstanceNormNd {
  constructor(numFeatures: number, ...rest: InstanceNormLayerArgs) { super(numFeatures, 1, rest); }
}
/**
 * Instance norm over `[N, C, H, W]` (or unbatched `[C, H, W]`), e.g. style transfer.
 * @example new nn.InstanceNorm2d(64, { affine: true }); new nn.InstanceNorm2d(64, 1e-5, 0.1, true) // PyTorch's positional form
 */
export class InstanceNorm2d extends InstanceNormNd {
  constructor(numFeatures: number, ...rest: InstanceNormLayerArgs) { super(numFeatures, 2, rest); }
}
/** Instance norm over `[N, C, D, H, W]` (or unbatched `[C, D, H, W]`). @example new nn.InstanceNorm3d(8) */
export class InstanceNorm3d extends InstanceNormNd {
  constructor(numFeatures: number, ...rest: InstanceNormLayerArgs) { super(numFeatures, 3, rest); }
}
