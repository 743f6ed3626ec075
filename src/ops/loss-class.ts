/**
 * Classification losses over a class dimension: nllLoss and crossEntropy
 * (class-index or class-probability targets, per-class weights, ignoreIndex,
 * label smoothing), following torch.nn.functional exactly, including how
 * 'mean' normalises by the summed weights of the non-ignored targets.
 */
import { isFloating, type TypedArray } from '../core/dtype.js';
import { TensorError, fmtShape } from '../core/errors.js';
import { shapesEqual } from '../core/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { deferCheck, hostData } from '../tensor/deferred-checks.js';
import { logSoftmax } from './activation.js';
import { where } from './elementwise.js';
import { crossEntropyReducedPrim, crossEntropyRowsPrim } from './loss-prims.js';
import {
  REDUCTIONS, checkNumber, checkOptions, checkReduction, requireFloatArg, type Reduction, type ReductionOptions,
} from './loss-common.js';

/** Options of `F.nllLoss`: reduction, an ignored target value and per-class weights. */
export interface NllLossOptions extends ReductionOptions {
  /** Target value that contributes neither loss nor gradient (default -100). */
  ignoreIndex?: number;
  /** Per-class rescaling weight of shape `[C]`. */
  weight?: Tensor | null;
}

/** Options of `F.crossEntropy`: those of `F.nllLoss` plus label smoothing. */
export interface CrossEntropyOptions extends NllLossOptions {
  /** ε in [0, 1]: mixes the target with the uniform distribution over the C classes (default 0). */
  labelSmoothing?: number;
}

/** The class dim and count: `[N, C, d1, ...]` has classes at dim 1, unbatched `[C]` at dim 0. */
function classDimOf(op: string, input: Tensor): { classDim: number; numClasses: number } {
  if (input.ndim < 1) throw new TensorError(`${op}: input must have a class dimension, [N, C, ...] or [C] (got shape [])`);
  const classDim = input.ndim === 1 ? 0 : 1;
  return { classDim, numClasses: input.shape[classDim]! };
}

/** Checks an optional per-class weight `[C]`. */
function classWeight(op: string, weight: Tensor | null | undefined, input: Tensor, numClasses: number): Tensor | null {
  if (weight == null) return null;
  requireFloatArg(op, 'weight', weight);
  if (!shapesEqual(weight.shape, [numClasses])) {
    throw new TensorError(
      `${op}: weight must have shape [${numClasses}], one entry per class (got weight ${fmtShape(weight.shape)}, input ${fmtShape(input.shape)})`,
    );
  }
  return weight;
}

/** `weight` reshaped to broadcast along the class dim of `input` (`[1, C, 1, ...]`). */
function alongClassDim(weight: Tensor, input: Tensor, classDim: number): Tensor {
  return weight.reshape(input.shape.map((d, i) => (i === classDim ? d : 1)));
}

/** Per-element pieces of a class-index loss, each of the target's shape. */
interface PickedTargets {
  /** True where the target is not ignoreIndex. */
  keep: Tensor;
  /** `-weight[t] * input[..., t, ...]`, exactly 0 where ignored. */
  nll: Tensor;
  /** weight[t] (1 without weights), 0 where ignored: the 'mean' normaliser is its sum. */
  w: Tensor;
}

/**
 * Validates int32 class-index targets against `input`: `[N, C, d1, ...]` takes target
 * `[N, d1, ...]`, `[C]` takes a scalar target; values in [0, C) or ignoreIndex.
 * Returns the values it read to check them (null when they live on a device
 * and are checked there), so that the caller need not read them again.
 */
function checkTargets(op: string, input: Tensor, target: Tensor, ignoreIndex: number): TypedArray | null {
  if (!(target instanceof Tensor)) throw new TensorError(`${op}: target must be a Tensor (got ${typeof target})`);
  const { numClasses } = classDimOf(op, input);
  // Only error messages use it: built on demand (it ran on every training step).
  const shapes = (): string => `(input ${fmtShape(input.shape)}, target ${fmtShape(target.shape)})`;
  if (target.dtype !== 'int32') {
    throw new TensorError(`${op}: target must be an int32 tensor of class indices (got ${target.dtype}) ${shapes()}; convert with target.int()`);
  }
  const expected = input.ndim === 1 ? [] : [input.shape[0]!, ...input.shape.slice(2)];
  if (!shapesEqual(target.shape, expected)) {
    if (input.ndim >= 2 && target.ndim >= 1 && target.shape[0] !== input.shape[0]) {
      throw new TensorError(`${op}: target has shape ${fmtShape(target.shape)} but input has batch size ${input.shape[0]} ${shapes()}`);
    }
    throw new TensorError(
      `${op}: target must have shape ${fmtShape(expected)} for input ${fmtShape(input.shape)} ` +
        `(input [N, C, d1, ...] takes target [N, d1, ...]; input [C] takes a scalar target) but got ${fmtShape(target.shape)}`,
    );
  }
  const values = hostData(target);
  if (!values) {
    // Computed on the GPU: checked there, reported at the next asynchronous read (deferred-checks.ts).
    const bad = target.lt(0).logicalOr(target.ge(numClasses)).logicalAnd(target.ne(ignoreIndex)).any();
    deferCheck(bad, `${op}: some target value is out of range for ${numClasses} classes ` +
      `(expected 0 <= target < ${numClasses}, or ignoreIndex ${ignoreIndex}; checked on the device, reported at this read) ${shapes()}`);
    return null;
  }
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v !== ignoreIndex && (v < 0 || v >= numClasses)) {
      throw new TensorError(
        `${op}: target value ${v} at flat index ${i} is out of range for ${numClasses} classes ` +
          `(expected 0 <= target < ${numClasses}, or ignoreIndex ${ignoreIndex}) ${shapes()}`,
      );
    }
  }
  return values;
}

