/**
 * Reference pooling kernels over contiguous `[batch, channels, D, H, W]` typed
 * arrays. 1-D and 2-D pooling arrive as 3-D with size-1 leading spatial dims, so
 * one 3-D implementation serves all. Semantics follow PyTorch's
 * max_pool3d / avg_pool3d / adaptive_{avg,max}_pool3d.
 *
 * Every kernel first turns its geometry into per-axis window tables
 * ({@link AxisWindows}): for each output position along a spatial dim, the first
 * in-range input tap, the tap step and the number of in-range taps. The inner
 * loops then only walk valid taps, with no bounds checks and no allocation.
 */
import type { AdaptivePoolParams, AvgPoolParams, PoolParams } from '../backend.js';
import type { DType, TypedArray } from '../../core/dtype.js';
import { typedArrayFor } from '../../core/dtype.js';

type Dims3 = readonly [number, number, number];

/**
 * The in-range taps of every output position along one spatial dim: the taps of
 * output `o` are input positions `first[o] + j*step` for `j < count[o]`.
 * `padded[o]` is PyTorch's avg-pool window extent before clipping to the input
 * (used as the divisor when padding counts); unused by max and adaptive pooling.
 */
interface AxisWindows {
  readonly first: Int32Array;
  readonly count: Int32Array;
  readonly padded: Int32Array;
  readonly step: number;
}

/** Window tables for the (D, H, W) dims. */
type Windows3 = readonly [AxisWindows, AxisWindows, AxisWindows];

/** Windows of a strided (optionally dilated) pooling along one dim; taps outside `[0, inSize)` are dropped. */
function stridedWindows(inSize: number, outSize: number, kernel: number, stride: number, padding: number, dilation: number): AxisWindows {
  const first = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const padded = new Int32Array(outSize);
  for (let o = 0; o < outSize; o++) {
    const start = o * stride - padding;
    // First and last k in [0, kernel) with 0 <= start + k*dilation < inSize.
    const k0 = start >= 0 ? 0 : Math.ceil(-start / dilation);
    const k1 = Math.min(kernel - 1, Math.floor((inSize - 1 - start) / dilation));
    first[o] = start + k0 * dilation;
    count[o] = Math.max(0, k1 - k0 + 1);
    // PyTorch's avg-pool divisor extent: the window may include padding but not run past it.
    padded[o] = Math.min(start + kernel, inSize + padding) - start;
  }
  return { first, count, padded, step: dilation };
}

/** Adaptive windows along one dim: output `o` covers `[floor(o*in/out), ceil((o+1)*in/out))`. */
function adaptiveWindows(inSize: number, outSize: number): AxisWindows {
  const first = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  for (let o = 0; o < outSize; o++) {
    const start = Math.floor((o * inSize) / outSize);
    const end = Math.ceil(((o + 1) * inSize) / outSize);
    first[o] = start;
    count[o] = end - start;
  }
  return { first, count, padded: count, step: 1 };
}

function poolWindows(p: PoolParams): Windows3 {
  const axis = (i: 0 | 1 | 2): AxisWindows =>
    stridedWindows(p.inSize[i], p.outSize[i], p.kernelSize[i], p.stride[i], p.padding[i], p.dilation[i]);
  return [axis(0), axis(1), axis(2)];
}

function adaptivePoolWindows(p: AdaptivePoolParams): Windows3 {
  const axis = (i: 0 | 1 | 2): AxisWindows => adaptiveWindows(p.inSize[i], p.outSize[i]);
  return [axis(0), axis(1), axis(2)];
}

function product(s: Dims3): number {
  return s[0] * s[1] * s[2];
}

function checkLength(name: string, a: TypedArray, expected: number): void {
  if (a.length !== expected) throw new Error(`reference ${name}: expected ${expected} elements, got ${a.length}`);
}

/**
 * Windowed max over all `planes` (batch*channels). Within a window taps are
 * visited in (d, h, w) order; a strictly greater value or any NaN takes over, as
 * in PyTorch, so ties keep the first occurrence and NaN propagates (with several
 * NaNs the last one's index is kept, again as PyTorch). The index starts at the
 * window's first tap, so an all -Infinity window points there. A window with no
 * in-range tap (possible with dilation: in=1, k=2, d=2, p=1 puts taps at -1 and 1)
 * gives -Infinity and index -1, which a backward pass must skip.
 */
