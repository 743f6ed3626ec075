import type { Tensor } from '../tensor/tensor.js';
import { zerosLike } from '../tensor/create.js';
import { Optimizer, decayedGrad, gradSafeUpdate, stateTensor, type ParamGroup, type ParamState, type ParamsArg } from './optimizer.js';
import { checkBetas, checkBool, checkCommon, nextStep } from './hyper.js';
import { optimizerOptions } from './options.js';

/** Hyperparameters of {@link NAdam} (each can also be set per parameter group). */
export interface NAdamOptions {
  /** Learning rate, >= 0. Default 2e-3. */
  lr: number;
  /** Decay rates [b1, b2] of the running averages of the gradient and of its square, each in [0, 1). Default [0.9, 0.999]. */
  betas: [number, number];
  /** Added to the denominator for numerical stability, >= 0. Default 1e-8. */
  eps: number;
  /** Weight decay, >= 0: L2 added to the gradient, or decoupled if `decoupledWeightDecay`. Default 0. */
  weightDecay: number;
  /** psi in the momentum schedule mu_t = b1 (1 - 0.5 * 0.96^(t psi)) (default 4e-3). */
  momentumDecay: number;
  /** Decay p *= 1 - lr weightDecay instead of adding weightDecay p to the gradient (NAdamW; default false). */
  decoupledWeightDecay: boolean;
  /** Maximize the objective instead of minimizing (steps along +grad). Default false. */
  maximize: boolean;
}

/**
 * NAdam (Adam with Nesterov momentum), as torch.optim.NAdam in PyTorch >= 2.0
 * (1.13 multiplied mu_t into the look-ahead product twice). With t the step,
 * g the gradient (negated if maximize):
 *   g += weightDecay p                  (or p *= 1 - lr weightDecay if decoupledWeightDecay)
 *   mu_t = b1 (1 - 0.5 * 0.96^(t momentumDecay)),  mu_{t+1} likewise,  P_t = prod_{i<=t} mu_i
 *   m = b1 m + (1-b1) g;   v = b2 v + (1-b2) g^2;   denom = sqrt(v / (1 - b2^t)) + eps
 *   p -= lr (1 - mu_t) / (1 - P_t) * g / denom + lr mu_{t+1} / (1 - P_t mu_{t+1}) * m / denom
 * Defaults: lr 2e-3, betas [0.9, 0.999], eps 1e-8, weightDecay 0, momentumDecay 4e-3.
 * State per parameter: step, muProduct, expAvg, expAvgSq (shapes of p).
 * @example new tg.optim.NAdam(model.parameters(), { lr: 2e-3 })
 */
export class NAdam extends Optimizer<NAdamOptions> {
  constructor(params: ParamsArg<NAdamOptions>, opts: Partial<NAdamOptions> = {}) {
    super('NAdam', params, optimizerOptions('NAdam', arguments, {
      lr: 2e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, momentumDecay: 4e-3, decoupledWeightDecay: false, maximize: false }));
  }

  protected validate(o: NAdamOptions): void {
    const req = (ok: boolean, w: string) => this.require(ok, w);
    checkCommon(req, o);
    checkBetas(req, o.betas);
    req(typeof o.momentumDecay === 'number' && Number.isFinite(o.momentumDecay) && o.momentumDecay >= 0, `invalid momentumDecay ${String(o.momentumDecay)} (must be a finite number >= 0)`);
    checkBool(req, 'decoupledWeightDecay', o.decoupledWeightDecay);
    checkBool(req, 'maximize', o.maximize);
  }

  protected update(p: Tensor, grad: Tensor, state: ParamState, g: ParamGroup<NAdamOptions>): void {
    const [b1, b2] = g.betas;
    const d = decayedGrad(p, grad, g, g.decoupledWeightDecay);
    const t = nextStep(state);
    const mu = b1 * (1 - 0.5 * 0.96 ** (t * g.momentumDecay));
    const muNext = b1 * (1 - 0.5 * 0.96 ** ((t + 1) * g.momentumDecay));
    // The running product of mu is a plain number (PyTorch keeps a 0-d tensor with the same value).
    const muProduct = ((state.muProduct as number | undefined) ?? 1) * mu;
    state.muProduct = muProduct;
    const m = stateTensor(state, 'expAvg', p, () => zerosLike(p));
    const v = stateTensor(state, 'expAvgSq', p, () => zerosLike(p));
    m.mul_(b1).add_(d, 1 - b1);
    v.mul_(b2).add_(d.square(), 1 - b2);
    const denom = v.div(1 - b2 ** t).sqrt().add(g.eps);
    p.sub_(d.div(denom), (g.lr * (1 - mu)) / (1 - muProduct));
    p.sub_(m.div(denom), (g.lr * muNext) / (1 - muProduct * muNext));
  }
}
gradSafeUpdate(NAdam);
