import { Module } from '../module.js';
import { Parameter } from '../parameter.js';
import { empty } from './empty.js';
import * as init from '../init.js';
import { convNd, convTransposeNd } from '../../ops/conv.js';
import type { ConvOptions, ConvPadding, SizeArg } from '../../ops/conv.js';
import { pad, type PadMode } from '../../ops/pad.js';
import { TensorError } from '../../core/errors.js';
import type { Tensor } from '../../tensor/tensor.js';
import type { DType } from '../../core/dtype.js';
import { checkBool, checkInt, describeArg, positionalOptions } from '../../tensor/args.js';
import { checkDtypeOption } from './args.js';
import { perDim, resolvePadding } from '../../ops/conv-args.js';

/** How a convolution layer fills its padding: 'zeros' (default) or an F.pad mode ('reflect', 'replicate', 'circular'). */
export type PaddingMode = 'zeros' | PadMode;

/** Options of the convolution layers (Conv1d/2d/3d), PyTorch's keyword arguments in camelCase. */
export interface ConvLayerOptions {
  /** Step between windows: one number or one per spatial dim. Default 1. */
  stride?: SizeArg;
  /** Padding: a number, one per spatial dim, per side, 'valid' or 'same' (see F.conv2d's ConvPadding). Default 0. */
  padding?: ConvPadding;
  /** Spacing between kernel taps: one number or one per spatial dim. Default 1. */
  dilation?: SizeArg;
  /** Channel groups: inChannels and outChannels must both be divisible by it. Default 1. */
  groups?: number;
  /** Whether the layer has a learnable bias. Default true. */
  bias?: boolean;
  /** How padding is filled: zeros (default), reflect, replicate or circular. */
  paddingMode?: PaddingMode;
  /** Floating dtype of the weight and bias. Default 'float32'. */
  dtype?: DType;
}

const tuple = (v: SizeArg, n: number): number[] => (typeof v === 'number' ? new Array<number>(n).fill(v) : [...v]);

/**
 * The arguments after (inChannels, outChannels, kernelSize): PyTorch's
 * positional order, an options object, or positional values then an options
 * object for the rest.
 */
export type ConvLayerArgs =
  [stride?: SizeArg | ConvLayerOptions, padding?: ConvPadding | ConvLayerOptions, dilation?: SizeArg | ConvLayerOptions, groups?: number | ConvLayerOptions,
   bias?: boolean | ConvLayerOptions, paddingMode?: PaddingMode | ConvLayerOptions, opts?: ConvLayerOptions];
const CONV_POSITIONAL = ['stride', 'padding', 'dilation', 'groups', 'bias', 'paddingMode'] as const;
const CONV_KEYS = [...CONV_POSITIONAL, 'dtype'];

/** Validates the channel counts, kernel size and options shared by every convolution layer. */
function checkConvCommon(name: string, n: number, inChannels: unknown, outChannels: unknown, kernelSize: unknown, o: Record<string, unknown>): number[] {
  if (n !== 1 && n !== 2 && n !== 3) throw new TensorError(`${name}: n (the number of spatial dims) must be 1, 2 or 3, got ${describeArg(n)}`);
  checkInt(name, 'inChannels', inChannels, 1);
  checkInt(name, 'outChannels', outChannels, 1);
  if (kernelSize === undefined) throw new TensorError(`${name}: kernelSize is required, e.g. new nn.${name}(${inChannels as number}, ${outChannels as number}, 3)`);
  const groups = checkInt(name, 'groups', o.groups ?? 1, 1);
  if ((inChannels as number) % groups || (outChannels as number) % groups) {
    throw new TensorError(`${name}: inChannels ${inChannels as number} and outChannels ${outChannels as number} must both be divisible by groups ${groups}`);
  }
  const k = perDim(name, 'kernelSize', kernelSize as SizeArg, n, 1, 1);
  if (o.bias !== undefined) checkBool(name, 'bias', o.bias);
  checkDtypeOption(name, o.dtype);
  return k;
}

