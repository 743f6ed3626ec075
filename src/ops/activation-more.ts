import { checkArgs, checkDimCall, describeArg } from '../tensor/args.js';
import { TensorError, fmtShape } from '../core/errors.js';
import { normalizeDim } from '../core/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { requireFloat, sameBackend } from './core.js';
import * as E from './elementwise.js';
import { reshape } from './movement.js';
import { softmax } from './activation.js';

/*
 * Activations added for PyTorch parity: celu, softmin, prelu. Composites of
 * elementwise ops, so gradients come from the gradient table; the branch
 * choices at x = 0 give PyTorch's derivatives there.
 */

function requireTensor(op: string, name: string, x: unknown): asserts x is Tensor {
  if (!(x instanceof Tensor)) {
    throw new TensorError(`${op}: ${name} must be a Tensor (got ${Array.isArray(x) ? 'an array' : describeArg(x)}); wrap values with tg.tensor(...)`);
  }
}

/**
 * CELU: max(0, x) + min(0, alpha (exp(x / alpha) - 1)), as `F.celu`.
 * Shape: `[*]` -> `[*]`. The derivative at x = 0 is 1, as PyTorch's.
 * @example F.celu(tg.tensor([-1, 0, 2]), 0.5)
 */
export function celu(x: Tensor, alpha = 1): Tensor {
  checkArgs('celu', arguments, { input: 'any', alpha: 'finite?' });
  requireTensor('celu', 'input', x);
  requireFloat('celu', x);
  alpha ??= 1;
  if (alpha === 0) throw new TensorError('celu: alpha must be a finite non-zero number (got 0)');
  const pos = x.gt(0);
  // The negative branch sees 0 where x > 0 (no overflow, no NaN gradient) and x itself at x = 0,
  // so the whole gradient flows there (minimum would split it in half).
  const neg = E.expm1(E.where(pos, 0, x).div(alpha)).mul(alpha);
  return E.where(pos, x, neg);
}

/**
 * softmax(-x) along `dim`, as `F.softmin` (dim is required, as PyTorch
 * recommends: the implicit choice is deprecated there); `{ dim }` is accepted as for softmax.
 * Shape: `[*]` -> `[*]`, each slice along `dim` sums to 1.
 * @example F.softmin(tg.tensor([[1, 2, 3]]), 1)
 */
export function softmin(x: Tensor, dim: number): Tensor {
  [x, dim] = checkDimCall('softmin', arguments) as [Tensor, number];
  requireFloat('softmin', x);
  normalizeDim('softmin', dim, x.ndim);
  return softmax(x.neg(), dim);
}

/**
 * Parametric ReLU, as `F.prelu`: x where x > 0, weight * x elsewhere, with one
 * learnable slope shared by all channels (`weight` of 1 element) or one per
 * channel (`weight` of C elements, C = input.shape[1], the channel dim).
 * Shapes: input `[N, C, *]` (or any shape with a single slope); weight `[1]` or `[C]`; output as input.
 * Derivatives as PyTorch: d/dx = 1 for x > 0 and weight otherwise (so weight at 0); d/dweight = x for x <= 0.
 * @example F.prelu(x, tg.full([x.shape[1]], 0.25))
 */
export function prelu(x: Tensor, weight: Tensor): Tensor {
  checkArgs('prelu', arguments, { input: 'any', weight: 'any' }); // arity; the Tensor checks below say more
  requireTensor('prelu', 'input', x);
  requireTensor('prelu', 'weight', weight);
  requireFloat('prelu', x, weight);
  sameBackend('prelu', x, weight);
  const n = weight.numel();
  if (weight.ndim > 1) throw new TensorError(`prelu: weight must be 0-D or 1-D (got weight ${fmtShape(weight.shape)})`);
  let w = weight;
  if (n !== 1) {
    const c = x.ndim >= 2 ? x.shape[1]! : 1;
    if (n !== c) {
      throw new TensorError(`prelu: weight has ${n} slopes but the input has ${c} channel${c === 1 ? '' : 's'} (dim 1); give 1 slope or ${c} (input ${fmtShape(x.shape)}, weight ${fmtShape(weight.shape)})`);
    }
    w = reshape(weight, x.shape.map((d, i) => (i === 1 ? d : 1)));
  } else if (weight.ndim > 0) {
    w = reshape(weight, []);
  }
  return E.where(x.gt(0), x, x.mul(w));
}
