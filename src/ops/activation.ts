import { TensorError } from '../tensor/errors.js';
import { normalizeDim } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { requireFloat } from './core.js';
import * as E from './elementwise.js';
import { logsumexp, max, sum } from './reduce.js';

/** max(x, 0). */
export const relu = E.relu;
/** 1 / (1 + exp(-x)), computed without overflow. */
export const sigmoid = E.sigmoid;
/** Hyperbolic tangent. */
export const tanh = E.tanh;

/** x for x > 0, negativeSlope * x otherwise. */
export function leakyRelu(x: Tensor, negativeSlope = 0.01): Tensor {
  return E.where(x.gt(0), x, x.mul(negativeSlope));
}

/** x for x > 0, alpha * (exp(x) - 1) otherwise. */
export function elu(x: Tensor, alpha = 1): Tensor {
  // expm1 of min(x, 0): the unused branch must not overflow, or its 0 * inf gradient would be NaN.
  return E.where(x.gt(0), x, E.expm1(E.minimum(x, 0)).mul(alpha));
}

/** SELU: scale * elu(x, alpha) with the self-normalising constants. */
export function selu(x: Tensor): Tensor {
  return elu(x, 1.6732632423543772).mul(1.0507009873554805);
}

/** Gaussian error linear unit; `approximate: 'tanh'` uses the tanh formula. */
export function gelu(x: Tensor, approximate: 'none' | 'tanh' = 'none'): Tensor {
  if (approximate === 'tanh') {
    const inner = x.add(x.mul(x).mul(x).mul(0.044715)).mul(Math.sqrt(2 / Math.PI));
    return x.mul(0.5).mul(E.tanh(inner).add(1));
  }
  if (approximate !== 'none') throw new TensorError(`gelu: approximate must be 'none' or 'tanh' (got '${approximate}')`);
  return x.mul(0.5).mul(E.erf(x.mul(Math.SQRT1_2)).add(1));
}

/** log(1 + exp(beta x)) / beta, and x itself where beta x > threshold (as PyTorch). */
export function softplus(x: Tensor, beta = 1, threshold = 20): Tensor {
  const bx = x.mul(beta);
  // max(z, 0) + log1p(exp(-|z|)) equals log1p(exp(z)) and never overflows; maximum (not relu)
  // splits the gradient at z = 0, giving the exact derivative sigmoid(0) = 0.5 there.
  const soft = E.maximum(bx, 0).add(E.log1p(E.exp(E.abs(bx).neg()))).div(beta);
  return E.where(bx.gt(threshold), x, soft);
}

/** x * sigmoid(x) (a.k.a. swish). */
export function silu(x: Tensor): Tensor {
  return x.mul(E.sigmoid(x));
}

/** x * tanh(softplus(x)). */
export function mish(x: Tensor): Tensor {
  return x.mul(E.tanh(softplus(x)));
}

/** Clamps to [minVal, maxVal]. */
export function hardtanh(x: Tensor, minVal = -1, maxVal = 1): Tensor {
  return E.clamp(x, minVal, maxVal);
}

/** min(max(x, 0), 6). */
export function relu6(x: Tensor): Tensor {
  return E.clamp(x, 0, 6);
}

/** relu6(x + 3) / 6. */
export function hardsigmoid(x: Tensor): Tensor {
  return relu6(x.add(3)).div(6);
}

/** x * relu6(x + 3) / 6. */
export function hardswish(x: Tensor): Tensor {
  return x.mul(hardsigmoid(x));
}

/** log(sigmoid(x)) = -softplus(-x), stable. */
export function logSigmoid(x: Tensor): Tensor {
  return softplus(x.neg()).neg();
}

/** x / (1 + |x|). */
export function softsign(x: Tensor): Tensor {
  return x.div(E.abs(x).add(1));
}

/**
 * exp(x) / sum(exp(x)) along `dim`, shifted by the max for stability.
 * @example tg.tensor([[1, 2, 3]]).softmax(1)
 */
export function softmax(x: Tensor, dim: number): Tensor {
  requireFloat('softmax', x);
  normalizeDim('softmax', dim, x.ndim);
  const e = E.exp(x.sub(max(x, dim, true).detach()));
  return e.div(sum(e, dim, true));
}

/** x - logsumexp(x) along `dim`. */
export function logSoftmax(x: Tensor, dim: number): Tensor {
  requireFloat('logSoftmax', x);
  normalizeDim('logSoftmax', dim, x.ndim);
  return x.sub(logsumexp(x, dim, true));
}
