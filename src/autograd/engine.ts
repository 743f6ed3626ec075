import { TensorError, fmtShape } from '../core/errors.js';
import { shapesEqual } from '../core/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import type { Storage } from '../backend/backend.js';
import { withBirthLog } from '../backend/birth-log.js';
import { GRADIENTS, type GradContext, type GradRule, type Primitive } from './gradients.js';
import { reduceToShape } from './reduce-to-shape.js';
import { GradNode, installBackward, postOrder, withGradMode, type BackwardOptions } from '../tensor/graph.js';
import { filled } from '../ops/core.js';

/**
 * The backward half of autograd: runs the gradient rules (gradients.ts) over
 * a graph that ops recorded (src/tensor/graph.ts). It sits above the ops
 * because the rules are written with them.
 */


/**
 * Storages a backward pass must not hand to a leaf as its `.grad` without a
 * copy: everything that existed before the pass and that gradient rules can
 * return views of (the seed, saved tensors, tensor attributes), plus every
 * storage already given to a leaf in this pass. Stored grads must be
 * contiguous and unshared, because optimizers and clipGradNorm update them
 * in place; a fresh gradient (most are: a conv or matmul output) is stored as
 * it is, which saves a copy per parameter per step.
 */
const isTensor = (v: unknown): v is Tensor => typeof v === 'object' && v !== null && '_storage' in v;

class GradOwnership {
  private readonly taken = new Set<Storage>();

  constructor(seed: Tensor, nodes: readonly GradNode[]) {
    this.taken.add(seed._storage);
    for (const n of nodes) {
      for (const t of n.saved ?? []) this.taken.add(t._storage);
      for (const v of Object.values(n.attrs)) if (isTensor(v)) this.taken.add(v._storage);
    }
  }

  /** `g` itself when it is fresh, whole and contiguous, else a private copy. */
  own(g: Tensor): Tensor {
    const s = g._storage;
    const whole = g.offset === 0 && s.length === g.numel() && g.isContiguous();
    const out = whole && !this.taken.has(s) ? g : g.isContiguous() ? g.clone() : g.contiguous();
    this.taken.add(out._storage);
    return out;
  }

  /** Marks a storage as a leaf's gradient (kept after the pass). */
  keep(s: Storage): void {
    this.taken.add(s);
  }

  /** Whether the pass must leave this storage alone. */
  keeps(s: Storage): boolean {
    return this.taken.has(s);
  }

  /** Un-marks a gradient storage given earlier in this pass: the pass releases it when it ends. */
  drop(s: Storage): void {
    this.taken.delete(s);
  }
}

/**
 * Adds `g` into `leaf.grad` (out of place: a gradient someone read keeps its
 * values). The sum, or the first gradient, is stored as private to the leaf
 * (Tensor._storePrivateGrad), so that zeroGrad can free it without waiting for
 * a GC. A private gradient this replaces is freed too: at once when it
 * predates the pass (nothing in the pass can use it: it was never handed
 * out, so no op saw it), at the end of the pass when this pass created it
 * (its storage may also be another node's pending gradient until then).
 */
function accumulateLeaf(leaf: Tensor, g: Tensor, owner: GradOwnership | null): void {
  const grad = g.dtype === leaf.dtype ? g : g.to(leaf.dtype);
  const prev = leaf._gradRef();
  if (prev) {
    const sum = prev.add(grad);
    owner?.keep(sum._storage);
    const old = leaf._storePrivateGrad(sum);
    if (!old) return;
    if (owner?.keeps(old._storage)) owner.drop(old._storage);
    else old.backend.release(old._storage);
  } else leaf._storePrivateGrad(owner ? owner.own(grad) : grad.clone());
}

/**
 * Reverse-mode differentiation from `root` with seed `grad`. Gradients of leaves
 * that require grad accumulate into `.grad`. Computed without recording a graph
 * (no higher-order gradients). Unless `retainGraph`, saved tensors are dropped
 * so their memory can be reclaimed.
 */
export function runBackward(root: Tensor, seed: Tensor | null, opts: BackwardOptions = {}): void {
  backwardPass(root, seed, opts, null);
}

/**
 * Gradient rules that stand in for the table's (gradients.ts) during one
 * backward pass, by primitive name. The replacement sees the same context
 * (saved tensors, attributes) as the rule it replaces.
 */
export type RuleOverrides = Readonly<Partial<Record<Primitive, GradRule>>>;

/**
 * A backward pass like `tensor.backward(seed)`, except that the primitives
 * named in `rules` use those gradient rules instead of the table's. This is
 * how modified backward passes that are not derivatives are computed without
 * touching the model: guided backpropagation and the deconvnet (src/viz), which
 * change only how the gradient crosses a ReLU. Rules apply to recorded
 * primitives, so they reach every ReLU: a layer, `F.relu` in a custom forward,
 * and the ReLU fused into a conv kernel (the 'conv' node with `attrs.relu`,
 * 'convReluPool'). Shapes: as `backward` (seed has the root's shape; null = 1
 * for a one-element root). Internal to the library (not exported from the package).
 * @example
 * x.requiresGrad = true;
 * backwardWithRules(model.forward(x).sum(), null, { relu: (g, c) => GRADIENTS.relu(g.relu(), c) }); // guided backprop
 * x.grad // the modified "gradient"
 */
