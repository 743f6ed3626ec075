import { Module } from '../nn/module.js';
import { Sequential } from '../nn/layers/container.js';
import { Conv2d } from '../nn/layers/conv.js';
import { Linear } from '../nn/layers/linear.js';
import { MaxPool2d, AdaptiveAvgPool2d } from '../nn/layers/pool.js';
import { LocalResponseNorm } from '../nn/layers/norm.js';
import { Dropout } from '../nn/layers/dropout.js';
import { ReLU } from '../nn/layers/activation.js';
import * as init from '../nn/init.js';
import type { Tensor } from '../tensor/tensor.js';
import { checkDropout, checkImageInput, checkKnownOptions, checkOneOf, checkPositiveInt } from './common.js';

/** Which AlexNet to build: torchvision's single-tower `alexnet` ('torchvision') or the 2012 paper's network with LRN ('original'). */
export type AlexNetVariant = 'torchvision' | 'original';

/** Options of `tg.models.alexnet` / `new tg.models.AlexNet(...)`; every field is optional. */
export interface AlexNetOptions {
  /** Output classes (default 1000). */
  numClasses?: number;
  /** Input image channels (default 3). */
  inChannels?: number;
  /** 'torchvision' (default) or 'original' (Krizhevsky et al. 2012, single tower, with LRN). */
  variant?: AlexNetVariant;
  /** Dropout probability in the classifier (default 0.5). */
  dropout?: number;
}

const OPTION_NAMES = ['numClasses', 'inChannels', 'variant', 'dropout'] as const;
const VARIANTS: readonly AlexNetVariant[] = ['torchvision', 'original'];

/**
 * The smallest input side AlexNet accepts: conv1 (11x11, stride 4, padding 2)
 * and three 3x3/2 max pools must leave at least one pixel: 63 -> 15 -> 7 -> 3 -> 1.
 */
export const ALEXNET_MIN_INPUT = 63;

/**
 * AlexNet, as `features` (convolutions) -> `avgpool` (adaptive 6x6) -> `classifier`
 * (three fully connected layers), with torchvision's state-dict keys.
 *
 * - `variant: 'torchvision'` is torchvision's `alexnet` (after Krizhevsky's
 *   "One weird trick" paper, 2014): 64-192-384-256-256 channels, no local response
 *   normalisation, dropout before fc6 and fc7; PyTorch's default initialisation.
 *   61,100,840 parameters at 1000 classes.
 * - `variant: 'original'` is the network of Krizhevsky, Sutskever & Hinton,
 *   "ImageNet Classification with Deep Convolutional Neural Networks" (NIPS 2012),
 *   written as one tower (the paper split conv2, conv4 and conv5 over two GPUs;
 *   here every convolution sees all channels): 96-256-384-384-256 channels,
 *   ReLU then local response normalisation (size 5, alpha 1e-4, beta 0.75, k 2, the
 *   paper's formula) after conv1 and conv2, overlapping 3x3/2 max pooling, dropout
 *   0.5 on the outputs of fc6 and fc7 (as the paper and Caffe's reference model),
 *   and the paper's initialisation: weights N(0, 0.01^2), biases 1 in conv2, conv4,
 *   conv5, fc6 and fc7, 0 elsewhere. 62,378,344 parameters at 1000 classes (the
 *   paper's two-tower model, with grouped conv2/4/5, has 60,965,224: its "60 million").
 *
 * Both use padding 2 in conv1 so a 224x224 input gives the paper's 55x55 conv1 maps
 * (without padding the paper's arithmetic needs a 227x227 input), and both keep
 * torchvision's adaptive 6x6 average pool: an identity at 224x224, and what lets the
 * network run on anything from 63x63 up.
 *
 * The paper's normalisation is `b = a / (k + alpha * sum_{5 channels} a^2)^beta`;
 * `nn.LocalResponseNorm` follows PyTorch and divides alpha by the window size, so
 * the layer is built with alpha = 5 * 1e-4 to compute exactly the paper's formula.
 *
 * Input `[N, inChannels, H, W]` with H, W >= 63 -> logits `[N, numClasses]`.
 * @example const net = tg.models.alexnet({ numClasses: 10 }); net.forward(tg.randn([2, 3, 64, 64])) // [2, 10]
 */
