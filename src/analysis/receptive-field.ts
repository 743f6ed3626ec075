import type { AdaptivePoolParams, ConvParams, PoolParams } from '../backend/backend.js';
import { postOrder, type GradNode } from '../tensor/graph.js';
import type { Tensor } from '../tensor/tensor.js';
import { traceModel, withModel, type ModelOrBuilder, type ModuleCall, type Trace } from './trace.js';

/**
 * Receptive field of a feature map along each spatial dim of the input (index 0
 * is the first spatial dim: H of an `[N, C, H, W]` input). Coordinates are input
 * pixel indices, 0-based, measured at pixel centres.
 */
export interface ReceptiveField {
  /** Input pixels one output position depends on (its window, padding included). */
  size: number[];
  /** Input pixels between neighbouring output positions (the product of the strides so far). */
  jump: number[];
  /** Input coordinate of the centre of output position 0 (negative or fractional where padding or even windows shift it). */
  start: number[];
}

/**
 * A receptive field, `'global'` once spatial structure is gone (after a flatten,
 * a matmul over a spatial axis, a reduction over a spatial axis...: every output
 * may depend on every input pixel), or `null` where the value does not depend on
 * the input's spatial positions (the input has no spatial dims, or the value does
 * not depend on the input at all).
 */
export type FieldValue = ReceptiveField | 'global' | null;

/** The field of one module call's output. */
export interface LayerField {
  /** Dotted module path ('' for the model itself). */
  name: string;
  /** The module's class name, e.g. 'Conv2d'. */
  type: string;
  /** Receptive field of this call's output on the input. */
  field: FieldValue;
}

/** What `tg.analysis.receptiveField` returns: the field after every module call and at the output. */
export interface ReceptiveFieldReport {
  /** Every module call (containers included), in the order the calls returned: a block follows its layers. */
  layers: LayerField[];
  /** Field of the model's output. */
  output: FieldValue;
  /** The last call whose output still has a spatial field (e.g. the last pool before the classifier), if any. */
  lastSpatial: LayerField | null;
}

/**
 * Receptive fields of every layer of `model` for an input of `inputShape`
 * (`[N, C, ...spatial]`, batch included), found from the op graph of one forward
 * pass, so residual branches, concatenations and functional ops in a custom
 * `forward` are all followed.
 *
 * The standard receptive-field arithmetic (Araujo, Norris & Sim, "Computing
 * Receptive Fields of Convolutional Neural Networks", Distill 2019; Dang Ha The
 * Hien's "guide to receptive field arithmetic") runs along each spatial dim,
 * starting from the input pixel: size 1, jump 1, start 0. A conv or pool with
 * kernel k, stride s, padding p (before) and dilation d maps (size r, jump j,
 * start u) to
 *
 *     r' = r + (k - 1)·d·j        j' = j·s        u' = u + ((k - 1)·d/2 - p)·j
 *
 * Other ops:
 * - elementwise ops, residual adds, `where`, channel concatenation: the union of
 *   the inputs' windows (lo = u - (r-1)/2, hi = u + (r-1)/2; r' = hi - lo + 1).
 *   Branches are normally centred alike, so this is the largest branch's field:
 *   the max-over-branches rule.
 * - concatenation along a spatial dim (reflect/replicate padding is built so):
 *   the largest piece defines the grid, the others count as padding in front.
 * - transposed conv (stride s read as 1/s): j' = j/s, r' = r + floor((k-1)·d/s)·j
 *   (the most inputs any output sees), u' = u + (p - (k-1)·d/2)·j/s (the mean
 *   over output phases).
 * - adaptive pools along a dim of `in -> out`: exact as kernel = stride = in/out
 *   when out divides in; otherwise the largest window, the mean stride in/out,
 *   and window 0's centre.
 * - slices and constant padding shift `start` (and a step multiplies `jump`);
 *   reshapes and permutes move the fields with their axes.
 * - matmul keeps the fields of A's rows and B's columns (a Linear over the
 *   channels of a channels-last map is a 1x1 conv); contracting a spatial axis
 *   (Linear on a flattened map), a flatten (a reshape merging a spatial axis),
 *   reductions and gathers along a spatial axis make the field `'global'`, and
 *   anything combined with a global value stays global.
 *
 * Sizes are not clipped to the image: a field wider than the input means the
 * outermost positions also see padding. Given a function that builds the model,
 * it is built and traced on shape-only tensors (as in {@link summary}).
 *
 * @example
 * const rf = tg.analysis.receptiveField(tg.models.lenet5(), [1, 1, 28, 28]);
 * rf.layers.find((l) => l.name === 'features.5')!.field // { size: [16, 16], jump: [4, 4], start: [5.5, 5.5] }
 */
