import { Module } from '../module.js';
import * as P from '../../ops/pool.js';
import type { AdaptiveSize, AvgPoolOptions, LpPoolOptions, MaxPoolOptions } from '../../ops/pool.js';
import type { SizeArg } from '../../ops/conv.js';
import type { Tensor } from '../../tensor/tensor.js';
import { TensorError } from '../../core/errors.js';
import { checkBool, checkInt, describeArg, positionalOptions } from '../../tensor/args.js';

/*
 * Pooling layers: thin modules over F.*Pool*. Max pools return values only
 * (use F.maxPool2d(x, k, { returnIndices: true }) for indices).
 */

type MaxOpts = Omit<MaxPoolOptions, 'returnIndices'>;
const fmt = (o: object) => JSON.stringify(o).slice(1, -1);

/** A size option: a positive (or, with min 0, non-negative) integer or `n` of them. */
function checkSize(layer: string, name: string, v: unknown, n: number, min: number): void {
  const list = typeof v === 'number' ? [v] : Array.isArray(v) ? v : null;
  if (!list || (list.length !== 1 && list.length !== n) || !list.every((x) => typeof x === 'number' && Number.isInteger(x) && x >= min)) {
    throw new TensorError(`${layer}: ${name} must be a ${min ? 'positive' : 'non-negative'} integer or ${n} of them, got ${describeArg(v)}`);
  }
}

/** Checks the options the strided pools share, as merged by positionalOptions. */
function checkStrided(layer: string, n: number, kernelSize: unknown, o: Record<string, unknown>): void {
  checkSize(layer, 'kernelSize', kernelSize, n, 1);
  if (o.stride != null) checkSize(layer, 'stride', o.stride, n, 1);
  if (o.padding !== undefined) checkSize(layer, 'padding', o.padding, n, 0);
  if (o.dilation !== undefined) checkSize(layer, 'dilation', o.dilation, n, 1);
  for (const key of ['ceilMode', 'countIncludePad']) if (o[key] !== undefined) checkBool(layer, key, o[key]);
}

/** Pool layers return values only; indices come from the functional form. */
function noIndices(layer: string, o: Record<string, unknown>): void {
  if (o.returnIndices === undefined || o.returnIndices === false) return;
  checkBool(layer, 'returnIndices', o.returnIndices);
  const f = layer[0]!.toLowerCase() + layer.slice(1);
  throw new TensorError(`${layer}: returnIndices is not supported by the layer (it returns values only); call F.${f}(x, ..., { returnIndices: true })`);
}

const MAX_POSITIONAL = ['stride', 'padding', 'dilation', 'returnIndices', 'ceilMode'] as const;
/** After kernelSize: PyTorch's positional (stride, padding, dilation, returnIndices, ceilMode) and/or an options object. */
export type MaxPoolLayerArgs =
  [stride?: SizeArg | null | MaxLayerOpts, padding?: SizeArg | MaxLayerOpts, dilation?: SizeArg | MaxLayerOpts, returnIndices?: false | MaxLayerOpts,
   ceilMode?: boolean | MaxLayerOpts, opts?: MaxLayerOpts];
type MaxLayerOpts = MaxOpts & { returnIndices?: false };

abstract class MaxPoolNd extends Module {
  /** The pooling options passed to F.maxPoolNd: stride (default the kernel size), padding, dilation, ceilMode. */
  readonly opts: MaxOpts;
  /** @param kernelSize The window size: one number or one per spatial dim. */
  constructor(n: number, readonly kernelSize: SizeArg, rest: MaxPoolLayerArgs) {
    super();
    const name = this.constructor.name;
    const o = positionalOptions(name, rest, MAX_POSITIONAL, MAX_POSITIONAL);
    checkStrided(name, n, kernelSize, o);
    noIndices(name, o);
    delete o.returnIndices;
    this.opts = o as MaxOpts;
  }
  override extraRepr(): string { return `kernelSize=${JSON.stringify(this.kernelSize)}${Object.keys(this.opts).length ? ', ' + fmt(this.opts) : ''}`; }
}
/**
 * 1-D max pooling over `[N, C, L]`, as torch.nn.MaxPool1d (values only). After kernelSize:
 * PyTorch's positional (stride, padding, dilation, returnIndices, ceilMode) and/or an options object.
 * @example new tg.nn.MaxPool1d(2)
 */
