import { Module } from '../module.js';
import { Parameter } from '../parameter.js';
import { empty } from './empty.js';
import * as init from '../init.js';
import { linear } from '../../ops/linalg.js';
import type { Tensor } from '../../tensor/tensor.js';
import type { DType } from '../../core/dtype.js';
import { checkBool, checkInt, positionalOptions } from '../../tensor/args.js';
import { checkDtypeOption } from './args.js';

/** Options of {@link Linear}. */
export interface LinearOptions {
  /** Whether the layer has a learnable bias. Default true. */
  bias?: boolean;
  /** Floating dtype of the weight and bias. Default 'float32'. */
  dtype?: DType;
}

/** After (inFeatures, outFeatures): PyTorch's positional `bias`, and/or an options object. */
export type LinearArgs = [bias?: boolean | LinearOptions, opts?: LinearOptions];

/**
 * y = x W^T + b. Input `[..., inFeatures]` -> `[..., outFeatures]`. Initialised like
 * PyTorch: W, b ~ U(-1/sqrt(inFeatures), 1/sqrt(inFeatures)).
 * @example const fc = new tg.nn.Linear(784, 10); fc.forward(tg.randn([32, 784])) // [32, 10]
 * @example new tg.nn.Linear(4, 2, false) // no bias, as in PyTorch; same as { bias: false }
 */
export class Linear extends Module {
  /** The learnable weight W, `[outFeatures, inFeatures]` (PyTorch's layout). */
  weight: Parameter;
  /** The learnable bias b `[outFeatures]`, or null when built with `bias: false`. */
  bias: Parameter | null;

  /**
   * @param inFeatures Size of each input's last dim.
   * @param outFeatures Size of each output's last dim.
   */
  constructor(readonly inFeatures: number, readonly outFeatures: number, ...rest: LinearArgs) {
    super();
    checkInt('Linear', 'inFeatures', inFeatures, 1);
    checkInt('Linear', 'outFeatures', outFeatures, 1);
    const opts = positionalOptions('Linear', rest, ['bias'], ['bias', 'dtype']) as LinearOptions;
    if (opts.bias !== undefined) checkBool('Linear', 'bias', opts.bias);
    checkDtypeOption('Linear', opts.dtype);
    this.weight = new Parameter(empty([outFeatures, inFeatures], opts.dtype));
    this.bias = opts.bias === false ? null : new Parameter(empty([outFeatures], opts.dtype));
    this.resetParameters();
  }

  /**
   * Re-initialises W and b in place with PyTorch's default: kaiming_uniform(a=sqrt(5)) for W,
   * i.e. U(+-1/sqrt(fanIn)); same bound for b.
   * @example new tg.nn.Linear(4, 2).resetParameters()
   */
  resetParameters(): void {
    init.kaimingUniform_(this.weight, { a: Math.sqrt(5) });
    if (this.bias) {
      const bound = 1 / Math.sqrt(this.inFeatures);
      init.uniform_(this.bias, -bound, bound);
    }
  }

  /**
   * Computes x W^T + b (as F.linear). `[*, inFeatures] -> [*, outFeatures]`.
   * @example new tg.nn.Linear(784, 10).forward(tg.randn([32, 784])) // [32, 10]
   */
  forward(x: Tensor): Tensor {
    return linear(x, this.weight, this.bias);
  }

  override extraRepr(): string {
    return `inFeatures=${this.inFeatures}, outFeatures=${this.outFeatures}, bias=${this.bias !== null}`;
  }
}
