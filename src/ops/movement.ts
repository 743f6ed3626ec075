import { record } from '../tensor/graph.js';
import { allocForOverwrite } from '../backend/backend.js';
import { promoteTypes } from '../core/dtype.js';
import { TensorError, fmtShape } from '../core/errors.js';
import { contiguousStrides, normalizeDim, normalizeDims, numel, checkShape } from '../core/shape.js';
import type { Shape } from '../core/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { cast } from './elementwise.js';
import { filled, sameBackend } from './core.js';
import { checkArgs, listDimCall, renamed } from '../tensor/args.js';

/** A view of x's storage with a new layout (no copy, no graph). */
function viewOf(x: Tensor, shape: readonly number[], strides: readonly number[], offset: number): Tensor {
  return new Tensor(x._storage, shape, strides, offset, x.dtype);
}

/** Resolves one -1 in a requested shape against `n` elements. */
function inferShape(op: string, x: Tensor, shape: readonly number[]): number[] {
  const n = x.numel();
  const holes = shape.filter((d) => d === -1).length;
  if (holes > 1) throw new TensorError(`${op}: only one dimension can be -1 (got ${fmtShape(shape)})`);
  for (const d of shape) {
    if (!Number.isInteger(d) || d < -1) throw new TensorError(`${op}: invalid size ${d} in shape ${fmtShape(shape)}`);
  }
  const known = shape.reduce((a, d) => (d === -1 ? a : a * d), 1);
  const out = shape.map((d) => (d === -1 ? (known === 0 ? 0 : n / known) : d));
  if (numel(out) !== n || out.some((d) => !Number.isInteger(d))) {
    throw new TensorError(`${op}: shape ${fmtShape(shape)} is invalid for input of size ${n} (input shape ${fmtShape(x.shape)})`);
  }
  return out;
}

/**
 * Strides that let `newShape` view the same elements, or null when the layout
 * does not allow it (PyTorch's computeStride: merge/split only within runs of
 * dims that are contiguous with each other).
 */
function viewStrides(oldShape: Shape, oldStrides: readonly number[], newShape: Shape): number[] | null {
  if (numel(oldShape) === 0) return contiguousStrides(newShape);
  const shape = oldShape.length ? oldShape : [1];
  const strides = oldShape.length ? oldStrides : [1];
  const out = new Array<number>(newShape.length);
  let viewD = newShape.length - 1;
  let chunkBase = strides[strides.length - 1]!;
  let tensorNumel = 1, viewNumel = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    tensorNumel *= shape[d]!;
    if (d === 0 || (shape[d - 1] !== 1 && strides[d - 1] !== tensorNumel * chunkBase)) {
      while (viewD >= 0 && (viewNumel < tensorNumel || newShape[viewD] === 1)) {
        out[viewD] = viewNumel * chunkBase;
        viewNumel *= newShape[viewD]!;
        viewD--;
      }
      if (viewNumel !== tensorNumel) return null;
      if (d > 0) {
        chunkBase = strides[d - 1]!;
        tensorNumel = 1;
        viewNumel = 1;
      }
    }
  }
  return viewD === -1 ? out : null;
}

/**
 * A view of `x` with a new shape of the same numel (one dim may be -1); shares storage, never copies.
 * Throws a TensorError if the strides do not allow a view (use reshape or contiguous first). Like torch.Tensor.view.
 * @example tg.view(tg.arange(6), [2, 3]) // [2, 3]
 */
export function view(x: Tensor, shape: readonly number[]): Tensor {
  checkArgs('view', arguments, { x: 'tensor', shape: 'shape' });
  const target = inferShape('view', x, shape);
  const strides = viewStrides(x.shape, x.strides, target);
  if (!strides) {
    throw new TensorError(`view: shape ${fmtShape(target)} is not compatible with input size ${fmtShape(x.shape)} and strides ${fmtShape(x.strides)}; use reshape (which copies) or contiguous() first`);
  }
  return record('reshape', [x], viewOf(x, target, strides, x.offset));
}

