import { Module } from '../module.js';
import { registerRunningStats, resetRunningStats } from './running-stats.js';
import { Parameter } from '../parameter.js';
import * as N from '../../ops/norm.js';
import { TensorError, fmtShape } from '../../core/errors.js';
import { ones, zeros } from '../../tensor/create.js';
import { noGrad } from '../../tensor/graph.js';
import { Tensor as TensorClass, type Tensor } from '../../tensor/tensor.js';
import type { DType } from '../../core/dtype.js';
import { checkBool, checkInt, checkRange, describeArg, positionalOptions } from '../../tensor/args.js';
import { checkDtypeOption } from './args.js';

/** After numFeatures: PyTorch's positional (eps, momentum, affine, trackRunningStats) and/or an options object. */
export type BatchNormLayerArgs =
  [eps?: number | BatchNormLayerOptions, momentum?: number | null | BatchNormLayerOptions, affine?: boolean | BatchNormLayerOptions,
   trackRunningStats?: boolean | BatchNormLayerOptions, opts?: BatchNormLayerOptions];
const BN_POSITIONAL = ['eps', 'momentum', 'affine', 'trackRunningStats'] as const;

/** eps must be a positive finite number (0 divides by zero on constant channels). */
function checkEps(layer: string, eps: unknown): number {
  if (typeof eps !== 'number' || !Number.isFinite(eps) || eps <= 0) throw new TensorError(`${layer}: eps must be a positive finite number, got ${describeArg(eps)}`);
  return eps;
}

/** Options of BatchNorm1d/2d/3d (PyTorch's keyword arguments, plus `dtype`). */
export interface BatchNormLayerOptions {
  /** Added to the variance for numerical stability; positive. Default 1e-5. */
  eps?: number;
  /** Running-average factor; null uses a cumulative average (1 / batches seen), as PyTorch. */
  momentum?: number | null;
  /** Learnable per-channel weight and bias. Default true. */
  affine?: boolean;
  /** Keep running mean/variance and use them in eval mode. Default true. */
  trackRunningStats?: boolean;
  /** Floating dtype of the weight, bias and running statistics. Default 'float32'. */
  dtype?: DType;
}

/**
 * Shared batch normalisation over the channel dim 1 (PyTorch's _BatchNorm).
 * Buffers use PyTorch's state-dict names: running_mean, running_var, num_batches_tracked.
 */
abstract class BatchNormNd extends Module {
  /** The learnable per-channel scale gamma `[numFeatures]` (ones at first), or null without `affine`. */
  weight: Parameter | null;
  /** The learnable per-channel shift beta `[numFeatures]` (zeros at first), or null without `affine`. */
  bias: Parameter | null;
  /** Added to the variance for numerical stability. Default 1e-5. */
  readonly eps: number;
  /** Running-average factor; null for a cumulative average (1 / batches seen). Default 0.1. */
  readonly momentum: number | null;
  /** Whether running mean and variance are kept and used in eval mode. Default true. */
  readonly trackRunningStats: boolean;

  /** @param numFeatures The number of channels C (dim 1 of the input). */
  constructor(readonly numFeatures: number, private readonly ranks: number[], rest: BatchNormLayerArgs) {
    super();
    const name = this.constructor.name;
    checkInt(name, 'numFeatures', numFeatures, 1);
    // momentum: null is meaningful (cumulative average), so it survives the merge as null.
    const opts = positionalOptions(name, rest, BN_POSITIONAL, [...BN_POSITIONAL, 'dtype']) as BatchNormLayerOptions;
    this.eps = checkEps(name, opts.eps ?? 1e-5);
    this.momentum = opts.momentum === null ? null : opts.momentum === undefined ? 0.1 : checkRange(name, 'momentum', opts.momentum, 0, 1);
    this.trackRunningStats = checkBool(name, 'trackRunningStats', opts.trackRunningStats ?? true);
    checkDtypeOption(name, opts.dtype);
    const dtype = opts.dtype ?? 'float32';
    const affine = checkBool(name, 'affine', opts.affine ?? true);
    this.weight = affine ? new Parameter(ones([numFeatures], { dtype })) : null;
    this.bias = affine ? new Parameter(zeros([numFeatures], { dtype })) : null;
    if (this.trackRunningStats) {
      registerRunningStats(this, numFeatures, dtype);
    }
  }

