/**
 * Capture: the intermediate outputs of a model's layers, by module path, through
 * forward hooks (so it works on any model: Sequential stacks, residual blocks,
 * a user's own forward). A hooked layer is never fused (src/nn/fusion.ts), so
 * what is captured is the layer's real output, and the model's own output is
 * the same as without the hooks.
 */
import { TensorError } from '../core/errors.js';
import { noGrad } from '../tensor/graph.js';
import { Tensor } from '../tensor/tensor.js';
import type { HookHandle, Module } from '../nn/module.js';

/**
 * The dotted paths of every module below `model` (as in `stateDict` keys, e.g.
 * 'features.0', 'layer1.0.conv1'), depth first; the model itself ('') is left out.
 * @example layerPaths(tg.models.lenet5()) // ['0', '1', '2', ...]
 */
export function layerPaths(model: Module): string[] {
  return model.namedModules().map(([name]) => name).filter((name) => name !== '');
}

/**
 * The module at dotted `path` ('' = the model). An unknown path throws a
 * TensorError naming `fn` and listing the valid paths.
 * @example moduleAt(model, 'features.0', 'featureMaps') // the first conv
 */
export function moduleAt(model: Module, path: string, fn = 'moduleAt'): Module {
  if (typeof path !== 'string') throw new TensorError(`${fn}: a layer path must be a string like 'features.0' (got ${typeof path})`);
  const found = model.namedModules().find(([name]) => name === path);
  if (!found) {
    const valid = layerPaths(model);
    throw new TensorError(`${fn}: unknown layer '${path}' (valid layers: ${valid.length ? valid.join(', ') : 'none: the model has no submodules'})`);
  }
  return found[1];
}

/** Options of `tg.viz.captureForward` and `tg.viz.featureMaps`. */
export interface CaptureOptions {
  /** Module paths to capture (default: every submodule). */
  layers?: readonly string[];
}

/** A model's output and the outputs of the chosen layers, by path, in the order the layers ran. */
export interface Captured {
  /** What `model.forward(input)` returned. */
  output: Tensor;
  /** Each captured layer's output by module path (still in the autograd graph). */
  maps: Map<string, Tensor>;
}

/**
 * Runs `model.forward(input)` with forward hooks on the chosen layers and
 * returns the model's output and each layer's output, with their autograd
 * graph (under the current grad mode): backward from a captured map reaches
 * the input, which is how saliency and projections to pixel space work. A
 * layer called twice keeps its first output; layers whose output is not a
 * tensor are left out. The hooks are removed before it returns, also when the
 * forward throws. The model runs in its current mode (call `model.eval()` first
 * for inference statistics).
 * @example const { output, maps } = captureForward(model, x.requiresGrad_(), { layers: ['0'] }); maps.get('0')!.sum().backward();
 */
export function captureForward(model: Module, input: Tensor, opts: CaptureOptions = {}): Captured {
  if (!(input instanceof Tensor)) throw new TensorError(`captureForward: input must be a Tensor (got ${typeof input})`);
  const paths = opts.layers ?? layerPaths(model);
  const maps = new Map<string, Tensor>();
  const handles: HookHandle[] = [];
  try {
    for (const path of paths) {
      const m = moduleAt(model, path, 'captureForward');
      handles.push(m.registerForwardHook((_m, _inputs, out) => {
        if (out instanceof Tensor && !maps.has(path)) maps.set(path, out);
        return undefined;
      }));
    }
    const output = model.forward(input) as unknown;
    if (!(output instanceof Tensor)) throw new TensorError('captureForward: the model did not return a Tensor');
    // Insertion order is the order the layers ran, which is how a reader scrolls through them.
    return { output, maps };
  } finally {
    for (const h of handles) h.remove();
  }
}

/**
 * The named intermediate outputs of `model` for `input` (no gradients):
 * module path -> output tensor, in the order the layers ran.
 * @example
 * const maps = tg.viz.featureMaps(model, x, { layers: ['0', '3'] });
 * maps.get('0')!.shape // [1, 6, 28, 28]
 */
export function featureMaps(model: Module, input: Tensor, opts: CaptureOptions = {}): Map<string, Tensor> {
  return noGrad(() => captureForward(model, input, opts).maps);
}
