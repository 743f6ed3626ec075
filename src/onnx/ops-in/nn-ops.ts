/**
 * ONNX neural-network ops: Conv, ConvTranspose, Pad, MaxPool, AveragePool,
 * LpPool, GlobalAveragePool, GlobalMaxPool, BatchNormalization,
 * LayerNormalization, GroupNormalization, InstanceNormalization, LRN, Dropout,
 * the activations (Celu, Mish, ThresholdedRelu, Softsign among them) and Softmax/LogSoftmax — each mapped onto the tensorgrad
 * functional op PyTorch's exporter started from, so outputs match PyTorch's.
 *
 * ONNX `pads` list begins then ends per spatial dim; symmetric pads go to the
 * op's own padding, asymmetric ones (or auto_pad SAME_*) become an explicit
 * F.pad first (zeros for Conv/AveragePool, -Infinity for MaxPool).
 *
 * BatchNormalization follows the module's mode, like nn.BatchNorm2d: in eval
 * mode it normalises with the running statistics (the ONNX inference form);
 * after `model.train()` it uses batch statistics and updates the running
 * buffers with PyTorch momentum `1 - onnxMomentum`. Dropout likewise drops
 * only in training mode.
 */
import { TensorError, fmtShape } from '../../core/errors.js';
import * as A from '../../ops/activation.js';
import { celu } from '../../ops/activation-more.js';
import * as E from '../../ops/elementwise.js';
import { convNd, convTransposeNd } from '../../ops/conv.js';
import { dropout } from '../../ops/dropout.js';
import { instanceNorm } from '../../ops/instance-norm.js';
import { flip, reshape } from '../../ops/movement.js';
import { batchNorm, groupNorm, layerNorm, localResponseNorm } from '../../ops/norm.js';
import { pad, type PadMode } from '../../ops/pad.js';
import { avgPool1d, avgPool2d, avgPool3d, lpPool1d, lpPool2d, lpPool3d, maxPool1d, maxPool2d, maxPool3d } from '../../ops/pool.js';
import { amax, mean } from '../../ops/reduce.js';
import { full as filled } from '../../tensor/create.js';
import type { Tensor } from '../../tensor/tensor.js';
import { product } from './host.js';
import { axisOf, checkInts, floatTensor, guard, intList, need, scalarOf, toTensor, type OpContext, type OpFn } from './values.js';

const MAX_WINDOW = 1 << 16;

/** Pads `[b1..bn, e1..en]` of the n trailing dims -> F.pad's `(left, right)` pairs from the last dim. */
function toTorchPads(begins: readonly number[], ends: readonly number[]): number[] {
  const out: number[] = [];
  for (let d = begins.length - 1; d >= 0; d--) out.push(begins[d]!, ends[d]!);
  return out;
}

interface Window { kernel: number[]; strides: number[]; dilations: number[]; begins: number[]; ends: number[] }

/** Kernel, strides, dilations and resolved begin/end pads of a Conv/Pool node over `spatial` input dims. */
function windowOf(ctx: OpContext, spatial: readonly number[], kernel: number[]): Window {
  const n = spatial.length;
  const a = ctx.attrs;
  checkInts(kernel, 'kernel_shape', 1, MAX_WINDOW, ctx);
  if (kernel.length !== n) throw new TensorError(`${ctx.where}: kernel_shape [${kernel.join(', ')}] does not match the ${n} spatial dims of the input`);
  const strides = checkInts(a.ints('strides') ?? kernel.map(() => 1), 'strides', 1, MAX_WINDOW, ctx);
  const dilations = checkInts(a.ints('dilations') ?? kernel.map(() => 1), 'dilations', 1, MAX_WINDOW, ctx);
  if (strides.length !== n || dilations.length !== n) throw new TensorError(`${ctx.where}: strides/dilations need ${n} values`);
  const autoPad = a.string('auto_pad', 'NOTSET');
  let begins: number[], ends: number[];
  if (autoPad === 'NOTSET') {
    const pads = checkInts(a.ints('pads') ?? new Array<number>(2 * n).fill(0), 'pads', 0, MAX_WINDOW, ctx);
    if (pads.length !== 2 * n) throw new TensorError(`${ctx.where}: pads [${pads.join(', ')}] needs ${2 * n} values (begins, then ends)`);
    [begins, ends] = [pads.slice(0, n), pads.slice(n)];
  } else if (autoPad === 'VALID') {
    [begins, ends] = [kernel.map(() => 0), kernel.map(() => 0)];
  } else if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
    const totals = spatial.map((size, i) => Math.max(0, (Math.ceil(size / strides[i]!) - 1) * strides[i]! + (kernel[i]! - 1) * dilations[i]! + 1 - size));
    begins = totals.map((t) => (autoPad === 'SAME_UPPER' ? Math.floor(t / 2) : Math.ceil(t / 2)));
    ends = totals.map((t, i) => t - begins[i]!);
  } else throw new TensorError(`${ctx.where}: unknown auto_pad '${autoPad}' (NOTSET, VALID, SAME_UPPER, SAME_LOWER)`);
  return { kernel, strides, dilations, begins, ends };
}

