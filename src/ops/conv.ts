import { convPool2x2Params, type ConvParams } from '../backend/backend.js';
import { isGradEnabled } from '../autograd/engine.js';
import { Tensor } from '../tensor/tensor.js';
import { dense } from './movement.js';
import { maxPool2d } from './pool.js';
import { promoteTypes } from '../tensor/dtype.js';
import { TensorError, check, fmtShape } from '../tensor/errors.js';
import { describeArg } from '../tensor/args.js';
import { convPrim, convReluPoolPrim, convTransposePrim } from './conv-prims.js';
import {
  checkGroups, convCall, perDim, resolvePadding, to3,
  type ConvFnArgs, type ConvOptions, type ConvTransposeFnArgs, type ConvTransposeOptions, type SizeArg,
} from './conv-args.js';
import { requireFloat, sameBackend } from './core.js';
import { add, cast } from './elementwise.js';
import { reshape } from './movement.js';

export { convOutputSize, convTransposeOutputSize } from './conv-args.js';
export type { ConvOptions, ConvTransposeOptions, ConvPadding, SizeArg, ConvFnArgs, ConvTransposeFnArgs } from './conv-args.js';

/*
 * User-facing convolutions. Each one validates its arguments, expresses the
 * geometry as ConvParams (always 3 spatial dims: 1-D/2-D use size-1 leading
 * dims), reshapes input and weight to 5-D, calls a recorded primitive from
 * conv-prims.ts and reshapes back. Gradients come from the primitives' rules.
 */

const SPATIAL_NAMES = [[], ['L'], ['H', 'W'], ['D', 'H', 'W']] as const;

/** Checks `n` and returns the op's name for messages (`conv2d`, `convTranspose3d`). */
function opName(base: 'conv' | 'convTranspose', n: number): string {
  if (n !== 1 && n !== 2 && n !== 3) throw new TensorError(`${base}Nd: n must be 1, 2 or 3 (got ${describeArg(n)})`);
  return `${base}${n}d`;
}

/** What both convolution kinds share after validation: 5-D operands in one dtype. */
interface Prepared {
  x: Tensor; // [N, C, ...1s, ...spatial]
  w: Tensor; // [W0, W1, ...1s, ...k]
  bias: Tensor | null;
  unbatched: boolean;
  batch: number;
  channels: number;
  spatial: number[];
  kernel: number[];
  groups: number;
  /** `(input [..], weight [..], groups g)`, appended to messages. */
  ctx: string;
}

/** Rank, dtype, backend, groups and zero-size checks common to conv and convTranspose. */
function prepare(
  op: string, n: number, input: Tensor, weight: Tensor, bias: Tensor | null | undefined,
  groupsArg: number | undefined, weightDims: string,
): Prepared {
  const names = SPATIAL_NAMES[n]!.join(',');
  check(input.ndim === n + 1 || input.ndim === n + 2, op, () =>
    `input must be ${n + 1}-D [C,${names}] (unbatched) or ${n + 2}-D [N,C,${names}] (got ${fmtShape(input.shape)})`);
  check(weight.ndim === n + 2, op, () =>
    `weight must be ${n + 2}-D [${weightDims},${SPATIAL_NAMES[n]!.map((s) => `k${s}`).join(',')}] (got ${fmtShape(weight.shape)})`);
  const b = bias ?? null;
  requireFloat(op, input, weight, ...(b ? [b] : []));
  sameBackend(op, input, weight, ...(b ? [b] : []));
  const groups = checkGroups(op, groupsArg);
  const ctx = `(input ${fmtShape(input.shape)}, weight ${fmtShape(weight.shape)}, groups ${groups})`;

  const unbatched = input.ndim === n + 1;
  const shape = unbatched ? [1, ...input.shape] : [...input.shape];
  const spatial = shape.slice(2);
  const kernel = weight.shape.slice(2);
  check(spatial.every((s) => s > 0), op, () => `input has a zero-size spatial dim ${ctx}`);
  check(kernel.every((s) => s > 0), op, () => `weight has a zero-size kernel dim ${ctx}`);

  // Mixed float32/float64 operands compute in the wider dtype.
  const dt = [weight, ...(b ? [b] : [])].reduce((d, t) => promoteTypes(d, t.dtype), input.dtype);
  const ones = new Array<number>(3 - n).fill(1);
  return {
    x: reshape(cast(input, dt), [shape[0]!, shape[1]!, ...ones, ...spatial]),
    w: reshape(cast(weight, dt), [weight.shape[0]!, weight.shape[1]!, ...ones, ...kernel]),
    bias: b && cast(b, dt),
    unbatched,
    batch: shape[0]!,
    channels: shape[1]!,
    spatial,
    kernel,
    groups,
    ctx,
  };
}

