import type { Backend } from '../backend/backend.js';
import { getBackend, setBackend } from '../backend/current.js';
import { record } from '../autograd/engine.js';
import { isFloating } from '../tensor/dtype.js';
import { Tensor } from '../tensor/tensor.js';

/** Looks up a backend by object or built-in name. */
function resolve(backend: Backend | string): Backend {
  if (typeof backend !== 'string') return backend;
  const prev = getBackend();
  setBackend(backend);
  const b = getBackend();
  setBackend(prev);
  return b;
}

/**
 * A copy of `x` on another backend (the tensor itself if it is already there).
 * Differentiable: the gradient is copied back.
 * @example const y = tg.toBackend(x, 'reference');
 */
export function toBackend(x: Tensor, backend: Backend | string): Tensor {
  const target = resolve(backend);
  if (x.backend === target) return x;
  const out = Tensor._fromStorage(target.fromArray(x.dtype, x.data()), x.shape, x.dtype);
  return isFloating(x.dtype) ? record('toBackend', [x], out, [], { backend: x.backend }) : out;
}