  /** The running mean `[numFeatures]` (buffer running_mean), or null unless trackRunningStats. */
  get runningMean(): Tensor | null { return this.trackRunningStats ? this.getBuffer('running_mean') : null; }
  /** The running variance `[numFeatures]` (buffer running_var, unbiased batch variances), or null unless trackRunningStats. */
  get runningVar(): Tensor | null { return this.trackRunningStats ? this.getBuffer('running_var') : null; }

  /** Resets running statistics to mean 0, variance 1. */
  resetRunningStats(): void {
    if (this.trackRunningStats) resetRunningStats(this);
  }

  /**
   * Normalises each channel: (x - mean) / sqrt(var + eps) * weight + bias. In training (or without
   * running stats) mean and var are the batch's, over N and the spatial dims, and the running
   * statistics are updated; in eval mode the running statistics are used.
   * `[N, C, *] -> [N, C, *]` (BatchNorm1d `[N, C]` or `[N, C, L]`, 2d `[N, C, H, W]`, 3d `[N, C, D, H, W]`);
   * a float input with C = numFeatures, else a TensorError.
   * @example new tg.nn.BatchNorm2d(3).forward(tg.randn([4, 3, 8, 8]))
   */
  forward(x: Tensor): Tensor {
    const name = this.constructor.name;
    if (!(x instanceof TensorClass)) throw new TensorError(`${name}: input must be a Tensor, got ${describeArg(x)}`);
    if (!x.isFloatingPoint()) throw new TensorError(`${name}: input must be float32 or float64 (got ${x.dtype} of shape ${fmtShape(x.shape)})`);
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
      if (this.momentum === null) {
        if (!tracked.isHostReadable()) return this.cumulativeOnDevice(x, tracked);
        momentum = 1 / tracked.item();
      }
    }
    // Batch statistics in training, or whenever there are no running stats to use (PyTorch's bn_training).
    return N.batchNorm(x, this.runningMean, this.runningVar, this.weight, this.bias, {
      training: this.training || !this.trackRunningStats, momentum, eps: this.eps,
    });
  }

  /**
   * Training with momentum null (the cumulative average, momentum 1/num_batches_tracked)
   * where the count lives on a GPU and cannot be read without waiting: batchNorm writes
   * this batch's statistics into zeroed scratch stats (momentum 1), which are then
   * blended into the running ones with the momentum computed on the device.
   */
  private cumulativeOnDevice(x: Tensor, tracked: Tensor): Tensor {
    const rm = this.runningMean!, rv = this.runningVar!;
    const batchMean = zeros([this.numFeatures], { dtype: rm.dtype, backend: rm.backend });
    const batchVar = zeros([this.numFeatures], { dtype: rv.dtype, backend: rv.backend });
    const y = N.batchNorm(x, batchMean, batchVar, this.weight, this.bias, { training: true, momentum: 1, eps: this.eps });
    noGrad(() => {
      const m = tracked.to(rm.dtype).reciprocal();
      rm.copy_(rm.mul(m.neg().add(1)).add(batchMean.mul(m)));
      rv.copy_(rv.mul(m.neg().add(1)).add(batchVar.mul(m)));
    });
    return y;
  }

  override extraRepr(): string {
    return `${this.numFeatures}, eps=${this.eps}, momentum=${this.momentum}, affine=${this.weight !== null}, trackRunningStats=${this.trackRunningStats}`;
  }
}

/** Batch norm over `[N, C]` or `[N, C, L]`, as torch.nn.BatchNorm1d. @example new tg.nn.BatchNorm1d(100) */
export class BatchNorm1d extends BatchNormNd {
  constructor(numFeatures: number, ...rest: BatchNormLayerArgs) { super(numFeatures, [2, 3], rest); }
}
/**
 * Batch norm over `[N, C, H, W]`, as torch.nn.BatchNorm2d. After numFeatures: PyTorch's positional
 * (eps, momentum, affine, trackRunningStats) and/or an options object.
 * @example new tg.nn.BatchNorm2d(64); new tg.nn.BatchNorm2d(64, 1e-3, 0.01); new tg.nn.BatchNorm2d(64, { affine: false })
 */
