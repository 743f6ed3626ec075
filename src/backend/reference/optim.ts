/**
 * Fused optimizer updates on flat arrays, in place: the reference for the
 * wasm kernels (assembly/optim.ts) and their float64 path. Each element is
 * updated in double precision and stored in the array's own precision.
 * The rules are torch.optim's (see src/optim/sgd.ts and adam.ts).
 */
import type { AdamStepOptions, SgdStepOptions } from '../backend.js';
import type { TypedArray } from '../../tensor/dtype.js';

/** SGD with optional momentum buffer `buf` (written as the new buffer). */
export function sgdStep(p: TypedArray, grad: TypedArray, buf: TypedArray | null, n: number, o: SgdStepOptions): void {
  for (let i = 0; i < n; i++) {
    let d = o.maximize ? -grad[i]! : grad[i]!;
    if (o.weightDecay) d += o.weightDecay * p[i]!;
    if (buf && o.momentum) {
      const b = o.firstStep ? d : o.momentum * buf[i]! + (1 - o.dampening) * d;
      buf[i] = b;
      d = o.nesterov ? d + o.momentum * buf[i]! : buf[i]!;
    }
    p[i] = p[i]! - o.lr * d;
  }
}

/** Adam / AdamW (decoupled weight decay), with AMSGrad when `vMax` is given. */
export function adamStep(
  p: TypedArray, grad: TypedArray, m: TypedArray, v: TypedArray, vMax: TypedArray | null, n: number, o: AdamStepOptions,
): void {
  const bias1 = 1 - o.beta1 ** o.step, sqrtBias2 = Math.sqrt(1 - o.beta2 ** o.step);
  const stepSize = o.lr / bias1;
  for (let i = 0; i < n; i++) {
    let d = o.maximize ? -grad[i]! : grad[i]!;
    if (o.weightDecay) {
      if (o.decoupled) p[i] = p[i]! * (1 - o.lr * o.weightDecay);
      else d += o.weightDecay * p[i]!;
    }
    m[i] = m[i]! * o.beta1 + d * (1 - o.beta1);
    v[i] = v[i]! * o.beta2 + d * d * (1 - o.beta2);
    let vu = v[i]!;
    if (vMax) vu = vMax[i] = Math.max(vMax[i]!, vu);
    const denom = Math.sqrt(vu) / sqrtBias2 + o.eps;
    p[i] = p[i]! - stepSize * (m[i]! / denom);
  }
}
