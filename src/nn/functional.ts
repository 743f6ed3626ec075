/**
 * `tg.nn.functional` (alias `tg.F`): the stateless math behind the layers, with
 * PyTorch names in camelCase and options objects for keyword arguments.
 * Fused kernels have no names here: nn.Sequential runs Conv -> ReLU
 * (-> MaxPool2d(2)) as one kernel by itself (see nn/fusion.ts).
 * @example tg.F.conv2d(tg.randn([1, 3, 8, 8]), tg.randn([4, 3, 3, 3]), null, { stride: 2, padding: 1 }) // [1, 4, 4, 4]
 */
export { relu, sigmoid, tanh, leakyRelu, elu, selu, gelu, softplus, silu, mish, hardtanh, relu6, hardsigmoid, hardswish, logSigmoid, softsign, softmax, logSoftmax } from '../ops/activation.js';
export { linear } from '../ops/linalg.js';
export { oneHot } from '../ops/indexing.js';
export * from '../ops/conv.js';
export * from '../ops/pool.js';
export * from '../ops/pad.js';
export * from '../ops/norm.js';
export * from '../ops/dropout.js';
export * from '../ops/loss.js';
export { interpolate, type InterpolateOptions, type InterpolateMode } from '../ops/interpolate.js';
export { maxUnpool1d, maxUnpool2d, maxUnpool3d, type MaxUnpoolOptions } from '../ops/unpool.js';
export { celu, softmin, prelu } from '../ops/activation-more.js';
export { instanceNorm, type InstanceNormOptions } from '../ops/instance-norm.js';
export { embedding, type EmbeddingOptions } from '../ops/embedding.js';