function windowedMax(
  x: TypedArray, planes: number, inSize: Dims3, outSize: Dims3,
  [wd, wh, ww]: Windows3, dtype: DType,
): { out: TypedArray; indices: Int32Array } {
  const [, H, W] = inSize;
  const [OD, OH, OW] = outSize;
  const inPlane = product(inSize);
  const outPlane = product(outSize);
  const out = typedArrayFor(dtype, planes * outPlane);
  const indices = new Int32Array(planes * outPlane);
  const sd = wd.step, sh = wh.step, sw = ww.step;
  let o = 0;
  for (let plane = 0; plane < planes; plane++) {
    const base = plane * inPlane;
    for (let od = 0; od < OD; od++) {
      const d0 = wd.first[od]!, nd = wd.count[od]!;
      for (let oh = 0; oh < OH; oh++) {
        const h0 = wh.first[oh]!, nh = wh.count[oh]!;
        for (let ow = 0; ow < OW; ow++, o++) {
          const w0 = ww.first[ow]!, nw = ww.count[ow]!;
          let best = -Infinity;
          let arg = nd > 0 && nh > 0 && nw > 0 ? (d0 * H + h0) * W + w0 : -1;
          for (let i = 0, d = d0; i < nd; i++, d += sd) {
            for (let j = 0, h = h0; j < nh; j++, h += sh) {
              const row = (d * H + h) * W;
              for (let k = 0, w = w0; k < nw; k++, w += sw) {
                const v = x[base + row + w]!;
                if (v > best || v !== v) {
                  best = v;
                  arg = row + w;
                }
              }
            }
          }
          out[o] = best;
          indices[o] = arg;
        }
      }
    }
  }
  return { out, indices };
}

/**
 * How each output's sum is divided: by a fixed number, or by the product over the
 * three dims of a per-axis extent table.
 */
type Divisor = number | readonly [Int32Array, Int32Array, Int32Array];

/**
 * Windowed average over unit-step windows (forward), or its adjoint (backward:
 * `src` is the output gradient and each value is spread over its window). Empty
 * windows give 0 forward and spread nothing backward, as PyTorch.
 */
function windowedAvg(
  src: TypedArray, planes: number, inSize: Dims3, outSize: Dims3,
  [wd, wh, ww]: Windows3, divisor: Divisor, dtype: DType, backward: boolean,
): TypedArray {
  const [, H, W] = inSize;
  const [OD, OH, OW] = outSize;
  const inPlane = product(inSize);
  const outPlane = product(outSize);
  const dst = typedArrayFor(dtype, planes * (backward ? inPlane : outPlane));
  // Backward accumulates in float64 so float32 results round once per element.
  const acc = !backward ? null : dst instanceof Float64Array ? dst : new Float64Array(dst.length);
  const [fd, fh, fw] = typeof divisor === 'number' ? [null, null, null] : divisor;
  const fixed = typeof divisor === 'number' ? divisor : 0;
  let o = 0;
  for (let plane = 0; plane < planes; plane++) {
    const base = plane * inPlane;
    for (let od = 0; od < OD; od++) {
      const d0 = wd.first[od]!, d1 = d0 + wd.count[od]!;
      for (let oh = 0; oh < OH; oh++) {
        const h0 = wh.first[oh]!, h1 = h0 + wh.count[oh]!;
        for (let ow = 0; ow < OW; ow++, o++) {
          const w0 = ww.first[ow]!, w1 = w0 + ww.count[ow]!;
          if (d0 >= d1 || h0 >= h1 || w0 >= w1) continue;
          const div = fd && fh && fw ? fd[od]! * fh[oh]! * fw[ow]! : fixed;
          if (acc) {
            const g = src[o]! / div;
            for (let d = d0; d < d1; d++) {
              for (let h = h0; h < h1; h++) {
                const row = base + (d * H + h) * W;
                for (let w = w0; w < w1; w++) acc[row + w] += g;
              }
            }
          } else {
            let sum = 0;
            for (let d = d0; d < d1; d++) {
              for (let h = h0; h < h1; h++) {
                const row = base + (d * H + h) * W;
                for (let w = w0; w < w1; w++) sum += src[row + w]!;
              }
            }
            dst[o] = sum / div;
          }
        }
      }
    }
  }
  if (acc && acc !== dst) dst.set(acc);
  return dst;
}

/** PyTorch's avg-pool divisor: the override, else padded extents (countIncludePad) or clipped ones. */
function avgDivisor(p: AvgPoolParams, w: Windows3): Divisor {
  if (p.divisorOverride !== undefined) return p.divisorOverride;
  const pick = (a: AxisWindows): Int32Array => (p.countIncludePad ? a.padded : a.count);
  return [pick(w[0]), pick(w[1]), pick(w[2])];
}

/**
 * Max pooling: x `[batch, channels, ...inSize]` -> out `[batch, channels, ...outSize]`
 * in `dtype`, plus int32 `indices` holding each max's flat position
 * `(d*H + h)*W + w` within its input plane. Padding reads as -Infinity; ties keep
 * the first tap in (d, h, w) order; NaN in a window propagates with its index.
 * A window whose dilated taps all fall in padding gives -Infinity with index -1.
 */
export function maxPool(x: TypedArray, p: PoolParams, dtype: DType): { out: TypedArray; indices: Int32Array } {
  const planes = p.batch * p.channels;
  checkLength('maxPool', x, planes * product(p.inSize));
  return windowedMax(x, planes, p.inSize, p.outSize, poolWindows(p), dtype);
}

