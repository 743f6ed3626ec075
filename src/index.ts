/**
 * tensorgrad: tensors with reverse-mode autodiff, neural-network layers and
 * training, in TypeScript.
 * @example
 * import * as tg from 'tensorgrad';
 * const x = tg.randn([4, 3], { requiresGrad: true });
 * tg.F.relu(x).sum().backward();
 */
// The layers below the ops install what they cannot import: the op methods of
// Tensor (ops/methods.ts) and the backward pass (autograd/engine.ts).
import './ops/methods.js';
import './autograd/engine.js';
export { Tensor, type TensorLike, type NestedArray } from './tensor/tensor.js';
export { TensorError } from './core/errors.js';
export type { DType, TypedArray } from './core/dtype.js';
export {
  tensor, zeros, ones, full, arange, linspace, eye, rand, randn, randint, randperm,
  zerosLike, onesLike, fullLike, randLike, randnLike, type CreateOptions, type RandomOptions,
} from './tensor/create.js';
export { Generator, manualSeed, defaultGenerator, type GeneratorState } from './tensor/random.js';
export { getBackend, setBackend, listBackends, type BackendName } from './backend/current.js';
export { ready, type ReadyOptions } from './backend/ready.js';
export { WebGpuBackend, type WebGpuOptions } from './backend/webgpu/index.js';
export {
  initWasmBackend, getWasmBackend, WasmBackend, setNumThreads, getNumThreads, MAX_THREADS, type WasmBackendOptions,
} from './backend/wasm/index.js';
export type { Backend, Storage, Layout } from './backend/backend.js';
export { referenceBackend } from './backend/reference/index.js';
export { noGrad, isGradEnabled } from './tensor/graph.js';

export {
  add, sub, mul, div, pow, neg, abs, sign, exp, expm1, log, log1p, sqrt, rsqrt, reciprocal, square, sin, cos, erf,
  floor, ceil, round, maximum, minimum, clamp, where, eq, ne, lt, le, gt, ge, logicalNot, logicalAnd, logicalOr, allclose,
} from './ops/elementwise.js';
export {
  relu, sigmoid, tanh, leakyRelu, elu, gelu, softplus, softmax, logSoftmax,
} from './ops/activation.js';
export { sum, mean, prod, max, min, amax, amin, argmax, argmin, variance as var, std, logsumexp } from './ops/reduce.js';
export type { ValuesIndices } from './ops/reduce.js';
export {
  reshape, view, flatten, unflatten, squeeze, unsqueeze, permute, transpose, expand, narrow, slice, select, flip,
  contiguous, clone, split, chunk, repeat, cat, stack,
} from './ops/movement.js';
export { gather, scatterAdd, indexSelect, oneHot } from './ops/indexing.js';
export { matmul, linear } from './ops/linalg.js';
export { toBackend, toBackendAsync, type ToOptions } from './ops/transfer.js';
export { tan, atan, atan2, log2, log10 } from './ops/elementwise.js';
export { isnan, isinf, isposinf, isneginf, isfinite, any, all } from './ops/logical.js';
export { maskedFill, tril, triu } from './ops/masking.js';
export { cumsum, cumprod } from './ops/cumulative.js';
export { sort, argsort, topk, type SortOptions, type TopkOptions } from './ops/sort.js';
export { mm, bmm, mv, dot, outer } from './ops/products.js';
export { norm, type NormOrd, type NormOptions } from './ops/norms.js';
export { einsum } from './ops/einsum.js';

import * as functional from './nn/functional.js';
import { gradcheck } from './autograd/gradcheck.js';
import { noGrad } from './tensor/graph.js';
export { functional as F };
export * as nn from './nn/index.js';
export * as optim from './optim/index.js';
export * as io from './io/index.js';
export * as models from './models/index.js';
export * as data from './data/index.js';
export * as train from './train/index.js';
export * as analysis from './analysis/index.js';
export * as viz from './viz/index.js';
export * as onnx from './onnx/index.js';
export { save, load } from './io/safetensors.js';
export { saveCheckpoint, loadCheckpoint } from './io/checkpoint.js';
export type { GradcheckOptions, GradcheckResult } from './autograd/gradcheck.js';
/**
 * The autograd utilities under PyTorch's names (`torch.autograd.gradcheck`, `torch.no_grad`):
 * `tg.autograd.gradcheck` and `tg.autograd.noGrad`.
 * @example tg.autograd.gradcheck((a) => a.tanh(), [tg.randn([4])]).passed // true
 */
export const autograd = {
  /**
   * Checks the analytic gradients of `fn` at `inputs` against central finite differences in float64;
   * returns `{ passed, inputs, report }` (see `GradcheckResult`). Like torch.autograd.gradcheck.
   * @example tg.autograd.gradcheck((a, b) => a.mul(b).sin(), [tg.randn([3]), tg.randn([3])]).passed // true
   */
  gradcheck,
  /**
   * Runs a synchronous function without recording gradients and returns its result (the same
   * function as `tg.noGrad`). Like `with torch.no_grad():`.
   * @example const y = tg.autograd.noGrad(() => tg.ones([2], { requiresGrad: true }).mul(2)); // y.requiresGrad false
   */
  noGrad,
};
