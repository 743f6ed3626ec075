/**
 * Fine-tuning an imported ONNX graph (tg.onnx.loadModel's OnnxModule): its
 * classifier head is found among the initializers (the weight, and bias, of
 * the last layer whose output size is the graph's number of outputs), replaced
 * by new seeded parameters, and the run folder gets a copy of the graph with
 * the fine-tuned initializers (the head's resized, and the output's class
 * dimension), so that `openRun` rebuilds the fine-tuned model from model.onnx
 * + model.safetensors, and model.onnx alone runs in ONNX Runtime.
 */
import onnxProto from 'onnx-proto';
import { Parameter } from '../nn/parameter.js';
import * as init from '../nn/init.js';
import { zeros } from '../tensor/create.js';
import { noGrad } from '../tensor/graph.js';
import type { Tensor } from '../tensor/tensor.js';
import { loadModel, OnnxModule } from '../onnx/import.js';
import { UserError } from './errors.js';

const { onnx } = onnxProto;

/** The head of an ONNX graph: its stateDict keys, and the output dimension's position in the weight. */
export interface OnnxHead {
  /** Module path of the folder holding the head's weight (and bias). */
  path: string;
  weightKey: string;
  biasKey: string | null;
  /** 0: weight [out, in] (Gemm with transB=1, as torch.onnx.export writes Linear); 1: [in, out] (MatMul). */
  outDim: 0 | 1;
}

/**
 * A graph that ends in Softmax gives probabilities, and cross-entropy (which
 * applies its own log-softmax) on probabilities trains poorly: the gradient
 * through a second softmax is squashed. So when the graph's one output is a
 * Softmax over the class dim (axis 1 or -1), `model.forward` is set to return
 * the Softmax's input, the logits, for training and the per-epoch evaluation;
 * the graph itself, and the run folder's model.onnx, keep the Softmax, so the
 * fine-tuned model still gives probabilities at inference. Returns the logits'
 * value name, or null when the graph does not end in Softmax (LogSoftmax
 * output is fine for cross-entropy as it is).
 */
export function trainOnLogits(model: OnnxModule): string | null {
  const outs = model.outputNames;
  if (outs.length !== 1) return null;
  const node = model.producerOf(outs[0]!);
  if (!node || node.opType !== 'Softmax' || !node.inputs[0]) return null;
  const axis = node.attrs.int('axis', model.opset >= 13 ? -1 : 1);
  if (axis !== 1 && axis !== -1) return null;
  model.setForwardOutputs([node.inputs[0]]);
  return node.inputs[0];
}

/** The graph's output `[N, classes]` for one zero input of `inputShape`. */
function outputsOf(model: OnnxModule, inputShape: readonly number[]): number {
  const y = noGrad(() => model.forward(zeros([1, ...inputShape]))) as Tensor;
  if (!y || Array.isArray(y) || y.ndim !== 2) throw new UserError('finetune: the ONNX graph must give one output [N, classes]');
  return y.shape[1]!;
}

/**
 * Replaces the head of `model` by new parameters for `numClasses` outputs,
 * initialised like nn.Linear (U(+-1/sqrt(in)), seed the global generator
 * first). The head is the last parameter folder (registration order) with a
 * 2-D `weight` one of whose sides is the graph's output size, and a `bias` of
 * that size if any; the choice is verified by running the graph, which must
 * then give `numClasses` outputs. Anything else is a UserError.
 */
