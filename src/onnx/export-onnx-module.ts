/**
 * exportModel for an imported graph (tg.onnx.loadModel's OnnxModule, e.g.
 * after fine-tuning): the graph is not traced but written again as the file
 * had it, with every initializer that became a parameter or buffer set to the
 * module's current value (a replaced classifier head keeps its new shape),
 * the outputs' fixed dims set to what the sample produces, value_info (shape
 * hints that may be stale) dropped and dead nodes pruned. The file's
 * metadata_props are kept, or replaced as a whole by the `metadata` option. Options that would
 * need a graph conversion (another opset, making a fixed batch dim dynamic)
 * are refused rather than ignored.
 * @example
 * const m = tg.onnx.loadModel(bytes);   // fine-tune m ...
 * const out = tg.onnx.exportModel(m, tg.randn([1, 1, 28, 28]));
 */
import { TensorError, fmtShape } from '../core/errors.js';
import { noGrad } from '../tensor/graph.js';
import { Tensor } from '../tensor/tensor.js';
import type { OnnxModule } from './graph-module.js';
import { pruneGraph } from './export-prune.js';
import { DATA_TYPE, encodeModel, onnx, type ModelProto } from './proto.js';
import type { ExportOptions } from './export-options.js';

const WHERE = 'onnx.exportModel';
const MAX_PROTO_BYTES = 2 ** 31 - 2 ** 20;

function renameValue(graph: NonNullable<ModelProto['graph']>, from: string, to: string): void {
  if (from === to) return;
  const used = new Set<string>();
  for (const n of graph.node ?? []) for (const v of [...(n.input ?? []), ...(n.output ?? [])]) used.add(v);
  for (const t of graph.initializer ?? []) used.add(t.name ?? '');
  for (const v of graph.input ?? []) used.add(v.name ?? '');
  if (used.has(to)) throw new TensorError(`${WHERE}: cannot rename '${from}' to '${to}': the imported graph already has a value named '${to}'`);
  for (const n of graph.node ?? []) {
    n.input = (n.input ?? []).map((v) => (v === from ? to : v));
    n.output = (n.output ?? []).map((v) => (v === from ? to : v));
  }
  for (const v of [...(graph.input ?? []), ...(graph.output ?? [])]) if (v.name === from) v.name = to;
}

/** Writes `model`'s graph with its current weights (see the file header). */
export function exportOnnxModule(model: OnnxModule, sampleInput: Tensor, opts: ExportOptions, metadata: readonly [string, string][]): Uint8Array {
  const src = model.sourceProto;
  if (!src) throw new TensorError(`${WHERE}: this OnnxModule keeps no source graph, so it cannot be written again`);
  if (opts.opset !== undefined && opts.opset !== model.opset) {
    throw new TensorError(`${WHERE}: the imported graph is opset ${model.opset}; exportModel writes an imported graph as it is and cannot convert it to opset ${opts.opset} (omit opset)`);
  }
  if (model.inputNames.length !== 1) throw new TensorError(`${WHERE}: exportModel takes one sample input, but the imported graph has ${model.inputNames.length} inputs (${model.inputNames.join(', ')})`);

  // One eval-mode run: the graph must work on the sample, and its output shapes fix the outputs' dims.
  // (setForwardOutputs only changes what forward returns; the file keeps the graph's outputs.)
  const training = model.modules().map((m) => [m, m.training] as const);
  const forwardOutputs = model.forwardOutputs;
  let outs: Tensor[];
  model.eval();
  model.setForwardOutputs(null);
  try {
    const y = noGrad(() => model.forward(sampleInput));
    outs = Array.isArray(y) ? y : [y];
  } finally {
    for (const [m, t] of training) m.training = t;
    model.setForwardOutputs(forwardOutputs);
  }

  const proto = onnx.ModelProto.decode(onnx.ModelProto.encode(src).finish());
  const graph = proto.graph!;
  for (const t of graph.initializer ?? []) {
    const value = model.initializerValue(t.name ?? '');
    if (!value) continue;
    const v = value.data();
    let data: Float32Array | Float64Array;
    if (t.dataType === DATA_TYPE.float32) data = v instanceof Float32Array ? v : Float32Array.from(v);
    else if (t.dataType === DATA_TYPE.float64) data = Float64Array.from(v);
    else throw new TensorError(`${WHERE}: the imported initializer '${t.name}' has ONNX data type ${t.dataType}; only float32 and float64 weights can be written back`);
    t.dims = [...value.shape];
    t.floatData = [];
    t.doubleData = [];
    t.int32Data = [];
    t.rawData = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  }
  graph.valueInfo = [];

  (graph.output ?? []).forEach((vi, i) => {
    const dims = vi.type?.tensorType?.shape?.dim;
    const out = outs[i];
    if (!dims || !out) return;
    if (dims.length !== out.ndim) throw new TensorError(`${WHERE}: the imported graph declares output '${vi.name}' with ${dims.length} dims but it gives ${fmtShape(out.shape)}`);
    dims.forEach((d, k) => { if (!d.dimParam) d.dimValue = out.shape[k]!; });
  });

  const inDims = graph.input?.find((v) => v.name === model.inputNames[0])?.type?.tensorType?.shape?.dim;
  const batchParam = inDims?.[0]?.dimParam || null;
  if (opts.dynamicBatch === true && inDims && !batchParam) {
    throw new TensorError(`${WHERE}: the imported graph's input has a fixed batch size ${String(inDims[0]?.dimValue ?? '?')}; exportModel cannot make it dynamic (omit dynamicBatch)`);
  }
  if (opts.dynamicBatch === false && batchParam) {
    const n = sampleInput.shape[0]!;
    for (const vi of [...(graph.input ?? []), ...(graph.output ?? [])]) {
      for (const d of vi.type?.tensorType?.shape?.dim ?? []) if (d.dimParam === batchParam) { d.dimParam = ''; d.dimValue = n; }
    }
  }
  if (opts.names?.input !== undefined) renameValue(graph, model.inputNames[0]!, opts.names.input);
  if (opts.names?.output !== undefined) {
    if ((graph.output ?? []).length !== 1) throw new TensorError(`${WHERE}: names.output renames the one output, but the imported graph has ${graph.output?.length ?? 0}`);
    renameValue(graph, graph.output![0]!.name ?? '', opts.names.output);
  }

  // The file's metadata_props are kept unless `metadata` is given, which replaces them all (stale
  // entries, e.g. the classes of a model before its head was replaced, must not survive a partial update).
  if (opts.metadata !== undefined) proto.metadataProps = metadata.map(([key, value]) => ({ key, value }));
  proto.producerName = 'tensorgrad';
  proto.producerVersion = '';
  pruneGraph(graph);

  const bytes = encodeModel(proto);
  if (bytes.length > MAX_PROTO_BYTES) throw new TensorError(`${WHERE}: the graph takes ${(bytes.length / 2 ** 30).toFixed(2)} GiB; an ONNX file without external data is limited to 2 GiB`);
  return bytes;
}
