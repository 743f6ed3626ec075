/**
 * ONNX export: `exportModel(model, sampleInput, opts)` -> the bytes of a
 * standard ONNX ModelProto (opset 17 by default) that ONNX Runtime, TensorRT
 * or PyTorch's onnx tools can load.
 *
 * Design: one eval-mode forward of `sampleInput` is traced (export-trace.ts):
 * tg.nn's layers are written as ONNX nodes from their configuration
 * (export-modules.ts), and the tensor ops a model's own forward calls between
 * layers are read from the recorded op graph (export-prims.ts). So any model
 * built from tg.nn layers plus recorded tensor ops exports, not only the zoo;
 * what cannot be expressed fails with `onnx.exportModel: cannot export
 * <Class> at '<module path>': <why>`. Like every tracer (torch.onnx.export
 * too), the graph holds the path this input took: data-dependent control flow
 * in forward is frozen at the traced branch.
 *
 * The graph: input `input` `[batch, ...sampleInput.shape.slice(1)]` (dim 0
 * symbolic 'batch' unless `dynamicBatch: false`), output `output`,
 * initializers named by stateDict keys (`features.0.weight`, batch norm
 * running statistics included) and nothing else: every other constant (shapes,
 * scalars of `x.mul(2)`, adaptive pooling's averaging matrices, the unit scale
 * of a norm without affine parameters) is a `Constant` node, so an importer
 * that trains float initializers (tg.onnx.loadModel) trains exactly the
 * model's weights. Protobuf written by `onnx-proto`. Nodes and initializers
 * that reach no output are pruned before writing.
 *
 * An imported graph (tg.onnx.loadModel's OnnxModule, fine-tuned or not) is
 * not traced: its own graph is written again with the module's current
 * parameters (export-onnx-module.ts).
 */
import { TensorError, fmtShape } from '../core/errors.js';
import { isFloating } from '../core/dtype.js';
import { Module } from '../nn/module.js';
import { Tensor } from '../tensor/tensor.js';
import { describeArg } from '../tensor/args.js';
import { cat } from '../ops/movement.js';
import { OnnxGraph, type BatchInfo, type Value } from './export-graph.js';
import { traceForward } from './export-trace.js';
import { encodeModel, onnxDataType, valueInfo, type Dim } from './proto.js';
import { pruneGraph } from './export-prune.js';
import { exportOnnxModule } from './export-onnx-module.js';
import { OnnxModule } from './graph-module.js';
import type { ExportOptions } from './export-options.js';


export type { ExportOptions } from './export-options.js';

/** Most metadata_props entries exportModel writes (1024); more in `opts.metadata` is an error. */
export const MAX_METADATA_ENTRIES = 1024;
const MAX_METADATA_KEY = 256;
const MAX_METADATA_VALUE = 2 ** 20;

/** The lowest ONNX opset exportModel targets (17, also its default). */
export const MIN_OPSET = 17;
/** The highest ONNX opset exportModel targets (22). */
export const MAX_OPSET = 22;
/** Protobuf messages are limited to 2 GiB; larger models need external data, which this exporter does not write. */
const MAX_PROTO_BYTES = 2 ** 31 - 2 ** 20;

/** ONNX IR version for an opset (onnx/helper.py's table). */
function irVersionFor(opset: number): number {
  return opset <= 18 ? 8 : opset <= 20 ? 9 : 10; // 21 and 22: IR 10
}

/** The checked metadata entries (a TensorError naming the first bad one). */
function checkMetadata(m: unknown): [string, string][] {
  if (m === undefined) return [];
  if (m === null || typeof m !== 'object' || Array.isArray(m)) throw new TensorError(`onnx.exportModel: metadata must be an object of string values (got ${describeArg(m)})`);
  const entries = Object.entries(m as Record<string, unknown>);
  if (entries.length > MAX_METADATA_ENTRIES) throw new TensorError(`onnx.exportModel: metadata has ${entries.length} entries, more than ${MAX_METADATA_ENTRIES}`);
  for (const [k, v] of entries) {
    if (!k || k.length > MAX_METADATA_KEY) throw new TensorError(`onnx.exportModel: metadata keys must have 1 to ${MAX_METADATA_KEY} characters (got '${k.slice(0, 40)}'${k.length > 40 ? '...' : ''})`);
    if (typeof v !== 'string') throw new TensorError(`onnx.exportModel: metadata['${k}'] must be a string (got ${describeArg(v)}); JSON.stringify structured values`);
    if (v.length > MAX_METADATA_VALUE) throw new TensorError(`onnx.exportModel: metadata['${k}'] has ${v.length} characters, more than ${MAX_METADATA_VALUE}`);
  }
  return entries as [string, string][];
}

