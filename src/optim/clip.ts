import { noGrad } from '../tensor/graph.js';
import { TensorError } from '../core/errors.js';
import { Tensor } from '../tensor/tensor.js';
import { checkArgs, describeArg } from '../tensor/args.js';

/** `params` must be an iterable of tensors (model.parameters()), not a module or a single number. */
function checkParams(op: string, params: unknown): Tensor[] {
  const ok = params !== null && typeof params === 'object' && typeof (params as Iterable<unknown>)[Symbol.iterator] === 'function';
  // Read once: a generator would be empty the second time.
  const list = ok ? Array.from(params as Iterable<unknown>) : [];
  if (!ok || !list.every((p) => p instanceof Tensor)) {
    throw new TensorError(`${op}: params must be an iterable of Tensors (e.g. model.parameters()), got ${describeArg(params)}`);
  }
  return list as Tensor[];
}

/**
 * Scales all gradients so their joint `normType`-norm is at most `maxNorm`
 * (torch.nn.utils.clip_grad_norm_). Returns the total norm before clipping.
 * @example optim.clipGradNorm(model.parameters(), 1.0)
 */
export function clipGradNorm(params: Iterable<Tensor>, maxNorm: number, normType = 2): number {
  checkArgs('clipGradNorm', arguments, { params: 'any', maxNorm: 'number', normType: 'number?' });
  params = checkParams('clipGradNorm', params);
  if (!(maxNorm >= 0)) throw new TensorError(`clipGradNorm: maxNorm must be >= 0 (got ${maxNorm})`);
  const grads = [...params].map((p) => p.grad).filter((g): g is Tensor => g !== null);
  if (!grads.length) return 0;
  return noGrad(() => {
    let total: number;
    if (normType === Infinity) total = Math.max(...grads.map((g) => g.abs().max().item()));
    else total = grads.reduce((s, g) => s + g.abs().pow(normType).sum().item(), 0) ** (1 / normType);
    const coef = maxNorm / (total + 1e-6);
    if (coef < 1) for (const g of grads) g.mul_(coef);
    return total;
  });
}

/** Clamps every gradient element into [-clipValue, clipValue] (clip_grad_value_). */
export function clipGradValue(params: Iterable<Tensor>, clipValue: number): void {
  checkArgs('clipGradValue', arguments, { params: 'any', clipValue: 'number' });
  params = checkParams('clipGradValue', params);
  if (!(clipValue >= 0)) throw new TensorError(`clipGradValue: clipValue must be >= 0 (got ${clipValue})`);
  noGrad(() => {
    for (const p of params) p.grad?.clamp_(-clipValue, clipValue);
  });
}
