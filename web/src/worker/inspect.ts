/**
 * The Draw tab's request: what the current network makes of one 28x28 drawing —
 * class probabilities, every leaf layer's output as coloured images, and
 * optionally a saliency overlay. Runs between training steps, in eval mode with
 * without a graph (every module's training flag is put back afterwards), so a
 * drawing never disturbs the run.
 */
import * as tg from '../../../src/index.js';
import { MNIST_NORMALIZATION } from '../draw/preprocess.js';
import { MAX_CHANNELS_SHOWN, type InspectReply, type InspectRequest, type LayerMaps, type RgbaImage } from './protocol.js';
import type { CurrentModel } from './model-state.js';
import { coloured, imageToRgba, rangeOf } from './rgba.js';

const SIDE = 28;
/** Widest 1-row image for a vector output ([F] -> at most this many pixels). */
const MAX_VECTOR_SHOWN = MAX_CHANNELS_SHOWN * 8;
/** Weight of the saliency colour over the grey drawing. */
const SALIENCY_ALPHA = 0.6;

/** Paths of the modules with no children (the layers a reader scrolls through), in definition order. */
export function leafPaths(model: tg.nn.Module): string[] {
  return model.namedModules().filter(([p, m]) => p !== '' && m.children().length === 0).map(([p]) => p);
}

/**
 * Runs `fn` with every module of `model` in eval mode (batch norm on its running
 * statistics, so the maps do not depend on a batch of one) and puts each module's
 * own flag back afterwards, also when `fn` throws.
 * @example const out = inEval(model, () => model.forward(x));
 */
export function inEval<T>(model: tg.nn.Module, fn: () => T): T {
  const modules = model.modules();
  const training = modules.map((m) => m.training);
  try {
    model.eval();
    return fn();
  } finally {
    modules.forEach((m, i) => (m.training = training[i]!));
  }
}

/** Checks the page's drawing: 784 finite values (ink in [0, 1]). */
function checkDigit(digit: unknown): Float32Array {
  if (!(digit instanceof Float32Array) || digit.length !== SIDE * SIDE) {
    const got = digit instanceof Float32Array ? `${digit.length} values` : typeof digit;
    throw new Error(`inspect: digit must be a Float32Array of ${SIDE * SIDE} values (got ${got})`);
  }
  for (let i = 0; i < digit.length; i++) {
    if (!Number.isFinite(digit[i]!)) throw new Error(`inspect: digit value ${i} is ${digit[i]} (expected ink in [0, 1])`);
  }
  return digit;
}

/**
 * One layer's output (batch of one) as LayerMaps: [C, H, W] -> one image per
 * channel (the first MAX_CHANNELS_SHOWN), all coloured over the layer's range;
 * [F] -> one 1-row image of the first MAX_VECTOR_SHOWN values.
 */
export function layerMaps(path: string, kind: string, out: tg.Tensor): LayerMaps {
  const shape = out.shape.slice(1);
  const values = Float32Array.from(out.data() as ArrayLike<number>);
  const range = rangeOf(values, `layer '${path}'`);
  const images: RgbaImage[] = [];
  if (shape.length === 3) {
    const [c, h, w] = shape as [number, number, number];
    for (let ch = 0; ch < Math.min(c, MAX_CHANNELS_SHOWN); ch++) images.push(coloured(values, ch * h * w, h, w, range));
  } else {
    const f = values.length;
    images.push(coloured(values, 0, 1, Math.min(f, MAX_VECTOR_SHOWN), range));
  }
  return { path, kind, shape, images, range };
}

/** The model's input for a drawing: normalised like the training images, [1, 1, 28, 28]. */
export function digitInput(digit: Float32Array): tg.Tensor {
  const { mean, std } = MNIST_NORMALIZATION;
  return tg.tensor(digit.map((v) => (v - mean) / std), { shape: [1, 1, SIDE, SIDE] });
}

/**
 * Answers an `inspect` request for the current model.
 * @example const r = inspect(session.current, { type: 'inspect', id: 1, digit, saliency: true }); r.predicted
 */
export function inspect(cur: CurrentModel, req: InspectRequest): InspectReply {
  const digit = checkDigit(req.digit);
  const { model } = cur;
  const x = digitInput(digit);
  const modules = new Map(model.namedModules());
  const paths = leafPaths(model);
  const { output, maps } = inEval(model, () => tg.noGrad(() => tg.viz.captureForward(model, x, { layers: paths })));
  const logits = Array.from(output.data() as ArrayLike<number>);
  const top = Math.max(...logits);
  const exps = logits.map((v) => Math.exp(v - top)); // shifted: no overflow
  const total = exps.reduce((a, b) => a + b, 0);
  const probabilities = exps.map((v) => v / total);
  const predicted = probabilities.indexOf(Math.max(...probabilities));
  const layers = Array.from(maps, ([path, out]) => layerMaps(path, modules.get(path)!.constructor.name, out));
  let saliency: RgbaImage | null = null;
  if (req.saliency) {
    const heat = tg.viz.saliency(model, x, { target: predicted });
    const grey = tg.tensor(digit.map((v) => Math.min(Math.max(v, 0), 1)), { shape: [1, SIDE, SIDE] });
    saliency = imageToRgba(tg.viz.overlay(grey, heat, { map: 'magma', alpha: SALIENCY_ALPHA }));
  }
  return { type: 'inspected', id: req.id, probabilities, predicted, layers, saliency, modelVersion: cur.version, step: cur.step };
}
