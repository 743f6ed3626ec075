/**
 * The ONNX exporter's tracer: runs one eval-mode forward of the model and
 * writes what it computes into an {@link OnnxGraph}.
 *
 * How (a hybrid of module hooks and the recorded op graph):
 * - every module's `forward` is wrapped for the length of the trace (and put
 *   back after); this also keeps Sequential from fusing layers (nn/fusion.ts
 *   fuses only stock forwards), so each layer is seen on its own;
 * - a layer with an emitter (export-modules.ts: Conv, BatchNorm, Linear, ...)
 *   runs normally, the primitives it records are ignored, and its ONNX nodes
 *   are written from its configuration and parameters;
 * - every other module (containers, the zoo's models, user modules) is
 *   transparent: the primitives its own forward records (`out + identity`,
 *   `flatten(1)`, slices, pads, cat, matmul, ...) are written one by one
 *   (export-prims.ts), seen through graph.ts's op tracer hook (setOpTracer),
 *   which reports every recorded op with its input and output tensors.
 * Tensors are matched to ONNX values by identity; parameters and buffers
 * become initializers named by their stateDict keys (a non-persistent buffer,
 * not in the stateDict, a Constant node of that name); floating tensors made
 * in forward without a recorded op (a scalar in `x.add(1)`) become Constant
 * nodes, so an importer does not take them for trainable weights;
 * a non-floating tensor (a comparison's mask, indices) is refused: the ops
 * that make such tensors are not recorded, so its value might depend on the
 * input in a way the graph would not show.
 */
import { TensorError, fmtShape } from '../core/errors.js';
import { isFloating } from '../core/dtype.js';
import { noGrad, setOpTracer } from '../tensor/graph.js';
import { Tensor } from '../tensor/tensor.js';
import { runsStockForward, type Module } from '../nn/module.js';
import type { OnnxGraph, Value } from './export-graph.js';
import { moduleEmitter, type EmitContext } from './export-modules.js';
import { emitPrimitive } from './export-prims.js';
import { onnxDataType, tensorProto } from './proto.js';

/** The message prefix naming a module: `onnx.exportModel: cannot export <Class> at '<path>'`. */
function whereOf(m: Module, path: string): string {
  return `onnx.exportModel: cannot export ${m.constructor.name} at '${path}'${path === '' ? ' (the model itself)' : ''}`;
}

/**
 * Traces `model.forward(input)` into `g`, the input named `inputName`;
 * returns the output value. The model must already be in eval mode.
 * @example const out = traceForward(g, model, x, 'input');
 */
export function traceForward(g: OnnxGraph, model: Module, input: Tensor, inputName: string): Value {
  const values = new WeakMap<Tensor, Value>();
  const stateNames = new Map<Tensor, string>();
  for (const [k, p] of model.namedParameters()) stateNames.set(p, k);
  for (const [k, b] of model.namedBuffers()) if (!stateNames.has(b)) stateNames.set(b, k);
  for (const k of stateNames.values()) g.claim(k);
  const weightKeys = new Set(Object.keys(model.stateDict()));
  g.batchSource = { name: inputName, size: input.shape[0]! };
  values.set(input, { name: inputName, shape: input.shape, dtype: input.dtype, batch: 'dim0' });

  const valueOf = (t: Tensor, where: string): Value => {
    const known = values.get(t);
    if (known) return known;
    const key = stateNames.get(t);
    let v: Value;
    if (key !== undefined) {
      // Weights (stateDict entries) are initializers; a non-persistent buffer is a constant of the file.
      const proto = tensorProto(key, t.shape, onnxDataType(t.dtype, where), t.data());
      if (weightKeys.has(key)) g.addInitializer(proto);
      else g.addConstant(proto);
      v = { name: key, shape: t.shape, dtype: t.dtype, batch: 'none' };
    } else if (isFloating(t.dtype)) {
      v = { name: g.floats(t.data(), t.dtype, t.shape), shape: t.shape, dtype: t.dtype, batch: 'none' };
    } else {
      throw new TensorError(
        `${where}: a tensor of dtype ${t.dtype} ${fmtShape(t.shape)} enters the computation from an op the exporter cannot see ` +
        '(comparisons, argmax, integer math are not recorded), so its dependence on the input cannot be exported',
      );
    }
    values.set(t, v);
    return v;
  };

  const scopes: string[] = [whereOf(model, '')];
  let insideLayer = 0;
  const restore: [Module, unknown][] = [];
  const seen = new Set<Module>();
  for (const [path, m] of model.namedModules()) {
    if (seen.has(m)) continue;
    seen.add(m);
    const orig = m.forward as (...a: unknown[]) => unknown;
    const emitter = moduleEmitter(m);
    const where = whereOf(m, path);
    restore.push([m, orig]);
    m.forward = (...args: unknown[]) => {
      if (insideLayer > 0) return orig(...args);
      if (!emitter) {
        scopes.push(where);
        try { return orig(...args); } finally { scopes.pop(); }
      }
      insideLayer++;
      let out: unknown;
      try { out = orig(...args); } finally { insideLayer--; }
      const x = args[0];
      if (args.length !== 1 || !(x instanceof Tensor) || !(out instanceof Tensor)) {
        throw new TensorError(`${where}: expected forward(tensor) -> tensor (got ${args.length} argument(s))`);
      }
      const stock = (Object.getPrototypeOf(m) as Module).forward;
      if (!runsStockForward(m, stock)) checkStockOutput(m, x, out, where, () => insideLayer++, () => insideLayer--);
      const xv = valueOf(x, where);
      const ctx: EmitContext = { g, where, tensor: (t) => valueOf(t, where).name };
      const r = emitter(ctx, m, xv, out);
      const name = typeof r === 'string' ? r : r.name;
      if (out !== x) values.set(out, { name, shape: out.shape, dtype: out.dtype, batch: typeof r === 'string' ? xv.batch : r.batch });
      return out;
    };
  }

  const prevTracer = setOpTracer((op, inputs, out, _saved, attrs) => {
    if (insideLayer > 0) return;
    const where = scopes[scopes.length - 1]!;
    const ins = inputs.map((t) => valueOf(t, where));
    const r = emitPrimitive(g, op, ins, out, attrs, where);
    values.set(out, { name: r.name, shape: out.shape, dtype: out.dtype, batch: r.batch });
  });
  try {
    const out = noGrad(() => model.forward(input)) as unknown;
    if (!(out instanceof Tensor)) throw new TensorError(`onnx.exportModel: the model's forward must return one Tensor (got ${typeof out})`);
    return valueOf(out, scopes[0]!);
  } finally {
    setOpTracer(prevTracer);
    for (const [m, f] of restore) m.forward = f as Module['forward'];
  }
}

/**
 * A forward hook, or a forward assigned to the instance, may change a layer's
 * output, which the layer's ONNX nodes would not show: recompute the layer's
 * own forward and refuse the export unless the output is the same (capture
 * hooks pass).
 */
function checkStockOutput(m: Module, x: Tensor, out: Tensor, where: string, enter: () => void, leave: () => void): void {
  const stock = (Object.getPrototypeOf(m) as Module).forward as (x: Tensor) => unknown;
  enter();
  let plain: unknown;
  try { plain = stock.call(m, x); } finally { leave(); }
  let same = plain === out;
  if (!same && plain instanceof Tensor && plain.shape.join() === out.shape.join()) {
    const a = plain.data(), b = out.data();
    same = a.every((v: number, i: number) => Object.is(v, b[i]));
  }
  if (!same) throw new TensorError(`${where}: a forward hook or a replaced forward changes the layer's output, which the exported graph cannot include; remove it before exporting`);
}
