import { Module } from '../module.js';
import { Parameter } from '../parameter.js';
import { empty } from './empty.js';
import * as init from '../init.js';
import { conv2dReluMaxPool2x2, convNd, convNdRelu, convTransposeNd } from '../../ops/conv.js';
import type { ConvPadding, SizeArg } from '../../ops/conv.js';
import { pad, type PadMode } from '../../ops/pad.js';
import { TensorError } from '../../tensor/errors.js';
import type { Tensor } from '../../tensor/tensor.js';
import type { DType } from '../../tensor/dtype.js';

export type PaddingMode = 'zeros' | PadMode;

export interface ConvLayerOptions {
  stride?: SizeArg;
  padding?: ConvPadding;
  dilation?: SizeArg;
  groups?: number;
  bias?: boolean;
  /** How padding is filled: zeros (default), reflect, replicate or circular. */
  paddingMode?: PaddingMode;
  dtype?: DType;
}

const tuple = (v: SizeArg, n: number): number[] => (typeof v === 'number' ? new Array<number>(n).fill(v) : [...v]);

/**
 * Shared N-d convolution layer (PyTorch's _ConvNd): Conv1d/2d/3d differ only in N.
 * Weight `[outChannels, inChannels/groups, ...kernelSize]`, bias `[outChannels]`,
 * initialised like PyTorch (kaiming uniform with a = sqrt(5); bias U(+-1/sqrt(fanIn))).
 */
export class ConvNd extends Module {
  weight: Parameter;
  bias: Parameter | null;
  readonly kernelSize: number[];
  readonly stride: SizeArg;
  readonly padding: ConvPadding;
  readonly dilation: SizeArg;
  readonly groups: number;
  readonly paddingMode: PaddingMode;

  constructor(readonly n: number, readonly inChannels: number, readonly outChannels: number, kernelSize: SizeArg, opts: ConvLayerOptions = {}) {
    super();
    const name = `Conv${n}d`;
    this.groups = opts.groups ?? 1;
    for (const [arg, v] of [['inChannels', inChannels], ['outChannels', outChannels], ['groups', this.groups]] as const) {
      if (!Number.isInteger(v) || v <= 0) throw new TensorError(`${name}: ${arg} must be a positive integer (got ${v})`);
    }
    if (inChannels % this.groups || outChannels % this.groups) {
      throw new TensorError(`${name}: inChannels ${inChannels} and outChannels ${outChannels} must both be divisible by groups ${this.groups}`);
    }
    this.kernelSize = tuple(kernelSize, n);
    if (this.kernelSize.length !== n || this.kernelSize.some((k) => !Number.isInteger(k) || k <= 0)) {
      throw new TensorError(`${name}: kernelSize must be a positive integer or ${n} of them (got ${JSON.stringify(kernelSize)})`);
    }
    this.stride = opts.stride ?? 1;
    this.padding = opts.padding ?? 0;
    this.dilation = opts.dilation ?? 1;
    this.paddingMode = opts.paddingMode ?? 'zeros';
    if (!['zeros', 'reflect', 'replicate', 'circular'].includes(this.paddingMode)) {
      throw new TensorError(`${name}: paddingMode must be 'zeros', 'reflect', 'replicate' or 'circular' (got '${this.paddingMode}')`);
    }
    this.weight = new Parameter(empty([outChannels, inChannels / this.groups, ...this.kernelSize], opts.dtype));
    this.bias = opts.bias === false ? null : new Parameter(empty([outChannels], opts.dtype));
    this.resetParameters();
  }

  resetParameters(): void {
    init.kaimingUniform_(this.weight, { a: Math.sqrt(5) });
    if (this.bias) {
      const { fanIn } = init.calculateFans(this.weight);
      const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
      init.uniform_(this.bias, -bound, bound);
    }
  }

  /** F.pad amounts (last dim first) for non-zero padding modes, from `padding`. */
  private explicitPad(): number[] {
    const d = tuple(this.dilation, this.n);
    let perSide: [number, number][];
    if (this.padding === 'valid') perSide = this.kernelSize.map(() => [0, 0]);
    else if (this.padding === 'same') {
      perSide = this.kernelSize.map((k, i) => {
        const total = d[i]! * (k - 1);
        return [Math.floor(total / 2), total - Math.floor(total / 2)];
      });
    } else {
      const p = tuple(this.padding, this.n);
      perSide = p.length === 2 * this.n ? this.kernelSize.map((_, i) => [p[2 * i]!, p[2 * i + 1]!]) : p.map((v) => [v, v]);
    }
    return perSide.reverse().flat();
  }

  forward(x: Tensor): Tensor {
    return this.run(x, convNd);
  }

  /**
   * `relu(this.forward(x))` in one fused pass (no hooks run): what
   * nn.Sequential calls for this layer followed by a ReLU module.
   */
  forwardRelu(x: Tensor): Tensor {
    return this.run(x, convNdRelu);
  }

