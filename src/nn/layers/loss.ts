import { Module } from '../module.js';
import * as L from '../../ops/loss.js';
import type { Tensor } from '../../tensor/tensor.js';

/*
 * Loss modules: each holds its options and calls the functional loss, so a loss
 * can be configured once and passed around like PyTorch's nn.*Loss.
 */

abstract class LossModule<O extends object> extends Module {
  constructor(readonly opts: O = {} as O) { super(); }
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
