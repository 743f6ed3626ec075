/**
 * `tg.onnx.loadModel(bytes | path)`: an ONNX model (opset 7 and newer; the
 * ops torch.onnx.export emits for CNNs and MLPs at opsets 13-17) as a
 * trainable OnnxModule (see graph-module.ts), returned in eval mode.
 *
 * The file is hostile input: decoding and every structural check happen here,
 * before any op runs, and every problem is one TensorError naming the node,
 * tensor or limit — unsupported ops are listed all at once with their counts.
 * Limits: MAX_ONNX_BYTES (2 GiB) per file, MAX_NODES and MAX_INITIALIZERS
 * (100,000 each), tensor rank 32, and `maxElements` (default 2^28) elements
 * for any intermediate tensor at run time.
 * @example
 * const model = tg.onnx.loadModel('resnet.onnx');
 * model.forward(tg.randn([2, 3, 32, 32]));   // any batch size when the batch dim is symbolic
 */
import { TensorError } from '../core/errors.js';
import { tensor } from '../tensor/create.js';
import { nodeBuiltin } from '../util/node.js';
import { OnnxModule, type GraphInput, type PreparedGraph, type PreparedNode } from './graph-module.js';
import { Attrs, checkDims, decodeModel, decodeTensor, dtypeName, isFloatType, MAX_INITIALIZERS, MAX_NODES, MAX_ONNX_BYTES, tensorToHost, toInt } from './import-parse.js';
import type { HostArray } from './ops-in/host.js';
import onnxProto from 'onnx-proto';
import { liveNodes, pruneGraph } from './export-prune.js';
import { BUFFER_SLOTS, isArgumentUse, ONNX_IMPORT_OPS } from './ops-in/index.js';

export { MAX_ONNX_BYTES } from './import-parse.js';
export { OnnxModule } from './graph-module.js';

/** Options of `tg.onnx.loadModel`. */
export interface LoadModelOptions {
  /** Most elements any one intermediate tensor may have (default 2^28, 1 GiB of float32); a larger one is an error, not an allocation. */
  maxElements?: number;
}

/** The op types loadModel runs, sorted. */
export const SUPPORTED_ONNX_OPS: readonly string[] = [...ONNX_IMPORT_OPS.keys()].sort();

const DEFAULT_MAX_ELEMENTS = 2 ** 28;

function readSource(source: Uint8Array | string): Uint8Array {
  if (source instanceof Uint8Array) return source;
  if (typeof source !== 'string') throw new TensorError(`onnx.loadModel: expected the bytes of an ONNX file (Uint8Array) or a path (got ${source === null ? 'null' : typeof source})`);
  const fs = nodeBuiltin('node:fs', 'onnx.loadModel(path)');
  let size: number;
  try {
    const st = fs.statSync(source);
    if (!st.isFile()) throw new Error('not a file');
    size = st.size;
  } catch (e) {
    throw new TensorError(`onnx.loadModel: cannot read ${source}: ${(e as Error).message}`);
  }
  if (size > MAX_ONNX_BYTES) throw new TensorError(`onnx.loadModel: ${source} has ${size} bytes, more than the ${MAX_ONNX_BYTES} an ONNX protobuf can hold`);
  return new Uint8Array(fs.readFileSync(source));
}

/**
 * Reads an ONNX model into a trainable module (eval mode; call `.train()` to fine-tune).
 * @example const m = tg.onnx.loadModel(bytes); m.forward(x)
 */
