import type { Tensor } from '../tensor/tensor.js';
import { zerosLike } from '../tensor/create.js';
import { maximum } from '../ops/elementwise.js';
import { Optimizer, decayedGrad, gradSafeUpdate, stateTensor, type ParamGroup, type ParamState, type ParamsArg } from './optimizer.js';
import { checkBetas, checkBool, checkCommon, nextStep } from './hyper.js';
import { optimizerOptions } from './options.js';

/** Hyperparameters of {@link Adamax} (each can also be set per parameter group). */
export interface AdamaxOptions {
  /** Learning rate, >= 0. Default 2e-3. */
  lr: number;
  /** Decay rates [b1, b2] of the gradient's running average and of the infinity norm, each in [0, 1). Default [0.9, 0.999]. */
  betas: [number, number];
  /** Added to |g| in the infinity norm for numerical stability, >= 0. Default 1e-8. */
  eps: number;
  /** L2 penalty: weightDecay * p is added to the gradient. Default 0. */
  weightDecay: number;
  /** Maximize the objective instead of minimizing (steps along +grad). Default false. */
  maximize: boolean;
}

/**
 * Adamax (Adam with the infinity norm), as torch.optim.Adamax. With t the step,
 * g the gradient (negated if maximize):
 *   g += weightDecay p
 *   m = b1 m + (1-b1) g
 *   u = max(b2 u, |g| + eps)
 *   p -= lr / (1 - b1^t) * m / u
 * Defaults: lr 2e-3, betas [0.9, 0.999], eps 1e-8, weightDecay 0.
 * State per parameter: step, expAvg (m), expInf (u) (shapes of p).
 * @example new tg.optim.Adamax(model.parameters(), { lr: 2e-3 })
 */
export class Adamax extends Optimizer<AdamaxOptions> {
  constructor(params: ParamsArg<AdamaxOptions>, opts: Partial<AdamaxOptions> = {}) {
    super('Adamax', params, optimizerOptions('Adamax', arguments, { lr: 2e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, maximize: false }));
  }

  protected validate(o: AdamaxOptions): void {
    const req = (ok: boolean, w: string) => this.require(ok, w);
    checkCommon(req, o);
    checkBetas(req, o.betas);
    checkBool(req, 'maximize', o.maximize);
  }

  protected update(p: Tensor, grad: Tensor, state: ParamState, g: ParamGroup<AdamaxOptions>): void {
    const [b1, b2] = g.betas;
    const d = decayedGrad(p, grad, g);
    const t = nextStep(state);
    const m = stateTensor(state, 'expAvg', p, () => zerosLike(p));
    const u = stateTensor(state, 'expInf', p, () => zerosLike(p));
    m.mul_(b1).add_(d, 1 - b1);
    u.copy_(maximum(u.mul(b2), d.abs().add(g.eps)));
    p.sub_(m.div(u), g.lr / (1 - b1 ** t));
  }
}
gradSafeUpdate(Adamax);
