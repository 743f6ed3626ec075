import { Module } from '../nn/module.js';
import { Sequential } from '../nn/layers/container.js';
import { Conv2d } from '../nn/layers/conv.js';
import { Linear } from '../nn/layers/linear.js';
import { BatchNorm2d } from '../nn/layers/norm.js';
import { MaxPool2d, AdaptiveAvgPool2d } from '../nn/layers/pool.js';
import { ReLU } from '../nn/layers/activation.js';
import type { Tensor } from '../tensor/tensor.js';
import { TensorError } from '../core/errors.js';
import { checkImageInput, checkKnownOptions, checkOneOf, checkPositiveInt, kaimingConvInit } from './common.js';

/*
 * ResNets for ImageNet-sized inputs (He, Zhang, Ren & Sun, "Deep Residual Learning
 * for Image Recognition", CVPR 2016, table 1), written to match torchvision's
 * module tree so state-dict keys are identical: `conv1`, `bn1`, `layer1.0.conv1.weight`,
 * `layer2.0.downsample.0.weight`, `layer2.0.downsample.1.running_mean`, `fc.weight`.
 * The blocks are plain Modules with an explicit forward (not nn.Residual), since
 * torchvision names the body layers directly on the block.
 */

const conv3x3 = (inPlanes: number, outPlanes: number, stride = 1) => new Conv2d(inPlanes, outPlanes, 3, { stride, padding: 1, bias: false });
const conv1x1 = (inPlanes: number, outPlanes: number, stride = 1) => new Conv2d(inPlanes, outPlanes, 1, { stride, bias: false });

/**
 * Two 3x3 convolutions with batch norm; `relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x))`,
 * the shortcut being `downsample` (1x1 conv + batch norm) when the stride or width changes.
 */
export class BasicBlock extends Module {
  /** Output channels per `planes`: 1 (a BasicBlock outputs `planes` channels). */
  static readonly expansion = 1;
  /** 3x3 convolution inPlanes -> planes with the block's stride, no bias. */
  conv1: Conv2d;
  /** Batch norm after conv1. */
  bn1: BatchNorm2d;
  /** The ReLU used after bn1 and after the sum. */
  relu = new ReLU();
  /** 3x3 convolution planes -> planes, no bias. */
  conv2: Conv2d;
  /** Batch norm after conv2, before the shortcut is added. */
  bn2: BatchNorm2d;
  /** The projection shortcut (1x1 conv + BatchNorm2d) when stride or width changes; null for the identity. */
  downsample: Sequential | null;

  /**
   * @param inPlanes Input channels.
   * @param planes Output channels.
   * @param stride Stride of conv1 (and of `downsample`, which the caller builds to match). Default 1.
   * @param downsample The shortcut projection, or null for the identity (then inPlanes must equal planes and stride be 1).
   */
  constructor(inPlanes: number, planes: number, stride = 1, downsample: Sequential | null = null) {
    super();
    this.conv1 = conv3x3(inPlanes, planes, stride);
    this.bn1 = new BatchNorm2d(planes);
    this.conv2 = conv3x3(planes, planes);
    this.bn2 = new BatchNorm2d(planes);
    this.downsample = downsample;
  }

  /**
   * `relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x))`: `[N, inPlanes, H, W] -> [N, planes, ceil(H/stride), ceil(W/stride)]`.
   * @example new tg.models.BasicBlock(64, 64).forward(tg.randn([1, 64, 8, 8])) // [1, 64, 8, 8]
   */
  forward(x: Tensor): Tensor {
    const out = this.bn2.forward(this.conv2.forward(this.relu.forward(this.bn1.forward(this.conv1.forward(x)))));
    const identity = this.downsample ? this.downsample.forward(x) : x;
    return this.relu.forward(out.add(identity));
  }
}

