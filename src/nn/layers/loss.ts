import { Module } from '../module.js';
import * as L from '../../ops/loss.js';
import { Tensor as TensorClass, type Tensor } from '../../tensor/tensor.js';
import { TensorError } from '../../core/errors.js';
import { describeArg, positionalOptions } from '../../tensor/args.js';

/*
 * Loss modules: each holds its options and calls the functional loss, so a loss
 * can be configured once and passed around like PyTorch's nn.*Loss.
 */

/** The option keys each loss module accepts (the functional form's options). */
const LOSS_KEYS: Record<string, readonly string[]> = {
  MSELoss: ['reduction'], L1Loss: ['reduction'], SmoothL1Loss: ['reduction', 'beta'], HuberLoss: ['reduction', 'delta'],
  CrossEntropyLoss: ['weight', 'ignoreIndex', 'reduction', 'labelSmoothing'], NLLLoss: ['weight', 'ignoreIndex', 'reduction'],
  BCELoss: ['weight', 'reduction'], BCEWithLogitsLoss: ['weight', 'reduction', 'posWeight'], KLDivLoss: ['reduction', 'logTarget'],
  CosineEmbeddingLoss: ['margin', 'reduction'],
};

abstract class LossModule<O extends object> extends Module {
  readonly opts: O;
  /**
   * An options object (`{ reduction: 'sum' }`); the class-weighted losses also
   * take PyTorch's positional `weight` tensor first (`new nn.CrossEntropyLoss(w)`).
   * Unknown keys or other positional values throw here, not at the first forward.
   */
  constructor(...args: [weightOrOpts?: Tensor | null | O, opts?: O]) {
    super();
    const name = this.constructor.name;
    const keys = LOSS_KEYS[name] ?? Object.keys(args[args.length - 1] ?? {});
    const positional = keys[0] === 'weight' ? ['weight'] : [];
    const o = positionalOptions(name, args, positional, keys);
    if (o.weight != null && !(o.weight instanceof TensorClass)) throw new TensorError(`${name}: weight must be a Tensor, got ${describeArg(o.weight)}`);
    if (o.reduction !== undefined && !['mean', 'sum', 'none', ...(name === 'KLDivLoss' ? ['batchmean'] : [])].includes(o.reduction as string)) {
      throw new TensorError(`${name}: reduction must be 'mean', 'sum' or 'none'${name === 'KLDivLoss' ? " or 'batchmean'" : ''} (got ${describeArg(o.reduction)})`);
    }
    this.opts = o as O;
  }
  override extraRepr(): string { return JSON.stringify(this.opts, (_k, v) => (v && typeof v === 'object' && 'shape' in v ? `Tensor[${v.shape}]` : v)).slice(1, -1); }
}

/** Mean squared error. @example new nn.MSELoss().forward(pred, target) */
export class MSELoss extends LossModule<L.ReductionOptions> {
  forward(input: Tensor, target: Tensor): Tensor { return L.mseLoss(input, target, this.opts); }
}
export class L1Loss extends LossModule<L.ReductionOptions> {
  forward(input: Tensor, target: Tensor): Tensor { return L.l1Loss(input, target, this.opts); }
}
export class SmoothL1Loss extends LossModule<L.SmoothL1LossOptions> {
  forward(input: Tensor, target: Tensor): Tensor { return L.smoothL1Loss(input, target, this.opts); }
}
export class HuberLoss extends LossModule<L.HuberLossOptions> {
  forward(input: Tensor, target: Tensor): Tensor { return L.huberLoss(input, target, this.opts); }
}
/** Cross entropy on logits with class-index or probability targets. @example new nn.CrossEntropyLoss({ labelSmoothing: 0.1 }) */
export class CrossEntropyLoss extends LossModule<L.CrossEntropyOptions> {
  forward(input: Tensor, target: Tensor): Tensor { return L.crossEntropy(input, target, this.opts); }
}
export class NLLLoss extends LossModule<L.NllLossOptions> {
  forward(input: Tensor, target: Tensor): Tensor { return L.nllLoss(input, target, this.opts); }
}
export class BCELoss extends LossModule<L.BinaryCrossEntropyOptions> {
  forward(input: Tensor, target: Tensor): Tensor { return L.binaryCrossEntropy(input, target, this.opts); }
}
export class BCEWithLogitsLoss extends LossModule<L.BinaryCrossEntropyWithLogitsOptions> {
  forward(input: Tensor, target: Tensor): Tensor { return L.binaryCrossEntropyWithLogits(input, target, this.opts); }
}
export class KLDivLoss extends LossModule<L.KlDivOptions> {
  forward(input: Tensor, target: Tensor): Tensor { return L.klDiv(input, target, this.opts); }
}
export class CosineEmbeddingLoss extends LossModule<L.CosineEmbeddingLossOptions> {
  forward(x1: Tensor, x2: Tensor, y: Tensor): Tensor { return L.cosineEmbeddingLoss(x1, x2, y, this.opts); }
}
