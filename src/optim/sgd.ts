import type { Tensor } from '../tensor/tensor.js';
import { Optimizer, decayedGrad, gradSafeUpdate, stateTensor, type ParamGroup, type ParamState, type ParamsArg } from './optimizer.js';
import { zerosLike } from '../tensor/create.js';
import { fusable } from './fused.js';
import { fusedKernels } from '../ops/fused.js';
import { optimizerOptions } from './options.js';

/** Hyperparameters of {@link SGD} (each can also be set per parameter group). */
export interface SGDOptions {
  /** Learning rate (step size), >= 0. Required: SGD has no default. */
  lr: number;
  /** Momentum factor, >= 0; 0 is plain SGD with no momentum buffer. Default 0. */
  momentum: number;
  /** Dampening of the gradient added to the momentum buffer: b = momentum * b + (1 - dampening) * g. Default 0. */
  dampening: number;
  /** L2 penalty: weightDecay * p is added to the gradient. Default 0. */
  weightDecay: number;
  /** Nesterov momentum (needs momentum > 0 and dampening 0, else the constructor throws). Default false. */
  nesterov: boolean;
  /** Maximize the objective instead of minimizing (steps along +grad). Default false. */
  maximize: boolean;
}

/**
 * Stochastic gradient descent with momentum, as torch.optim.SGD:
 *   g = grad + weightDecay * p
 *   b = g (first step) or momentum * b + (1 - dampening) * g
 *   g = nesterov ? g + momentum * b : b      (when momentum != 0)
 *   p = p - lr * g
 * @example const opt = new tg.optim.SGD(model.parameters(), { lr: 0.01, momentum: 0.9 });
 */
export class SGD extends Optimizer<SGDOptions> {
  constructor(params: ParamsArg<SGDOptions>, opts: Partial<SGDOptions> & { lr: number }) {
    super('SGD', params, optimizerOptions('SGD', arguments, { momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, maximize: false }));
  }

  protected validate(o: SGDOptions): void {
    this.require(o.lr >= 0, `invalid learning rate ${o.lr} (must be >= 0)`);
    this.require(o.momentum >= 0, `invalid momentum ${o.momentum} (must be >= 0)`);
    this.require(o.weightDecay >= 0, `invalid weightDecay ${o.weightDecay} (must be >= 0)`);
    this.require(!o.nesterov || (o.momentum > 0 && o.dampening === 0), 'nesterov momentum requires a momentum and zero dampening');
  }

  protected update(p: Tensor, grad: Tensor, state: ParamState, g: ParamGroup<SGDOptions>): void {
    const existing = state.momentumBuffer as Tensor | undefined;
    const kernel = fusedKernels(p.backend)?.sgdStep;
    if (kernel && fusable(p, grad, existing)) {
      // One kernel pass over p, grad and the buffer, no temporaries (a zero buffer on the first step,
      // which the kernel overwrites with the gradient). Declined: the composite below.
      const buf = g.momentum ? existing ?? zerosLike(p) : null;
      const done = kernel(p._storage, grad._storage, buf?._storage ?? null, p.numel(), {
        lr: g.lr, momentum: g.momentum, dampening: g.dampening, weightDecay: g.weightDecay,
        nesterov: g.nesterov, maximize: g.maximize, firstStep: !existing,
      });
      if (done) {
        if (buf) state.momentumBuffer = buf;
        return;
      }
    }
    // The definition of the update (FusedKernels.sgdStep computes the same in one pass).
    let d = decayedGrad(p, grad, g);
    if (g.momentum) {
      const fresh = !state.momentumBuffer;
      const buf = stateTensor(state, 'momentumBuffer', p, () => d.clone());
      if (!fresh) buf.mul_(g.momentum).add_(d, 1 - g.dampening);
      d = g.nesterov ? d.add(buf, g.momentum) : buf;
    }
    p.sub_(d, g.lr);
  }
}
gradSafeUpdate(SGD);
