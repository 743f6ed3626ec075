/**
 * ONNX emitters for tg.nn's leaf layers: each writes the layer's eval-mode
 * forward as standard ONNX nodes (Conv, Gemm, BatchNormalization, ...), with
 * decompositions where opset 17 has no op (GELU, SiLU, Mish, Softplus with
 * beta/threshold, GroupNorm, LRN of even size, LPPool, adaptive pooling that
 * no pool can express; Upsample is Resize, export-resize.ts). The tracer (export-trace.ts) calls {@link moduleEmitter}
 * before running a module's forward: a layer with an emitter is one node
 * group; any other module is transparent and its tensor ops are traced.
 */
import { TensorError, fmtShape } from '../core/errors.js';
import type { Module } from '../nn/module.js';
import type { Tensor } from '../tensor/tensor.js';
import { ConvNd, ConvTransposeNd } from '../nn/layers/conv.js';
import { Linear } from '../nn/layers/linear.js';
import * as Pool from '../nn/layers/pool.js';
import { BatchNorm1d, BatchNorm2d, BatchNorm3d, LayerNorm, GroupNorm, LocalResponseNorm } from '../nn/layers/norm.js';
import { Dropout, Dropout1d, Dropout2d, Dropout3d, AlphaDropout } from '../nn/layers/dropout.js';
import * as Act from '../nn/layers/activation.js';
import { PReLU, CELU, Softmin } from '../nn/layers/activation-more.js';
import { Identity, Flatten } from '../nn/layers/container.js';
import * as Pad from '../nn/layers/padding.js';
import { perDim, resolvePadding } from '../ops/conv-args.js';
import { reshapeTarget, type BatchInfo, type EmitContext, type OnnxGraph, type Value } from './export-graph.js';
export type { EmitContext } from './export-graph.js';
import { padValue, type OnnxPadMode } from './export-pad.js';
import { emitGelu, emitSoftplus } from './export-activations.js';
import { emitUpsample } from './export-resize.js';
import { Upsample } from '../nn/layers/upsample.js';


/** An emitter's result: the output name, and where its batch dim is when it is not the input's. */
export type Emitted = string | { name: string; batch: BatchInfo };

export type ModuleEmitter = (ctx: EmitContext, m: Module, x: Value, out: Tensor) => Emitted;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Ctor<M extends Module = Module> = abstract new (...args: any[]) => M;
const EMITTERS: [Ctor, ModuleEmitter][] = [];
const on = <M extends Module>(ctor: Ctor<M>, fn: (ctx: EmitContext, m: M, x: Value, out: Tensor) => Emitted) =>
  EMITTERS.push([ctor as Ctor, fn as ModuleEmitter]);

/**
 * The emitter for a layer, or null for modules whose forward is traced op by
 * op (containers, user modules, layers without one). A subclass that
 * overrides forward is traced too: its forward may do more than the layer's.
 * @example moduleEmitter(new nn.ReLU()) // emits Relu
 */
export function moduleEmitter(m: Module): ModuleEmitter | null {
  for (const [ctor, fn] of EMITTERS) {
    if (m instanceof ctor && Object.getPrototypeOf(m).forward === findForward(ctor)) return fn;
  }
  return null;
}

/** The forward a layer class defines or inherits (to tell it from a subclass's own). */
function findForward(ctor: Ctor): unknown {
  return (ctor.prototype as Module).forward;
}

/** Checks an N-d layer got `[N, C, *spatial]` with n spatial dims (the batched form ONNX needs). */
function requireBatched(ctx: EmitContext, x: Value, n: number): void {
  if (x.shape.length !== n + 2) {
    throw new TensorError(`${ctx.where}: expected a batched ${n + 2}-D input [N, C, ...] (got ${fmtShape(x.shape)}); export the batched form`);
  }
}

const spatialDims = (m: Module): number => Number(/(\d)d$/.exec(m.constructor.name)?.[1] ?? NaN);

// ---- linear and convolution ------------------------------------------------------