/**
 * New shape with the same elements (one dim may be -1): a view when possible, else a copy.
 * @example tg.arange(6).reshape(2, 3)
 */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  checkArgs('reshape', arguments, { x: 'tensor', shape: 'shape' });
  const target = inferShape('reshape', x, shape);
  const strides = viewStrides(x.shape, x.strides, target);
  if (strides) return record('reshape', [x], viewOf(x, target, strides, x.offset));
  return view(clone(x), target);
}

/**
 * Flattens dims `startDim..endDim` (inclusive, defaults 0 and -1) into one: `[N, C, H, W]` with startDim 1
 * -> `[N, C·H·W]`; a 0-d tensor becomes `[1]`. A view when possible. Like torch.flatten.
 * @example tg.flatten(tg.zeros([8, 3, 4, 4]), 1) // [8, 48]
 */
export function flatten(x: Tensor, startDim = 0, endDim = -1): Tensor {
  checkArgs('flatten', arguments, { x: 'tensor', startDim: 'dim?', endDim: 'dim?' });
  if (x.ndim === 0) return reshape(x, [1]);
  const s = normalizeDim('flatten', startDim, x.ndim, 'startDim');
  const e = normalizeDim('flatten', endDim, x.ndim, 'endDim');
  if (s > e) throw new TensorError(`flatten: startDim ${startDim} comes after endDim ${endDim} (shape ${fmtShape(x.shape)})`);
  const shape = [...x.shape.slice(0, s), numel(x.shape.slice(s, e + 1)), ...x.shape.slice(e + 1)];
  return reshape(x, shape);
}

/**
 * Splits dim `dim` into several dims of `sizes` (one may be -1; their product must equal the dim):
 * `[N, 12]` with dim 1, sizes [3, 4] -> `[N, 3, 4]`. Like torch.unflatten.
 * @example tg.unflatten(tg.zeros([2, 12]), 1, [3, 4]) // [2, 3, 4]
 */
export function unflatten(x: Tensor, dim: number, sizes: readonly number[]): Tensor {
  checkArgs('unflatten', arguments, { x: 'tensor', dim: 'dim', sizes: 'shape' });
  const d = normalizeDim('unflatten', dim, x.ndim);
  return renamed('reshape', 'unflatten', () => reshape(x, [...x.shape.slice(0, d), ...sizes, ...x.shape.slice(d + 1)].map((v, i) => (v === -1 && i >= d && i < d + sizes.length ? -1 : v))));
}

/**
 * Removes size-1 dims (all, or the given ones; a given dim that is not 1 is kept, as in PyTorch):
 * `[1, 3, 1]` -> `[3]`. Like torch.squeeze.
 * @example tg.squeeze(tg.zeros([1, 3, 1])) // [3]
 */
export function squeeze(x: Tensor, dim?: number | readonly number[]): Tensor {
  checkArgs('squeeze', arguments, { x: 'tensor', dim: 'dims?' });
  const dims = new Set(normalizeDims('squeeze', dim, x.ndim));
  return reshape(x, x.shape.filter((d, i) => !(dims.has(i) && d === 1)));
}

/**
 * Inserts a size-1 dim at `dim` (in `-(ndim+1) .. ndim`; -1 appends): `[3]` with dim 0 -> `[1, 3]`. A view. Like torch.unsqueeze.
 * @example tg.unsqueeze(tg.zeros([3]), 0) // [1, 3]
 */
export function unsqueeze(x: Tensor, dim: number): Tensor {
  checkArgs('unsqueeze', arguments, { x: 'tensor', dim: 'dim' });
  const d = normalizeDim('unsqueeze', dim, x.ndim + 1);
  const shape = [...x.shape];
  shape.splice(d, 0, 1);
  return reshape(x, shape);
}

/**
 * Reorders dims (a view): output dim i is input dim `dims[i]`; `dims` must be a permutation of all dims.
 * `[N, H, W, C]` with [0, 3, 1, 2] -> `[N, C, H, W]`. Like torch.permute.
 * @example tg.permute(tg.zeros([2, 4, 4, 3]), [0, 3, 1, 2]) // [2, 3, 4, 4]
 */
