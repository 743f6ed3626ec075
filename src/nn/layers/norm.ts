import { Module } from '../module.js';
import { Parameter } from '../parameter.js';
import * as N from '../../ops/norm.js';
import { TensorError, fmtShape } from '../../tensor/errors.js';
import { ones, zeros } from '../../tensor/create.js';
import { noGrad } from '../../autograd/engine.js';
import type { Tensor } from '../../tensor/tensor.js';
import type { DType } from '../../tensor/dtype.js';

export interface BatchNormLayerOptions {
  eps?: number;
  /** Running-average factor; null uses a cumulative average (1 / batches seen), as PyTorch. */
  momentum?: number | null;
  affine?: boolean;
  trackRunningStats?: boolean;
  dtype?: DType;
}

/**
 * Shared batch normalisation over the channel dim 1 (PyTorch's _BatchNorm).
 * Buffers use PyTorch's state-dict names: running_mean, running_var, num_batches_tracked.
 */
abstract class BatchNormNd extends Module {
  weight: Parameter | null;
  bias: Parameter | null;
  readonly eps: number;
  readonly momentum: number | null;
  readonly trackRunningStats: boolean;

  constructor(readonly numFeatures: number, private readonly ranks: number[], opts: BatchNormLayerOptions = {}) {
    super();
    if (!Number.isInteger(numFeatures) || numFeatures <= 0) throw new TensorError(`${this.constructor.name}: numFeatures must be a positive integer (got ${numFeatures})`);
    this.eps = opts.eps ?? 1e-5;
    this.momentum = opts.momentum === undefined ? 0.1 : opts.momentum;
    this.trackRunningStats = opts.trackRunningStats ?? true;
    const dtype = opts.dtype ?? 'float32';
    const affine = opts.affine ?? true;
    this.weight = affine ? new Parameter(ones([numFeatures], { dtype })) : null;
    this.bias = affine ? new Parameter(zeros([numFeatures], { dtype })) : null;
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
    if (!this.ranks.includes(x.ndim)) {
      throw new TensorError(`${name}: expected ${this.ranks.map((r) => `${r}-D`).join(' or ')} input (got shape ${fmtShape(x.shape)})`);
    }
    if (x.shape[1] !== this.numFeatures) {
      throw new TensorError(`${name}: input has ${x.shape[1]} channels but the layer has numFeatures ${this.numFeatures} (input ${fmtShape(x.shape)})`);
    }
    let momentum = this.momentum ?? 0;
    if (this.training && this.trackRunningStats) {
      const tracked = this.getBuffer('num_batches_tracked')!;
      noGrad(() => tracked.add_(1));
      if (this.momentum === null) momentum = 1 / tracked.item();
    }
    // Batch statistics in training, or whenever there are no running stats to use (PyTorch's bn_training).
    return N.batchNorm(x, this.runningMean, this.runningVar, this.weight, this.bias, {
      training: this.training || !this.trackRunningStats, momentum, eps: this.eps,
    });
  }

  override extraRepr(): string {
    return `${this.numFeatures}, eps=${this.eps}, momentum=${this.momentum}, affine=${this.weight !== null}, trackRunningStats=${this.trackRunningStats}`;
  }
}

/** Batch norm over `[N, C]` or `[N, C, L]`. @example new nn.BatchNorm1d(100) */
export class BatchNorm1d extends BatchNormNd {
  constructor(numFeatures: number, opts?: BatchNormLayerOptions) { super(numFeatures, [2, 3], opts); }
}
/** Batch norm over `[N, C, H, W]`. @example new nn.BatchNorm2d(64) */
export class BatchNorm2d extends BatchNormNd {
  constructor(numFeatures: number, opts?: BatchNormLayerOptions) { super(numFeatures, [4], opts); }
}
/** Batch norm over `[N, C, D, H, W]`. */
export class BatchNorm3d extends BatchNormNd {
  constructor(numFeatures: number, opts?: BatchNormLayerOptions) { super(numFeatures, [5], opts); }
}

/** Layer norm over the trailing `normalizedShape` dims. @example new nn.LayerNorm([64]) */
export class LayerNorm extends Module {
  weight: Parameter | null;
  bias: Parameter | null;
  readonly normalizedShape: number[];
  constructor(normalizedShape: number | number[], readonly opts: { eps?: number; elementwiseAffine?: boolean; bias?: boolean; dtype?: DType } = {}) {
    super();
    this.normalizedShape = typeof normalizedShape === 'number' ? [normalizedShape] : [...normalizedShape];
    const affine = opts.elementwiseAffine ?? true;
    this.weight = affine ? new Parameter(ones(this.normalizedShape, { dtype: opts.dtype })) : null;
    this.bias = affine && opts.bias !== false ? new Parameter(zeros(this.normalizedShape, { dtype: opts.dtype })) : null;
  }
  forward(x: Tensor): Tensor {
    return N.layerNorm(x, this.normalizedShape, this.weight, this.bias, { eps: this.opts.eps ?? 1e-5 });
  }
  override extraRepr(): string { return `[${this.normalizedShape}], eps=${this.opts.eps ?? 1e-5}`; }
}

/** Group norm: channels split into numGroups groups, each normalised. @example new nn.GroupNorm(8, 64) */
export class GroupNorm extends Module {
  weight: Parameter | null;
  bias: Parameter | null;
  constructor(readonly numGroups: number, readonly numChannels: number, readonly opts: { eps?: number; affine?: boolean; dtype?: DType } = {}) {
    super();
    if (!Number.isInteger(numGroups) || numGroups <= 0 || numChannels % numGroups) {
      throw new TensorError(`GroupNorm: numChannels ${numChannels} must be divisible by numGroups ${numGroups}`);
    }
    const affine = opts.affine ?? true;
    this.weight = affine ? new Parameter(ones([numChannels], { dtype: opts.dtype })) : null;
    this.bias = affine ? new Parameter(zeros([numChannels], { dtype: opts.dtype })) : null;
  }
  forward(x: Tensor): Tensor {
    return N.groupNorm(x, this.numGroups, this.weight, this.bias, { eps: this.opts.eps ?? 1e-5 });
  }
  override extraRepr(): string { return `${this.numGroups}, ${this.numChannels}`; }
}

/** Local response normalisation across channels (AlexNet). @example new nn.LocalResponseNorm(5, { alpha: 1e-4, beta: 0.75, k: 2 }) */
export class LocalResponseNorm extends Module {
  constructor(readonly size: number, readonly opts: N.LocalResponseNormOptions = {}) { super(); }
  forward(x: Tensor): Tensor { return N.localResponseNorm(x, this.size, this.opts); }
  override extraRepr(): string { return `${this.size}, ${JSON.stringify(this.opts).slice(1, -1)}`; }
}