  /**
   * `maxPool2d(relu(this.forward(x)), 2)` (2-D layers), in one pass per image
   * (see F.conv2dReluMaxPool2x2; no hooks run): what nn.Sequential calls for
   * this layer, a ReLU and a MaxPool2d(2).
   */
  forwardReluMaxPool2x2(x: Tensor): Tensor {
    if (this.n !== 2) throw new TensorError(`Conv${this.n}d: forwardReluMaxPool2x2 is for 2-D convolutions`);
    return this.run(x, (_n, input, w, b, o) => conv2dReluMaxPool2x2(input, w, b, o));
  }

  private run(x: Tensor, conv: typeof convNd): Tensor {
    const opts = { stride: this.stride, dilation: this.dilation, groups: this.groups };
    if (this.paddingMode === 'zeros') return conv(this.n, x, this.weight, this.bias, { ...opts, padding: this.padding });
    const padded = pad(x, this.explicitPad(), { mode: this.paddingMode });
    return conv(this.n, padded, this.weight, this.bias, { ...opts, padding: 0 });
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

/** 1-D convolution over `[N, C, L]`. @example new nn.Conv1d(16, 33, 3, { stride: 2 }) */
export class Conv1d extends ConvNd {
  constructor(inChannels: number, outChannels: number, kernelSize: SizeArg, opts?: ConvLayerOptions) {
    super(1, inChannels, outChannels, kernelSize, opts);
  }
}

/** 2-D convolution over `[N, C, H, W]`. @example new nn.Conv2d(1, 6, 5, { padding: 2 }) */
export class Conv2d extends ConvNd {
  constructor(inChannels: number, outChannels: number, kernelSize: SizeArg, opts?: ConvLayerOptions) {
    super(2, inChannels, outChannels, kernelSize, opts);
  }
}

/** 3-D convolution over `[N, C, D, H, W]`. */
export class Conv3d extends ConvNd {
  constructor(inChannels: number, outChannels: number, kernelSize: SizeArg, opts?: ConvLayerOptions) {
    super(3, inChannels, outChannels, kernelSize, opts);
  }
}

export interface ConvTransposeLayerOptions {
  stride?: SizeArg;
  padding?: SizeArg;
  outputPadding?: SizeArg;
  dilation?: SizeArg;
  groups?: number;
  bias?: boolean;
  dtype?: DType;
}

/**
 * Shared N-d transposed convolution layer. Weight `[inChannels, outChannels/groups, ...kernelSize]`
 * (PyTorch's layout), bias `[outChannels]`.
 */
export class ConvTransposeNd extends Module {
  weight: Parameter;
  bias: Parameter | null;
  readonly kernelSize: number[];
  readonly opts: Omit<ConvTransposeLayerOptions, 'bias' | 'dtype'>;

  constructor(readonly n: number, readonly inChannels: number, readonly outChannels: number, kernelSize: SizeArg, opts: ConvTransposeLayerOptions = {}) {
    super();
    const name = `ConvTranspose${n}d`;
    const groups = opts.groups ?? 1;
    if (!Number.isInteger(groups) || groups <= 0 || inChannels % groups || outChannels % groups) {
      throw new TensorError(`${name}: inChannels ${inChannels} and outChannels ${outChannels} must both be divisible by groups ${groups}`);
    }
    this.kernelSize = tuple(kernelSize, n);
    this.opts = { stride: opts.stride, padding: opts.padding, outputPadding: opts.outputPadding, dilation: opts.dilation, groups };
    this.weight = new Parameter(empty([inChannels, outChannels / groups, ...this.kernelSize], opts.dtype));
    this.bias = opts.bias === false ? null : new Parameter(empty([outChannels], opts.dtype));
    this.resetParameters();
  }

  resetParameters(): void {
    init.kaimingUniform_(this.weight, { a: Math.sqrt(5) });
    if (this.bias) {
      const bound = 1 / Math.sqrt(init.calculateFans(this.weight).fanIn);
      init.uniform_(this.bias, -bound, bound);
    }
  }

  forward(x: Tensor): Tensor {
    return convTransposeNd(this.n, x, this.weight, this.bias, this.opts);
  }

  override extraRepr(): string {
    return `${this.inChannels}, ${this.outChannels}, kernelSize=[${this.kernelSize}], ${JSON.stringify(this.opts).slice(1, -1)}`;
  }
}

/** @example new nn.ConvTranspose1d(16, 8, 3, { stride: 2 }) */
export class ConvTranspose1d extends ConvTransposeNd {
  constructor(inChannels: number, outChannels: number, kernelSize: SizeArg, opts?: ConvTransposeLayerOptions) {
    super(1, inChannels, outChannels, kernelSize, opts);
  }
}

/** @example new nn.ConvTranspose2d(16, 8, 4, { stride: 2, padding: 1 })  // doubles H and W */
export class ConvTranspose2d extends ConvTransposeNd {
  constructor(inChannels: number, outChannels: number, kernelSize: SizeArg, opts?: ConvTransposeLayerOptions) {
    super(2, inChannels, outChannels, kernelSize, opts);
  }
}

export class ConvTranspose3d extends ConvTransposeNd {
  constructor(inChannels: number, outChannels: number, kernelSize: SizeArg, opts?: ConvTransposeLayerOptions) {
    super(3, inChannels, outChannels, kernelSize, opts);
  }
}
