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
/**
 * The functional API (`tg.nn.functional`, PyTorch's `torch.nn.functional`): the stateless math behind
 * the layers — activations, convolutions, pooling, padding, normalisation, dropout, losses,
 * interpolation — with PyTorch's names in camelCase and options objects for keyword arguments.
 * @example tg.F.conv2d(tg.randn([1, 3, 8, 8]), tg.randn([4, 3, 3, 3]), null, { stride: 2, padding: 1 }) // [1, 4, 4, 4]
 */
export { functional as F };
/**
 * Layers as modules with parameters (`Conv2d`, `Linear`, `BatchNorm2d`, `Sequential`, ...), the
 * `Module` base class (`parameters()`, `stateDict()`, `train()`/`eval()`, hooks, freezing), losses as
 * modules and the initialisers of `tg.nn.init`. PyTorch's `torch.nn`.
 * @example const net = new tg.nn.Sequential(new tg.nn.Linear(784, 128), new tg.nn.ReLU(), new tg.nn.Linear(128, 10));
 */
export * as nn from './nn/index.js';
/**
 * Optimizers (SGD, Adam, AdamW, RMSprop, ...), learning-rate schedules, gradient clipping and early
 * stopping. PyTorch's `torch.optim`.
 * @example const opt = new tg.optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
 */
export * as optim from './optim/index.js';
/**
 * Saving and loading: safetensors files (compatible with Python's `safetensors`), training
 * checkpoints that resume exactly, NumPy `.npy`/`.npz` arrays, host copies of tensors and modules.
 * @example tg.io.save(model.stateDict(), 'model.safetensors');
 */
export * as io from './io/index.js';
/**
 * The model zoo: LeNet-5, an MLP, AlexNet, VGG, ResNet (ImageNet and CIFAR variants) and NiN as
 * `nn.Module` builders, with torchvision's parameter names where torchvision has the model.
 * @example const model = tg.models.lenet5();   // [N, 1, 28, 28] -> [N, 10]
 */
export * as models from './models/index.js';
/**
 * Data: datasets (MNIST, Fashion-MNIST, CIFAR-10, IDX files, image folders), `DataLoader`, image
 * transforms and augmentation, PNG/JPEG in and out. PyTorch's `torch.utils.data` plus torchvision's
 * datasets and transforms.
 * @example const loader = new tg.data.DataLoader(new tg.data.TensorDataset(images, labels), { batchSize: 64, shuffle: true });
 */
export * as data from './data/index.js';
/**
 * The training loop (`fit`), evaluation, and the fine-tuning helpers: a new head, frozen blocks,
 * gradual unfreezing and per-group learning rates.
 * @example await tg.train.fit({ model, optimizer, train, test, numClasses: 10, epochs: 3 });
 */
export * as train from './train/index.js';
/**
 * What a network costs and sees: `summary` (output shapes, parameters, multiply-accumulates and
 * receptive fields per layer), receptive-field analysis and convolution output sizes.
 * @example console.log(tg.analysis.summary(tg.models.lenet5(), [1, 1, 28, 28]));
 */
export * as analysis from './analysis/index.js';
/**
 * Looking inside a CNN: filters, feature maps, top-activating patches and their projections to
 * pixels (Zeiler & Fergus), activation maximisation, saliency, integrated gradients, guided backpropagation, occlusion,
 * confusion matrices, and the SVG charts and image grids that show them.
 * @example const img = tg.viz.filterGrid(tg.models.lenet5());   // [1, H, W] in [0, 1]
 */
export * as viz from './viz/index.js';
/**
 * ONNX: export a model (`exportModel`, checked against ONNX Runtime) and import one as a module
 * (`loadModel`) that runs, trains and exports again.
 * @example const bytes = tg.onnx.exportModel(tg.models.lenet5(), tg.randn([1, 1, 28, 28]));
 */
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
