import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { buildModel, MODELS } from '../models/registry.js';
import type { Module } from '../nn/module.js';
import { load, save } from '../io/safetensors.js';
import { loadModel } from '../onnx/import.js';
import { writeFileAtomic } from '../util/node.js';
import type { Normalization } from './datasets.js';
import { UserError } from './errors.js';
import { isIntIn, LIMITS } from './flags.js';

/** config.json of a run: everything needed to rebuild the model and feed it. */
export interface RunConfig {
  format: 'tensorgrad-run';
  version: 1;
  model: string;
  dataset: string;
  numClasses: number;
  classes: string[];
  /** [C, H, W] of one input. */
  inputShape: [number, number, number];
  normalize: Normalization;
  /**
   * The dataset classes the model's outputs 0..numClasses-1 stand for, as
   * class indices of `dataset` (a run trained with --classes, e.g. [5, 6, 7, 8, 9]);
   * absent: all of them, in order. `eval` and `viz` select these classes of the test set.
   */
  datasetClasses?: number[];
  /** Training settings and results, for the record. */
  training?: Record<string, unknown>;
}

export const MODEL_FILE = 'model.safetensors';
export const CONFIG_FILE = 'config.json';
export const CHECKPOINT_FILE = 'checkpoint.safetensors';
/** `"model": "onnx"`: the run's graph is the ONNX file beside config.json (written by `tensorgrad import`); model.safetensors holds its weights. */
export const ONNX_MODEL = 'onnx';
export const ONNX_FILE = 'model.onnx';

/** Writes config.json and model.safetensors into the run folder, each atomically. */
export function saveRun(dir: string, config: RunConfig, model: Module): void {
  writeFileAtomic('train', join(dir, CONFIG_FILE), `${JSON.stringify(config, null, 2)}\n`);
  save(model.stateDict(), join(dir, MODEL_FILE), { metadata: { format: 'pt', 'tensorgrad.model': config.model } });
}

/** Largest input side a run config may declare (larger inputs would not fit the models' memory anyway). */
export const MAX_INPUT_SIDE = 1024;
/**
 * Largest C*H*W of one input a model is built for: an MLP's first layer grows
 * with it (2^18 inputs x 256 units is already 67M weights). CLI datasets are at
 * most 3x64x64 = 12,288.
 */
export const MAX_SAMPLE_ELEMENTS = 2 ** 18;

const SIDE = { min: 1, max: MAX_INPUT_SIDE };
const isNumbers = (v: unknown, n: number, ok: (x: number) => boolean): v is number[] =>
  Array.isArray(v) && v.length === n && v.every((x) => typeof x === 'number' && ok(x));

/**
 * Checks every field of a parsed config.json that is used to rebuild and feed
 * the model; throws one UserError naming the file and the first bad field.
 * @example validateConfig('runs/a/config.json', JSON.parse(text)) // RunConfig, or throws `runs/a/config.json: "numClasses" must be ...`
 */