const symmetric = (w: Window) => w.begins.every((b, i) => b === w.ends[i]);

/** Explicit padding of the spatial dims (when pads are asymmetric), within the element budget. */
function padExplicit(x: Tensor, w: Window, value: number, ctx: OpContext): Tensor {
  const n = w.begins.length;
  guard(ctx, x.shape.map((d, i) => (i < x.ndim - n ? d : d + w.begins[i - x.ndim + n]! + w.ends[i - x.ndim + n]!)));
  return pad(x, toTorchPads(w.begins, w.ends), { mode: 'constant', value });
}

function spatialInput(inputs: Parameters<OpFn>[0], ctx: OpContext): Tensor {
  const x = floatTensor(need(inputs, 0, 'X', ctx), 'X', ctx);
  if (x.ndim < 3 || x.ndim > 5) throw new TensorError(`${ctx.where}: expected an input [N, C, spatial...] with 1-3 spatial dims (got ${fmtShape(x.shape)})`);
  return x;
}

const Conv: OpFn = (inputs, ctx) => {
  const x = spatialInput(inputs, ctx);
  const wt = toTensor(need(inputs, 1, 'W', ctx), x);
  const b = inputs[2] === undefined ? null : toTensor(inputs[2], x);
  const n = x.ndim - 2;
  if (wt.ndim !== x.ndim) throw new TensorError(`${ctx.where}: weight ${fmtShape(wt.shape)} does not match input ${fmtShape(x.shape)}`);
  const w = windowOf(ctx, x.shape.slice(2), ctx.attrs.ints('kernel_shape') ?? wt.shape.slice(2));
  if (w.kernel.some((k, i) => k !== wt.shape[2 + i])) throw new TensorError(`${ctx.where}: kernel_shape [${w.kernel.join(', ')}] differs from the weight ${fmtShape(wt.shape)}`);
  const sym = symmetric(w);
  const input = sym ? x : padExplicit(x, w, 0, ctx);
  guard(ctx, [x.shape[0]!, wt.shape[0]!, ...input.shape.slice(2).map((d, i) => d + (sym ? 2 * w.begins[i]! : 0))]);
  return [convNd(n, input, wt, b, { stride: w.strides, dilation: w.dilations, padding: sym ? w.begins : 0, groups: ctx.attrs.int('group', 1) })];
};

