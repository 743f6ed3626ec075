import { Module } from '../module.js';
import * as D from '../../ops/dropout.js';
import { TensorError } from '../../core/errors.js';
import { describeArg, positionalOptions } from '../../tensor/args.js';
import { checkInplace } from './args.js';
import type { Tensor } from '../../tensor/tensor.js';

abstract class DropoutBase extends Module {
  /** Probability of zeroing an element (or a channel), in [0, 1]. Default 0.5. */
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

/**
 * Zeroes elements with probability p in training (scaling the rest by 1/(1-p)); identity in
 * eval mode, as torch.nn.Dropout. Shape `[*]` -> `[*]`.
 * @example new tg.nn.Dropout(0.3)
 */
export class Dropout extends DropoutBase {
  /**
   * In training mode zeroes each element with probability p and scales the rest by 1/(1-p);
   * in eval mode returns x itself. `[*] -> [*]`.
   * @example new tg.nn.Dropout(0.5).forward(tg.ones([2, 4])) // entries 0 or 2
   */
  forward(x: Tensor): Tensor { return D.dropout(x, this.p, this.training); }
}
/** Zeroes whole channels of `[N, C, L]` (or `[C, L]`), as torch.nn.Dropout1d. @example new tg.nn.Dropout1d(0.1) */
export class Dropout1d extends DropoutBase {
  /**
   * In training mode zeroes each channel `[n, c, :]` with probability p, scaling kept ones by
   * 1/(1-p); identity in eval mode. `[N, C, L] -> [N, C, L]` (or `[C, L]`).
   * @example new tg.nn.Dropout1d(0.1).forward(tg.randn([2, 4, 10]))
   */
  forward(x: Tensor): Tensor { return D.dropout1d(x, this.p, this.training); }
}
/** Zeroes whole channels of `[N, C, H, W]`, as torch.nn.Dropout2d. @example new tg.nn.Dropout2d(0.25) */
export class Dropout2d extends DropoutBase {
  /**
   * In training mode zeroes each channel `[n, c, :, :]` with probability p, scaling kept ones by
   * 1/(1-p); identity in eval mode. `[N, C, H, W] -> [N, C, H, W]` (a 3-D input is read as `[N, C, L]`, as PyTorch).
   * @example new tg.nn.Dropout2d(0.25).forward(tg.randn([2, 4, 8, 8]))
   */
  forward(x: Tensor): Tensor { return D.dropout2d(x, this.p, this.training); }
}
/** Zeroes whole channels of `[N, C, D, H, W]`, as torch.nn.Dropout3d. @example new tg.nn.Dropout3d(0.2) */
export class Dropout3d extends DropoutBase {
  /**
   * In training mode zeroes each channel `[n, c, :, :, :]` with probability p, scaling kept ones by
   * 1/(1-p); identity in eval mode. `[N, C, D, H, W] -> [N, C, D, H, W]` (or `[C, D, H, W]`).
   * @example new tg.nn.Dropout3d(0.2).forward(tg.randn([1, 2, 4, 4, 4]))
   */
  forward(x: Tensor): Tensor { return D.dropout3d(x, this.p, this.training); }
}
/** Dropout that keeps SELU's self-normalising mean and variance, as torch.nn.AlphaDropout. @example new tg.nn.AlphaDropout(0.1) */
export class AlphaDropout extends DropoutBase {
  /**
   * In training mode sets dropped elements to SELU's saturation value and applies the affine
   * map that restores zero mean and unit variance; identity in eval mode. `[*] -> [*]`.
   * @example new tg.nn.AlphaDropout(0.1).forward(tg.randn([4, 8]))
   */
  forward(x: Tensor): Tensor { return D.alphaDropout(x, this.p, this.training); }
}