/**
 * 1x1 (reduce) -> 3x3 (stride here, as torchvision's "ResNet v1.5") -> 1x1 (expand x4),
 * each with batch norm; `relu(bn3(conv3(...)) + shortcut(x))`.
 */
export class Bottleneck extends Module {
  /** Output channels per `planes`: 4 (a Bottleneck outputs `4 * planes` channels). */
  static readonly expansion = 4;
  /** 1x1 convolution inPlanes -> planes (the reduction), no bias. */
  conv1: Conv2d;
  /** Batch norm after conv1. */
  bn1: BatchNorm2d;
  /** 3x3 convolution planes -> planes with the block's stride, no bias. */
  conv2: Conv2d;
  /** Batch norm after conv2. */
  bn2: BatchNorm2d;
  /** 1x1 convolution planes -> 4 * planes (the expansion), no bias. */
  conv3: Conv2d;
  /** Batch norm after conv3, before the shortcut is added. */
  bn3: BatchNorm2d;
  /** The ReLU used after bn1, bn2 and after the sum. */
  relu = new ReLU();
  /** The projection shortcut (1x1 conv + BatchNorm2d) when stride or width changes; null for the identity. */
  downsample: Sequential | null;

  /**
   * @param inPlanes Input channels.
   * @param planes Inner width; the block outputs `4 * planes` channels.
   * @param stride Stride of conv2 (and of `downsample`, which the caller builds to match). Default 1.
   * @param downsample The shortcut projection, or null for the identity (then inPlanes must equal 4 * planes and stride be 1).
   */
  constructor(inPlanes: number, planes: number, stride = 1, downsample: Sequential | null = null) {
    super();
    this.conv1 = conv1x1(inPlanes, planes);
    this.bn1 = new BatchNorm2d(planes);
    this.conv2 = conv3x3(planes, planes, stride);
    this.bn2 = new BatchNorm2d(planes);
    this.conv3 = conv1x1(planes, planes * Bottleneck.expansion);
    this.bn3 = new BatchNorm2d(planes * Bottleneck.expansion);
    this.downsample = downsample;
  }

  /**
   * `relu(bn3(conv3(relu(bn2(conv2(relu(bn1(conv1(x)))))))) + shortcut(x))`:
   * `[N, inPlanes, H, W] -> [N, 4 * planes, ceil(H/stride), ceil(W/stride)]`.
   * @example new tg.models.Bottleneck(256, 64).forward(tg.randn([1, 256, 8, 8])) // [1, 256, 8, 8]
   */
  forward(x: Tensor): Tensor {
    let out = this.relu.forward(this.bn1.forward(this.conv1.forward(x)));
    out = this.relu.forward(this.bn2.forward(this.conv2.forward(out)));
    out = this.bn3.forward(this.conv3.forward(out));
    const identity = this.downsample ? this.downsample.forward(x) : x;
    return this.relu.forward(out.add(identity));
  }
}

/** The depths of torchvision's ImageNet ResNets built here. */
export type ResNetDepth = 18 | 34 | 50 | 101;

/** Block type and blocks per stage (table 1 of the paper). */
export const RESNET_CONFIGS: Readonly<Record<ResNetDepth, {
  /** The residual block: BasicBlock ('basic') or Bottleneck ('bottleneck'). */
  block: 'basic' | 'bottleneck';
  /** Blocks in layer1..layer4. */
  layers: readonly [number, number, number, number];
}>> = {
  18: { block: 'basic', layers: [2, 2, 2, 2] },
  34: { block: 'basic', layers: [3, 4, 6, 3] },
  50: { block: 'bottleneck', layers: [3, 4, 6, 3] },
  101: { block: 'bottleneck', layers: [3, 4, 23, 3] },
};

