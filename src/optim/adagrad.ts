import type { Tensor } from '../tensor/tensor.js';
import { fullLike } from '../tensor/create.js';
import { Optimizer, decayedGrad, gradSafeUpdate, stateTensor, type ParamGroup, type ParamState, type ParamsArg } from './optimizer.js';
import { optimizerOptions } from './options.js';

/** Hyperparameters of {@link Adagrad} (each can also be set per parameter group). */
export interface AdagradOptions {
  /** Learning rate, >= 0. Default 1e-2. */
  lr: number;
  /** Learning-rate decay, >= 0: step t uses lr / (1 + (t - 1) * lrDecay). Default 0. */
  lrDecay: number;
  /** L2 penalty: weightDecay * p is added to the gradient. Default 0. */
  weightDecay: number;
  /** Starting value of the per-element sum of squared gradients, >= 0. Default 0. */
  initialAccumulatorValue: number;
  /** Added to the denominator sqrt(sum) for numerical stability, >= 0. Default 1e-10. */
  eps: number;
  /** Maximize the objective instead of minimizing (steps along +grad). Default false. */
  maximize: boolean;
}

/**
 * Adagrad, as torch.optim.Adagrad:
 *   g += weightDecay p;  clr = lr / (1 + (t-1) lrDecay);  s += g^2;  p -= clr g / (sqrt(s) + eps)
 * @example new tg.optim.Adagrad(model.parameters(), { lr: 0.01 })
 */
export class Adagrad extends Optimizer<AdagradOptions> {
  constructor(params: ParamsArg<AdagradOptions>, opts: Partial<AdagradOptions> = {}) {
    super('Adagrad', params, optimizerOptions('Adagrad', arguments, { lr: 1e-2, lrDecay: 0, weightDecay: 0, initialAccumulatorValue: 0, eps: 1e-10, maximize: false }));
  }

  protected validate(o: AdagradOptions): void {
    this.require(o.lr >= 0, `invalid learning rate ${o.lr} (must be >= 0)`);
    this.require(o.lrDecay >= 0, `invalid lrDecay ${o.lrDecay} (must be >= 0)`);
    this.require(o.weightDecay >= 0, `invalid weightDecay ${o.weightDecay} (must be >= 0)`);
    this.require(o.initialAccumulatorValue >= 0, `invalid initialAccumulatorValue ${o.initialAccumulatorValue} (must be >= 0)`);
    this.require(o.eps >= 0, `invalid eps ${o.eps} (must be >= 0)`);
  }

  protected update(p: Tensor, grad: Tensor, state: ParamState, g: ParamGroup<AdagradOptions>): void {
    const d = decayedGrad(p, grad, g);
    const step = ((state.step as number | undefined) ?? 0) + 1;
    state.step = step;
    const sum = stateTensor(state, 'sum', p, () => fullLike(p, g.initialAccumulatorValue));
    sum.add_(d.square());
    const clr = g.lr / (1 + (step - 1) * g.lrDecay);
    p.sub_(d.div(sum.sqrt().add(g.eps)), clr);
  }
}
gradSafeUpdate(Adagrad);