export function receptiveField(model: ModelOrBuilder, inputShape: readonly number[]): ReceptiveFieldReport {
  return withModel('receptiveField', model, (m) => fieldReport(traceModel('receptiveField', m, inputShape)));
}

/** Fields for an existing trace (summary() shares its trace). */
export function fieldReport(trace: Trace): ReceptiveFieldReport {
  const fieldOf = fieldsOfTrace(trace);
  const layers = trace.calls.map((c) => ({ name: c.name, type: c.module.constructor.name, field: fieldOf(c) }));
  // The model's own call returns last.
  const output = trace.calls.length && trace.calls[trace.calls.length - 1]!.name === '' ? layers[layers.length - 1]!.field : null;
  const lastSpatial = [...layers].reverse().find((l) => l.field !== null && l.field !== 'global') ?? null;
  return { layers, output, lastSpatial };
}

// ---------------------------------------------------------------------------
// The propagation over the graph.

/** The field carried by one tensor axis: which input spatial dim it belongs to, and its arithmetic. */
interface AxisField {
  readonly dim: number;
  readonly size: number;
  readonly jump: number;
  readonly start: number;
}

/** Per tensor axis its field (null: batch, channel or feature axis), 'global', or null (not from the input). */
type State = readonly (AxisField | null)[] | 'global' | null;

/**
 * Propagates fields through the graph recorded by `trace` and returns a lookup
 * from a module call to the field of its output.
 */
export function fieldsOfTrace(trace: Trace): (call: ModuleCall) => FieldValue {
  const spatialDims = Math.max(trace.input.ndim - 2, 0);
  const inputState: State = trace.input.shape.map((_, i) => (i >= 2 ? { dim: i - 2, size: 1, jump: 1, start: 0 } : null));
  const roots: { node: GradNode; shape: readonly number[] }[] = [];
  for (const c of trace.calls) if (c.node && c.output) roots.push({ node: c.node, shape: c.output.shape });
  const states = propagate(roots, trace.input, inputState);
  const report = (s: State): FieldValue => toFieldValue(s, spatialDims);
  return (call) => {
    if (!call.output) return null;
    if (call.node) return report(states.get(call.node) ?? null);
    return call.output === trace.input ? report(inputState) : null;
  };
}

/** States of every node reachable from `roots`, computed inputs first. */
function propagate(roots: { node: GradNode; shape: readonly number[] }[], input: Tensor, inputState: State): Map<GradNode, State> {
  const order = postOrder(roots.map((r) => r.node));
  // A node's output shape is what its consumers saw as their input (or the root tensor's shape).
  const outShape = new Map<GradNode, readonly number[]>();
  for (const r of roots) outShape.set(r.node, r.shape);
  for (const n of order) n.next.forEach((e, i) => { if (e && 'node' in e) outShape.set(e.node, n.inputShapes[i]!); });

  const states = new Map<GradNode, State>();
  for (const node of order) {
    const ins: State[] = node.next.map((e) => {
      if (!e) return null;                                // a constant: no field
      if ('leaf' in e) return e.leaf === input ? inputState : null; // parameters: no field
      return states.get(e.node) ?? null;
    });
    states.set(node, nodeState(node, ins, outShape.get(node)!));
  }
  return states;
}