/** Options of `tg.models.resnet18` ... `resnet101` / `new tg.models.ResNet(depth, ...)`; every field is optional. */
export interface ResNetOptions {
  /** Output classes (default 1000). */
  numClasses?: number;
  /** Input image channels (default 3). */
  inChannels?: number;
  /**
   * Planes of the four stages (default torchvision's [64, 128, 256, 512]); the stem
   * has widths[0] channels. Narrower widths keep torchvision's names with smaller
   * tensors (tests, small experiments); the published counts hold at the default.
   */
  widths?: readonly [number, number, number, number];
}

const OPTION_NAMES = ['numClasses', 'inChannels', 'widths'] as const;

/**
 * torchvision's ImageNet ResNet: conv1 7x7/2 (64) -> bn1 -> relu -> maxpool 3x3/2 ->
 * layer1..layer4 (64, 128, 256, 512 planes, or `widths`; stride 2 from layer2 on, in the first
 * block's 3x3 conv and 1x1 projection shortcut) -> adaptive average pool -> fc.
 * Initialised as torchvision: convolutions kaiming normal (fan out, ReLU gain),
 * batch norm weight 1 and bias 0, fc PyTorch's default.
 *
 * Parameters at 1000 classes: ResNet-18 11,689,512; ResNet-34 21,797,672;
 * ResNet-50 25,557,032; ResNet-101 44,549,160 (torchvision's numbers).
 * Any input size works (32x32 leaves a 1x1 map before the pool).
 * Input `[N, inChannels, H, W]` -> logits `[N, numClasses]`.
 * @example const net = tg.models.resnet18({ numClasses: 10 }); net.forward(tg.randn([2, 3, 32, 32])) // [2, 10]
 */
export class ResNet extends Module {
  /** Stem: 7x7 convolution inChannels -> widths[0], stride 2, padding 3, no bias. */
  conv1: Conv2d;
  /** Batch norm after the stem convolution. */
  bn1: BatchNorm2d;
  /** ReLU after bn1. */
  relu = new ReLU();
  /** 3x3 max pool, stride 2, padding 1, after the stem. */
  maxpool = new MaxPool2d(3, { stride: 2, padding: 1 });
  /** Stage 1: blocks at widths[0] planes, stride 1. */
  layer1: Sequential;
  /** Stage 2: blocks at widths[1] planes, the first with stride 2. */
  layer2: Sequential;
  /** Stage 3: blocks at widths[2] planes, the first with stride 2. */
  layer3: Sequential;
  /** Stage 4: blocks at widths[3] planes, the first with stride 2. */
  layer4: Sequential;
  /** Global average pooling: `[N, C, h, w] -> [N, C, 1, 1]`. */
  avgpool = new AdaptiveAvgPool2d([1, 1]);
  /** The classifier: Linear (widths[3] * expansion) -> numClasses (512 or 2048 at the default widths). */
  fc: Linear;
  /** 18, 34, 50 or 101. */
  readonly depth: ResNetDepth;
  /** Output classes. */
  readonly numClasses: number;
  /** Input image channels. */
  readonly inChannels: number;
  /** Planes of the four stages (a copy of the option; default [64, 128, 256, 512]). */
  readonly widths: readonly [number, number, number, number];
  private _inPlanes: number;

