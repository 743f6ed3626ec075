/**
 * Losses on probabilities and log-probabilities: binary cross entropy (on
 * probabilities, and the numerically stable form on logits) and KL divergence.
 */
import { TensorError, fmtShape } from '../core/errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { deferCheck, hostData } from '../tensor/deferred-checks.js';
import { log, log1p, exp, maximum, where } from './elementwise.js';
import {
  REDUCTIONS, checkBroadcastWeight, checkOptions, checkReduction, reduceLoss, requireFloatArg, requireSameShape,
  type ReductionOptions,
} from './loss-common.js';

/** Options of `F.binaryCrossEntropy`: reduction and an optional rescaling weight. */
export interface BinaryCrossEntropyOptions extends ReductionOptions {
  /** Rescaling weight broadcast to the input's shape (e.g. `[N, 1]` per sample or `[C]` per class). */
  weight?: Tensor | null;
}

/** Options of `F.binaryCrossEntropyWithLogits`: those of `F.binaryCrossEntropy` plus a positive-class weight. */
export interface BinaryCrossEntropyWithLogitsOptions extends BinaryCrossEntropyOptions {
  /** Weight of the positive term, broadcast to the input (typically `[C]`, one per class). */
  posWeight?: Tensor | null;
}

/**
 * log(p) clamped to >= -100 as PyTorch's binary_cross_entropy does, so p = 0 gives a
 * finite loss. At p = 0 the gradient is 0 rather than NaN (log is taken of 1 there).
 */
function clampedLog(p: Tensor): Tensor {
  const pos = p.gt(0);
  return where(pos, log(where(pos, p, 1)), -100).clamp(-100);
}

/**
 * Binary cross entropy on probabilities x in [0, 1]:
 * `-weight * (y log x + (1 - y) log(1 - x))`, each log clamped to >= -100 (PyTorch).
 * Shapes: input and target of one shape; weight broadcast to it. Output `[]`, or that shape for 'none'.
 * Throws if an input value lies outside [0, 1] (use binaryCrossEntropyWithLogits on raw scores).
 * @example F.binaryCrossEntropy(tg.sigmoid(logits), labels)
 */
export function binaryCrossEntropy(input: Tensor, target: Tensor, opts?: BinaryCrossEntropyOptions): Tensor {
  const op = 'binaryCrossEntropy';
  checkOptions(op, opts, ['reduction', 'weight']);
  const reduction = checkReduction(op, opts?.reduction ?? 'mean', REDUCTIONS);
  requireFloatArg(op, 'input', input);
  requireFloatArg(op, 'target', target);
  requireSameShape(op, input, target);
  checkBroadcastWeight(op, 'weight', opts?.weight, input);
  const xs = hostData(input);
  if (xs) {
    for (let i = 0; i < xs.length; i++) {
      const v = xs[i]!;
      if (!(v >= 0 && v <= 1)) {
        throw new TensorError(
          `${op}: input must hold probabilities in [0, 1] but element ${i} is ${v} (input ${fmtShape(input.shape)}); ` +
            'for raw scores use binaryCrossEntropyWithLogits',
        );
      }
    }
  } else {
    // Computed on the GPU: checked there, reported at the next asynchronous read (deferred-checks.ts).
    deferCheck(
      input.ge(0).logicalAnd(input.le(1)).logicalNot().any(),
      `${op}: input must hold probabilities in [0, 1] but some element is outside (or NaN) (input ${fmtShape(input.shape)}; checked on the device, ` +
        'reported at this read); for raw scores use binaryCrossEntropyWithLogits',
    );
  }
  const oneMinusY = target.neg().add(1);
  let loss = target.mul(clampedLog(input)).add(oneMinusY.mul(clampedLog(input.neg().add(1)))).neg();
  if (opts?.weight) loss = loss.mul(opts.weight);
  return reduceLoss(loss, reduction);
}

