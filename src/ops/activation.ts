import { TensorError } from '../core/errors.js';
import { normalizeDim } from '../core/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { requireFloat } from './core.js';
import * as E from './elementwise.js';
import { checkArgs, checkDimCall } from '../tensor/args.js';
import { amax, sum } from './reduce.js';

/** max(x, 0). Gradient 0 at x = 0 (PyTorch: threshold_backward passes g only where x > 0). */
export const relu = E.relu;
/** 1 / (1 + exp(-x)), computed without overflow. */
export const sigmoid = E.sigmoid;
/** Hyperbolic tangent. */
export const tanh = E.tanh;

/**
 * x for x > 0, negativeSlope * x otherwise. Gradient negativeSlope at x = 0 (PyTorch: x > 0 ? g : g·slope).
 * @example tg.F.leakyRelu(x, 0.2)
 */
export function leakyRelu(x: Tensor, negativeSlope = 0.01): Tensor {
  checkArgs('leakyRelu', arguments, { x: 'tensor', negativeSlope: 'finite?' });
  return E.where(x.gt(0), x, x.mul(negativeSlope));
}

/**
 * x for x > 0, alpha * (exp(x) - 1) otherwise. Gradient at x = 0 from the negative branch,
 * alpha·exp(0) = alpha (PyTorch's elu_backward tests x <= 0).
 * @example tg.F.elu(x, 1)
 */
export function elu(x: Tensor, alpha = 1): Tensor {
  checkArgs('elu', arguments, { x: 'tensor', alpha: 'finite?' });
  // expm1 of x clipped to <= 0: the unused branch must not overflow, or its 0 * inf gradient would
  // be NaN. The clip is a where (not minimum, which would halve the gradient at the tie x = 0).
  return E.where(x.gt(0), x, E.expm1(E.where(x.gt(0), 0, x)).mul(alpha));
}

/**
 * SELU: scale * elu(x, alpha) with the self-normalising constants; gradient scale·alpha at x = 0 (PyTorch).
 * @example tg.F.selu(x)
 */
export function selu(x: Tensor): Tensor {
  checkArgs('selu', arguments, { x: 'tensor' });
  return elu(x, 1.6732632423543772).mul(1.0507009873554805);
}

/**
 * Gaussian error linear unit; `approximate: 'tanh'` uses the tanh formula. Smooth: gradient 0.5 at 0.
 * @example tg.F.gelu(x, 'tanh')
 */
export function gelu(x: Tensor, approximate: 'none' | 'tanh' = 'none'): Tensor {
  checkArgs('gelu', arguments, { x: 'tensor', approximate: 'string?' });
  if (approximate === 'tanh') {
    const inner = x.add(x.mul(x).mul(x).mul(0.044715)).mul(Math.sqrt(2 / Math.PI));
    return x.mul(0.5).mul(E.tanh(inner).add(1));
  }
  if (approximate !== 'none') throw new TensorError(`gelu: approximate must be 'none' or 'tanh' (got '${approximate}')`);
  return x.mul(0.5).mul(E.erf(x.mul(Math.SQRT1_2)).add(1));
}

/**
 * log(1 + exp(beta x)) / beta, and x itself where beta x > threshold (as PyTorch, so the
 * gradient is 1 above the threshold and sigmoid(beta x) at and below it; 0.5 at x = 0).
 * @example tg.F.softplus(x, 1, 20)
 */
export function softplus(x: Tensor, beta = 1, threshold = 20): Tensor {
  checkArgs('softplus', arguments, { x: 'tensor', beta: 'finite?', threshold: 'number?' });
  const bx = x.mul(beta);
  // max(z, 0) + log1p(exp(-|z|)) equals log1p(exp(z)) and never overflows; maximum (not relu)
  // splits the gradient at z = 0, giving the exact derivative sigmoid(0) = 0.5 there.
  const soft = E.maximum(bx, 0).add(E.log1p(E.exp(E.abs(bx).neg()))).div(beta);
  return E.where(bx.gt(threshold), x, soft);
}

/**
 * x * sigmoid(x) (a.k.a. swish). Smooth: gradient 0.5 at 0.
 * @example tg.F.silu(x)
 */
export function silu(x: Tensor): Tensor {
  checkArgs('silu', arguments, { x: 'tensor' });
  return x.mul(E.sigmoid(x));
}

/**
 * x * tanh(softplus(x)). Smooth: gradient tanh(log 2) = 0.6 at 0.
 * @example tg.F.mish(x)
 */
export function mish(x: Tensor): Tensor {
  checkArgs('mish', arguments, { x: 'tensor' });
  return x.mul(E.tanh(softplus(x)));
}