  /**
   * @param depth 18, 34, 50 or 101 (throws on another).
   * @param opts Classes, input channels and stage widths.
   */
  constructor(depth: ResNetDepth, opts: ResNetOptions = {}) {
    super();
    const name = `resnet${depth}`;
    checkOneOf(name, 'depth', String(depth), Object.keys(RESNET_CONFIGS));
    checkKnownOptions(name, opts, OPTION_NAMES);
    const { numClasses = 1000, inChannels = 3, widths = [64, 128, 256, 512] } = opts;
    checkPositiveInt(name, 'numClasses', numClasses);
    checkPositiveInt(name, 'inChannels', inChannels);
    if (!Array.isArray(widths) || widths.length !== 4) {
      throw new TensorError(`${name}: widths must be an array of 4 positive integers (got ${Array.isArray(widths) ? `${(widths as unknown[]).length} items` : String(widths)})`);
    }
    widths.forEach((w, i) => checkPositiveInt(name, `widths[${i}]`, w));
    this.depth = depth;
    this.numClasses = numClasses;
    this.inChannels = inChannels;
    this.widths = [...widths] as [number, number, number, number];

    const { block, layers } = RESNET_CONFIGS[depth];
    const Block = block === 'basic' ? BasicBlock : Bottleneck;
    const [w1, w2, w3, w4] = this.widths;
    this._inPlanes = w1;
    this.conv1 = new Conv2d(inChannels, w1, 7, { stride: 2, padding: 3, bias: false });
    this.bn1 = new BatchNorm2d(w1);
    this.layer1 = this.makeLayer(Block, w1, layers[0], 1);
    this.layer2 = this.makeLayer(Block, w2, layers[1], 2);
    this.layer3 = this.makeLayer(Block, w3, layers[2], 2);
    this.layer4 = this.makeLayer(Block, w4, layers[3], 2);
    this.fc = new Linear(w4 * Block.expansion, numClasses);
    this.resetParameters();
  }

  /** One stage: the first block may stride and project the shortcut; the rest keep the shape. */
  private makeLayer(Block: typeof BasicBlock | typeof Bottleneck, planes: number, blocks: number, stride: number): Sequential {
    const outPlanes = planes * Block.expansion;
    const downsample = stride !== 1 || this._inPlanes !== outPlanes
      ? new Sequential(conv1x1(this._inPlanes, outPlanes, stride), new BatchNorm2d(outPlanes))
      : null;
    const mods: Module[] = [new Block(this._inPlanes, planes, stride, downsample)];
    this._inPlanes = outPlanes;
    for (let i = 1; i < blocks; i++) mods.push(new Block(this._inPlanes, planes));
    return new Sequential(...mods);
  }

  /** torchvision's ResNet initialisation (see the class comment). */
  resetParameters(): void {
    kaimingConvInit(this);
  }

  /**
   * Logits: `[N, inChannels, H, W] -> [N, numClasses]`. Throws on another rank or channel count.
   * @example new tg.models.ResNet(18, { numClasses: 10, widths: [8, 16, 32, 64] }).forward(tg.randn([2, 3, 32, 32])) // [2, 10]
   */
  forward(x: Tensor): Tensor {
    checkImageInput(`resnet${this.depth}`, x, this.inChannels);
    let y = this.maxpool.forward(this.relu.forward(this.bn1.forward(this.conv1.forward(x))));
    y = this.layer4.forward(this.layer3.forward(this.layer2.forward(this.layer1.forward(y))));
    return this.fc.forward(this.avgpool.forward(y).flatten(1));
  }
}

/** ResNet-18 (BasicBlock, [2, 2, 2, 2]). @example tg.models.resnet18({ numClasses: 10 }) */
export function resnet18(opts: ResNetOptions = {}): ResNet {
  return new ResNet(18, opts);
}

/** ResNet-34 (BasicBlock, [3, 4, 6, 3]): `[N, 3, H, W] -> [N, numClasses]`. @example tg.models.resnet34({ numClasses: 10 }) */
export function resnet34(opts: ResNetOptions = {}): ResNet {
  return new ResNet(34, opts);
}

/** ResNet-50 (Bottleneck, [3, 4, 6, 3]): `[N, 3, H, W] -> [N, numClasses]`. @example tg.models.resnet50({ numClasses: 10 }) */
export function resnet50(opts: ResNetOptions = {}): ResNet {
  return new ResNet(50, opts);
}

/** ResNet-101 (Bottleneck, [3, 4, 23, 3]): `[N, 3, H, W] -> [N, numClasses]`. @example tg.models.resnet101({ numClasses: 10 }) */
export function resnet101(opts: ResNetOptions = {}): ResNet {
  return new ResNet(101, opts);
}
