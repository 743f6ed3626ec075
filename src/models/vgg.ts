import { Module } from '../nn/module.js';
import { Sequential } from '../nn/layers/container.js';
import { Conv2d } from '../nn/layers/conv.js';
import { Linear } from '../nn/layers/linear.js';
import { BatchNorm2d } from '../nn/layers/norm.js';
import { MaxPool2d, AdaptiveAvgPool2d } from '../nn/layers/pool.js';
import { Dropout } from '../nn/layers/dropout.js';
import { ReLU } from '../nn/layers/activation.js';
import * as init from '../nn/init.js';
import type { Tensor } from '../tensor/tensor.js';
import { checkBoolean, checkDropout, checkImageInput, checkKnownOptions, checkOneOf, checkPositiveInt, kaimingConvInit } from './common.js';

/** The VGG configurations: 11 (A), 13 (B), 16 (D), 19 (E) weighted layers. */
export type VggDepth = 11 | 13 | 16 | 19;

/**
 * Convolution widths per configuration, 'M' = 2x2 max pool (Simonyan & Zisserman
 * 2015, table 1, configurations A, B, D, E; torchvision's cfgs).
 */
export const VGG_CONFIGS: Readonly<Record<VggDepth, readonly (number | 'M')[]>> = {
  11: [64, 'M', 128, 'M', 256, 256, 'M', 512, 512, 'M', 512, 512, 'M'],
  13: [64, 64, 'M', 128, 128, 'M', 256, 256, 'M', 512, 512, 'M', 512, 512, 'M'],
  16: [64, 64, 'M', 128, 128, 'M', 256, 256, 256, 'M', 512, 512, 512, 'M', 512, 512, 512, 'M'],
  19: [64, 64, 'M', 128, 128, 'M', 256, 256, 256, 256, 'M', 512, 512, 512, 512, 'M', 512, 512, 512, 512, 'M'],
};

/** Five 2x2 poolings: 32x32 is the smallest input that leaves a 1x1 map. */
export const VGG_MIN_INPUT = 32;

/** Options of `tg.models.vgg11` ... `vgg19` / `new tg.models.VGG(depth, ...)`; every field is optional. */
export interface VggOptions {
  /** Output classes (default 1000). */
  numClasses?: number;
  /** Input image channels (default 3). */
  inChannels?: number;
  /** BatchNorm2d after every convolution (torchvision's `vgg16_bn`; default false). */
  batchNorm?: boolean;
  /** Dropout probability in the classifier (default 0.5). */
  dropout?: number;
}

const OPTION_NAMES = ['numClasses', 'inChannels', 'batchNorm', 'dropout'] as const;

/**
 * VGG (Simonyan & Zisserman, "Very Deep Convolutional Networks for Large-Scale
 * Image Recognition", ICLR 2015) in torchvision's layout and state-dict keys:
 * `features` (3x3 convolutions with padding 1, each followed by [BatchNorm2d and]
 * ReLU, 2x2 max pools), `avgpool` (adaptive 7x7 average pool) and `classifier`
 * (Linear 25088-4096, ReLU, Dropout, Linear 4096-4096, ReLU, Dropout, Linear
 * 4096-numClasses). Initialised as torchvision: convolutions kaiming normal
 * (fan out, ReLU gain) with zero bias, batch norm 1/0, linear N(0, 0.01^2) with zero bias.
 *
 * Parameters at 1000 classes: VGG-11 132,863,336; VGG-13 133,047,848; VGG-16
 * 138,357,544; VGG-19 143,667,240 (with batch norm: +5,504 / +5,888 / +8,448 / +11,008).
 *
 * The adaptive pool makes any input from 32x32 up work: at 32x32 the last map is
 * 1x1 and the pool repeats it 7x7, so the classifier is the same as at 224x224.
 * Input `[N, inChannels, H, W]` -> logits `[N, numClasses]`.
 * @example const net = tg.models.vgg16({ numClasses: 10, batchNorm: true }); net.forward(tg.randn([2, 3, 32, 32])) // [2, 10]
 */