export function replaceOnnxHead(model: OnnxModule, numClasses: number, inputShape: readonly number[]): OnnxHead {
  const outputs = outputsOf(model, inputShape);
  const folders = model.namedModules().reverse();
  for (const [path, folder] of folders) {
    const own = new Map(folder.namedParameters().filter(([n]) => !n.includes('.')));
    const w = own.get('weight');
    if (!w || w.ndim !== 2 || (w.shape[0] !== outputs && w.shape[1] !== outputs)) continue;
    const b = own.get('bias');
    if (b && (b.ndim !== 1 || b.shape[0] !== outputs)) continue;
    const outDim: 0 | 1 = w.shape[0] === outputs ? 0 : 1;
    const fanIn = w.shape[1 - outDim]!;
    const bound = 1 / Math.sqrt(fanIn);
    const weight = new Parameter(zeros(outDim === 0 ? [numClasses, fanIn] : [fanIn, numClasses], { dtype: w.dtype }));
    noGrad(() => init.uniform_(weight, -bound, bound));
    const record = folder as unknown as Record<string, unknown>;
    record.weight = weight;
    if (b) {
      const bias = new Parameter(zeros([numClasses], { dtype: b.dtype }));
      noGrad(() => init.uniform_(bias, -bound, bound));
      record.bias = bias;
    }
    const key = (leaf: string) => (path ? `${path}.${leaf}` : leaf);
    let got: number;
    try {
      got = outputsOf(model, inputShape);
    } catch (e) {
      throw new UserError(`finetune: replacing '${key('weight')}' as the classifier head broke the ONNX graph (${(e as Error).message}); it has no head this command can replace`);
    }
    if (got !== numClasses) throw new UserError(`finetune: after replacing '${key('weight')}' the ONNX graph gives ${got} outputs, not ${numClasses}; its classifier head is not a plain Gemm/MatMul`);
    return { path, weightKey: key('weight'), biasKey: b ? key('bias') : null, outDim };
  }
  throw new UserError(`finetune: found no classifier head in the ONNX graph (a 2-D weight with ${outputs} rows or columns, the graph's output size)`);
}

/**
 * The source graph with every initializer that is a parameter or buffer of
 * the model set to the model's current values (so the file is the fine-tuned
 * model on its own, e.g. for ONNX Runtime), the head's resized, the output's
 * class dimension set to `numClasses`, and value_info (optional shape hints)
 * dropped, and metadata_props set to `metadata` (the fine-tuned run's
 * description; without it the source's 'tensorgrad.*' entries, which describe
 * the pretrained model, are dropped). With `verify`, loadModel of the result must take the model's
 * stateDict strictly (a UserError otherwise).
 */
export function updatedGraph(source: Uint8Array, model: OnnxModule, numClasses: number, verify: boolean, metadata?: Record<string, string>): Uint8Array {
  const proto = onnx.ModelProto.decode(source);
  // The source's run description (classes, dataset classes) is the pretrained model's: replaced, never kept.
  if (metadata) proto.metadataProps = Object.entries(metadata).map(([key, value]) => ({ key, value }));
  else proto.metadataProps = (proto.metadataProps ?? []).filter((p) => !(p.key ?? '').startsWith('tensorgrad.'));
  const graph = proto.graph!;
  const initializers = new Map((graph.initializer ?? []).map((t) => [t.name, t]));
  const sd = model.stateDict();
  for (const [name, key] of model.onnxNames) {
    const t = initializers.get(name);
    const value = sd[key];
    if (!t || !value) continue;
    const data = t.dataType === 11 ? Float64Array.from(value.data()) : t.dataType === 1 ? Float32Array.from(value.data()) : null;
    if (!data) throw new UserError(`finetune: the ONNX initializer '${name}' has data type ${t.dataType}; only float and double weights can be written back`);
    t.dims = [...value.shape];
    t.floatData = [];
    t.doubleData = [];
    t.rawData = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  }
  const dims = graph.output?.[0]?.type?.tensorType?.shape?.dim;
  const last = dims?.[dims.length - 1];
  if (last && !last.dimParam) last.dimValue = numClasses;
  graph.valueInfo = [];
  const bytes = onnx.ModelProto.encode(proto).finish();
  if (verify) {
    try {
      loadModel(bytes).loadStateDict(sd);
    } catch (e) {
      throw new UserError(`finetune: the resized ONNX graph does not reopen with the fine-tuned weights: ${(e as Error).message}`);
    }
  }
  return bytes;
}

export { OnnxModule };
