/**
 * Transfer learning's first step: find a model's classifier head (its last
 * Linear layer) and replace it with a freshly initialised one for new classes.
 */
import { Module } from '../nn/module.js';
import { Linear } from '../nn/layers/linear.js';
import { Sequential, ModuleList, ModuleDict } from '../nn/layers/container.js';
import { TensorError } from '../core/errors.js';

/** A model's classifier head: the module path of its last Linear layer, and the layer. */
export interface Head {
  /** Module path of the head in the model (as namedModules gives it), e.g. 'classifier.5' or 'fc'. */
  path: string;
  /** The head layer itself ([N, inFeatures] -> [N, numClasses]). */
  layer: Linear;
}

/**
 * The last Linear layer in registration order (namedModules), which is the
 * classifier head of every zoo model with one (LeNet-5 'classifier.5', VGG and
 * AlexNet 'classifier.6', ResNet 'fc', MLP's last layer). A model without a
 * Linear layer (e.g. NiN, whose classifier is a convolution) is a TensorError.
 * @example tg.train.findHead(tg.models.lenet5()) // { path: 'classifier.5', layer: Linear(84 -> 10) }
 */
export function findHead(model: Module): Head {
  const linears = model.namedModules().filter((e): e is [string, Linear] => e[1] instanceof Linear);
  const last = linears.at(-1);
  if (!last) {
    throw new TensorError(`findHead: ${model.constructor.name} has no Linear layer to use as the classifier head ` +
      '(models whose classifier is a convolution, such as NiN, need their head replaced by hand)');
  }
  if (last[0] === '') throw new TensorError('findHead: the model is itself a single Linear layer; build a new Linear instead');
  return { path: last[0], layer: last[1] };
}

/**
 * Puts `replacement` where the module at `path` is: an index of a Sequential
 * or ModuleList, a key of a ModuleDict, or a property of any other module.
 * Throws a TensorError when there is no module at `path` or it cannot be replaced there.
 * @example tg.train.setModuleAt(model, 'classifier.5', new tg.nn.Linear(84, 5))
 */
export function setModuleAt(model: Module, path: string, replacement: Module): void {
  const dot = path.lastIndexOf('.');
  const parentPath = dot < 0 ? '' : path.slice(0, dot);
  const name = path.slice(dot + 1);
  const parent = model.namedModules().find(([p]) => p === parentPath)?.[1];
  const current = parent?.namedChildren().find(([n]) => n === name)?.[1];
  if (!parent || !current) throw new TensorError(`setModuleAt: ${model.constructor.name} has no module '${path}'`);
  if (parent instanceof Sequential || parent instanceof ModuleList) parent.set(Number(name), replacement);
  else if (parent instanceof ModuleDict) parent.set(name, replacement);
  else if ((parent as unknown as Record<string, unknown>)[name] === current) (parent as unknown as Record<string, unknown>)[name] = replacement;
  else throw new TensorError(`setModuleAt: cannot replace '${path}': ${parent.constructor.name} does not hold it in a property named '${name}'`);
}

/**
 * Replaces the classifier head (findHead) by a new Linear layer with the same
 * inputs and bias setting and `numClasses` outputs, initialised as PyTorch
 * does (seed the global generator first for a reproducible head). The new
 * layer is trainable whatever was frozen before. Returns the head's path and
 * the new layer.
 * @example tg.manualSeed(0); tg.train.replaceHead(model, 5) // { path: 'classifier.5', layer: Linear(84 -> 5) }
 */
export function replaceHead(model: Module, numClasses: number): Head {
  if (!Number.isSafeInteger(numClasses) || numClasses < 1) throw new TensorError(`replaceHead: numClasses must be a positive integer (got ${numClasses})`);
  const { path, layer } = findHead(model);
  const head = new Linear(layer.inFeatures, numClasses, { bias: layer.bias !== null, dtype: layer.weight.dtype });
  setModuleAt(model, path, head);
  return { path, layer: head };
}
