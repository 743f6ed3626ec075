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
export * as init from './init.js';
export * as functional from './functional.js';
