import type { Module } from '../nn/module.js';
import type { Parameter } from '../nn/parameter.js';
import { layerCost } from './cost.js';
import { fieldsOfTrace, type FieldValue } from './receptive-field.js';
import { traceModel, withModel, type ModelOrBuilder } from './trace.js';

/** One row of a `tg.analysis.summary`: one call of a leaf layer. */
export interface LayerRow {
  /** Dotted module path, e.g. `features.0`. */
  name: string;
  /** The module's class name, e.g. 'Conv2d'. */
  type: string;
  /** Shape of this call's output, batch included (`[]` when it returned no tensor). */
  outputShape: number[];
  /** Trainable parameters (`requiresGrad` true) owned directly by this layer. */
  trainableParams: number;
  /** Parameters owned directly by this layer with `requiresGrad` false (frozen). */
  frozenParams: number;
  /** Multiply-accumulates of this call for the whole input (see layerCost for the conventions). */
  macs: number;
  /** Floating-point operations of this call (2 per MAC for conv/linear; see layerCost). */
  flops: number;
  /** Receptive field of this layer's output (see receptiveField). */
  receptiveField: FieldValue;
}

/** What `tg.analysis.summary` returns: per-layer rows, totals and the printed table. */
export interface ModelSummary {
  /** One row per call of a leaf layer, in call order (a layer called twice has two rows). */
  rows: LayerRow[];
  /** The input shape the summary was taken for (batch included). */
  inputShape: number[];
  /** Parameters of the whole model (`model.numParameters()`). */
  totalParams: number;
  /** Parameters with `requiresGrad` true. */
  trainableParams: number;
  /** Parameters with `requiresGrad` false: totalParams - trainableParams. */
  frozenParams: number;
  /** Sum of the rows' MACs: the whole forward for `inputShape` (ops written in a container's own forward, like a residual add, are not counted). */
  macs: number;
  /** Sum of the rows' FLOPs. */
  flops: number;
  /** Elements of all layer outputs for one sample (activation memory = 4 bytes each in float32). */
  activationElements: number;
  /** Receptive field of the model's output. */
  receptiveField: FieldValue;
  /** Aligned text table (also what `toString()` gives and what `console.log` shows in Node). */
  text: string;
}

export interface SummaryOptions {
  /** Also print the table (`console.log`) before returning (default false). */
  print?: boolean;
}

/**
 * Runs one forward pass on zeros of `inputShape` (with batch dim; eval mode,
 * the graph recorded but never backpropagated) and reports, for every call of a
 * leaf layer: output shape, parameters (trainable and frozen), MACs and FLOPs
 * (conventions at {@link layerCost}) and the receptive field of its output
 * (size, jump, start; see {@link receptiveField}); then the totals. `.text` (and
 * `String(result)`, and `console.log(result)` in Node) is an aligned table, the
 * rest the same numbers as data; `{ print: true }` also prints the table.
 *
 * Given a function that builds the model instead of a model, the model is built
 * and traced on shape-only tensors (the meta backend): no weights are allocated
 * or initialised and no arithmetic is done, so a summary of VGG or ResNet costs
 * a fraction of a second and a few MB; the numbers are the same.
 * @example
 * console.log(tg.analysis.summary(tg.models.lenet5(), [1, 1, 28, 28]));
 * tg.analysis.summary(() => tg.models.vgg16(), [1, 3, 224, 224], { print: true });
 */
export function summary(model: ModelOrBuilder, inputShape: readonly number[], opts: SummaryOptions = {}): ModelSummary {
  const result = withModel('summary', model, (m) => summarize(m, inputShape));
  if (opts.print) console.log(result.text);
  return result;
}

