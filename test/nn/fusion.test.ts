import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tg from '../../src/index.js';
import { withBackend } from '../helpers/check-op.js';
import { fusionPlan } from '../../src/nn/fusion.js';
import { postOrder } from '../../src/tensor/graph.js';
import { setFusedKernelsEnabled } from '../../src/ops/fused.js';
import type { HookHandle, Module } from '../../src/nn/module.js';

/*
 * Layer fusion (src/nn/fusion.ts) is invisible: a model with forward hooks on
 * every layer computes what it computes without them (the hooks see the
 * unfused intermediates), the fused kernels still run where no hook looks,
 * and nothing about fusion is public.
 */

const { nn } = tg;
type Tensor = tg.Tensor;

/** A model and its layers in the order its forward runs them (what a step-by-step evaluation calls). */
interface Case { name: string; model: Module; leaves: [string, Module][]; input: () => Tensor }

function lenetCase(): Case {
  const model = tg.models.lenet5();
  const seqs = ['features', 'classifier'] as const;
  const leaves = seqs.flatMap((s) => model[s].namedChildren().map(([n, m]): [string, Module] => [`${s}.${n}`, m]));
  return { name: 'LeNet-5', model, leaves, input: () => tg.randn([3, 1, 28, 28]) };
}

/** Conv1d -> ReLU, then Conv2d -> ReLU -> MaxPool2d(2) (reflect padding), then Conv3d -> ReLU, glued by reshapes. */
function mixedCase(): Case {
  const model = new nn.Sequential(
    new nn.Conv1d(2, 4, 3, { padding: 1 }), new nn.ReLU(), // [N,4,64]
    new nn.Unflatten(2, [8, 8]), // [N,4,8,8]
    new nn.Conv2d(4, 6, 3, { padding: 1, paddingMode: 'reflect' }), new nn.ReLU(), new nn.MaxPool2d(2), // [N,6,4,4]
    new nn.Unflatten(1, [3, 2]), // [N,3,2,4,4]
    new nn.Conv3d(3, 4, 3, { padding: 1 }), new nn.ReLU(), // [N,4,2,4,4]
    new nn.Flatten(), new nn.Linear(128, 5),
  );
  return { name: 'Conv1d/2d/3d Sequential', model, leaves: model.namedChildren(), input: () => tg.randn([2, 2, 64]) };
}

/** Hooks on every module (containers and the model too) recording each output by name. */
function hookAll(model: Module): { seen: Map<string, Tensor>; handles: HookHandle[] } {
  const seen = new Map<string, Tensor>();
  const handles = model.namedModules().map(([name, m]) => m.registerForwardHook((_m, _in, out) => void seen.set(name, out as Tensor)));
  return { seen, handles };
}

/** The output, and each parameter's gradient after `output.sum().backward()`. */
function forwardBackward(model: Module, x: Tensor): { out: Tensor; grads: Map<string, Tensor> } {
  model.zeroGrad();
  const out = model.forward(x) as Tensor;
  out.sum().backward();
  return { out, grads: new Map(model.namedParameters().map(([n, p]) => [n, p.grad!])) };
}

function assertClose(got: Tensor, want: Tensor, what: string): void {
  assert.deepEqual(got.shape, want.shape, `${what}: shape`);
  // float32 tolerance: a fused kernel may sum the convolution in another order.
  const scale = want.abs().max().item();
  assert.ok(got.allclose(want, 1e-5, 1e-6 * Math.max(scale, 1)), `${what}: max |diff| ${got.sub(want).abs().max().item()} (scale ${scale})`);
}

/** The recorded primitives behind `y`, inputs first. */
const recorded = (y: Tensor): string[] => postOrder(y._node ? [y._node] : []).map((n) => (n.op === 'conv' && n.attrs.relu ? 'conv+relu' : n.op));
const count = (ops: string[], op: string) => ops.filter((o) => o === op).length;

