/**
 * Reference (plain JS) convolution kernels: forward, gradient w.r.t. the input
 * (which is also the transposed convolution) and gradient w.r.t. the weight.
 *
 * All three share one precomputed "tap plan". For every kernel tap
 * (kd, kh, kw) it lists the output rows (od, oh) whose window reads a real
 * input row, and the range of output columns ow whose read stays inside the
 * input row. Padding and edge handling are therefore decided once per call,
 * and the hot loops are bound-check-free runs along the output width:
 *
 *   y[yRow + j] (+)= w[tap] * x[xRow + j * strideW]     for j < len(tap)
 *
 * which reads/writes y contiguously and x with a constant stride.
 * Accumulation is in double precision (Float64Array scratch or a JS number);
 * each result element is stored into the output dtype exactly once.
 */
import type { ConvParams } from '../backend.js';
import type { DType, TypedArray } from '../../core/dtype.js';
import { typedArrayFor } from '../../core/dtype.js';

/** Sizes derived from ConvParams, plus the tap plan. */
interface ConvPlan {
  readonly cinG: number; // input channels per group
  readonly coutG: number; // output channels per group
  readonly inPlane: number; // D*H*W
  readonly outPlane: number; // oD*oH*oW
  readonly taps: number; // kD*kH*kW
  readonly strideW: number;
  /** Segments of tap t are [tapStart[t], tapStart[t+1]). */
  readonly tapStart: Int32Array;
  /** Per tap: number of output columns in each of its segments. */
  readonly tapLen: Int32Array;
  /** Per segment: offset in the input plane of the first element read. */
  readonly segX: Int32Array;
  /** Per segment: offset in the output plane of the first element written. */
  readonly segY: Int32Array;
}

/**
 * Output indices `o` in `[lo, hi)` whose input position `o*stride - pad + k*dil`
 * lies in `[0, inSize)`, for one tap `k` along one dim (empty: hi <= lo).
 */
function validOutRange(inSize: number, outSize: number, stride: number, pad: number, kOffset: number): [number, number] {
  // kOffset = k*dil - pad, so the input position is o*stride + kOffset.
  const lo = Math.max(0, Math.ceil(-kOffset / stride));
  const hi = Math.min(outSize, Math.floor((inSize - 1 - kOffset) / stride) + 1);
  return [lo, Math.max(lo, hi)];
}

function checkParams(p: ConvParams): void {
  const { batch, inChannels, outChannels, groups } = p;
  const sizes = [...p.inSize, ...p.kernelSize, ...p.outSize, batch, inChannels, outChannels];
  if (!sizes.every((v) => Number.isInteger(v) && v >= 0)) throw new Error('conv: sizes must be non-negative integers');
  // Padding may be any integer: the tap ranges below handle negative (cropping) padding too.
  if (!p.padding.every((v) => Number.isInteger(v))) throw new Error('conv: padding must be integers');
  if (![...p.stride, ...p.dilation, groups].every((v) => Number.isInteger(v) && v >= 1)) {
    throw new Error('conv: stride, dilation and groups must be positive integers');
  }
  if (inChannels % groups !== 0 || outChannels % groups !== 0) {
    throw new Error(`conv: channels (${inChannels} in, ${outChannels} out) must be divisible by groups (${groups})`);
  }
}

function checkLength(name: string, a: TypedArray, expected: number): void {
  if (a.length !== expected) throw new Error(`conv: ${name} has ${a.length} elements, expected ${expected}`);
}

