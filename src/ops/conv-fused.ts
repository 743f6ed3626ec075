import type { Tensor } from '../tensor/tensor.js';
import { convForward, opName } from './conv-core.js';
import { convCall, type ConvOptions } from './conv-args.js';

/*
 * The fused functional forms of Conv -> ReLU (-> MaxPool2d(2)). INTERNAL:
 * neither tg.F nor the package index re-exports this file; nn/fusion.ts is
 * their only caller, so the one place that decides to fuse is the one place
 * that knows these exist. Each computes exactly its composition (within
 * float32 rounding of the fused kernel) and fails with the errors the
 * unfused layers would raise (`conv2d: ...`, `maxPool2d: ...`).
 */

/**
 * `relu(convNd(n, input, weight, bias, opts))` in one pass where the backend
 * has the conv epilogue kernel (bias and ReLU applied as each output tile is
 * stored; the backward masks and sums the gradient in one pass too), else
 * as its composite. Same shapes and errors as F.convNd.
 * @example convNdRelu(2, tg.randn([1, 3, 8, 8]), tg.randn([4, 3, 3, 3]), tg.zeros([4])) // [1,4,6,6], all >= 0
 */
export function convNdRelu(n: number, input: Tensor, weight: Tensor, bias: Tensor | null, opts: ConvOptions = {}): Tensor {
  return convForward(n, ...convCall(opName('conv', n), [input, weight, bias, opts], false), 'relu');
}

/**
 * `F.maxPool2d(F.relu(F.conv2d(input, weight, bias, opts)), 2)` (2×2 windows,
 * stride 2, floor) in one pass per image where the backend has the kernel:
 * the pooling runs on each image's convolution while it is in cache. Input
 * `[N, Cin, H, W]` or `[Cin, H, W]` -> `[N, Cout, floor(oH/2), floor(oW/2)]`.
 * @example tg.noGrad(() => conv2dReluMaxPool2x2(tg.randn([8, 1, 28, 28]), tg.randn([6, 1, 5, 5]), tg.zeros([6]), { padding: 2 })) // [8,6,14,14]
 */
export function conv2dReluMaxPool2x2(input: Tensor, weight: Tensor, bias: Tensor | null, opts: ConvOptions = {}): Tensor {
  return convForward(2, ...convCall('conv2d', [input, weight, bias, opts], false), 'reluPool2x2');
}
