import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { buildModel, modelSpec } from '../models/registry.js';
import type { Module } from '../nn/module.js';
import { load, save, writeFileAtomic } from '../io/safetensors.js';
import type { Normalization } from './datasets.js';
import { UserError } from './errors.js';

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
  /** Training settings and results, for the record. */
  training?: Record<string, unknown>;
}

export const MODEL_FILE = 'model.safetensors';
export const CONFIG_FILE = 'config.json';
export const CHECKPOINT_FILE = 'checkpoint.safetensors';

export function ensureDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw new UserError(`cannot create the output folder ${dir}: ${(e as Error).message}`);
  }
}

/** Writes config.json and model.safetensors into the run folder, each atomically. */
export function saveRun(dir: string, config: RunConfig, model: Module): void {
  writeFileAtomic('train', join(dir, CONFIG_FILE), Buffer.from(`${JSON.stringify(config, null, 2)}\n`));
  save(model.stateDict(), join(dir, MODEL_FILE), { metadata: { format: 'pt', 'tensorgrad.model': config.model } });
}

function readConfig(path: string): RunConfig {
  let config: RunConfig;
  try {
    config = JSON.parse(readFileSync(path, 'utf8')) as RunConfig;
  } catch (e) {
    throw new UserError(`${path} is not a readable run config: ${(e as Error).message}`);
  }
  if (config?.format !== 'tensorgrad-run') throw new UserError(`${path} is not a tensorgrad run config (no "format": "tensorgrad-run")`);
  return config;
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
  const config = readConfig(configPath);
  modelSpec(config.model);
  const model = buildModel(config.model, { numClasses: config.numClasses, inputShape: config.inputShape });
  try {
    model.loadStateDict(load(weights));
  } catch (e) {
    throw new UserError(`cannot load ${weights}: ${(e as Error).message}`);
  }
  return { config, model: model.eval(), dir };
}
