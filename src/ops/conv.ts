import type { ConvParams } from '../backend/backend.js';
import type { Tensor } from '../tensor/tensor.js';
import { check } from '../core/errors.js';
import { convTransposePrim } from './conv-prims.js';
import { checkBias, convForward, finish, opName, prepare } from './conv-core.js';
import {
  convCall, perDim, to3,
  type ConvFnArgs, type ConvOptions, type ConvTransposeFnArgs, type ConvTransposeOptions, type SizeArg,
} from './conv-args.js';

export { convOutputSize, convTransposeOutputSize } from './conv-args.js';
export type { ConvOptions, ConvTransposeOptions, ConvPadding, SizeArg, ConvFnArgs, ConvTransposeFnArgs } from './conv-args.js';

/*
 * User-facing convolutions (everything here is tg.F). Each one checks its
 * call, then conv-core.ts validates, expresses the geometry as ConvParams,
 * reshapes to 5-D, calls a recorded primitive from conv-prims.ts and reshapes
 * back. Gradients come from the primitives' rules. The fused
 * conv + ReLU (+ 2×2 max pool) forms are internal (conv-fused.ts): users get
 * them by writing Conv -> ReLU -> MaxPool2d in nn.Sequential (nn/fusion.ts).
 */

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
  return convForward(n, ...convCall(opName('conv', n), [...arguments].slice(1), false), 'none');
}

/**
 * 1-D convolution: input `[N, Cin, L]` or `[Cin, L]`, weight `[Cout, Cin/groups, k]`, bias `[Cout]`.
 * @example F.conv1d(tg.randn([2, 4, 10]), tg.randn([8, 4, 3]), null, { padding: 1 }) // [2,8,10]
 */
export function conv1d(input: Tensor, weight: Tensor, bias?: Tensor | null, ...options: ConvFnArgs): Tensor {
  return convForward(1, ...convCall('conv1d', [input, weight, bias, ...options], false), 'none');
}

/**
 * 2-D convolution: input `[N, Cin, H, W]` or `[Cin, H, W]`, weight `[Cout, Cin/groups, kH, kW]`, bias `[Cout]`.
 * @example F.conv2d(tg.randn([8, 3, 32, 32]), tg.randn([6, 3, 5, 5]), null, { stride: 2, padding: 2 }) // [8,6,16,16]
 */
export function conv2d(input: Tensor, weight: Tensor, bias?: Tensor | null, ...options: ConvFnArgs): Tensor {
  return convForward(2, ...convCall('conv2d', [input, weight, bias, ...options], false), 'none');
}

/**
 * 3-D convolution: input `[N, Cin, D, H, W]` or `[Cin, D, H, W]`, weight `[Cout, Cin/groups, kD, kH, kW]`, bias `[Cout]`.
 * @example F.conv3d(tg.randn([1, 2, 4, 8, 8]), tg.randn([4, 2, 3, 3, 3]), null, { padding: 1 }) // [1,4,4,8,8]
 */
export function conv3d(input: Tensor, weight: Tensor, bias?: Tensor | null, ...options: ConvFnArgs): Tensor {
  return convForward(3, ...convCall('conv3d', [input, weight, bias, ...options], false), 'none');
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
