import { Module } from '../nn/module.js';
import { Sequential, Flatten } from '../nn/layers/container.js';
import { Conv2d } from '../nn/layers/conv.js';
import { Linear } from '../nn/layers/linear.js';
import { MaxPool2d, AvgPool2d } from '../nn/layers/pool.js';
import { ReLU, Tanh } from '../nn/layers/activation.js';
import { TensorError } from '../core/errors.js';
import { checkKnownOptions, checkOneOf, checkPositiveInt } from './common.js';
import type { Tensor } from '../tensor/tensor.js';

/** Options of `tg.models.lenet5` / `new tg.models.LeNet5(...)`; every field is optional. */
export interface LeNetOptions {
  /** Output classes (default 10). */
  numClasses?: number;
  /** Input image channels (default 1). */
  inChannels?: number;
  /** 'relu' + max pooling (the modern variant, default) or 'tanh' + average pooling (LeCun et al. 1998). */
  variant?: 'relu' | 'classic';
}

/**
 * LeNet-5 for 28x28 inputs (MNIST): conv 5x5 (pad 2) -> 6, pool, conv 5x5 -> 16,
 * pool, then 400 -> 120 -> 84 -> numClasses. 61,706 parameters for 10 classes.
 * Input `[N, inChannels, 28, 28]` -> logits `[N, numClasses]`.
 * @example const model = tg.models.lenet5(); model.forward(tg.randn([8, 1, 28, 28])) // [8, 10]
 */
export class LeNet5 extends Module {
  /** The two convolutions with their activations and 2x2 pools: `[N, inChannels, 28, 28] -> [N, 16, 5, 5]`. */
  features: Sequential;
  /** Flatten then 400 -> 120 -> 84 -> numClasses with activations: `[N, 16, 5, 5] -> [N, numClasses]`. */
  classifier: Sequential;

  /** @param opts The options it was built with, as given (defaults not filled in). */
  constructor(readonly opts: LeNetOptions = {}) {
    super();
    checkKnownOptions('lenet5', opts, ['numClasses', 'inChannels', 'variant']);
    const { numClasses = 10, inChannels = 1, variant = 'relu' } = opts;
    checkOneOf('lenet5', 'variant', variant, ['relu', 'classic']);
    checkPositiveInt('lenet5', 'inChannels', inChannels);
    checkPositiveInt('lenet5', 'numClasses', numClasses);
    const act = () => (variant === 'classic' ? new Tanh() : new ReLU());
    const pool = () => (variant === 'classic' ? new AvgPool2d(2) : new MaxPool2d(2));
    this.features = new Sequential(
      new Conv2d(inChannels, 6, 5, { padding: 2 }), act(), pool(),
      new Conv2d(6, 16, 5), act(), pool(),
    );
    this.classifier = new Sequential(
      new Flatten(),
      new Linear(16 * 5 * 5, 120), act(),
      new Linear(120, 84), act(),
      new Linear(84, numClasses),
    );
  }

  /**
   * Logits: `[N, inChannels, 28, 28] -> [N, numClasses]`. Throws on another rank or image size.
   * @example new tg.models.LeNet5().forward(tg.randn([4, 1, 28, 28])) // [4, 10]
   */
  forward(x: Tensor): Tensor {
    if (x.ndim !== 4 || x.shape[2] !== 28 || x.shape[3] !== 28) {
      throw new TensorError(`lenet5: expected input [N, ${this.opts.inChannels ?? 1}, 28, 28] (got [${x.shape}])`);
    }
    return this.classifier.forward(this.features.forward(x));
  }
}

/**
 * Builds LeNet-5 (see LeNet5): `[N, inChannels, 28, 28] -> [N, numClasses]`.
 * @example const net = tg.models.lenet5({ variant: 'classic' }); net.forward(tg.randn([2, 1, 28, 28])) // [2, 10]
 */
export function lenet5(opts: LeNetOptions = {}): LeNet5 {
  return new LeNet5(opts);
}