export class MaxPool1d extends MaxPoolNd {
  constructor(kernelSize: SizeArg, ...rest: MaxPoolLayerArgs) { super(1, kernelSize, rest); }
  /**
   * The maximum of each window. `[N, C, L] -> [N, C, L_out]` (or `[C, L]`), each spatial size out = floor((in + 2 * padding - dilation * (k - 1) - 1) / stride) + 1 (ceil with ceilMode).
   * @example new tg.nn.MaxPool1d(2).forward(tg.randn([1, 4, 10])) // [1, 4, 5]
   */
  forward(x: Tensor): Tensor { return P.maxPool1d(x, this.kernelSize, this.opts); } }
/**
 * 2-D max pooling over `[N, C, H, W]`, as torch.nn.MaxPool2d (values only; F.maxPool2d gives indices).
 * After kernelSize: PyTorch's positional (stride, padding, dilation, returnIndices, ceilMode) and/or an options object.
 * @example new tg.nn.MaxPool2d(2)  // [N,C,28,28] -> [N,C,14,14]
 */
export class MaxPool2d extends MaxPoolNd {
  constructor(kernelSize: SizeArg, ...rest: MaxPoolLayerArgs) { super(2, kernelSize, rest); }
  /**
   * The maximum of each window. `[N, C, H, W] -> [N, C, H_out, W_out]` (or `[C, H, W]`), each spatial size out = floor((in + 2 * padding - dilation * (k - 1) - 1) / stride) + 1 (ceil with ceilMode).
   * @example new tg.nn.MaxPool2d(2).forward(tg.randn([1, 3, 28, 28])) // [1, 3, 14, 14]
   */
  forward(x: Tensor): Tensor { return P.maxPool2d(x, this.kernelSize, this.opts); } }
/**
 * 3-D max pooling over `[N, C, D, H, W]`, as torch.nn.MaxPool3d (values only). Arguments as MaxPool2d.
 * @example new tg.nn.MaxPool3d(2)
 */
export class MaxPool3d extends MaxPoolNd {
  constructor(kernelSize: SizeArg, ...rest: MaxPoolLayerArgs) { super(3, kernelSize, rest); }
  /**
   * The maximum of each window. `[N, C, D, H, W] -> [N, C, D_out, H_out, W_out]` (or unbatched), each spatial size out = floor((in + 2 * padding - dilation * (k - 1) - 1) / stride) + 1 (ceil with ceilMode).
   * @example new tg.nn.MaxPool3d(2).forward(tg.randn([1, 2, 4, 4, 4])) // [1, 2, 2, 2, 2]
   */
  forward(x: Tensor): Tensor { return P.maxPool3d(x, this.kernelSize, this.opts); } }

const AVG_POSITIONAL = ['stride', 'padding', 'ceilMode', 'countIncludePad', 'divisorOverride'] as const;
/** After kernelSize: PyTorch's positional (stride, padding, ceilMode, countIncludePad, divisorOverride) and/or an options object. */
export type AvgPoolLayerArgs =
  [stride?: SizeArg | null | AvgPoolOptions, padding?: SizeArg | AvgPoolOptions, ceilMode?: boolean | AvgPoolOptions, countIncludePad?: boolean | AvgPoolOptions,
   divisorOverride?: number | AvgPoolOptions, opts?: AvgPoolOptions];

abstract class AvgPoolNd extends Module {
  /** The pooling options passed to F.avgPoolNd: stride (default the kernel size), padding, ceilMode, countIncludePad, divisorOverride. */
  readonly opts: AvgPoolOptions;
  /** @param kernelSize The window size: one number or one per spatial dim. */
  constructor(n: number, readonly kernelSize: SizeArg, rest: AvgPoolLayerArgs) {
    super();
    const name = this.constructor.name;
    const o = positionalOptions(name, rest, AVG_POSITIONAL, AVG_POSITIONAL);
    checkStrided(name, n, kernelSize, o);
    if (o.divisorOverride != null) checkInt(name, 'divisorOverride', o.divisorOverride, 1);
    this.opts = o as AvgPoolOptions;
  }
  override extraRepr(): string { return `kernelSize=${JSON.stringify(this.kernelSize)}${Object.keys(this.opts).length ? ', ' + fmt(this.opts) : ''}`; }
}
/**
 * 1-D average pooling over `[N, C, L]`, as torch.nn.AvgPool1d. After kernelSize: PyTorch's positional
 * (stride, padding, ceilMode, countIncludePad, divisorOverride) and/or an options object.
 * @example new tg.nn.AvgPool1d(3, { stride: 2 })
 */
