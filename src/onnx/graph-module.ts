/**
 * OnnxModule: an ONNX graph run by tensorgrad ops, as a trainable nn.Module.
 *
 * - Float initializers become Parameters, and BatchNormalization's running
 *   mean/var become buffers, all named by their ONNX initializer names: a
 *   dotted name `layer1.0.conv1.weight` is placed in child modules `layer1` ->
 *   `0` -> `conv1`, so `stateDict()` keys equal the initializer names and
 *   `namedModules()`/freezing by path work as on a zoo model. A name that
 *   cannot be a module path (empty segment, leading `_`, a name Module already
 *   uses, a clash between a tensor and a folder) is kept at the top level as
 *   `onnx_<name with non-alphanumerics as _>`; `onnxNames` maps every
 *   initializer name to its stateDict key.
 * - Integer initializers and float ones used only as op arguments (Reshape
 *   shapes, Clip bounds, Pad amounts...) stay constants, outside the stateDict.
 * - `forward(...inputs)` runs the nodes in topological order (computed once at
 *   load) and returns the graph's output (an array when it has several).
 *   Gradients flow by autograd through every op.
 *
 * Shapes: inputs as the graph declares them; symbolic dims (e.g. the batch
 * dimension written by torch.onnx.export's dynamic_axes) take any size.
 * @example
 * const m = tg.onnx.loadModel('lenet.onnx');      // eval mode
 * const y = m.forward(tg.randn([8, 1, 28, 28]));   // [8, 10]
 * m.train(); tg.F.crossEntropy(m.forward(x), t).backward();
 */
import { TensorError, fmtShape } from '../core/errors.js';
import { Module } from '../nn/module.js';
import { Parameter } from '../nn/parameter.js';
import { Tensor } from '../tensor/tensor.js';
import { Attrs } from './import-parse.js';
import type { HostArray } from './ops-in/host.js';
import type { OpFn, Value } from './ops-in/values.js';
import type { ModelProto } from './proto.js';

/** A node ready to run: its op, attributes, and value names ('' = absent optional input). */
export interface PreparedNode {
  name: string;
  opType: string;
  fn: OpFn;
  attrs: Attrs;
  inputs: string[];
  outputs: string[];
}

/** A graph input: name, element type name, and dims (null where symbolic). */
export interface GraphInput {
  name: string;
  dims: (number | null)[] | null;
}

/** Everything OnnxModule needs, produced by loadModel. */
export interface PreparedGraph {
  nodes: PreparedNode[];
  inputs: GraphInput[];
  outputs: string[];
  opset: number;
  constants: Map<string, HostArray>;
  /** Float initializers: name -> values, and whether BatchNormalization uses them as running statistics. */
  tensors: Map<string, { value: Tensor; buffer: boolean }>;
  maxElements: number;
  /**
   * The file's ModelProto with live nodes only and the float initializers
   * that became parameters/buffers emptied (their values live in the module):
   * what exportModel writes back with the current weights. Absent: the module
   * cannot be exported.
   */
  source?: ModelProto;
  /** The file's metadata_props (key -> value). */
  metadata?: Record<string, string>;
}

/** A folder in the parameter tree (holds Parameters and children; never called). */
export class OnnxParameters extends Module {
  forward(): never {
    throw new TensorError('OnnxParameters holds weights of an imported ONNX graph; call the OnnxModule that owns it');
  }
}

export class OnnxModule extends Module {
  /** ONNX initializer name -> stateDict key (equal unless the name could not be a module path). */
  readonly onnxNames: ReadonlyMap<string, string>;
  private _graph: PreparedGraph;
  private _getters = new Map<string, () => Tensor>();
  private _forwardOutputs: string[] | null = null;

  constructor(graph: PreparedGraph) {
    super();
    this._graph = graph;
    const names = new Map<string, string>();
    for (const [name, { value, buffer }] of graph.tensors) {
      const key = this._place(name, value, buffer);
      names.set(name, key);
    }
    this.onnxNames = names;
  }

  /** Names of the graph's inputs, in order. */
  get inputNames(): string[] { return this._graph.inputs.map((i) => i.name); }
  /** Names of the graph's outputs, in order. */
  get outputNames(): string[] { return [...this._graph.outputs]; }
  /** The file's metadata_props (e.g. 'tensorgrad.classes' written by `tensorgrad export`); {} when none. */
  get metadata(): Readonly<Record<string, string>> { return { ...(this._graph.metadata ?? {}) }; }
  /** Graph opset (default domain). */
  get opset(): number { return this._graph.opset; }
  /**
   * The node that produces value `name` (op type, input names, attributes),
   * or null for graph inputs, initializers and unknown names.
   * @example m.producerOf(m.outputNames[0]!)?.opType   // 'Softmax'
   */
  producerOf(name: string): {
    /** The node's ONNX op type, e.g. 'Conv'. */
    opType: string;
    /** The node's input value names ('' for an absent optional input). */
    inputs: readonly string[];
    /** The node's attributes, decoded. */
    attrs: Attrs;
  } | null {
    const n = this._graph.nodes.find((x) => x.outputs.includes(name));
    return n ? { opType: n.opType, inputs: [...n.inputs], attrs: n.attrs } : null;
  }

  /**
   * Makes `forward` return these values of the graph (node outputs, e.g. the
   * logits a final Softmax reads) instead of the graph's declared outputs;
   * `null` restores them. Only forward changes: the graph, its outputs and
   * what exportModel writes stay as the file has them. Fine-tuning uses it
   * to train on the logits of a graph that ends in Softmax.
   * @example m.setForwardOutputs([m.producerOf('probs')!.inputs[0]!]);
   */
  setForwardOutputs(names: readonly string[] | null): this {
    if (names !== null) {
      const known = new Set(this._graph.nodes.flatMap((n) => n.outputs));
      const bad = names.find((n) => typeof n !== 'string' || !known.has(n));
      if (names.length === 0 || bad !== undefined) throw new TensorError(`OnnxModule.setForwardOutputs: expected the names of values computed by the graph's nodes (got ${bad === undefined ? 'none' : `'${String(bad)}'`})`);
    }
    this._forwardOutputs = names && [...names];
    return this;
  }