on(Linear, (ctx, m, x) => {
  const { g } = ctx;
  const w = ctx.tensor(m.weight);
  if (x.shape.length === 2) return g.op('Gemm', m.bias ? [x.name, w, ctx.tensor(m.bias)] : [x.name, w], { transB: { i: 1 } });
  const y = g.op('MatMul', [x.name, g.op('Transpose', [w], { perm: { ints: [1, 0] } })]);
  return m.bias ? g.op('Add', [y, ctx.tensor(m.bias)]) : y;
});

on(ConvNd, (ctx, m, x) => {
  const { g } = ctx;
  const n = m.n;
  requireBatched(ctx, x, n);
  const name = m.constructor.name;
  const s = perDim(name, 'stride', m.stride, n, 1, 1);
  const d = perDim(name, 'dilation', m.dilation, n, 1, 1);
  const sides = resolvePadding(name, m.padding, n, m.kernelSize, d, s);
  let input = x.name;
  let pads = [...sides.before, ...sides.after];
  if (m.paddingMode !== 'zeros') {
    input = padValue(g, x, [0, 0, ...sides.before], [0, 0, ...sides.after], m.paddingMode as OnnxPadMode, 0, ctx.where);
    pads = pads.map(() => 0);
  }
  const inputs = [input, ctx.tensor(m.weight), ...(m.bias ? [ctx.tensor(m.bias)] : [])];
  return g.op('Conv', inputs, {
    kernel_shape: { ints: m.kernelSize }, strides: { ints: s }, dilations: { ints: d }, pads: { ints: pads }, group: { i: m.groups },
  });
});

on(ConvTransposeNd, (ctx, m, x) => {
  const n = m.n;
  requireBatched(ctx, x, n);
  const name = m.constructor.name;
  const o = m.opts;
  const p = perDim(name, 'padding', o.padding, n, 0, 0);
  const inputs = [x.name, ctx.tensor(m.weight), ...(m.bias ? [ctx.tensor(m.bias)] : [])];
  return ctx.g.op('ConvTranspose', inputs, {
    kernel_shape: { ints: m.kernelSize },
    strides: { ints: perDim(name, 'stride', o.stride, n, 1, 1) },
    dilations: { ints: perDim(name, 'dilation', o.dilation, n, 1, 1) },
    pads: { ints: [...p, ...p] },
    output_padding: { ints: perDim(name, 'outputPadding', o.outputPadding, n, 0, 0) },
    group: { i: o.groups ?? 1 },
  });
});

// ---- pooling --------------------------------------------------------------------

/** kernel_shape / strides / pads of a strided pool layer. */
function poolGeometry(m: Module & { kernelSize: unknown; opts: { stride?: unknown; padding?: unknown } }, n: number) {
  const name = m.constructor.name;
  const k = perDim(name, 'kernelSize', m.kernelSize as number, n, 1, 1);
  const s = m.opts.stride == null ? k : perDim(name, 'stride', m.opts.stride as number, n, 1, 1);
  const p = perDim(name, 'padding', m.opts.padding as number | undefined, n, 0, 0);
  return { k, s, pads: [...p, ...p] };
}

for (const ctor of [Pool.MaxPool1d, Pool.MaxPool2d, Pool.MaxPool3d]) {
  on(ctor, (ctx, m, x, out) => {
    const n = spatialDims(m);
    requireBatched(ctx, x, n);
    const { k, s, pads } = poolGeometry(m, n);
    const d = perDim(m.constructor.name, 'dilation', m.opts.dilation, n, 1, 1);
    let ceil = m.opts.ceilMode ? 1 : 0;
    if (ceil) {
      // Runtimes differ on ceil mode's last window (PyTorch drops one that starts in the end
      // padding; the ONNX shape formula did not until onnx 1.16). Padding the end up to the
      // output size instead gives floor mode the same windows everywhere; padded cells never
      // win a max. ORT wants pads < kernel, else ceil_mode stays.
      const ends = x.shape.slice(2).map((size, i) => Math.max(pads[n + i]!, (out.shape[2 + i]! - 1) * s[i]! + (k[i]! - 1) * d[i]! + 1 - size - pads[i]!));
      if (ends.every((e, i) => e < k[i]!)) {
        ends.forEach((e, i) => (pads[n + i] = e));
        ceil = 0;
      }
    }
    return ctx.g.op('MaxPool', [x.name], {
      kernel_shape: { ints: k }, strides: { ints: s }, pads: { ints: pads }, dilations: { ints: d }, ceil_mode: { i: ceil },
    });
  });
}

