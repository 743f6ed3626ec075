import type { Module } from '../nn/module.js';
import { TensorError } from '../core/errors.js';
import { lenet5 } from './lenet.js';
import { mlp } from './mlp.js';
import { alexnet } from './alexnet.js';
import { VGG, type VggDepth } from './vgg.js';
import { ResNet, type ResNetDepth } from './resnet.js';
import { CifarResNet, type CifarResNetDepth } from './resnet-cifar.js';
import { nin } from './nin.js';

/** What every builder in the registry receives. */
export interface BuildOptions {
  /** Output classes of the model to build. */
  numClasses: number;
  /** Input shape of one sample, [C, H, W]. */
  inputShape: readonly [number, number, number];
}

/** A registered model (an entry of `tg.models.MODELS`): its name, what it is, the input it wants and how to build it. */
export interface ModelSpec {
  /** The registry key, as `--model` takes it (e.g. 'lenet5', 'resnet20', 'vgg11_bn'). */
  readonly name: string;
  /** One line for humans: the architecture, its source, parameter count and the input it runs at. */
  readonly description: string;
  /** The [H, W] the model expects; null if it adapts to any size. */
  readonly inputSize: readonly [number, number] | null;
  /** Input channels of the data the model is usually built for (1: digits; 3: CIFAR/ImageNet); default 3. */
  readonly channels?: 1 | 3;
  /**
   * A fresh model for `opts.numClasses` classes and inputs of `opts.inputShape` (its channels become the model's inChannels).
   * @example tg.models.modelSpec('resnet20').build({ numClasses: 10, inputShape: [3, 32, 32] })
   */
  build(opts: BuildOptions): Module;
}

const specs: ModelSpec[] = [
  {
    name: 'lenet5',
    description: 'LeNet-5 (ReLU, max pooling) for 28x28 images, 61,706 parameters',
    inputSize: [28, 28],
    channels: 1,
    build: ({ numClasses, inputShape }) => lenet5({ numClasses, inChannels: inputShape[0] }),
  },
  {
    name: 'mlp',
    description: 'A 2-hidden-layer perceptron (256-256, ReLU) over the flattened image',
    inputSize: null,
    channels: 1,
    build: ({ numClasses, inputShape }) => mlp({ sizes: [inputShape[0] * inputShape[1] * inputShape[2], 256, 256, numClasses] }),
  },
  // CIFAR-sized models: trained at their own 32x32 resolution (MNIST is resized up to it).
  ...([20, 32, 56] as CifarResNetDepth[]).map((depth): ModelSpec => ({
    name: `resnet${depth}`,
    description: `CIFAR ResNet-${depth} (He et al. 2016, section 4.2; option A shortcuts), ` +
      `${{ 20: '0.27M', 32: '0.46M', 56: '0.85M' }[depth as 20 | 32 | 56]} parameters, 32x32 input`,
    inputSize: [32, 32],
    build: ({ numClasses, inputShape }) => new CifarResNet(depth, { numClasses, inChannels: inputShape[0] }),
  })),
  {
    name: 'nin',
    description: 'Network in Network (Lin et al. 2014) for CIFAR: three mlpconv blocks and global average pooling, 0.97M parameters, 32x32 input',
    inputSize: [32, 32],
    build: ({ numClasses, inputShape }) => nin({ numClasses, inChannels: inputShape[0] }),
  },
  // ImageNet models in torchvision's layout. They are built for 224x224, but images are
  // resized to the smallest size each accepts, which keeps training on CIFAR/MNIST affordable:
  // their adaptive pooling gives the same classifier at any size from that minimum up.
  ...([18, 34, 50, 101] as ResNetDepth[]).map((depth): ModelSpec => ({
    name: `resnet${depth}`,
    description: `torchvision ResNet-${depth} (ImageNet layout, 224x224 native); run at 32x32, ` +
      'its 32x downsampling leaves a 1x1 map for the global pool',
    inputSize: [32, 32],
    build: ({ numClasses, inputShape }) => new ResNet(depth, { numClasses, inChannels: inputShape[0] }),
  })),
  ...([11, 13, 16, 19] as VggDepth[]).flatMap((depth): ModelSpec[] => [false, true].map((batchNorm) => ({
    name: `vgg${depth}${batchNorm ? '_bn' : ''}`,
    description: `torchvision VGG-${depth}${batchNorm ? ' with batch norm' : ''} (224x224 native); run at 32x32, ` +
      'the smallest input its five 2x2 poolings allow (the adaptive 7x7 pool repeats the 1x1 map)',
    inputSize: [32, 32],
    build: ({ numClasses, inputShape }) => new VGG(depth, { numClasses, inChannels: inputShape[0], batchNorm }),
  }))),
  {
    name: 'alexnet',
    description: 'torchvision AlexNet (224x224 native); run at 64x64, just above the 63x63 minimum its ' +
      'stride-4 conv1 and three 3x3/2 poolings allow (the adaptive 6x6 pool repeats the 1x1 map)',
    inputSize: [64, 64],
    build: ({ numClasses, inputShape }) => alexnet({ numClasses, inChannels: inputShape[0] }),
  },
  {
    name: 'alexnet_original',
    description: 'AlexNet as in Krizhevsky et al. 2012 (single tower, 96-256-384-384-256, local response norm); ' +
      'run at 64x64, just above its 63x63 minimum',
    inputSize: [64, 64],
    build: ({ numClasses, inputShape }) => alexnet({ numClasses, inChannels: inputShape[0], variant: 'original' }),
  },
];

/** The models `--model` accepts, by name. */
export const MODELS: ReadonlyMap<string, ModelSpec> = new Map(specs.map((s) => [s.name, s]));

/**
 * Looks up a model by name; throws a TensorError listing the known names when there is none.
 * @example tg.models.modelSpec('nin').inputSize // [32, 32]
 */
export function modelSpec(name: string): ModelSpec {
  const spec = MODELS.get(name);
  if (!spec) throw new TensorError(`unknown model '${name}' (available: ${[...MODELS.keys()].join(', ')})`);
  return spec;
}

/**
 * Builds a registered model by name.
 * @example buildModel('lenet5', { numClasses: 10, inputShape: [1, 28, 28] })
 */
export function buildModel(name: string, opts: BuildOptions): Module {
  return modelSpec(name).build(opts);
}
