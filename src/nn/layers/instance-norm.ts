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

/** Options of InstanceNorm1d/2d/3d (PyTorch's keyword arguments, plus `dtype`). */
export interface InstanceNormLayerOptions {
  /** Added to the variance (default 1e-5). */
  eps?: number;
  /** Running-average factor (default 0.1). */
  momentum?: number;
  /** Learnable per-channel weight and bias (default false, as PyTorch). */
  affine?: boolean;
  /** Keep running mean/variance and use them in eval mode (default false, as PyTorch). */
  trackRunningStats?: boolean;
  /** Floating dtype of the weight, bias and running statistics. Default 'float32'. */
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
  /** The learnable per-channel scale `[numFeatures]` (ones at first), or null unless `affine`. */
  weight: Parameter | null;
  /** The learnable per-channel shift `[numFeatures]` (zeros at first), or null unless `affine`. */
  bias: Parameter | null;
  /** Added to the variance for numerical stability. Default 1e-5. */
  readonly eps: number;
  /** Running-average factor for the running statistics. Default 0.1. */
  readonly momentum: number;
  /** Whether the layer has a learnable weight and bias. Default false. */
  readonly affine: boolean;
  /** Whether running mean and variance are kept (and used in eval mode). Default false. */
  readonly trackRunningStats: boolean;

  /**
   * `spatial`: the number of spatial dims (1, 2 or 3).
   * @param numFeatures The number of channels C (dim 1 of the input).
   */
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

  /** The running mean `[numFeatures]` (buffer running_mean), or null unless trackRunningStats. */
  get runningMean(): Tensor | null { return this.trackRunningStats ? this.getBuffer('running_mean') : null; }
  /** The running variance `[numFeatures]` (buffer running_var), or null unless trackRunningStats. */
  get runningVar(): Tensor | null { return this.trackRunningStats ? this.getBuffer('running_var') : null; }

  /** Resets running statistics to mean 0, variance 1. */
  resetRunningStats(): void {
    if (this.trackRunningStats) resetRunningStats(this);
  }

  /**
   * Normalises each channel of each sample over its spatial positions ((x - mean) / sqrt(var + eps),
   * then weight and bias when affine). In training, or without running stats, uses the instance
   * statistics (updating the running ones when tracked); in eval with trackRunningStats, the running ones.
   * `[N, C, *spatial] -> [N, C, *spatial]` or unbatched `[C, *spatial]`; C must equal numFeatures.
   * @example new tg.nn.InstanceNorm2d(3).forward(tg.randn([2, 3, 8, 8]))
   */
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

/** Instance norm over `[N, C, L]` (or unbatched `[C, L]`), as torch.nn.InstanceNorm1d. @example new tg.nn.InstanceNorm1d(16) */
export class InstanceNorm1d extends InstanceNormNd {
  constructor(numFeatures: number, ...rest: InstanceNormLayerArgs) { super(numFeatures, 1, rest); }
}
/**
 * Instance norm over `[N, C, H, W]` (or unbatched `[C, H, W]`), e.g. style transfer, as torch.nn.InstanceNorm2d.
 * @example new tg.nn.InstanceNorm2d(64, { affine: true }); new tg.nn.InstanceNorm2d(64, 1e-5, 0.1, true) // PyTorch's positional form
 */
export class InstanceNorm2d extends InstanceNormNd {
  constructor(numFeatures: number, ...rest: InstanceNormLayerArgs) { super(numFeatures, 2, rest); }
}
/** Instance norm over `[N, C, D, H, W]` (or unbatched `[C, D, H, W]`), as torch.nn.InstanceNorm3d. @example new tg.nn.InstanceNorm3d(8) */
export class InstanceNorm3d extends InstanceNormNd {
  constructor(numFeatures: number, ...rest: InstanceNormLayerArgs) { super(numFeatures, 3, rest); }
}
