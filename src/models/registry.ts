import type { Module } from '../nn/module.js';
import { TensorError } from '../tensor/errors.js';
import { lenet5 } from './lenet.js';
import { mlp } from './mlp.js';

/** What every builder in the registry receives. */
export interface BuildOptions {
  numClasses: number;
  /** Input shape of one sample, [C, H, W]. */
  inputShape: readonly [number, number, number];
}

export interface ModelSpec {
  readonly name: string;
  readonly description: string;
  /** The [H, W] the model expects; null if it adapts to any size. */
  readonly inputSize: readonly [number, number] | null;
  build(opts: BuildOptions): Module;
}

const specs: ModelSpec[] = [
  {
    name: 'lenet5',
    description: 'LeNet-5 (ReLU, max pooling) for 28x28 images, 61,706 parameters',
    inputSize: [28, 28],
    build: ({ numClasses, inputShape }) => lenet5({ numClasses, inChannels: inputShape[0] }),
  },
  {
    name: 'mlp',
    description: 'A 2-hidden-layer perceptron (256-256, ReLU) over the flattened image',
    inputSize: null,
    build: ({ numClasses, inputShape }) => mlp({ sizes: [inputShape[0] * inputShape[1] * inputShape[2], 256, 256, numClasses] }),
  },
];

/** The models `--model` accepts, by name. */
export const MODELS: ReadonlyMap<string, ModelSpec> = new Map(specs.map((s) => [s.name, s]));

/** Looks up a model by name with an error listing the known ones. */
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
