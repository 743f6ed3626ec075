/** The experiments `tensorgrad experiment` knows, in the order `--list` shows them. */
import type { Experiment } from './types.js';
import { depth } from './depth.js';
import { vanishingGradients } from './vanishing-gradients.js';
import { activations } from './activations.js';
import { regularization } from './regularization.js';
import { optimizers } from './optimizers.js';
import { filters } from './filters.js';
import { transfer } from './transfer.js';

// Each experiment has its own settings type; the registry only needs the common shape.
export const EXPERIMENTS: readonly Experiment<object>[] = [depth, vanishingGradients, activations, regularization, optimizers, filters, transfer].map((e) => e as unknown as Experiment<object>);

/** The experiment with this name, or undefined. */
export function findExperiment(name: string): Experiment<object> | undefined {
  return EXPERIMENTS.find((e) => e.name === name);
}
