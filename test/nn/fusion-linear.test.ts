import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tg from '../../src/index.js';
import { withBackend } from '../helpers/check-op.js';
import { fusionPlan } from '../../src/nn/fusion.js';
import { postOrder } from '../../src/tensor/graph.js';
import { setFusedKernelsEnabled } from '../../src/ops/fused.js';
import { linearRelu } from '../../src/ops/linalg.js';
import type { Module } from '../../src/nn/module.js';

/*
 * The fused linear layer (ops/linear-fused.ts) and nn.Sequential's
 * Linear -> ReLU fusion (nn/fusion.ts): the plan's decisions (hooks and
 * overridden forwards unfuse), hooked and unhooked MLPs computing the same
 * outputs and gradients, the fused kernel's numbers against its composite
 * (NaN/Inf included), and the composite's gradients in float64 (gradcheck).
 */

const { nn } = tg;
type Tensor = tg.Tensor;
const kinds = (mods: readonly Module[]) => fusionPlan(mods).map((s) => s.kind);

describe('fusion plan: Linear -> ReLU', () => {
  test('an MLP fuses every hidden layer with its ReLU; the last Linear runs alone', () => {
    const m = tg.models.mlp({ sizes: [20, 16, 12, 4] });
    assert.deepEqual(kinds(m.layers.children()), ['module', 'linearRelu', 'linearRelu', 'module']);
    assert.deepEqual(kinds([new nn.Linear(3, 4, false), new nn.ReLU()]), ['linearRelu'], 'no bias: the ReLU still fuses');
    assert.deepEqual(kinds([new nn.ReLU(), new nn.Linear(3, 4)]), ['module', 'module']);
    assert.deepEqual(kinds([new nn.Linear(3, 4), new nn.LeakyReLU()]), ['module', 'module']);
    assert.deepEqual(kinds([new nn.Linear(3, 4), new nn.Dropout(0.5), new nn.ReLU()]), ['module', 'module', 'module']);
  });

  test('a hook on the Linear or the ReLU unfuses that pair only; remove() fuses it again', () => {
    const m = tg.models.mlp({ sizes: [20, 16, 12, 4] });
    const layers = m.layers.children();
    for (const i of [1, 2]) {
      const h = layers[i]!.registerForwardHook(() => undefined);
      assert.deepEqual(kinds(layers), ['module', 'module', 'module', 'linearRelu', 'module'], `hook on layer ${i}`);
      h.remove();
      assert.deepEqual(kinds(layers), ['module', 'linearRelu', 'linearRelu', 'module'], `hook on layer ${i} removed`);
    }
    // A hook on the container sees only its output: its children still fuse.
    const h = m.layers.registerForwardHook(() => undefined);
    assert.deepEqual(kinds(layers), ['module', 'linearRelu', 'linearRelu', 'module']);
    h.remove();
  });

  test('overridden forwards are not fused', () => {
    class Scaled extends nn.Linear {
      override forward(x: Tensor): Tensor { return super.forward(x).mul(2); }
    }
    assert.deepEqual(kinds([new Scaled(3, 4), new nn.ReLU()]), ['module', 'module']);
    const patched = new nn.Linear(3, 4);
    patched.forward = (x: Tensor) => x;
    assert.deepEqual(kinds([patched, new nn.ReLU()]), ['module', 'module']);
    const relu = new nn.ReLU();
    relu.forward = (x: Tensor) => x;
    assert.deepEqual(kinds([new nn.Linear(3, 4), relu]), ['module', 'module']);
  });
});

/** The output and every parameter's gradient after a weighted-sum backward. */
function forwardBackward(model: Module, x: Tensor): { out: Tensor; grads: Map<string, Tensor> } {
  model.zeroGrad();
  const out = model.forward(x) as Tensor;
  out.mul(tg.arange(out.numel()).reshape(out.shape).div(out.numel()).sub(0.3)).sum().backward();
  return { out, grads: new Map(model.namedParameters().map(([n, p]) => [n, p.grad!])) };
}

function assertClose(got: Tensor, want: Tensor, what: string): void {
  assert.deepEqual(got.shape, want.shape, `${what}: shape`);
  const scale = want.abs().max().item();
  assert.ok(got.allclose(want, 1e-5, 1e-6 * Math.max(scale, 1)), `${what}: max |diff| ${got.sub(want).abs().max().item()} (scale ${scale})`);
}

for (const backend of ['wasm', 'reference'] as const) {
  test(`${backend}: an MLP gives the same outputs and gradients with a hook on every layer, and as its layers one by one`, () => withBackend(backend, () => {
    tg.manualSeed(3);
    const model = tg.models.mlp({ sizes: [30, 24, 17, 5] });
    const x = tg.randn([9, 30]);
    const plain = forwardBackward(model, x);
    const seen = new Map<string, Tensor>();
    const handles = model.layers.namedChildren().map(([n, m]) => m.registerForwardHook((_m, _in, out) => void seen.set(n, out as Tensor)));
    const hooked = forwardBackward(model, x);
    for (const h of handles) h.remove();
    assertClose(hooked.out, plain.out, 'output');
    for (const [name, g] of plain.grads) assertClose(hooked.grads.get(name)!, g, `gradient of ${name}`);
    let y = x;
    for (const [name, m] of model.layers.namedChildren()) {
      y = m.forward(y) as Tensor;
      assertClose(seen.get(name)!, y, `intermediate output of ${name}`);
    }
    assertClose(tg.noGrad(() => model.forward(x) as Tensor), plain.out, 'output without gradients');
  }));
}

