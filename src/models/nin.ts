import { Module } from '../nn/module.js';
import { Sequential } from '../nn/layers/container.js';
import { Conv2d } from '../nn/layers/conv.js';
import { MaxPool2d, AvgPool2d, AdaptiveAvgPool2d } from '../nn/layers/pool.js';
import { Dropout } from '../nn/layers/dropout.js';
import { ReLU } from '../nn/layers/activation.js';
import * as init from '../nn/init.js';
import type { Tensor } from '../tensor/tensor.js';
import { checkDropout, checkImageInput, checkKnownOptions, checkPositiveInt } from './common.js';

/** Options of `tg.models.nin` / `new tg.models.NiN(...)`; every field is optional. */
export interface NinOptions {
  /** Output classes = channels of the last 1x1 convolution (default 10). */
  numClasses?: number;
  /** Input image channels (default 3). */
  inChannels?: number;
  /** Dropout probability after the first two mlpconv blocks (default 0.5). */
  dropout?: number;
}

const OPTION_NAMES = ['numClasses', 'inChannels', 'dropout'] as const;

/** One mlpconv block: a k x k convolution and two 1x1 convolutions ("cccp" layers), each followed by ReLU. */
function mlpconv(inChannels: number, widths: readonly [number, number, number], kernel: number): Module[] {
  const [a, b, c] = widths;
  return [
    new Conv2d(inChannels, a, kernel, { padding: (kernel - 1) / 2 }), new ReLU(),
    new Conv2d(a, b, 1), new ReLU(),
    new Conv2d(b, c, 1), new ReLU(),
  ];
}

/**
 * Network in Network (Lin, Chen & Yan, ICLR 2014) for 32x32 CIFAR images, following
 * the authors' CIFAR-10 Caffe model (the configuration the paper's CIFAR results
 * use; also the common PyTorch port):
 *
 * | block    | layers                                                  | output (32x32 in) |
 * |----------|---------------------------------------------------------|-------------------|
 * | `block1` | conv 5x5 192, 1x1 160, 1x1 96; max pool 3x3/2; dropout  | 96 x 16 x 16      |
 * | `block2` | conv 5x5 192, 1x1 192, 1x1 192; avg pool 3x3/2; dropout | 192 x 8 x 8       |
 * | `block3` | conv 3x3 192, 1x1 192, 1x1 numClasses                   | numClasses x 8 x 8|
 * | `avgpool`| global average pooling -> logits                        | numClasses        |
 *
 * Every convolution is followed by ReLU (the last one too, as in the Caffe model, so
 * the logits are non-negative), "same" padding (2 for 5x5, 1 for 3x3), pools use
 * padding 1 (Caffe rounds the pooled size up: 32 -> 16 -> 8). There is no fully
 * connected layer: the last mlpconv emits one map per class and global average
 * pooling turns each into a confidence. Weights are N(0, 0.05^2) with zero biases,
 * as in the PyTorch port of the Caffe model (jiecaoyu/pytorch-nin-cifar10).
 * 966,986 parameters at 10 classes.
 * Input `[N, inChannels, H, W]` (any size; made for 32x32) -> logits `[N, numClasses]`.
 * @example const net = tg.models.nin({ numClasses: 10 }); net.forward(tg.randn([2, 3, 32, 32])) // [2, 10]
 */
export class NiN extends Module {
  /** mlpconv 192-160-96 (5x5), max pool 3x3/2 (padding 1), dropout: `[N, inChannels, H, W] -> [N, 96, H/2, W/2]` (rounded up). */
  block1: Sequential;
  /** mlpconv 192-192-192 (5x5), average pool 3x3/2 (padding 1), dropout: `[N, 96, h, w] -> [N, 192, h/2, w/2]` (rounded up). */
  block2: Sequential;
  /** mlpconv 192-192-numClasses (3x3), one map per class: `[N, 192, h, w] -> [N, numClasses, h, w]`. */
  block3: Sequential;
  /** Global average pooling: `[N, numClasses, h, w] -> [N, numClasses, 1, 1]`. */
  avgpool = new AdaptiveAvgPool2d([1, 1]);
  /** Output classes (channels of the last 1x1 convolution). */
  readonly numClasses: number;
  /** Input image channels. */
  readonly inChannels: number;

  constructor(opts: NinOptions = {}) {
    super();
    checkKnownOptions('nin', opts, OPTION_NAMES);
    const { numClasses = 10, inChannels = 3, dropout = 0.5 } = opts;
    checkPositiveInt('nin', 'numClasses', numClasses);
    checkPositiveInt('nin', 'inChannels', inChannels);
    checkDropout('nin', dropout);
    this.numClasses = numClasses;
    this.inChannels = inChannels;
    this.block1 = new Sequential(
      ...mlpconv(inChannels, [192, 160, 96], 5),
      new MaxPool2d(3, { stride: 2, padding: 1 }), new Dropout(dropout),
    );
    this.block2 = new Sequential(
      ...mlpconv(96, [192, 192, 192], 5),
      new AvgPool2d(3, { stride: 2, padding: 1 }), new Dropout(dropout),
    );
    this.block3 = new Sequential(...mlpconv(192, [192, 192, numClasses], 3));
    this.resetParameters();
  }

  /** N(0, 0.05^2) weights and zero biases. */
  resetParameters(): void {
    for (const m of this.modules()) {
      if (m instanceof Conv2d) {
        init.normal_(m.weight, 0, 0.05);
        init.zeros_(m.bias!);
      }
    }
  }

  /**
   * Logits (non-negative: the last convolution has a ReLU): `[N, inChannels, H, W] -> [N, numClasses]`.
   * Throws on another rank or channel count.
   * @example new tg.models.NiN().forward(tg.randn([2, 3, 32, 32])) // [2, 10]
   */
  forward(x: Tensor): Tensor {
    checkImageInput('nin', x, this.inChannels);
    const y = this.block3.forward(this.block2.forward(this.block1.forward(x)));
    return this.avgpool.forward(y).flatten(1);
  }
}

/**
 * Builds Network in Network for CIFAR (see NiN): `[N, inChannels, H, W] -> [N, numClasses]`.
 * @example const net = tg.models.nin({ numClasses: 100, dropout: 0 }); net.forward(tg.randn([1, 3, 32, 32])) // [1, 100]
 */
export function nin(opts: NinOptions = {}): NiN {
  return new NiN(opts);
}