export function validateConfig(path: string, raw: unknown): RunConfig {
  const bad = (what: string) => new UserError(`${path}: ${what}; the file is written by 'tensorgrad train' (re-train, or restore it)`);
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw bad('not a JSON object');
  const c = raw as Record<string, unknown>;
  if (c.format !== 'tensorgrad-run') throw new UserError(`${path} is not a tensorgrad run config (no "format": "tensorgrad-run")`);
  if (c.version !== 1) throw bad(`unsupported "version" ${JSON.stringify(c.version)} (this tensorgrad reads 1)`);
  if (typeof c.model !== 'string' || !(MODELS.has(c.model) || c.model === ONNX_MODEL)) throw bad(`"model" must be one of ${[...MODELS.keys(), ONNX_MODEL].join(', ')} (got ${JSON.stringify(c.model)})`);
  if (typeof c.dataset !== 'string') throw bad(`"dataset" must be a dataset name (got ${JSON.stringify(c.dataset)})`);
  if (!isIntIn(c.numClasses, LIMITS.classes)) throw bad(`"numClasses" must be an integer from 1 to ${LIMITS.classes.max} (got ${JSON.stringify(c.numClasses)})`);
  if (!Array.isArray(c.classes) || c.classes.length !== c.numClasses || !c.classes.every((x) => typeof x === 'string')) {
    throw bad(`"classes" must be ${c.numClasses} class names`);
  }
  const shape = c.inputShape;
  if (!Array.isArray(shape) || shape.length !== 3 || !(shape[0] === 1 || shape[0] === 3) || !isIntIn(shape[1], SIDE) || !isIntIn(shape[2], SIDE)) {
    throw bad(`"inputShape" must be [C, H, W] with C 1 or 3 and H, W from 1 to ${MAX_INPUT_SIDE} (got ${JSON.stringify(shape)?.slice(0, 80)})`);
  }
  if (shape[0] * shape[1] * shape[2] > MAX_SAMPLE_ELEMENTS) {
    throw bad(`"inputShape" [${shape.join(', ')}] has more than ${MAX_SAMPLE_ELEMENTS.toLocaleString('en-US')} values per input`);
  }
  const n = c.normalize as Partial<Normalization> | undefined;
  if (!n || !isNumbers(n.mean, shape[0], Number.isFinite) || !isNumbers(n.std, shape[0], (x) => Number.isFinite(x) && x > 0)) {
    throw bad(`"normalize" must be { mean, std } with ${shape[0]} finite numbers each (std above 0)`);
  }
  const dc = c.datasetClasses;
  if (dc !== undefined && (!Array.isArray(dc) || dc.length !== c.numClasses || !dc.every((x) => isIntIn(x, { min: 0, max: LIMITS.classes.max }))
    || new Set(dc).size !== dc.length)) {
    throw bad(`"datasetClasses" must be ${c.numClasses} different class indices of the dataset (got ${JSON.stringify(dc)?.slice(0, 80)})`);
  }
  return c as unknown as RunConfig;
}

/** config.json is a few kilobytes; a much larger file is not one (and is not read into memory). */
const MAX_CONFIG_BYTES = 1 << 20;

function readConfig(path: string): RunConfig {
  let raw: unknown;
  try {
    const size = statSync(path).size;
    if (size > MAX_CONFIG_BYTES) throw new Error(`${size.toLocaleString('en-US')} bytes, more than a run config's limit of ${MAX_CONFIG_BYTES.toLocaleString('en-US')}`);
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new UserError(`${path} is not a readable run config: ${(e as Error).message}`);
  }
  return validateConfig(path, raw);
}

export interface LoadedRun {
  config: RunConfig;
  model: Module;
  dir: string;
}

/**
 * Opens a trained model from a run folder (with config.json and model.safetensors)
 * or from a .safetensors file with a config.json beside it.
 */
export function openRun(path: string): LoadedRun {
  if (!existsSync(path)) throw new UserError(`${path} does not exist (expected a run folder or a .safetensors model)`);
  const isDir = statSync(path).isDirectory();
  const dir = isDir ? path : dirname(path);
  const weights = isDir ? join(dir, MODEL_FILE) : path;
  const configPath = join(dir, CONFIG_FILE);
  if (!existsSync(configPath)) throw new UserError(`no ${CONFIG_FILE} next to ${isDir ? `${path}/` : basename(path)}; it is written by 'tensorgrad train' and needed to rebuild the model`);
  if (!existsSync(weights)) throw new UserError(`no model weights at ${weights}`);
  if (isDir && !statSync(weights).isFile()) throw new UserError(`${weights} is not a file`);
  const config = readConfig(configPath);
  const model = config.model === ONNX_MODEL ? openOnnxGraph(dir) : buildModel(config.model, { numClasses: config.numClasses, inputShape: config.inputShape });
  try {
    model.loadStateDict(load(weights));
  } catch (e) {
    throw new UserError(`cannot load ${weights}: ${(e as Error).message}`);
  }
  return { config, model: model.eval(), dir };
}

/** The graph of an imported run (`"model": "onnx"`): model.onnx in the run folder. */
function openOnnxGraph(dir: string): Module {
  const path = join(dir, ONNX_FILE);
  if (!existsSync(path)) throw new UserError(`no ${ONNX_FILE} in ${dir}; a run with "model": "onnx" keeps its graph there (written by 'tensorgrad import')`);
  try {
    return loadModel(path);
  } catch (e) {
    throw new UserError(`cannot load ${path}: ${(e as Error).message}`);
  }
}