/** Bias must be `[outChannels]`. */
function checkBias(op: string, p: Prepared, outChannels: number): void {
  const b = p.bias;
  if (b) check(b.ndim === 1 && b.shape[0] === outChannels, op, () => `bias must have shape [${outChannels}] (got ${fmtShape(b.shape)}) ${p.ctx}`);
}

/**
 * Reshapes the 5-D primitive result back to n spatial dims, adds the bias
 * (unless the primitive did), drops an added batch dim.
 */
function finish(p: Prepared, y5: Tensor, outChannels: number, outSpatial: number[], biasAdded = false): Tensor {
  let y = reshape(y5, [p.batch, outChannels, ...outSpatial]);
  if (p.bias && !biasAdded) y = add(y, reshape(p.bias, [1, outChannels, ...outSpatial.map(() => 1)]));
  return p.unbatched ? reshape(y, y.shape.slice(1)) : y;
}

/**
 * N-d convolution (cross-correlation, as in PyTorch) for n = 1, 2 or 3.
 *
 * Shapes: input `[N, Cin, ...in]` (or unbatched `[Cin, ...in]`), weight
 * `[Cout, Cin/groups, ...k]`, bias `[Cout]` -> `[N, Cout, ...out]` (unbatched:
 * `[Cout, ...out]`) with `out = floor((in + before + after − d(k−1) − 1) / s) + 1`.
 * Padding forms are described at {@link ConvPadding}; per-side arrays are
 * `[before_0, after_0, before_1, after_1, ...]` in dim order.
 * Float inputs only; float32 with float64 computes in float64.
 * @example F.convNd(2, tg.randn([1, 3, 8, 8]), tg.randn([4, 3, 3, 3]), null, { padding: 'same' }) // [1,4,8,8]
 */
export function convNd(n: number, input: Tensor, weight: Tensor, bias?: Tensor | null, opts: ConvOptions = {}): Tensor {
  return convNdFused(n, ...convCall(opName('conv', n), [...arguments].slice(1), false), false);
}

/**
 * `relu(convNd(n, input, weight, bias, opts))` computed in one pass (bias and
 * ReLU applied as each output tile is stored; the backward masks and sums
 * the gradient in one pass too). Same shapes and errors as {@link convNd};
 * nn.Sequential uses it for a convolution followed by a ReLU module.
 * @example F.convNdRelu(2, tg.randn([1, 3, 8, 8]), tg.randn([4, 3, 3, 3]), tg.zeros([4])) // [1,4,6,6], all >= 0
 */
export function convNdRelu(n: number, input: Tensor, weight: Tensor, bias?: Tensor | null, opts: ConvOptions = {}): Tensor {
  return convNdFused(n, ...convCall(opName('conv', n), [...arguments].slice(1), false), true);
}

/**
 * `F.maxPool2d(F.relu(F.conv2d(input, weight, bias, opts)), 2)` (2×2 windows,
 * stride 2, floor) in one pass per image: the pooling runs on each image's
 * convolution while it is in the thread's cache. At inference no indices are
 * made; with gradients the pooled output and the indices are saved, and the
 * backward masks and sums the gradient at the pooled size before scattering
 * it to the maxima. nn.Sequential uses it for Conv2d, ReLU, MaxPool2d(2).
 * @example tg.noGrad(() => F.conv2dReluMaxPool2x2(tg.randn([8, 1, 28, 28]), tg.randn([6, 1, 5, 5]), tg.zeros([6]), { padding: 2 })) // [8,6,14,14]
 */
export function conv2dReluMaxPool2x2(input: Tensor, weight: Tensor, bias?: Tensor | null, opts: ConvOptions = {}): Tensor {
  return convNdFused(2, ...convCall('conv2dReluMaxPool2x2', arguments, false), true, true);
}

