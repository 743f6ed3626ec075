import { isGradEnabled, noGrad } from '../tensor/graph.js';
import { TensorError, fmtShape } from '../core/errors.js';
import { Tensor, type TensorLike } from '../tensor/tensor.js';
import { broadcastShapes } from '../core/shape.js';
import * as E from './elementwise.js';
import { expand } from './movement.js';
import { filled } from './core.js';
import { checkArgs, type ArgSpec } from '../tensor/args.js';
import { toBackend } from './transfer.js';

/** In-place writes would corrupt the graph of a tensor that requires grad; they are allowed under noGrad only. */
function checkWritable(op: string, x: Tensor): void {
  if (x.requiresGrad && isGradEnabled()) {
    throw new TensorError(`${op}: a tensor that requires grad cannot be modified in place while gradients are recorded; wrap the update in tg.noGrad(() => ...) or use the out-of-place ${op.slice(0, -1)}`);
  }
}

/**
 * Writes `value` (broadcast to x's shape, cast to x's dtype) into x's storage.
 * A value on another backend is copied over first, as PyTorch's copy_ copies
 * across devices (so loadStateDict takes weights from any backend); a GPU
 * result that cannot be read synchronously is refused with the async way out.
 */
function assign(op: string, x: Tensor, value: Tensor): void {
  let v = value;
  if (v.shape.join() !== x.shape.join()) {
    try {
      v = expand(v, x.shape);
    } catch {
      throw new TensorError(`${op}: result of shape ${fmtShape(value.shape)} cannot be written into a tensor of shape ${fmtShape(x.shape)}`);
    }
  }
  if (v.backend !== x.backend) {
    if (!v.isHostReadable()) {
      throw new TensorError(
        `${op}: the source (shape ${fmtShape(v.shape)}) was computed on the '${v.backend.name}' backend and cannot be read synchronously ` +
          `to copy it to '${x.backend.name}'; move it first with \`await tg.toBackendAsync(src, '${x.backend.name}')\``,
      );
    }
    v = toBackend(v, x.backend);
  }
  x.backend.copy(x._storage, x.layout, v._storage, v.layout);
}

function inplace<A extends unknown[]>(op: string, spec: Readonly<Record<string, ArgSpec>>, compute: (x: Tensor, ...args: A) => Tensor) {
  return <T extends Tensor>(x: T, ...args: A): T => {
    // Before anything is written: fill_('a') would otherwise fill with NaN.
    checkArgs(op, [x, ...args], { x: 'tensor', ...spec });
    checkWritable(op, x);
    // Validate tensor operands against x up front so errors name the in-place op.
    for (const a of args) if (a instanceof Tensor) broadcastShapes(op, x.shape, a.shape);
    noGrad(() => assign(op, x, compute(x, ...args)));
    return x;
  };
}

/** Sets every element to `value`. */
export const fill_ = inplace('fill_', { value: 'scalar' }, (x, value: number) => filled([], value, x.dtype, x.backend));
/** Copies `src` (broadcast, cast) into x. */
export const copy_ = inplace('copy_', { src: 'tensor' }, (_x, src: Tensor) => src);
/** x += alpha * other. */
export const add_ = inplace('add_', { other: 'tensorLike', alpha: 'number?' }, (x, other: TensorLike, alpha?: number) => E.add(x, other, alpha));
/** x -= alpha * other. */
export const sub_ = inplace('sub_', { other: 'tensorLike', alpha: 'number?' }, (x, other: TensorLike, alpha?: number) => E.sub(x, other, alpha));
/** x *= other. */
export const mul_ = inplace('mul_', { other: 'tensorLike' }, (x, other: TensorLike) => E.mul(x, other));
/** x /= other. */
export const div_ = inplace('div_', { other: 'tensorLike' }, (x, other: TensorLike) => E.div(x, other));
/** Clamps x in place. */
export const clamp_ = inplace('clamp_', { min: 'tensorLike?', max: 'tensorLike?' }, (x, min?: number | null, max?: number | null) => E.clamp(x, min, max));