export class AvgPool1d extends AvgPoolNd {
  constructor(kernelSize: SizeArg, ...rest: AvgPoolLayerArgs) { super(1, kernelSize, rest); }
  /**
   * The mean of each window. `[N, C, L] -> [N, C, L_out]` (or `[C, L]`), each spatial size out = floor((in + 2 * padding - k) / stride) + 1 (ceil with ceilMode).
   * @example new tg.nn.AvgPool1d(2).forward(tg.randn([1, 4, 10])) // [1, 4, 5]
   */
  forward(x: Tensor): Tensor { return P.avgPool1d(x, this.kernelSize, this.opts); } }
/**
 * 2-D average pooling over `[N, C, H, W]`, as torch.nn.AvgPool2d. After kernelSize: PyTorch's positional
 * (stride, padding, ceilMode, countIncludePad, divisorOverride) and/or an options object.
 * @example new tg.nn.AvgPool2d(2, { stride: 2 })
 */
export class AvgPool2d extends AvgPoolNd {
  constructor(kernelSize: SizeArg, ...rest: AvgPoolLayerArgs) { super(2, kernelSize, rest); }
  /**
   * The mean of each window. `[N, C, H, W] -> [N, C, H_out, W_out]` (or `[C, H, W]`), each spatial size out = floor((in + 2 * padding - k) / stride) + 1 (ceil with ceilMode).
   * @example new tg.nn.AvgPool2d(2).forward(tg.randn([1, 3, 8, 8])) // [1, 3, 4, 4]
   */
  forward(x: Tensor): Tensor { return P.avgPool2d(x, this.kernelSize, this.opts); } }
/**
 * 3-D average pooling over `[N, C, D, H, W]`, as torch.nn.AvgPool3d. Arguments as AvgPool2d.
 * @example new tg.nn.AvgPool3d(2)
 */
export class AvgPool3d extends AvgPoolNd {
  constructor(kernelSize: SizeArg, ...rest: AvgPoolLayerArgs) { super(3, kernelSize, rest); }
  /**
   * The mean of each window. `[N, C, D, H, W] -> [N, C, D_out, H_out, W_out]` (or unbatched), each spatial size out = floor((in + 2 * padding - k) / stride) + 1 (ceil with ceilMode).
   * @example new tg.nn.AvgPool3d(2).forward(tg.randn([1, 2, 4, 4, 4])) // [1, 2, 2, 2, 2]
   */
  forward(x: Tensor): Tensor { return P.avgPool3d(x, this.kernelSize, this.opts); } }

/** After (normType, kernelSize): PyTorch's positional (stride, ceilMode) and/or an options object. */
export type LpPoolLayerArgs = [stride?: SizeArg | null | LpPoolOptions, ceilMode?: boolean | LpPoolOptions, opts?: LpPoolOptions];

abstract class LPPoolNd extends Module {
  /** The pooling options passed to F.lpPoolNd: stride (default the kernel size), ceilMode. */
  readonly opts: LpPoolOptions;
  /**
   * @param normType The power p (positive): p = 1 is sum pooling, large p approaches max pooling.
   * @param kernelSize The window size: one number or one per spatial dim.
   */
  constructor(n: number, readonly normType: number, readonly kernelSize: SizeArg, rest: LpPoolLayerArgs) {
    super();
    const name = this.constructor.name;
    if (typeof normType !== 'number' || !Number.isFinite(normType) || normType <= 0) {
      throw new TensorError(`${name}: normType must be a positive finite number, got ${describeArg(normType)}`);
    }
    const o = positionalOptions(name, rest, ['stride', 'ceilMode'], ['stride', 'ceilMode']);
    checkStrided(name, n, kernelSize, o);
    this.opts = o as LpPoolOptions;
  }
  override extraRepr(): string { return `normType=${this.normType}, kernelSize=${JSON.stringify(this.kernelSize)}`; }
}
/**
 * 1-D power-average pooling (sum of x^p)^(1/p) over windows of `[N, C, L]`, as torch.nn.LPPool1d.
 * After (normType, kernelSize): PyTorch's positional (stride, ceilMode) and/or an options object.
 * @example new tg.nn.LPPool1d(2, 3)
 */
