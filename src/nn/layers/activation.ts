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

/** max(x, 0). @example new nn.ReLU().forward(x) */
export class ReLU extends Parameterless {
  forward(x: Tensor): Tensor { return A.relu(x); }
}

/** x if x > 0 else negativeSlope * x. */
export class LeakyReLU extends Module {
  readonly negativeSlope: number;
  /** `new nn.LeakyReLU(0.2)` or `new nn.LeakyReLU({ negativeSlope: 0.2 })`. */
  constructor(...args: [negativeSlope?: number | { negativeSlope?: number; inplace?: boolean }, inplace?: boolean]) {
    super();
    [this.negativeSlope] = numbers('LeakyReLU', args, ['negativeSlope', 'inplace'], [0.01]);
  }
  forward(x: Tensor): Tensor { return A.leakyRelu(x, this.negativeSlope); }
  override extraRepr(): string { return `negativeSlope=${this.negativeSlope}`; }
}

/** x if x > 0 else alpha (e^x - 1). */
export class ELU extends Module {
  readonly alpha: number;
  /** `new nn.ELU(0.5)` or `new nn.ELU({ alpha: 0.5 })`. */
  constructor(...args: [alpha?: number | { alpha?: number; inplace?: boolean }, inplace?: boolean]) {
    super();
    [this.alpha] = numbers('ELU', args, ['alpha', 'inplace'], [1]);
  }
  forward(x: Tensor): Tensor { return A.elu(x, this.alpha); }
  override extraRepr(): string { return `alpha=${this.alpha}`; }
}

/** Scaled ELU with the self-normalising constants. */
export class SELU extends Parameterless {
  forward(x: Tensor): Tensor { return A.selu(x); }
}

/** Gaussian error linear unit (exact, or the tanh approximation). */
export class GELU extends Module {
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
  forward(x: Tensor): Tensor { return A.gelu(x, this.approximate); }
  override extraRepr(): string { return `approximate='${this.approximate}'`; }
}

/** 1 / (1 + e^-x). */
export class Sigmoid extends Parameterless {
  forward(x: Tensor): Tensor { return A.sigmoid(x); }
}

/** tanh(x). */
export class Tanh extends Parameterless {
  forward(x: Tensor): Tensor { return A.tanh(x); }
}

/** log(1 + e^(beta x)) / beta, linear above `threshold`. */
export class Softplus extends Module {
  readonly beta: number;
  readonly threshold: number;
  /** `new nn.Softplus(2, 10)` or `new nn.Softplus({ beta: 2, threshold: 10 })`. */
  constructor(...args: [beta?: number | { beta?: number; threshold?: number }, threshold?: number]) {
    super();
    [this.beta, this.threshold] = numbers('Softplus', args, ['beta', 'threshold'], [1, 20]);
    if (this.beta === 0) throw new TensorError('Softplus: beta must be non-zero');
  }
  forward(x: Tensor): Tensor { return A.softplus(x, this.beta, this.threshold); }
  override extraRepr(): string { return `beta=${this.beta}, threshold=${this.threshold}`; }
}

/** x sigmoid(x). */
export class SiLU extends Parameterless {
  forward(x: Tensor): Tensor { return A.silu(x); }
}

/** x tanh(softplus(x)). */
export class Mish extends Parameterless {
  forward(x: Tensor): Tensor { return A.mish(x); }
}

/** clamp(x, minVal, maxVal). */
export class Hardtanh extends Module {
  readonly minVal: number;
  readonly maxVal: number;
  /** `new nn.Hardtanh(-2, 2)` or `new nn.Hardtanh({ minVal: -2, maxVal: 2 })`. */
  constructor(...args: [minVal?: number | { minVal?: number; maxVal?: number; inplace?: boolean }, maxVal?: number, inplace?: boolean]) {
    super();
    [this.minVal, this.maxVal] = numbers('Hardtanh', args, ['minVal', 'maxVal', 'inplace'], [-1, 1]);
    if (this.minVal > this.maxVal) throw new TensorError(`Hardtanh: minVal ${this.minVal} must not exceed maxVal ${this.maxVal}`);
  }
  forward(x: Tensor): Tensor { return A.hardtanh(x, this.minVal, this.maxVal); }
  override extraRepr(): string { return `minVal=${this.minVal}, maxVal=${this.maxVal}`; }
}

/** min(max(x, 0), 6). */
export class ReLU6 extends Parameterless {
  forward(x: Tensor): Tensor { return A.relu6(x); }
}

/**
 * A layer over one required `dim` (Softmax, LogSoftmax, Softmin):
 * `new nn.Softmax(1)` or `new nn.Softmax({ dim: 1 })`; the dim is required
 * (PyTorch's implicit dim is deprecated).
 */
export abstract class DimLayer extends Module {
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

/** Softmax over `dim`. */
export class Softmax extends DimLayer {
  forward(x: Tensor): Tensor { return A.softmax(x, this.dim); }
}

/** log(softmax(x)) over `dim`. */
export class LogSoftmax extends DimLayer {
  forward(x: Tensor): Tensor { return A.logSoftmax(x, this.dim); }
}
