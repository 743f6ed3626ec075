/**
 * The graph being written by the ONNX exporter: nodes, initializers (the
 * model's stateDict entries only) and Constant nodes (everything else: shapes,
 * axes, scalars, averaging matrices, the unit scale of a norm without affine
 * parameters) with unique names, plus what the exporter knows about each value
 * (its shape at the traced batch size and where its batch dim is), which is
 * what lets Reshape/Expand/Slice stay valid for any batch size.
 * Emitters (export-modules.ts, export-prims.ts) write through {@link OnnxGraph}.
 */
import { TensorError, fmtShape } from '../core/errors.js';
import type { DType } from '../core/dtype.js';
import type { Tensor } from '../tensor/tensor.js';
import { attribute, DATA_TYPE, onnxDataType, tensorProto, type Attr, type NodeProto, type TensorProto } from './proto.js';

/** AttributeProto.AttributeType.TENSOR. */
const ATTR_TENSOR = 4;

/**
 * Where a value's batch dim is: 'dim0' (dim 0 is the model input's batch
 * dim), 'none' (the value does not depend on the batch size: weights,
 * constants, batch-reduced values) or 'moved' (the batch dim was merged or
 * permuted away; with a dynamic batch, shape-dependent ops on it fail clearly).
 */
export type BatchInfo = 'dim0' | 'none' | 'moved';

/** One ONNX value as the exporter sees it. */
export interface Value {
  readonly name: string;
  /** The shape at the traced batch size. */
  readonly shape: readonly number[];
  readonly dtype: DType;
  readonly batch: BatchInfo;
}

/** The exporter's options after defaults. */
export interface GraphOptions {
  readonly opset: number;
  readonly dynamicBatch: boolean;
}

/**
 * Nodes, initializers and unique names of the ONNX graph under construction.
 * Only the model's weights (stateDict entries) are initializers: importers,
 * tg.onnx.loadModel included, treat float initializers as trainable weights,
 * so every other constant is a `Constant` node (in {@link constants}, written
 * before {@link nodes}) and stays a constant when the file is fine-tuned.
 */
export class OnnxGraph {
  readonly nodes: NodeProto[] = [];
  readonly initializers: TensorProto[] = [];
  /** One `Constant` node per non-weight constant; the file lists them before `nodes`. */
  readonly constants: NodeProto[] = [];
  private readonly taken = new Set<string>();
  private readonly int64Consts = new Map<string, string>();
  private readonly floatConsts = new Map<string, string>();
  private counter = 0;
  private batchDimName: string | null = null;
  /** The graph input whose dim 0 is the batch, and its size at trace time (set by the tracer). */
  batchSource: { name: string; size: number } | null = null;

  constructor(readonly opts: GraphOptions, reserved: readonly string[]) {
    for (const r of reserved) this.taken.add(r);
  }

  get opset(): number { return this.opts.opset; }

  /** A name not used yet, from `hint` (names are readable: 'relu_12'). */
  fresh(hint: string): string {
    let name = `${hint}_${this.counter++}`;
    while (this.taken.has(name)) name = `${hint}_${this.counter++}`;
    this.taken.add(name);
    return name;
  }

  /** Marks an exact name (a stateDict key) as used, so fresh names avoid it. */
  claim(name: string): string {
    this.taken.add(name);
    return name;
  }

  /**
   * Adds a node and returns its output names (fresh ones named after the op).
   * @example const [y] = g.node('Relu', [x]);
   */
  node(opType: string, inputs: readonly string[], attrs: Record<string, Attr> = {}, outputs = 1): string[] {
    const out = Array.from({ length: outputs }, () => this.fresh(opType.toLowerCase()));
    this.nodes.push({
      opType, input: [...inputs], output: out, name: this.fresh(`n_${opType}`),
      attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
    });
    return out;
  }

  /** Shorthand for a one-output node. */
  op(opType: string, inputs: readonly string[], attrs: Record<string, Attr> = {}): string {
    return this.node(opType, inputs, attrs, 1)[0]!;
  }

  /** Adds an initializer under a claimed name: only for the model's stateDict entries (weights). */
  addInitializer(t: TensorProto): void {
    this.initializers.push(t);
  }