/**
 * Shared N-d convolution layer (PyTorch's _ConvNd): Conv1d/2d/3d differ only in N.
 * Weight `[outChannels, inChannels/groups, ...kernelSize]`, bias `[outChannels]`,
 * initialised like PyTorch (kaiming uniform with a = sqrt(5); bias U(+-1/sqrt(fanIn))).
 */
export class ConvNd extends Module {
  /** The learnable kernels, `[outChannels, inChannels / groups, ...kernelSize]`. */
  weight: Parameter;
  /** The learnable bias `[outChannels]`, or null when built with `bias: false`. */
  bias: Parameter | null;
  /** The kernel size, one entry per spatial dim. */
  readonly kernelSize: number[];
  /** Step between windows, as given. Default 1. */
  readonly stride: SizeArg;
  /** Padding, as given (a number, per dim, per side, 'valid' or 'same'). Default 0. */
  readonly padding: ConvPadding;
  /** Spacing between kernel taps, as given. Default 1. */
  readonly dilation: SizeArg;
  /** Number of channel groups. Default 1. */
  readonly groups: number;
  /** How the padding is filled. Default 'zeros'. */
  readonly paddingMode: PaddingMode;

  /**
   * @param n The number of spatial dims (1, 2 or 3).
   * @param inChannels Channels C_in of the input.
   * @param outChannels Channels C_out of the output.
   */
  constructor(readonly n: number, readonly inChannels: number, readonly outChannels: number, kernelSize: SizeArg, ...rest: ConvLayerArgs) {
    super();
    const name = [1, 2, 3].includes(n) ? `Conv${n}d` : 'ConvNd';
    const opts = positionalOptions(name, rest, CONV_POSITIONAL, CONV_KEYS) as ConvLayerOptions;
    this.kernelSize = checkConvCommon(name, n, inChannels, outChannels, kernelSize, opts as Record<string, unknown>);
    this.groups = opts.groups ?? 1;
    this.stride = opts.stride ?? 1;
    this.padding = opts.padding ?? 0;
    this.dilation = opts.dilation ?? 1;
    this.paddingMode = opts.paddingMode ?? 'zeros';
    // Checked now, not at the first forward: a bad layer should fail where it is built.
    const s = perDim(name, 'stride', this.stride, n, 1, 1);
    const d = perDim(name, 'dilation', this.dilation, n, 1, 1);
    resolvePadding(name, this.padding, n, this.kernelSize, d, s);
    if (!['zeros', 'reflect', 'replicate', 'circular'].includes(this.paddingMode)) {
      throw new TensorError(`${name}: paddingMode must be 'zeros', 'reflect', 'replicate' or 'circular' (got ${JSON.stringify(this.paddingMode)})`);
    }
    this.weight = new Parameter(empty([outChannels, inChannels / this.groups, ...this.kernelSize], opts.dtype));
    this.bias = opts.bias === false ? null : new Parameter(empty([outChannels], opts.dtype));
    this.resetParameters();
  }

  /**
   * Re-initialises weight and bias in place as PyTorch does: weight kaiming uniform with
   * a = sqrt(5) (U(+-1/sqrt(fanIn))), bias U(+-1/sqrt(fanIn)).
   * @example new tg.nn.Conv2d(3, 8, 3).resetParameters()
   */
  resetParameters(): void {
    init.kaimingUniform_(this.weight, { a: Math.sqrt(5) });
    if (this.bias) {
      const { fanIn } = init.calculateFans(this.weight);
      const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
      init.uniform_(this.bias, -bound, bound);
    }
  }

  /**
   * Convolves x with the layer's kernels (as F.conv1d/2d/3d, after padding by `paddingMode`).
   * `[N, C_in, *in] -> [N, C_out, *out]` (unbatched `[C_in, *in]` too), each spatial size
   * out = floor((in + padBefore + padAfter - dilation * (k - 1) - 1) / stride) + 1.
   * @example new tg.nn.Conv2d(3, 8, 3, { padding: 1 }).forward(tg.randn([2, 3, 16, 16])) // [2, 8, 16, 16]
   */
  forward(x: Tensor): Tensor {
    const c = convLayerCall(this, x);
    return convNd(this.n, c.input, this.weight, this.bias, c.opts);
  }