/** Derives sizes and builds the per-tap segment lists shared by all three kernels. */
function planConv(p: ConvParams): ConvPlan {
  checkParams(p);
  const [D, H, W] = p.inSize;
  const [kD, kH, kW] = p.kernelSize;
  const [oD, oH, oW] = p.outSize;
  const [sD, sH, sW] = p.stride;
  const [pD, pH, pW] = p.padding;
  const [dD, dH, dW] = p.dilation;
  const taps = kD * kH * kW;

  // Valid output ranges per tap along each dim.
  const rangesD = Array.from({ length: kD }, (_, k) => validOutRange(D, oD, sD, pD, k * dD - pD));
  const rangesH = Array.from({ length: kH }, (_, k) => validOutRange(H, oH, sH, pH, k * dH - pH));
  const rangesW = Array.from({ length: kW }, (_, k) => validOutRange(W, oW, sW, pW, k * dW - pW));

  // Count segments first so the arrays are allocated once.
  let nSeg = 0;
  for (let kd = 0; kd < kD; kd++) {
    for (let kh = 0; kh < kH; kh++) {
      for (let kw = 0; kw < kW; kw++) {
        const [wLo, wHi] = rangesW[kw]!;
        if (wHi > wLo) nSeg += (rangesD[kd]![1] - rangesD[kd]![0]) * (rangesH[kh]![1] - rangesH[kh]![0]);
      }
    }
  }

  const tapStart = new Int32Array(taps + 1);
  const tapLen = new Int32Array(taps);
  const segX = new Int32Array(nSeg);
  const segY = new Int32Array(nSeg);
  let s = 0;
  let t = 0;
  for (let kd = 0; kd < kD; kd++) {
    const [dLo, dHi] = rangesD[kd]!;
    for (let kh = 0; kh < kH; kh++) {
      const [hLo, hHi] = rangesH[kh]!;
      for (let kw = 0; kw < kW; kw++, t++) {
        const [wLo, wHi] = rangesW[kw]!;
        tapStart[t] = s;
        tapLen[t] = wHi - wLo;
        if (wHi <= wLo) continue;
        // Input column read by output column wLo.
        const iw0 = wLo * sW - pW + kw * dW;
        for (let od = dLo; od < dHi; od++) {
          const id = od * sD - pD + kd * dD;
          for (let oh = hLo; oh < hHi; oh++, s++) {
            const ih = oh * sH - pH + kh * dH;
            segX[s] = (id * H + ih) * W + iw0;
            segY[s] = (od * oH + oh) * oW + wLo;
          }
        }
      }
    }
  }
  tapStart[taps] = s;

  return {
    cinG: p.inChannels / p.groups,
    coutG: p.outChannels / p.groups,
    inPlane: D * H * W,
    outPlane: oD * oH * oW,
    taps,
    strideW: sW,
    tapStart,
    tapLen,
    segX,
    segY,
  };
}

/**
 * Convolution forward (PyTorch conv3d semantics, with grouping, stride, padding
 * before each dim, dilation; padding after is implied by `p.outSize`).
 * x `[batch, inChannels, D, H, W]` and w `[outChannels, inChannels/groups, kD, kH, kW]`
 * are contiguous; returns y `[batch, outChannels, oD, oH, oW]` of `dtype`.
 */
export function convForward(x: TypedArray, w: TypedArray, p: ConvParams, dtype: DType): TypedArray {
  const plan = planConv(p);
  const { cinG, coutG, inPlane, outPlane, taps, strideW: sW, tapStart, tapLen, segX, segY } = plan;
  checkLength('x', x, p.batch * p.inChannels * inPlane);
  checkLength('w', w, p.outChannels * cinG * taps);
  const y = typedArrayFor(dtype, p.batch * p.outChannels * outPlane);
  const acc = new Float64Array(outPlane); // one output plane, in double precision

  for (let n = 0; n < p.batch; n++) {
    for (let co = 0; co < p.outChannels; co++) {
      const g = Math.floor(co / coutG);
      acc.fill(0);
      for (let ci = 0; ci < cinG; ci++) {
        const xPlane = (n * p.inChannels + g * cinG + ci) * inPlane;
        const wBase = (co * cinG + ci) * taps;
        for (let t = 0; t < taps; t++) {
          const wv = w[wBase + t]!;
          const len = tapLen[t]!;
          for (let s = tapStart[t]!, end = tapStart[t + 1]!; s < end; s++) {
            const xo = xPlane + segX[s]!;
            const yo = segY[s]!;
            for (let j = 0; j < len; j++) acc[yo + j] += wv * x[xo + j * sW]!;
          }
        }
      }
      y.set(acc, (n * p.outChannels + co) * outPlane); // rounds to float32 if needed
    }
  }
  return y;
}

