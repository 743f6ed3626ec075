import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tg from '../../src/index.js';
import { projectActivation, projectionImage, type ProjectionMethod } from '../../src/viz/guided-backprop.js';
import { GUIDED_RULES } from '../../src/viz/relu-rules.js';
import { backwardWithRules } from '../../src/autograd/engine.js';
import { captureForward } from '../../src/viz/capture.js';
import { postOrder } from '../../src/tensor/graph.js';
import { setFusedKernelsEnabled } from '../../src/ops/fused.js';
import { withBackend } from '../helpers/check-op.js';
import { assertSameState, dirtyState, snapshot } from './attr-models.js';

/*
 * Projections to pixel space: guided backpropagation, the deconvnet and the
 * plain gradient differ exactly where a ReLU meets a negative gradient or was
 * off in the forward pass, and the guided rules reach every ReLU: a layer, a
 * functional relu, and the ReLU fused into a conv kernel.
 */

const { nn } = tg;
type Tensor = tg.Tensor;

/*
 * The constructed example. One input pixel x = 1 feeds three 1x1-conv channels
 * with weights a = [1, 2, -1], so h = relu(a x) = [1, 2, 0] (channel 2 is off);
 * the unit is out = b·h with b = [2, -3, 5]. Backward from out, at h: g = b.
 *   gradient:  g·[h > 0]       = [2, -3, 0] -> dx = 1·2 + 2·(-3)         = -4
 *   guided:    relu(g)·[h > 0] = [2,  0, 0] -> dx = 1·2                  =  2
 *   deconvnet: relu(g)         = [2,  0, 5] -> dx = 1·2 + (-1)·5         = -3
 * Every other pixel is outside the unit's 1x1 field: exactly 0.
 */
const A = [1, 2, -1], B = [2, -3, 5];
const EXPECTED: Record<ProjectionMethod, number> = { gradient: -4, guided: 2, deconvnet: -3 };

function setWeights(first: tg.nn.Conv2d, last: tg.nn.Conv2d): void {
  tg.noGrad(() => {
    first.weight.copy_(tg.tensor(A).reshape([3, 1, 1, 1]));
    last.weight.copy_(tg.tensor(B).reshape([1, 3, 1, 1]));
  });
}

/** conv -> ReLU -> conv as layers: on a backend with the conv epilogue kernel, conv + ReLU run fused. */
function layered(): { model: tg.nn.Module; layer: string } {
  const first = new nn.Conv2d(1, 3, 1, { bias: false }), last = new nn.Conv2d(3, 1, 1, { bias: false });
  setWeights(first, last);
  return { model: new nn.Sequential(first, new nn.ReLU(), last), layer: '2' };
}

/** The same with a functional relu in a custom forward (the 'relu' primitive, never fused). */
class Functional extends nn.Module {
  first = new nn.Conv2d(1, 3, 1, { bias: false });
  last = new nn.Conv2d(3, 1, 1, { bias: false });
  constructor() {
    super();
    setWeights(this.first, this.last);
  }
  forward(x: Tensor): Tensor {
    return this.last.forward(tg.F.relu(this.first.forward(x)));
  }
}

/** conv -> ReLU -> MaxPool2d(2) -> conv: on wasm the first three run as one convReluPool kernel. */
function pooled(): { model: tg.nn.Module; layer: string } {
  const first = new nn.Conv2d(1, 3, 1, { bias: false }), last = new nn.Conv2d(3, 1, 1, { bias: false });
  setWeights(first, last);
  return { model: new nn.Sequential(first, new nn.ReLU(), new nn.MaxPool2d(2), last), layer: '3' };
}

/** The primitives a forward records up to `layer` when that layer is hooked, as projectActivation runs it. */
function recordedOps(model: tg.nn.Module, layer: string, image: Tensor): string[] {
  const x = image.unsqueeze(0).clone().requiresGrad_(true);
  const map = captureForward(model, x, { layers: [layer] }).maps.get(layer)!;
  return postOrder([map._node!]).map((n) => (n.op === 'conv' && n.attrs.relu ? 'conv+relu' : n.op));
}

const METHODS: ProjectionMethod[] = ['gradient', 'guided', 'deconvnet'];