export class LPPool1d extends LPPoolNd {
  constructor(normType: number, kernelSize: SizeArg, ...rest: LpPoolLayerArgs) { super(1, normType, kernelSize, rest); }
  /**
   * (sum of x^p)^(1/p) over each window. `[N, C, L] -> [N, C, L_out]` (or `[C, L]`), each spatial size out = floor((in - k) / stride) + 1 (ceil with ceilMode).
   * @example new tg.nn.LPPool1d(2, 2).forward(tg.randn([1, 4, 10])) // [1, 4, 5]
   */
  forward(x: Tensor): Tensor { return P.lpPool1d(x, this.normType, this.kernelSize, this.opts); } }
/**
 * 2-D power-average pooling over `[N, C, H, W]`, as torch.nn.LPPool2d. Arguments as LPPool1d.
 * @example new tg.nn.LPPool2d(2, 2) // the L2 norm of each 2x2 block
 */
export class LPPool2d extends LPPoolNd {
  constructor(normType: number, kernelSize: SizeArg, ...rest: LpPoolLayerArgs) { super(2, normType, kernelSize, rest); }
  /**
   * (sum of x^p)^(1/p) over each window. `[N, C, H, W] -> [N, C, H_out, W_out]` (or `[C, H, W]`), each spatial size out = floor((in - k) / stride) + 1 (ceil with ceilMode).
   * @example new tg.nn.LPPool2d(2, 2).forward(tg.randn([1, 3, 8, 8])) // [1, 3, 4, 4]
   */
  forward(x: Tensor): Tensor { return P.lpPool2d(x, this.normType, this.kernelSize, this.opts); } }
/**
 * 3-D power-average pooling over `[N, C, D, H, W]`, as torch.nn.LPPool3d. Arguments as LPPool1d.
 * @example new tg.nn.LPPool3d(2, 2)
 */
export class LPPool3d extends LPPoolNd {
  constructor(normType: number, kernelSize: SizeArg, ...rest: LpPoolLayerArgs) { super(3, normType, kernelSize, rest); }
  /**
   * (sum of x^p)^(1/p) over each window. `[N, C, D, H, W] -> [N, C, D_out, H_out, W_out]` (or unbatched), each spatial size out = floor((in - k) / stride) + 1 (ceil with ceilMode).
   * @example new tg.nn.LPPool3d(2, 2).forward(tg.randn([1, 2, 4, 4, 4])) // [1, 2, 2, 2, 2]
   */
  forward(x: Tensor): Tensor { return P.lpPool3d(x, this.normType, this.kernelSize, this.opts); } }

abstract class AdaptivePool extends Module {
  /**
   * `outputSize`: a positive integer or one per dim (null keeps that input size); max pools also take PyTorch's `returnIndices` (false only).
   * @param outputSize The output's spatial size: one number for every dim, or one per dim (null keeps that input size).
   */
  constructor(readonly outputSize: AdaptiveSize, ...rest: [returnIndices?: false | { returnIndices?: false }]) {
    super();
    const name = this.constructor.name;
    const n = Number(name.slice(-2, -1));
    const list = typeof outputSize === 'number' ? [outputSize] : Array.isArray(outputSize) ? outputSize : null;
    if (!list || (list.length !== 1 && list.length !== n) || !list.every((x) => x === null || (typeof x === 'number' && Number.isInteger(x) && x >= 1))) {
      throw new TensorError(`${name}: outputSize must be a positive integer or ${n} of them (null keeps a dim), got ${describeArg(outputSize)}`);
    }
    const keys = name.startsWith('AdaptiveMax') ? ['returnIndices'] : [];
    noIndices(name, positionalOptions(name, rest, keys, keys));
  }
  override extraRepr(): string { return `outputSize=${JSON.stringify(this.outputSize)}`; }
}
/**
 * 1-D adaptive average pooling to a fixed output size, as torch.nn.AdaptiveAvgPool1d
 * (values only): the windows are chosen to cover the input evenly, whatever its size.
 * @example new tg.nn.AdaptiveAvgPool1d(4)
 */