export function loadModel(source: Uint8Array | string, opts: LoadModelOptions = {}): OnnxModule {
  const maxElements = opts.maxElements ?? DEFAULT_MAX_ELEMENTS;
  if (!(Number.isSafeInteger(maxElements) && maxElements > 0)) throw new TensorError(`onnx.loadModel: maxElements must be a positive integer (got ${maxElements})`);
  const model = decodeModel(readSource(source));
  const graph = model.graph!;
  let opset = 0;
  for (const o of model.opsetImport ?? []) if (!o.domain || o.domain === 'ai.onnx') opset = toInt(o.version);
  if (!(opset >= 7)) throw new TensorError(`onnx.loadModel: the model imports default-domain opset ${opset || 'none'}; tensorgrad reads opset 7 and newer`);

  const nodes = graph.node ?? [];
  const inits = graph.initializer ?? [];
  if (nodes.length > MAX_NODES) throw new TensorError(`onnx.loadModel: ${nodes.length} nodes is above the limit of ${MAX_NODES}`);
  if (inits.length > MAX_INITIALIZERS) throw new TensorError(`onnx.loadModel: ${inits.length} initializers is above the limit of ${MAX_INITIALIZERS}`);
  if ((graph.sparseInitializer?.length ?? 0) > 0) throw new TensorError('onnx.loadModel: sparse initializers are not supported');

  // One error listing every unsupported op, with counts.
  const unsupported = new Map<string, number>();
  for (const n of nodes) {
    const op = n.domain && n.domain !== 'ai.onnx' ? `${n.domain}:${n.opType ?? ''}` : (n.opType ?? '');
    if (!ONNX_IMPORT_OPS.has(op)) unsupported.set(op || '(empty op type)', (unsupported.get(op) ?? 0) + 1);
  }
  if (unsupported.size) {
    const list = [...unsupported].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([op, c]) => `${op} (${c})`).join(', ');
    throw new TensorError(`onnx.loadModel: unsupported ONNX ops: ${list} (supported: ${SUPPORTED_ONNX_OPS.join(', ')})`);
  }

  // Nodes whose outputs reach no graph output are dropped (exporters leave such dead ends), and so are
  // initializers only they read.
  const live = liveNodes(nodes, (graph.output ?? []).map((o) => o.name ?? ''));

  // Uses of each value name, to classify initializers.
  const argumentOnly = new Map<string, boolean>();
  const bufferUse = new Set<string>();
  const initDims = new Map(inits.map((t) => [t.name ?? '', (t.dims ?? []).map(toInt)]));
  for (const n of live) {
    (n.input ?? []).forEach((name, i) => {
      const isArg = isArgumentUse(n.opType!, i, initDims.get(name));
      argumentOnly.set(name, (argumentOnly.get(name) ?? true) && isArg);
      if ((BUFFER_SLOTS[n.opType!] ?? []).includes(i)) bufferUse.add(name);
    });
  }

  const defined = new Set<string>();
  const graphOutputs = new Set((graph.output ?? []).map((o) => o.name ?? ''));
  const constants = new Map<string, HostArray>();
  const tensors: PreparedGraph['tensors'] = new Map();
  for (const init of inits) {
    const name = init.name ?? '';
    if (!name) throw new TensorError('onnx.loadModel: an initializer has no name');
    if (defined.has(name)) throw new TensorError(`onnx.loadModel: initializer '${name}' is defined twice`);
    defined.add(name);
    const t = decodeTensor('onnx.loadModel', init);
    if (!argumentOnly.has(name) && !graphOutputs.has(name)) continue; // unused (or used only by dead nodes)
    if (isFloatType(t.dataType) && !argumentOnly.get(name)) {
      tensors.set(name, { value: tensor(Float32Array.from(t.values), { shape: t.dims }), buffer: bufferUse.has(name) });
    } else constants.set(name, tensorToHost(t));
  }

  const inputs: GraphInput[] = [];
  for (const vi of graph.input ?? []) {
    const name = vi.name ?? '';
    if (defined.has(name)) continue; // IR < 4: initializers are listed as inputs too
    if (!name) throw new TensorError('onnx.loadModel: a graph input has no name');
    const tt = vi.type?.tensorType;
    if (vi.type && !tt) throw new TensorError(`onnx.loadModel: graph input '${name}' is not a tensor (sequences and maps are not supported)`);
    const elem = tt?.elemType ?? 1;
    if (!isFloatType(elem) && elem !== 6 && elem !== 7) throw new TensorError(`onnx.loadModel: graph input '${name}' has ${dtypeName(elem)} elements (supported: float and integer inputs)`);
    const dimList = tt?.shape?.dim;
    let dims: (number | null)[] | null = null;
    if (tt?.shape) {
      dims = (dimList ?? []).map((d) => (d.dimValue != null && toInt(d.dimValue) > 0 ? toInt(d.dimValue) : null));
      checkDims(`onnx.loadModel: graph input '${name}'`, dims.map((d) => d ?? 0));
    }
    defined.add(name);
    inputs.push({ name, dims });
  }

  // Topological order (Kahn), checking that every input is defined and every output produced once.
  const producer = new Map<string, number>();
  nodes.forEach((n, i) => {
    for (const out of n.output ?? []) {
      if (!out) continue;
      if (defined.has(out) || producer.has(out)) throw new TensorError(`onnx.loadModel: value '${out}' is produced twice (node '${n.name ?? i}')`);
      producer.set(out, i);
    }
  });
  const waiting = new Array<number>(nodes.length).fill(0);
  const consumers = new Map<number, number[]>();
  nodes.forEach((n, i) => {
    for (const inp of n.input ?? []) {
      if (!inp || defined.has(inp)) continue;
      const p = producer.get(inp);
      if (p === undefined) throw new TensorError(`onnx.loadModel: node '${n.name || i}' (${n.opType}) reads '${inp}', which no node, initializer or graph input defines`);
      waiting[i]!++;
      const list = consumers.get(p) ?? [];
      list.push(i);
      consumers.set(p, list);
    }
  });
  const order: number[] = [];
  const ready = waiting.flatMap((w, i) => (w === 0 ? [i] : []));
  while (ready.length) {
    const i = ready.pop()!;
    order.push(i);
    for (const c of consumers.get(i) ?? []) if (--waiting[c]! === 0) ready.push(c);
  }
  if (order.length !== nodes.length) {
    const stuck = nodes.findIndex((_, i) => waiting[i]! > 0);
    throw new TensorError(`onnx.loadModel: the graph has a cycle (node '${nodes[stuck]?.name || stuck}' (${nodes[stuck]?.opType}) depends on its own output)`);
  }
  // Exporters write nodes in order; keep file order when it is one (a stable, readable run), else Kahn's.
  const fileOrder = nodes.every((n, i) => (n.input ?? []).every((inp) => (producer.get(inp) ?? -1) < i));
  if (fileOrder) order.sort((a, b) => a - b);

  const liveSet = new Set(live);
  const prepared: PreparedNode[] = order.filter((i) => liveSet.has(nodes[i]!)).map((i) => {
    const n = nodes[i]!;
    const name = n.name || `${n.opType}_${i}`;
    return { name, opType: n.opType!, fn: ONNX_IMPORT_OPS.get(n.opType!)!, attrs: new Attrs(`onnx node '${name}' (${n.opType})`, n.attribute), inputs: [...(n.input ?? [])], outputs: [...(n.output ?? [])] };
  });
  const outputs = (graph.output ?? []).map((o) => o.name ?? '');
  if (!outputs.length) throw new TensorError('onnx.loadModel: the graph declares no outputs');
  for (const o of outputs) if (!producer.has(o) && !defined.has(o)) throw new TensorError(`onnx.loadModel: graph output '${o}' is not produced by any node`);

  const metadata = readMetadata(model.metadataProps ?? []);
  const stored = storedSource(model, new Set(tensors.keys()));
  const module = new OnnxModule({ nodes: prepared, inputs, outputs, opset, constants, tensors, maxElements, source: stored, metadata });
  return module.eval();
}