/**
 * Gradient of the convolution w.r.t. its input, which is also the transposed
 * convolution of gy with w: gy `[batch, outChannels, oD, oH, oW]` and w
 * (contiguous) -> gx `[batch, inChannels, D, H, W]` of `dtype`. Input positions
 * that no output reads get 0.
 */
export function convBackwardInput(gy: TypedArray, w: TypedArray, p: ConvParams, dtype: DType): TypedArray {
  const plan = planConv(p);
  const { cinG, coutG, inPlane, outPlane, taps, strideW: sW, tapStart, tapLen, segX, segY } = plan;
  checkLength('gy', gy, p.batch * p.outChannels * outPlane);
  checkLength('w', w, p.outChannels * cinG * taps);
  const gx = typedArrayFor(dtype, p.batch * p.inChannels * inPlane);
  const acc = new Float64Array(inPlane); // one input plane, in double precision

  // Same segments as the forward, with the roles of reading and writing swapped:
  // each input channel gathers from the output channels of its group.
  for (let n = 0; n < p.batch; n++) {
    for (let cIn = 0; cIn < p.inChannels; cIn++) {
      const g = Math.floor(cIn / cinG);
      const ci = cIn - g * cinG;
      acc.fill(0);
      for (let co = g * coutG; co < (g + 1) * coutG; co++) {
        const yPlane = (n * p.outChannels + co) * outPlane;
        const wBase = (co * cinG + ci) * taps;
        for (let t = 0; t < taps; t++) {
          const wv = w[wBase + t]!;
          const len = tapLen[t]!;
          for (let s = tapStart[t]!, end = tapStart[t + 1]!; s < end; s++) {
            const xo = segX[s]!;
            const yo = yPlane + segY[s]!;
            for (let j = 0; j < len; j++) acc[xo + j * sW] += wv * gy[yo + j]!;
          }
        }
      }
      gx.set(acc, (n * p.inChannels + cIn) * inPlane);
    }
  }
  return gx;
}

/**
 * Gradient of the convolution w.r.t. its weight: x `[batch, inChannels, D, H, W]`
 * and gy `[batch, outChannels, oD, oH, oW]` (contiguous) ->
 * gw `[outChannels, inChannels/groups, kD, kH, kW]` of `dtype`, summed over the batch.
 */
export function convBackwardWeight(x: TypedArray, gy: TypedArray, p: ConvParams, dtype: DType): TypedArray {
  const plan = planConv(p);
  const { cinG, coutG, inPlane, outPlane, taps, strideW: sW, tapStart, tapLen, segX, segY } = plan;
  checkLength('x', x, p.batch * p.inChannels * inPlane);
  checkLength('gy', gy, p.batch * p.outChannels * outPlane);
  const gw = typedArrayFor(dtype, p.outChannels * cinG * taps);

  // Each weight element is one dot product over batch and its tap's segments.
  for (let co = 0; co < p.outChannels; co++) {
    const g = Math.floor(co / coutG);
    for (let ci = 0; ci < cinG; ci++) {
      for (let t = 0; t < taps; t++) {
        const len = tapLen[t]!;
        const segEnd = tapStart[t + 1]!;
        let sum = 0;
        for (let n = 0; n < p.batch; n++) {
          const xPlane = (n * p.inChannels + g * cinG + ci) * inPlane;
          const yPlane = (n * p.outChannels + co) * outPlane;
          for (let s = tapStart[t]!; s < segEnd; s++) {
            const xo = xPlane + segX[s]!;
            const yo = yPlane + segY[s]!;
            for (let j = 0; j < len; j++) sum += gy[yo + j]! * x[xo + j * sW]!;
          }
        }
        gw[(co * cinG + ci) * taps + t] = sum;
      }
    }
  }
  return gw;
}