/**
 * PyTorch's average pool as Pad + AveragePool(count_include_pad 0) in floor mode: the
 * real padding (when counted) becomes zeros of the input, and ceil mode's last
 * windows come from extra end padding that is not counted, which is exactly
 * PyTorch's divisor (the window clipped to input + padding), on any runtime.
 * Falls back to ceil_mode = 1 when the extra padding would reach a kernel size.
 */
function averagePool(g: OnnxGraph, x: Value, outSpatial: readonly number[], k: number[], s: number[], pads: number[], includePad: boolean, ceilMode: boolean): string {
  const n = k.length;
  let input = x.name;
  let before = pads.slice(0, n), after = pads.slice(n);
  let inSize = x.shape.slice(2);
  if (includePad && pads.some((p) => p > 0)) {
    input = g.op('Pad', [x.name, g.int64([0, 0, ...before, 0, 0, ...after]), g.scalar(0, x.dtype)], { mode: { s: 'constant' } });
    inSize = inSize.map((v, i) => v + before[i]! + after[i]!);
    before = before.map(() => 0);
    after = after.map(() => 0);
  }
  let ceil = ceilMode ? 1 : 0;
  if (ceilMode) {
    const ends = inSize.map((size, i) => Math.max(after[i]!, (outSpatial[i]! - 1) * s[i]! + k[i]! - size - before[i]!));
    if (ends.every((e, i) => e < k[i]!)) {
      after = ends;
      ceil = 0;
    }
  }
  return g.op('AveragePool', [input], {
    kernel_shape: { ints: k }, strides: { ints: s }, pads: { ints: [...before, ...after] }, ceil_mode: { i: ceil }, count_include_pad: { i: 0 },
  });
}

for (const ctor of [Pool.AvgPool1d, Pool.AvgPool2d, Pool.AvgPool3d]) {
  on(ctor, (ctx, m, x, out) => {
    const { g } = ctx;
    const n = spatialDims(m);
    requireBatched(ctx, x, n);
    const { k, s, pads } = poolGeometry(m, n);
    const divisor = m.opts.divisorOverride;
    if (divisor != null && m.opts.ceilMode) {
      throw new TensorError(`${ctx.where}: divisorOverride with ceilMode has no ONNX form (partial windows change the window size)`);
    }
    const includePad = (m.opts.countIncludePad ?? true) || divisor != null;
    const y = averagePool(g, x, out.shape.slice(2), k, s, pads, includePad, !!m.opts.ceilMode);
    if (divisor == null) return y;
    // sum / divisor = mean over the full window (padding included) * numel / divisor.
    return g.op('Mul', [y, g.scalar(k.reduce((a, b) => a * b, 1) / divisor, x.dtype)]);
  });
}

for (const ctor of [Pool.LPPool1d, Pool.LPPool2d, Pool.LPPool3d]) {
  on(ctor, (ctx, m, x, out) => {
    // As PyTorch: (avgPool(x^p) * kernelNumel)^(1/p); ONNX LpPool takes |x| and differs for odd p.
    const { g } = ctx;
    const n = spatialDims(m);
    requireBatched(ctx, x, n);
    const { k, s } = poolGeometry(m as never, n);
    const powed = g.op('Pow', [x.name, g.scalar(m.normType, x.dtype)]);
    const avg = averagePool(g, { ...x, name: powed }, out.shape.slice(2), k, s, k.flatMap(() => [0, 0]), true, !!m.opts.ceilMode);
    const sum = g.op('Mul', [avg, g.scalar(k.reduce((a, b) => a * b, 1), x.dtype)]);
    return g.op('Pow', [sum, g.scalar(1 / m.normType, x.dtype)]);
  });
}

