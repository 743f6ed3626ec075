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
  /** The options passed to the functional loss on every forward (`reduction`, ...), with the positional `weight` merged in. */
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

/**
 * Mean squared error `(input - target)^2`, reduced, as torch.nn.MSELoss (F.mseLoss).
 * @example new tg.nn.MSELoss().forward(tg.randn([4, 3]), tg.randn([4, 3])) // []
 */
export class MSELoss extends LossModule<L.ReductionOptions> {
  /**
   * The loss of `input` against `target` of the same shape: output `[]`, or that shape for reduction 'none'.
   * @example new tg.nn.MSELoss({ reduction: 'sum' }).forward(tg.tensor([1, 2]), tg.tensor([1, 4])) // 4
   */
  forward(input: Tensor, target: Tensor): Tensor { return L.mseLoss(input, target, this.opts); }
}
/**
 * Mean absolute error `|input - target|`, reduced, as torch.nn.L1Loss (F.l1Loss).
 * @example new tg.nn.L1Loss({ reduction: 'sum' })
 */
export class L1Loss extends LossModule<L.ReductionOptions> {
  /**
   * The loss of `input` against `target` of the same shape: output `[]`, or that shape for reduction 'none'.
   * @example new tg.nn.L1Loss().forward(tg.tensor([1, 2]), tg.tensor([1, 4])) // 1
   */
  forward(input: Tensor, target: Tensor): Tensor { return L.l1Loss(input, target, this.opts); }
}
/**
 * Smooth L1 loss, as torch.nn.SmoothL1Loss (F.smoothL1Loss): with d = |input - target|,
 * `0.5 d^2 / beta` for d < beta, else `d - 0.5 beta`. Options: reduction, beta (default 1).
 * @example new tg.nn.SmoothL1Loss({ beta: 1 / 9 })
 */
export class SmoothL1Loss extends LossModule<L.SmoothL1LossOptions> {
  /**
   * The loss of `input` against `target` of the same shape: output `[]`, or that shape for reduction 'none'.
   * @example new tg.nn.SmoothL1Loss().forward(tg.randn([4, 3]), tg.randn([4, 3]))
   */
  forward(input: Tensor, target: Tensor): Tensor { return L.smoothL1Loss(input, target, this.opts); }
}
/**
 * Huber loss, as torch.nn.HuberLoss (F.huberLoss): with d = |input - target|, `0.5 d^2` for
 * d < delta, else `delta (d - 0.5 delta)`. Options: reduction, delta (default 1).
 * @example new tg.nn.HuberLoss({ delta: 2 })
 */
export class HuberLoss extends LossModule<L.HuberLossOptions> {
  /**
   * The loss of `input` against `target` of the same shape: output `[]`, or that shape for reduction 'none'.
   * @example new tg.nn.HuberLoss().forward(tg.randn([4, 3]), tg.randn([4, 3]))
   */
  forward(input: Tensor, target: Tensor): Tensor { return L.huberLoss(input, target, this.opts); }
}
/**
 * Cross entropy on logits with class-index or probability targets, as torch.nn.CrossEntropyLoss
 * (F.crossEntropy). Options: weight `[C]` (also positional), ignoreIndex, reduction, labelSmoothing.
 * @example new tg.nn.CrossEntropyLoss({ labelSmoothing: 0.1 })
 */
export class CrossEntropyLoss extends LossModule<L.CrossEntropyOptions> {
  /**
   * The loss of logits `input` `[N, C, *d]` against int32 class indices `[N, *d]` or
   * probabilities `[N, C, *d]` (unbatched `[C]` with `[]` or `[C]`). Output `[]`, or `[N, *d]` for reduction 'none'.
   * @example new tg.nn.CrossEntropyLoss().forward(tg.randn([4, 3]), tg.tensor([0, 2, 1, 2], { dtype: 'int32' }))
   */
  forward(input: Tensor, target: Tensor): Tensor { return L.crossEntropy(input, target, this.opts); }
}
/**
 * Negative log-likelihood on log-probabilities, as torch.nn.NLLLoss (F.nllLoss); pair it with
 * LogSoftmax. Options: weight `[C]` (also positional), ignoreIndex, reduction.
 * @example new tg.nn.NLLLoss(tg.tensor([1, 2, 1]))
 */