export function permute(x: Tensor, dims: readonly number[]): Tensor {
  checkArgs('permute', arguments, { x: 'tensor', dims: 'shape' });
  if (dims.length !== x.ndim) {
    throw new TensorError(`permute: got ${dims.length} dims ${fmtShape(dims)} for a tensor of rank ${x.ndim} (shape ${fmtShape(x.shape)})`);
  }
  const ds = dims.map((d) => normalizeDim('permute', d, x.ndim));
  if (new Set(ds).size !== ds.length) throw new TensorError(`permute: dims ${fmtShape(dims)} repeat an axis`);
  const out = viewOf(x, ds.map((d) => x.shape[d]!), ds.map((d) => x.strides[d]!), x.offset);
  return record('permute', [x], out, [], { dims: ds });
}

/**
 * Swaps dims `dim0` and `dim1` (a view): `[2, 3, 4]` with 0, 2 -> `[4, 3, 2]`. Like torch.transpose.
 * @example tg.transpose(tg.zeros([2, 3]), 0, 1) // [3, 2]
 */
export function transpose(x: Tensor, dim0: number, dim1: number): Tensor {
  checkArgs('transpose', arguments, { x: 'tensor', dim0: 'dim', dim1: 'dim' });
  const a = normalizeDim('transpose', dim0, x.ndim, 'dim0');
  const b = normalizeDim('transpose', dim1, x.ndim, 'dim1');
  const dims = x.shape.map((_, i) => i);
  [dims[a], dims[b]] = [dims[b]!, dims[a]!];
  return permute(x, dims);
}

/** 2-D transpose; tensors of rank < 2 are returned as they are. */
export function t(x: Tensor): Tensor {
  checkArgs('t', arguments, { x: 'tensor' });
  if (x.ndim > 2) throw new TensorError(`t: expects a tensor of rank <= 2 (got shape ${fmtShape(x.shape)}); use transpose or permute`);
  return x.ndim < 2 ? x : transpose(x, 0, 1);
}

/**
 * Broadcasts to `shape` without copying (a view with stride 0 on the expanded dims): size-1 dims grow,
 * new leading dims may be added, -1 keeps a dim. `[3, 1]` -> `[3, 4]`. Like torch.Tensor.expand.
 * @example tg.expand(tg.zeros([3, 1]), [3, 4]) // [3, 4]
 */
export function expand(x: Tensor, shape: readonly number[]): Tensor {
  checkArgs('expand', arguments, { x: 'tensor', shape: 'shape' });
  if (shape.length < x.ndim) {
    throw new TensorError(`expand: target shape ${fmtShape(shape)} has fewer dims than the input ${fmtShape(x.shape)}`);
  }
  const lead = shape.length - x.ndim;
  const outShape: number[] = [];
  const strides: number[] = [];
  shape.forEach((d, i) => {
    const own = i >= lead ? x.shape[i - lead]! : 1;
    const target = d === -1 ? own : d;
    if (d === -1 && i < lead) throw new TensorError(`expand: -1 is not allowed for the new leading dim ${i} (target ${fmtShape(shape)})`);
    if (own !== target && own !== 1) {
      throw new TensorError(`expand: the input size ${own} at dim ${i - lead} must match the target size ${target} or be 1 (input ${fmtShape(x.shape)}, target ${fmtShape(shape)})`);
    }
    outShape.push(target);
    strides.push(i < lead || own !== target ? 0 : x.strides[i - lead]!);
  });
  if (outShape.every((d, i) => d === x.shape[i]) && outShape.length === x.ndim) return x;
  return record('expand', [x], viewOf(x, outShape, strides, x.offset));
}

/** A strided view: per dim, `sizes[d]` elements from `starts[d]` every `steps[d]`. @internal */
export function sliceView(x: Tensor, starts: readonly number[], steps: readonly number[], sizes: readonly number[]): Tensor {
  let offset = x.offset;
  starts.forEach((s, d) => (offset += s * x.strides[d]!));
  const out = viewOf(x, sizes, x.strides.map((st, d) => st * steps[d]!), offset);
  return record('slice', [x], out, [], { starts, steps });
}