for (const ctor of [Pool.AdaptiveAvgPool1d, Pool.AdaptiveAvgPool2d, Pool.AdaptiveAvgPool3d, Pool.AdaptiveMaxPool1d, Pool.AdaptiveMaxPool2d, Pool.AdaptiveMaxPool3d]) {
  on(ctor, (ctx, m, x, out) => {
    const { g } = ctx;
    const n = spatialDims(m);
    requireBatched(ctx, x, n);
    const max = m.constructor.name.startsWith('AdaptiveMax');
    const inSize = x.shape.slice(2);
    const outSize = out.shape.slice(2);
    if (outSize.every((o) => o === 1)) return g.op(max ? 'GlobalMaxPool' : 'GlobalAveragePool', [x.name]);
    if (inSize.every((i, d) => i % outSize[d]! === 0)) {
      const k = inSize.map((i, d) => i / outSize[d]!);
      return g.op(max ? 'MaxPool' : 'AveragePool', [x.name], { kernel_shape: { ints: k }, strides: { ints: k }, pads: { ints: k.flatMap(() => [0, 0]) } });
    }
    if (!max && n <= 2) return adaptiveAvgByMatMul(g, x, inSize, outSize);
    throw new TensorError(
      `${ctx.where}: adaptive pooling ${fmtShape(inSize)} -> ${fmtShape(outSize)} has no ONNX form ` +
      `(${max ? 'max pooling needs' : '3-D average pooling needs'} input sizes divisible by the output sizes, or an output of 1)`,
    );
  });
}

/**
 * Adaptive average pooling as products with constant averaging matrices:
 * PyTorch's bin i of an axis averages [floor(i in / out), ceil((i+1) in / out)),
 * so out = A_h X A_w^T with A [out, in]; exact for any sizes (also out > in).
 */
function adaptiveAvgByMatMul(g: OnnxGraph, x: Value, inSize: number[], outSize: number[]): string {
  const matrix = (inN: number, outN: number, transpose: boolean): string => {
    const a = new Float64Array(inN * outN);
    for (let i = 0; i < outN; i++) {
      const start = Math.floor((i * inN) / outN), end = Math.ceil(((i + 1) * inN) / outN);
      for (let j = start; j < end; j++) a[transpose ? j * outN + i : i * inN + j] = 1 / (end - start);
    }
    return g.floats(a, x.dtype, transpose ? [inN, outN] : [outN, inN]);
  };
  const w = inSize.length - 1;
  let y = g.op('MatMul', [x.name, matrix(inSize[w]!, outSize[w]!, true)]);
  if (inSize.length === 2) y = g.op('MatMul', [matrix(inSize[0]!, outSize[0]!, false), y]);
  return y;
}

// ---- normalisation --------------------------------------------------------------

for (const ctor of [BatchNorm1d, BatchNorm2d, BatchNorm3d]) {
  on(ctor, (ctx, m, x) => {
    const { g } = ctx;
    if (!m.trackRunningStats) {
      throw new TensorError(`${ctx.where}: a batch norm without running statistics (trackRunningStats: false) normalises with batch statistics in eval mode, which ONNX BatchNormalization cannot express`);
    }
    const c = m.numFeatures;
    const scale = m.weight ? ctx.tensor(m.weight) : g.floats(new Float64Array(c).fill(1), x.dtype, [c]);
    const bias = m.bias ? ctx.tensor(m.bias) : g.floats(new Float64Array(c), x.dtype, [c]);
    return g.op('BatchNormalization', [x.name, scale, bias, ctx.tensor(m.runningMean!), ctx.tensor(m.runningVar!)], { epsilon: { f: m.eps } });
  });
}