export class NLLLoss extends LossModule<L.NllLossOptions> {
  /**
   * The loss of log-probabilities `input` `[N, C, *d]` (or `[C]`) against int32 class indices
   * `[N, *d]` (or `[]`): `-weight[t] * input[n, t]`. Output `[]`, or the target's shape for reduction 'none'.
   * @example new tg.nn.NLLLoss().forward(tg.F.logSoftmax(tg.randn([4, 3]), 1), tg.tensor([0, 2, 1, 2], { dtype: 'int32' }))
   */
  forward(input: Tensor, target: Tensor): Tensor { return L.nllLoss(input, target, this.opts); }
}
/**
 * Binary cross entropy on probabilities in [0, 1], as torch.nn.BCELoss (F.binaryCrossEntropy).
 * Options: weight (broadcast to the input; also positional), reduction.
 * @example new tg.nn.BCELoss()
 */
export class BCELoss extends LossModule<L.BinaryCrossEntropyOptions> {
  /**
   * The loss of probabilities `input` against targets in [0, 1] of the same shape: output `[]`,
   * or that shape for reduction 'none'. Throws if an input lies outside [0, 1].
   * @example new tg.nn.BCELoss().forward(tg.tensor([0.9, 0.2]), tg.tensor([1, 0]))
   */
  forward(input: Tensor, target: Tensor): Tensor { return L.binaryCrossEntropy(input, target, this.opts); }
}
/**
 * Binary cross entropy on logits (sigmoid folded in, numerically stable), as
 * torch.nn.BCEWithLogitsLoss (F.binaryCrossEntropyWithLogits). Options: weight (also positional),
 * reduction, posWeight (weight of the positive term, broadcast to the input, typically `[C]`).
 * @example new tg.nn.BCEWithLogitsLoss({ posWeight: tg.tensor([3]) })
 */
export class BCEWithLogitsLoss extends LossModule<L.BinaryCrossEntropyWithLogitsOptions> {
  /**
   * The loss of logits `input` against targets in [0, 1] of the same shape: output `[]`, or that
   * shape for reduction 'none'.
   * @example new tg.nn.BCEWithLogitsLoss().forward(tg.randn([4]), tg.tensor([1, 0, 0, 1]))
   */
  forward(input: Tensor, target: Tensor): Tensor { return L.binaryCrossEntropyWithLogits(input, target, this.opts); }
}
/**
 * Kullback-Leibler divergence with `input` as log-probabilities, as torch.nn.KLDivLoss (F.klDiv).
 * Options: reduction (also 'batchmean', the true KL divergence per sample), logTarget.
 * @example new tg.nn.KLDivLoss({ reduction: 'batchmean' })
 */
export class KLDivLoss extends LossModule<L.KlDivOptions> {
  /**
   * `target * (log target - input)` summed as `reduction` says, for log-probabilities `input` and
   * probabilities `target` (log-probabilities with `logTarget`) of one shape. Output `[]`, or that shape for 'none'.
   * @example new tg.nn.KLDivLoss({ reduction: 'batchmean' }).forward(tg.F.logSoftmax(tg.randn([2, 3]), 1), tg.F.softmax(tg.randn([2, 3]), 1))
   */
  forward(input: Tensor, target: Tensor): Tensor { return L.klDiv(input, target, this.opts); }
}
/**
 * Cosine embedding loss on pairs, as torch.nn.CosineEmbeddingLoss (F.cosineEmbeddingLoss):
 * `1 - cos(x1, x2)` where y = 1, `max(0, cos(x1, x2) - margin)` where y = -1. Options: margin (default 0), reduction.
 * @example new tg.nn.CosineEmbeddingLoss({ margin: 0.2 })
 */
export class CosineEmbeddingLoss extends LossModule<L.CosineEmbeddingLossOptions> {
  /**
   * The loss of pairs x1, x2 `[N, D]` with labels y `[N]` of 1 or -1 (or `[D]`, `[D]`, `[]`).
   * Output `[]`, or `[N]` for reduction 'none'.
   * @example new tg.nn.CosineEmbeddingLoss().forward(tg.randn([3, 5]), tg.randn([3, 5]), tg.tensor([1, -1, 1]))
   */
  forward(x1: Tensor, x2: Tensor, y: Tensor): Tensor { return L.cosineEmbeddingLoss(x1, x2, y, this.opts); }
}
