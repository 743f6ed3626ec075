/**
 * The Inside tab's units view: for chosen channels of a conv layer (or the
 * activation after it), the test-set patches that excite each most
 * (tg.viz.topPatches over the worker's test images) or an input grown to
 * excite it (tg.viz.maximize). Images go out at native size; the page scales
 * them with CSS.
 */
import * as tg from '../../../src/index.js';
import type { WebSplit } from '../data/web-data.js';
import { MNIST_NORMALIZATION } from '../draw/preprocess.js';
import type { RgbaImage, UnitsReply, UnitsRequest } from './protocol.js';
import type { CurrentModel } from './model-state.js';
import { unitLayers } from './summary.js';
import { batchOf } from './trainer.js';
import { imageToRgba, planesToRgba } from './rgba.js';

/** Most units one request may ask for (protocol.ts). */
export const MAX_UNITS = 16;
/** Most patches per unit. */
export const MAX_K = 16;
const DEFAULT_K = 6;
/**
 * Gradient ascent steps of `maximize` (the CLI's 128). A request blocks training
 * while it runs: LeNet-5 takes ~0.5 ms a step in Chromium (16 units: ~1.1 s),
 * ~4 ms in Node's wasm.
 */
export const MAXIMIZE_STEPS = 128;

/** The normalised test images as one tensor, built once per decoded split (2,000 images: 6 MB). */
const testTensors = new WeakMap<WebSplit, tg.Tensor>();
function testImages(split: WebSplit): tg.Tensor {
  let t = testTensors.get(split);
  if (!t) {
    t = batchOf(split, Int32Array.from({ length: split.count }, (_, i) => i), 28, 28)[0];
    testTensors.set(split, t);
  }
  return t;
}

/** Checks the request against the model; returns the units, k and the layer's channels. */
function checkRequest(model: tg.nn.Module, req: UnitsRequest): { k: number; channels: number } {
  const layers = unitLayers(model);
  const entry = layers.find((l) => l.path === req.layer);
  if (!entry) {
    const list = layers.length ? layers.map((l) => `${l.path} (${l.channels} channels)`).join(', ') : 'none: this model has no conv layer';
    throw new Error(`units: '${String(req.layer)}' is not a layer with units to show (choose one of: ${list})`);
  }
  if (req.method !== 'top-patches' && req.method !== 'maximize') throw new Error(`units: method must be 'top-patches' or 'maximize' (got ${JSON.stringify(req.method)})`);
  if (!Array.isArray(req.units) || req.units.length === 0 || req.units.length > MAX_UNITS) {
    throw new Error(`units: ask for 1 to ${MAX_UNITS} units at a time (got ${Array.isArray(req.units) ? req.units.length : typeof req.units})`);
  }
  for (const u of req.units) {
    if (!Number.isInteger(u) || u < 0 || u >= entry.channels) {
      throw new Error(`units: unit ${String(u)} is out of range for layer '${req.layer}', which has ${entry.channels} channels (0..${entry.channels - 1})`);
    }
  }
  const k = req.k ?? DEFAULT_K;
  if (!Number.isInteger(k) || k < 1 || k > MAX_K) throw new Error(`units: k must be an integer from 1 to ${MAX_K} (got ${k})`);
  return { k, channels: entry.channels };
}

/** A patch in the network's input units ([1, h, w], normalised) back to grey ink in [0, 1]. */
function patchToRgba(patch: tg.Tensor): RgbaImage {
  const { mean, std } = MNIST_NORMALIZATION;
  const [, h, w] = patch.shape as [number, number, number];
  const v = (patch.data() as ArrayLike<number>);
  return planesToRgba(Float32Array.from(v, (x) => Math.min(Math.max(x * std + mean, 0), 1)), 1, h, w);
}

/**
 * The conv layer a maximisation climbs: `layer` itself, or for the activation
 * after a conv, that conv (tg.viz.maximize: a ReLU that is off for the starting
 * noise has zero gradient; the conv's pre-activation has the same channels).
 */
function maximizeLayer(model: tg.nn.Module, layer: string): string {
  const layers = unitLayers(model);
  const i = layers.findIndex((l) => l.path === layer);
  const mods = new Map(model.namedModules());
  return mods.get(layer) instanceof tg.nn.Conv2d || i <= 0 ? layer : layers[i - 1]!.path;
}

/**
 * Answers a `units` request; `test` is the split the top patches come from.
 * @example units(session.current, data.test, { type: 'units', id: 4, layer: 'features.3', method: 'top-patches', units: [0, 1] })
 */
export function units(cur: CurrentModel, test: WebSplit, req: UnitsRequest): UnitsReply {
  const { model } = cur;
  const { k } = checkRequest(model, req);
  let results: UnitsReply['results'];
  if (req.method === 'top-patches') {
    const { mean, std } = MNIST_NORMALIZATION;
    // Outside the image: blank paper (the network saw its zero padding, a faint grey once
    // un-normalised; blank shows where the image ends more plainly).
    const tp = tg.viz.topPatches(model, testImages(test), {
      layer: req.layer, units: req.units, k, projection: 'none', background: -mean / std, batchSize: 250,
    });
    results = tp.units.map((u) => ({ unit: u.unit, images: u.entries.map((e) => patchToRgba(e.patch)), values: u.entries.map((e) => e.value) }));
  } else {
    const layer = maximizeLayer(model, req.layer);
    results = req.units.map((unit) => {
      const m = tg.viz.maximize(model, { layer, unit, objective: 'channel-center', inputShape: [1, 28, 28], steps: MAXIMIZE_STEPS, initStd: 1, seed: unit });
      return { unit, images: [imageToRgba(m.image)], values: [m.curve[m.curve.length - 1]!] };
    });
  }
  return { type: 'units', id: req.id, layer: req.layer, method: req.method, results, modelVersion: cur.version, step: cur.step };
}
