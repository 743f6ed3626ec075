import type { AdaptivePoolParams, AvgPoolParams, ConvParams } from '../backend/backend.js';
import { TensorError } from '../core/errors.js';
import type { Backend } from '../backend/backend.js';
import { toBackend } from '../ops/transfer.js';
import type { Tensor } from '../tensor/tensor.js';
import type { DType } from '../core/dtype.js';
import type { Shape } from '../core/shape.js';
import * as E from '../ops/elementwise.js';
import { embed, sliceView, split } from '../ops/movement.js';
import { matmulPrim } from '../ops/linalg.js';
import { crossEntropyReducedBackwardPrim, crossEntropyRowsBackwardPrim } from '../ops/loss-prims.js';
import { batchNormTrainBackwardPrim } from '../ops/norm-prims.js';
import { gather, scatterAdd, zerosOn } from '../ops/indexing.js';
import { convEpilogueGrad, convPoolGrads, convPrim, convTransposePrim, convWeightGradPrim } from '../ops/conv-prims.js';
import { linearEpilogueGrad } from '../ops/linear-fused.js';
import { convPool2x2Params } from '../backend/backend.js';
import { adaptiveAvgPoolBackwardPrim, adaptiveAvgPoolPrim, avgPoolBackwardPrim, avgPoolPrim, maxPoolBackwardPrim } from '../ops/pool-prims.js';

/** What a gradient rule sees: the tensors its forward saved, attributes, and which inputs want gradients. */
export interface GradContext {
  readonly saved: readonly Tensor[];
  readonly attrs: Readonly<Record<string, unknown>>;
  /** needs[i]: input i requires a gradient (rules skip the others). */
  readonly needs: readonly boolean[];
  readonly inputShapes: readonly Shape[];
  readonly inputDtypes: readonly DType[];
}

/**
 * A gradient rule: given dL/d(output) and the forward's context, returns
 * dL/d(input_i) for each input (null where not needed). Results may have the
 * broadcast output shape: the engine sums them back to each input's shape
 * (reduceToShape) and casts to the input's dtype, once, for every rule.
 */
export type GradRule = (g: Tensor, ctx: GradContext) => (Tensor | null)[];

const zeros = (g: Tensor, ctx: GradContext, i = 0): Tensor => zerosOn(g, ctx.inputShapes[i]!);
/** Shape of a reduction's output with the reduced axes kept as size 1. */
const keptShape = (ctx: GradContext): number[] => {
  const axes = new Set(ctx.attrs.axes as number[]);
  return ctx.inputShapes[0]!.map((d, i) => (axes.has(i) ? 1 : d));
};
const s = (ctx: GradContext, i: number): Tensor => ctx.saved[i]!;
/** True when the last two dims are laid out column by column (a transposed contiguous matrix) and not row by row. */
const columnMajor = (t: Tensor): boolean => {
  const r = t.ndim;
  if (r < 2) return false;
  const [rows, cols] = [t.shape[r - 2]!, t.shape[r - 1]!];
  const [rs, cs] = [t.strides[r - 2]!, t.strides[r - 1]!];
  return rows > 1 && cols > 1 && rs === 1 && cs === rows;
};