export class AlexNet extends Module {
  /** The five convolutions with their ReLUs, max pools (and LRN in 'original'): `[N, inChannels, H, W] -> [N, 256, h, w]`. */
  features: Sequential;
  /** Adaptive average pool to 6x6: `[N, 256, h, w] -> [N, 256, 6, 6]` (an identity at 224x224 inputs). */
  avgpool: AdaptiveAvgPool2d;
  /** fc6, fc7, fc8 with ReLUs and dropout: `[N, 9216] -> [N, numClasses]`. */
  classifier: Sequential;
  /** Output classes (the width of the last linear layer). */
  readonly numClasses: number;
  /** Input image channels (conv1's input width). */
  readonly inChannels: number;
  /** Which AlexNet this is: 'torchvision' or 'original'. */
  readonly variant: AlexNetVariant;

  constructor(opts: AlexNetOptions = {}) {
    super();
    checkKnownOptions('alexnet', opts, OPTION_NAMES);
    const { numClasses = 1000, inChannels = 3, variant = 'torchvision', dropout = 0.5 } = opts;
    checkPositiveInt('alexnet', 'numClasses', numClasses);
    checkPositiveInt('alexnet', 'inChannels', inChannels);
    checkOneOf('alexnet', 'variant', variant, VARIANTS);
    checkDropout('alexnet', dropout);
    this.numClasses = numClasses;
    this.inChannels = inChannels;
    this.variant = variant;
    const pool = () => new MaxPool2d(3, { stride: 2 });
    if (variant === 'torchvision') {
      this.features = new Sequential(
        new Conv2d(inChannels, 64, 11, { stride: 4, padding: 2 }), new ReLU(), pool(),
        new Conv2d(64, 192, 5, { padding: 2 }), new ReLU(), pool(),
        new Conv2d(192, 384, 3, { padding: 1 }), new ReLU(),
        new Conv2d(384, 256, 3, { padding: 1 }), new ReLU(),
        new Conv2d(256, 256, 3, { padding: 1 }), new ReLU(), pool(),
      );
      this.avgpool = new AdaptiveAvgPool2d([6, 6]);
      this.classifier = new Sequential(
        new Dropout(dropout), new Linear(256 * 6 * 6, 4096), new ReLU(),
        new Dropout(dropout), new Linear(4096, 4096), new ReLU(),
        new Linear(4096, numClasses),
      );
    } else {
      const lrn = () => new LocalResponseNorm(5, { alpha: 5 * 1e-4, beta: 0.75, k: 2 });
      this.features = new Sequential(
        new Conv2d(inChannels, 96, 11, { stride: 4, padding: 2 }), new ReLU(), lrn(), pool(),
        new Conv2d(96, 256, 5, { padding: 2 }), new ReLU(), lrn(), pool(),
        new Conv2d(256, 384, 3, { padding: 1 }), new ReLU(),
        new Conv2d(384, 384, 3, { padding: 1 }), new ReLU(),
        new Conv2d(384, 256, 3, { padding: 1 }), new ReLU(), pool(),
      );
      this.avgpool = new AdaptiveAvgPool2d([6, 6]);
      this.classifier = new Sequential(
        new Linear(256 * 6 * 6, 4096), new ReLU(), new Dropout(dropout),
        new Linear(4096, 4096), new ReLU(), new Dropout(dropout),
        new Linear(4096, numClasses),
      );
      this.resetParameters();
    }
  }

  /**
   * The 'original' variant's initialisation (section 5 of the paper); the
   * torchvision variant keeps the layers' PyTorch defaults, as torchvision does.
   */
  resetParameters(): void {
    if (this.variant !== 'original') return;
    const convs = [...this.features].filter((m): m is Conv2d => m instanceof Conv2d);
    const fcs = [...this.classifier].filter((m): m is Linear => m instanceof Linear);
    const biasOne = new Set<Conv2d | Linear>([convs[1]!, convs[3]!, convs[4]!, fcs[0]!, fcs[1]!]);
    for (const layer of [...convs, ...fcs]) {
      init.normal_(layer.weight, 0, 0.01);
      init.constant_(layer.bias!, biasOne.has(layer) ? 1 : 0);
    }
  }

  /**
   * Logits: `[N, inChannels, H, W] -> [N, numClasses]`, H and W at least 63. Throws on another
   * rank, channel count or a smaller image.
   * @example new tg.models.AlexNet({ numClasses: 10 }).forward(tg.randn([1, 3, 224, 224])) // [1, 10]
   */
  forward(x: Tensor): Tensor {
    checkImageInput('alexnet', x, this.inChannels, ALEXNET_MIN_INPUT);
    return this.classifier.forward(this.avgpool.forward(this.features.forward(x)).flatten(1));
  }
}

/** Builds AlexNet (see AlexNet). @example tg.models.alexnet({ variant: 'original', numClasses: 10 }) */
export function alexnet(opts: AlexNetOptions = {}): AlexNet {
  return new AlexNet(opts);
}
