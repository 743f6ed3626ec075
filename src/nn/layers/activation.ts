import { Module } from '../module.js';
import type { Tensor } from '../../tensor/tensor.js';
import * as A from '../../ops/activation.js';

/*
 * Activation layers: stateless modules over the functional forms, so they can sit
 * in a Sequential. Each forward maps `[*]` to the same shape.
 */

/** max(x, 0). @example new nn.ReLU().forward(x) */
export class ReLU extends Module {
  forward(x: Tensor): Tensor { return A.relu(x); }
}

/** x if x > 0 else negativeSlope * x. */
export class LeakyReLU extends Module {
  constructor(readonly negativeSlope = 0.01) { super(); }
  forward(x: Tensor): Tensor { return A.leakyRelu(x, this.negativeSlope); }
  override extraRepr(): string { return `negativeSlope=${this.negativeSlope}`; }
}

/** x if x > 0 else alpha (e^x - 1). */
export class ELU extends Module {
  constructor(readonly alpha = 1) { super(); }
  forward(x: Tensor): Tensor { return A.elu(x, this.alpha); }
  override extraRepr(): string { return `alpha=${this.alpha}`; }
}

/** Scaled ELU with the self-normalising constants. */
export class SELU extends Module {
  forward(x: Tensor): Tensor { return A.selu(x); }
}

/** Gaussian error linear unit (exact, or the tanh approximation). */
export class GELU extends Module {
  constructor(readonly approximate: 'none' | 'tanh' = 'none') { super(); }
  forward(x: Tensor): Tensor { return A.gelu(x, this.approximate); }
  override extraRepr(): string { return `approximate='${this.approximate}'`; }
}

/** 1 / (1 + e^-x). */
export class Sigmoid extends Module {
  forward(x: Tensor): Tensor { return A.sigmoid(x); }
}

/** tanh(x). */
export class Tanh extends Module {
  forward(x: Tensor): Tensor { return A.tanh(x); }
}

/** log(1 + e^(beta x)) / beta, linear above `threshold`. */
export class Softplus extends Module {
  constructor(readonly beta = 1, readonly threshold = 20) { super(); }
  forward(x: Tensor): Tensor { return A.softplus(x, this.beta, this.threshold); }
  override extraRepr(): string { return `beta=${this.beta}, threshold=${this.threshold}`; }
}

/** x sigmoid(x). */
export class SiLU extends Module {
  forward(x: Tensor): Tensor { return A.silu(x); }
}

/** x tanh(softplus(x)). */
export class Mish extends Module {
  forward(x: Tensor): Tensor { return A.mish(x); }
}

/** clamp(x, minVal, maxVal). */
export class Hardtanh extends Module {
  constructor(readonly minVal = -1, readonly maxVal = 1) { super(); }
  forward(x: Tensor): Tensor { return A.hardtanh(x, this.minVal, this.maxVal); }
  override extraRepr(): string { return `minVal=${this.minVal}, maxVal=${this.maxVal}`; }
}

/** min(max(x, 0), 6). */
export class ReLU6 extends Module {
  forward(x: Tensor): Tensor { return A.relu6(x); }
}

/** Softmax over `dim`. */
export class Softmax extends Module {
  constructor(readonly dim: number) { super(); }
  forward(x: Tensor): Tensor { return A.softmax(x, this.dim); }
  override extraRepr(): string { return `dim=${this.dim}`; }
}

/** log(softmax(x)) over `dim`. */
export class LogSoftmax extends Module {
  constructor(readonly dim: number) { super(); }
  forward(x: Tensor): Tensor { return A.logSoftmax(x, this.dim); }
  override extraRepr(): string { return `dim=${this.dim}`; }
}