/** The one table: every differentiable primitive and its rule, with the math on each line. */
export const GRADIENTS = {
  // views and copies
  cast: (g) => [g],                                                          // d cast(x) = g (cast back by the engine)
  copy: (g) => [g],                                                          // identity
  reshape: (g, c) => [g.reshape(c.inputShapes[0]!)],                         // un-reshape
  permute: (g, c) => {                                                       // inverse permutation
    const dims = c.attrs.dims as number[];
    const inv = new Array<number>(dims.length);
    dims.forEach((d, i) => (inv[d] = i));
    return [g.permute(inv)];
  },
  expand: (g) => [g],                                                        // sum over broadcast dims (engine)
  slice: (g, c) => [embed(g, c.inputShapes[0]!, c.attrs.starts as number[], c.attrs.steps as number[])], // scatter into zeros
  embed: (g, c) => [sliceView(g, c.attrs.starts as number[], c.attrs.steps as number[], c.inputShapes[0]!)], // take the window back
  flip: (g, c) => [g.flip(c.attrs.dims as number[])],                        // flip back
  cat: (g, c) => split(g, c.attrs.sizes as number[], c.attrs.dim as number), // split back
  toBackend: (g, c) => [toBackend(g, c.attrs.backend as Backend)],           // copy the gradient back

  // unary
  neg: (g) => [g.neg()],                                                     // -g
  abs: (g, c) => [g.mul(E.sign(s(c, 0)))],                                   // g sign(x): 0 at x = 0 (PyTorch)
  sign: (g, c) => [zeros(g, c)],                                             // 0 everywhere, 0 included (PyTorch)
  floor: (g, c) => [zeros(g, c)],                                            // 0 everywhere, at the jumps too (PyTorch)
  ceil: (g, c) => [zeros(g, c)],                                             // 0 everywhere (PyTorch)
  round: (g, c) => [zeros(g, c)],                                            // 0 everywhere (PyTorch)
  exp: (g, c) => [g.mul(s(c, 0))],                                           // g e^x
  expm1: (g, c) => [g.mul(s(c, 0).add(1))],                                  // g (expm1(x) + 1)
  log: (g, c) => [g.div(s(c, 0))],                                           // g / x: inf at x = 0 (PyTorch)
  log1p: (g, c) => [g.div(s(c, 0).add(1))],                                  // g / (1 + x)
  sqrt: (g, c) => [g.div(s(c, 0).mul(2))],                                   // g / (2 sqrt x): inf at x = 0 (PyTorch)
  rsqrt: (g, c) => [g.mul(s(c, 0).pow(3)).mul(-0.5)],                        // -g x^(-3/2) / 2: -inf at x = 0 (PyTorch)
  reciprocal: (g, c) => [g.mul(s(c, 0).square()).neg()],                     // -g / x^2: -inf at x = 0 (PyTorch)
  sin: (g, c) => [g.mul(E.cos(s(c, 0)))],                                    // g cos x
  cos: (g, c) => [g.mul(E.sin(s(c, 0))).neg()],                              // -g sin x
  tanh: (g, c) => [g.mul(E.sub(1, s(c, 0).square()))],                       // g (1 - tanh^2)
  sigmoid: (g, c) => [g.mul(s(c, 0)).mul(E.sub(1, s(c, 0)))],                // g s (1 - s)
  relu: (g, c) => [E.reluBackwardPrim(g, s(c, 0))],                         // g [x > 0]: 0 at x = 0 (PyTorch)
  erf: (g, c) => [g.mul(E.exp(s(c, 0).square().neg())).mul(2 / Math.sqrt(Math.PI))], // g 2/sqrt(pi) e^(-x^2)
  tan: (g, c) => [g.mul(s(c, 0).square().add(1))],                          // g (1 + tan^2 x)
  atan: (g, c) => [g.div(s(c, 0).square().add(1))],                          // g / (1 + x^2)
  log2: (g, c) => [g.div(s(c, 0).mul(Math.LN2))],                            // g / (x ln 2)
  log10: (g, c) => [g.div(s(c, 0).mul(Math.LN10))],                          // g / (x ln 10)

  // binary (results in the broadcast shape; the engine reduces)
  add: (g) => [g, g],                                                        // g, g
  sub: (g) => [g, g.neg()],                                                  // g, -g
  mul: (g, c) => [c.needs[0] ? g.mul(s(c, 1)) : null, c.needs[1] ? g.mul(s(c, 0)) : null], // g b, g a
  div: (g, c) => [                                                           // g / b, -g (a/b) / b
    c.needs[0] ? g.div(s(c, 0)) : null,
    c.needs[1] ? g.mul(s(c, 1)).div(s(c, 0)).neg() : null,
  ],
  pow: (g, c) => {
    const [a, b, out] = [s(c, 0), s(c, 1), s(c, 2)];
    return [
      // g b a^(b-1), with 0 where b == 0 (avoids 0 * inf at a == 0); at a = 0: 0 for b > 1, inf for 0 < b < 1 (PyTorch)
      c.needs[0] ? E.where(b.eq(0), 0, g.mul(b).mul(a.pow(b.sub(1)))) : null,
      // g a^b log a, with 0 where a == 0 and b >= 0 (PyTorch's convention)
      c.needs[1] ? E.where(a.eq(0).logicalAnd(b.ge(0)), 0, g.mul(out).mul(E.log(a))) : null,
    ];
  },
  maximum: (g, c) => {                                                       // g to the larger; g/2 each on ties (PyTorch)
    const [a, b] = [s(c, 0), s(c, 1)];
    const half = g.mul(0.5);
    return [E.where(a.gt(b), g, E.where(a.eq(b), half, 0)), E.where(b.gt(a), g, E.where(a.eq(b), half, 0))];
  },
  minimum: (g, c) => {                                                       // g to the smaller; g/2 each on ties (PyTorch)
    const [a, b] = [s(c, 0), s(c, 1)];
    const half = g.mul(0.5);
    return [E.where(a.lt(b), g, E.where(a.eq(b), half, 0)), E.where(b.lt(a), g, E.where(a.eq(b), half, 0))];
  },
  atan2: (g, c) => {                                                         // g b/(a²+b²), -g a/(a²+b²) for atan2(a, b)
    const [a, b] = [s(c, 0), s(c, 1)];
    const r = a.square().add(b.square());
    return [c.needs[0] ? g.mul(b).div(r) : null, c.needs[1] ? g.mul(a).div(r).neg() : null];
  },
  where: (g, c) => [null, E.where(s(c, 0), g, 0), E.where(s(c, 0), 0, g)],  // route g by the condition

  // reductions
  sum: (g, c) => [g.reshape(keptShape(c)).expand(c.inputShapes[0]!)],      // broadcast g back
  max: (g, c) => extremumGrad(g, c),                                         // g shared evenly among tied maxima (amax; max() without dim)
  min: (g, c) => extremumGrad(g, c),                                         // g shared evenly among tied minima (amin; min() without dim)
  prod: (g, c) => {                                                          // g prod_{j != i} x_j, exact with zeros
    const [x, out] = [s(c, 0), s(c, 1)];
    const axes = c.attrs.axes as number[];
    const keep = keptShape(c);
    const isZero = x.eq(0);
    const nonzeroProd = E.where(isZero, 1, x).prod(axes, true);
    const zeroCount = isZero.to('int32').sum(axes, true);
    const others = E.where(isZero, E.where(zeroCount.eq(1), nonzeroProd, 0), out.reshape(keep).div(x));
    return [g.reshape(keep).mul(others)];
  },

  // linear algebra and indexing
  matmul: (g, c) => [                                                        // g B^T, A^T g
    // An operand that is a transposed view (linear's Wᵀ) gets its gradient computed
    // transposed, (Bᵀ g... )ᵀ, so the parameter's own grad comes out contiguous.
    c.needs[0] ? (columnMajor(s(c, 0)) ? matmulPrim(s(c, 1), g.transpose(-1, -2)).transpose(-1, -2) : matmulPrim(g, s(c, 1).transpose(-1, -2))) : null,
    c.needs[1] ? (columnMajor(s(c, 1)) ? matmulPrim(g.transpose(-1, -2), s(c, 0)).transpose(-1, -2) : matmulPrim(s(c, 0).transpose(-1, -2), g)) : null,
  ],
  // The fused linear layer relu?(x Wᵀ + b) (ops/linear-fused.ts): x [rows, in], W [out, in], b [out].
  // Mask by the saved output and sum the bias gradient in one pass (linearEpilogueGrad), then g' is the product's gradient.
  linear: (g, c) => {
    const relu = c.attrs.relu === true, bias = c.attrs.bias === true && c.needs[2] === true;
    const e = relu || bias ? linearEpilogueGrad(g, relu ? s(c, 2) : null, bias) : { g, bias: null };
    return [
      c.needs[0] ? matmulPrim(e.g, s(c, 1)) : null,                          // dx = g' W
      c.needs[1] ? matmulPrim(e.g.transpose(0, 1), s(c, 0)) : null,          // dW = g'ᵀ x
      e.bias,                                                                // db = Σ_rows g'
    ];
  },
  gather: (g, c) => [scatterAdd(zeros(g, c), c.attrs.dim as number, s(c, 0), g)], // scatter g back
  scatterAdd: (g, c) => [g, gather(g, c.attrs.dim as number, s(c, 0))],      // g, g at the scattered places

  // convolution: each gradient is another convolution primitive
  conv: (g, c) => {
    const p = c.attrs.params as ConvParams;
    // A fused epilogue (bias, ReLU) first: mask by the saved output, sum for the bias
    // (convEpilogueGrad: the backend's fused backward, or its reluBackward + sum composite).
    const relu = c.attrs.relu === true, bias = c.attrs.bias === true && c.needs[2] === true;
    const e = relu || bias ? convEpilogueGrad(g, relu ? s(c, 2) : null, p, bias) : { g, bias: null };
    return [
      c.needs[0] ? convTransposePrim(e.g, s(c, 1), p) : null,                // dx = conv^T(g, w)
      c.needs[1] ? convWeightGradPrim(s(c, 0), e.g, p) : null,               // dw = corr(x, g)
      e.bias,                                                                // db = Σ g over images and positions
    ];
  },
  convReluPool: (g, c) => {
    const p = c.attrs.params as ConvParams, bias = c.attrs.bias === true && c.needs[2] === true;
    // At the pooled size: mask by the saved output's sign, sum for the bias; then scatter to the maxima.
    const e = convEpilogueGrad(g, s(c, 2), { ...p, outSize: convPool2x2Params(p).outSize }, bias);
    // The backend's kernel from the pooled gradient and the indices, where it has one (a quarter of the products or fewer).
    const sparse = convPoolGrads(e.g, s(c, 3), c.needs[1] ? s(c, 0) : null, c.needs[0] ? s(c, 1) : null, p);
    if (sparse) return [sparse.gx, sparse.gw, e.bias];
    const full = maxPoolBackwardPrim(e.g, s(c, 3), [p.batch, p.outChannels, ...p.outSize]);
    return [
      c.needs[0] ? convTransposePrim(full, s(c, 1), p) : null,
      c.needs[1] ? convWeightGradPrim(s(c, 0), full, p) : null,
      e.bias,
    ];
  },
  convTranspose: (g, c) => {
    const p = c.attrs.params as ConvParams;
    return [
      c.needs[0] ? convPrim(g, s(c, 1), p) : null,                           // d(conv^T x)/dx = conv(g, w)
      c.needs[1] ? convWeightGradPrim(g, s(c, 0), p) : null,                 // dw = corr(g, x)
    ];
  },
  convWeightGrad: () => {
    throw new TensorError('backward: double backward through a convolution weight gradient is not supported');
  },

  // normalisation
  // Recorded only when the fused forward ran; the backward prims use the fused kernel or their composite.
  batchNormTrain: (g, c) => {                                                // dx = w/σ (g - mean g - x̂ mean(g x̂))
    const hasWeight = c.attrs.hasWeight as boolean;
    const r = batchNormTrainBackwardPrim(g, s(c, 0), s(c, 1), s(c, 2), hasWeight ? s(c, 3) : null, c.attrs.eps as number);
    return [r.dx, ...(hasWeight ? [r.dweight] : []), ...(c.attrs.hasBias ? [r.dbias] : [])];
  },

  // losses
  crossEntropyRows: (g, c) => [                                              // g (softmax - (1-ε) onehot - ε/C)
    crossEntropyRowsBackwardPrim(g, s(c, 0), s(c, 1), c.attrs.ignoreIndex as number, c.attrs.labelSmoothing as number),
  ],
  crossEntropyReduced: (g, c) => [                                           // (g / divisor) per row, as above
    crossEntropyReducedBackwardPrim(g, s(c, 0), s(c, 1), c.attrs.ignoreIndex as number, c.attrs.labelSmoothing as number,
      c.attrs.divisor as number),
  ],

  // pooling
  maxPool: (g, c) => [maxPoolBackwardPrim(g, s(c, 0), c.inputShapes[0]!)],  // g summed at the argmax positions (-1: none)
  avgPool: (g, c) => [avgPoolBackwardPrim(g, c.attrs.params as AvgPoolParams)],           // spread g over each window
  avgPoolBackward: (g, c) => [avgPoolPrim(g, c.attrs.params as AvgPoolParams)],           // adjoint: average again
  adaptiveAvgPool: (g, c) => [adaptiveAvgPoolBackwardPrim(g, c.attrs.params as AdaptivePoolParams)],
  adaptiveAvgPoolBackward: (g, c) => [adaptiveAvgPoolPrim(g, c.attrs.params as AdaptivePoolParams)],
} satisfies Record<string, GradRule>;

/** Names of the differentiable primitives (keys of the table). */
export type Primitive = keyof typeof GRADIENTS;

/**
 * amax/amin and full max()/min(): g / (number of tied extrema) at each extremum, 0 elsewhere
 * (PyTorch). With attr nanAware (torch.max() without dim, PyTorch's evenly_distribute_backward)
 * a NaN result counts the NaNs as the extrema; amax's mask x == NaN is empty, so 0/0 = NaN there, as in PyTorch.
 */
function extremumGrad(g: Tensor, c: GradContext): Tensor[] {
  const [x, out] = [s(c, 0), s(c, 1)];
  const axes = c.attrs.axes as number[];
  const keep = keptShape(c);
  const o = out.reshape(keep);
  const hit = c.attrs.nanAware === true ? x.eq(o).logicalOr(x.ne(x).logicalAnd(o.ne(o))) : x.eq(o);
  const mask = hit.to(x.dtype);
  return [g.reshape(keep).mul(mask).div(mask.sum(axes, true))];
}
