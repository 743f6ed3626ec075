/**
 * Models for the saliency / occlusion / maximisation tests: one whose output
 * depends on a single pixel (the semantic oracle), a small residual network
 * with batch norm, a LeNet-5 trained briefly on MNIST, and a snapshot of a
 * model's state to check that it was left as it was found.
 */
import assert from 'node:assert/strict';
import * as tg from '../../src/index.js';
import { withBackend } from '../helpers/check-op.js';

type Tensor = tg.Tensor;

/**
 * Logits `[N, 3]` = w * input[n, 0, y, x]: every other pixel and channel is
 * ignored, so the gradient of any logit is non-zero at (y, x) of channel 0
 * only, and only covering that pixel changes the class probabilities.
 */
export class OnePixel extends tg.nn.Module {
  w = new tg.nn.Parameter(tg.tensor([3, -1, 0.5]));
  constructor(readonly y: number, readonly x: number) {
    super();
  }
  forward(input: Tensor): Tensor {
    const p = input.select(1, 0).select(1, this.y).select(1, this.x).unsqueeze(1); // [N, 1]
    return p.mul(this.w); // [N, 3]
  }
}

/** Conv -> BN -> ReLU -> Residual(conv, BN, ReLU, conv) + ReLU -> global average -> Linear(8, 5); input [N, 3, 16, 16]. */
export function residualNet(): tg.nn.Module {
  const { nn } = tg;
  return new nn.Sequential(
    new nn.Conv2d(3, 8, 3, { padding: 1 }), new nn.BatchNorm2d(8), new nn.ReLU(),
    new nn.Residual(
      new nn.Sequential(new nn.Conv2d(8, 8, 3, { padding: 1 }), new nn.BatchNorm2d(8), new nn.ReLU(), new nn.Conv2d(8, 8, 3, { padding: 1 })),
      { activation: new nn.ReLU() },
    ),
    new nn.AdaptiveAvgPool2d(1), new nn.Flatten(), new nn.Linear(8, 5),
  );
}

const trained = new Map<string, tg.nn.StateDict>();

/**
 * LeNet-5 after `steps` Adam steps of 64 MNIST training images (seeded), on
 * the current backend. The training itself runs once per test file on wasm
 * (~2 s; the reference backend would take ~40 s), and the weights are copied
 * to the current backend: what the tests check runs there.
 */
export function trainedLenet(steps = 60): { model: tg.models.LeNet5; test: tg.data.ImageLabelSet } {
  let weights = trained.get(`${steps}`);
  if (!weights) {
    weights = withBackend('wasm', () => {
      tg.manualSeed(0);
      const model = tg.models.lenet5();
      const { images, labels } = tg.data.loadMnist({ split: 'train' });
      const opt = new tg.optim.Adam(model.parameters(), { lr: 2e-3 });
      for (let s = 0; s < steps; s++) {
        const x = images.narrow(0, s * 64, 64), t = labels.narrow(0, s * 64, 64);
        opt.zeroGrad();
        tg.F.crossEntropy(model.forward(x), t).backward();
        opt.step();
      }
      return model.stateDict();
    });
    trained.set(`${steps}`, weights);
  }
  const backend = tg.getBackend();
  const model = tg.models.lenet5();
  model.loadStateDict(Object.fromEntries(Object.entries(weights).map(([k, t]) => [k, tg.toBackend(t, backend)])));
  return { model, test: tg.data.loadMnist({ split: 'test' }) };
}

/** What a viz function must leave as it found it: training flags, requiresGrad, and each parameter's .grad (object and values). */
export interface ModelState {
  training: boolean[];
  requiresGrad: boolean[];
  grads: (Tensor | null)[];
  gradValues: (number[] | null)[];
}

export function snapshot(model: tg.nn.Module): ModelState {
  const params = model.parameters();
  return {
    training: model.modules().map((m) => m.training),
    requiresGrad: params.map((p) => p.requiresGrad),
    grads: params.map((p) => p.grad),
    gradValues: params.map((p) => (p.grad ? Array.from(p.grad.data()) : null)),
  };
}

export function assertSameState(model: tg.nn.Module, before: ModelState, what: string): void {
  const after = snapshot(model);
  assert.deepEqual(after.training, before.training, `${what}: training flags restored`);
  assert.deepEqual(after.requiresGrad, before.requiresGrad, `${what}: requiresGrad restored`);
  after.grads.forEach((g, i) => assert.equal(g, before.grads[i], `${what}: parameter ${i} .grad is the same object`));
  assert.deepEqual(after.gradValues, before.gradValues, `${what}: parameter .grad values untouched`);
}

/**
 * Puts the model in a state worth checking: training mode except one module,
 * one parameter frozen, and a .grad on every parameter that requires grad
 * (from a backward on `input`).
 */
export function dirtyState(model: tg.nn.Module, input: Tensor): void {
  model.train();
  const modules = model.modules();
  modules[modules.length - 1]!.training = false;
  const params = model.parameters();
  params[params.length - 1]!.requiresGrad = false;
  (model.forward(input) as Tensor).sum().backward();
}

/** Values of a tensor as a plain array. */
export const values = (t: Tensor): number[] => Array.from(t.data());