/**
 * Binary cross entropy on logits x, i.e. with sigmoid folded in, computed stably:
 * `weight * ((1 - y) x + (1 + (posWeight - 1) y) * softplus(-x))`
 * with softplus(-x) = log(1 + exp(-|x|)) + max(-x, 0).
 * Shapes: input and target of one shape; weight and posWeight broadcast to it.
 * Output `[]`, or that shape for 'none'.
 * @example F.binaryCrossEntropyWithLogits(logits, labels, { posWeight: tg.tensor([3]) })
 */
export function binaryCrossEntropyWithLogits(input: Tensor, target: Tensor, opts?: BinaryCrossEntropyWithLogitsOptions): Tensor {
  const op = 'binaryCrossEntropyWithLogits';
  checkOptions(op, opts, ['reduction', 'weight', 'posWeight']);
  const reduction = checkReduction(op, opts?.reduction ?? 'mean', REDUCTIONS);
  requireFloatArg(op, 'input', input);
  requireFloatArg(op, 'target', target);
  requireSameShape(op, input, target);
  checkBroadcastWeight(op, 'weight', opts?.weight, input);
  checkBroadcastWeight(op, 'posWeight', opts?.posWeight, input);
  // maximum (not relu) splits the gradient at the tie x = 0, giving the exact
  // derivative -sigmoid(0) = -1/2 there; log1p(exp(-|x|)) contributes 0 at x = 0.
  const softplusNegX = log1p(exp(input.abs().neg())).add(maximum(input.neg(), 0));
  const logWeight = opts?.posWeight ? opts.posWeight.sub(1).mul(target).add(1) : null;
  let loss = target.neg().add(1).mul(input).add(logWeight ? logWeight.mul(softplusNegX) : softplusNegX);
  if (opts?.weight) loss = loss.mul(opts.weight);
  return reduceLoss(loss, reduction);
}

/** Options of `F.klDiv`: the reduction (with 'batchmean') and whether the target is in log space. */
export interface KlDivOptions {
  /**
   * 'mean' averages over all elements (PyTorch's default, not the true KL);
   * 'batchmean' divides the sum by the batch size input.shape[0] (the KL divergence).
   */
  reduction?: 'mean' | 'sum' | 'none' | 'batchmean';
  /** Whether the target is given as log-probabilities (default false). */
  logTarget?: boolean;
}

/**
 * Kullback-Leibler divergence with `input` as log-probabilities:
 * `target * (log target - input)` (0 where target = 0), or with `logTarget`
 * `exp(target) * (target - input)`.
 * Shapes: input and target of one shape; output `[]`, or that shape for 'none'.
 * @example F.klDiv(F.logSoftmax(logits, 1), probs, { reduction: 'batchmean' })
 */
export function klDiv(input: Tensor, target: Tensor, opts?: KlDivOptions): Tensor {
  const op = 'klDiv';
  checkOptions(op, opts, ['reduction', 'logTarget']);
  const reduction = checkReduction(op, opts?.reduction ?? 'mean', [...REDUCTIONS, 'batchmean'] as const);
  const logTarget = opts?.logTarget ?? false;
  if (typeof logTarget !== 'boolean') throw new TensorError(`${op}: logTarget must be a boolean (got ${String(logTarget)})`);
  requireFloatArg(op, 'input', input);
  requireFloatArg(op, 'target', target);
  requireSameShape(op, input, target);
  let loss: Tensor;
  if (logTarget) {
    loss = exp(target).mul(target.sub(input));
  } else {
    // xlogy(t, t) = 0 at t = 0; log is taken of 1 there so its gradient is not 0 * inf.
    const zero = target.eq(0);
    const tLogT = where(zero, 0, target.mul(log(where(zero, 1, target))));
    loss = tLogT.sub(target.mul(input));
  }
  if (reduction === 'batchmean') return input.ndim === 0 ? loss.sum() : loss.sum().div(input.shape[0]!);
  return reduceLoss(loss, reduction);
}
