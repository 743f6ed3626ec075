import { Module } from '../module.js';
import * as D from '../../ops/dropout.js';
import { TensorError } from '../../core/errors.js';
import { describeArg, positionalOptions } from '../../tensor/args.js';
import { checkInplace } from './args.js';
import type { Tensor } from '../../tensor/tensor.js';

abstract class DropoutBase extends Module {
  readonly p: number;
  /** `new nn.Dropout(0.3)`, `new nn.Dropout({ p: 0.3 })`; PyTorch's `inplace` is accepted (same results). */
  constructor(...args: [p?: number | { p?: number; inplace?: boolean }, inplace?: boolean]) {
    super();
    const name = this.constructor.name;
    const o = positionalOptions(name, args, ['p', 'inplace'], ['p', 'inplace']);
    this.p = (o.p ?? 0.5) as number;
    if (typeof this.p !== 'number' || !(this.p >= 0 && this.p <= 1)) throw new TensorError(`${name}: p must be in [0, 1] (got ${describeArg(this.p)})`);
    checkInplace(name, o.inplace);
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
