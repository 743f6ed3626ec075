/** `tg.nn`: modules, layers, initialisers, and the functional API (`tg.nn.functional`, alias `tg.F`). */
export { Module, type StateDict, type LoadResult, type ForwardHook, type HookHandle } from './module.js';
export { Parameter } from './parameter.js';
export { Linear } from './layers/linear.js';
export { Conv1d, Conv2d, Conv3d, ConvNd, ConvTranspose1d, ConvTranspose2d, ConvTranspose3d, ConvTransposeNd } from './layers/conv.js';
export {
  MaxPool1d, MaxPool2d, MaxPool3d, AvgPool1d, AvgPool2d, AvgPool3d, LPPool1d, LPPool2d, LPPool3d,
  AdaptiveAvgPool1d, AdaptiveAvgPool2d, AdaptiveAvgPool3d, AdaptiveMaxPool1d, AdaptiveMaxPool2d, AdaptiveMaxPool3d,
} from './layers/pool.js';
export { BatchNorm1d, BatchNorm2d, BatchNorm3d, LayerNorm, GroupNorm, LocalResponseNorm } from './layers/norm.js';
export { Dropout, Dropout1d, Dropout2d, Dropout3d, AlphaDropout } from './layers/dropout.js';
export {
  ReLU, LeakyReLU, ELU, SELU, GELU, Sigmoid, Tanh, Softplus, SiLU, Mish, Hardtanh, ReLU6, Softmax, LogSoftmax,
} from './layers/activation.js';
export { Sequential, ModuleList, ModuleDict, Identity, Flatten, Residual } from './layers/container.js';
export {
  MSELoss, L1Loss, SmoothL1Loss, HuberLoss, CrossEntropyLoss, NLLLoss, BCELoss, BCEWithLogitsLoss, KLDivLoss, CosineEmbeddingLoss,
} from './layers/loss.js';
export { InstanceNorm1d, InstanceNorm2d, InstanceNorm3d, type InstanceNormLayerOptions } from './layers/instance-norm.js';
export { PReLU, CELU, Softmin, type PReLUOptions } from './layers/activation-more.js';
export {
  ZeroPad1d, ZeroPad2d, ZeroPad3d, ConstantPad1d, ConstantPad2d, ConstantPad3d, ReflectionPad1d, ReflectionPad2d, ReflectionPad3d,
  ReplicationPad1d, ReplicationPad2d, ReplicationPad3d, CircularPad1d, CircularPad2d, CircularPad3d,
} from './layers/padding.js';
export { Embedding, type EmbeddingLayerOptions } from './layers/embedding.js';
export { Unflatten } from './layers/unflatten.js';
export { Upsample, UpsamplingNearest2d, UpsamplingBilinear2d, MaxUnpool1d, MaxUnpool2d, MaxUnpool3d } from './layers/upsample.js';
export * as init from './init.js';
export * as functional from './functional.js';

// Every layer exported here takes exactly the forward parameters it declares, so
// `layer.forward(x, extra)` throws a TensorError naming the layer instead of
// ignoring `extra` (checked in Module's call path). Derived from this module's own
// exports, so a new layer cannot be left out; users' modules are not marked.
import { markStrictForward } from './module.js';
import * as exported from './index.js';
markStrictForward(Object.values(exported));
