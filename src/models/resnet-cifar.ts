import { Module } from '../nn/module.js';
import { Sequential } from '../nn/layers/container.js';
import { Conv2d } from '../nn/layers/conv.js';
import { Linear } from '../nn/layers/linear.js';
import { BatchNorm2d } from '../nn/layers/norm.js';
import { AdaptiveAvgPool2d } from '../nn/layers/pool.js';
import { ReLU } from '../nn/layers/activation.js';
import { pad } from '../ops/pad.js';
import type { Tensor } from '../tensor/tensor.js';
import { checkImageInput, checkKnownOptions, checkOneOf, checkPositiveInt, kaimingConvInit } from './common.js';

/*
 * The CIFAR-10 ResNets of He, Zhang, Ren & Sun, "Deep Residual Learning for Image
 * Recognition" (CVPR 2016), section 4.2: a 3x3 convolution to 16 channels, then three
 * stages of n basic blocks on 32x32, 16x16 and 8x8 maps with 16, 32 and 64 channels
 * (6n + 2 weighted layers), global average pooling and a fully connected layer.
 *
 * Shortcuts are the paper's option A, as it used for these models: the identity,
 * and where a block halves the map and doubles the channels, the input subsampled
 * with stride 2 and zero-padded with the extra channels (half before, half after, as
 * the widely used reproduction by Y. Idelbayev), so shortcuts add no parameters.
 * The parameter counts then round to the paper's: 269,722 (0.27M), 464,154 (0.46M)
 * and 853,018 (0.85M) for ResNet-20/32/56 at 10 classes.
 */

/** Two 3x3 conv + batch norm layers with an option-A (parameter-free) shortcut. */
export class CifarBasicBlock extends Module {
  /** 3x3 convolution inPlanes -> planes with the block's stride, padding 1, no bias. */
  conv1: Conv2d;
  /** Batch norm after conv1. */
  bn1: BatchNorm2d;
  /** The ReLU used after bn1 and after the sum. */
  relu = new ReLU();
  /** 3x3 convolution planes -> planes, stride 1, padding 1, no bias. */
  conv2: Conv2d;
  /** Batch norm after conv2, before the shortcut is added. */
  bn2: BatchNorm2d;
  /** Stride of conv1 (2 halves the map); the shortcut subsamples by it. Default 1. */
  readonly stride: number;
  /** Input channels. */
  readonly inPlanes: number;
  /** Output channels (the shortcut zero-pads the input up to them). */
  readonly planes: number;

  constructor(inPlanes: number, planes: number, stride = 1) {
    super();
    this.conv1 = new Conv2d(inPlanes, planes, 3, { stride, padding: 1, bias: false });
    this.bn1 = new BatchNorm2d(planes);
    this.conv2 = new Conv2d(planes, planes, 3, { padding: 1, bias: false });
    this.bn2 = new BatchNorm2d(planes);
    this.stride = stride;
    this.inPlanes = inPlanes;
    this.planes = planes;
  }

  /** Option A: subsample by the stride, then zero-pad the channel dim up to `planes`. */
  private shortcut(x: Tensor): Tensor {
    if (this.stride === 1 && this.inPlanes === this.planes) return x;
    const sub = this.stride === 1 ? x : x.slice(2, null, null, this.stride).slice(3, null, null, this.stride);
    const extra = this.planes - this.inPlanes;
    const before = Math.floor(extra / 2);
    return pad(sub, [0, 0, 0, 0, before, extra - before]);
  }

  /**
   * `relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x))`: `[N, inPlanes, H, W] -> [N, planes, ceil(H/stride), ceil(W/stride)]`.
   * @example new tg.models.CifarBasicBlock(16, 32, 2).forward(tg.randn([2, 16, 32, 32])) // [2, 32, 16, 16]
   */
  forward(x: Tensor): Tensor {
    const out = this.bn2.forward(this.conv2.forward(this.relu.forward(this.bn1.forward(this.conv1.forward(x)))));
    return this.relu.forward(out.add(this.shortcut(x)));
  }
}

/** The depths (6n + 2 layers, n = 3, 5, 7, 9, 18) of the paper's CIFAR ResNets. */
export type CifarResNetDepth = 20 | 32 | 44 | 56 | 110;

/** Options of `tg.models.resnet20` ... `resnet110` / `new tg.models.CifarResNet(depth, ...)`; every field is optional. */
export interface CifarResNetOptions {
  /** Output classes (default 10). */
  numClasses?: number;
  /** Input image channels (default 3). */
  inChannels?: number;
}

const OPTION_NAMES = ['numClasses', 'inChannels'] as const;
const DEPTHS: readonly CifarResNetDepth[] = [20, 32, 44, 56, 110];

/**
 * CIFAR ResNet-(6n+2): `conv1` 3x3 16 -> `bn1` -> relu -> `layer1` (n blocks, 16) ->
 * `layer2` (n blocks, 32, stride 2) -> `layer3` (n blocks, 64, stride 2) -> `avgpool`
 * (global) -> `fc`. Initialised with kaiming normal convolutions (fan out, ReLU gain).
 * Made for 32x32 inputs; any size works.
 * Input `[N, inChannels, H, W]` -> logits `[N, numClasses]`.
 * @example const net = tg.models.resnet20(); net.forward(tg.randn([2, 3, 32, 32])) // [2, 10]
 */
