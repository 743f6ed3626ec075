import type { Module } from '../nn/module.js';
import { noGrad } from '../autograd/engine.js';
import { zeros } from '../tensor/create.js';
import { Tensor } from '../tensor/tensor.js';
import { TensorError } from '../tensor/errors.js';

export interface LayerRow {
  /** Dotted module path, e.g. `features.0`. */
  name: string;
  type: string;
  outputShape: number[];
  /** Parameters owned directly by this layer. */
  trainableParams: number;
  frozenParams: number;
}

export interface ModelSummary {
  rows: LayerRow[];
  totalParams: number;
  trainableParams: number;
  /** Elements of all layer outputs for one sample (activation memory = 4 bytes each in float32). */
  activationElements: number;
  /** Aligned text table. */
  text: string;
}

/**
 * Runs one forward pass on zeros of `inputShape` (with batch dim) and records,
 * for every leaf layer, its output shape and parameter counts.
 * @example console.log(tg.analysis.summary(tg.models.lenet5(), [1, 1, 28, 28]).text)
 */
export function summary(model: Module, inputShape: readonly number[]): ModelSummary {
  if (inputShape.length < 1 || inputShape.some((d) => !Number.isInteger(d) || d < 1)) {
    throw new TensorError(`summary: inputShape must be positive integers including the batch dim (got [${inputShape}])`);
  }
  const rows: LayerRow[] = [];
  const leaves = model.namedModules().filter(([, m]) => m.children().length === 0);
  const handles = leaves.map(([name, m]) =>
    m.registerForwardHook((mod, _inputs, out) => {
      const own = (mod as unknown as { ownParameters(): [string, Tensor][] }).ownParameters();
      rows.push({
        name, type: mod.constructor.name,
        outputShape: out instanceof Tensor ? [...out.shape] : [],
        trainableParams: own.filter(([, p]) => p.requiresGrad).reduce((n, [, p]) => n + p.numel(), 0),
        frozenParams: own.filter(([, p]) => !p.requiresGrad).reduce((n, [, p]) => n + p.numel(), 0),
      });
    }),
  );
  const wasTraining = model.training;
  try {
    model.eval();
    noGrad(() => model.forward(zeros(inputShape)));
  } finally {
    handles.forEach((h) => h.remove());
    model.train(wasTraining);
  }
  const totalParams = model.numParameters();
  const trainableParams = model.numParameters(true);
  const batch = inputShape[0]!;
  const activationElements = rows.reduce((n, r) => n + r.outputShape.reduce((a, b) => a * b, 1), 0) / batch;
  return { rows, totalParams, trainableParams, activationElements, text: formatTable(model, rows, totalParams, trainableParams, activationElements) };
}

function formatTable(model: Module, rows: LayerRow[], total: number, trainable: number, activations: number): string {
  const n = (v: number) => v.toLocaleString('en-US');
  const table = [['Layer', 'Type', 'Output shape', 'Params'], ...rows.map((r) => [r.name, r.type, `[${r.outputShape.join(', ')}]`, n(r.trainableParams + r.frozenParams)])];
  const widths = table[0]!.map((_, c) => Math.max(...table.map((row) => row[c]!.length)));
  const line = (row: string[]) => row.map((cell, c) => (c === 3 ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!))).join('  ');
  const rule = '-'.repeat(widths.reduce((a, b) => a + b + 2, -2));
  return [
    `${model.constructor.name}`, rule, line(table[0]!), rule, ...table.slice(1).map(line), rule,
    `Total params: ${n(total)} (trainable ${n(trainable)}, frozen ${n(total - trainable)})`,
    `Activation memory per sample: ${n(activations)} values (${(activations * 4 / 1024 / 1024).toFixed(2)} MiB in float32)`,
  ].join('\n');
}
