/**
 * Running a model for inspection without leaving a trace on it: eval mode
 * (dropout off, batch norm on its running statistics, so one image's maps do
 * not depend on the rest of its batch) and parameters frozen (a projection's
 * backward pass then computes the input's gradient only, and no parameter's
 * `.grad` changes). Both are put back as they were in `finally`.
 */
import type { Module } from '../nn/module.js';

/**
 * Runs `fn` with every module of `model` in eval mode and every parameter's
 * `requiresGrad` off; restores each module's `training` flag and each
 * parameter's `requiresGrad` afterwards, also when `fn` throws.
 * @example const maps = inEvalFrozen(model, () => featureMaps(model, x, { layers: ['features.0'] }));
 */
export function inEvalFrozen<T>(model: Module, fn: () => T): T {
  const modules = model.modules();
  const params = model.parameters();
  const training = modules.map((m) => m.training);
  const requiresGrad = params.map((p) => p.requiresGrad);
  try {
    model.eval();
    for (const p of params) p.requiresGrad = false;
    return fn();
  } finally {
    modules.forEach((m, i) => (m.training = training[i]!));
    params.forEach((p, i) => (p.requiresGrad = requiresGrad[i]!));
  }
}
