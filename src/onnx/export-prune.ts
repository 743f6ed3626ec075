/**
 * Dead-code removal for the ONNX graphs tensorgrad writes: a node whose
 * outputs reach no graph output, and an initializer no live node reads (and
 * that is not itself a graph output), is dropped before the file is encoded.
 * The tracer can leave such dead ends (an op recorded inside a layer's own
 * helper, e.g. ResNet-20's option-A shortcut padding, whose result the graph
 * never uses), and an imported graph may carry them from its exporter.
 */
import type { NodeProto, TensorProto, ValueInfoProto } from './proto.js';

/** The parts of a GraphProto pruning reads and rewrites. */
export interface PrunableGraph {
  node?: NodeProto[] | null;
  initializer?: TensorProto[] | null;
  output?: ValueInfoProto[] | null;
}

/**
 * Removes, in place, the nodes no graph output depends on and the
 * initializers no remaining node (or output) reads; keeps file order.
 * Returns how many nodes and initializers were removed.
 * @example const { nodes, initializers } = pruneGraph(model.graph);
 */
export function pruneGraph(graph: PrunableGraph): { nodes: number; initializers: number } {
  const nodes = graph.node ?? [];
  const outputs = (graph.output ?? []).map((o) => o.name ?? '');
  const live = liveNodes(nodes, outputs);
  const read = new Set<string>(outputs);
  const readBy = (ns: readonly NodeProto[]): void => {
    for (const n of ns) {
      for (const inp of n.input ?? []) read.add(inp);
      for (const a of n.attribute ?? []) for (const sub of [a.g, ...(a.graphs ?? [])]) if (sub) readBy(sub.node ?? []);
    }
  };
  readBy(live);
  const inits = graph.initializer ?? [];
  const liveInits = inits.filter((t) => read.has(t.name ?? ''));
  const removed = { nodes: nodes.length - live.length, initializers: inits.length - liveInits.length };
  graph.node = live;
  graph.initializer = liveInits;
  return removed;
}

/**
 * The nodes some graph output depends on, in file order: a backward walk from
 * the outputs' producers (reads inside If/Loop bodies count). Shared by
 * pruneGraph and the importer.
 * @example liveNodes(graph.node ?? [], ['output']).length
 */
export function liveNodes<T extends NodeProto>(nodes: readonly T[], outputs: readonly string[]): T[] {
  const producer = new Map<string, number>();
  nodes.forEach((n, i) => (n.output ?? []).forEach((o) => { if (o && !producer.has(o)) producer.set(o, i); }));
  const alive = new Set<number>();
  const stack = outputs.map((o) => producer.get(o)).filter((i): i is number => i !== undefined);
  while (stack.length) {
    const i = stack.pop()!;
    if (alive.has(i)) continue;
    alive.add(i);
    for (const inp of nodes[i]!.input ?? []) {
      const p = producer.get(inp);
      if (p !== undefined && !alive.has(p)) stack.push(p);
    }
    // Subgraphs (If/Loop bodies) may read outer values by name: keep what their nodes read too.
    for (const a of nodes[i]!.attribute ?? []) {
      for (const sub of [a.g, ...(a.graphs ?? [])]) {
        for (const n of sub?.node ?? []) for (const inp of n.input ?? []) {
          const p = producer.get(inp);
          if (p !== undefined && !alive.has(p)) stack.push(p);
        }
      }
    }
  }
  return nodes.filter((_, i) => alive.has(i));
}
