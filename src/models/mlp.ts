import { Module } from '../nn/module.js';
import { Sequential, Flatten } from '../nn/layers/container.js';
import { Linear } from '../nn/layers/linear.js';
import { BatchNorm1d } from '../nn/layers/norm.js';
import { Dropout } from '../nn/layers/dropout.js';
import { ReLU, Sigmoid, Tanh, GELU, LeakyReLU, ELU } from '../nn/layers/activation.js';
import { TensorError } from '../core/errors.js';
import { checkKnownOptions } from './common.js';
import type { Tensor } from '../tensor/tensor.js';

/** The activation between hidden layers of `tg.models.mlp`: nn.ReLU, nn.Sigmoid, nn.Tanh, nn.GELU, nn.LeakyReLU or nn.ELU (with their defaults). */
export type MlpActivation = 'relu' | 'sigmoid' | 'tanh' | 'gelu' | 'leakyRelu' | 'elu';

/** Options of `tg.models.mlp` / `new tg.models.MLP(...)`: `sizes` is required. */
export interface MlpOptions {
  /** Layer widths, input first and classes last, e.g. [784, 256, 256, 10]. */
  sizes: number[];
  /** The activation after each hidden layer (not after the last). Default 'relu'. */
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
  /** Flatten, then the linear layers with their batch norms, activations and dropouts: `[N, ...] -> [N, sizes[last]]`. */
  layers: Sequential;
  /** @param opts The options it was built with, as given (defaults not filled in). */
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
  /**
   * Logits: `[N, ...]` (flattened from dim 1 to `[N, sizes[0]]`) -> `[N, sizes[last]]`.
   * @example new tg.models.MLP({ sizes: [784, 128, 10] }).forward(tg.randn([32, 1, 28, 28])) // [32, 10]
   */
  forward(x: Tensor): Tensor {
    return this.layers.forward(x);
  }
}

/**
 * Builds an MLP (see MLP): `[N, ...] -> [N, sizes[last]]`, inputs flattened from dim 1.
 * @example const net = tg.models.mlp({ sizes: [2, 16, 16, 3], activation: 'tanh', dropout: 0.1 }); net.forward(tg.randn([5, 2])) // [5, 3]
 */
export function mlp(opts: MlpOptions): MLP {
  return new MLP(opts);
}
