/**
 * Probing a classifier with images (saliency, occlusion, activation
 * maximisation): the shared checks on the image, the model's output and the
 * target class, so the three report bad input the same way. (The model state
 * they need while probing, eval mode with parameters frozen, is eval-frozen.ts.)
 */
import { TensorError, fmtShape } from '../core/errors.js';
import { isFloating, type DType } from '../core/dtype.js';
import type { Backend } from '../backend/backend.js';
import { getBackend } from '../backend/current.js';
import { noGrad } from '../tensor/graph.js';
import { tensor } from '../tensor/create.js';
import { Tensor } from '../tensor/tensor.js';
import type { Module } from '../nn/module.js';

/** An image as the functions here take it: `[C, H, W]` on the host, plus where the model it is fed to lives. */
export interface ImageInput {
  /** The image's values, channel-major (`c * H * W + y * W + x`). */
  readonly values: Float32Array;
  readonly channels: number;
  readonly height: number;
  readonly width: number;
  /** Backend and dtype that tensors fed to the model are created with (its parameters'; the image's for a model without any). */
  readonly backend: Backend;
  readonly dtype: DType;
}

/**
 * Checks that `image` is a floating tensor `[C, H, W]` or `[1, C, H, W]` and
 * reads it to the host, to be fed to `model`. A wrong shape throws a
 * TensorError naming `fn`, what was expected and what it got.
 * @example readImage('saliency', x, model).height // 28
 */
export function readImage(fn: string, image: unknown, model: Module): ImageInput {
  if (!(image instanceof Tensor)) throw new TensorError(`${fn}: image must be a Tensor [C, H, W] (got ${typeof image})`);
  const s = image.shape;
  const ok = (s.length === 3 || (s.length === 4 && s[0] === 1)) && s.every((d) => d > 0);
  if (!ok) throw new TensorError(`${fn}: image must be [C, H, W] or [1, C, H, W] (got ${fmtShape(s)})`);
  if (!isFloating(image.dtype)) throw new TensorError(`${fn}: image must be float32 or float64 (got ${image.dtype})`);
  const [channels, height, width] = s.slice(-3) as [number, number, number];
  const raw = image.data();
  // One copy, so no later step can alias the caller's storage.
  const values = raw instanceof Float32Array ? raw.slice() : Float32Array.from(raw as ArrayLike<number>);
  // The model's placement, not the image's: an image loaded on another backend still works.
  const { backend, dtype } = modelPlacement(model, image);
  return { values, channels, height, width, backend, dtype };
}

/** A batch `[N, C, H, W]` on the image's backend from N host images laid end to end. */
export function batchOf(img: ImageInput, values: Float32Array, requiresGrad = false): Tensor {
  const n = values.length / (img.channels * img.height * img.width);
  return tensor(values, { shape: [n, img.channels, img.height, img.width], backend: img.backend, dtype: img.dtype, requiresGrad });
}

/**
 * The backend and dtype of a model's parameters; for a model without any,
 * those of `like` (or the current backend and float32).
 */
export function modelPlacement(model: Module, like?: Tensor): { backend: Backend; dtype: DType } {
  const p = model.parameters().find((q) => isFloating(q.dtype));
  if (p) return { backend: p.backend, dtype: p.dtype };
  return like ? { backend: like.backend, dtype: like.dtype } : { backend: getBackend(), dtype: 'float32' };
}

/**
 * Calls `model.forward(x)` and checks it returns logits `[N, K]`; errors from
 * the model are reported as by {@link feeding}.
 */
export function logitsOf(fn: string, model: Module, x: Tensor): Tensor {
  const out: unknown = feeding(fn, x, () => model.forward(x));
  if (!(out instanceof Tensor) || out.ndim !== 2 || out.shape[0] !== x.shape[0]) {
    const got = out instanceof Tensor ? fmtShape(out.shape) : typeof out;
    throw new TensorError(`${fn}: the model must return class scores [N, K] for an input [N, C, H, W] (got ${got} for ${fmtShape(x.shape)})`);
  }
  return out;
}

/**
 * Runs `run` (a forward pass of input `x` `[N, C, H, W]`); a TensorError from it
 * (the model rejecting the image's size or channel count) is rethrown as one
 * line naming `fn` and the image shape, with the model's message after it.
 */
export function feeding<T>(fn: string, x: Tensor, run: () => T): T {
  try {
    return run();
  } catch (e) {
    if (e instanceof TensorError) throw new TensorError(`${fn}: the model cannot take an image ${fmtShape(x.shape.slice(1))}: ${e.message}`);
    throw e;
  }
}

/** A target class: an index, or 'predicted' (the class with the largest score for the clean image). */
export type Target = number | 'predicted';

/**
 * Resolves `target` against the clean image's logits `[1, K]` (computed here,
 * without gradients): a class index in 0..K-1, checked, or the argmax.
 * @example resolveTarget('saliency', model, x, 'predicted') // 7
 */
export function resolveTarget(fn: string, model: Module, x: Tensor, target: unknown): { target: number; logits: Float64Array } {
  const logits = Float64Array.from(noGrad(() => logitsOf(fn, model, x)).data() as ArrayLike<number>);
  const k = logits.length;
  if (target === 'predicted') {
    let best = 0;
    for (let i = 1; i < k; i++) if (logits[i]! > logits[best]!) best = i;
    return { target: best, logits };
  }
  if (typeof target !== 'number' || !Number.isInteger(target) || target < 0 || target >= k) {
    throw new TensorError(`${fn}: target must be 'predicted' or a class index in 0..${k - 1} (the model has ${k} outputs; got ${JSON.stringify(target) ?? String(target)})`);
  }
  return { target, logits };
}

/** softmax(logits)[i] in float64, computed stably on the host. */
export function probabilityOf(logits: ArrayLike<number>, i: number): number {
  let max = -Infinity;
  for (let j = 0; j < logits.length; j++) max = Math.max(max, logits[j]!);
  let sum = 0;
  for (let j = 0; j < logits.length; j++) sum += Math.exp(logits[j]! - max);
  return Math.exp(logits[i]! - max) / sum;
}

/** Checks an optional positive integer option, naming the function and option. */
export function positiveInt(fn: string, name: string, v: unknown, fallback: number): number {
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new TensorError(`${fn}: ${name} must be a positive integer (got ${JSON.stringify(v) ?? String(v)})`);
  return v;
}

/** Checks an optional finite number option in [lo, hi], naming the function and option. */
export function numberIn(fn: string, name: string, v: unknown, fallback: number, lo: number, hi = Infinity): number {
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < lo || v > hi) {
    const range = hi === Infinity ? `>= ${lo}` : `in [${lo}, ${hi}]`;
    throw new TensorError(`${fn}: ${name} must be a number ${range} (got ${JSON.stringify(v) ?? String(v)})`);
  }
  return v;
}