export class VGG extends Module {
  /** The 3x3 convolutions with [batch norms and] ReLUs and the five 2x2 max pools: `[N, inChannels, H, W] -> [N, 512, H/32, W/32]`. */
  features: Sequential;
  /** Adaptive average pool to 7x7: `[N, 512, h, w] -> [N, 512, 7, 7]`. */
  avgpool: AdaptiveAvgPool2d;
  /** Linear 25088-4096, ReLU, Dropout, Linear 4096-4096, ReLU, Dropout, Linear 4096-numClasses. */
  classifier: Sequential;
  /** 11, 13, 16 or 19. */
  readonly depth: VggDepth;
  /** Output classes. */
  readonly numClasses: number;
  /** Input image channels. */
  readonly inChannels: number;
  /** Whether every convolution is followed by BatchNorm2d. */
  readonly batchNorm: boolean;

  /**
   * @param depth 11, 13, 16 or 19 (throws on another).
   * @param opts Classes, input channels, batch norm and dropout.
   */
  constructor(depth: VggDepth, opts: VggOptions = {}) {
    super();
    const name = `vgg${depth}`;
    checkOneOf(name, 'depth', String(depth), Object.keys(VGG_CONFIGS));
    checkKnownOptions(name, opts, OPTION_NAMES);
    const { numClasses = 1000, inChannels = 3, batchNorm = false, dropout = 0.5 } = opts;
    checkPositiveInt(name, 'numClasses', numClasses);
    checkPositiveInt(name, 'inChannels', inChannels);
    checkBoolean(name, 'batchNorm', batchNorm);
    checkDropout(name, dropout);
    this.depth = depth;
    this.numClasses = numClasses;
    this.inChannels = inChannels;
    this.batchNorm = batchNorm;

    const layers: Module[] = [];
    let channels = inChannels;
    for (const v of VGG_CONFIGS[depth]) {
      if (v === 'M') {
        layers.push(new MaxPool2d(2, { stride: 2 }));
        continue;
      }
      layers.push(new Conv2d(channels, v, 3, { padding: 1 }));
      if (batchNorm) layers.push(new BatchNorm2d(v));
      layers.push(new ReLU());
      channels = v;
    }
    this.features = new Sequential(...layers);
    this.avgpool = new AdaptiveAvgPool2d([7, 7]);
    this.classifier = new Sequential(
      new Linear(512 * 7 * 7, 4096), new ReLU(), new Dropout(dropout),
      new Linear(4096, 4096), new ReLU(), new Dropout(dropout),
      new Linear(4096, numClasses),
    );
    this.resetParameters();
  }

  /** torchvision's VGG initialisation (see the class comment). */
  resetParameters(): void {
    kaimingConvInit(this);
    for (const m of this.classifier) {
      if (m instanceof Linear) {
        init.normal_(m.weight, 0, 0.01);
        init.zeros_(m.bias!);
      }
    }
  }

  /**
   * Logits: `[N, inChannels, H, W] -> [N, numClasses]`, H and W at least 32. Throws on another rank,
   * channel count or a smaller image.
   * @example new tg.models.VGG(11, { numClasses: 10 }).forward(tg.randn([1, 3, 32, 32])) // [1, 10]
   */
  forward(x: Tensor): Tensor {
    checkImageInput(`vgg${this.depth}`, x, this.inChannels, VGG_MIN_INPUT);
    return this.classifier.forward(this.avgpool.forward(this.features.forward(x)).flatten(1));
  }
}

/** VGG-11 (configuration A). @example tg.models.vgg11({ numClasses: 10 }) */
export function vgg11(opts: VggOptions = {}): VGG {
  return new VGG(11, opts);
}

/** VGG-13 (configuration B). @example tg.models.vgg13({ numClasses: 10, batchNorm: true }) */
export function vgg13(opts: VggOptions = {}): VGG {
  return new VGG(13, opts);
}

/** VGG-16 (configuration D). @example tg.models.vgg16({ numClasses: 10, batchNorm: true }) */
export function vgg16(opts: VggOptions = {}): VGG {
  return new VGG(16, opts);
}

/** VGG-19 (configuration E). @example tg.models.vgg19({ numClasses: 10 }) */
export function vgg19(opts: VggOptions = {}): VGG {
  return new VGG(19, opts);
}