/** The state of a node's output from its inputs' states. */
function nodeState(node: GradNode, ins: State[], out: readonly number[]): State {
  const a = node.attrs;
  const inShapes = node.inputShapes;
  if (ins.every((s) => s === null)) return null;
  if (ins.some((s) => s === 'global')) return 'global';
  const axes = ins as (readonly (AxisField | null)[] | null)[];
  switch (node.op) {
    case 'reshape':
      return reshapeState(axes[0]!, inShapes[0]!, out);
    case 'permute':
      return (a.dims as number[]).map((d) => axes[0]![d] ?? null);
    case 'slice':
      return mapAxes(axes[0]!, (f, i) => ({
        ...f, start: f.start + (a.starts as number[])[i]! * f.jump, jump: f.jump * (a.steps as number[])[i]!,
      }));
    case 'embed':
      return mapAxes(axes[0]!, (f, i) => {
        const step = (a.steps as number[])[i]!;
        return { ...f, start: f.start - ((a.starts as number[])[i]! * f.jump) / step, jump: f.jump / step };
      });
    case 'cat':
      return catState(axes, a.dim as number, inShapes, out.length);
    case 'sum': case 'max': case 'min': case 'prod': {
      const reduced = new Set(a.axes as number[]);
      const s = axes[0]!;
      if (s.some((f, i) => f && reduced.has(i))) return 'global';
      return a.keepdim ? s.map((f, i) => (reduced.has(i) ? null : f)) : s.filter((_, i) => !reduced.has(i));
    }
    case 'matmul':
      return matmulState(axes[0] ?? null, axes[1] ?? null, out.length);
    case 'linear': {
      // The fused x [rows, in] @ w[out, in]^T (+ bias [out], ReLU): a matmul with w transposed, then an elementwise add.
      const w = axes[1] ? [axes[1][1] ?? null, axes[1][0] ?? null] : null;
      const mm = matmulState(axes[0] ?? null, w, 2);
      return axes[2] && mm !== 'global' ? unionAligned([mm, axes[2]], 2) : mm;
    }
    case 'gather': case 'scatterAdd': {
      const d = a.dim as number;
      if (axes.some((s) => s && s[d])) return 'global';
      return unionAligned(axes, out.length);
    }
    case 'conv':
      return windowed(axes[0]!, (f, i) => convField(f, a.params as ConvParams, i));
    case 'convTranspose':
      return windowed(axes[0]!, (f, i) => convTransposeField(f, a.params as ConvParams, i));
    case 'maxPool': case 'avgPool': case 'adaptiveAvgPool': {
      const p = a.params as PoolParams | AdaptivePoolParams | undefined;
      if (!p) return 'global';
      return windowed(axes[0]!, (f, i) => ('kernelSize' in p ? convField(f, p, i) : adaptiveField(f, p, i)));
    }
    case 'convWeightGrad': case 'avgPoolBackward': case 'adaptiveAvgPoolBackward':
      return 'global';
    default: {
      // Elementwise families (unary, binary, where, cast, copy, expand, flip):
      // the output has the broadcast shape of the inputs, axes aligned from the right.
      const n = out.length;
      const elementwise = inShapes.every((s) => s.length <= n && s.every((d, i) => d === 1 || d === out[n - s.length + i]));
      return elementwise ? unionAligned(axes, n) : 'global';
    }
  }
}

const mapAxes = (s: readonly (AxisField | null)[], fn: (f: AxisField, axis: number) => AxisField) => s.map((f, i) => (f ? fn(f, i) : null));

/** Union of the inputs' fields per output axis, inputs aligned from the right (broadcasting). */
function unionAligned(ins: (readonly (AxisField | null)[] | null)[], n: number): State {
  const out: (AxisField | null)[] = new Array<AxisField | null>(n).fill(null);
  for (const s of ins) {
    if (!s) continue;
    s.forEach((f, i) => {
      const j = n - s.length + i;
      if (f && j >= 0) out[j] = out[j] ? union(out[j]!, f) : f;
    });
  }
  return out;
}

/** The smallest window containing both; the jump of the wider one. */
function union(a: AxisField, b: AxisField): AxisField {
  const lo = Math.min(a.start - (a.size - 1) / 2, b.start - (b.size - 1) / 2);
  const hi = Math.max(a.start + (a.size - 1) / 2, b.start + (b.size - 1) / 2);
  return { dim: a.dim, size: hi - lo + 1, start: (lo + hi) / 2, jump: (b.size > a.size ? b : a).jump };
}

/**
 * Batched matmul [..., M, K] @ [..., K, N] (equal ranks): rows of A and columns
 * of B are independent, so fields on M and N (and batch axes) carry over; a
 * field on the contracted K axis is summed away: global.
 */
function matmulState(a: readonly (AxisField | null)[] | null, b: readonly (AxisField | null)[] | null, n: number): State {
  if (a?.[n - 1] || b?.[n - 2]) return 'global';
  const batch = unionAligned([a && [...a.slice(0, n - 2), null, null], b && [...b.slice(0, n - 2), null, null]], n) as (AxisField | null)[];
  batch[n - 2] = a?.[n - 2] ?? null;
  batch[n - 1] = b?.[n - 1] ?? null;
  return batch;
}

/**
 * A reshape keeps the axes of its longest common suffix and then its longest
 * common prefix (matched in that order, so the size-1 dims that 1-D/2-D convs
 * insert in front of the spatial dims are told apart); a field on any other
 * axis is merged or split away: global.
 */