for (const backend of ['wasm', 'reference'] as const) {
  describe(`projectActivation on ${backend}`, () => {
    test('the constructed example: each method gives its hand-computed value, through a layer ReLU and a functional one', () => withBackend(backend, () => {
      const image = tg.tensor([[[1, 0.5]]]); // [1, 1, 2]: the unit at [0, 0] sees pixel 0 only
      for (const { model, layer } of [layered(), { model: new Functional(), layer: 'last' }]) {
        for (const method of METHODS) {
          const p = projectActivation(model, image, { layer, unit: 0, position: [0, 0], method });
          assert.deepEqual(p.shape, [1, 1, 2]);
          assert.deepEqual(Array.from(p.data()), [EXPECTED[method], 0], `${model.constructor.name} ${method}`);
        }
      }
    }));

    test('through conv -> ReLU -> max pool: the switches route the signal, guided and gradient exact', () => withBackend(backend, () => {
      const { model, layer } = pooled();
      const image = tg.tensor([[[1, 0.5], [0.25, 0.125]]]); // the maximum of channels 0 and 1 is pixel [0, 0]
      for (const method of ['gradient', 'guided'] as const) {
        const p = projectActivation(model, image, { layer, unit: 0, method });
        assert.deepEqual(Array.from(p.data()), [EXPECTED[method], 0, 0, 0], method);
      }
      // Channel 2 is all zero after its ReLU, so its switch is any of the four pixels (kernels break
      // the tie differently); the deconvnet still sends 2 through channel 0 and -5 through channel 2.
      const d = Array.from(projectActivation(model, image, { layer, unit: 0, method: 'deconvnet' }).data());
      assert.equal(d.reduce((s, v) => s + v, 0), EXPECTED.deconvnet);
    }));

    test('no negative gradient leaks through a ReLU: guided projections of a net with non-negative first weights are >= 0', () => withBackend(backend, () => {
      tg.manualSeed(4);
      const model = new nn.Sequential(
        new nn.Conv2d(1, 4, 3, { padding: 1 }), new nn.ReLU(),
        new nn.Conv2d(4, 4, 3, { padding: 1 }), new nn.ReLU(),
        new nn.Conv2d(4, 4, 3),
      );
      const first = model.at(0) as tg.nn.Conv2d;
      tg.noGrad(() => first.weight.copy_(first.weight.abs()));
      const image = tg.rand([1, 8, 8]);
      // Whatever crosses the first ReLU backwards is >= 0 under guided rules, and the first conv's
      // transpose with weights >= 0 keeps it so; the true gradient carries the later layers' signs.
      for (const unit of [0, 1, 2, 3]) {
        const guided = projectActivation(model, image, { layer: '4', unit, position: [2, 3] });
        const plain = projectActivation(model, image, { layer: '4', unit, position: [2, 3], method: 'gradient' });
        assert.ok(guided.min().item() >= 0, `unit ${unit}: guided min ${guided.min().item()}`);
        assert.ok(guided.max().item() > 0, `unit ${unit}: guided is not all zero`);
        assert.ok(plain.min().item() < 0, `unit ${unit}: the plain gradient has negative parts`);
      }
    }));

    test("'gradient' is autograd's own input gradient of the activation", () => withBackend(backend, () => {
      tg.manualSeed(9);
      const model = tg.models.lenet5();
      const image = tg.rand([1, 28, 28]);
      const p = projectActivation(model, image, { layer: 'features.3', unit: 4, position: [3, 6], method: 'gradient' });
      model.eval();
      const x = image.unsqueeze(0).clone().requiresGrad_(true);
      captureForward(model, x, { layers: ['features.3'] }).maps.get('features.3')!.select(0, 0).select(0, 4).select(0, 3).select(0, 6).backward();
      assert.ok(p.allclose(x.grad!.reshape([1, 28, 28]), 1e-5, 1e-7), `max |diff| ${p.sub(x.grad!.reshape([1, 28, 28])).abs().max().item()}`);
    }));

    test('leaves the model and the image as it found them', () => withBackend(backend, () => {
      tg.manualSeed(2);
      const model = tg.models.lenet5();
      dirtyState(model, tg.rand([2, 1, 28, 28]));
      const before = snapshot(model);
      const image = tg.rand([1, 28, 28], { requiresGrad: true });
      projectActivation(model, image, { layer: 'features.5', unit: 3, position: [1, 1] });
      assertSameState(model, before, 'projectActivation');
      assert.equal(image.grad, null, 'the caller\'s image gets no .grad');
      assert.ok(model.modules().every((m) => !m.hasForwardHooks()), 'hooks removed');
    }));
  });
}