const ConvTranspose: OpFn = (inputs, ctx) => {
  const x = spatialInput(inputs, ctx);
  const wt = toTensor(need(inputs, 1, 'W', ctx), x);
  const b = inputs[2] === undefined ? null : toTensor(inputs[2], x);
  const n = x.ndim - 2;
  const w = windowOf(ctx, x.shape.slice(2), ctx.attrs.ints('kernel_shape') ?? wt.shape.slice(2));
  const outPad = checkInts(ctx.attrs.ints('output_padding') ?? w.kernel.map(() => 0), 'output_padding', 0, MAX_WINDOW, ctx);
  const autoPad = ctx.attrs.string('auto_pad', 'NOTSET');
  const outputShape = ctx.attrs.ints('output_shape');
  if (outputShape || autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
    // The ONNX ConvTranspose rule, not Conv's: pads make the output `output_shape` (its spatial dims) or, for
    // SAME_*, input * stride. The odd pad goes to the end for SAME_UPPER, to the beginning otherwise.
    const target = outputShape ?? x.shape.slice(2).map((d, i) => d * w.strides[i]!);
    if (target.length !== n) throw new TensorError(`${ctx.where}: output_shape [${outputShape!.join(', ')}] needs ${n} spatial dims`);
    x.shape.slice(2).forEach((size, i) => {
      const total = w.strides[i]! * (size - 1) + outPad[i]! + (w.kernel[i]! - 1) * w.dilations[i]! + 1 - target[i]!;
      if (total < 0) throw new TensorError(`${ctx.where}: output size ${target[i]} needs negative padding for input ${fmtShape(x.shape)}, kernel [${w.kernel.join(', ')}] and strides [${w.strides.join(', ')}]`);
      const small = Math.floor(total / 2);
      [w.begins[i], w.ends[i]] = autoPad === 'SAME_UPPER' ? [small, total - small] : [total - small, small];
    });
  }
  const full = x.shape.slice(2).map((d, i) => (d - 1) * w.strides[i]! + (w.kernel[i]! - 1) * w.dilations[i]! + 1 + outPad[i]!);
  guard(ctx, [x.shape[0]!, (wt.shape[1] ?? 0) * ctx.attrs.int('group', 1), ...full]);
  const sym = symmetric(w);
  const y = convTransposeNd(n, x, wt, b, { stride: w.strides, dilation: w.dilations, padding: sym ? w.begins : 0, outputPadding: outPad, groups: ctx.attrs.int('group', 1) });
  // Asymmetric pads crop the output: negative F.pad amounts crop.
  return [sym ? y : pad(y, toTorchPads(w.begins.map((v) => -v), w.ends.map((v) => -v)))];
};

const PAD_MODES: Record<string, PadMode> = { constant: 'constant', reflect: 'reflect', edge: 'replicate', wrap: 'circular' };

const Pad: OpFn = (inputs, ctx) => {
  const x = floatTensor(need(inputs, 0, 'data', ctx), 'data', ctx);
  const modeName = ctx.attrs.string('mode', 'constant');
  const mode = PAD_MODES[modeName];
  if (!mode) throw new TensorError(`${ctx.where}: unknown mode '${modeName}' (constant, reflect, edge, wrap)`);
  const rank = x.ndim;
  const pads = ctx.opset < 11 ? (ctx.attrs.ints('pads') ?? []) : intList(need(inputs, 1, 'pads', ctx), 'pads', ctx);
  const value = ctx.opset < 11 ? ctx.attrs.float('value', 0) : inputs[2] === undefined ? 0 : scalarOf(inputs[2], 'constant_value', ctx);
  const axes = inputs[3] === undefined ? x.shape.map((_, i) => i) : intList(inputs[3], 'axes', ctx).map((a) => axisOf(a, rank, ctx));
  if (pads.length !== 2 * axes.length) throw new TensorError(`${ctx.where}: pads [${pads.join(', ')}] needs ${2 * axes.length} values for ${axes.length} axes`);
  checkInts(pads, 'pads', -MAX_WINDOW, MAX_WINDOW, ctx);
  const begins = new Array<number>(rank).fill(0), ends = new Array<number>(rank).fill(0);
  axes.forEach((a, i) => {
    begins[a] = pads[i]!;
    ends[a] = pads[i + axes.length]!;
  });
  const out = x.shape.map((d, i) => d + begins[i]! + ends[i]!);
  if (out.some((d) => d < 0)) throw new TensorError(`${ctx.where}: pads [${pads.join(', ')}] crop ${fmtShape(x.shape)} below zero`);
  guard(ctx, out);
  let first = 0;
  while (first < rank && begins[first] === 0 && ends[first] === 0) first++;
  if (first === rank) return [x];
  return [pad(x, toTorchPads(begins.slice(first), ends.slice(first)), mode === 'constant' ? { mode, value } : { mode })];
};

const MAX_POOLS = [maxPool1d, maxPool2d, maxPool3d];
const AVG_POOLS = [avgPool1d, avgPool2d, avgPool3d];
const LP_POOLS = [lpPool1d, lpPool2d, lpPool3d];

function poolWindow(inputs: Parameters<OpFn>[0], ctx: OpContext): { x: Tensor; w: Window; n: number } {
  const x = spatialInput(inputs, ctx);
  const kernel = ctx.attrs.ints('kernel_shape');
  if (!kernel) throw new TensorError(`${ctx.where}: kernel_shape is required`);
  const w = windowOf(ctx, x.shape.slice(2), kernel);
  // As onnxruntime: a pad as wide as the window would make windows of padding only (NaN or -Infinity outputs).
  if (w.begins.some((b, i) => b >= kernel[i]! || w.ends[i]! >= kernel[i]!)) {
    throw new TensorError(`${ctx.where}: pads [${[...w.begins, ...w.ends].join(', ')}] must be smaller than kernel_shape [${kernel.join(', ')}]`);
  }
  return { x, w, n: x.ndim - 2 };
}