on(LayerNorm, (ctx, m, x) => {
  const { g } = ctx;
  const shape = m.normalizedShape;
  const numel = shape.reduce((a, b) => a * b, 1);
  const scale = m.weight ? ctx.tensor(m.weight) : g.floats(new Float64Array(numel).fill(1), x.dtype, shape);
  const inputs = [x.name, scale, ...(m.bias ? [ctx.tensor(m.bias)] : [])];
  return g.op('LayerNormalization', inputs, { axis: { i: -shape.length }, epsilon: { f: m.opts.eps ?? 1e-5 } });
});

on(GroupNorm, (ctx, m, x) => {
  // [N, C, *] -> [N, G, C/G * prod(*)] -> InstanceNormalization (per n, group) -> back -> * weight + bias.
  const { g } = ctx;
  const G = m.numGroups, C = m.numChannels;
  if (x.shape.length < 2 || x.shape[1] !== C) throw new TensorError(`${ctx.where}: expected input [N, ${C}, *] (got ${fmtShape(x.shape)})`);
  const grouped = g.op('Reshape', [x.name, g.int64([0, G, -1])]);
  const normed = g.op('InstanceNormalization', [grouped, g.floats(new Float64Array(G).fill(1), x.dtype, [G]), g.floats(new Float64Array(G), x.dtype, [G])], {
    epsilon: { f: m.opts.eps ?? 1e-5 },
  });
  let y = g.op('Reshape', [normed, g.op('Shape', [x.name])]);
  const perChannel = g.int64([C, ...x.shape.slice(2).map(() => 1)]);
  if (m.weight) y = g.op('Mul', [y, g.op('Reshape', [ctx.tensor(m.weight), perChannel])]);
  if (m.bias) y = g.op('Add', [y, g.op('Reshape', [ctx.tensor(m.bias), perChannel])]);
  return y;
});

on(LocalResponseNorm, (ctx, m, x) => {
  const { g } = ctx;
  const { alpha = 1e-4, beta = 0.75, k = 1 } = m.opts;
  if (x.shape.length < 3) throw new TensorError(`${ctx.where}: expected an input [N, C, *] with at least 3 dims (got ${fmtShape(x.shape)})`);
  if (m.size % 2 === 1) return g.op('LRN', [x.name], { size: { i: m.size }, alpha: { f: alpha }, beta: { f: beta }, bias: { f: k } });
  // Even sizes: ONNX's window is centred the other way, so write PyTorch's definition out:
  // x / (k + alpha * avg over [c - size/2, c + size/2 - 1] of x^2)^beta.
  const c = x.shape[1]!;
  const sq = g.op('Reshape', [g.op('Mul', [x.name, x.name]), g.int64([0, 1, c, -1])]);
  const padded = g.op('Pad', [sq, g.int64([0, 0, m.size / 2, 0, 0, 0, m.size / 2 - 1, 0]), g.scalar(0, x.dtype)], { mode: { s: 'constant' } });
  const avg = g.op('AveragePool', [padded], { kernel_shape: { ints: [m.size, 1] }, strides: { ints: [1, 1] }, count_include_pad: { i: 1 } });
  const back = g.op('Reshape', [avg, g.op('Shape', [x.name])]);
  const den = g.op('Pow', [g.op('Add', [g.op('Mul', [back, g.scalar(alpha, x.dtype)]), g.scalar(k, x.dtype)]), g.scalar(beta, x.dtype)]);
  return g.op('Div', [x.name, den]);
});

on(Upsample, emitUpsample);

// ---- identity-like, shape and padding layers ------------------------------------------

for (const ctor of [Identity, Dropout, Dropout1d, Dropout2d, Dropout3d, AlphaDropout]) on(ctor, (_ctx, _m, x) => x.name);

on(Flatten, (ctx, m, x, out) => {
  const r = x.shape.length;
  const start = m.startDim < 0 ? m.startDim + r : m.startDim;
  const end = m.endDim < 0 ? m.endDim + r : m.endDim;
  if (start === 1 && end === r - 1) return ctx.g.op('Flatten', [x.name], { axis: { i: 1 } });
  if (start >= end) return x.name;
  const t = reshapeTarget(ctx.g, x, out.shape, ctx.where);
  return { name: ctx.g.op('Reshape', [x.name, ctx.g.int64(t.shape)]), batch: t.batch };
});