function reshapeState(s: readonly (AxisField | null)[], inShape: readonly number[], out: readonly number[]): State {
  const [ni, no] = [inShape.length, out.length];
  let suffix = 0;
  while (suffix < Math.min(ni, no) && inShape[ni - 1 - suffix] === out[no - 1 - suffix]) suffix++;
  let prefix = 0;
  while (prefix < Math.min(ni, no) - suffix && inShape[prefix] === out[prefix]) prefix++;
  if (s.slice(prefix, ni - suffix).some((f) => f)) return 'global';
  const res: (AxisField | null)[] = new Array<AxisField | null>(no).fill(null);
  for (let i = 0; i < prefix; i++) res[i] = s[i]!;
  for (let r = 1; r <= suffix; r++) res[no - r] = s[ni - r]!;
  return res;
}

/**
 * Concatenation. Along a non-spatial axis (channels), the union per axis. Along
 * a spatial axis, the largest piece defines the grid and the pieces before it
 * count as padding: start moves back by their length.
 */
function catState(ins: (readonly (AxisField | null)[] | null)[], dim: number, shapes: readonly (readonly number[])[], n: number): State {
  const merged = unionAligned(ins, n) as (AxisField | null)[];
  if (!merged[dim]) return merged;
  let main = -1;
  ins.forEach((s, i) => {
    if (s?.[dim] && (main < 0 || shapes[i]![dim]! > shapes[main]![dim]!)) main = i;
  });
  const offset = shapes.slice(0, main).reduce((t, s) => t + s[dim]!, 0);
  const f = ins[main]![dim]!;
  const size = Math.max(...ins.map((s) => s?.[dim]?.size ?? 0));
  merged[dim] = { ...f, size, start: f.start - offset * f.jump };
  return merged;
}

/** A 5-D [N, C, D, H, W] windowed op: fields on axes 2..4 go through `fn` with that spatial index. */
function windowed(s: readonly (AxisField | null)[], fn: (f: AxisField, i: number) => AxisField): State {
  if (s.length !== 5 || s[0] || s[1]) return 'global'; // a field on the batch/channel axis: no geometry for it
  return s.map((f, a) => (f && a >= 2 ? fn(f, a - 2) : null));
}

/** r' = r + (k-1)·d·j, j' = j·s, u' = u + ((k-1)·d/2 - p)·j. */
function convField(f: AxisField, p: ConvParams | PoolParams, i: number): AxisField {
  const [k, s, pad, d] = [p.kernelSize[i]!, p.stride[i]!, p.padding[i]!, p.dilation[i]!];
  return { dim: f.dim, size: f.size + (k - 1) * d * f.jump, jump: f.jump * s, start: f.start + ((k - 1) * d / 2 - pad) * f.jump };
}

/**
 * Transposed conv (`p` describes the convolution it transposes): output o sees
 * inputs i with o = i·s - p + t·d, t < k, at most floor((k-1)·d/s) + 1 of them.
 */
function convTransposeField(f: AxisField, p: ConvParams, i: number): AxisField {
  const [k, s, pad, d] = [p.kernelSize[i]!, p.stride[i]!, p.padding[i]!, p.dilation[i]!];
  return {
    dim: f.dim, size: f.size + Math.floor(((k - 1) * d) / s) * f.jump, jump: f.jump / s,
    start: f.start + ((pad - ((k - 1) * d) / 2) * f.jump) / s,
  };
}

/** Adaptive pooling `in -> out`: window o spans [floor(o·in/out), ceil((o+1)·in/out)). */
function adaptiveField(f: AxisField, p: AdaptivePoolParams, i: number): AxisField {
  const [n, m] = [p.inSize[i]!, p.outSize[i]!];
  let k = 0;
  for (let o = 0; o < m; o++) k = Math.max(k, Math.ceil(((o + 1) * n) / m) - Math.floor((o * n) / m));
  const first = Math.ceil(n / m);
  return { dim: f.dim, size: f.size + (k - 1) * f.jump, jump: (f.jump * n) / m, start: f.start + ((first - 1) / 2) * f.jump };
}

/** Collects the per-axis fields into one field per input spatial dim. */
function toFieldValue(s: State, spatialDims: number): FieldValue {
  if (s === null || s === 'global') return s;
  if (spatialDims === 0) return null;
  const perDim: (AxisField | null)[] = new Array<AxisField | null>(spatialDims).fill(null);
  for (const f of s) if (f) perDim[f.dim] = perDim[f.dim] ? union(perDim[f.dim]!, f) : f;
  if (perDim.every((f) => f === null)) return null;
  if (perDim.some((f) => f === null)) return 'global';
  const fs = perDim as AxisField[];
  return { size: fs.map((f) => f.size), jump: fs.map((f) => f.jump), start: fs.map((f) => f.start) };
}