export class AdaptiveAvgPool1d extends AdaptivePool {
  /**
   * The average of each adaptive window. `[N, C, L] -> [N, C, outputSize]` (or `[C, L]`).
   * @example new tg.nn.AdaptiveAvgPool1d(4).forward(tg.randn([1, 3, 10])) // [1, 3, 4]
   */
  forward(x: Tensor): Tensor { return P.adaptiveAvgPool1d(x, this.outputSize); }
}
/**
 * 2-D adaptive average pooling to a fixed output size, as torch.nn.AdaptiveAvgPool2d
 * (values only): the windows are chosen to cover the input evenly, whatever its size.
 * @example new tg.nn.AdaptiveAvgPool2d(1)  // global average pooling
 */
export class AdaptiveAvgPool2d extends AdaptivePool {
  /**
   * The average of each adaptive window. `[N, C, H, W] -> [N, C, oh, ow]` (or `[C, H, W]`).
   * @example new tg.nn.AdaptiveAvgPool2d(1).forward(tg.randn([2, 8, 7, 7])) // [2, 8, 1, 1]
   */
  forward(x: Tensor): Tensor { return P.adaptiveAvgPool2d(x, this.outputSize); }
}
/**
 * 3-D adaptive average pooling to a fixed output size, as torch.nn.AdaptiveAvgPool3d
 * (values only): the windows are chosen to cover the input evenly, whatever its size.
 * @example new tg.nn.AdaptiveAvgPool3d([1, 2, 2])
 */
export class AdaptiveAvgPool3d extends AdaptivePool {
  /**
   * The average of each adaptive window. `[N, C, D, H, W] -> [N, C, od, oh, ow]` (or unbatched).
   * @example new tg.nn.AdaptiveAvgPool3d(2).forward(tg.randn([1, 2, 5, 5, 5])) // [1, 2, 2, 2, 2]
   */
  forward(x: Tensor): Tensor { return P.adaptiveAvgPool3d(x, this.outputSize); }
}
/**
 * 1-D adaptive maximum pooling to a fixed output size, as torch.nn.AdaptiveMaxPool1d
 * (values only): the windows are chosen to cover the input evenly, whatever its size.
 * @example new tg.nn.AdaptiveMaxPool1d(4)
 */
export class AdaptiveMaxPool1d extends AdaptivePool {
  /**
   * The maximum of each adaptive window. `[N, C, L] -> [N, C, outputSize]` (or `[C, L]`).
   * @example new tg.nn.AdaptiveMaxPool1d(4).forward(tg.randn([1, 3, 10])) // [1, 3, 4]
   */
  forward(x: Tensor): Tensor { return P.adaptiveMaxPool1d(x, this.outputSize); }
}
/**
 * 2-D adaptive maximum pooling to a fixed output size, as torch.nn.AdaptiveMaxPool2d
 * (values only): the windows are chosen to cover the input evenly, whatever its size.
 * @example new tg.nn.AdaptiveMaxPool2d(1) // global max pooling
 */
export class AdaptiveMaxPool2d extends AdaptivePool {
  /**
   * The maximum of each adaptive window. `[N, C, H, W] -> [N, C, oh, ow]` (or `[C, H, W]`).
   * @example new tg.nn.AdaptiveMaxPool2d([3, 3]).forward(tg.randn([1, 8, 10, 10])) // [1, 8, 3, 3]
   */
  forward(x: Tensor): Tensor { return P.adaptiveMaxPool2d(x, this.outputSize); }
}
/**
 * 3-D adaptive maximum pooling to a fixed output size, as torch.nn.AdaptiveMaxPool3d
 * (values only): the windows are chosen to cover the input evenly, whatever its size.
 * @example new tg.nn.AdaptiveMaxPool3d(2)
 */
export class AdaptiveMaxPool3d extends AdaptivePool {
  /**
   * The maximum of each adaptive window. `[N, C, D, H, W] -> [N, C, od, oh, ow]` (or unbatched).
   * @example new tg.nn.AdaptiveMaxPool3d(2).forward(tg.randn([1, 2, 5, 5, 5])) // [1, 2, 2, 2, 2]
   */
  forward(x: Tensor): Tensor { return P.adaptiveMaxPool3d(x, this.outputSize); }
}
