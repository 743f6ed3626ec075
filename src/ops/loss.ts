/**
 * Loss functions (`tg.F.mseLoss`, `tg.F.crossEntropy`, ...), PyTorch semantics
 * with camelCase names and an options object. Every loss takes
 * `reduction: 'mean' | 'sum' | 'none'` (default 'mean'). All are composites of
 * tensor ops, so gradients (also for targets and weights) come from autograd.
 *
 * This file holds the regression losses and the embedding loss; the class-index
 * losses live in loss-class.ts, the probability losses in loss-prob.ts.
 */
import { TensorError, fmtShape } from '../core/errors.js';
import { shapesEqual } from '../core/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { deferCheck, hostData } from '../tensor/deferred-checks.js';
import { where } from './elementwise.js';
import {
  REDUCTIONS, checkNumber, checkOptions, checkReduction, reduceLoss, requireFloatArg, requireSameShape,
  type Reduction, type ReductionOptions,
} from './loss-common.js';

export type { Reduction, ReductionOptions } from './loss-common.js';
export { nllLoss, crossEntropy, type NllLossOptions, type CrossEntropyOptions } from './loss-class.js';
export {
  binaryCrossEntropy, binaryCrossEntropyWithLogits, klDiv,
  type BinaryCrossEntropyOptions, type BinaryCrossEntropyWithLogitsOptions, type KlDivOptions,
} from './loss-prob.js';

/** Common checks of the elementwise regression losses; returns the reduction. */
function regressionArgs(op: string, input: Tensor, target: Tensor, opts: object | undefined, extra: string[] = []): Reduction {
  checkOptions(op, opts, ['reduction', ...extra]);
  requireFloatArg(op, 'input', input);
  requireFloatArg(op, 'target', target);
  requireSameShape(op, input, target);
  return checkReduction(op, (opts as ReductionOptions | undefined)?.reduction ?? 'mean', REDUCTIONS);
}

/**
 * Mean squared error: `(input - target)^2`, reduced.
 * Shapes: input and target of one shape (no broadcasting); output `[]`, or that shape for 'none'.
 * @example F.mseLoss(pred, y)                        // scalar
 * @example F.mseLoss(pred, y, { reduction: 'none' }) // per element
 */
export function mseLoss(input: Tensor, target: Tensor, opts?: ReductionOptions): Tensor {
  const reduction = regressionArgs('mseLoss', input, target, opts);
  return reduceLoss(input.sub(target).square(), reduction);
}

/**
 * Mean absolute error: `|input - target|`, reduced.
 * Shapes: input and target of one shape; output `[]`, or that shape for 'none'.
 * @example F.l1Loss(pred, y, { reduction: 'sum' })
 */
export function l1Loss(input: Tensor, target: Tensor, opts?: ReductionOptions): Tensor {
  const reduction = regressionArgs('l1Loss', input, target, opts);
  return reduceLoss(input.sub(target).abs(), reduction);
}

/** Options of `F.smoothL1Loss`: reduction and the quadratic-to-linear threshold `beta`. */
export interface SmoothL1LossOptions extends ReductionOptions {
  /** Where the loss turns from quadratic to linear (>= 0, default 1; 0 gives l1Loss). */
  beta?: number;
}

/**
 * Smooth L1: with d = |input - target|, `0.5 d^2 / beta` for d < beta, else `d - 0.5 beta`.
 * Shapes: input and target of one shape; output `[]`, or that shape for 'none'.
 * @example F.smoothL1Loss(boxes, targetBoxes, { beta: 1 / 9 })
 */
export function smoothL1Loss(input: Tensor, target: Tensor, opts?: SmoothL1LossOptions): Tensor {
  const op = 'smoothL1Loss';
  const reduction = regressionArgs(op, input, target, opts, ['beta']);
  const beta = checkNumber(op, 'beta', opts?.beta ?? 1, (b) => b >= 0, 'a non-negative number');
  const z = input.sub(target);
  const d = z.abs();
  // beta = 0 is exactly L1 (PyTorch); the quadratic branch would divide by zero.
  if (beta === 0) return reduceLoss(d, reduction);
  return reduceLoss(where(d.lt(beta), z.square().mul(0.5 / beta), d.sub(0.5 * beta)), reduction);
}

