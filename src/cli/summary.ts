import { existsSync } from 'node:fs';
import { summary } from '../analysis/summary.js';
import { buildModel, MODELS } from '../models/registry.js';
import type { Module } from '../nn/module.js';
import { openRun } from './run-folder.js';
import { UserError } from './errors.js';

export interface SummaryOptions {
  input?: string;
  classes: number;
}

/** Parses `1,3,224,224` into a shape. */
export function parseShape(text: string): number[] {
  const dims = text.split(/[,x ]+/).filter(Boolean).map(Number);
  if (!dims.length || dims.some((d) => !Number.isInteger(d) || d < 1)) throw new UserError(`--input must be positive integers like 1,3,32,32 (got '${text}')`);
  return dims;
}

/** `tensorgrad summary MODEL`: a registered model name, or a trained run / model file. */
export function summaryCommand(target: string, opts: SummaryOptions): void {
  let model: Module;
  let shape: number[];
  if (MODELS.has(target)) {
    const spec = MODELS.get(target)!;
    shape = opts.input ? parseShape(opts.input) : [1, spec.channels ?? 3, ...(spec.inputSize ?? [28, 28])];
    if (shape.length !== 4) throw new UserError(`--input must have 4 dims [N, C, H, W] for ${target} (got [${shape}])`);
    model = buildModel(target, { numClasses: opts.classes, inputShape: [shape[1]!, shape[2]!, shape[3]!] });
  } else if (existsSync(target)) {
    const run = openRun(target);
    model = run.model;
    shape = opts.input ? parseShape(opts.input) : [1, ...run.config.inputShape];
  } else {
    throw new UserError(`'${target}' is neither a model name (${[...MODELS.keys()].join(', ')}) nor an existing run folder or model file`);
  }
  process.stdout.write(`${summary(model, shape).text}\n`);
}