/** Picks the target entries of `input` (targets already checked by checkTargets). */
function pickTargets(input: Tensor, target: Tensor, ignoreIndex: number, weight: Tensor | null): PickedTargets {
  const classDim = input.ndim === 1 ? 0 : 1;
  const keep = target.ne(ignoreIndex);
  // Ignored entries point at class 0 so gather stays in range; `where` then drops them.
  // (where rather than a 0/1 mask: 0 * -inf would be NaN for a -inf log-probability.)
  const safe = where(keep, target, 0);
  const picked = input.gather(classDim, safe.unsqueeze(classDim)).squeeze(classDim);
  if (!weight) return { keep, nll: where(keep, picked.neg(), 0), w: keep.to(input.dtype) };
  const wt = weight.gather(0, safe.reshape([-1])).reshape(target.shape);
  return { keep, nll: where(keep, picked.mul(wt).neg(), 0), w: where(keep, wt, 0) };
}

/** Reduces per-element class losses; 'mean' divides by the summed weights of kept targets (PyTorch). */
function reduceByWeight(loss: Tensor, w: Tensor, reduction: Reduction): Tensor {
  if (reduction === 'none') return loss;
  return reduction === 'sum' ? loss.sum() : loss.sum().div(w.sum());
}

/**
 * The common case, [N, C] logits with class indices and no weights, in two
 * fused kernels (forward per row, backward per row; 'sum' and host-counted
 * 'mean' reduced inside them where the backend can) instead of a dozen small
 * ops, where the backend offers them (null otherwise: the caller runs the
 * composite below, which defines the result). 'mean' divides by the number of
 * kept targets, counted in `t`, the target values checkTargets read and
 * validated (null: on a device, counted there).
 */
function fusedCrossEntropy(
  input: Tensor, target: Tensor, t: TypedArray | null, ignoreIndex: number, eps: number, reduction: Reduction,
): Tensor | null {
  // 'mean' divides by the kept targets: counted here from the values read (-1: not read, counted on the device).
  let kept = -1;
  if (reduction === 'mean' && t) {
    kept = 0;
    for (let i = 0; i < t.length; i++) if (t[i] !== ignoreIndex) kept++;
  }
  // 'sum' and host-counted 'mean': one kernel each way where the backend has it (same result).
  if (reduction === 'sum' || kept >= 0) {
    const reduced = crossEntropyReducedPrim(input, target, ignoreIndex, eps, reduction === 'sum' ? 1 : kept);
    if (reduced) return reduced;
  }
  const perRow = crossEntropyRowsPrim(input, target, ignoreIndex, eps);
  if (!perRow || reduction === 'none') return perRow;
  if (reduction === 'sum') return perRow.sum();
  // 0/0 = NaN when every target is ignored, as in PyTorch.
  if (kept < 0) return perRow.sum().div(target.ne(ignoreIndex).sum().to(perRow.dtype)); // counted on the device
  return perRow.sum().div(kept);
}

function ignoreIndexOf(op: string, v: unknown): number {
  return checkNumber(op, 'ignoreIndex', v ?? -100, Number.isInteger, 'an integer');
}

/**
 * Negative log-likelihood: `-weight[t] * input[n, t, ...]` for each target t, reduced.
 * 'mean' divides by the sum of `weight[t]` over the non-ignored targets (so it is
 * NaN when every target is ignored, as in PyTorch).
 * Shapes: input `[N, C]` or `[N, C, d1, ...]` log-probabilities with int32 target
 * `[N]` / `[N, d1, ...]`, or input `[C]` with a scalar target; weight `[C]`.
 * Output `[]`, or the target's shape for 'none' (0 at ignored targets).
 * @example F.nllLoss(F.logSoftmax(logits, 1), tg.tensor([2, 0], { dtype: 'int32' }))
 */