export class BatchNorm2d extends BatchNormNd {
  constructor(numFeatures: number, ...rest: BatchNormLayerArgs) { super(numFeatures, [4], rest); }
}
/** Batch norm over `[N, C, D, H, W]`, as torch.nn.BatchNorm3d. @example new tg.nn.BatchNorm3d(16) */
export class BatchNorm3d extends BatchNormNd {
  constructor(numFeatures: number, ...rest: BatchNormLayerArgs) { super(numFeatures, [5], rest); }
}

/** Layer norm over the trailing `normalizedShape` dims, as torch.nn.LayerNorm. @example new tg.nn.LayerNorm([64]) */
export class LayerNorm extends Module {
  /** The learnable elementwise scale, of shape normalizedShape (ones at first), or null without elementwiseAffine. */
  weight: Parameter | null;
  /** The learnable elementwise shift, of shape normalizedShape (zeros at first), or null without elementwiseAffine or with `bias: false`. */
  bias: Parameter | null;
  /** The trailing dims normalised over, e.g. `[768]`. */
  readonly normalizedShape: number[];
  /** The options as given. */
  readonly opts: {
    /** Added to the variance for numerical stability; positive. Default 1e-5. */
    eps?: number;
    /** Whether the layer has a learnable weight (and bias). Default true. */
    elementwiseAffine?: boolean;
    /** Whether the layer has a learnable bias (with elementwiseAffine). Default true. */
    bias?: boolean;
    /** Floating dtype of the weight and bias. Default 'float32'. */
    dtype?: DType;
  };
  /** After normalizedShape: PyTorch's positional (eps, elementwiseAffine, bias) and/or an options object. */
  constructor(
    normalizedShape: number | number[],
    ...rest: [eps?: number | LayerNorm['opts'], elementwiseAffine?: boolean | LayerNorm['opts'], bias?: boolean | LayerNorm['opts'], opts?: LayerNorm['opts']]
  ) {
    super();
    const opts = positionalOptions('LayerNorm', rest, ['eps', 'elementwiseAffine', 'bias'], ['eps', 'elementwiseAffine', 'bias', 'dtype']) as LayerNorm['opts'];
    this.opts = opts;
    const shape = typeof normalizedShape === 'number' ? [normalizedShape] : normalizedShape;
    if (!Array.isArray(shape) || shape.length === 0 || !shape.every((d) => Number.isInteger(d) && d > 0)) {
      throw new TensorError(`LayerNorm: normalizedShape must be a positive integer or a non-empty array of them, got ${describeArg(normalizedShape)}`);
    }
    this.normalizedShape = [...shape];
    if (opts.eps !== undefined) checkEps('LayerNorm', opts.eps);
    if (opts.bias !== undefined) checkBool('LayerNorm', 'bias', opts.bias);
    checkDtypeOption('LayerNorm', opts.dtype);
    const affine = checkBool('LayerNorm', 'elementwiseAffine', opts.elementwiseAffine ?? true);
    this.weight = affine ? new Parameter(ones(this.normalizedShape, { dtype: opts.dtype })) : null;
    this.bias = affine && opts.bias !== false ? new Parameter(zeros(this.normalizedShape, { dtype: opts.dtype })) : null;
  }
  /**
   * Normalises over the trailing normalizedShape dims (mean and biased variance per leading
   * index), then applies weight and bias. `[*, ...normalizedShape] -> [*, ...normalizedShape]`.
   * @example new tg.nn.LayerNorm(8).forward(tg.randn([2, 5, 8]))
   */
  forward(x: Tensor): Tensor {
    return N.layerNorm(x, this.normalizedShape, this.weight, this.bias, { eps: this.opts.eps ?? 1e-5 });
  }
  override extraRepr(): string { return `[${this.normalizedShape}], eps=${this.opts.eps ?? 1e-5}`; }
}

