/**
 * The Inside tab's filters: the first conv layer's kernels (tg.viz.filterImages,
 * each filter min-max to grey), or for the MLP, which has no conv, the first
 * Linear layer's first rows as 28x28 pictures of what each hidden unit weighs.
 */
import * as tg from '../../../src/index.js';
import type { FiltersReply, FiltersRequest } from './protocol.js';
import type { CurrentModel } from './model-state.js';
import { imageToRgba, minMaxGrey } from './rgba.js';

/** Hidden units of the MLP shown as weight images. */
const MLP_UNITS_SHOWN = 32;
const SIDE = 28;

/**
 * Answers a `filters` request for the current model.
 * @example filters(session.current, { type: 'filters', id: 2 }).images.length // 6 for LeNet-5
 */
export function filters(cur: CurrentModel, req: FiltersRequest): FiltersReply {
  const { model } = cur;
  const base = { type: 'filters' as const, id: req.id, modelVersion: cur.version, step: cur.step };
  const hasConv = model.modules().some((m) => m instanceof tg.nn.Conv2d);
  if (hasConv) {
    const f = tg.viz.filterImages(model);
    const [cout, cin, kh, kw] = f.weightShape as [number, number, number, number];
    const per = f.layout === 'per-channel' ? `, one image per input channel (${cin})` : '';
    return {
      ...base, layer: f.path, images: f.images.map(imageToRgba),
      description: `${cout} filters ${kh}x${kw}${per}, each scaled to its own min..max (dark = negative, light = positive weight)`,
    };
  }
  const found = model.namedModules().find(([, m]) => m instanceof tg.nn.Linear);
  if (!found) throw new Error('filters: the model has neither a Conv2d nor a Linear layer');
  const [path, linear] = found as [string, tg.nn.Linear];
  const [units, inputs] = linear.weight.shape as [number, number];
  if (inputs !== SIDE * SIDE) throw new Error(`filters: layer '${path}' takes ${inputs} inputs, not a 28x28 image`);
  const w = linear.weight.data() as ArrayLike<number>;
  const shown = Math.min(units, MLP_UNITS_SHOWN);
  const images = Array.from({ length: shown }, (_, u) => minMaxGrey(w, u * inputs, SIDE, SIDE));
  return {
    ...base, layer: path, images,
    description: `the MLP has no conv layer: the input weights of the first ${shown} of ${units} hidden units of '${path}' as 28x28 images, each scaled to its own min..max`,
  };
}