/** Options of `F.huberLoss`: reduction and the quadratic-to-linear threshold `delta`. */
export interface HuberLossOptions extends ReductionOptions {
  /** Where the loss turns from quadratic to linear (> 0, default 1). */
  delta?: number;
}

/**
 * Huber loss: with d = |input - target|, `0.5 d^2` for d < delta, else `delta (d - 0.5 delta)`
 * (equals `delta * smoothL1Loss` with beta = delta).
 * Shapes: input and target of one shape; output `[]`, or that shape for 'none'.
 * @example F.huberLoss(pred, y, { delta: 2 })
 */
export function huberLoss(input: Tensor, target: Tensor, opts?: HuberLossOptions): Tensor {
  const op = 'huberLoss';
  const reduction = regressionArgs(op, input, target, opts, ['delta']);
  const delta = checkNumber(op, 'delta', opts?.delta ?? 1, (v) => v > 0, 'a positive number');
  const z = input.sub(target);
  const d = z.abs();
  return reduceLoss(where(d.lt(delta), z.square().mul(0.5), d.sub(0.5 * delta).mul(delta)), reduction);
}

/** Options of `F.cosineEmbeddingLoss`: reduction and the margin for dissimilar pairs. */
export interface CosineEmbeddingLossOptions extends ReductionOptions {
  /** Cosine similarity below which dissimilar pairs (y = -1) cost nothing (default 0; sensible in [-1, 1]). */
  margin?: number;
}

/**
 * Cosine embedding loss on pairs: `1 - cos(x1, x2)` where y = 1 and
 * `max(0, cos(x1, x2) - margin)` where y = -1 (cosine over the last dim, with
 * PyTorch's 1e-12 added to each squared norm).
 * Shapes: x1, x2 `[N, D]` with y `[N]`, or x1, x2 `[D]` with y `[]`; y holds 1 or -1
 * (any numeric dtype). Output `[]`, or `[N]` / `[]` for 'none'.
 * @example F.cosineEmbeddingLoss(a, b, tg.tensor([1, -1, 1]), { margin: 0.2 })
 */
export function cosineEmbeddingLoss(x1: Tensor, x2: Tensor, y: Tensor, opts?: CosineEmbeddingLossOptions): Tensor {
  const op = 'cosineEmbeddingLoss';
  checkOptions(op, opts, ['reduction', 'margin']);
  const reduction = checkReduction(op, opts?.reduction ?? 'mean', REDUCTIONS);
  const margin = checkNumber(op, 'margin', opts?.margin ?? 0, () => true, 'a finite number');
  requireFloatArg(op, 'x1', x1);
  requireFloatArg(op, 'x2', x2);
  if (!(y instanceof Tensor)) throw new TensorError(`${op}: y must be a Tensor of 1 / -1 labels (got ${typeof y})`);
  const shapes = `(x1 ${fmtShape(x1.shape)}, x2 ${fmtShape(x2.shape)}, y ${fmtShape(y.shape)})`;
  if (x1.ndim < 1 || x1.ndim > 2 || !shapesEqual(x1.shape, x2.shape)) {
    throw new TensorError(`${op}: x1 and x2 must have one shape, [N, D] or [D] ${shapes}`);
  }
  if (!shapesEqual(y.shape, x1.shape.slice(0, -1))) {
    throw new TensorError(`${op}: y must have shape ${fmtShape(x1.shape.slice(0, -1))} (one label per pair) ${shapes}`);
  }
  // PyTorch silently scores any other label as 0; that hides label bugs (0/1 labels).
  const ys = hostData(y);
  if (ys) {
    for (const v of ys) if (v !== 1 && v !== -1) throw new TensorError(`${op}: y must hold 1 or -1 (got ${v}) ${shapes}`);
  } else {
    deferCheck(y.eq(1).logicalOr(y.eq(-1)).logicalNot().any(), `${op}: y must hold 1 or -1 (some label is neither; checked on the device, reported at this read) ${shapes}`);
  }
  const eps = 1e-12;
  const dot = x1.mul(x2).sum(-1);
  const cos = dot.div(x1.square().sum(-1).add(eps).mul(x2.square().sum(-1).add(eps)).sqrt());
  const loss = where(y.eq(1), cos.neg().add(1), cos.sub(margin).clamp(0));
  return reduceLoss(loss, reduction);
}