/** Group norm, as torch.nn.GroupNorm: channels split into numGroups groups, each normalised. @example new tg.nn.GroupNorm(8, 64) */
export class GroupNorm extends Module {
  /** The learnable per-channel scale `[numChannels]` (ones at first), or null without `affine`. */
  weight: Parameter | null;
  /** The learnable per-channel shift `[numChannels]` (zeros at first), or null without `affine`. */
  bias: Parameter | null;
  /** The options as given. */
  readonly opts: {
    /** Added to the variance for numerical stability; positive. Default 1e-5. */
    eps?: number;
    /** Whether the layer has a learnable per-channel weight and bias. Default true. */
    affine?: boolean;
    /** Floating dtype of the weight and bias. Default 'float32'. */
    dtype?: DType;
  };
  /**
   * After (numGroups, numChannels): PyTorch's positional (eps, affine) and/or an options object.
   * @param numGroups Number of groups; must divide numChannels.
   * @param numChannels The number of channels C expected in the input.
   */
  constructor(
    readonly numGroups: number,
    readonly numChannels: number,
    ...rest: [eps?: number | GroupNorm['opts'], affine?: boolean | GroupNorm['opts'], opts?: GroupNorm['opts']]
  ) {
    super();
    const opts = positionalOptions('GroupNorm', rest, ['eps', 'affine'], ['eps', 'affine', 'dtype']) as GroupNorm['opts'];
    this.opts = opts;
    checkInt('GroupNorm', 'numGroups', numGroups, 1);
    checkInt('GroupNorm', 'numChannels', numChannels, 1);
    if (opts.eps !== undefined) checkEps('GroupNorm', opts.eps);
    if (opts.affine !== undefined) checkBool('GroupNorm', 'affine', opts.affine);
    checkDtypeOption('GroupNorm', opts.dtype);
    if (numChannels % numGroups) {
      throw new TensorError(`GroupNorm: numChannels ${numChannels} must be divisible by numGroups ${numGroups}`);
    }
    const affine = opts.affine ?? true;
    this.weight = affine ? new Parameter(ones([numChannels], { dtype: opts.dtype })) : null;
    this.bias = affine ? new Parameter(zeros([numChannels], { dtype: opts.dtype })) : null;
  }
  /**
   * Normalises each group of numChannels / numGroups consecutive channels of each sample over those
   * channels and the spatial positions, then applies the per-channel weight and bias.
   * `[N, C, *] -> [N, C, *]`.
   * @example new tg.nn.GroupNorm(2, 4).forward(tg.randn([3, 4, 5, 5]))
   */
  forward(x: Tensor): Tensor {
    return N.groupNorm(x, this.numGroups, this.weight, this.bias, { eps: this.opts.eps ?? 1e-5 });
  }
  override extraRepr(): string { return `${this.numGroups}, ${this.numChannels}`; }
}

/** Local response normalisation across channels (AlexNet), as torch.nn.LocalResponseNorm. @example new tg.nn.LocalResponseNorm(5, { alpha: 1e-4, beta: 0.75, k: 2 }) */
export class LocalResponseNorm extends Module {
  /** alpha (default 1e-4), beta (default 0.75) and k (default 1), as given. */
  readonly opts: N.LocalResponseNormOptions;
  /**
   * After size: PyTorch's positional (alpha, beta, k) and/or an options object.
   * @param size The number of neighbouring channels in each window.
   */
  constructor(readonly size: number, ...rest: [alpha?: number | N.LocalResponseNormOptions, beta?: number | N.LocalResponseNormOptions, k?: number | N.LocalResponseNormOptions, opts?: N.LocalResponseNormOptions]) {
    super();
    checkInt('LocalResponseNorm', 'size', size, 1);
    this.opts = positionalOptions('LocalResponseNorm', rest, ['alpha', 'beta', 'k'], ['alpha', 'beta', 'k']) as N.LocalResponseNormOptions;
    for (const key of ['alpha', 'beta', 'k'] as const) if (this.opts[key] !== undefined) checkRange('LocalResponseNorm', key, this.opts[key]);
  }
  /**
   * Divides each element by (k + alpha / size * sum of squares over a window of `size` channels)^beta.
   * `[N, C, *] -> [N, C, *]` (at least 3 dims).
   * @example new tg.nn.LocalResponseNorm(3).forward(tg.randn([1, 8, 4, 4]))
   */
  forward(x: Tensor): Tensor { return N.localResponseNorm(x, this.size, this.opts); }
  override extraRepr(): string { return `${this.size}, ${JSON.stringify(this.opts).slice(1, -1)}`; }
}