function convNdFused(
  n: number, input: Tensor, weight: Tensor, bias: Tensor | null | undefined, opts: ConvOptions, relu: boolean, pool2x2 = false,
): Tensor {
  const op = opName('conv', n);
  const p = prepare(op, n, input, weight, bias, opts.groups, 'Cout,Cin/groups');
  const { groups: g, channels: C, ctx } = p;
  const Cout = weight.shape[0]!;
  check(Cout % g === 0, op, () => `weight has ${Cout} output channels, not divisible by groups ${g} ${ctx}`);
  check(C % g === 0, op, () => `input has ${C} channels, not divisible by groups ${g} ${ctx}`);
  check(C === weight.shape[1]! * g, op, () => `input has ${C} channels but weight expects ${weight.shape[1]! * g} ${ctx}`);
  checkBias(op, p, Cout);

  const stride = perDim(op, 'stride', opts.stride, n, 1, 1);
  const dilation = perDim(op, 'dilation', opts.dilation, n, 1, 1);
  const pad = resolvePadding(op, opts.padding, n, p.kernel, dilation, stride);
  const out = p.spatial.map((len, i) => {
    const padded = len + pad.before[i]! + pad.after[i]!;
    const span = dilation[i]! * (p.kernel[i]! - 1) + 1;
    check(span <= padded, op, () =>
      `kernel size ${span} (dilated) is larger than padded input ${padded} along spatial dim ${i} ` +
      `(size ${len}, padding ${pad.before[i]}+${pad.after[i]}, kernel ${p.kernel[i]}, dilation ${dilation[i]}) ${ctx}`);
    return Math.floor((padded - span) / stride[i]!) + 1;
  });

  const params: ConvParams = {
    batch: p.batch, inChannels: C, outChannels: Cout, groups: g,
    inSize: to3(p.spatial, 1), kernelSize: to3(p.kernel, 1), outSize: to3(out, 1),
    // Only the padding before is passed: the padding after is implied by outSize.
    stride: to3(stride, 1), padding: to3(pad.before, 0), dilation: to3(dilation, 1),
  };
  if (pool2x2 && out.some((o) => o < 2)) {
    // Nothing to pool: the composition reports it as maxPool2d does.
    return maxPool2d(finish(p, convPrim(p.x, p.w, params, { bias: p.bias, relu }), Cout, out, true), 2);
  }
  if (pool2x2 && isGradEnabled() && [p.x, p.w, p.bias].some((t) => t?.requiresGrad)) {
    // Training: the fused primitive with the pooling's indices, recorded.
    return finish(p, convReluPoolPrim(p.x, p.w, params, p.bias), Cout, out.map((o) => Math.floor(o / 2)), true);
  }
  if (pool2x2) {
    // Inference: nothing to record, no indices.
    const pp = convPool2x2Params(params);
    const xc = dense(p.x), wc = dense(p.w), bc = p.bias && dense(p.bias);
    const s = xc.backend.conv(xc._storage, wc._storage, params, { bias: bc ? bc._storage : null, relu: true, pool2x2: true });
    const y5 = Tensor._fromStorage(s, [p.batch, Cout, ...pp.outSize], xc.dtype);
    return finish(p, y5, Cout, out.map((o) => Math.floor(o / 2)), true);
  }
  return finish(p, convPrim(p.x, p.w, params, { bias: p.bias, relu }), Cout, out, true);
}

/**
 * 1-D convolution: input `[N, Cin, L]` or `[Cin, L]`, weight `[Cout, Cin/groups, k]`, bias `[Cout]`.
 * @example F.conv1d(tg.randn([2, 4, 10]), tg.randn([8, 4, 3]), null, { padding: 1 }) // [2,8,10]
 */
export function conv1d(input: Tensor, weight: Tensor, bias?: Tensor | null, ...options: ConvFnArgs): Tensor {
  return convNdFused(1, ...convCall('conv1d', [input, weight, bias, ...options], false), false);
}

/**
 * 2-D convolution: input `[N, Cin, H, W]` or `[Cin, H, W]`, weight `[Cout, Cin/groups, kH, kW]`, bias `[Cout]`.
 * @example F.conv2d(tg.randn([8, 3, 32, 32]), tg.randn([6, 3, 5, 5]), null, { stride: 2, padding: 2 }) // [8,6,16,16]
 */
export function conv2d(input: Tensor, weight: Tensor, bias?: Tensor | null, ...options: ConvFnArgs): Tensor {
  return convNdFused(2, ...convCall('conv2d', [input, weight, bias, ...options], false), false);
}

/**
 * 3-D convolution: input `[N, Cin, D, H, W]` or `[Cin, D, H, W]`, weight `[Cout, Cin/groups, kD, kH, kW]`, bias `[Cout]`.
 * @example F.conv3d(tg.randn([1, 2, 4, 8, 8]), tg.randn([4, 2, 3, 3, 3]), null, { padding: 1 }) // [1,4,4,8,8]
 */
export function conv3d(input: Tensor, weight: Tensor, bias?: Tensor | null, ...options: ConvFnArgs): Tensor {
  return convNdFused(3, ...convCall('conv3d', [input, weight, bias, ...options], false), false);
}

/**
 * N-d transposed convolution (the gradient of convNd w.r.t. its input), n = 1, 2 or 3.
 *
 * Shapes: input `[N, Cin, ...in]` (or unbatched `[Cin, ...in]`), weight
 * `[Cin, Cout/groups, ...k]` (PyTorch layout), bias `[Cout]` -> `[N, Cout, ...out]` with
 * `out = (in − 1)s − 2p + d(k−1) + outputPadding + 1`. Each input element adds
 * `x · w[tap]` to output position `i·s − p + tap·d` (positions outside are dropped).
 * `outputPadding` must be smaller than stride or dilation (PyTorch's rule).
 * @example F.convTranspose2d(tg.randn([1, 8, 16, 16]), tg.randn([8, 4, 4, 4]), null, { stride: 2, padding: 1 }) // [1,4,32,32]
 */