const PAD_LAYERS = [
  Pad.ZeroPad1d, Pad.ZeroPad2d, Pad.ZeroPad3d, Pad.ConstantPad1d, Pad.ConstantPad2d, Pad.ConstantPad3d,
  Pad.ReflectionPad1d, Pad.ReflectionPad2d, Pad.ReflectionPad3d, Pad.ReplicationPad1d, Pad.ReplicationPad2d, Pad.ReplicationPad3d,
  Pad.CircularPad1d, Pad.CircularPad2d, Pad.CircularPad3d,
];
for (const ctor of PAD_LAYERS) {
  on(ctor, (ctx, m, x) => {
    const r = x.shape.length;
    const before = new Array<number>(r).fill(0), after = new Array<number>(r).fill(0);
    for (let i = 0; i < m.padding.length / 2; i++) {
      before[r - 1 - i] = m.padding[2 * i]!;
      after[r - 1 - i] = m.padding[2 * i + 1]!;
    }
    return padValue(ctx.g, x, before, after, m.mode as OnnxPadMode, m.value, ctx.where);
  });
}

// ---- activations ------------------------------------------------------------------

const simple: [Ctor, string][] = [[Act.ReLU, 'Relu'], [Act.Sigmoid, 'Sigmoid'], [Act.Tanh, 'Tanh'], [Act.SELU, 'Selu']];
for (const [ctor, op] of simple) on(ctor, (ctx, _m, x) => ctx.g.op(op, [x.name]));
on(Act.LeakyReLU, (ctx, m, x) => ctx.g.op('LeakyRelu', [x.name], { alpha: { f: m.negativeSlope } }));
on(Act.ELU, (ctx, m, x) => ctx.g.op('Elu', [x.name], { alpha: { f: m.alpha } }));
on(CELU, (ctx, m, x) => ctx.g.op('Celu', [x.name], { alpha: { f: m.alpha } }));
on(Act.GELU, (ctx, m, x) => emitGelu(ctx.g, x, m.approximate));
on(Act.Softplus, (ctx, m, x) => emitSoftplus(ctx.g, x, m.beta, m.threshold));
on(Act.SiLU, (ctx, _m, x) => ctx.g.op('Mul', [x.name, ctx.g.op('Sigmoid', [x.name])]));
on(Act.Mish, (ctx, _m, x) => ctx.g.op('Mul', [x.name, ctx.g.op('Tanh', [emitSoftplus(ctx.g, x, 1, 20)])]));
on(Act.Hardtanh, (ctx, m, x) => ctx.g.op('Clip', [x.name, ctx.g.scalar(m.minVal, x.dtype), ctx.g.scalar(m.maxVal, x.dtype)]));
on(Act.ReLU6, (ctx, _m, x) => ctx.g.op('Clip', [x.name, ctx.g.scalar(0, x.dtype), ctx.g.scalar(6, x.dtype)]));
on(Act.Softmax, (ctx, m, x) => ctx.g.op('Softmax', [x.name], { axis: { i: m.dim } }));
on(Act.LogSoftmax, (ctx, m, x) => ctx.g.op('LogSoftmax', [x.name], { axis: { i: m.dim } }));
on(Softmin, (ctx, m, x) => ctx.g.op('Softmax', [ctx.g.op('Neg', [x.name])], { axis: { i: m.dim } }));
on(PReLU, (ctx, m, x) => {
  // ONNX broadcasts the slope from the right: [C] must become [C, 1, ...] for [N, C, *].
  const { g } = ctx;
  const c = m.weight.numel();
  let slope = ctx.tensor(m.weight);
  if (c > 1 && x.shape.length > 2) slope = g.op('Reshape', [slope, g.int64([c, ...x.shape.slice(2).map(() => 1)])]);
  return g.op('PRelu', [x.name, slope]);
});