for (const backend of ['wasm', 'reference'] as const) {
  for (const makeCase of [lenetCase, mixedCase]) {
    for (const mode of ['train', 'eval'] as const) {
      test(`${backend}: ${makeCase().name} in ${mode} mode gives the same outputs and gradients with a hook on every layer`, () => withBackend(backend, () => {
        tg.manualSeed(11);
        const c = makeCase();
        c.model.train(mode === 'train');
        const x = c.input();
        const plain = forwardBackward(c.model, x);
        const plainNoGrad = tg.noGrad(() => c.model.forward(x) as Tensor);

        const { seen, handles } = hookAll(c.model);
        const hooked = forwardBackward(c.model, x);
        const hookedNoGrad = tg.noGrad(() => c.model.forward(x) as Tensor);
        for (const h of handles) h.remove();

        assertClose(hooked.out, plain.out, 'output');
        assertClose(hookedNoGrad, plainNoGrad, 'output without gradients');
        assertClose(plainNoGrad, plain.out, 'output with and without gradients');
        for (const [name, g] of plain.grads) assertClose(hooked.grads.get(name)!, g, `gradient of ${name}`);

        // What each hook saw is what calling the layers one by one gives.
        let y = x;
        for (const [name, m] of c.leaves) {
          y = m.forward(y) as Tensor;
          assert.ok(seen.has(name), `the hook on ${name} ran`);
          assertClose(seen.get(name)!, y, `intermediate output of ${name}`);
        }
        assertClose(seen.get('')!, plain.out, 'the model hook');
      }));
    }
  }
}

