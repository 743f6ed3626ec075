/**
 * ONNX emitters for the recorded tensor primitives (src/tensor/graph.ts's
 * `record` op names) that run in a module's own forward outside any layer
 * with an emitter: ResNet's `out + identity`, `flatten(1)`, the CIFAR
 * ResNet's strided slice and channel padding, cat, transpose, matmul,
 * reductions, elementwise math. Primitives without an ONNX form throw,
 * naming the op (the tracer adds the module class and path).
 */
import { TensorError, fmtShape } from '../core/errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { onnxDataType } from './proto.js';
import { reshapeTarget, type BatchInfo, type OnnxGraph, type Value } from './export-graph.js';
import { padValue } from './export-pad.js';

/** A primitive's emitted output: name and batch placement. */
export interface PrimOut {
  name: string;
  batch: BatchInfo;
}

type Attrs = Readonly<Record<string, unknown>>;
type PrimEmitter = (g: OnnxGraph, ins: readonly Value[], out: Tensor, attrs: Attrs, where: string) => string | PrimOut;

const UNARY: Record<string, string> = {
  neg: 'Neg', abs: 'Abs', sign: 'Sign', exp: 'Exp', log: 'Log', sqrt: 'Sqrt', reciprocal: 'Reciprocal', sin: 'Sin', cos: 'Cos',
  tan: 'Tan', atan: 'Atan', tanh: 'Tanh', sigmoid: 'Sigmoid', relu: 'Relu', erf: 'Erf', floor: 'Floor', ceil: 'Ceil',
};
const BINARY: Record<string, string> = { add: 'Add', sub: 'Sub', mul: 'Mul', div: 'Div', pow: 'Pow', maximum: 'Max', minimum: 'Min' };

/** Batch placement of an elementwise result: dim 0 stays the batch if a batch-carrying input is as high-ranked as the output. */
function broadcastBatch(ins: readonly Value[], outRank: number): BatchInfo {
  if (ins.some((v) => v.batch === 'moved')) return 'moved';
  const withBatch = ins.filter((v) => v.batch === 'dim0');
  if (!withBatch.length) return 'none';
  return withBatch.some((v) => v.shape.length === outRank) ? 'dim0' : 'moved';
}

const PRIMS: Record<string, PrimEmitter> = {
  copy: (g, [x]) => g.op('Identity', [x!.name]),
  toBackend: (g, [x]) => g.op('Identity', [x!.name]),
  cast: (g, [x], out) => g.op('Cast', [x!.name], { to: { i: onnxDataType(out.dtype, 'onnx.exportModel') } }),
  expm1: (g, [x]) => g.op('Sub', [g.op('Exp', [x!.name]), g.scalar(1, x!.dtype)]),
  log1p: (g, [x]) => g.op('Log', [g.op('Add', [x!.name, g.scalar(1, x!.dtype)])]),
  rsqrt: (g, [x]) => g.op('Reciprocal', [g.op('Sqrt', [x!.name])]),
  log2: (g, [x]) => g.op('Div', [g.op('Log', [x!.name]), g.scalar(Math.LN2, x!.dtype)]),
  log10: (g, [x]) => g.op('Div', [g.op('Log', [x!.name]), g.scalar(Math.LN10, x!.dtype)]),
  matmul: (g, [a, b], out) => ({ name: g.op('MatMul', [a!.name, b!.name]), batch: broadcastBatch([a!, b!], out.ndim) }),
  // F.linear's fused node (ops/linear-fused.ts): x [rows, in], W [out, in], bias [out]: Gemm with transB, then Relu if fused.
  linear: (g, ins, _out, attrs) => {
    const [x, w, b] = ins;
    const y = g.op('Gemm', [x!.name, w!.name, ...(b ? [b.name] : [])], { transB: { i: 1 } });
    return { name: attrs.relu === true ? g.op('Relu', [y]) : y, batch: x!.batch };
  },

  reshape: (g, [x], out, _a, where) => {
    const t = reshapeTarget(g, x!, out.shape, where);
    return { name: g.op('Reshape', [x!.name, g.int64(t.shape)]), batch: t.batch };
  },

  permute: (g, [x], _out, attrs) => {
    const dims = attrs.dims as number[];
    const batch: BatchInfo = x!.batch === 'none' ? 'none' : x!.batch === 'dim0' && dims[0] === 0 ? 'dim0' : 'moved';
    return { name: g.op('Transpose', [x!.name], { perm: { ints: dims } }), batch };
  },

  expand: (g, [x], out) => {
    // Where the input already has the size, ask for 1: Expand broadcasts, so the batch dim stays free.
    const lead = out.ndim - x!.shape.length;
    const target = out.shape.map((d, i) => (i >= lead && x!.shape[i - lead] === d ? 1 : d));
    if (x!.batch === 'dim0' && lead === 0) return { name: g.op('Expand', [x!.name, g.int64(target)]), batch: 'dim0' };
    // A batch-free value broadcast to the traced batch size at dim 0 (matmul's weight, a class
    // token): with a dynamic batch, dim 0 of the target is the input's batch size at run time.
    const src = g.batchSource;
    if (x!.batch === 'none' && g.opts.dynamicBatch && src && src.size !== 1 && out.shape[0] === src.size && target[0] !== 1) {
      const shape = g.op('Concat', [g.batchDim(), g.int64(target.slice(1))], { axis: { i: 0 } });
      return { name: g.op('Expand', [x!.name, shape]), batch: 'dim0' };
    }
    return { name: g.op('Expand', [x!.name, g.int64(target)]), batch: x!.batch === 'none' ? 'none' : 'moved' };
  },

  slice: (g, [x], out, attrs, where) => {
    const starts = attrs.starts as number[], steps = attrs.steps as number[];
    const axes: number[] = [], s: number[] = [], e: number[] = [], st: number[] = [];
    x!.shape.forEach((n, d) => {
      const size = out.shape[d]!;
      if (starts[d] === 0 && steps[d] === 1 && size === n) return;
      if (d === 0 && x!.batch === 'dim0' && g.opts.dynamicBatch) {
        throw new TensorError(`${where}: slicing the batch dim (${fmtShape(x!.shape)} -> ${fmtShape(out.shape)}) cannot be exported with a dynamic batch; use dynamicBatch: false`);
      }
      axes.push(d); s.push(starts[d]!); st.push(steps[d]!);
      e.push(size === 0 ? starts[d]! : starts[d]! + (size - 1) * steps[d]! + 1);
    });
    if (!axes.length) return g.op('Identity', [x!.name]);
    return g.op('Slice', [x!.name, g.int64(s), g.int64(e), g.int64(axes), g.int64(st)]);
  },

  flip: (g, [x], _out, attrs) => {
    const dims = attrs.dims as number[];
    if (!dims.length) return g.op('Identity', [x!.name]);
    const ends = dims.map(() => Number.MIN_SAFE_INTEGER);
    return g.op('Slice', [x!.name, g.int64(dims.map(() => -1)), g.int64(ends), g.int64(dims), g.int64(dims.map(() => -1))]);
  },

  embed: (g, [x], out, attrs, where) => {
    const starts = attrs.starts as number[], steps = attrs.steps as number[];
    if (steps.some((s) => s !== 1) || typeof attrs.value !== 'number') {
      throw new TensorError(`${where}: tensor op 'embed' with steps ${fmtShape(steps)} has no ONNX form`);
    }
    const after = out.shape.map((d, i) => d - x!.shape[i]! - starts[i]!);
    if (x!.batch === 'dim0' && g.opts.dynamicBatch && (starts[0] !== 0 || after[0] !== 0)) {
      throw new TensorError(`${where}: padding the batch dim cannot be exported with a dynamic batch; use dynamicBatch: false`);
    }
    return padValue(g, x!, starts, after, 'constant', attrs.value, where);
  },

  cat: (g, ins, out, attrs, where) => {
    const dim = attrs.dim as number;
    if (dim === 0 && g.opts.dynamicBatch && ins.some((v) => v.batch === 'dim0')) {
      throw new TensorError(`${where}: concatenating along the batch dim cannot be exported with a dynamic batch; use dynamicBatch: false`);
    }
    return { name: g.op('Concat', ins.map((v) => v.name), { axis: { i: dim } }), batch: broadcastBatch(ins, out.ndim) };
  },
};

