import { withMetaBackend } from '../backend/meta/index.js';
import { Module, type HookHandle } from '../nn/module.js';
import type { GradNode } from '../tensor/graph.js';
import { withGradMode } from '../tensor/graph.js';
import { zeros } from '../tensor/create.js';
import { Tensor } from '../tensor/tensor.js';
import { TensorError } from '../core/errors.js';

/*
 * One traced forward pass, shared by summary() and receptiveField(): the model
 * runs in eval mode on zeros that require grad, so every op that depends on the
 * input records a GradNode (the op graph, see tensor/graph.ts), and a forward
 * hook on every module notes what each call returned. Nothing is backpropagated;
 * the graph is dropped with the trace.
 */

/** One call of one module during the traced forward. */
export interface ModuleCall {
  /** Dotted module path ('' for the model itself). */
  name: string;
  module: Module;
  /** Has no child modules. */
  leaf: boolean;
  /** Shapes of the tensor arguments, in order. */
  inputShapes: number[][];
  /** The returned tensor, or null when the module returned something else. */
  output: Tensor | null;
  /** The graph node that produced the output, captured when the call returned. */
  node: GradNode | null;
}

export interface Trace {
  /** The zeros the model was run on (a leaf that requires grad). */
  input: Tensor;
  /** What the model returned. */
  output: unknown;
  /** Every module call in the order the calls returned (a block follows its layers). */
  calls: ModuleCall[];
}

/** Checks a shape given with its batch dim. */
export function checkInputShape(op: string, inputShape: readonly number[]): void {
  if (!Array.isArray(inputShape) || inputShape.length < 1 || inputShape.some((d) => !Number.isInteger(d) || d < 1)) {
    throw new TensorError(`${op}: inputShape must be positive integers including the batch dim, e.g. [1, 3, 224, 224] (got [${String(inputShape)}])`);
  }
}

/** A model, or a function that builds one (then built and analysed on shape-only meta tensors). */
export type ModelOrBuilder = Module | (() => Module);

const describe = (v: unknown): string => (v === null ? 'null' : typeof v === 'object' ? (v as object).constructor?.name ?? 'object' : typeof v);

/**
 * Calls `fn` with the model; given a builder function instead, builds the model
 * on the meta backend (no weights allocated or initialised, nothing computed)
 * and runs `fn` there too, restoring the backend afterwards.
 * @example withModel('summary', () => tg.models.vgg16(), (m) => traceModel('summary', m, [1, 3, 224, 224]))
 */
export function withModel<T>(op: string, model: ModelOrBuilder, fn: (m: Module) => T): T {
  if (typeof model === 'function' && !(model.prototype instanceof Module)) {
    const build = model as () => Module;
    return withMetaBackend(() => {
      const built = build();
      if (!(built instanceof Module)) throw new TensorError(`${op}: the builder function must return an nn.Module (got ${describe(built)})`);
      return fn(built);
    });
  }
  if (!(model instanceof Module)) throw new TensorError(`${op}: model must be an nn.Module or a function returning one (got ${describe(model)})`);
  return fn(model);
}

/** Runs `model` once on zeros of `inputShape` (batch dim included) and records every module call. */
export function traceModel(op: string, model: Module, inputShape: readonly number[]): Trace {
  checkInputShape(op, inputShape);
  const input = zeros(inputShape, { requiresGrad: true });
  const calls: ModuleCall[] = [];
  const seen = new Set<Module>();
  const handles: HookHandle[] = [];
  // A module registered under two names is hooked once, under its first name.
  for (const [name, m] of model.namedModules()) {
    if (seen.has(m)) continue;
    seen.add(m);
    const leaf = m.children().length === 0;
    handles.push(m.registerForwardHook((mod, args, out) => {
      const output = out instanceof Tensor ? out : null;
      calls.push({
        name, module: mod, leaf,
        inputShapes: args.filter((a): a is Tensor => a instanceof Tensor).map((a) => [...a.shape]),
        output,
        node: output ? output._node : null,
      });
    }));
  }
  const wasTraining = model.modules().map((m) => m.training);
  let output: unknown;
  try {
    model.eval();
    output = withGradMode(true, () => model.forward(input));
  } finally {
    handles.forEach((h) => h.remove());
    model.modules().forEach((m, i) => (m.training = wasTraining[i]!));
  }
  return { input, output, calls };
}