/**
 * Average pooling forward: x `[batch, channels, ...inSize]` -> `[batch, channels, ...outSize]`,
 * with PyTorch's divisor rule (divisorOverride, else the window extent including
 * padding up to `in + padding` when countIncludePad, else the in-input extent).
 */
export function avgPool(x: TypedArray, p: AvgPoolParams, dtype: DType): TypedArray {
  const planes = p.batch * p.channels;
  checkLength('avgPool', x, planes * product(p.inSize));
  const w = poolWindows(p);
  return windowedAvg(x, planes, p.inSize, p.outSize, w, avgDivisor(p, w), dtype, false);
}

/**
 * Average pooling backward: gy `[batch, channels, ...outSize]` ->
 * `[batch, channels, ...inSize]`, each gy spread over its window divided by the
 * same divisor as the forward (the exact adjoint of {@link avgPool}).
 */
export function avgPoolBackward(gy: TypedArray, p: AvgPoolParams, dtype: DType): TypedArray {
  const planes = p.batch * p.channels;
  checkLength('avgPoolBackward', gy, planes * product(p.outSize));
  const w = poolWindows(p);
  return windowedAvg(gy, planes, p.inSize, p.outSize, w, avgDivisor(p, w), dtype, true);
}

/** Max pooling backward: gy summed into a zero `[planes, inPlane]` at each (valid) index. */
export function maxPoolBackward(gy: TypedArray, indices: Int32Array, planes: number, outPlane: number, inPlane: number, dtype: DType): TypedArray {
  checkLength('maxPoolBackward', gy, planes * outPlane);
  checkLength('maxPoolBackward', indices, planes * outPlane);
  const gx = typedArrayFor(dtype, planes * inPlane);
  for (let pl = 0; pl < planes; pl++) {
    for (let o = pl * outPlane, end = o + outPlane; o < end; o++) {
      const i = indices[o]!;
      if (i >= 0) gx[pl * inPlane + i] += gy[o]!;
    }
  }
  return gx;
}

/** Adaptive average pooling forward: mean over `[floor(o*in/out), ceil((o+1)*in/out))` per dim. */
export function adaptiveAvgPool(x: TypedArray, p: AdaptivePoolParams, dtype: DType): TypedArray {
  const planes = p.batch * p.channels;
  checkLength('adaptiveAvgPool', x, planes * product(p.inSize));
  const w = adaptivePoolWindows(p);
  return windowedAvg(x, planes, p.inSize, p.outSize, w, [w[0].count, w[1].count, w[2].count], dtype, false);
}

/** Adaptive average pooling backward: gy `[batch, channels, ...outSize]` -> `[batch, channels, ...inSize]`, gy / windowSize over each window. */
export function adaptiveAvgPoolBackward(gy: TypedArray, p: AdaptivePoolParams, dtype: DType): TypedArray {
  const planes = p.batch * p.channels;
  checkLength('adaptiveAvgPoolBackward', gy, planes * product(p.outSize));
  const w = adaptivePoolWindows(p);
  return windowedAvg(gy, planes, p.inSize, p.outSize, w, [w[0].count, w[1].count, w[2].count], dtype, true);
}

/** Adaptive max pooling over the adaptive windows, with indices and tie/NaN rules as {@link maxPool}. */
export function adaptiveMaxPool(x: TypedArray, p: AdaptivePoolParams, dtype: DType): { out: TypedArray; indices: Int32Array } {
  const planes = p.batch * p.channels;
  checkLength('adaptiveMaxPool', x, planes * product(p.inSize));
  return windowedMax(x, planes, p.inSize, p.outSize, adaptivePoolWindows(p), dtype);
}

/**
 * The window tables of an average pooling (adaptive when `p` has no kernel)
 * packed for the wasm kernel: per axis D, H, W the arrays first, count and
 * divisor (int32, one entry per output position), concatenated; `fixed` is
 * the divisorOverride (0 when the per-axis divisors apply).
 */
export function avgWindowTables(p: AvgPoolParams | AdaptivePoolParams): { tables: Int32Array; fixed: number } {
  const adaptive = !('kernelSize' in p);
  const w = adaptive ? adaptivePoolWindows(p) : poolWindows(p as AvgPoolParams);
  const divisor = adaptive ? [w[0].count, w[1].count, w[2].count] as const : avgDivisor(p as AvgPoolParams, w);
  const n = p.outSize[0] + p.outSize[1] + p.outSize[2];
  const tables = new Int32Array(3 * n);
  let at = 0;
  for (let axis = 0; axis < 3; axis++) {
    const a = w[axis]!;
    tables.set(a.first, at);
    tables.set(a.count, at + a.first.length);
    if (typeof divisor !== 'number') tables.set(divisor[axis]!, at + 2 * a.first.length);
    at += 3 * a.first.length;
  }
  return { tables, fixed: typeof divisor === 'number' ? divisor : 0 };
}
