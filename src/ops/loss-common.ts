/**
 * Shared argument checking for the loss functions (loss-*.ts): options objects,
 * the `reduction` switch, same-shape and per-class-weight checks.
 * @internal
 */
import { isFloating } from '../core/dtype.js';
import { TensorError, fmtShape } from '../core/errors.js';
import { broadcastShapes, shapesEqual } from '../core/shape.js';
import { Tensor } from '../tensor/tensor.js';

/** How a loss combines its per-element values: PyTorch's `reduction`. */
export type Reduction = 'mean' | 'sum' | 'none';

/** The `reduction` option every loss function takes (PyTorch's keyword of the same name). */
export interface ReductionOptions {
  /** 'mean' (default) averages, 'sum' adds, 'none' returns the per-element losses. */
  reduction?: Reduction;
}

/**
 * Rejects option keys the loss does not know: a misspelt `ignore_index` would
 * otherwise be silently ignored and the default used instead.
 */
export function checkOptions(op: string, opts: unknown, allowed: readonly string[]): void {
  if (opts === undefined) return;
  if (opts === null || typeof opts !== 'object' || opts instanceof Tensor) {
    throw new TensorError(`${op}: options must be an object like { reduction: 'sum' } (got ${opts instanceof Tensor ? 'a Tensor' : String(opts)})`);
  }
  for (const key of Object.keys(opts)) {
    if (!allowed.includes(key)) {
      throw new TensorError(`${op}: unknown option '${key}' (expected ${allowed.join(', ')})`);
    }
  }
}

/** Validates `reduction` against the allowed values and returns it. */
export function checkReduction<R extends string>(op: string, reduction: unknown, allowed: readonly R[]): R {
  if (typeof reduction !== 'string' || !(allowed as readonly string[]).includes(reduction)) {
    throw new TensorError(`${op}: reduction must be one of ${allowed.map((r) => `'${r}'`).join(', ')} (got ${JSON.stringify(reduction)})`);
  }
  return reduction as R;
}

export const REDUCTIONS: readonly Reduction[] = ['mean', 'sum', 'none'];

/** 'none' keeps the per-element loss, 'sum' adds it up, 'mean' averages it. */
export function reduceLoss(loss: Tensor, reduction: Reduction): Tensor {
  if (reduction === 'none') return loss;
  return reduction === 'sum' ? loss.sum() : loss.mean();
}

/** Throws unless `t` is a floating-point tensor; `what` names the argument. */
export function requireFloatArg(op: string, what: string, t: unknown): asserts t is Tensor {
  if (!(t instanceof Tensor)) throw new TensorError(`${op}: ${what} must be a Tensor (got ${typeof t})`);
  if (!isFloating(t.dtype)) {
    throw new TensorError(`${op}: ${what} must be a floating-point tensor (got ${t.dtype} of shape ${fmtShape(t.shape)})`);
  }
}

/**
 * Elementwise losses take input and target of one shape. PyTorch merely warns
 * and broadcasts, which turns a [N] vs [N,1] slip into an N x N loss; we refuse.
 */
export function requireSameShape(op: string, input: Tensor, target: Tensor): void {
  if (!shapesEqual(input.shape, target.shape)) {
    throw new TensorError(
      `${op}: target shape ${fmtShape(target.shape)} must equal input shape ${fmtShape(input.shape)} ` +
        `(losses do not broadcast; reshape one of them)`,
    );
  }
}

/** An optional elementwise weight must broadcast to the input's shape without enlarging it. */
export function checkBroadcastWeight(op: string, what: string, w: Tensor | null | undefined, input: Tensor): void {
  if (w == null) return;
  requireFloatArg(op, what, w);
  let ok = w.ndim <= input.ndim;
  if (ok) {
    try {
      ok = shapesEqual(broadcastShapes(op, w.shape, input.shape), input.shape);
    } catch {
      ok = false;
    }
  }
  if (!ok) {
    throw new TensorError(`${op}: ${what} of shape ${fmtShape(w.shape)} does not broadcast to the input shape ${fmtShape(input.shape)}`);
  }
}

/** A finite number check for scalar hyperparameters. */
export function checkNumber(op: string, name: string, v: unknown, ok: (v: number) => boolean, expect: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || !ok(v)) {
    throw new TensorError(`${op}: ${name} must be ${expect} (got ${String(v)})`);
  }
  return v;
}