export function convTransposeNd(n: number, input: Tensor, weight: Tensor, bias?: Tensor | null, opts: ConvTransposeOptions = {}): Tensor {
  return convTransposeChecked(n, ...convCall(opName('convTranspose', n), [...arguments].slice(1), true));
}

/** convTransposeNd after convCall (the 1d/2d/3d entry points check their own calls once). */
function convTransposeChecked(n: number, input: Tensor, weight: Tensor, bias: Tensor | null, opts: ConvTransposeOptions): Tensor {
  const op = opName('convTranspose', n);
  const p = prepare(op, n, input, weight, bias, opts.groups, 'Cin,Cout/groups');
  const { groups: g, channels: C, ctx } = p;
  const Cin = weight.shape[0]!;
  const Cout = weight.shape[1]! * g;
  check(Cin % g === 0, op, () => `weight has ${Cin} input channels, not divisible by groups ${g} ${ctx}`);
  check(C === Cin, op, () => `input has ${C} channels but weight expects ${Cin} ${ctx}`);
  checkBias(op, p, Cout);

  const stride = perDim(op, 'stride', opts.stride, n, 1, 1);
  const dilation = perDim(op, 'dilation', opts.dilation, n, 1, 1);
  const padding = perDim(op, 'padding', opts.padding as SizeArg | undefined, n, 0, 0);
  const outPad = perDim(op, 'outputPadding', opts.outputPadding, n, 0, 0);
  const out = p.spatial.map((len, i) => {
    const [s, d, pd, o, k] = [stride[i]!, dilation[i]!, padding[i]!, outPad[i]!, p.kernel[i]!];
    check(o < s || o < d, op, () =>
      `outputPadding ${o} must be smaller than either stride ${s} or dilation ${d} along spatial dim ${i} ${ctx}`);
    const size = (len - 1) * s - 2 * pd + d * (k - 1) + o + 1;
    check(size > 0, op, () =>
      `output size ${size} is not positive along spatial dim ${i} (size ${len}, stride ${s}, padding ${pd}, ` +
      `kernel ${k}, dilation ${d}, outputPadding ${o}) ${ctx}`);
    return size;
  });

  // The transposed conv is the input-gradient of the conv mapping its output back
  // to its input, so the roles swap: the conv's input is our output.
  const params: ConvParams = {
    batch: p.batch, inChannels: Cout, outChannels: Cin, groups: g,
    inSize: to3(out, 1), kernelSize: to3(p.kernel, 1), outSize: to3(p.spatial, 1),
    stride: to3(stride, 1), padding: to3(padding, 0), dilation: to3(dilation, 1),
  };
  return finish(p, convTransposePrim(p.x, p.w, params), Cout, out);
}

/**
 * 1-D transposed convolution: input `[N, Cin, L]` or `[Cin, L]`, weight `[Cin, Cout/groups, k]`, bias `[Cout]`.
 * @example F.convTranspose1d(tg.randn([2, 4, 5]), tg.randn([4, 3, 3]), null, { stride: 2 }) // [2,3,11]
 */
export function convTranspose1d(input: Tensor, weight: Tensor, bias?: Tensor | null, ...options: ConvTransposeFnArgs): Tensor {
  return convTransposeChecked(1, ...convCall('convTranspose1d', [input, weight, bias, ...options], true));
}

/**
 * 2-D transposed convolution: input `[N, Cin, H, W]` or `[Cin, H, W]`, weight `[Cin, Cout/groups, kH, kW]`, bias `[Cout]`.
 * @example F.convTranspose2d(tg.randn([1, 8, 7, 7]), tg.randn([8, 4, 3, 3]), null, { stride: 2, padding: 1, outputPadding: 1 }) // [1,4,14,14]
 */
export function convTranspose2d(input: Tensor, weight: Tensor, bias?: Tensor | null, ...options: ConvTransposeFnArgs): Tensor {
  return convTransposeChecked(2, ...convCall('convTranspose2d', [input, weight, bias, ...options], true));
}

/**
 * 3-D transposed convolution: input `[N, Cin, D, H, W]` or `[Cin, D, H, W]`, weight `[Cin, Cout/groups, kD, kH, kW]`, bias `[Cout]`.
 * @example F.convTranspose3d(tg.randn([1, 4, 2, 4, 4]), tg.randn([4, 2, 2, 2, 2]), null, { stride: 2 }) // [1,2,4,8,8]
 */
export function convTranspose3d(input: Tensor, weight: Tensor, bias?: Tensor | null, ...options: ConvTransposeFnArgs): Tensor {
  return convTransposeChecked(3, ...convCall('convTranspose3d', [input, weight, bias, ...options], true));
}
