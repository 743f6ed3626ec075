import { Module } from '../module.js';
import { Parameter } from '../parameter.js';
import { instanceNorm } from '../../ops/instance-norm.js';
import { squeeze, unsqueeze } from '../../ops/movement.js';
import { TensorError, fmtShape } from '../../tensor/errors.js';
import { ones, zeros } from '../../tensor/create.js';
import { noGrad } from '../../autograd/engine.js';
import { Tensor } from '../../tensor/tensor.js';
import type { DType } from '../../tensor/dtype.js';

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

const OPTION_KEYS = ['eps', 'momentum', 'affine', 'trackRunningStats', 'dtype'];

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
  constructor(readonly numFeatures: number, private readonly spatial: number, opts: InstanceNormLayerOptions = {}) {
    super();
    const name = this.constructor.name;
    if (typeof numFeatures !== 'number' || !Number.isInteger(numFeatures) || numFeatures <= 0) {
      throw new TensorError(`${name}: numFeatures must be a positive integer (got ${String(numFeatures)})`);
    }
    if (opts === null || typeof opts !== 'object' || Array.isArray(opts)) {
      throw new TensorError(`${name}: options must be an object such as { affine: true } (got ${JSON.stringify(opts)}); call new nn.${name}(${numFeatures}, { eps, momentum, affine, trackRunningStats })`);
    }
    const unknown = Object.keys(opts).filter((k) => !OPTION_KEYS.includes(k));
    if (unknown.length) throw new TensorError(`${name}: unknown option(s) ${unknown.join(', ')} (expected ${OPTION_KEYS.join(', ')})`);
    this.eps = opts.eps ?? 1e-5;
    this.momentum = opts.momentum ?? 0.1;
    this.affine = opts.affine ?? false;
    this.trackRunningStats = opts.trackRunningStats ?? false;
    if (typeof this.eps !== 'number' || !Number.isFinite(this.eps) || this.eps < 0) throw new TensorError(`${name}: eps must be a finite number >= 0 (got ${String(this.eps)})`);
    if (typeof this.momentum !== 'number' || !Number.isFinite(this.momentum)) throw new TensorError(`${name}: momentum must be a finite number (got ${String(this.momentum)})`);
    for (const k of ['affine', 'trackRunningStats'] as const) {
      if (typeof this[k] !== 'boolean') throw new TensorError(`${name}: ${k} must be true or false (got ${JSON.stringify(this[k])})`);
    }
    const dtype = opts.dtype ?? 'float32';
    this.weight = this.affine ? new Parameter(ones([numFeatures], { dtype })) : null;
    this.bias = this.affine ? new Parameter(zeros([numFeatures], { dtype })) : null;
    if (this.trackRunningStats) {
      this.registerBuffer('running_mean', zeros([numFeatures], { dtype }));
      this.registerBuffer('running_var', ones([numFeatures], { dtype }));
      this.registerBuffer('num_batches_tracked', zeros([], { dtype: 'int32' }));
    }
  }

  get runningMean(): Tensor | null { return this.trackRunningStats ? this.getBuffer('running_mean') : null; }
  get runningVar(): Tensor | null { return this.trackRunningStats ? this.getBuffer('running_var') : null; }

  /** Resets running statistics to mean 0, variance 1. */
  resetRunningStats(): void {
    if (!this.trackRunningStats) return;
    noGrad(() => {
      this.getBuffer('running_mean')!.zero_();
      this.getBuffer('running_var')!.fill_(1);
      this.getBuffer('num_batches_tracked')!.zero_();
    });
  }

  forward(x: Tensor): Tensor {
    const name = this.constructor.name;
    const k = this.spatial;
    if (!(x instanceof Tensor)) throw new TensorError(`${name}: input must be a Tensor (got ${typeof x})`);
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
  constructor(numFeatures: number, opts?: InstanceNormLayerOptions) { super(numFeatures, 1, opts); }
}
/** Instance norm over `[N, C, H, W]` (or unbatched `[C, H, W]`), e.g. style transfer. @example new nn.InstanceNorm2d(64, { affine: true }) */
export class InstanceNorm2d extends InstanceNormNd {
  constructor(numFeatures: number, opts?: InstanceNormLayerOptions) { super(numFeatures, 2, opts); }
}
/** Instance norm over `[N, C, D, H, W]` (or unbatched `[C, D, H, W]`). @example new nn.InstanceNorm3d(8) */
export class InstanceNorm3d extends InstanceNormNd {
  constructor(numFeatures: number, opts?: InstanceNormLayerOptions) { super(numFeatures, 3, opts); }
}
