import type { ConvParams } from '../backend/backend.js';
import type { Tensor } from '../tensor/tensor.js';
import { promoteTypes } from '../core/dtype.js';
import { TensorError, check, fmtShape } from '../core/errors.js';
import { describeArg } from '../tensor/args.js';
import { convPrim, convReluPoolPrim } from './conv-prims.js';
import { checkGroups, perDim, resolvePadding, to3, type ConvOptions } from './conv-args.js';
import { maxPool2d } from './pool.js';
import { requireFloat, sameBackend } from './core.js';
import { add, cast } from './elementwise.js';
import { reshape } from './movement.js';

/*
 * The machinery shared by the user-facing convolutions (conv.ts) and the
 * internal fused forms (conv-fused.ts): validation, the geometry as
 * ConvParams (always 3 spatial dims: 1-D/2-D use size-1 leading dims), the
 * reshape to 5-D for the primitive and back. Not re-exported by tg.F: the
 * epilogue choice here is how fusion stays out of the public API.
 */

const SPATIAL_NAMES = [[], ['L'], ['H', 'W'], ['D', 'H', 'W']] as const;

/** Checks `n` and returns the op's name for messages (`conv2d`, `convTranspose3d`). */
export function opName(base: 'conv' | 'convTranspose', n: number): string {
  if (n !== 1 && n !== 2 && n !== 3) throw new TensorError(`${base}Nd: n must be 1, 2 or 3 (got ${describeArg(n)})`);
  return `${base}${n}d`;
}

/** What both convolution kinds share after validation: 5-D operands in one dtype. */
export interface Prepared {
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
export function prepare(
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
export function checkBias(op: string, p: Prepared, outChannels: number): void {
  const b = p.bias;
  if (b) check(b.ndim === 1 && b.shape[0] === outChannels, op, () => `bias must have shape [${outChannels}] (got ${fmtShape(b.shape)}) ${p.ctx}`);
}

/**
 * Reshapes the 5-D primitive result back to n spatial dims, adds the bias
 * (unless the primitive did), drops an added batch dim.
 */
export function finish(p: Prepared, y5: Tensor, outChannels: number, outSpatial: number[], biasAdded = false): Tensor {
  let y = reshape(y5, [p.batch, outChannels, ...outSpatial]);
  if (p.bias && !biasAdded) y = add(y, reshape(p.bias, [1, outChannels, ...outSpatial.map(() => 1)]));
  return p.unbatched ? reshape(y, y.shape.slice(1)) : y;
}

/**
 * What the convolution does to its output in the same call: nothing but the
 * bias (`'none'`, what tg.F exposes), then ReLU (`'relu'`), then 2×2/stride-2
 * max pooling (`'reluPool2x2'`, 2-D only). The fused kinds are reached only
 * through conv-fused.ts, which nn/fusion.ts calls.
 */
export type ConvEpilogueKind = 'none' | 'relu' | 'reluPool2x2';

/**
 * The validated convolution forward behind conv1d/2d/3d/convNd and their
 * fused forms. Shapes: input `[N, Cin, ...in]` or `[Cin, ...in]`, weight
 * `[Cout, Cin/groups, ...k]`, bias `[Cout]` -> `[N, Cout, ...out]` (pooled:
 * `floor(out/2)` in the last two dims). Errors name `conv${n}d`, the op the
 * user wrote, whichever epilogue runs.
 * @example convForward(2, x, w, b, { padding: 2 }, 'reluPool2x2') // maxPool2d(relu(conv2d(x, w, b, {padding: 2})), 2)
 */
export function convForward(
  n: number, input: Tensor, weight: Tensor, bias: Tensor | null | undefined, opts: ConvOptions, epilogue: ConvEpilogueKind,
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
  const relu = epilogue !== 'none';
  if (epilogue !== 'reluPool2x2') return finish(p, convPrim(p.x, p.w, params, { bias: p.bias, relu }), Cout, out, true);
  if (n !== 2) throw new TensorError(`${op}: the 2×2 max-pooling epilogue is for 2-D convolutions`);
  if (out.some((o) => o < 2)) {
    // Nothing to pool: the composition reports it as the MaxPool2d layer would.
    return maxPool2d(finish(p, convPrim(p.x, p.w, params, { bias: p.bias, relu }), Cout, out, true), 2);
  }
  // One primitive for training and inference: it makes the pooling's indices
  // and records itself only when a gradient will need them.
  return finish(p, convReluPoolPrim(p.x, p.w, params, p.bias), Cout, out.map((o) => Math.floor(o / 2)), true);
}