  /** The values forward returns when set by setForwardOutputs, else null (the graph's outputs). */
  get forwardOutputs(): string[] | null { return this._forwardOutputs && [...this._forwardOutputs]; }

  /** @internal The stored ModelProto (weights emptied) that exportModel re-writes; null when there is none. */
  get sourceProto(): ModelProto | null { return this._graph.source ?? null; }
  /** @internal The current tensor of an initializer, by its ONNX name (undefined for constants). */
  initializerValue(onnxName: string): Tensor | undefined { return this._getters.get(onnxName)?.(); }
  /** Declared input shapes (null for symbolic dims), in order. */
  get inputShapes(): ((number | null)[] | null)[] { return this._graph.inputs.map((i) => i.dims && [...i.dims]); }

  /** Puts an initializer at its dotted path (or a safe top-level name); returns the stateDict key. */
  private _place(name: string, value: Tensor, buffer: boolean): string {
    const segments = name.split('.');
    const ok = segments.every((s) => s.length > 0 && !s.startsWith('_'));
    let owner: Module = this;
    let path = ok;
    for (let i = 0; path && i < segments.length - 1; i++) {
      const s = segments[i]!;
      const existing = (owner as unknown as Record<string, unknown>)[s];
      if (existing instanceof OnnxParameters) owner = existing;
      else if (existing === undefined && !(s in owner)) {
        const child = new OnnxParameters();
        (owner as unknown as Record<string, unknown>)[s] = child;
        owner = child;
      } else path = false;
    }
    let leaf = segments[segments.length - 1]!;
    if (path && ((leaf in owner) || hasBuffer(owner, leaf))) path = false;
    if (!path) {
      owner = this;
      leaf = `onnx_${name.replace(/[^A-Za-z0-9]/g, '_')}`;
      while (leaf in this || hasBuffer(this, leaf)) leaf += '_';
    }
    const target = owner;
    const key = path ? name : leaf;
    if (buffer) {
      target.registerBuffer(leaf, value);
      this._getters.set(name, () => target.getBuffer(leaf)!);
    } else {
      (target as unknown as Record<string, unknown>)[leaf] = new Parameter(value);
      this._getters.set(name, () => (target as unknown as Record<string, Tensor>)[leaf]!);
    }
    return key;
  }

  /**
   * Runs the graph on one tensor per graph input, in `inputNames` order, each with the declared shape
   * (symbolic dims take any size); returns the output tensor, or an array when the graph (or
   * `forwardOutputs`) names several. Throws on a wrong count or shape.
   * @example const m = tg.onnx.loadModel(tg.onnx.exportModel(tg.models.lenet5(), tg.randn([1, 1, 28, 28]))); m.forward(tg.randn([8, 1, 28, 28])) // [8, 10]
   */
  forward(...inputs: Tensor[]): Tensor | Tensor[] {
    const g = this._graph;
    if (inputs.length !== g.inputs.length) {
      throw new TensorError(`OnnxModule.forward: the graph takes ${g.inputs.length} input(s) (${this.inputNames.join(', ')}), got ${inputs.length}`);
    }
    const values = new Map<string, Value>();
    for (const [name, c] of g.constants) values.set(name, c);
    for (const [name, get] of this._getters) values.set(name, get());
    g.inputs.forEach((spec, i) => {
      const x = inputs[i];
      if (!(x instanceof Tensor)) throw new TensorError(`OnnxModule.forward: input '${spec.name}' must be a Tensor (got ${x === null ? 'null' : typeof x})`);
      if (spec.dims) {
        const bad = x.ndim !== spec.dims.length || spec.dims.some((d, k) => d !== null && d !== x.shape[k]);
        if (bad) throw new TensorError(`OnnxModule.forward: input '${spec.name}' must have shape [${spec.dims.map((d) => d ?? '?').join(', ')}] (got ${fmtShape(x.shape)})`);
      }
      values.set(spec.name, x);
    });
    for (const node of g.nodes) {
      const where = `onnx node '${node.name}' (${node.opType})`;
      const args = node.inputs.map((n) => (n === '' ? undefined : values.get(n)));
      let outs: Value[];
      try {
        outs = node.fn(args, { where, attrs: node.attrs, training: this.training, opset: g.opset, outputs: node.outputs.filter((o) => o !== '').length, maxElements: g.maxElements });
      } catch (e) {
        const msg = e instanceof Error ? e.message : String(e);
        throw new TensorError(msg.startsWith(where) ? msg : `${where}: ${msg}`);
      }
      node.outputs.forEach((name, i) => {
        if (name !== '' && outs[i] !== undefined) values.set(name, outs[i]!);
      });
    }
    const results = (this._forwardOutputs ?? g.outputs).map((name) => {
      const v = values.get(name);
      if (v === undefined) throw new TensorError(`OnnxModule.forward: graph output '${name}' was not computed`);
      return v instanceof Tensor ? v : v.toTensor();
    });
    return results.length === 1 ? results[0]! : results;
  }

  override extraRepr(): string {
    return `inputs=[${this.inputNames.join(', ')}], outputs=[${this.outputNames.join(', ')}], nodes=${this._graph.nodes.length}, opset=${this._graph.opset}`;
  }
}

function hasBuffer(m: Module, name: string): boolean {
  try {
    m.getBuffer(name);
    return true;
  } catch {
    return false;
  }
}