function checkOptions(opts: unknown): Required<Omit<ExportOptions, 'names' | 'metadata'>> & { input: string; output: string; metadata: [string, string][] } {
  if (opts === null || typeof opts !== 'object' || Array.isArray(opts)) throw new TensorError(`onnx.exportModel: options must be an object (got ${describeArg(opts)})`);
  const o = opts as Record<string, unknown>;
  const unknown = Object.keys(o).filter((k) => !['opset', 'dynamicBatch', 'names', 'metadata'].includes(k));
  if (unknown.length) throw new TensorError(`onnx.exportModel: unknown option(s) ${unknown.map((k) => `'${k}'`).join(', ')} (expected opset, dynamicBatch, names, metadata)`);
  const opset = o.opset ?? 17;
  if (typeof opset !== 'number' || !Number.isInteger(opset) || opset < MIN_OPSET || opset > MAX_OPSET) {
    throw new TensorError(
      `onnx.exportModel: opset must be an integer from ${MIN_OPSET} to ${MAX_OPSET} (got ${describeArg(opset)})` +
      (typeof opset === 'number' && opset < MIN_OPSET ? `; opsets before ${MIN_OPSET} lack LayerNormalization and the current Reduce/Pad forms` : ''),
    );
  }
  const dynamicBatch = o.dynamicBatch ?? true;
  if (typeof dynamicBatch !== 'boolean') throw new TensorError(`onnx.exportModel: dynamicBatch must be true or false (got ${describeArg(dynamicBatch)})`);
  const names = (o.names ?? {}) as Record<string, unknown>;
  if (names === null || typeof names !== 'object') throw new TensorError(`onnx.exportModel: names must be an object { input?, output? } (got ${describeArg(o.names)})`);
  const badName = Object.keys(names).find((k) => k !== 'input' && k !== 'output');
  if (badName) throw new TensorError(`onnx.exportModel: unknown key '${badName}' in names (expected input, output)`);
  const input = names.input ?? 'input', output = names.output ?? 'output';
  for (const [k, v] of [['input', input], ['output', output]] as const) {
    if (typeof v !== 'string' || !v) throw new TensorError(`onnx.exportModel: names.${k} must be a non-empty string (got ${describeArg(v)})`);
  }
  if (input === output) throw new TensorError(`onnx.exportModel: names.input and names.output must differ (both '${input as string}')`);
  return { opset, dynamicBatch, input: input as string, output: output as string, metadata: checkMetadata(o.metadata) };
}

/**
 * Exports `model` to ONNX by tracing one eval-mode forward of `sampleInput`
 * (the model's training flags are restored afterwards; its parameters are not
 * changed). Shape contract: input `[N, ...]` as sampleInput, N free unless
 * `dynamicBatch: false`; output as the model's. Returns the ModelProto bytes.
 * @example
 * const bytes = tg.onnx.exportModel(tg.models.lenet5(), tg.randn([1, 1, 28, 28]));
 * fs.writeFileSync('lenet5.onnx', bytes);   // runs in onnxruntime: session.run({ input })
 */
export function exportModel(model: Module, sampleInput: Tensor, opts: ExportOptions = {}): Uint8Array {
  if (!(model instanceof Module)) throw new TensorError(`onnx.exportModel: model must be an nn.Module (got ${describeArg(model)})`);
  if (!(sampleInput instanceof Tensor)) throw new TensorError(`onnx.exportModel: sampleInput must be a Tensor (got ${describeArg(sampleInput)})`);
  if (!isFloating(sampleInput.dtype) || sampleInput.ndim < 1 || sampleInput.numel() === 0) {
    throw new TensorError(`onnx.exportModel: sampleInput must be a non-empty floating tensor with a batch dim (got ${sampleInput.dtype} ${fmtShape(sampleInput.shape)})`);
  }
  const o = checkOptions(opts);
  if (model instanceof OnnxModule) return exportOnnxModule(model, sampleInput, opts, o.metadata);
  const paramBytes = [...model.parameters(), ...model.buffers()].reduce((n, t) => n + t.numel() * (t.dtype === 'float64' ? 8 : 4), 0);
  if (paramBytes > MAX_PROTO_BYTES) {
    throw new TensorError(`onnx.exportModel: the model's parameters take ${(paramBytes / 2 ** 30).toFixed(2)} GiB; an ONNX file without external data is limited to 2 GiB`);
  }
  const g = new OnnxGraph({ opset: o.opset, dynamicBatch: o.dynamicBatch }, [o.input, o.output]);
  const training = model.modules().map((m) => [m, m.training] as const);
  let out: Value;
  model.eval();
  try {
    // At batch 1 an inserted dim of size 1 looks like the batch dim; trace at 2 so they differ.
    const traced = o.dynamicBatch && sampleInput.shape[0] === 1 ? cat([sampleInput, sampleInput], 0) : sampleInput;
    out = traceForward(g, model, traced, o.input);
  } finally {
    for (const [m, t] of training) m.training = t;
  }
  if (g.nodes.some((n) => n.output!.includes(out.name))) g.rename(out.name, o.output);
  else g.nodes.push({ opType: 'Identity', input: [out.name], output: [o.output], name: 'n_Identity_output', attribute: [] });

  // With a dynamic batch, an output whose batch dim moved has sizes that depend on it: left unnamed.
  const dims = (shape: readonly number[], batch: BatchInfo): Dim[] => shape.map((d, i) => {
    if (!o.dynamicBatch || batch === 'none') return d;
    return batch === 'dim0' ? (i === 0 ? 'batch' : d) : null;
  });
  const graph = {
    name: model.constructor.name,
    node: [...g.constants, ...g.nodes],
    initializer: g.initializers,
    input: [valueInfo(o.input, onnxDataType(sampleInput.dtype, 'onnx.exportModel'), dims(sampleInput.shape, 'dim0'))],
    output: [valueInfo(o.output, onnxDataType(out.dtype, 'onnx.exportModel'), dims(out.shape, out.batch))],
  };
  pruneGraph(graph); // the trace can leave dead ends (ops whose results the output never uses)
  const bytes = encodeModel({
    irVersion: irVersionFor(o.opset),
    producerName: 'tensorgrad',
    opsetImport: [{ domain: '', version: o.opset }],
    graph,
    metadataProps: o.metadata.map(([key, value]) => ({ key, value })),
  });
  return bytes;
}
