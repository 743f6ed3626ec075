import { Module } from '../nn/module.js';
import { Sequential, Flatten } from '../nn/layers/container.js';
import { Linear } from '../nn/layers/linear.js';
import { BatchNorm1d } from '../nn/layers/norm.js';
import { Dropout } from '../nn/layers/dropout.js';
import { ReLU, Sigmoid, Tanh, GELU, LeakyReLU, ELU } from '../nn/layers/activation.js';
import { TensorError } from '../core/errors.js';
import { checkKnownOptions } from './common.js';
import type { Tensor } from '../tensor/tensor.js';

export type MlpActivation = 'relu' | 'sigmoid' | 'tanh' | 'gelu' | 'leakyRelu' | 'elu';

export interface MlpOptions {
  /** Layer widths, input first and classes last, e.g. [784, 256, 256, 10]. */
  sizes: number[];
  activation?: MlpActivation;
  /** Dropout probability after each hidden activation (0 = none). */
  dropout?: number;
  /** Batch norm after each hidden linear layer. */
  batchNorm?: boolean;
}

const ACTIVATIONS: Record<MlpActivation, () => Module> = {
  relu: () => new ReLU(), sigmoid: () => new Sigmoid(), tanh: () => new Tanh(),
  gelu: () => new GELU(), leakyRelu: () => new LeakyReLU(), elu: () => new ELU(),
};

/**
 * A fully connected network; inputs are flattened from dim 1, so images work directly.
 * Children: `layers` = Sequential(Flatten, Linear, [BatchNorm1d], act, [Dropout], ..., Linear).
 * @example tg.models.mlp({ sizes: [784, 256, 10], activation: 'relu' })
 */
export class MLP extends Module {
  layers: Sequential;
  constructor(readonly opts: MlpOptions) {
    super();
    checkKnownOptions('mlp', opts, ['sizes', 'activation', 'dropout', 'batchNorm']);
    const { sizes, activation = 'relu', dropout = 0, batchNorm = false } = opts;
    if (!Array.isArray(sizes) || sizes.length < 2 || sizes.some((s) => !Number.isInteger(s) || s <= 0)) {
      throw new TensorError(`mlp: sizes must list at least an input and an output width of positive integers (got ${JSON.stringify(sizes)})`);
    }
    if (!(activation in ACTIVATIONS)) throw new TensorError(`mlp: unknown activation '${activation}' (expected ${Object.keys(ACTIVATIONS).join(', ')})`);
    const mods: Module[] = [new Flatten()];
    for (let i = 0; i < sizes.length - 1; i++) {
      mods.push(new Linear(sizes[i]!, sizes[i + 1]!));
      if (i === sizes.length - 2) break;
      if (batchNorm) mods.push(new BatchNorm1d(sizes[i + 1]!));
      mods.push(ACTIVATIONS[activation]());
      if (dropout > 0) mods.push(new Dropout(dropout));
    }
    this.layers = new Sequential(...mods);
  }
  forward(x: Tensor): Tensor {
    return this.layers.forward(x);
  }
}

export function mlp(opts: MlpOptions): MLP {
  return new MLP(opts);
}
