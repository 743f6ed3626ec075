import { TensorError, fmtShape } from '../core/errors.js';
import { normalizeDim } from '../core/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { fromHost } from './core.js';
import { gather } from './indexing.js';
import { sortIndicesOnDevice } from './sort-device.js';
import { hostData } from '../tensor/deferred-checks.js';
import { checkBool, checkOptionKeys, describeArg as describe, isPlainObject } from '../tensor/args.js';
import { narrow, reshape } from './movement.js';
import type { ValuesIndices } from './reduce.js';

/*
 * sort / argsort / topk. The permutation is data-dependent and not
 * differentiable, so it is computed on the host (a stable JS sort of each
 * line along `dim`); the values are then `gather(x, dim, indices)`, which
 * routes gradients back to the chosen elements on any backend. NaN sorts as
 * larger than every number (last ascending, first descending), as in PyTorch.
 */

// `{values, indices}` as max/min with a dim return it (indices int32, PyTorch's int64).
export type { ValuesIndices } from './reduce.js';

/** Options of `sort` (PyTorch's keyword arguments). */
export interface SortOptions {
  /** Dim to sort along (default -1). */
  dim?: number;
  /** Largest first (default false). */
  descending?: boolean;
  /** Accepted for PyTorch compatibility: the sort is always stable. */
  stable?: boolean;
}

/** Options of `topk`. */
export interface TopkOptions {
  /** Dim to select along (default -1). */
  dim?: number;
  /** Largest k (default true) or smallest k. */
  largest?: boolean;
  /** Accepted for PyTorch compatibility: results are always sorted. */
  sorted?: boolean;
}

function checkDimArg(op: string, v: unknown): number {
  if (typeof v !== 'number') throw new TensorError(`${op}: dim must be a number (got ${describe(v)})`);
  return v;
}

/** Ascending order with NaN last; ties keep their original order (the caller's index tie-break). */
function compareAsc(a: number, b: number): number {
  const an = a !== a, bn = b !== b;
  if (an || bn) return an === bn ? 0 : an ? 1 : -1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * sort/argsort's (dim, descending), positional or `{dim, descending, stable}`. The
 * options object wins over `descending`: the Tensor methods pass its default.
 */
function sortArgs(op: string, dim: number | SortOptions, descending: boolean): [number, boolean] {
  if (isPlainObject(dim)) {
    checkOptionKeys(op, dim, ['dim', 'descending', 'stable']);
    return [checkDimArg(op, dim.dim ?? -1), checkBool(op, 'descending', dim.descending ?? false)];
  }
  return [checkDimArg(op, dim), checkBool(op, 'descending', descending)];
}

/** int32 indices `x.shape` ordering each line along dim d (stable). */
function sortIndices(op: string, x: Tensor, d: number, descending: boolean): Tensor {
  const vals = hostData(x);
  if (!vals) return sortIndicesOnDevice(op, x, d, descending); // a GPU result: ranks computed there
  const n = x.shape[d]!;
  const inner = x.shape.slice(d + 1).reduce((a, b) => a * b, 1);
  const outer = x.numel() / Math.max(1, n * inner);
  const out = new Int32Array(x.numel());
  const line = Array.from({ length: n }, (_, j) => j);
  const key = new Float64Array(n);
  // Ties keep their original order (the index tie-break).
  const order = descending
    ? (p: number, q: number) => compareAsc(key[q]!, key[p]!) || p - q
    : (p: number, q: number) => compareAsc(key[p]!, key[q]!) || p - q;
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * n * inner + i;
      for (let j = 0; j < n; j++) {
        key[j] = vals[base + j * inner]!;
        line[j] = j;
      }
      line.sort(order);
      for (let j = 0; j < n; j++) out[base + j * inner] = line[j]!;
    }
  }
  return fromHost(out, x.shape, 'int32', x.backend);
}

function sortImpl(op: string, x: Tensor, dim: number, descending: boolean): ValuesIndices {
  if (!(x instanceof Tensor)) throw new TensorError(`${op}: input must be a Tensor (got ${describe(x)})`);
  const d = normalizeDim(op, dim, x.ndim);
  if (x.ndim === 0) {
    const r = sortImpl(op, reshape(x, [1]), 0, descending);
    return { values: reshape(r.values, []), indices: reshape(r.indices, []) };
  }
  const indices = sortIndices(op, x, d, descending);
  return { values: gather(x, d, indices), indices };
}

/**
 * Sorts along `dim` (default -1), stably; returns `{values, indices}` with
 * indices (int32) into the input along `dim`. Gradients flow to the sorted
 * elements. Also `sort(x, {dim, descending})`.
 * @example const { values, indices } = tg.tensor([3, 1, 2]).sort(0, true) // [3,2,1], [0,2,1]
 */
export function sort(x: Tensor, dim: number | SortOptions = -1, descending = false): ValuesIndices {
  return sortImpl('sort', x, ...sortArgs('sort', dim, descending));
}

/**
 * The indices (int32) that sort `x` along `dim` (stable). Also `argsort(x, {dim, descending})`.
 * @example tg.tensor([3, 1, 2]).argsort() // [1, 2, 0]
 */
export function argsort(x: Tensor, dim: number | SortOptions = -1, descending = false): Tensor {
  [dim, descending] = sortArgs('argsort', dim, descending);
  if (!(x instanceof Tensor)) throw new TensorError(`argsort: input must be a Tensor (got ${describe(x)})`);
  const d = normalizeDim('argsort', dim, x.ndim);
  return x.ndim === 0 ? reshape(sortIndices('argsort', reshape(x, [1]), 0, descending), []) : sortIndices('argsort', x, d, descending);
}

/**
 * The `k` largest (or smallest, `largest: false`) elements along `dim`
 * (default -1), sorted; returns `{values, indices}` with the dim of size k.
 * Ties keep the lower index first. Also `topk(x, k, {dim, largest})`.
 * @example const { values, indices } = tg.randn([4, 10]).topk(5)   // top-5 classes per row: [4, 5] each
 */
export function topk(x: Tensor, k: number, dim: number | TopkOptions = -1, largest = true, sorted = true): ValuesIndices {
  let d: number;
  if (isPlainObject(dim)) {
    checkOptionKeys('topk', dim, ['dim', 'largest', 'sorted']);
    d = checkDimArg('topk', dim.dim ?? -1);
    largest = checkBool('topk', 'largest', dim.largest ?? true);
    checkBool('topk', 'sorted', dim.sorted ?? true);
  } else {
    d = checkDimArg('topk', dim);
    checkBool('topk', 'largest', largest);
    checkBool('topk', 'sorted', sorted);
  }
  if (!(x instanceof Tensor)) throw new TensorError(`topk: input must be a Tensor (got ${describe(x)})`);
  const nd = normalizeDim('topk', d, x.ndim);
  const n = x.ndim === 0 ? 1 : x.shape[nd]!;
  if (typeof k !== 'number' || !Number.isInteger(k) || k < 0 || k > n) {
    throw new TensorError(`topk: k (${describe(k)}) must be an integer in [0, ${n}] for dim ${d} of shape ${fmtShape(x.shape)}`);
  }
  const r = sortImpl('topk', x, nd, largest);
  if (x.ndim === 0) return r;
  return { values: narrow(r.values, nd, 0, k), indices: narrow(r.indices, nd, 0, k) };
}
