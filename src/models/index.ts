/** `tg.models`: network builders returning nn.Modules. */
export { lenet5, LeNet5, type LeNetOptions } from './lenet.js';
export { mlp, MLP, type MlpOptions, type MlpActivation } from './mlp.js';
export { alexnet, AlexNet, ALEXNET_MIN_INPUT, type AlexNetOptions, type AlexNetVariant } from './alexnet.js';
export { vgg11, vgg13, vgg16, vgg19, VGG, VGG_CONFIGS, VGG_MIN_INPUT, type VggOptions, type VggDepth } from './vgg.js';
export {
  resnet18, resnet34, resnet50, resnet101, ResNet, BasicBlock, Bottleneck, RESNET_CONFIGS, type ResNetOptions, type ResNetDepth,
} from './resnet.js';
export {
  resnet20, resnet32, resnet44, resnet56, resnet110, CifarResNet, CifarBasicBlock, type CifarResNetOptions, type CifarResNetDepth,
} from './resnet-cifar.js';
export { nin, NiN, type NinOptions } from './nin.js';
export { MODELS, modelSpec, buildModel, type ModelSpec, type BuildOptions } from './registry.js';
