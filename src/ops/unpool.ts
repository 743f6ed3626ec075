import { positionalOptions, describeArg } from '../tensor/args.js';
import { TensorError, fmtShape } from '../core/errors.js';
import { Tensor } from '../tensor/tensor.js';
import { deferCheck, hostData } from '../tensor/deferred-checks.js';
import { filled, fromHost } from './core.js';
import { mul } from './elementwise.js';
import { scatterAdd } from './indexing.js';
import { narrow, reshape } from './movement.js';
import { sizeArg, to5d, type Pool5d, type SizeArg } from './pool-args.js';

/*
 * Max unpooling (PyTorch's MaxUnpool1d/2d/3d): the partial inverse of max
 * pooling with `returnIndices: true`. Each value is written at its index (the
 * flat position within its output plane, as maxPool returns them) into a
 * zero tensor: a scatter-add, so the gradient is a gather of the output's
 * gradient at the indices. Should two inputs name the same position (possible
 * with overlapping pooling windows, and then they hold the same max), the last
 * one is written, as PyTorch's CPU kernel does, and only it gets the gradient.
 */

/** Options of `maxUnpool1d/2d/3d` (PyTorch's keyword arguments). */
export interface MaxUnpoolOptions {
  /** Pooling stride (default: the kernel size). */
  stride?: SizeArg | null;
  /** Pooling padding (default 0). */
  padding?: SizeArg;
  /** Output spatial size (n values, or the full shape), to undo a pooling that dropped a remainder. */
  outputSize?: readonly number[] | null;
}

const NAMES = ['stride', 'padding', 'outputSize'] as const;

function maxUnpoolNd(op: string, n: number, input: Tensor, indices: Tensor, kernelSize: SizeArg, rest: readonly unknown[]): Tensor {
  if (!(input instanceof Tensor)) throw new TensorError(`${op}: input must be a Tensor (got ${describeArg(input)})`);
  if (!(indices instanceof Tensor)) {
    throw new TensorError(`${op}: indices must be a Tensor (got ${describeArg(indices)}); take them from maxPool${n}d(x, k, { returnIndices: true })`);
  }
  const o = positionalOptions(op, rest, NAMES, NAMES);
  const p5 = to5d(op, n, input);
  if (indices.dtype !== 'int32') throw new TensorError(`${op}: indices must be an int32 tensor (got ${indices.dtype})`);
  if (indices.shape.join() !== input.shape.join()) {
    throw new TensorError(`${op}: indices must have the input's shape (input ${fmtShape(input.shape)}, indices ${fmtShape(indices.shape)})`);
  }
  if (kernelSize === undefined) throw new TensorError(`${op}: kernelSize is required`);
  const k = sizeArg(op, 'kernelSize', kernelSize, n, 1, input);
  const s = o.stride == null ? k : sizeArg(op, 'stride', o.stride as SizeArg, n, 1, input);
  const pad = sizeArg(op, 'padding', (o.padding ?? 0) as SizeArg, n, 0, input);
  const defaults = p5.spatial.map((len, i) => (len - 1) * s[i]! - 2 * pad[i]! + k[i]!);
  let outSize = defaults;
  if (o.outputSize != null) {
    const req = o.outputSize as unknown;
    if (!Array.isArray(req) || !req.every((v) => Number.isInteger(v))) {
      throw new TensorError(`${op}: outputSize must be an array of integers (got ${describeArg(req)})`);
    }
    const list = req.length === n + 2 || req.length === n + 1 ? req.slice(req.length - n) : req;
    if (list.length !== n) throw new TensorError(`${op}: outputSize must have ${n} entries (or the full shape), got ${describeArg(req)}`);
    list.forEach((v: number, i: number) => {
      // PyTorch's rule: the size must round back to the pooled size.
      if (!(defaults[i]! - s[i]! < v && v < defaults[i]! + s[i]!)) {
        throw new TensorError(`${op}: outputSize ${fmtShape(list)} is invalid: dim ${i} must be between ${defaults[i]! - s[i]! + 1} and ${defaults[i]! + s[i]! - 1} (input ${fmtShape(input.shape)}, kernel ${fmtShape(k)}, stride ${fmtShape(s)})`);
      }
    });
    outSize = list;
  }
  if (outSize.some((d) => d < 1)) throw new TensorError(`${op}: output size ${fmtShape(outSize)} is empty (input ${fmtShape(input.shape)})`);
  const planes = p5.batch * p5.channels;
  const inPlane = p5.spatial.reduce((a, b) => a * b, 1);
  const outPlane = outSize.reduce((a, b) => a * b, 1);
  const width = Math.max(outPlane, inPlane);
  const idx = hostData(indices);
  if (!idx) return unpoolOnDevice(op, input, indices, p5, planes, inPlane, outPlane, width, outSize);
  // Validate the indices and find duplicates within a plane (the last write wins).
  let keep: Float64Array | null = null;
  const seen = new Map<number, number>();
  for (let p = 0; p < planes; p++) {
    seen.clear();
    for (let j = 0; j < inPlane; j++) {
      const at = p * inPlane + j, v = idx[at]!;
      if (v < 0 || v >= outPlane) {
        throw new TensorError(`${op}: index ${v} is out of bounds for an output plane of ${outPlane} elements (output size ${fmtShape(outSize)}, input ${fmtShape(input.shape)})`);
      }
      const prev = seen.get(v);
      if (prev !== undefined) (keep ??= new Float64Array(planes * inPlane).fill(1))[prev] = 0;
      seen.set(v, at);
    }
  }
  let x = reshape(p5.x5, [planes, inPlane]);
  if (keep) x = mul(x, fromHost(keep, [planes, inPlane], x.dtype, x.backend));
  // scatterAdd needs the target at least as wide as the index rows: widen, then cut back.
  const out = scatterAdd(filled([planes, width], 0, x.dtype, x.backend), 1, reshape(indices, [planes, inPlane]), x);
  const cut = width === outPlane ? out : narrow(out, 1, 0, outPlane);
  return reshape(cut, [...p5.lead, ...outSize]);
}

