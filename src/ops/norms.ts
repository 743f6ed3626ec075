import { TensorError } from '../core/errors.js';
import { normalizeDims } from '../core/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { requireFloat } from './core.js';
import { abs, cast, eq, ne, pow, sqrt, where } from './elementwise.js';
import { checkOptionKeys, describeArg as describe } from '../tensor/args.js';
import { amax, amin, sum } from './reduce.js';

/*
 * Vector p-norms over dims (torch.norm / torch.linalg.vector_norm). Composites
 * of abs, pow, sum and amax; where a root or a fractional power would meet 0
 * (infinite slope), the op is evaluated at 1 instead and the result replaced
 * by 0 with `where`, so the gradient there is 0 as in PyTorch, not NaN.
 */

/** The order of a norm: a number (Infinity, -Infinity, 0, 1, 2, ...) or 'fro' (= 2). */
export type NormOrd = number | 'fro';

/** Options form of `norm(x, {p, dim, keepdim})`. */
export interface NormOptions {
  /** The order of the norm (default 'fro', the Euclidean norm). */
  p?: NormOrd;
  /** Dim or dims to reduce (default null: all dims). */
  dim?: number | readonly number[] | null;
  /** Keep the reduced dims with size 1. Default false. */
  keepdim?: boolean;
}

/** f(s) where s != 0, 0 where s == 0, with a zero gradient at s == 0. */
function safeAtZero(s: Tensor, f: (t: Tensor) => Tensor): Tensor {
  const zero = eq(s, 0);
  return where(zero, 0, f(where(zero, 1, s)));
}

/**
 * The p-norm over `dim` (all dims by default): (Σ|x|^p)^(1/p); p = 2 (the
 * default) and 'fro' are the Euclidean norm, Infinity the max |x|, -Infinity
 * the min |x|, 0 the count of nonzeros. Floating inputs only. The gradient at
 * a zero norm (and, for p < 1, at zero elements) is 0, as in PyTorch. Also
 * `norm(x, {p, dim, keepdim})`.
 * @example
 * tg.tensor([3, 4]).norm()            // 5
 * x.norm(1, 1, true)                  // L1 norm of each row, [N, 1]
 */
export function norm(x: Tensor, p: NormOrd | NormOptions = 'fro', dim?: number | readonly number[] | null, keepdim = false): Tensor {
  if (typeof p === 'object' && p !== null) {
    checkOptionKeys('norm', p, ['p', 'dim', 'keepdim']);
    return norm(x, p.p ?? 'fro', p.dim, p.keepdim ?? false);
  }
  if (!(x instanceof Tensor)) throw new TensorError(`norm: input must be a Tensor (got ${describe(x)})`);
  requireFloat('norm', x);
  if (p !== 'fro' && (typeof p !== 'number' || Number.isNaN(p))) {
    throw new TensorError(`norm: p must be a number or 'fro' (got ${describe(p)}); the nuclear norm is not supported`);
  }
  const okDim = dim === undefined || dim === null || typeof dim === 'number' || (Array.isArray(dim) && dim.every((d) => typeof d === 'number'));
  if (!okDim) throw new TensorError(`norm: dim must be a number or an array of numbers (got ${describe(dim)}); call norm(x, p, dim, keepdim)`);
  if (typeof keepdim !== 'boolean') throw new TensorError(`norm: keepdim must be a boolean (got ${describe(keepdim)})`);
  const d = dim ?? undefined;
  normalizeDims('norm', d, x.ndim);
  const ord = p === 'fro' ? 2 : p;
  const a = abs(x);
  if (ord === Infinity) return amax(a, d, keepdim);
  if (ord === -Infinity) return amin(a, d, keepdim);
  if (ord === 0) return sum(cast(ne(x, 0), x.dtype), d, keepdim);
  if (ord === 1) return sum(a, d, keepdim);
  if (ord === 2) return safeAtZero(sum(x.mul(x), d, keepdim), sqrt);
  // |x|^p: for 0 < p < 1 the slope is infinite at 0; PyTorch sets those gradients to 0.
  const powered = ord > 0 && ord < 1 ? safeAtZero(a, (t) => pow(t, ord)) : pow(a, ord);
  const s = sum(powered, d, keepdim);
  return ord > 0 ? safeAtZero(s, (t) => pow(t, 1 / ord)) : pow(s, 1 / ord);
}
