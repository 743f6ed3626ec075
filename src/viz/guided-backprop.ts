/**
 * Projection of one activation back to pixel space: which input pixels, and
 * in which direction, drive a single unit at a single position.
 *
 * Three ways to send the activation back through a ReLU (everything else uses
 * its ordinary gradient; max pooling routes through its recorded argmax, the
 * deconvnet's "switches"):
 * - 'gradient': the true gradient, g·[x > 0] (saliency-like, Simonyan et al. 2014);
 * - 'deconvnet': relu(g), the sign of the gradient only (Zeiler & Fergus 2014);
 * - 'guided': relu(g)·[x > 0], both (guided backpropagation, Springenberg et
 *   al. 2015): only positive evidence through units that were on, which is why
 *   its pictures are sharp.
 *
 * Why replaced gradient rules rather than unfused modules: the rules apply to
 * recorded primitives (autograd/engine.ts `backwardWithRules`), so they reach
 * every ReLU however it ran: an nn.ReLU, `F.relu` inside a user's forward, and
 * the ReLU fused into a conv kernel (the 'conv' node with attrs.relu,
 * 'convReluPool'). Hooking every module to defeat fusion would still miss the
 * functional ReLUs, and would run LeNet's blocks slower than users train them.
 */
import { TensorError, fmtShape } from '../core/errors.js';
import { typedArrayFor } from '../core/dtype.js';
import { tensor } from '../tensor/create.js';
import { withGradMode } from '../tensor/graph.js';
import type { Tensor } from '../tensor/tensor.js';
import { filled } from '../ops/core.js';
import { clone, reshape, unsqueeze } from '../ops/movement.js';
import { backwardWithRules, type RuleOverrides } from '../autograd/engine.js';
import type { Module } from '../nn/module.js';
import { captureForward, moduleAt } from './capture.js';
import { inEvalFrozen } from './eval-frozen.js';
import { checkUnits } from './scan-checks.js';
import { DECONVNET_RULES, GUIDED_RULES } from './relu-rules.js';
import { cropWindow, type PixelWindow } from './receptive-window.js';

/** How an activation is sent back through ReLUs (see the top of this file). */
export type ProjectionMethod = 'guided' | 'deconvnet' | 'gradient';

const RULES: Record<ProjectionMethod, RuleOverrides> = { guided: GUIDED_RULES, deconvnet: DECONVNET_RULES, gradient: {} };

/** Options of `tg.viz.projectActivation`: which activation (layer, unit, position) and the backward rule. */
export interface ProjectionOptions {
  /** Module path of the layer. */
  layer: string;
  /** Channel of the layer's output. */
  unit: number;
  /** [row, column] in the layer's output map (default [0, 0]; layers without spatial dims have only that). */
  position?: readonly [number, number];
  /** How ReLUs pass the signal back (default 'guided'). */
  method?: ProjectionMethod;
}

/**
 * The projection of one activation, `layer`'s output at [unit, row, col] for
 * `image`, back to the input: d activation / d image with the ReLUs' backward
 * replaced per `method`. Zero (exactly) outside the activation's receptive
 * field. The model runs in eval mode with its parameters frozen (both restored
 * after); no parameter's `.grad` changes.
 * Shapes: image `[C, H, W]` -> projection `[C, H, W]` (signed, unnormalised).
 * @example
 * const p = tg.viz.projectActivation(model, img, { layer: 'features.3', unit: 5, position: [2, 4] });
 * writePng('proj.png', tg.viz.projectionImage(p));
 */
export function projectActivation(model: Module, image: Tensor, opts: ProjectionOptions): Tensor {
  const fn = 'projectActivation';
  if (image?.ndim !== 3) throw new TensorError(`${fn}: image must be [C, H, W] (got ${image ? fmtShape(image.shape) : String(image)})`);
  const { layer, unit, position, method } = opts;
  const batch = projectBatch(fn, model, unsqueeze(image.detach(), 0), [{ unit, position }], { layer, method });
  return reshape(batch, image.shape);
}

/** One activation to project: a channel of the layer and a map position. */
export interface ActivationTarget {
  /** Channel of the layer's output. */
  unit: number;
  /** [row, column] in the layer's output map (default [0, 0]). */
  position?: readonly [number, number];
}

