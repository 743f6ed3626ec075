/** `tg.models`: network builders returning nn.Modules. */
export { lenet5, LeNet5, type LeNetOptions } from './lenet.js';
export { mlp, MLP, type MlpOptions, type MlpActivation } from './mlp.js';
export { MODELS, modelSpec, buildModel, type ModelSpec, type BuildOptions } from './registry.js';