const MaxPool: OpFn = (inputs, ctx) => {
  if (ctx.outputs > 1) throw new TensorError(`${ctx.where}: the Indices output is not supported`);
  const { x, w, n } = poolWindow(inputs, ctx);
  const ceilMode = ctx.attrs.int('ceil_mode', 0) === 1;
  const sym = symmetric(w) && w.begins.every((p, i) => 2 * p <= w.kernel[i]!);
  const input = sym ? x : padExplicit(x, w, -Infinity, ctx);
  return [MAX_POOLS[n - 1]!(input, w.kernel, { stride: w.strides, padding: sym ? w.begins : 0, dilation: w.dilations, ceilMode })];
};

const AveragePool: OpFn = (inputs, ctx) => {
  const { x, w, n } = poolWindow(inputs, ctx);
  const ceilMode = ctx.attrs.int('ceil_mode', 0) === 1;
  const countIncludePad = ctx.attrs.int('count_include_pad', 0) === 1;
  if (w.dilations.some((d) => d !== 1)) throw new TensorError(`${ctx.where}: dilations other than 1 are not supported for AveragePool`);
  const sym = symmetric(w) && w.begins.every((p, i) => 2 * p <= w.kernel[i]!);
  const pool = AVG_POOLS[n - 1]!;
  if (sym) return [pool(x, w.kernel, { stride: w.strides, padding: w.begins, ceilMode, countIncludePad })];
  const sumLike = (t: Tensor) => pool(padExplicit(t, w, 0, ctx), w.kernel, { stride: w.strides, padding: 0, ceilMode, countIncludePad: true });
  if (countIncludePad) return [sumLike(x)];
  // Asymmetric pads (auto_pad SAME_*) that the padding must not count: window sums of x over window counts of
  // real elements (a padded mask of ones); both averages share a divisor, which cancels.
  const mask = filled([1, 1, ...x.shape.slice(2)], 1, { dtype: x.dtype });
  return [E.div(sumLike(x), sumLike(mask))];
};

const LpPool: OpFn = (inputs, ctx) => {
  const { x, w, n } = poolWindow(inputs, ctx);
  if (w.dilations.some((d) => d !== 1)) throw new TensorError(`${ctx.where}: dilations other than 1 are not supported for LpPool`);
  const p = ctx.attrs.int('p', 2);
  // ONNX pools |x|^p; PyTorch's lp_pool raises x itself to p, which differs for odd p on negative inputs.
  const abs = p % 2 === 0 ? x : E.abs(x);
  // Zero padding adds |0|^p = 0 to a window's sum, so pads (any, asymmetric too) are an explicit zero pad.
  // ceil_mode likewise: windows that run past the end get zeros (PyTorch's lp_pool would rescale a partial
  // window's sum by kernel size / in-bounds count instead), so the ends grow until floor mode gives the ceil count.
  if (ctx.attrs.int('ceil_mode', 0) === 1) {
    x.shape.slice(2).forEach((size, i) => {
      const [k, st, b] = [w.kernel[i]!, w.strides[i]!, w.begins[i]!];
      const total = size + b + w.ends[i]!;
      if (total < k) return;
      let out = Math.ceil((total - k) / st) + 1;
      if ((out - 1) * st >= size + b) out--; // the last window must start inside the input or its left pad
      w.ends[i]! += Math.max(0, (out - 1) * st + k - total);
    });
  }
  const input = w.begins.some((b, i) => b !== 0 || w.ends[i] !== 0) ? padExplicit(abs, w, 0, ctx) : abs;
  return [LP_POOLS[n - 1]!(input, p, w.kernel, { stride: w.strides })];
};

function globalPool(fn: (x: Tensor, dims: number[]) => Tensor): OpFn {
  return (inputs, ctx) => {
    const x = floatTensor(need(inputs, 0, 'X', ctx), 'X', ctx);
    if (x.ndim < 3) throw new TensorError(`${ctx.where}: expected an input [N, C, spatial...] (got ${fmtShape(x.shape)})`);
    return [fn(x, x.shape.slice(2).map((_, i) => i + 2))];
  };
}