export class CifarResNet extends Module {
  /** Stem: 3x3 convolution inChannels -> 16, padding 1, no bias. */
  conv1: Conv2d;
  /** Batch norm after the stem convolution. */
  bn1: BatchNorm2d;
  /** ReLU after bn1. */
  relu = new ReLU();
  /** Stage 1: n CifarBasicBlocks at 16 channels, full resolution. */
  layer1: Sequential;
  /** Stage 2: n CifarBasicBlocks at 32 channels, the first with stride 2. */
  layer2: Sequential;
  /** Stage 3: n CifarBasicBlocks at 64 channels, the first with stride 2. */
  layer3: Sequential;
  /** Global average pooling: `[N, 64, h, w] -> [N, 64, 1, 1]`. */
  avgpool = new AdaptiveAvgPool2d([1, 1]);
  /** The classifier: Linear 64 -> numClasses. */
  fc: Linear;
  /** Number of weighted layers, 6n + 2. */
  readonly depth: CifarResNetDepth;
  /** Output classes. */
  readonly numClasses: number;
  /** Input image channels. */
  readonly inChannels: number;

  /**
   * @param depth 20, 32, 44, 56 or 110 (throws on another).
   * @param opts Classes and input channels.
   */
  constructor(depth: CifarResNetDepth, opts: CifarResNetOptions = {}) {
    super();
    const name = `resnet${depth}`;
    checkOneOf(name, 'depth', String(depth), DEPTHS.map(String));
    checkKnownOptions(name, opts, OPTION_NAMES);
    const { numClasses = 10, inChannels = 3 } = opts;
    checkPositiveInt(name, 'numClasses', numClasses);
    checkPositiveInt(name, 'inChannels', inChannels);
    this.depth = depth;
    this.numClasses = numClasses;
    this.inChannels = inChannels;
    const n = (depth - 2) / 6;
    const stage = (inPlanes: number, planes: number, stride: number) =>
      new Sequential(new CifarBasicBlock(inPlanes, planes, stride), ...Array.from({ length: n - 1 }, () => new CifarBasicBlock(planes, planes)));
    this.conv1 = new Conv2d(inChannels, 16, 3, { padding: 1, bias: false });
    this.bn1 = new BatchNorm2d(16);
    this.layer1 = stage(16, 16, 1);
    this.layer2 = stage(16, 32, 2);
    this.layer3 = stage(32, 64, 2);
    this.fc = new Linear(64, numClasses);
    this.resetParameters();
  }

  /** Kaiming normal convolutions (the paper cites He et al. 2015 for its initialisation). */
  resetParameters(): void {
    kaimingConvInit(this);
  }

  /**
   * Logits: `[N, inChannels, H, W] -> [N, numClasses]`. Throws on another rank or channel count.
   * @example new tg.models.CifarResNet(20).forward(tg.randn([2, 3, 32, 32])) // [2, 10]
   */
  forward(x: Tensor): Tensor {
    checkImageInput(`resnet${this.depth}`, x, this.inChannels);
    const y = this.relu.forward(this.bn1.forward(this.conv1.forward(x)));
    const z = this.layer3.forward(this.layer2.forward(this.layer1.forward(y)));
    return this.fc.forward(this.avgpool.forward(z).flatten(1));
  }
}

/** ResNet-20 for CIFAR (n = 3, 0.27M parameters). @example tg.models.resnet20({ numClasses: 10 }) */
export function resnet20(opts: CifarResNetOptions = {}): CifarResNet {
  return new CifarResNet(20, opts);
}

/** ResNet-32 for CIFAR (n = 5, 0.46M parameters): `[N, 3, 32, 32] -> [N, numClasses]`. @example tg.models.resnet32({ numClasses: 100 }) */
export function resnet32(opts: CifarResNetOptions = {}): CifarResNet {
  return new CifarResNet(32, opts);
}

/** ResNet-44 for CIFAR (n = 7, 0.66M parameters): `[N, 3, 32, 32] -> [N, numClasses]`. @example tg.models.resnet44({ numClasses: 10 }) */
export function resnet44(opts: CifarResNetOptions = {}): CifarResNet {
  return new CifarResNet(44, opts);
}

/** ResNet-56 for CIFAR (n = 9, 0.85M parameters): `[N, 3, 32, 32] -> [N, numClasses]`. @example tg.models.resnet56({ numClasses: 10 }) */
export function resnet56(opts: CifarResNetOptions = {}): CifarResNet {
  return new CifarResNet(56, opts);
}

/** ResNet-110 for CIFAR (n = 18, 1.7M parameters): `[N, 3, 32, 32] -> [N, numClasses]`. @example tg.models.resnet110({ numClasses: 10 }) */
export function resnet110(opts: CifarResNetOptions = {}): CifarResNet {
  return new CifarResNet(110, opts);
}