/**
 * Clamps to [minVal, maxVal]. Unlike clamp, the gradient is 0 AT the bounds: PyTorch's
 * hardtanh_backward passes g only where minVal < x < maxVal.
 * @example tg.F.hardtanh(x, -2, 2)
 */
export function hardtanh(x: Tensor, minVal = -1, maxVal = 1): Tensor {
  checkArgs('hardtanh', arguments, { x: 'tensor', minVal: 'number?', maxVal: 'number?' });
  if (typeof minVal !== 'number' || typeof maxVal !== 'number' || Number.isNaN(minVal) || Number.isNaN(maxVal) || minVal > maxVal) {
    throw new TensorError(`hardtanh: minVal (${minVal}) must be a number not above maxVal (${maxVal})`);
  }
  // The constants carry no gradient, so only the strict interior gets g; NaN stays NaN.
  return E.where(x.le(minVal), minVal, E.where(x.ge(maxVal), maxVal, x));
}

/**
 * min(max(x, 0), 6) = hardtanh(x, 0, 6): gradient 0 at x = 0 and x = 6 (PyTorch).
 * @example tg.F.relu6(x)
 */
export function relu6(x: Tensor): Tensor {
  checkArgs('relu6', arguments, { x: 'tensor' });
  return hardtanh(x, 0, 6);
}

/**
 * relu6(x + 3) / 6. Gradient 1/6 for -3 < x < 3 and 0 at and beyond ±3 (PyTorch's hardsigmoid_backward).
 * @example tg.F.hardsigmoid(x)
 */
export function hardsigmoid(x: Tensor): Tensor {
  checkArgs('hardsigmoid', arguments, { x: 'tensor' });
  return E.where(x.le(-3), 0, E.where(x.ge(3), 1, x.div(6).add(0.5)));
}

/**
 * x * relu6(x + 3) / 6. Gradient 0 for x < -3, x/3 + 1/2 for -3 <= x <= 3 (so -1/2 at -3
 * and 3/2 at 3), 1 for x > 3: PyTorch's hardswish_backward.
 * @example tg.F.hardswish(x)
 */
export function hardswish(x: Tensor): Tensor {
  checkArgs('hardswish', arguments, { x: 'tensor' });
  // x·0 (not 0) below -3: PyTorch computes x·relu6(x + 3)/6, so hardswish(-inf) = -inf·0 = NaN.
  return E.where(x.lt(-3), x.mul(0), E.where(x.gt(3), x, x.mul(x.add(3)).div(6)));
}

/**
 * Elementwise `log(sigmoid(x)) = -softplus(-x)`, computed stably (no overflow for large |x|); same shape.
 * Like torch.nn.functional.logsigmoid.
 * @example tg.F.logSigmoid(tg.tensor([0, -100])) // [-0.6931, -100]
 */
export function logSigmoid(x: Tensor): Tensor {
  checkArgs('logSigmoid', arguments, { x: 'tensor' });
  return softplus(x.neg()).neg();
}

/**
 * x / (1 + |x|). Gradient 1 / (1 + |x|)^2 (1 at 0: abs contributes x·sign(x)' = 0 there).
 * @example tg.F.softsign(x)
 */
export function softsign(x: Tensor): Tensor {
  checkArgs('softsign', arguments, { x: 'tensor' });
  return x.div(E.abs(x).add(1));
}

/**
 * exp(x) / sum(exp(x)) along `dim`, shifted by the (detached) max for stability, as PyTorch:
 * a +Inf or NaN in a slice, or an all -Inf slice, makes the slice NaN.
 * @example tg.tensor([[1, 2, 3]]).softmax(1)
 */
export function softmax(x: Tensor, dim: number): Tensor {
  [x, dim] = checkDimCall('softmax', arguments) as [Tensor, number];
  requireFloat('softmax', x);
  normalizeDim('softmax', dim, x.ndim);
  const e = E.exp(x.sub(amax(x, dim, true).detach()));
  return e.div(sum(e, dim, true));
}

/**
 * log(softmax(x)) along `dim`, as PyTorch computes it: (x - m) - log(sum(exp(x - m))) with m the
 * (detached) max, so a +Inf in a slice makes the whole slice NaN and an all -Inf slice is NaN,
 * exactly as torch.log_softmax (x - logsumexp(x) would give -Inf beside a +Inf instead).
 * @example tg.tensor([[1, 2, 3]]).logSoftmax(1)
 */
export function logSoftmax(x: Tensor, dim: number): Tensor {
  [x, dim] = checkDimCall('logSoftmax', arguments) as [Tensor, number];
  requireFloat('logSoftmax', x);
  normalizeDim('logSoftmax', dim, x.ndim);
  const shifted = x.sub(amax(x, dim, true).detach());
  return shifted.sub(E.log(sum(E.exp(shifted), dim, true)));
}
