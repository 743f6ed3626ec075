import { noGrad } from '../tensor/graph.js';
import { TensorError } from '../core/errors.js';
import { Tensor } from '../tensor/tensor.js';
import { checkArgs, describeArg } from '../tensor/args.js';
import { zeros } from '../tensor/create.js';
import { stack } from '../ops/movement.js';

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
 * Gradients computed on a GPU backend cannot be read synchronously: use
 * `clipGradNormTensor` there (it returns the norm as a tensor).
 * Throws a TensorError if maxNorm < 0 or params is not an iterable of tensors.
 * @example loss.backward(); tg.optim.clipGradNorm(model.parameters(), 1.0); opt.step();
 */
export function clipGradNorm(params: Iterable<Tensor>, maxNorm: number, normType = 2): number {
  checkArgs('clipGradNorm', arguments, { params: 'any', maxNorm: 'number', normType: 'number?' });
  const grads = clipArgs('clipGradNorm', params, maxNorm);
  if (!grads.length) return 0;
  if (!grads.every((g) => g.isHostReadable())) {
    throw new TensorError(
      `clipGradNorm: the gradients were computed on the '${grads[0]!.backend.name}' backend and the norm cannot be read synchronously; ` +
        'use optim.clipGradNormTensor(params, maxNorm) (the norm as a tensor; `await norm.itemAsync()` reads it)',
    );
  }
  return noGrad(() => {
    let total: number;
    if (normType === Infinity) total = Math.max(...grads.map((g) => g.abs().max().item()));
    else total = grads.reduce((s, g) => s + g.abs().pow(normType).sum().item(), 0) ** (1 / normType);
    const coef = maxNorm / (total + 1e-6);
    if (coef < 1) for (const g of grads) g.mul_(coef);
    return total;
  });
}

/**
 * clipGradNorm computed with tensor ops only, as PyTorch does it: returns the
 * total norm before clipping as a one-element tensor (0 without gradients)
 * and never reads a value, so it keeps a GPU busy. Every gradient is
 * multiplied by min(1, maxNorm / (norm + 1e-6)) (a NaN norm makes them NaN,
 * as in PyTorch; clipGradNorm leaves them alone then).
 * @example
 * const norm = tg.optim.clipGradNormTensor(model.parameters(), 1.0);   // [] (0-d)
 * console.log(await norm.itemAsync());
 */
export function clipGradNormTensor(params: Iterable<Tensor>, maxNorm: number, normType = 2): Tensor {
  checkArgs('clipGradNormTensor', arguments, { params: 'any', maxNorm: 'number', normType: 'number?' });
  const list = checkParams('clipGradNormTensor', params);
  const grads = clipArgs('clipGradNormTensor', list, maxNorm);
  if (!grads.length) return zeros([], list[0] ? { dtype: list[0].dtype, backend: list[0].backend } : {});
  return noGrad(() => {
    // Per-gradient partial norms in float32 or float64 as the gradients are, one dtype for the stack.
    const dtype = grads.some((g) => g.dtype === 'float64') ? 'float64' : grads[0]!.dtype;
    const parts = grads.map((g) => (normType === Infinity ? g.abs().max() : g.abs().pow(normType).sum()).to(dtype));
    const stacked = stack(parts);
    const total = normType === Infinity ? stacked.max() : stacked.sum().pow(1 / normType);
    const coef = total.add(1e-6).reciprocal().mul(maxNorm).clamp(null, 1);
    for (const g of grads) g.mul_(coef.to(g.dtype));
    return total;
  });
}

/** Checks params and maxNorm; returns the gradients that exist. */
function clipArgs(op: string, params: Iterable<Tensor>, maxNorm: number): Tensor[] {
  const list = checkParams(op, params);
  if (!(maxNorm >= 0)) throw new TensorError(`${op}: maxNorm must be >= 0 (got ${maxNorm})`);
  // Used during the call only (norms, in-place scaling): not handed out, so zeroGrad can still free them.
  return list.map((p) => p._gradRef()).filter((g): g is Tensor => g !== null);
}

/**
 * Clamps every gradient element into [-clipValue, clipValue], in place
 * (torch.nn.utils.clip_grad_value_). Parameters without a gradient are skipped;
 * throws a TensorError if clipValue < 0.
 * @example loss.backward(); tg.optim.clipGradValue(model.parameters(), 0.5); opt.step();
 */
export function clipGradValue(params: Iterable<Tensor>, clipValue: number): void {
  checkArgs('clipGradValue', arguments, { params: 'any', clipValue: 'number' });
  params = checkParams('clipGradValue', params);
  if (!(clipValue >= 0)) throw new TensorError(`clipGradValue: clipValue must be >= 0 (got ${clipValue})`);
  noGrad(() => {
    for (const p of params) p._gradRef()?.clamp_(-clipValue, clipValue);
  });
}