describe('the fused linear kernel against its composite (wasm)', () => {
  /** Runs fn with the fused kernels on, then off. */
  function onOff<T>(fn: () => T): [T, T] {
    try {
      setFusedKernelsEnabled(true);
      const a = fn();
      setFusedKernelsEnabled(false);
      return [a, fn()];
    } finally {
      setFusedKernelsEnabled(undefined);
    }
  }

  test('the recorded graph: one linear node per fused layer (when supported); the composite records matmul, add, relu', () => withBackend('wasm', () => {
    tg.manualSeed(4);
    const model = tg.models.mlp({ sizes: [12, 8, 8, 3] });
    const x = tg.randn([5, 12]);
    const [fused, composite] = onOff(() => postOrder([(model.forward(x) as Tensor)._node!]).map((n) => n.op));
    assert.equal(composite.filter((o) => o === 'relu').length, 2, composite.join(' '));
    assert.equal(fused.filter((o) => o === 'linear').length, 3, fused.join(' ')); // two fused Linear -> ReLU, the last F.linear with its bias
    assert.equal(fused.filter((o) => o === 'relu' || o === 'add' || o === 'matmul').length, 0, fused.join(' '));
  }));

  test('NaN and ±Inf flow through bias and ReLU as in the unfused ops (ReLU(NaN) = NaN)', () => withBackend('wasm', () => {
    const x = tg.tensor([[1, NaN, 0.5], [Infinity, 1, 2], [-1, 2, 0.25], [1, 1, 1]]);
    const w = tg.tensor([[1, 0, 0], [0, 0, 1], [-1, 0, 0], [0, 1, 0]]);
    const b = tg.tensor([0, NaN, -Infinity, 1]);
    for (const f of [(): Tensor => linearRelu(x, w, b), (): Tensor => tg.F.linear(x, w, b)]) {
      const [fused, composite] = onOff(() => [...f().data()]);
      assert.deepEqual(fused.map(String), composite.map(String));
    }
    const [fused] = onOff(() => [...linearRelu(x, w, b).data()]);
    assert.ok(Number.isNaN(fused[0 * 4 + 1]!) && Number.isNaN(fused[0 * 4 + 0]!), `NaN propagates: ${fused}`);
    assert.equal(fused[1 * 4 + 2], 0, 'relu(-Inf) = 0');
  }));
});

describe('gradients of the composite in float64 (the definition the fused backward follows)', () => {
  for (const relu of [false, true]) {
    test(`gradcheck ${relu ? 'linearRelu' : 'F.linear'} with a bias, batch dims`, () => {
      tg.manualSeed(8);
      const x = tg.randn([2, 3, 5], { dtype: 'float64', requiresGrad: true });
      const w = tg.randn([4, 5], { dtype: 'float64', requiresGrad: true });
      const b = tg.randn([4], { dtype: 'float64', requiresGrad: true });
      const f = (a: Tensor, c: Tensor, d: Tensor) => (relu ? linearRelu(a, c, d) : tg.F.linear(a, c, d));
      const r = tg.autograd.gradcheck((a, c, d) => f(a!, c!, d!), [x, w, b]);
      assert.ok(r.passed, r.report);
    });
  }
});

describe('what else sees the fused node', () => {
  test('ONNX: F.linear and a fused Linear -> ReLU in a custom forward export and run in onnxruntime as computed', async () => {
    const { runOrt, maxAbsDiff } = await import('../onnx/export-helpers.js');
    class Custom extends nn.Module {
      w = new nn.Parameter(tg.randn([6, 5]));
      b = new nn.Parameter(tg.randn([6]));
      head = new nn.Sequential(new nn.Linear(6, 4), new nn.ReLU(), new nn.Linear(4, 3));
      forward(x: Tensor): Tensor { return this.head.forward(tg.F.relu(tg.F.linear(x, this.w, this.b)).add(linearRelu(x, this.w, this.b))) as Tensor; }
    }
    await withBackend('wasm', async () => {
      tg.manualSeed(6);
      const m = new Custom();
      m.eval();
      const x = tg.randn([3, 5]);
      const ort = await runOrt(tg.onnx.exportModel(m, x), x);
      assert.deepEqual([...ort.dims], [3, 3]);
      assert.ok(maxAbsDiff(ort.data, [...(m.forward(x)).data()]) < 1e-5);
    });
  });

  test('viz: guided backprop and the deconvnet through a fused MLP equal the unfused (hooked) model', async () => {
    const { backwardWithRules } = await import('../../src/autograd/engine.js');
    const { GUIDED_RULES, DECONVNET_RULES } = await import('../../src/viz/relu-rules.js');
    withBackend('wasm', () => {
      tg.manualSeed(1);
      const m = tg.models.mlp({ sizes: [12, 10, 8, 3] });
      const x = tg.randn([2, 12]);
      for (const rules of [GUIDED_RULES, DECONVNET_RULES]) {
        const run = (hook: boolean) => {
          const hs = hook ? m.layers.children().map((c) => c.registerForwardHook(() => undefined)) : [];
          const xi = x.clone();
          xi.requiresGrad = true;
          backwardWithRules((m.forward(xi) as Tensor).mul(tg.tensor([[1, -2, 0.5]])).sum(), null, rules);
          hs.forEach((h) => h.remove());
          return xi.grad!;
        };
        assertClose(run(false), run(true), 'projection');
      }
    });
  });
});
