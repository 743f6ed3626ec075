import { Module } from '../module.js';
import type { Tensor } from '../../tensor/tensor.js';
import * as A from '../../ops/activation.js';
import { TensorError } from '../../core/errors.js';
import { describeArg, positionalOptions, checkArgs } from '../../tensor/args.js';
import { checkInplace } from './args.js';

/**
 * Reads an activation's PyTorch positional arguments (or one options object
 * with the same names), checks each is a finite number (`inplace` a boolean).
 */
function numbers(layer: string, args: readonly unknown[], names: readonly string[], defaults: readonly number[]): number[] {
  const o = positionalOptions(layer, args, names, names);
  return names.map((name, i) => {
    if (name === 'inplace') {
      checkInplace(layer, o[name]);
      return 0;
    }
    const v = o[name] ?? defaults[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new TensorError(`${layer}: ${name} must be a finite number, got ${describeArg(v)}`);
    return v;
  });
}

/** Activations without parameters take no arguments except PyTorch's `inplace` flag. */
abstract class Parameterless extends Module {
  constructor(...args: [inplace?: boolean]) {
    super();
    checkArgs(this.constructor.name, args, { inplace: 'bool?' });
  }
}

/*
 * Activation layers: stateless modules over the functional forms, so they can sit
 * in a Sequential. Each forward maps `[*]` to the same shape.
 */

/** max(x, 0), as torch.nn.ReLU. Shape `[*]` -> `[*]`. @example new tg.nn.ReLU().forward(tg.tensor([-1, 2])) // [0, 2] */
export class ReLU extends Parameterless {
  /** Applies max(x, 0) elementwise. `[*] -> [*]`. @example new tg.nn.ReLU().forward(tg.randn([2, 3])) */
  forward(x: Tensor): Tensor { return A.relu(x); }
}

/** x if x > 0 else negativeSlope * x, as torch.nn.LeakyReLU. Shape `[*]` -> `[*]`. @example new tg.nn.LeakyReLU(0.2) */
export class LeakyReLU extends Module {
  /** Slope for negative inputs. Default 0.01. */
  readonly negativeSlope: number;
  /** `new nn.LeakyReLU(0.2)` or `new nn.LeakyReLU({ negativeSlope: 0.2 })`. */
  constructor(...args: [negativeSlope?: number | { negativeSlope?: number; inplace?: boolean }, inplace?: boolean]) {
    super();
    [this.negativeSlope] = numbers('LeakyReLU', args, ['negativeSlope', 'inplace'], [0.01]);
  }
  /** Applies x if x > 0 else negativeSlope * x, elementwise. `[*] -> [*]`. @example new tg.nn.LeakyReLU(0.2).forward(tg.randn([2, 3])) */
  forward(x: Tensor): Tensor { return A.leakyRelu(x, this.negativeSlope); }
  override extraRepr(): string { return `negativeSlope=${this.negativeSlope}`; }
}

/** x if x > 0 else alpha (e^x - 1), as torch.nn.ELU. Shape `[*]` -> `[*]`. @example new tg.nn.ELU(0.5) */
export class ELU extends Module {
  /** Scale of the negative branch: outputs approach -alpha for very negative inputs. Default 1. */
  readonly alpha: number;
  /** `new nn.ELU(0.5)` or `new nn.ELU({ alpha: 0.5 })`. */
  constructor(...args: [alpha?: number | { alpha?: number; inplace?: boolean }, inplace?: boolean]) {
    super();
    [this.alpha] = numbers('ELU', args, ['alpha', 'inplace'], [1]);
  }
  /** Applies x if x > 0 else alpha (e^x - 1), elementwise. `[*] -> [*]`. @example new tg.nn.ELU().forward(tg.randn([2, 3])) */
  forward(x: Tensor): Tensor { return A.elu(x, this.alpha); }
  override extraRepr(): string { return `alpha=${this.alpha}`; }
}

/**
 * Scaled ELU with the self-normalising constants (scale 1.0507..., alpha 1.6733...), as
 * torch.nn.SELU; pair it with AlphaDropout. Shape `[*]` -> `[*]`. @example new tg.nn.SELU()
 */
export class SELU extends Parameterless {
  /** Applies scale * (x if x > 0 else alpha (e^x - 1)), elementwise. `[*] -> [*]`. @example new tg.nn.SELU().forward(tg.randn([2, 3])) */
  forward(x: Tensor): Tensor { return A.selu(x); }
}

/** Gaussian error linear unit (exact, or the tanh approximation), as torch.nn.GELU. Shape `[*]` -> `[*]`. @example new tg.nn.GELU() */
export class GELU extends Module {
  /** 'none' (default): the exact x * Phi(x) with the normal CDF; 'tanh': the tanh approximation. */
  readonly approximate: 'none' | 'tanh';
  /** `new nn.GELU('tanh')` or `new nn.GELU({ approximate: 'tanh' })`. */
  constructor(...args: [approximate?: 'none' | 'tanh' | { approximate?: 'none' | 'tanh' }]) {
    super();
    const o = positionalOptions('GELU', args, ['approximate'], ['approximate']);
    this.approximate = (o.approximate ?? 'none') as 'none' | 'tanh';
    if (this.approximate !== 'none' && this.approximate !== 'tanh') {
      throw new TensorError(`GELU: approximate must be 'none' or 'tanh', got ${describeArg(this.approximate)}`);
    }
  }
  /** Applies x * Phi(x) (or its tanh approximation), elementwise. `[*] -> [*]`. @example new tg.nn.GELU('tanh').forward(tg.randn([2, 3])) */
  forward(x: Tensor): Tensor { return A.gelu(x, this.approximate); }
  override extraRepr(): string { return `approximate='${this.approximate}'`; }
}

/** The logistic function 1 / (1 + e^-x), as torch.nn.Sigmoid. Shape `[*]` -> `[*]`. @example new tg.nn.Sigmoid() */
export class Sigmoid extends Parameterless {
  /** Applies 1 / (1 + e^-x) elementwise. `[*] -> [*]`, values in (0, 1). @example new tg.nn.Sigmoid().forward(tg.randn([2, 3])) */
  forward(x: Tensor): Tensor { return A.sigmoid(x); }
}

/** Hyperbolic tangent, as torch.nn.Tanh. Shape `[*]` -> `[*]`. @example new tg.nn.Tanh() */
export class Tanh extends Parameterless {
  /** Applies tanh elementwise. `[*] -> [*]`, values in (-1, 1). @example new tg.nn.Tanh().forward(tg.randn([2, 3])) */
  forward(x: Tensor): Tensor { return A.tanh(x); }
}

/** log(1 + e^(beta x)) / beta, linear where beta x > `threshold`, as torch.nn.Softplus. Shape `[*]` -> `[*]`. @example new tg.nn.Softplus() */
export class Softplus extends Module {
  /** Sharpness: larger beta is closer to ReLU. Default 1. */
  readonly beta: number;
  /** Where beta * x exceeds this, the output is x itself (for numerical stability). Default 20. */
  readonly threshold: number;
  /** `new nn.Softplus(2, 10)` or `new nn.Softplus({ beta: 2, threshold: 10 })`. */
  constructor(...args: [beta?: number | { beta?: number; threshold?: number }, threshold?: number]) {
    super();
    [this.beta, this.threshold] = numbers('Softplus', args, ['beta', 'threshold'], [1, 20]);
    if (this.beta === 0) throw new TensorError('Softplus: beta must be non-zero');
  }
  /** Applies log(1 + e^(beta x)) / beta elementwise (x itself where beta x > threshold). `[*] -> [*]`. @example new tg.nn.Softplus(2).forward(tg.randn([2, 3])) */
  forward(x: Tensor): Tensor { return A.softplus(x, this.beta, this.threshold); }
  override extraRepr(): string { return `beta=${this.beta}, threshold=${this.threshold}`; }
}

/** x sigmoid(x) (swish), as torch.nn.SiLU. Shape `[*]` -> `[*]`. @example new tg.nn.SiLU() */
export class SiLU extends Parameterless {
  /** Applies x sigmoid(x) elementwise. `[*] -> [*]`. @example new tg.nn.SiLU().forward(tg.randn([2, 3])) */
  forward(x: Tensor): Tensor { return A.silu(x); }
}

/** x tanh(softplus(x)), as torch.nn.Mish. Shape `[*]` -> `[*]`. @example new tg.nn.Mish() */
export class Mish extends Parameterless {
  /** Applies x tanh(softplus(x)) elementwise. `[*] -> [*]`. @example new tg.nn.Mish().forward(tg.randn([2, 3])) */
  forward(x: Tensor): Tensor { return A.mish(x); }
}

/** clamp(x, minVal, maxVal), as torch.nn.Hardtanh. Shape `[*]` -> `[*]`. @example new tg.nn.Hardtanh(-2, 2) */
export class Hardtanh extends Module {
  /** Lower clamp bound. Default -1. */
  readonly minVal: number;
  /** Upper clamp bound. Default 1. */
  readonly maxVal: number;
  /** `new nn.Hardtanh(-2, 2)` or `new nn.Hardtanh({ minVal: -2, maxVal: 2 })`. */
  constructor(...args: [minVal?: number | { minVal?: number; maxVal?: number; inplace?: boolean }, maxVal?: number, inplace?: boolean]) {
    super();
    [this.minVal, this.maxVal] = numbers('Hardtanh', args, ['minVal', 'maxVal', 'inplace'], [-1, 1]);
    if (this.minVal > this.maxVal) throw new TensorError(`Hardtanh: minVal ${this.minVal} must not exceed maxVal ${this.maxVal}`);
  }
  /** Clamps each element to [minVal, maxVal]. `[*] -> [*]`. @example new tg.nn.Hardtanh(-2, 2).forward(tg.randn([2, 3])) */
  forward(x: Tensor): Tensor { return A.hardtanh(x, this.minVal, this.maxVal); }
  override extraRepr(): string { return `minVal=${this.minVal}, maxVal=${this.maxVal}`; }
}

/** min(max(x, 0), 6), as torch.nn.ReLU6. Shape `[*]` -> `[*]`. @example new tg.nn.ReLU6() */
export class ReLU6 extends Parameterless {
  /** Clamps each element to [0, 6]. `[*] -> [*]`. @example new tg.nn.ReLU6().forward(tg.randn([2, 3])) */
  forward(x: Tensor): Tensor { return A.relu6(x); }
}

/**
 * A layer over one required `dim` (Softmax, LogSoftmax, Softmin):
 * `new nn.Softmax(1)` or `new nn.Softmax({ dim: 1 })`; the dim is required
 * (PyTorch's implicit dim is deprecated).
 */
export abstract class DimLayer extends Module {
  /** The dim the normalisation runs along (negative counts from the end). */
  readonly dim: number;
  constructor(...args: [dim: number | { dim: number }]) {
    super();
    const name = this.constructor.name;
    const o = positionalOptions(name, args, ['dim'], ['dim']);
    checkArgs(name, [o.dim], { dim: 'dim' });
    this.dim = o.dim as number;
  }
  override extraRepr(): string { return `dim=${this.dim}`; }
}

/** Softmax over `dim`, as torch.nn.Softmax. Shape `[*]` -> `[*]`. @example new tg.nn.Softmax(-1) */
export class Softmax extends DimLayer {
  /** exp(x) / sum(exp(x)) along `dim`: each slice along it sums to 1. `[*] -> [*]`. @example new tg.nn.Softmax(1).forward(tg.randn([2, 3])) // rows sum to 1 */
  forward(x: Tensor): Tensor { return A.softmax(x, this.dim); }
}

/** log(softmax(x)) over `dim`, as torch.nn.LogSoftmax (pair with NLLLoss). Shape `[*]` -> `[*]`. @example new tg.nn.LogSoftmax(1) */
export class LogSoftmax extends DimLayer {
  /** log(softmax(x)) along `dim`, computed stably. `[*] -> [*]`. @example new tg.nn.LogSoftmax(1).forward(tg.randn([2, 3])) */
  forward(x: Tensor): Tensor { return A.logSoftmax(x, this.dim); }
}