/**
 * Python-style `x[..., start:end:step, ...]` on one dim (a view; negative indices count from the end,
 * out-of-range bounds are clamped, null means the end). `step` is a positive integer, default 1.
 * @example tg.slice(tg.arange(10), 0, 1, 8, 3) // [1, 4, 7]
 */
export function slice(x: Tensor, dim: number, start?: number | null, end?: number | null, step = 1): Tensor {
  checkArgs('slice', arguments, { x: 'tensor', dim: 'dim', start: 'int?', end: 'int?', step: 'int?' });
  const d = normalizeDim('slice', dim, x.ndim);
  if (!Number.isInteger(step) || step <= 0) throw new TensorError(`slice: step must be a positive integer (got ${step}); use flip for reversal`);
  const n = x.shape[d]!;
  const clampIdx = (v: number) => Math.min(Math.max(v < 0 ? v + n : v, 0), n);
  const s = start == null ? 0 : clampIdx(start);
  const e = end == null ? n : clampIdx(end);
  const size = e > s ? Math.ceil((e - s) / step) : 0;
  const starts = x.shape.map((_, i) => (i === d ? s : 0));
  const steps = x.shape.map((_, i) => (i === d ? step : 1));
  return sliceView(x, starts, steps, x.shape.map((sz, i) => (i === d ? size : sz)));
}

/**
 * `length` elements from `start` along `dim` (a view; negative `start` counts from the end). Throws a
 * TensorError if the range does not fit. Like torch.narrow.
 * @example tg.narrow(tg.zeros([4, 10]), 1, 2, 5) // [4, 5]
 */
export function narrow(x: Tensor, dim: number, start: number, length: number): Tensor {
  checkArgs('narrow', arguments, { x: 'tensor', dim: 'dim', start: 'int', length: 'int' });
  const d = normalizeDim('narrow', dim, x.ndim);
  const n = x.shape[d]!;
  const s = start < 0 ? start + n : start;
  if (!Number.isInteger(s) || !Number.isInteger(length) || s < 0 || length < 0 || s + length > n) {
    throw new TensorError(`narrow: start ${start} and length ${length} are out of range for dim ${dim} of size ${n} (shape ${fmtShape(x.shape)})`);
  }
  return slice(x, d, s, s + length);
}

/**
 * Picks index `index` along `dim` and removes that dim (a view): `[4, 5]` with dim 0 -> `[5]`.
 * Negative indices count from the end. Like torch.select.
 * @example tg.select(tg.zeros([4, 5]), 0, -1) // [5]
 */
export function select(x: Tensor, dim: number, index: number): Tensor {
  checkArgs('select', arguments, { x: 'tensor', dim: 'dim', index: 'int' });
  const d = normalizeDim('select', dim, x.ndim);
  const n = x.shape[d]!;
  if (!Number.isInteger(index) || index < -n || index >= n) {
    throw new TensorError(`select: index ${index} is out of range for dim ${dim} of size ${n} (shape ${fmtShape(x.shape)})`);
  }
  const i = index < 0 ? index + n : index;
  return squeeze(slice(x, d, i, i + 1), d);
}

/**
 * Reverses the order along `dims` (a view with negative strides; same shape). Like torch.flip.
 * @example tg.flip(tg.arange(4), 0) // [3, 2, 1, 0]
 */
export function flip(x: Tensor, dims: number | readonly number[]): Tensor {
  checkArgs('flip', arguments, { x: 'tensor', dims: 'dims' });
  const ds = normalizeDims('flip', dims, x.ndim);
  let offset = x.offset;
  const strides = [...x.strides];
  for (const d of ds) {
    if (x.shape[d]! > 0) offset += (x.shape[d]! - 1) * x.strides[d]!;
    strides[d] = -strides[d]!;
  }
  return record('flip', [x], viewOf(x, x.shape, strides, offset), [], { dims: ds });
}

