import type { Tensor } from '../tensor/tensor.js';
import { zerosLike } from '../tensor/create.js';
import { Optimizer, decayedGrad, gradSafeUpdate, stateTensor, type ParamGroup, type ParamState, type ParamsArg } from './optimizer.js';
import { checkBool, checkCommon, nextStep } from './hyper.js';
import { optimizerOptions } from './options.js';

/** Hyperparameters of {@link Adadelta} (each can also be set per parameter group). */
export interface AdadeltaOptions {
  /** Coefficient that scales delta before it is applied, >= 0. Default 1. */
  lr: number;
  /** Decay rate of the running averages of squared gradients and squared updates, in [0, 1]. Default 0.9. */
  rho: number;
  /** Added inside both square roots for numerical stability, >= 0. Default 1e-6. */
  eps: number;
  /** L2 penalty: weightDecay * p is added to the gradient. Default 0. */
  weightDecay: number;
  /** Maximize the objective instead of minimizing (steps along +grad). Default false. */
  maximize: boolean;
}

/**
 * Adadelta, as torch.optim.Adadelta. With g the gradient (negated if maximize):
 *   g += weightDecay p
 *   v = rho v + (1-rho) g^2
 *   delta = sqrt(u + eps) / sqrt(v + eps) * g
 *   u = rho u + (1-rho) delta^2
 *   p -= lr delta
 * Defaults: lr 1, rho 0.9, eps 1e-6, weightDecay 0.
 * State per parameter: step, squareAvg (v), accDelta (u) (shapes of p).
 * @example new tg.optim.Adadelta(model.parameters())
 */
export class Adadelta extends Optimizer<AdadeltaOptions> {
  constructor(params: ParamsArg<AdadeltaOptions>, opts: Partial<AdadeltaOptions> = {}) {
    super('Adadelta', params, optimizerOptions('Adadelta', arguments, { lr: 1, rho: 0.9, eps: 1e-6, weightDecay: 0, maximize: false }));
  }

  protected validate(o: AdadeltaOptions): void {
    const req = (ok: boolean, w: string) => this.require(ok, w);
    checkCommon(req, o);
    req(typeof o.rho === 'number' && o.rho >= 0 && o.rho <= 1, `invalid rho ${String(o.rho)} (must be in [0, 1])`);
    checkBool(req, 'maximize', o.maximize);
  }

  protected update(p: Tensor, grad: Tensor, state: ParamState, g: ParamGroup<AdadeltaOptions>): void {
    const d = decayedGrad(p, grad, g);
    nextStep(state);
    const v = stateTensor(state, 'squareAvg', p, () => zerosLike(p));
    const u = stateTensor(state, 'accDelta', p, () => zerosLike(p));
    v.mul_(g.rho).add_(d.square(), 1 - g.rho);
    const delta = u.add(g.eps).sqrt().div(v.add(g.eps).sqrt()).mul(d);
    u.mul_(g.rho).add_(delta.square(), 1 - g.rho);
    p.sub_(delta, g.lr);
  }
}
gradSafeUpdate(Adadelta);
