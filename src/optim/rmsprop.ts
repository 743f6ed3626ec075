import type { Tensor } from '../tensor/tensor.js';
import { zerosLike } from '../tensor/create.js';
import { Optimizer, decayedGrad, gradSafeUpdate, stateTensor, type ParamGroup, type ParamState, type ParamsArg } from './optimizer.js';
import { optimizerOptions } from './options.js';

/** Hyperparameters of {@link RMSprop} (each can also be set per parameter group). */
export interface RMSpropOptions {
  /** Learning rate, >= 0. Default 1e-2. */
  lr: number;
  /** Smoothing constant of the running average of squared gradients, in [0, 1]. Default 0.99. */
  alpha: number;
  /** Added to the denominator for numerical stability, >= 0. Default 1e-8. */
  eps: number;
  /** L2 penalty: weightDecay * p is added to the gradient. Default 0. */
  weightDecay: number;
  /** Momentum factor, >= 0 (0: no momentum buffer). Default 0. */
  momentum: number;
  /** Centered RMSprop: normalize by an estimate of the gradient's variance, v - mean(g)^2. Default false. */
  centered: boolean;
  /** Maximize the objective instead of minimizing (steps along +grad). Default false. */
  maximize: boolean;
}

/**
 * RMSprop, as torch.optim.RMSprop:
 *   g += weightDecay p;  v = alpha v + (1-alpha) g^2
 *   centered: gAvg = alpha gAvg + (1-alpha) g, denom = sqrt(v - gAvg^2) + eps; else denom = sqrt(v) + eps
 *   momentum > 0: b = momentum b + g / denom, p -= lr b;  else p -= lr g / denom
 * @example new tg.optim.RMSprop(model.parameters(), { lr: 1e-3 })
 */
export class RMSprop extends Optimizer<RMSpropOptions> {
  constructor(params: ParamsArg<RMSpropOptions>, opts: Partial<RMSpropOptions> = {}) {
    super('RMSprop', params, optimizerOptions('RMSprop', arguments, { lr: 1e-2, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0, centered: false, maximize: false }));
  }

  protected validate(o: RMSpropOptions): void {
    this.require(o.lr >= 0, `invalid learning rate ${o.lr} (must be >= 0)`);
    this.require(o.alpha >= 0 && o.alpha <= 1, `invalid alpha ${o.alpha} (must be in [0, 1])`);
    this.require(o.eps >= 0, `invalid eps ${o.eps} (must be >= 0)`);
    this.require(o.momentum >= 0, `invalid momentum ${o.momentum} (must be >= 0)`);
    this.require(o.weightDecay >= 0, `invalid weightDecay ${o.weightDecay} (must be >= 0)`);
  }

  protected update(p: Tensor, grad: Tensor, state: ParamState, g: ParamGroup<RMSpropOptions>): void {
    const d = decayedGrad(p, grad, g);
    state.step = ((state.step as number | undefined) ?? 0) + 1;
    const v = stateTensor(state, 'squareAvg', p, () => zerosLike(p));
    v.mul_(g.alpha).add_(d.square(), 1 - g.alpha);
    let avg: Tensor;
    if (g.centered) {
      const gAvg = stateTensor(state, 'gradAvg', p, () => zerosLike(p));
      gAvg.mul_(g.alpha).add_(d, 1 - g.alpha);
      avg = v.sub(gAvg.square()).sqrt().add(g.eps);
    } else {
      avg = v.sqrt().add(g.eps);
    }
    if (g.momentum > 0) {
      const buf = stateTensor(state, 'momentumBuffer', p, () => zerosLike(p));
      buf.mul_(g.momentum).add_(d.div(avg));
      p.sub_(buf, g.lr);
    } else {
      p.sub_(d.div(avg), g.lr);
    }
  }
}
gradSafeUpdate(RMSprop);