/** Per-channel parameter input `i` as a tensor. */
const param = (inputs: Parameters<OpFn>[0], i: number, what: string, x: Tensor, ctx: OpContext): Tensor => toTensor(need(inputs, i, what, ctx), x);

const BatchNormalization: OpFn = (inputs, ctx) => {
  if (ctx.outputs > 1) throw new TensorError(`${ctx.where}: the running-mean/var outputs (training_mode=1 graphs) are not supported; tensorgrad updates the buffers itself in train mode`);
  const x = floatTensor(need(inputs, 0, 'X', ctx), 'X', ctx);
  const [scale, bias, runMean, runVar] = [1, 2, 3, 4].map((i) => param(inputs, i, ['scale', 'B', 'input_mean', 'input_var'][i - 1]!, x, ctx));
  const eps = ctx.attrs.float('epsilon', 1e-5);
  const momentum = 1 - ctx.attrs.float('momentum', 0.9);
  return [batchNorm(x, runMean!, runVar!, scale, bias, { training: ctx.training, momentum, eps })];
};

const LayerNormalization: OpFn = (inputs, ctx) => {
  if (ctx.outputs > 1) throw new TensorError(`${ctx.where}: the Mean/InvStdDev outputs are not supported`);
  const x = floatTensor(need(inputs, 0, 'X', ctx), 'X', ctx);
  const axis = axisOf(ctx.attrs.int('axis', -1), x.ndim, ctx);
  const scale = param(inputs, 1, 'Scale', x, ctx);
  const bias = inputs[2] === undefined ? null : toTensor(inputs[2], x);
  const shape = x.shape.slice(axis);
  const fit = (t: Tensor | null) => (t && t.shape.join() !== shape.join() && t.numel() === product(shape) ? reshape(t, shape) : t);
  return [layerNorm(x, shape, fit(scale), fit(bias), { eps: ctx.attrs.float('epsilon', 1e-5) })];
};

const GroupNormalization: OpFn = (inputs, ctx) => {
  const x = floatTensor(need(inputs, 0, 'X', ctx), 'X', ctx);
  const groups = ctx.attrs.int('num_groups', 0);
  const c = x.shape[1] ?? 0;
  if (!(groups >= 1) || c % groups !== 0) throw new TensorError(`${ctx.where}: num_groups ${groups} must divide the ${c} channels of ${fmtShape(x.shape)}`);
  // Opset 18 gives scale/bias per group; opset 21 per channel. Per-group values repeat over their channels.
  const perChannel = (t: Tensor): Tensor => {
    if (t.numel() === c) return reshape(t, [c]);
    if (t.numel() !== groups) throw new TensorError(`${ctx.where}: scale/bias ${fmtShape(t.shape)} must have ${c} (per channel) or ${groups} (per group) values`);
    return reshape(reshape(t, [groups, 1]).expand([groups, c / groups]), [c]);
  };
  const scale = perChannel(param(inputs, 1, 'scale', x, ctx));
  const bias = perChannel(param(inputs, 2, 'bias', x, ctx));
  return [groupNorm(x, groups, scale, bias, { eps: ctx.attrs.float('epsilon', 1e-5) })];
};

const InstanceNormalization: OpFn = (inputs, ctx) => {
  const x = floatTensor(need(inputs, 0, 'input', ctx), 'input', ctx);
  return [instanceNorm(x, null, null, param(inputs, 1, 'scale', x, ctx), param(inputs, 2, 'B', x, ctx), { eps: ctx.attrs.float('epsilon', 1e-5) })];
};

const LRN: OpFn = (inputs, ctx) => {
  const x = floatTensor(need(inputs, 0, 'X', ctx), 'X', ctx);
  const size = ctx.attrs.int('size', 0);
  const lrn = (t: Tensor) => localResponseNorm(t, size, { alpha: ctx.attrs.float('alpha', 1e-4), beta: ctx.attrs.float('beta', 0.75), k: ctx.attrs.float('bias', 1) });
  // ONNX sums channels c - floor((size-1)/2) .. c + ceil((size-1)/2); PyTorch's window is the mirror image
  // (c - floor(size/2) .. c + floor((size-1)/2)). They agree for odd sizes; an even size runs on flipped channels.
  return [size % 2 === 1 || x.ndim < 3 ? lrn(x) : flip(lrn(flip(x, 1)), 1)];
};

