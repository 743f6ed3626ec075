/**
 * The recording half of autograd: graph nodes, grad mode and `record`, used by
 * every op. It sits below the ops; the backward half (the engine and the
 * gradient table, src/autograd/) sits above them and installs itself here
 * ({@link installBackward}), so that `Tensor.backward` needs no import of it.
 */
import type { DType } from '../core/dtype.js';
import type { Shape } from '../core/shape.js';
import { TensorError } from '../core/errors.js';
import type { Tensor } from './tensor.js';

/** An edge to where an input's gradient goes: another node, or a leaf tensor's `.grad`. */
export type Edge = { readonly node: GradNode } | { readonly leaf: Tensor };

/** One recorded primitive: how to send the output's gradient back to its inputs. */
export class GradNode {
  saved: readonly Tensor[] | null;
  /** The non-leaf tensor this node produced, when `retainGrad()` asked to keep its `.grad`. */
  retainedBy: Tensor | null = null;
  /**
   * Saved tensors that only this node holds (made by its op for the gradient
   * rule, never returned: a pooling's indices): a backward pass that frees the
   * graph gives their buffers back when it ends, instead of leaving them to
   * the garbage collector.
   */
  owned: readonly Tensor[] | null = null;
  constructor(
    readonly op: string,
    readonly next: readonly (Edge | null)[],
    saved: readonly Tensor[],
    readonly attrs: Readonly<Record<string, unknown>>,
    readonly inputShapes: readonly Shape[],
    readonly inputDtypes: readonly DType[],
  ) {
    this.saved = saved;
  }
}

let gradEnabled = true;

/**
 * Whether ops currently record the autograd graph: true by default, false inside `tg.noGrad`.
 * Like torch.is_grad_enabled.
 * @example tg.noGrad(() => tg.isGradEnabled()) // false
 */
export function isGradEnabled(): boolean {
  return gradEnabled;
}

/**
 * Runs `fn` without recording gradients (like `torch.no_grad()`); use for
 * evaluation and for in-place parameter updates.
 * @example const pred = tg.noGrad(() => model.forward(x));
 */
export function noGrad<T>(fn: () => T): T {
  if (typeof fn !== 'function') throw new TensorError(`noGrad: expected a function to run without gradients, e.g. tg.noGrad(() => model.forward(x)) (got ${typeof fn})`);
  return withGradMode(false, fn);
}

/** Runs `fn` with gradient recording switched on or off, restoring the old mode after. */
export function withGradMode<T>(enabled: boolean, fn: () => T): T {
  const prev = gradEnabled;
  gradEnabled = enabled;
  try {
    const r = fn();
    if (r instanceof Promise) throw new TensorError('noGrad: the function must be synchronous (await outside of noGrad)');
    return r;
  } finally {
    gradEnabled = prev;
  }
}

/**
 * Records `out = op(inputs)` in the graph when grad mode is on and some input
 * requires grad. `saved` are the tensors the gradient rule will need; `owned`,
 * those of them that nothing else references (see GradNode.owned): the caller
 * must not hand them out, and a rule must not return them (or views of them).
 */
export function record(
  op: string,
  inputs: readonly Tensor[],
  out: Tensor,
  saved: readonly Tensor[] = [],
  attrs: Readonly<Record<string, unknown>> = {},
  owned: readonly Tensor[] = [],
): Tensor {
  if (opTracer) opTracer(op, inputs, out, saved, attrs);
  if (!gradEnabled || !inputs.some((t) => t.requiresGrad)) return out;
  const next = inputs.map((t): Edge | null => {
    if (!t.requiresGrad) return null;
    return t._node ? { node: t._node } : { leaf: t };
  });
  const node = new GradNode(op, next, saved, attrs, inputs.map((t) => t.shape), inputs.map((t) => t.dtype));
  if (owned.length) node.owned = owned;
  out._setNode(node);
  return out;
}

/**
 * Sees every recorded primitive, in grad mode or not: (op, inputs, output,
 * saved, attrs). The ONNX exporter (src/onnx/export-trace.ts) installs one
 * for the length of one traced forward; nothing else does. @internal
 */
export type OpTracer = (
  op: string, inputs: readonly Tensor[], out: Tensor, saved: readonly Tensor[], attrs: Readonly<Record<string, unknown>>,
) => void;

let opTracer: OpTracer | null = null;

/**
 * Installs `tracer` (null removes it) and returns the one it replaces, so a
 * caller can restore it in `finally`. @internal
 * @example const prev = setOpTracer(t); try { model.forward(x); } finally { setOpTracer(prev); }
 */
export function setOpTracer(tracer: OpTracer | null): OpTracer | null {
  const prev = opTracer;
  opTracer = tracer;
  return prev;
}

/**
 * Nodes reachable from `roots` in post-order: every node comes after the nodes
 * that feed it (inputs first). Backward walks it in reverse; graph analyses
 * (receptive fields) walk it forwards.
 */
export function postOrder(roots: readonly GradNode[]): GradNode[] {
  const order: GradNode[] = [];
  const visited = new Set<GradNode>();
  for (const root of roots) {
    if (visited.has(root)) continue;
    visited.add(root);
    // Iterative DFS: long chains (RNN-like loops) must not overflow the JS stack.
    const stack: { node: GradNode; i: number }[] = [{ node: root, i: 0 }];
    while (stack.length) {
      const top = stack[stack.length - 1]!;
      if (top.i < top.node.next.length) {
        const e = top.node.next[top.i++];
        if (e && 'node' in e && !visited.has(e.node)) {
          visited.add(e.node);
          stack.push({ node: e.node, i: 0 });
        }
      } else {
        order.push(top.node);
        stack.pop();
      }
    }
  }
  return order;
}

export interface BackwardOptions {
  /** Keep saved tensors so backward can run through this graph again. */
  retainGraph?: boolean;
}

/** Runs a backward pass from `root` with seed `grad` (or ones for a scalar when null). */
export type BackwardRunner = (root: Tensor, grad: Tensor | null, opts: BackwardOptions) => void;

let backwardRunner: BackwardRunner | null = null;

/** Called once by the autograd engine (src/autograd/engine.ts) when it loads. @internal */
export function installBackward(run: BackwardRunner): void {
  backwardRunner = run;
}

/** The installed backward pass; src/index.ts always loads the engine. @internal */
export function backwardRunnerOrThrow(): BackwardRunner {
  if (!backwardRunner) throw new TensorError('backward: the autograd engine is not loaded (import tensorgrad from its package entry)');
  return backwardRunner;
}