for (const op of ['sum', 'max', 'min', 'prod']) {
  PRIMS[op] = (g, [x], _out, attrs, where) => {
    const axes = attrs.axes as number[];
    if (attrs.nanAware) throw new TensorError(`${where}: the NaN-ignoring reduction '${op}' has no ONNX form`);
    if (!axes.length) return g.op('Identity', [x!.name]);
    const onnxOp = { sum: 'ReduceSum', max: 'ReduceMax', min: 'ReduceMin', prod: 'ReduceProd' }[op]!;
    const keepdims = { keepdims: { i: attrs.keepdim ? 1 : 0 } } as const;
    // ReduceSum takes axes as an input from opset 13, the others from opset 18.
    const name = op === 'sum' || g.opset >= 18
      ? g.op(onnxOp, [x!.name, g.int64(axes)], keepdims)
      : g.op(onnxOp, [x!.name], { ...keepdims, axes: { ints: axes } });
    return { name, batch: axes.includes(0) ? 'none' : x!.batch };
  };
}

/**
 * Emits recorded primitive `op` (inputs already named) and returns its output.
 * @example emitPrimitive(g, 'add', [a, b], out, {}, where)  // Add
 */
export function emitPrimitive(g: OnnxGraph, op: string, ins: readonly Value[], out: Tensor, attrs: Attrs, where: string): PrimOut {
  let r: string | PrimOut;
  if (op in UNARY) r = { name: g.op(UNARY[op]!, [ins[0]!.name]), batch: ins[0]!.batch };
  else if (op in BINARY) r = { name: g.op(BINARY[op]!, [ins[0]!.name, ins[1]!.name]), batch: broadcastBatch(ins, out.ndim) };
  else if (op === 'where') r = { name: g.op('Where', ins.map((v) => v.name)), batch: broadcastBatch(ins, out.ndim) };
  else if (PRIMS[op]) r = PRIMS[op]!(g, ins, out, attrs, where);
  else {
    const hint = ['conv', 'convTranspose', 'convReluPool', 'maxPool', 'avgPool', 'adaptiveAvgPool', 'batchNormTrain'].includes(op)
      ? ` (use the nn layer, e.g. nn.Conv2d or nn.MaxPool2d, whose ONNX form the exporter knows)` : '';
    throw new TensorError(`${where}: tensor op '${op}' has no ONNX translation${hint}`);
  }
  return typeof r === 'string' ? { name: r, batch: ins[0]?.batch ?? 'none' } : r;
}