const Dropout: OpFn = (inputs, ctx) => {
  if (ctx.outputs > 1) throw new TensorError(`${ctx.where}: the mask output is not supported`);
  const x = need(inputs, 0, 'data', ctx);
  const ratio = ctx.opset < 12 ? ctx.attrs.float('ratio', 0.5) : inputs[1] === undefined ? 0.5 : scalarOf(inputs[1], 'ratio', ctx);
  if (!ctx.training || ratio === 0) return [x];
  return [dropout(floatTensor(x, 'data', ctx), ratio, true)];
};

function act(fn: (x: Tensor, ctx: OpContext) => Tensor): OpFn {
  return (inputs, ctx) => [fn(floatTensor(need(inputs, 0, 'X', ctx), 'X', ctx), ctx)];
}

/** Softmax/LogSoftmax: opset 13+ along `axis` (default -1); older opsets over the flattened dims from `axis` (default 1). */
function softmaxLike(fn: (x: Tensor, dim: number) => Tensor): OpFn {
  return act((x, ctx) => {
    if (ctx.opset >= 13) return fn(x, axisOf(ctx.attrs.int('axis', -1), x.ndim, ctx));
    const axis = axisOf(ctx.attrs.int('axis', 1), x.ndim, ctx);
    const flat = reshape(x, [product(x.shape.slice(0, axis)), product(x.shape.slice(axis))]);
    return reshape(fn(flat, 1), x.shape);
  });
}

const SELU_ALPHA = 1.67326319217681884765625, SELU_GAMMA = 1.05070102214813232421875;

const PRelu: OpFn = (inputs, ctx) => {
  const x = floatTensor(need(inputs, 0, 'X', ctx), 'X', ctx);
  const slope = toTensor(need(inputs, 1, 'slope', ctx), x);
  // relu(x) - slope * relu(-x): gradients reach both x and slope, with ONNX's broadcasting of slope.
  return [E.sub(A.relu(x), E.mul(slope, A.relu(E.neg(x))))];
};

export const NN_OPS: Record<string, OpFn> = {
  Conv, ConvTranspose, Pad, MaxPool, AveragePool, LpPool,
  GlobalAveragePool: globalPool((x, dims) => mean(x, dims, true)),
  GlobalMaxPool: globalPool((x, dims) => amax(x, dims, true)),
  BatchNormalization, LayerNormalization, GroupNormalization, InstanceNormalization, LRN, Dropout, PRelu,
  Relu: act((x) => A.relu(x)),
  LeakyRelu: act((x, c) => A.leakyRelu(x, c.attrs.float('alpha', 0.01))),
  Elu: act((x, c) => A.elu(x, c.attrs.float('alpha', 1))),
  Selu: act((x, c) => {
    const alpha = c.attrs.float('alpha', SELU_ALPHA), gamma = c.attrs.float('gamma', SELU_GAMMA);
    return Math.abs(alpha - SELU_ALPHA) < 1e-6 && Math.abs(gamma - SELU_GAMMA) < 1e-6 ? A.selu(x) : E.mul(A.elu(x, alpha), gamma);
  }),
  Sigmoid: act((x) => A.sigmoid(x)),
  Tanh: act((x) => A.tanh(x)),
  Softplus: act((x) => A.softplus(x)),
  Gelu: act((x, c) => {
    const approx = c.attrs.string('approximate', 'none');
    if (approx !== 'none' && approx !== 'tanh') throw new TensorError(`${c.where}: unknown approximate '${approx}'`);
    return A.gelu(x, approx);
  }),
  HardSigmoid: act((x, c) => E.clamp(E.add(E.mul(x, c.attrs.float('alpha', 0.2)), c.attrs.float('beta', 0.5)), 0, 1)),
  HardSwish: act((x) => A.hardswish(x)),
  Celu: act((x, c) => celu(x, c.attrs.float('alpha', 1))),
  Mish: act((x) => A.mish(x)),
  Softsign: act((x) => A.softsign(x)),
  // x where x > alpha, else 0 (the mask is a constant of the forward: no gradient to alpha).
  ThresholdedRelu: act((x, c) => E.where(E.gt(x, c.attrs.float('alpha', 1)), x, 0)),
  Softmax: softmaxLike(A.softmax),
  LogSoftmax: softmaxLike(A.logSoftmax),
};