  override extraRepr(): string {
    const parts = [`${this.inChannels}, ${this.outChannels}, kernelSize=[${this.kernelSize}]`, `stride=${JSON.stringify(this.stride)}`];
    if (this.padding !== 0) parts.push(`padding=${JSON.stringify(this.padding)}`);
    if (this.dilation !== 1) parts.push(`dilation=${JSON.stringify(this.dilation)}`);
    if (this.groups !== 1) parts.push(`groups=${this.groups}`);
    if (!this.bias) parts.push('bias=false');
    if (this.paddingMode !== 'zeros') parts.push(`paddingMode='${this.paddingMode}'`);
    return parts.join(', ');
  }
}

/**
 * The functional call a convolution layer makes for input x: the input
 * (explicitly padded first for the non-zero padding modes, which F.conv does
 * not know) and the options for F.convNd. ConvNd.forward and the fused runs
 * of nn/fusion.ts both use it, so a fused layer computes what its forward
 * would. Internal: not exported by tg.nn.
 * @example const { input, opts } = convLayerCall(conv, x); convNd(conv.n, input, conv.weight, conv.bias, opts)
 */
export function convLayerCall(layer: ConvNd, x: Tensor): { input: Tensor; opts: ConvOptions } {
  const opts = { stride: layer.stride, dilation: layer.dilation, groups: layer.groups };
  if (layer.paddingMode === 'zeros') return { input: x, opts: { ...opts, padding: layer.padding } };
  return { input: pad(x, explicitPad(layer), { mode: layer.paddingMode }), opts: { ...opts, padding: 0 } };
}

/** F.pad amounts (last dim first) for a layer's non-zero padding mode, from its `padding`. */
function explicitPad(layer: ConvNd): number[] {
  const d = tuple(layer.dilation, layer.n);
  let perSide: [number, number][];
  if (layer.padding === 'valid') perSide = layer.kernelSize.map(() => [0, 0]);
  else if (layer.padding === 'same') {
    perSide = layer.kernelSize.map((k, i) => {
      const total = d[i]! * (k - 1);
      return [Math.floor(total / 2), total - Math.floor(total / 2)];
    });
  } else {
    const p = tuple(layer.padding, layer.n);
    perSide = p.length === 2 * layer.n ? layer.kernelSize.map((_, i) => [p[2 * i]!, p[2 * i + 1]!]) : p.map((v) => [v, v]);
  }
  return perSide.reverse().flat();
}

/**
 * 1-D convolution over `[N, C, L]`. After kernelSize: PyTorch's positional
 * (stride, padding, dilation, groups, bias, paddingMode) and/or an options object.
 * @example new tg.nn.Conv1d(16, 33, 3, { stride: 2 }); new tg.nn.Conv1d(16, 33, 3, 2)
 */
export class Conv1d extends ConvNd {
  constructor(inChannels: number, outChannels: number, kernelSize: SizeArg, ...rest: ConvLayerArgs) {
    super(1, inChannels, outChannels, kernelSize, ...rest);
  }
}

/**
 * 2-D convolution over `[N, C, H, W]`. After kernelSize: PyTorch's positional
 * (stride, padding, dilation, groups, bias, paddingMode) and/or an options object.
 * @example new tg.nn.Conv2d(1, 6, 5, { padding: 2 }); new tg.nn.Conv2d(1, 8, 3, 1, 1) // stride 1, padding 1
 */
export class Conv2d extends ConvNd {
  constructor(inChannels: number, outChannels: number, kernelSize: SizeArg, ...rest: ConvLayerArgs) {
    super(2, inChannels, outChannels, kernelSize, ...rest);
  }
}

/**
 * 3-D convolution over `[N, C, D, H, W]`, as torch.nn.Conv3d. After kernelSize: PyTorch's
 * positional (stride, padding, dilation, groups, bias, paddingMode) and/or an options object.
 * @example new tg.nn.Conv3d(1, 4, 3, { padding: 1 }) // [N, 1, D, H, W] -> [N, 4, D, H, W]
 */