/**
 * {@link projectActivation} for many images at once: image i's projection of
 * its own target i, from one forward and one backward pass (the seed has a 1
 * at each image's target). Equal to projecting each image alone because in
 * eval mode images do not interact (batch norm uses running statistics), so
 * the activation of image i depends on image i only.
 * Shapes: images `[N, C, H, W]`, N targets -> projections `[N, C, H, W]`.
 * @example
 * const ps = tg.viz.projectActivations(model, imgs, [{ unit: 3, position: [1, 2] }, { unit: 3, position: [0, 4] }], { layer: 'features.5' });
 */
export function projectActivations(
  model: Module, images: Tensor, targets: readonly ActivationTarget[], opts: { layer: string; method?: ProjectionMethod },
): Tensor {
  return projectBatch('projectActivations', model, images, targets, opts);
}

function projectBatch(
  fn: string, model: Module, images: Tensor, targets: readonly ActivationTarget[], opts: { layer: string; method?: ProjectionMethod },
): Tensor {
  const { layer, method = 'guided' } = opts ?? {};
  moduleAt(model, layer, fn);
  if (images?.ndim !== 4) throw new TensorError(`${fn}: images must be [N, C, H, W] (got ${images ? fmtShape(images.shape) : String(images)})`);
  if (!Array.isArray(targets) || targets.length !== images.shape[0]) {
    throw new TensorError(`${fn}: expected one target { unit, position } per image (${images.shape[0]} images, got ${Array.isArray(targets) ? targets.length : String(targets)})`);
  }
  if (!Object.hasOwn(RULES, method)) throw new TensorError(`${fn}: method must be 'guided', 'deconvnet' or 'gradient' (got '${String(method)}')`);
  return inEvalFrozen(model, () => withGradMode(true, () => {
    // A fresh leaf: the caller's images (maybe dataset views) are never given a .grad.
    const x = clone(images.detach()).requiresGrad_(true);
    const map = captureForward(model, x, { layers: [layer] }).maps.get(layer);
    if (!map) throw new TensorError(`${fn}: layer '${layer}' did not run or did not return a tensor in the model's forward`);
    const seed = oneHots(fn, layer, map, targets);
    if (map._node) backwardWithRules(map, seed, RULES[method]);
    return x.grad ?? filled(x.shape, 0, x.dtype, x.backend);
  }));
}

/** A seed of `map`'s shape: 1 at [i, unit_i, row_i, col_i] for each image i, 0 elsewhere (checked against the map's size). */
function oneHots(fn: string, layer: string, map: Tensor, targets: readonly ActivationTarget[]): Tensor {
  if (map.ndim !== 4 && map.ndim !== 2) throw new TensorError(`${fn}: layer '${layer}' outputs ${fmtShape(map.shape)}; expected [N, C, H, W] or [N, C]`);
  const c = map.shape[1]!, h = map.ndim === 4 ? map.shape[2]! : 1, w = map.ndim === 4 ? map.shape[3]! : 1;
  const data = typedArrayFor(map.dtype, map.numel());
  targets.forEach(({ unit, position = [0, 0] }, i) => {
    checkUnits(fn, layer, [unit], c);
    const [row, col] = position;
    if (!Number.isInteger(row) || !Number.isInteger(col) || row < 0 || row >= h || col < 0 || col >= w) {
      throw new TensorError(`${fn}: position [${row}, ${col}] is outside layer '${layer}''s ${h}x${w} map`);
    }
    data[((i * c + unit) * h + row) * w + col] = 1;
  });
  return tensor(data, { shape: map.shape, dtype: map.dtype, backend: map.backend });
}

/**
 * A projection as an image in [0, 1]: cropped to `window` when given (outside
 * the image counts as zero gradient), then scaled so the largest |value| maps
 * to 0 or 1 and zero to mid-grey 0.5 (one scale for all channels, so colours
 * keep their balance).
 * Shapes: `[C, H, W]` -> `[C, H, W]`, or `[C, window.height, window.width]`.
 * @example imageGrid([patch, projectionImage(p, window)])
 */
export function projectionImage(projection: Tensor, window?: PixelWindow): Tensor {
  if (projection?.ndim !== 3) throw new TensorError(`projectionImage: projection must be [C, H, W] (got ${projection ? fmtShape(projection.shape) : String(projection)})`);
  const crop = window ? cropWindow(projection, window, 0) : projection;
  const data = crop.data();
  let m = 0;
  for (const v of data) m = Math.max(m, Math.abs(v));
  const out = new Float32Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = m > 0 ? 0.5 + (0.5 * data[i]!) / m : 0.5;
  return tensor(out, { shape: crop.shape });
}
