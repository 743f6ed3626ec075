import { existsSync } from 'node:fs';
import { summary } from '../analysis/summary.js';
import { buildModel, MODELS } from '../models/registry.js';
import type { Module } from '../nn/module.js';
import { MAX_SAMPLE_ELEMENTS, openRun } from './run-folder.js';
import { UserError } from './errors.js';
import { cliOut } from './io.js';

export interface SummaryOptions {
  input?: string;
  classes: number;
  /** True when --classes was typed (it contradicts a run folder, whose classes are fixed). */
  classesGiven?: boolean;
}

/** Limits of --input: each dimension, and all elements together (a summary of larger inputs would not fit in memory). */
export const MAX_INPUT_DIM = 65_536;
export const MAX_INPUT_ELEMENTS = 2 ** 26;
/** Input channels of a model built by name (its first layer's weights grow with them). */
export const MAX_INPUT_CHANNELS = 4096;

/**
 * Parses `1,3,224,224` (or `1x3x224x224`) into a shape of 4 positive integers
 * within the limits above; anything else throws one UserError naming --input.
 * @example parseShape('1,3,32,32') // [1, 3, 32, 32]
 */
export function parseShape(text: string): number[] {
  const parts = text.split(/[,x ]+/).filter(Boolean);
  const dims = parts.map(Number);
  if (parts.length !== 4 || parts.some((p) => !/^\d+$/.test(p)) || dims.some((d) => !Number.isSafeInteger(d) || d < 1 || d > MAX_INPUT_DIM)) {
    throw new UserError(`--input must be 4 integers N,C,H,W from 1 to ${MAX_INPUT_DIM}, like 1,3,32,32 (got '${text}')`);
  }
  const elements = dims.reduce((a, b) => a * b, 1);
  if (elements > MAX_INPUT_ELEMENTS) {
    throw new UserError(`--input ${text} has ${elements.toLocaleString('en-US')} elements, more than the ${MAX_INPUT_ELEMENTS.toLocaleString('en-US')} a summary allows; use a smaller batch or image size`);
  }
  return dims;
}

/** `tensorgrad summary MODEL`: a registered model name, or a trained run / model file. */
export function summaryCommand(target: string, opts: SummaryOptions): void {
  // A model built by name is summarised from its builder: built and traced on shape-only (meta) tensors, no weights.
  let model: Module | (() => Module);
  let shape: number[];
  if (MODELS.has(target)) {
    const spec = MODELS.get(target)!;
    shape = opts.input !== undefined ? parseShape(opts.input) : [1, spec.channels ?? 3, ...(spec.inputSize ?? [28, 28])];
    const perSample = shape[1]! * shape[2]! * shape[3]!;
    // A model that adapts to the input size (the MLP) grows with it: its weights, not the input, would exhaust memory.
    if (spec.inputSize === null && perSample > MAX_SAMPLE_ELEMENTS) {
      throw new UserError(`--input ${opts.input}: ${target}'s first layer grows with the input, and C*H*W = ${perSample.toLocaleString('en-US')} is above the limit of ${MAX_SAMPLE_ELEMENTS.toLocaleString('en-US')}`);
    }
    if (shape[1]! > MAX_INPUT_CHANNELS) throw new UserError(`--input ${opts.input}: ${shape[1]} channels is above the limit of ${MAX_INPUT_CHANNELS.toLocaleString('en-US')}`);
    const inputShape = [shape[1]!, shape[2]!, shape[3]!] as const;
    model = () => buildModel(target, { numClasses: opts.classes, inputShape });
  } else if (existsSync(target)) {
    if (opts.classesGiven) throw new UserError(`--classes applies to a model built by name; the run ${target} has its own classes (drop --classes)`);
    const run = openRun(target);
    model = run.model;
    shape = opts.input !== undefined ? parseShape(opts.input) : [1, ...run.config.inputShape];
  } else {
    throw new UserError(`'${target}' is neither a model name (${[...MODELS.keys()].join(', ')}) nor an existing run folder or model file`);
  }
  cliOut(`${summary(model, shape).text}\n`);
}