export class Conv3d extends ConvNd {
  constructor(inChannels: number, outChannels: number, kernelSize: SizeArg, ...rest: ConvLayerArgs) {
    super(3, inChannels, outChannels, kernelSize, ...rest);
  }
}

/** Options of the transposed convolution layers, PyTorch's keyword arguments in camelCase. */
export interface ConvTransposeLayerOptions {
  /** Upsampling step: one number or one per spatial dim. Default 1. */
  stride?: SizeArg;
  /** `dilation * (k - 1) - padding` zeros are implicitly added to each side (PyTorch's meaning). Default 0. */
  padding?: SizeArg;
  /** Extra size added to one side of each output dim (to pick among the sizes a stride maps to one input size); < stride or < dilation. Default 0. */
  outputPadding?: SizeArg;
  /** Spacing between kernel taps. Default 1. */
  dilation?: SizeArg;
  /** Channel groups: inChannels and outChannels must both be divisible by it. Default 1. */
  groups?: number;
  /** Whether the layer has a learnable bias. Default true. */
  bias?: boolean;
  /** Floating dtype of the weight and bias. Default 'float32'. */
  dtype?: DType;
}

/** PyTorch's positional order for ConvTranspose: note groups and bias come before dilation. */
export type ConvTransposeLayerArgs =
  [stride?: SizeArg | ConvTransposeLayerOptions, padding?: SizeArg | ConvTransposeLayerOptions, outputPadding?: SizeArg | ConvTransposeLayerOptions,
   groups?: number | ConvTransposeLayerOptions, bias?: boolean | ConvTransposeLayerOptions, dilation?: SizeArg | ConvTransposeLayerOptions,
   paddingMode?: 'zeros' | ConvTransposeLayerOptions, opts?: ConvTransposeLayerOptions];
const CONV_T_POSITIONAL = ['stride', 'padding', 'outputPadding', 'groups', 'bias', 'dilation', 'paddingMode'] as const;
const CONV_T_KEYS = [...CONV_T_POSITIONAL, 'dtype'];

/**
 * Shared N-d transposed convolution layer. Weight `[inChannels, outChannels/groups, ...kernelSize]`
 * (PyTorch's layout), bias `[outChannels]`.
 */
export class ConvTransposeNd extends Module {
  /** The learnable kernels, `[inChannels, outChannels / groups, ...kernelSize]` (PyTorch's layout). */
  weight: Parameter;
  /** The learnable bias `[outChannels]`, or null when built with `bias: false`. */
  bias: Parameter | null;
  /** The kernel size, one entry per spatial dim. */
  readonly kernelSize: number[];
  /** The geometry passed to F.convTranspose on each forward: stride, padding, outputPadding, dilation, groups. */
  readonly opts: Omit<ConvTransposeLayerOptions, 'bias' | 'dtype'>;

  /**
   * @param n The number of spatial dims (1, 2 or 3).
   * @param inChannels Channels C_in of the input.
   * @param outChannels Channels C_out of the output.
   */
  constructor(readonly n: number, readonly inChannels: number, readonly outChannels: number, kernelSize: SizeArg, ...rest: ConvTransposeLayerArgs) {
    super();
    const name = [1, 2, 3].includes(n) ? `ConvTranspose${n}d` : 'ConvTransposeNd';
    const opts = positionalOptions(name, rest, CONV_T_POSITIONAL, CONV_T_KEYS) as ConvTransposeLayerOptions & { paddingMode?: string };
    if (opts.paddingMode !== undefined && opts.paddingMode !== 'zeros') {
      throw new TensorError(`${name}: only paddingMode 'zeros' is supported (got ${JSON.stringify(opts.paddingMode)})`);
    }
    this.kernelSize = checkConvCommon(name, n, inChannels, outChannels, kernelSize, opts as Record<string, unknown>);
    const groups = opts.groups ?? 1;
    const s = perDim(name, 'stride', opts.stride, n, 1, 1);
    const d = perDim(name, 'dilation', opts.dilation, n, 1, 1);
    perDim(name, 'padding', opts.padding, n, 0, 0);
    const op = perDim(name, 'outputPadding', opts.outputPadding, n, 0, 0);
    if (op.some((v, i) => v >= s[i]! && v >= d[i]!)) {
      throw new TensorError(`${name}: outputPadding ${JSON.stringify(opts.outputPadding)} must be smaller than stride ${JSON.stringify(opts.stride ?? 1)} or dilation ${JSON.stringify(opts.dilation ?? 1)}`);
    }
    this.opts = { stride: opts.stride, padding: opts.padding, outputPadding: opts.outputPadding, dilation: opts.dilation, groups };
    this.weight = new Parameter(empty([inChannels, outChannels / groups, ...this.kernelSize], opts.dtype));
    this.bias = opts.bias === false ? null : new Parameter(empty([outChannels], opts.dtype));
    this.resetParameters();
  }

