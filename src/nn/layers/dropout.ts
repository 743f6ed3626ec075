import { Module } from '../module.js';
import * as D from '../../ops/dropout.js';
import { TensorError } from '../../tensor/errors.js';
import type { Tensor } from '../../tensor/tensor.js';

abstract class DropoutBase extends Module {
  constructor(readonly p = 0.5) {
    super();
    if (!(p >= 0 && p <= 1)) throw new TensorError(`${this.constructor.name}: p must be in [0, 1] (got ${p})`);
  }
  override extraRepr(): string { return `p=${this.p}`; }
}

/** Zeroes elements with probability p in training (scaling the rest by 1/(1-p)); identity in eval. */
export class Dropout extends DropoutBase {
  forward(x: Tensor): Tensor { return D.dropout(x, this.p, this.training); }
}
/** Zeroes whole channels of `[N, C, L]`. */
export class Dropout1d extends DropoutBase {
  forward(x: Tensor): Tensor { return D.dropout1d(x, this.p, this.training); }
}
/** Zeroes whole channels of `[N, C, H, W]`. */
export class Dropout2d extends DropoutBase {
  forward(x: Tensor): Tensor { return D.dropout2d(x, this.p, this.training); }
}
/** Zeroes whole channels of `[N, C, D, H, W]`. */
export class Dropout3d extends DropoutBase {
  forward(x: Tensor): Tensor { return D.dropout3d(x, this.p, this.training); }
}
/** Dropout that keeps SELU's self-normalising mean and variance. */
export class AlphaDropout extends DropoutBase {
  forward(x: Tensor): Tensor { return D.alphaDropout(x, this.p, this.training); }
}