describe('guided rules reach fused kernels', () => {
  // Switched on explicitly (whatever TENSORGRAD_FUSED says): the recorded graph shows the fused kernels ran.
  test('wasm with conv epilogues: conv+relu and convReluPool nodes get the guided and deconvnet rules', () => withBackend('wasm', () => {
    setFusedKernelsEnabled(true);
    try {
      const a = layered(), b = pooled();
      const row = tg.tensor([[[1, 0.5]]]), square = tg.tensor([[[1, 0.5], [0.25, 0.125]]]);
      assert.ok(recordedOps(a.model, a.layer, row).includes('conv+relu'), 'conv and ReLU ran fused');
      assert.ok(recordedOps(b.model, b.layer, square).includes('convReluPool'), 'conv, ReLU and pool ran fused');
      for (const method of METHODS) {
        assert.deepEqual(Array.from(projectActivation(a.model, row, { layer: a.layer, unit: 0, method }).data()), [EXPECTED[method], 0], method);
      }
      for (const method of ['gradient', 'guided'] as const) {
        assert.deepEqual(Array.from(projectActivation(b.model, square, { layer: b.layer, unit: 0, method }).data()), [EXPECTED[method], 0, 0, 0], method);
      }
    } finally {
      setFusedKernelsEnabled(undefined);
    }
  }));

  test('LeNet-5 (two conv+ReLU+pool blocks): fused and unfused projections agree', () => withBackend('wasm', () => {
    tg.manualSeed(6);
    const model = tg.models.lenet5();
    const image = tg.rand([1, 28, 28]);
    const project = (fused: boolean, method: ProjectionMethod) => {
      setFusedKernelsEnabled(fused);
      try {
        const ops = recordedOps(model, 'classifier.1', image);
        assert.equal(ops.filter((o) => o === 'convReluPool').length, fused ? 2 : 0, ops.join(' '));
        return projectActivation(model, image, { layer: 'classifier.1', unit: 7, method });
      } finally {
        setFusedKernelsEnabled(undefined);
      }
    };
    for (const method of ['guided', 'gradient'] as const) {
      const [on, off] = [project(true, method), project(false, method)];
      const scale = off.abs().max().item();
      assert.ok(scale > 0, `${method}: not all zero`);
      assert.ok(on.allclose(off, 1e-4, 1e-6 * scale), `${method}: max |diff| ${on.sub(off).abs().max().item()} (scale ${scale})`);
    }
  }));
});

describe('projectionImage and errors', () => {
  test('zero maps to grey, the largest |value| to black or white; a window crops with zero outside', () => {
    const p = tg.tensor([[[-2, 0, 1]]]);
    assert.deepEqual(Array.from(projectionImage(p).data()), [0, 0.5, 0.75]);
    const w = projectionImage(p, { top: -1, left: 1, height: 2, width: 3 });
    assert.deepEqual(w.shape, [1, 2, 3]);
    assert.deepEqual(Array.from(w.data()), [0.5, 0.5, 0.5, 0.5, 1, 0.5]);
    assert.deepEqual(Array.from(projectionImage(tg.zeros([1, 1, 2])).data()), [0.5, 0.5]);
  });

  test('bad input: one clear TensorError naming the function and the argument', () => {
    const { model, layer } = layered();
    const image = tg.tensor([[[1, 0.5]]]);
    assert.throws(() => projectActivation(model, image, { layer: '7', unit: 0 }), /projectActivation: unknown layer '7' \(valid layers: 0, 1, 2\)/);
    assert.throws(() => projectActivation(model, image, { layer, unit: 1 }), /projectActivation: unit 1 is out of range for layer '2', which has 1 channels/);
    assert.throws(() => projectActivation(model, image, { layer, unit: 0, position: [0, 2] }), /projectActivation: position \[0, 2\] is outside layer '2''s 1x2 map/);
    assert.throws(() => projectActivation(model, image.unsqueeze(0), { layer, unit: 0 }), /projectActivation: image must be \[C, H, W\] \(got \[1,1,1,2\]\)/);
    assert.throws(() => projectActivation(model, image, { layer, unit: 0, method: 'lrp' as ProjectionMethod }), /projectActivation: method must be/);
    assert.throws(() => projectionImage(tg.zeros([2, 2])), /projectionImage: projection must be \[C, H, W\]/);
    const y = tg.rand([3], { requiresGrad: true }).relu();
    assert.throws(() => backwardWithRules(y, null, GUIDED_RULES), /backwardWithRules: the seed must have the root's shape \[3\]/);
    assert.throws(() => backwardWithRules(y.sum(), null, { reluu: () => [] } as never), /backwardWithRules: 'reluu' is not a differentiable primitive/);
  });
});