export function backwardWithRules(root: Tensor, seed: Tensor | null, rules: RuleOverrides, opts: BackwardOptions = {}): void {
  if (typeof rules !== 'object' || rules === null) throw new TensorError(`backwardWithRules: rules must be an object from primitive name to gradient rule (got ${String(rules)})`);
  for (const [op, rule] of Object.entries(rules)) {
    if (!Object.hasOwn(GRADIENTS, op)) throw new TensorError(`backwardWithRules: '${op}' is not a differentiable primitive (known: ${Object.keys(GRADIENTS).join(', ')})`);
    if (typeof rule !== 'function') throw new TensorError(`backwardWithRules: the rule for '${op}' must be a function (got ${typeof rule})`);
  }
  if (seed ? !shapesEqual(seed.shape, root.shape) : root.numel() !== 1) {
    throw new TensorError(`backwardWithRules: the seed must have the root's shape ${fmtShape(root.shape)} (got ${seed ? fmtShape(seed.shape) : 'none, which needs a one-element root'})`);
  }
  backwardPass(root, seed, opts, rules);
}

/** runBackward and backwardWithRules: the pass, with the table's rules or some replaced. */
function backwardPass(root: Tensor, seed: Tensor | null, opts: BackwardOptions, rules: RuleOverrides | null): void {
  withGradMode(false, () => {
    const grad = seed ?? filled(root.shape, 1, root.dtype, root.backend);
    if (!root._node) {
      accumulateLeaf(root, grad, null);
      return;
    }
    const order = postOrder([root._node]).reverse();
    const owner = new GradOwnership(grad, order);
    // Every buffer the pass allocates, except the leaves' gradients, is
    // unreachable once it ends: give those back at once (see birth-log.ts).
    const { born } = withBirthLog(() => backwardNodes(order, root._node!, grad, owner, opts, rules));
    for (const s of born) if (!owner.keeps(s)) s.backend.release(s);
    // The freed graph's private saved buffers (a pooling's indices) go back too.
    if (!opts.retainGraph) releaseOwned(order);
  });
}

/** Releases the owned saved tensors (GradNode.owned) of the nodes whose saved tensors the pass freed. */
function releaseOwned(order: readonly GradNode[]): void {
  for (const node of order) {
    if (node.saved !== null || !node.owned) continue;
    for (const t of node.owned) t.backend.release(t._storage);
    node.owned = null;
  }
}

/** The body of a backward pass: gradient rules in reverse topological order. */
function backwardNodes(
  order: readonly GradNode[], rootNode: GradNode, grad: Tensor, owner: GradOwnership, opts: BackwardOptions, rules: RuleOverrides | null,
): void {
  const grads = new Map<GradNode, Tensor>([[rootNode, grad]]);
  for (const node of order) {
    const g = grads.get(node);
    grads.delete(node);
    if (!g) continue;
    // retainGrad(): the output's gradient, now complete, also accumulates into its .grad.
    if (node.retainedBy) accumulateLeaf(node.retainedBy, g, owner);
    if (!node.saved) {
      throw new TensorError(
        `backward: trying to backward through the graph a second time (op '${node.op}'); its saved tensors were freed. Pass {retainGraph: true} to the first backward() if you need to call it twice`,
      );
    }
    const ctx: GradContext = {
      saved: node.saved,
      attrs: node.attrs,
      needs: node.next.map((e) => e !== null),
      inputShapes: node.inputShapes,
      inputDtypes: node.inputDtypes,
    };
    const override = rules && Object.hasOwn(rules, node.op) ? rules[node.op as Primitive] : undefined;
    const rule = override ?? (Object.hasOwn(GRADIENTS, node.op) ? GRADIENTS[node.op as Primitive] : undefined);
    if (!rule) throw new Error(`internal: no gradient rule for the recorded op '${node.op}'`);
    const inputGrads = rule(g, ctx);
    if (!opts.retainGraph) node.saved = null;
    node.next.forEach((edge, i) => {
      const gi = inputGrads[i];
      if (!edge || !gi) return;
      const shaped = reduceToShape(gi, node.inputShapes[i]!);
      if (!shapesEqual(shaped.shape, node.inputShapes[i]!)) {
        throw new Error(`internal: gradient of '${node.op}' input ${i} has shape ${fmtShape(shaped.shape)}, expected ${fmtShape(node.inputShapes[i]!)}`);
      }
      const typed = shaped.dtype === node.inputDtypes[i] ? shaped : shaped.to(node.inputDtypes[i]!);
      if ('leaf' in edge) accumulateLeaf(edge.leaf, typed, owner);
      else {
        const prev = grads.get(edge.node);
        grads.set(edge.node, prev ? prev.add(typed) : typed);
      }
    });
  }
}

installBackward(runBackward);