/**
 * A copy in fresh contiguous storage (same shape and dtype; differentiable, unlike detach). Like torch.clone.
 * @example const y = tg.clone(tg.ones([2, 2]))
 */
export function clone(x: Tensor): Tensor {
  checkArgs('clone', arguments, { x: 'tensor' });
  const s = allocForOverwrite(x.backend, x.dtype, x.numel());
  const out = Tensor._fromStorage(s, x.shape, x.dtype);
  x.backend.copy(s, out.layout, x._storage, x.layout);
  return record('copy', [x], out);
}

/**
 * x laid out exactly as a whole fresh buffer: contiguous, offset 0, storage of
 * numel elements. Kernels that take a bare Storage (conv, pool) need this; a
 * contiguous slice of a bigger buffer is copied. @internal
 */
export function dense(x: Tensor): Tensor {
  return x.isContiguous() && x.offset === 0 && x._storage.length === x.numel() ? x : clone(x);
}

/**
 * Returns `x` if it is already contiguous (row-major), else a contiguous copy. Like torch.Tensor.contiguous.
 * @example tg.contiguous(tg.zeros([2, 3]).t()).isContiguous() // true
 */
export function contiguous(x: Tensor): Tensor {
  checkArgs('contiguous', arguments, { x: 'tensor' });
  return x.isContiguous() ? x : clone(x);
}

/**
 * Places x inside a tensor of `outShape` filled with `value`, at per-dim
 * `starts` with `steps` (the adjoint of sliceView; also constant padding). @internal
 */
export function embed(x: Tensor, outShape: Shape, starts: readonly number[], steps: readonly number[], value = 0): Tensor {
  const out = filled(outShape, value, x.dtype, x.backend);
  const target = sliceView(out.detach(), starts, steps, x.shape);
  x.backend.copy(out._storage, target.layout, x._storage, x.layout);
  return record('embed', [x], out, [], { starts, steps, value });
}

/**
 * Splits along `dim` (default 0) into pieces of `splitSize` (the last may be smaller) or of the given sizes
 * (which must sum to the dim). Returns views. Like torch.split.
 * @example tg.split(tg.arange(5), 2) // [0, 1], [2, 3], [4]
 */
export function split(x: Tensor, splitSize: number | readonly number[], dim = 0): Tensor[] {
  checkArgs('split', arguments, { x: 'tensor', splitSize: 'size', dim: 'dim?' });
  const d = normalizeDim('split', dim, x.ndim);
  const n = x.shape[d]!;
  let sizes: number[];
  if (typeof splitSize === 'number') {
    if (!Number.isInteger(splitSize) || splitSize <= 0) throw new TensorError(`split: splitSize must be a positive integer (got ${splitSize})`);
    sizes = [];
    for (let s = 0; s < n; s += splitSize) sizes.push(Math.min(splitSize, n - s));
    if (n === 0) sizes.push(0);
  } else {
    sizes = [...splitSize];
    const total = sizes.reduce((a, b) => a + b, 0);
    if (total !== n || sizes.some((s) => !Number.isInteger(s) || s < 0)) {
      throw new TensorError(`split: sizes ${fmtShape(sizes)} must be non-negative and sum to ${n}, the size of dim ${dim} (shape ${fmtShape(x.shape)})`);
    }
  }
  let start = 0;
  return sizes.map((s) => {
    const piece = narrow(x, d, start, s);
    start += s;
    return piece;
  });
}

/**
 * Splits into `chunks` nearly equal pieces along `dim` (default 0; as torch.chunk: ceil-sized, so possibly fewer). Returns views.
 * @example tg.chunk(tg.arange(6), 3) // [0, 1], [2, 3], [4, 5]
 */
export function chunk(x: Tensor, chunks: number, dim = 0): Tensor[] {
  checkArgs('chunk', arguments, { x: 'tensor', chunks: 'int', dim: 'dim?' });
  if (!Number.isInteger(chunks) || chunks <= 0) throw new TensorError(`chunk: chunks must be a positive integer (got ${chunks})`);
  const d = normalizeDim('chunk', dim, x.ndim);
  return split(x, Math.max(1, Math.ceil(x.shape[d]! / chunks)), d);
}