function summarize(model: Module, inputShape: readonly number[]): ModelSummary {
  const trace = traceModel('summary', model, inputShape);
  const fieldOf = fieldsOfTrace(trace);
  const rows: LayerRow[] = trace.calls.filter((c) => c.leaf).map((c) => {
    const own = (c.module as unknown as { ownParameters(): [string, Parameter][] }).ownParameters();
    const count = (trainable: boolean) => own.filter(([, p]) => p.requiresGrad === trainable).reduce((n, [, p]) => n + p.numel(), 0);
    const outputShape = c.output ? [...c.output.shape] : [];
    return {
      name: c.name, type: c.module.constructor.name, outputShape,
      trainableParams: count(true), frozenParams: count(false),
      ...layerCost(c.module, c.inputShapes, c.output ? outputShape : null),
      receptiveField: fieldOf(c),
    };
  });
  const last = trace.calls[trace.calls.length - 1];
  const totalParams = model.numParameters();
  const trainableParams = model.numParameters(true);
  const batch = inputShape[0]!;
  const s: Omit<ModelSummary, 'text'> = {
    rows, inputShape: [...inputShape],
    totalParams, trainableParams, frozenParams: totalParams - trainableParams,
    macs: rows.reduce((n, r) => n + r.macs, 0),
    flops: rows.reduce((n, r) => n + r.flops, 0),
    activationElements: rows.reduce((n, r) => n + r.outputShape.reduce((a, b) => a * b, 1), 0) / batch,
    receptiveField: last && last.name === '' ? fieldOf(last) : null,
  };
  const result: ModelSummary = { ...s, text: formatTable(model, s) };
  // Not enumerable: the result compares and serialises as plain data.
  Object.defineProperty(result, 'toString', { value: () => result.text });
  Object.defineProperty(result, Symbol.for('nodejs.util.inspect.custom'), { value: () => result.text });
  return result;
}

const n = (v: number) => v.toLocaleString('en-US');

/**
 * A count with a K/M/G/T suffix and two decimals (powers of 1000); below 1000 the plain number.
 * @example tg.analysis.humanCount(1814073344) // '1.81 G'
 */
export function humanCount(v: number): string {
  const units: [number, string][] = [[1e12, 'T'], [1e9, 'G'], [1e6, 'M'], [1e3, 'K']];
  const u = units.find(([f]) => Math.abs(v) >= f);
  return u ? `${(v / u[0]).toFixed(2)} ${u[1]}` : String(v);
}

/** 416,520 (416.52 K); small counts alone. */
const withUnit = (v: number) => (Math.abs(v) >= 1e3 ? `${n(v)} (${humanCount(v)})` : n(v));

/** One number when all dims agree (`16`), else per dim (`16x12`). */
function perDim(v: readonly number[]): string {
  const fmt = (x: number) => String(Number(x.toFixed(4)));
  return v.every((x) => x === v[0]) ? fmt(v[0]!) : v.map(fmt).join('x');
}

/** The three receptive-field cells of a row. */
export function fieldCells(f: FieldValue): [string, string, string] {
  if (f === null) return ['-', '', ''];
  if (f === 'global') return ['global', '', ''];
  return [perDim(f.size), perDim(f.jump), perDim(f.start)];
}

function formatTable(model: Module, s: Omit<ModelSummary, 'text'>): string {
  const frozen = s.rows.some((r) => r.frozenParams > 0);
  const header = ['Layer', 'Type', 'Output shape', 'Params', ...(frozen ? ['Frozen'] : []), 'MACs', 'FLOPs', 'RF', 'Jump', 'Start'];
  const body = s.rows.map((r) => [
    r.name, r.type, `[${r.outputShape.join(', ')}]`, n(r.trainableParams + r.frozenParams),
    ...(frozen ? [n(r.frozenParams)] : []), n(r.macs), n(r.flops), ...fieldCells(r.receptiveField),
  ]);
  const table = [header, ...body];
  const widths = header.map((_, c) => Math.max(...table.map((row) => row[c]!.length)));
  // Names, types and shapes read left to right; numbers line up on the right.
  const line = (row: string[]) => row.map((cell, c) => (c < 3 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ').trimEnd();
  const rule = '-'.repeat(widths.reduce((a, b) => a + b + 2, -2));
  const act = s.activationElements;
  const rf = fieldCells(s.receptiveField);
  return [
    `${model.constructor.name} for input [${s.inputShape.join(', ')}]`, rule, line(header), rule, ...body.map(line), rule,
    `Total params: ${n(s.totalParams)} (trainable ${n(s.trainableParams)}, frozen ${n(s.frozenParams)})`,
    `Total MACs: ${withUnit(s.macs)}, FLOPs: ${withUnit(s.flops)}`,
    `Activation memory per sample: ${n(act)} values (${(act * 4 / 1024 / 1024).toFixed(2)} MiB in float32)`,
    `Receptive field of the output: ${rf[0]}${rf[1] ? ` (jump ${rf[1]}, start ${rf[2]})` : ''}`,
  ].join('\n');
}