  /** Adds a `Constant` node whose output is `t.name` (claimed or fresh) and whose value is `t`. */
  addConstant(t: TensorProto): void {
    this.constants.push({
      opType: 'Constant', input: [], output: [t.name!], name: this.fresh('n_Constant'),
      attribute: [{ name: 'value', type: ATTR_TENSOR, t }],
    });
  }

  /** An int64 constant (shapes, axes, pads), shared between nodes that need the same one. */
  int64(values: readonly number[], dims: readonly number[] = [values.length]): string {
    const key = `${dims.join('x')}:${values.join(',')}`;
    let name = this.int64Consts.get(key);
    if (!name) {
      name = this.fresh('const_i64');
      this.addConstant(tensorProto(name, dims, DATA_TYPE.int64, values));
      this.int64Consts.set(key, name);
    }
    return name;
  }

  /** A floating constant of `dtype` (a scalar by default), shared like int64(). */
  scalar(value: number, dtype: DType, dims: readonly number[] = []): string {
    return this.floats([value], dtype, dims);
  }

  /** A floating constant tensor of `dtype` and `dims`. */
  floats(values: ArrayLike<number>, dtype: DType, dims: readonly number[]): string {
    const small = values.length <= 16;
    const key = small ? `${dtype}:${dims.join('x')}:${Array.from(values).join(',')}` : '';
    if (small && this.floatConsts.has(key)) return this.floatConsts.get(key)!;
    const name = this.fresh('const');
    this.addConstant(tensorProto(name, dims, onnxDataType(dtype, 'onnx.exportModel'), Array.from(values)));
    if (small) this.floatConsts.set(key, name);
    return name;
  }

  /** A 1-element int64 value holding the batch size at run time: Shape(input)[0:1]. */
  batchDim(): string {
    if (!this.batchSource) throw new TensorError('onnx.exportModel: internal error: no batch source');
    this.batchDimName ??= this.op('Slice', [this.op('Shape', [this.batchSource.name]), this.int64([0]), this.int64([1])]);
    return this.batchDimName;
  }

  /** Renames every use of `from` to `to` (used once, to give the output its public name). */
  rename(from: string, to: string): void {
    for (const n of this.nodes) {
      n.input = n.input!.map((v) => (v === from ? to : v));
      n.output = n.output!.map((v) => (v === from ? to : v));
    }
  }
}

/**
 * The ONNX Reshape target for `out` from a value `x`: with a dynamic batch
 * and x's batch at dim 0 kept at dim 0, the batch entry is 0 ("copy the
 * input's dim"), so the node works at any batch size. Other reshapes of a
 * batch-carrying value cannot be written batch-free and throw.
 */
export function reshapeTarget(g: OnnxGraph, x: Value, out: readonly number[], where: string): { shape: number[]; batch: BatchInfo } {
  const keeps = x.batch === 'dim0' && out.length > 0 && out[0] === x.shape[0];
  if (x.batch === 'none') return { shape: [...out], batch: 'none' };
  if (!g.opts.dynamicBatch) return { shape: [...out], batch: keeps ? 'dim0' : 'moved' };
  if (keeps) {
    const rest = out.slice(1);
    if (rest.some((d) => d === 0)) throw new TensorError(`${where}: cannot export a reshape to a shape with a zero-sized dim ${fmtShape(out)}`);
    return { shape: [0, ...rest], batch: 'dim0' };
  }
  throw new TensorError(
    `${where}: reshape ${fmtShape(x.shape)} -> ${fmtShape(out)} mixes the batch dim with others, which a dynamic-batch ONNX graph cannot express; ` +
    'export with dynamicBatch: false (CLI: --static-batch)',
  );
}

/** What an emitter gets: the graph, initializer names for the layer's tensors, and the error prefix. */
export interface EmitContext {
  readonly g: OnnxGraph;
  /** The initializer name of a parameter or buffer (its stateDict key), added on first use. */
  tensor(t: Tensor): string;
  /** `onnx.exportModel: cannot export <Class> at '<path>'`, for error messages. */
  readonly where: string;
}
