import type { Tensor } from '../tensor/tensor.js';
import { zerosLike } from '../tensor/create.js';
import { fusable } from './fused.js';
import { fusedKernels } from '../ops/fused.js';
import { Optimizer, decayedGrad, gradSafeUpdate, stateTensor, type ParamGroup, type ParamState, type ParamsArg } from './optimizer.js';
import { nextStep } from './hyper.js';
import { optimizerOptions } from './options.js';

/** Hyperparameters of {@link Adam} and {@link AdamW} (each can also be set per parameter group). */
export interface AdamOptions {
  /** Learning rate, >= 0. Default 1e-3. */
  lr: number;
  /** Decay rates [b1, b2] of the running averages of the gradient and of its square, each in [0, 1). Default [0.9, 0.999]. */
  betas: [number, number];
  /** Added to the denominator (the square root of the bias-corrected v) for numerical stability, >= 0. Default 1e-8. */
  eps: number;
  /** Weight decay, >= 0: L2 added to the gradient for Adam (default 0), decoupled p *= 1 - lr * weightDecay for AdamW (default 0.01). */
  weightDecay: number;
  /** AMSGrad variant: divide by the running maximum of v instead of v. Default false. */
  amsgrad: boolean;
  /** Maximize the objective instead of minimizing (steps along +grad). Default false. */
  maximize: boolean;
}

/** Shared Adam/AdamW step; `decoupled` selects AdamW's weight decay. */
function adamStep(p: Tensor, grad: Tensor, state: ParamState, g: ParamGroup<AdamOptions>, decoupled: boolean): void {
  const [b1, b2] = g.betas;
  const st = state as Record<string, Tensor | undefined>;
  const kernel = fusedKernels(p.backend)?.adamStep;
  const fuse = kernel !== undefined && fusable(p, grad, st.expAvg, st.expAvgSq, g.amsgrad ? st.maxExpAvgSq : null);
  const step = nextStep(state);
  const m = stateTensor(state, 'expAvg', p, () => zerosLike(p));
  const v = stateTensor(state, 'expAvgSq', p, () => zerosLike(p));
  const vMax = g.amsgrad ? stateTensor(state, 'maxExpAvgSq', p, () => zerosLike(p)) : null;
  // One kernel pass over p, grad and the moments, no temporaries; declined: the composite below.
  if (kernel && fuse && kernel(p._storage, grad._storage, m._storage, v._storage, vMax?._storage ?? null, p.numel(), {
    lr: g.lr, beta1: b1, beta2: b2, eps: g.eps, weightDecay: g.weightDecay, decoupled, maximize: g.maximize, step,
  })) return;
  // The definition of the update (FusedKernels.adamStep computes the same in one pass).
  const d = decayedGrad(p, grad, g, decoupled);
  m.mul_(b1).add_(d, 1 - b1);
  v.mul_(b2).add_(d.square(), 1 - b2);
  let vUsed = v;
  if (vMax) {
    vMax.copy_(vMax.maximum(v));
    vUsed = vMax;
  }
  const bias1 = 1 - b1 ** step;
  const bias2 = 1 - b2 ** step;
  const denom = vUsed.sqrt().div(Math.sqrt(bias2)).add(g.eps);
  p.sub_(m.div(denom), g.lr / bias1);
}

function validateAdam(o: AdamOptions, require: (ok: boolean, what: string) => void): void {
  require(o.lr >= 0, `invalid learning rate ${o.lr} (must be >= 0)`);
  require(o.eps >= 0, `invalid eps ${o.eps} (must be >= 0)`);
  require(Array.isArray(o.betas) && o.betas.length === 2 && o.betas.every((b) => b >= 0 && b < 1), `invalid betas ${JSON.stringify(o.betas)} (each must be in [0, 1))`);
  require(o.weightDecay >= 0, `invalid weightDecay ${o.weightDecay} (must be >= 0)`);
}

const adamDefaults = { betas: [0.9, 0.999] as [number, number], eps: 1e-8, amsgrad: false, maximize: false };

/**
 * Adam, as torch.optim.Adam (weight decay is L2, added to the gradient):
 *   g += weightDecay * p;  m = b1 m + (1-b1) g;  v = b2 v + (1-b2) g^2
 *   p -= lr * (m / (1-b1^t)) / (sqrt(v / (1-b2^t)) + eps)        (amsgrad: v -> max of all v)
 * @example new tg.optim.Adam(model.parameters(), { lr: 1e-3 })
 */
export class Adam extends Optimizer<AdamOptions> {
  constructor(params: ParamsArg<AdamOptions>, opts: Partial<AdamOptions> = {}) {
    super('Adam', params, optimizerOptions('Adam', arguments, { lr: 1e-3, weightDecay: 0, ...adamDefaults }));
  }
  protected validate(o: AdamOptions): void { validateAdam(o, (ok, w) => this.require(ok, w)); }
  protected update(p: Tensor, grad: Tensor, state: ParamState, g: ParamGroup<AdamOptions>): void {
    adamStep(p, grad, state, g, false);
  }
}
gradSafeUpdate(Adam);

/**
 * AdamW, as torch.optim.AdamW: Adam with decoupled weight decay
 * p *= 1 - lr * weightDecay before the Adam step (default weightDecay 0.01).
 * @example new tg.optim.AdamW(model.parameters(), { lr: 1e-3, weightDecay: 0.05 })
 */
export class AdamW extends Optimizer<AdamOptions> {
  constructor(params: ParamsArg<AdamOptions>, opts: Partial<AdamOptions> = {}) {
    super('AdamW', params, optimizerOptions('AdamW', arguments, { lr: 1e-3, weightDecay: 1e-2, ...adamDefaults }));
  }
  protected validate(o: AdamOptions): void { validateAdam(o, (ok, w) => this.require(ok, w)); }
  protected update(p: Tensor, grad: Tensor, state: ParamState, g: ParamGroup<AdamOptions>): void {
    adamStep(p, grad, state, g, true);
  }
}
gradSafeUpdate(AdamW);