describe('the fused kernels still run where no hook asks for the intermediate', () => {
  const kinds = (m: Module) => fusionPlan(m.children()).map((s) => s.kind);

  test('plan: LeNet-5 features fuse conv -> relu -> pool twice (its default training path)', () => {
    const lenet = tg.models.lenet5();
    assert.deepEqual(kinds(lenet.features), ['convReluMaxPool2x2', 'convReluMaxPool2x2']);
    assert.deepEqual(kinds(lenet.classifier), ['module', 'linearRelu', 'linearRelu', 'module']);
    assert.deepEqual(kinds(mixedCase().model), ['convRelu', 'module', 'convReluMaxPool2x2', 'module', 'convRelu', 'module', 'module']); // Linear last: alone
  });

  test('plan: a hook on any layer of a run unfuses that run only; remove() fuses it again', () => {
    const lenet = tg.models.lenet5();
    const layers = lenet.features.children();
    const whenHooked = [
      ['module', 'module', 'module', 'convReluMaxPool2x2'], // on the conv
      ['module', 'module', 'module', 'convReluMaxPool2x2'], // on the ReLU
      ['convRelu', 'module', 'convReluMaxPool2x2'], // on the pool: conv and ReLU still fuse with each other
    ];
    for (const [i, want] of whenHooked.entries()) {
      const h = layers[i]!.registerForwardHook(() => undefined);
      assert.deepEqual(kinds(lenet.features), want, `hook on layer ${i}`);
      h.remove();
      assert.deepEqual(kinds(lenet.features), ['convReluMaxPool2x2', 'convReluMaxPool2x2'], `hook on layer ${i} removed`);
    }
    // A hook on the container itself sees only its output: its children still fuse.
    const h = lenet.features.registerForwardHook(() => undefined);
    assert.deepEqual(kinds(lenet.features), ['convReluMaxPool2x2', 'convReluMaxPool2x2']);
    h.remove();
  });

  test('plan: overridden forwards and other pooling geometries are not fused', () => {
    class LoudConv extends nn.Conv2d {
      override forward(x: Tensor): Tensor { return super.forward(x).mul(2); }
    }
    const relu = () => new nn.ReLU();
    assert.deepEqual(fusionPlan([new LoudConv(1, 2, 3), relu()]).map((s) => s.kind), ['module', 'module']);
    const patched = new nn.Conv2d(1, 2, 3);
    patched.forward = (x: Tensor) => x;
    assert.deepEqual(fusionPlan([patched, relu()]).map((s) => s.kind), ['module', 'module']);
    const conv = () => new nn.Conv2d(1, 2, 3);
    for (const pool of [new nn.MaxPool2d(2, 1), new nn.MaxPool2d(3), new nn.MaxPool2d(2, { padding: 1 }), new nn.MaxPool2d(2, { ceilMode: true }), new nn.AvgPool2d(2)]) {
      assert.deepEqual(fusionPlan([conv(), relu(), pool]).map((s) => s.kind), ['convRelu', 'module'], pool.toString());
    }
    assert.deepEqual(fusionPlan([conv(), relu(), new nn.MaxPool2d([2, 2], { stride: 2, dilation: 1 })]).map((s) => s.kind), ['convReluMaxPool2x2']);
    // MaxPool2d after a 1-D or 3-D convolution pools something else: only conv + ReLU fuse.
    assert.deepEqual(fusionPlan([new nn.Conv1d(1, 2, 3), relu(), new nn.MaxPool2d(2)]).map((s) => s.kind), ['convRelu', 'module']);
    assert.deepEqual(fusionPlan([relu(), conv()]).map((s) => s.kind), ['module', 'module']);
  });

  // With the wasm backend's conv epilogue kernel switched on explicitly (whatever
  // TENSORGRAD_FUSED says), the recorded graph shows which kernel ran.
  test('graph: one conv+relu+pool node per fused run; hooks bring back relu and maxPool; remove() fuses again', () => withBackend('wasm', () => {
    setFusedKernelsEnabled(true);
    try {
      assert.ok(tg.getBackend().fused?.convEpilogue, 'the wasm backend offers the conv epilogue kernel');
      tg.manualSeed(5);
      const lenet = tg.models.lenet5();
      const x = tg.randn([2, 1, 28, 28]);
      const fused = recorded(lenet.features.forward(x));
      assert.equal(count(fused, 'convReluPool'), 2, fused.join(' '));
      assert.equal(count(fused, 'relu') + count(fused, 'maxPool'), 0, fused.join(' '));

      const h = lenet.features.at(1).registerForwardHook(() => undefined);
      const hooked = recorded(lenet.features.forward(x));
      assert.equal(count(hooked, 'convReluPool'), 1, hooked.join(' ')); // the second run has no hook
      assert.equal(count(hooked, 'relu'), 1, hooked.join(' '));
      assert.equal(count(hooked, 'maxPool'), 1, hooked.join(' '));
      h.remove();
      assert.deepEqual(recorded(lenet.features.forward(x)), fused);

      const mixed = mixedCase().model;
      const ops = recorded(mixed.forward(tg.randn([2, 2, 64])) as Tensor);
      assert.equal(count(ops, 'conv+relu'), 2, ops.join(' '));
      assert.equal(count(ops, 'convReluPool'), 1, ops.join(' '));
      assert.equal(count(ops, 'relu'), 0, ops.join(' '));
    } finally {
      setFusedKernelsEnabled(undefined);
    }
  }));
});

describe('fusion is not public API', () => {
  test('tg.F has no fused functional forms', () => {
    for (const name of ['convNdRelu', 'conv2dReluMaxPool2x2']) {
      assert.equal(name in tg.F, false, `tg.F.${name}`);
      assert.equal(name in tg.nn.functional, false, `tg.nn.functional.${name}`);
      assert.equal(name in tg, false, `tg.${name}`);
    }
  });

  test('convolution layers have no fused forward methods', () => {
    const conv = new nn.Conv2d(1, 2, 3);
    for (const name of ['forwardRelu', 'forwardReluMaxPool2x2']) {
      assert.equal(name in conv, false, `Conv2d.${name}`);
      assert.ok(!Object.keys(conv).includes(name));
      assert.ok(!Object.getOwnPropertyNames(nn.ConvNd.prototype).includes(name));
    }
  });

  test('tg.nn does not export the fusion machinery', () => {
    for (const name of ['runModules', 'fusionPlan', 'runsStockForward', 'convLayerCall']) assert.equal(name in tg.nn, false, `tg.nn.${name}`);
  });
});