/**
 * Tiles the tensor `reps[i]` times along each dim (extra leading reps add dims): `[2, 3]` with [2, 2]
 * -> `[4, 6]`. Copies. Like torch.Tensor.repeat.
 * @example tg.repeat(tg.tensor([1, 2]), [2, 2]) // [[1, 2, 1, 2], [1, 2, 1, 2]]
 */
export function repeat(x: Tensor, reps: readonly number[]): Tensor {
  checkArgs('repeat', arguments, { x: 'tensor', reps: 'shape' });
  if (reps.length < x.ndim) {
    throw new TensorError(`repeat: got ${reps.length} repeat counts for a tensor of rank ${x.ndim} (shape ${fmtShape(x.shape)})`);
  }
  checkShape('repeat', reps, 'reps');
  const shape = [...new Array(reps.length - x.ndim).fill(1), ...x.shape];
  const interleaved = shape.flatMap((d) => [1, d]);
  const expanded = shape.flatMap((d, i) => [reps[i]!, d]);
  return reshape(expand(reshape(x, interleaved), expanded), shape.map((d, i) => d * reps[i]!));
}

/**
 * Concatenates along `dim`; all other dims must match.
 * @example tg.cat([tg.zeros([2, 3]), tg.ones([2, 1])], 1) // [2, 4]
 */
export function cat(tensors: readonly Tensor[], dim = 0): Tensor {
  [tensors, dim] = listDimCall('cat', arguments);
  if (!tensors.length) throw new TensorError('cat: expected a non-empty list of tensors');
  const ref = tensors[0]!;
  const d = normalizeDim('cat', dim, ref.ndim);
  const dtype = tensors.map((t) => t.dtype).reduce(promoteTypes);
  tensors.forEach((t, i) => {
    const mismatch = t.ndim !== ref.ndim || t.shape.some((s, j) => j !== d && s !== ref.shape[j]);
    if (mismatch) {
      throw new TensorError(`cat: tensor ${i} has shape ${fmtShape(t.shape)} but tensor 0 has shape ${fmtShape(ref.shape)}; all dims except dim ${dim} must match`);
    }
  });
  const backend = sameBackend('cat', ...tensors);
  const inputs = tensors.map((t) => cast(t, dtype));
  const sizes = inputs.map((t) => t.shape[d]!);
  const outShape = ref.shape.map((s, j) => (j === d ? sizes.reduce((a, b) => a + b, 0) : s));
  const out = filled(outShape, 0, dtype, backend);
  let start = 0;
  for (const t of inputs) {
    const starts = outShape.map((_, j) => (j === d ? start : 0));
    const target = sliceView(out.detach(), starts, outShape.map(() => 1), t.shape);
    backend.copy(out._storage, target.layout, t._storage, t.layout);
    start += t.shape[d]!;
  }
  return record('cat', inputs, out, [], { dim: d, sizes });
}

/**
 * Stacks equal-shaped tensors along a new dim `dim` (default 0): k tensors `[A, B]` -> `[k, A, B]`.
 * Throws a TensorError if the shapes differ. Like torch.stack.
 * @example tg.stack([tg.zeros([2, 3]), tg.ones([2, 3])]) // [2, 2, 3]
 */
export function stack(tensors: readonly Tensor[], dim = 0): Tensor {
  [tensors, dim] = listDimCall('stack', arguments);
  if (!tensors.length) throw new TensorError('stack: expected a non-empty list of tensors');
  const ref = tensors[0]!;
  tensors.forEach((t, i) => {
    if (t.shape.join() !== ref.shape.join()) {
      throw new TensorError(`stack: tensor ${i} has shape ${fmtShape(t.shape)} but tensor 0 has shape ${fmtShape(ref.shape)}; stack needs equal shapes`);
    }
  });
  const d = normalizeDim('stack', dim, ref.ndim + 1);
  return cat(tensors.map((t) => unsqueeze(t, d)), d);
}
