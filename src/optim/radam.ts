import type { Tensor } from '../tensor/tensor.js';
import { zerosLike } from '../tensor/create.js';
import { Optimizer, decayedGrad, gradSafeUpdate, stateTensor, type ParamGroup, type ParamState, type ParamsArg } from './optimizer.js';
import { checkBetas, checkBool, checkCommon, nextStep } from './hyper.js';
import { optimizerOptions } from './options.js';

/** Hyperparameters of {@link RAdam} (each can also be set per parameter group). */
export interface RAdamOptions {
  /** Learning rate, >= 0. Default 1e-3. */
  lr: number;
  /** Decay rates [b1, b2] of the running averages of the gradient and of its square, each in [0, 1). Default [0.9, 0.999]. */
  betas: [number, number];
  /** Added to the denominator for numerical stability, >= 0. Default 1e-8. */
  eps: number;
  /** Weight decay, >= 0: L2 added to the gradient, or decoupled if `decoupledWeightDecay`. Default 0. */
  weightDecay: number;
  /** Decay p *= 1 - lr weightDecay instead of adding weightDecay p to the gradient (RAdamW; default false). */
  decoupledWeightDecay: boolean;
  /** Maximize the objective instead of minimizing (steps along +grad). Default false. */
  maximize: boolean;
}

/**
 * RAdam (rectified Adam), as torch.optim.RAdam. With t the step, g the gradient
 * (negated if maximize):
 *   g += weightDecay p                  (or p *= 1 - lr weightDecay if decoupledWeightDecay)
 *   m = b1 m + (1-b1) g;   v = b2 v + (1-b2) g^2;   mHat = m / (1 - b1^t)
 *   rhoInf = 2 / (1 - b2) - 1;   rho_t = rhoInf - 2 t b2^t / (1 - b2^t)
 *   rho_t > 5:  r = sqrt((rho_t-4)(rho_t-2) rhoInf / ((rhoInf-4)(rhoInf-2) rho_t))
 *               p -= lr mHat r sqrt(1 - b2^t) / (sqrt(v) + eps)
 *   otherwise:  p -= lr mHat        (the variance estimate is not yet trusted: plain momentum SGD)
 * Defaults: lr 1e-3, betas [0.9, 0.999], eps 1e-8, weightDecay 0.
 * State per parameter: step, expAvg, expAvgSq (shapes of p).
 * @example new tg.optim.RAdam(model.parameters(), { lr: 1e-3 })
 */
export class RAdam extends Optimizer<RAdamOptions> {
  constructor(params: ParamsArg<RAdamOptions>, opts: Partial<RAdamOptions> = {}) {
    super('RAdam', params, optimizerOptions('RAdam', arguments, { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, decoupledWeightDecay: false, maximize: false }));
  }

  protected validate(o: RAdamOptions): void {
    const req = (ok: boolean, w: string) => this.require(ok, w);
    checkCommon(req, o);
    checkBetas(req, o.betas);
    checkBool(req, 'decoupledWeightDecay', o.decoupledWeightDecay);
    checkBool(req, 'maximize', o.maximize);
  }

  protected update(p: Tensor, grad: Tensor, state: ParamState, g: ParamGroup<RAdamOptions>): void {
    const [b1, b2] = g.betas;
    const d = decayedGrad(p, grad, g, g.decoupledWeightDecay);
    const t = nextStep(state);
    const m = stateTensor(state, 'expAvg', p, () => zerosLike(p));
    const v = stateTensor(state, 'expAvgSq', p, () => zerosLike(p));
    m.mul_(b1).add_(d, 1 - b1);
    v.mul_(b2).add_(d.square(), 1 - b2);
    const bias1 = 1 - b1 ** t;
    const bias2 = 1 - b2 ** t;
    const rhoInf = 2 / (1 - b2) - 1;
    const rhoT = rhoInf - (2 * t * b2 ** t) / bias2;
    if (rhoT > 5) {
      const rect = Math.sqrt(((rhoT - 4) * (rhoT - 2) * rhoInf) / ((rhoInf - 4) * (rhoInf - 2) * rhoT));
      p.sub_(m.div(v.sqrt().add(g.eps)), (g.lr * rect * Math.sqrt(bias2)) / bias1);
    } else {
      p.sub_(m, g.lr / bias1);
    }
  }
}
gradSafeUpdate(RAdam);
