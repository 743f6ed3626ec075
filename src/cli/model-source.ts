/**
 * RUN_OR_MODEL of `tensorgrad viz`: a run folder, a model .safetensors with the
 * run's config.json beside it (both opened by run-folder.ts's `openRun`, as
 * eval and predict do), or a zoo model name with `--weights FILE.safetensors`.
 * A run folder may also take `--weights` (e.g. one of its snapshots).
 */
import { existsSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { load } from '../io/safetensors.js';
import { buildModel, MODELS } from '../models/registry.js';
import type { Module } from '../nn/module.js';
import { DATASETS } from '../data/named-datasets.js';
import { DATASET_NAMES } from './datasets.js';
import { UserError } from './errors.js';
import { openRun, type RunConfig } from './run-folder.js';

export interface ModelSourceOptions {
  /** Weights to load instead of the run's model (required for a zoo name). */
  weights?: string;
  /** Dataset of a zoo model (its classes, normalisation and test images); default by input channels: mnist (1) or cifar10 (3). */
  dataset?: string;
}

export interface ModelSource {
  /** The model in eval mode, its weights loaded. */
  model: Module;
  /** The run config, or one made from the zoo entry and the dataset. */
  config: RunConfig;
  /** The run folder (null for a zoo name): default output place, metrics and snapshots. */
  runDir: string | null;
  /** Where outputs go by default when there is no run folder (beside the weights). */
  home: string;
}

/** Loads `weights` into `model`, every failure one UserError naming the file. */
export function loadWeights(model: Module, weights: string): void {
  if (!existsSync(weights)) throw new UserError(`--weights ${weights} does not exist`);
  if (!statSync(weights).isFile()) throw new UserError(`--weights ${weights} is not a file`);
  try {
    model.loadStateDict(load(weights));
  } catch (e) {
    throw new UserError(`cannot load ${weights}: ${(e as Error).message}`);
  }
}

/** A run config for a zoo model: the dataset's classes and statistics, the model's input size. */
function zooConfig(name: string, dataset: string | undefined): RunConfig {
  const spec = MODELS.get(name)!;
  const channels = spec.channels ?? 3;
  const dsName = dataset ?? (channels === 1 ? 'mnist' : 'cifar10');
  const ds = DATASETS[dsName];
  if (!ds) throw new UserError(`unknown dataset '${dsName}' for --dataset (available: ${DATASET_NAMES.join(', ')})`);
  const c = ds.normalize.mean.length as 1 | 3;
  const [h, w] = spec.inputSize ?? [28, 28];
  return {
    format: 'tensorgrad-run', version: 1, model: name, dataset: dsName, numClasses: ds.classes.length,
    classes: [...ds.classes], inputShape: [c, h, w], normalize: ds.normalize,
  };
}

/**
 * Opens RUN_OR_MODEL: a run folder or model file (config.json beside it), or a
 * zoo name with `weights`. Mistakes are UserErrors: a zoo name without
 * --weights, a path that is neither, weights that do not fit the model.
 * @example const { model, config, runDir } = openModelSource('runs/lenet', {});
 * @example openModelSource('lenet5', { weights: 'lenet.safetensors' })
 */
export function openModelSource(target: string, opts: ModelSourceOptions = {}): ModelSource {
  if (existsSync(target)) {
    if (opts.dataset !== undefined) throw new UserError(`--dataset applies to a zoo model name; the run ${target} has its own dataset (drop --dataset)`);
    const run = openRun(target);
    if (opts.weights !== undefined) loadWeights(run.model, opts.weights);
    const isDir = statSync(target).isDirectory();
    return { model: run.model.eval(), config: run.config, runDir: isDir ? target : run.dir, home: isDir ? target : run.dir };
  }
  if (MODELS.has(target)) {
    if (opts.weights === undefined) throw new UserError(`the zoo model '${target}' needs --weights FILE.safetensors (its trained weights)`);
    const config = zooConfig(target, opts.dataset);
    const model = buildModel(target, { numClasses: config.numClasses, inputShape: config.inputShape });
    loadWeights(model, opts.weights);
    return { model: model.eval(), config, runDir: null, home: dirname(opts.weights) };
  }
  throw new UserError(`'${target}' is neither a run folder, a model .safetensors with config.json beside it, nor a zoo model name (${[...MODELS.keys()].join(', ')})`);
}