/**
 * maxUnpool for indices computed on a GPU backend, without reading them: the
 * range check is deferred to the next asynchronous read (deferred-checks.ts),
 * and the values scattered to one slot are averaged. Duplicate indices come
 * from overlapping pooling windows that picked the same input element, so
 * they carry the same value and the average is that value, as the last write
 * is on the CPU path; each duplicate gets 1/count of the slot's gradient.
 */
function unpoolOnDevice(
  op: string, input: Tensor, indices: Tensor, p5: Pool5d, planes: number, inPlane: number, outPlane: number,
  width: number, outSize: readonly number[],
): Tensor {
  deferCheck(
    indices.lt(0).logicalOr(indices.ge(outPlane)).any(),
    `${op}: some index is out of bounds for an output plane of ${outPlane} elements (output size ${fmtShape(outSize)}, input ${fmtShape(input.shape)}; checked on the device, reported at this read)`,
  );
  // Clamped so that bad indices cannot write outside the planes before the check reports them.
  const idx = reshape(indices, [planes, inPlane]).clamp(0, outPlane - 1);
  const x = reshape(p5.x5, [planes, inPlane]);
  const sum = scatterAdd(filled([planes, width], 0, x.dtype, x.backend), 1, idx, x);
  const count = scatterAdd(filled([planes, width], 0, x.dtype, x.backend), 1, idx, filled([planes, inPlane], 1, x.dtype, x.backend));
  const out = sum.div(count.clamp(1));
  const cut = width === outPlane ? out : narrow(out, 1, 0, outPlane);
  return reshape(cut, [...p5.lead, ...outSize]);
}

/**
 * 1-D max unpooling: `[N, C, L]` (or `[C, L]`) and the indices from
 * `maxPool1d(..., { returnIndices: true })` -> `[N, C, Lout]`, zeros except
 * the values at their indices. `Lout = (L - 1) * stride - 2 * padding + kernel`
 * unless `outputSize` says otherwise. Also PyTorch's positional form.
 * @example F.maxUnpool1d(values, indices, 2)
 */
export function maxUnpool1d(input: Tensor, indices: Tensor, kernelSize: SizeArg, ...rest: [options?: MaxUnpoolOptions] | unknown[]): Tensor {
  return maxUnpoolNd('maxUnpool1d', 1, input, indices, kernelSize, rest);
}

/**
 * 2-D max unpooling: `[N, C, H, W]` (or `[C, H, W]`) and the indices from
 * `maxPool2d(..., { returnIndices: true })` -> `[N, C, Hout, Wout]`.
 * @example
 * const { values, indices } = F.maxPool2d(x, 2, { returnIndices: true });
 * const restored = F.maxUnpool2d(values, indices, 2, { outputSize: x.shape.slice(2) });
 */
export function maxUnpool2d(input: Tensor, indices: Tensor, kernelSize: SizeArg, ...rest: [options?: MaxUnpoolOptions] | unknown[]): Tensor {
  return maxUnpoolNd('maxUnpool2d', 2, input, indices, kernelSize, rest);
}

/**
 * 3-D max unpooling: `[N, C, D, H, W]` (or unbatched) and the indices from
 * `maxPool3d(..., { returnIndices: true })`.
 * @example F.maxUnpool3d(values, indices, 2)
 */
export function maxUnpool3d(input: Tensor, indices: Tensor, kernelSize: SizeArg, ...rest: [options?: MaxUnpoolOptions] | unknown[]): Tensor {
  return maxUnpoolNd('maxUnpool3d', 3, input, indices, kernelSize, rest);
}