export function nllLoss(input: Tensor, target: Tensor, opts?: NllLossOptions): Tensor {
  const op = 'nllLoss';
  checkOptions(op, opts, ['reduction', 'ignoreIndex', 'weight']);
  const reduction = checkReduction(op, opts?.reduction ?? 'mean', REDUCTIONS);
  const ignoreIndex = ignoreIndexOf(op, opts?.ignoreIndex);
  requireFloatArg(op, 'input', input);
  const weight = classWeight(op, opts?.weight, input, classDimOf(op, input).numClasses);
  checkTargets(op, input, target, ignoreIndex);
  const { nll, w } = pickTargets(input, target, ignoreIndex, weight);
  return reduceByWeight(nll, w, reduction);
}

/**
 * Cross entropy between logits and targets: `nllLoss(logSoftmax(input, classDim), target)`
 * for int32 class indices, or `-sum_c weight_c p_c logSoftmax(input)_c` for floating
 * class probabilities p of the input's shape.
 *
 * Label smoothing ε (PyTorch's formula): with indices, each kept element costs
 * `(1-ε) nll + (ε/C) * -(sum_c weight_c logp_c)`, and 'mean' divides both terms by the
 * same sum of `weight[t]` over non-ignored targets; with probabilities the target
 * becomes `(1-ε) p + ε/C`, and 'mean' divides by the number of elements N*d1*...
 * (weights do not normalise). ignoreIndex applies to index targets only.
 *
 * Shapes: input `[N, C, d1, ...]` with target int32 `[N, d1, ...]` or floating
 * `[N, C, d1, ...]`; unbatched input `[C]` with a scalar int32 target or a `[C]`
 * floating target; weight `[C]`. Output `[]`, or `[N, d1, ...]` (`[]` unbatched) for 'none'.
 * @example F.crossEntropy(tg.tensor([[1, 2, 3]]), tg.tensor([2], { dtype: 'int32' })) // 0.4076
 * @example F.crossEntropy(logits, labels, { labelSmoothing: 0.1, ignoreIndex: 0 })
 */
export function crossEntropy(input: Tensor, target: Tensor, opts?: CrossEntropyOptions): Tensor {
  const op = 'crossEntropy';
  checkOptions(op, opts, ['reduction', 'ignoreIndex', 'weight', 'labelSmoothing']);
  const reduction = checkReduction(op, opts?.reduction ?? 'mean', REDUCTIONS);
  const ignoreIndex = ignoreIndexOf(op, opts?.ignoreIndex);
  const eps = checkNumber(op, 'labelSmoothing', opts?.labelSmoothing ?? 0, (v) => v >= 0 && v <= 1, 'in [0, 1]');
  requireFloatArg(op, 'input', input);
  if (!(target instanceof Tensor)) throw new TensorError(`${op}: target must be a Tensor (got ${typeof target})`);
  const { classDim, numClasses } = classDimOf(op, input);
  const weight = classWeight(op, opts?.weight, input, numClasses);

  if (isFloating(target.dtype)) {
    if (!shapesEqual(target.shape, input.shape)) {
      throw new TensorError(
        `${op}: a floating-point target holds class probabilities and must have the input's shape ` +
          `(input ${fmtShape(input.shape)}, target ${fmtShape(target.shape)}); pass class indices as an int32 tensor`,
      );
    }
    if (ignoreIndex >= 0) throw new TensorError(`${op}: ignoreIndex is not supported for class-probability (floating-point) targets`);
    const logp = logSoftmax(input, classDim);
    const p = eps > 0 ? target.mul(1 - eps).add(eps / numClasses) : target;
    const terms = weight ? logp.mul(p).mul(alongClassDim(weight, input, classDim)) : logp.mul(p);
    const loss = terms.sum(classDim).neg();
    // 'mean' averages over the N*d1*... positions, never over weights (PyTorch).
    return reduction === 'none' ? loss : reduction === 'sum' ? loss.sum() : loss.mean();
  }

  const values = checkTargets(op, input, target, ignoreIndex);
  const fused = input.ndim === 2 && !weight ? fusedCrossEntropy(input, target, values, ignoreIndex, eps, reduction) : null;
  if (fused) return fused;
  const logp = logSoftmax(input, classDim);
  const { keep, nll, w } = pickTargets(logp, target, ignoreIndex, weight);
  if (eps === 0) return reduceByWeight(nll, w, reduction);
  const weighted = weight ? logp.mul(alongClassDim(weight, input, classDim)) : logp;
  const smooth = where(keep, weighted.sum(classDim).neg(), 0);
  return reduceByWeight(nll.mul(1 - eps).add(smooth.mul(eps / numClasses)), w, reduction);
}