  /**
   * Re-initialises weight and bias in place as PyTorch does: weight kaiming uniform with
   * a = sqrt(5), bias U(+-1/sqrt(fanIn)) with fanIn computed from the weight `[C_in, C_out / groups, *k]`.
   * @example new tg.nn.ConvTranspose2d(8, 3, 4).resetParameters()
   */
  resetParameters(): void {
    init.kaimingUniform_(this.weight, { a: Math.sqrt(5) });
    if (this.bias) {
      const bound = 1 / Math.sqrt(init.calculateFans(this.weight).fanIn);
      init.uniform_(this.bias, -bound, bound);
    }
  }

  /**
   * The transposed convolution of x (the gradient of a convolution with respect to its input),
   * as F.convTranspose1d/2d/3d. `[N, C_in, *in] -> [N, C_out, *out]`, each spatial size
   * out = (in - 1) * stride - 2 * padding + dilation * (k - 1) + outputPadding + 1.
   * @example new tg.nn.ConvTranspose2d(8, 3, 4, { stride: 2, padding: 1 }).forward(tg.randn([1, 8, 7, 7])) // [1, 3, 14, 14]
   */
  forward(x: Tensor): Tensor {
    return convTransposeNd(this.n, x, this.weight, this.bias, this.opts);
  }

  override extraRepr(): string {
    return `${this.inChannels}, ${this.outChannels}, kernelSize=[${this.kernelSize}], ${JSON.stringify(this.opts).slice(1, -1)}`;
  }
}

/**
 * 1-D transposed convolution over `[N, C, L]`, as torch.nn.ConvTranspose1d. After kernelSize:
 * PyTorch's positional (stride, padding, outputPadding, groups, bias, dilation, paddingMode) and/or an options object.
 * @example new tg.nn.ConvTranspose1d(16, 8, 3, { stride: 2 })
 */
export class ConvTranspose1d extends ConvTransposeNd {
  constructor(inChannels: number, outChannels: number, kernelSize: SizeArg, ...rest: ConvTransposeLayerArgs) {
    super(1, inChannels, outChannels, kernelSize, ...rest);
  }
}

/**
 * 2-D transposed convolution over `[N, C, H, W]` (learned upsampling), as torch.nn.ConvTranspose2d.
 * After kernelSize: PyTorch's positional (stride, padding, outputPadding, groups, bias, dilation, paddingMode) and/or an options object.
 * @example new tg.nn.ConvTranspose2d(16, 8, 4, { stride: 2, padding: 1 })  // doubles H and W
 */
export class ConvTranspose2d extends ConvTransposeNd {
  constructor(inChannels: number, outChannels: number, kernelSize: SizeArg, ...rest: ConvTransposeLayerArgs) {
    super(2, inChannels, outChannels, kernelSize, ...rest);
  }
}

/**
 * 3-D transposed convolution over `[N, C, D, H, W]`, as torch.nn.ConvTranspose3d. Arguments as ConvTranspose2d.
 * @example new tg.nn.ConvTranspose3d(8, 4, 2, { stride: 2 }) // doubles D, H and W
 */
export class ConvTranspose3d extends ConvTransposeNd {
  constructor(inChannels: number, outChannels: number, kernelSize: SizeArg, ...rest: ConvTransposeLayerArgs) {
    super(3, inChannels, outChannels, kernelSize, ...rest);
  }
}