/** Most metadata_props entries loadModel reads (10,000); a file with more is refused. */
export const MAX_METADATA_ENTRIES_READ = 10_000;
/** The longest metadata_props value loadModel reads (16 Mi characters); a file with a longer one is refused. */
export const MAX_METADATA_VALUE_READ = 16 * 2 ** 20;

/**
 * metadata_props as a record. Hostile files: more than MAX_METADATA_ENTRIES_READ
 * entries, a value over MAX_METADATA_VALUE_READ characters or a key given twice
 * (the ONNX checker forbids it) is an error, not a guess.
 */
function readMetadata(props: readonly { key?: string | null; value?: string | null }[]): Record<string, string> {
  if (props.length > MAX_METADATA_ENTRIES_READ) throw new TensorError(`onnx.loadModel: ${props.length} metadata_props entries is above the limit of ${MAX_METADATA_ENTRIES_READ}`);
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const { key, value } of props) {
    const k = key ?? '';
    const v = value ?? '';
    if (v.length > MAX_METADATA_VALUE_READ) throw new TensorError(`onnx.loadModel: metadata_props '${k.slice(0, 64)}' has ${v.length} characters, above the limit of ${MAX_METADATA_VALUE_READ}`);
    if (Object.prototype.hasOwnProperty.call(out, k)) throw new TensorError(`onnx.loadModel: metadata_props key '${k.slice(0, 64)}' appears twice`);
    out[k] = v;
  }
  return { ...out };
}

/**
 * The ModelProto kept for re-export: dead nodes and unused initializers pruned,
 * the weights that became parameters emptied (exportModel writes the module's
 * current values), then encoded and decoded once so that it shares no memory
 * with the caller's bytes.
 */
function storedSource(model: onnxProto.onnx.ModelProto, weights: ReadonlySet<string>): onnxProto.onnx.ModelProto {
  const graph = model.graph!;
  pruneGraph(graph);
  for (const t of graph.initializer ?? []) {
    if (!weights.has(t.name ?? '')) continue;
    t.rawData = new Uint8Array(0);
    t.floatData = [];
    t.doubleData = [];
    t.int32Data = [];
  }
  return onnxProto.onnx.ModelProto.decode(onnxProto.onnx.ModelProto.encode(model).finish());
}

