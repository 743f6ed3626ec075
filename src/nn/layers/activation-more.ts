import { Module } from '../module.js';
import { Parameter } from '../parameter.js';
import { celu, prelu, softmin } from '../../ops/activation-more.js';
import { TensorError } from '../../core/errors.js';
import { full } from '../../tensor/create.js';
import type { Tensor } from '../../tensor/tensor.js';
import type { DType } from '../../core/dtype.js';
import { checkInt, checkRange, describeArg, positionalOptions } from '../../tensor/args.js';
import { checkDtypeOption, checkInplace } from './args.js';
import { DimLayer } from './activation.js';

/** Options of {@link PReLU} (PyTorch's `num_parameters`, `init`, plus `dtype`). */
export interface PReLUOptions {
  /** Number of learnable slopes: 1 (shared) or the number of channels (default 1). */
  numParameters?: number;
  /** Initial slope (default 0.25). */
  init?: number;
  /** Floating dtype of `weight`. Default 'float32'. */
  dtype?: DType;
}

/**
 * Parametric ReLU with learnable negative slopes (`weight`, shape
 * `[numParameters]`, PyTorch's state-dict key), as torch.nn.PReLU.
 * Shape: `[N, C, *]` -> same (numParameters must be 1 or C).
 * @example
 * new tg.nn.PReLU()              // one shared slope, 0.25
 * new tg.nn.PReLU(64, 0.1)       // one slope per channel
 * new tg.nn.PReLU({ numParameters: 64, init: 0.1 })
 */
export class PReLU extends Module {
  /** The learnable negative slopes, `[numParameters]`. */
  weight: Parameter;

  /** PyTorch's positional `(numParameters, init)` and/or an options object (with `dtype`). */
  constructor(...args: [numParameters?: number | PReLUOptions, init?: number | PReLUOptions, opts?: PReLUOptions]) {
    super();
    const o = positionalOptions('PReLU', args, ['numParameters', 'init'], ['numParameters', 'init', 'dtype']) as PReLUOptions;
    const n = checkInt('PReLU', 'numParameters', o.numParameters ?? 1, 1);
    const v = checkRange('PReLU', 'init', o.init ?? 0.25);
    checkDtypeOption('PReLU', o.dtype);
    this.weight = new Parameter(full([n], v, o.dtype ? { dtype: o.dtype } : {}));
  }

  /**
   * Applies x if x > 0 else weight[c] * x, with c the channel (dim 1; one shared slope
   * when numParameters is 1). `[N, C, *] -> [N, C, *]`; throws if numParameters is not 1 or C.
   * @example new tg.nn.PReLU(3).forward(tg.randn([2, 3, 4, 4]))
   */
  forward(x: Tensor): Tensor {
    try {
      return prelu(x, this.weight);
    } catch (e) {
      // Name the layer: the functional message talks about a weight the user never passed.
      if (e instanceof TensorError) throw new TensorError(`PReLU(numParameters=${this.weight.numel()}): ${e.message}`);
      throw e;
    }
  }
  override extraRepr(): string { return `numParameters=${this.weight.numel()}`; }
}

/** max(0, x) + min(0, alpha (exp(x / alpha) - 1)), as torch.nn.CELU. Shape `[*]` -> `[*]`. @example new tg.nn.CELU(0.5) */
export class CELU extends Module {
  /** Scale of the negative branch (outputs approach -alpha); non-zero. Default 1. */
  readonly alpha: number;
  /** `new nn.CELU(0.5)`, `new nn.CELU(0.5, true)` (PyTorch's inplace, accepted) or `new nn.CELU({ alpha: 0.5 })`. */
  constructor(...args: [alpha?: number | { alpha?: number; inplace?: boolean }, inplace?: boolean]) {
    super();
    const o = positionalOptions('CELU', args, ['alpha', 'inplace'], ['alpha', 'inplace']);
    checkInplace('CELU', o.inplace);
    const alpha = o.alpha ?? 1;
    if (typeof alpha !== 'number' || !Number.isFinite(alpha) || alpha === 0) throw new TensorError(`CELU: alpha must be a finite non-zero number (got ${describeArg(alpha)})`);
    this.alpha = alpha;
  }
  /** Applies max(0, x) + min(0, alpha (exp(x / alpha) - 1)) elementwise. `[*] -> [*]`. @example new tg.nn.CELU(0.5).forward(tg.randn([2, 3])) */
  forward(x: Tensor): Tensor { return celu(x, this.alpha); }
  override extraRepr(): string { return `alpha=${this.alpha}`; }
}

/** softmax(-x) over `dim`, as torch.nn.Softmin. Shape `[*]` -> `[*]`. @example new tg.nn.Softmin(1) */
export class Softmin extends DimLayer {
  /** softmax(-x) along `dim`: each slice along it sums to 1, smallest inputs weigh most. `[*] -> [*]`. @example new tg.nn.Softmin(1).forward(tg.randn([2, 3])) */
  forward(x: Tensor): Tensor { return softmin(x, this.dim); }
}
