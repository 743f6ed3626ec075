import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tg from '../../src/index.js';
import * as optim from '../../src/optim/index.js';
import { Parameter } from '../../src/nn/parameter.js';

/*
 * Each optimizer runs 5 steps on f(p) = sum(c * p^2 + p^3 / 10) (a non-quadratic
 * loss, so gradients change with p), compared with a scalar float64
 * transcription of PyTorch's documented algorithm written here independently.
 */
const c = [1, 3, 0.5];
const loss = (p: tg.Tensor) => p.square().mul(tg.tensor(c, { dtype: 'float64' })).add(p.pow(3).div(10)).sum();
const gradOf = (p: number[]) => p.map((v, i) => 2 * c[i]! * v + (3 * v * v) / 10);

function run(make: (p: Parameter) => optim.Optimizer<{ lr: number }>, steps = 5): number[] {
  const p = new Parameter(tg.tensor([1, -2, 0.5], { dtype: 'float64' }));
  const opt = make(p);
  for (let i = 0; i < steps; i++) {
    opt.zeroGrad();
    loss(p).backward();
    opt.step();
  }
  return [...p.data()];
}

function reference(update: (p: number[], g: number[], t: number, s: Record<string, number[]>) => void, steps = 5): number[] {
  const p = [1, -2, 0.5];
  const s: Record<string, number[]> = {};
  for (let t = 1; t <= steps; t++) update(p, gradOf(p), t, s);
  return p;
}

const close = (a: number[], b: number[]) => a.forEach((v, i) => assert.ok(Math.abs(v - b[i]!) < 1e-12, `element ${i}: ${v} vs ${b[i]}`));
const zeros = () => [0, 0, 0];

describe('optimizers match the documented update rules', () => {
  for (const [momentum, dampening, nesterov, wd] of [[0, 0, false, 0], [0.9, 0, false, 0], [0.9, 0.1, false, 0.01], [0.9, 0, true, 0.05]] as const) {
    test(`SGD momentum ${momentum} dampening ${dampening} nesterov ${nesterov} weightDecay ${wd}`, () => {
      const lr = 0.05;
      const got = run((p) => new optim.SGD([p], { lr, momentum, dampening, nesterov, weightDecay: wd }));
      const want = reference((p, g, t, s) => {
        for (let i = 0; i < 3; i++) {
          let d = g[i]! + wd * p[i]!;
          if (momentum) {
            s.b ??= zeros();
            s.b[i] = t === 1 ? d : momentum * s.b[i]! + (1 - dampening) * d;
            d = nesterov ? d + momentum * s.b[i]! : s.b[i]!;
          }
          p[i]! -= lr * d;
        }
      });
      close(got, want);
    });
  }

  for (const [name, amsgrad, wd, decoupled] of [['Adam', false, 0, false], ['Adam amsgrad + L2', true, 0.1, false], ['AdamW', false, 0.1, true]] as const) {
    test(name, () => {
      const [lr, b1, b2, eps] = [0.1, 0.9, 0.999, 1e-8];
      const got = run((p) => (decoupled ? new optim.AdamW([p], { lr, weightDecay: wd }) : new optim.Adam([p], { lr, amsgrad, weightDecay: wd })));
      const want = reference((p, g, t, s) => {
        s.m ??= zeros(); s.v ??= zeros(); s.vmax ??= zeros();
        for (let i = 0; i < 3; i++) {
          let d = g[i]!;
          if (decoupled) p[i]! *= 1 - lr * wd;
          else d += wd * p[i]!;
          s.m[i] = b1 * s.m[i]! + (1 - b1) * d;
          s.v[i] = b2 * s.v[i]! + (1 - b2) * d * d;
          s.vmax[i] = Math.max(s.vmax[i]!, s.v[i]!);
          const mhat = s.m[i]! / (1 - b1 ** t);
          const vhat = (amsgrad ? s.vmax[i]! : s.v[i]!) / (1 - b2 ** t);
          p[i]! -= (lr * mhat) / (Math.sqrt(vhat) + eps);
        }
      });
      close(got, want);
    });
  }

  for (const [centered, momentum] of [[false, 0], [true, 0], [true, 0.8]] as const) {
    test(`RMSprop centered ${centered} momentum ${momentum}`, () => {
      const [lr, alpha, eps] = [0.01, 0.99, 1e-8];
      const got = run((p) => new optim.RMSprop([p], { lr, centered, momentum }));
      const want = reference((p, g, _t, s) => {
        s.v ??= zeros(); s.ga ??= zeros(); s.b ??= zeros();
        for (let i = 0; i < 3; i++) {
          s.v[i] = alpha * s.v[i]! + (1 - alpha) * g[i]! ** 2;
          let avg = s.v[i]!;
          if (centered) {
            s.ga[i] = alpha * s.ga[i]! + (1 - alpha) * g[i]!;
            avg -= s.ga[i]! ** 2;
          }
          const denom = Math.sqrt(avg) + eps;
          if (momentum) {
            s.b[i] = momentum * s.b[i]! + g[i]! / denom;
            p[i]! -= lr * s.b[i]!;
          } else p[i]! -= (lr * g[i]!) / denom;
        }
      });
      close(got, want);
    });
  }

  test('Adagrad with lrDecay and initialAccumulatorValue', () => {
    const [lr, lrDecay, init, eps] = [0.1, 0.05, 0.2, 1e-10];
    const got = run((p) => new optim.Adagrad([p], { lr, lrDecay, initialAccumulatorValue: init }));
    const want = reference((p, g, t, s) => {
      s.sum ??= [init, init, init];
      const clr = lr / (1 + (t - 1) * lrDecay);
      for (let i = 0; i < 3; i++) {
        s.sum[i]! += g[i]! ** 2;
        p[i]! -= (clr * g[i]!) / (Math.sqrt(s.sum[i]!) + eps);
      }
    });
    close(got, want);
  });
});

/*
 * The fused update kernels (FusedKernels.sgdStep/adamStep where a backend has
 * them, used for whole contiguous parameters) against the tensor-op form of the
 * same rules (used for any other layout: here a parameter that is a slice of a
 * bigger tensor), float32, on every backend, at an odd length so that vector
 * loops and scalar tails both run (37: the wasm SGD's 8-wide loop, one 4-wide
 * step, one scalar), each flag combination's specialised loop at least once. test/backend/capabilities.test.ts compares
 * each fused kernel with its composite directly.
 */
describe('fused optimizer kernels match the tensor-op rules', () => {
  const n = 37;
  const init = Array.from({ length: n }, (_, i) => Math.sin(i * 1.3) * 2);
  const weights = tg.tensor(Array.from({ length: n }, (_, i) => 0.5 + (i % 5)));
  function trajectory(backend: string, make: (p: Parameter) => optim.Optimizer<{ lr: number }>, whole: boolean): number[] {
    const prev = tg.getBackend();
    tg.setBackend(backend);
    const be = tg.getBackend();
    tg.setBackend(prev);
    const host = whole ? tg.tensor(init, { backend: be }) : tg.tensor([7, ...init, 7], { backend: be }).narrow(0, 1, n);
    const p = new Parameter(host);
    const w = weights.toBackend(p.backend);
    const opt = make(p);
    for (let i = 0; i < 6; i++) {
      opt.zeroGrad();
      p.square().mul(w).add(p.pow(3).div(10)).sum().backward();
      opt.step();
    }
    return [...p.data()];
  }
  const makers: [string, (p: Parameter) => optim.Optimizer<{ lr: number }>][] = [
    ['SGD', (p) => new optim.SGD([p], { lr: 0.05 })],
    ['SGD momentum + weight decay', (p) => new optim.SGD([p], { lr: 0.05, momentum: 0.9, dampening: 0.1, weightDecay: 0.01 })],
    ['SGD nesterov, maximize', (p) => new optim.SGD([p], { lr: 0.01, momentum: 0.8, nesterov: true, maximize: true })],
    ['SGD weight decay, maximize', (p) => new optim.SGD([p], { lr: 0.02, weightDecay: 0.05, maximize: true })],
    ['SGD nesterov + weight decay', (p) => new optim.SGD([p], { lr: 0.01, momentum: 0.9, nesterov: true, weightDecay: 0.02 })],
    ['Adam', (p) => new optim.Adam([p], { lr: 0.1 })],
    ['Adam amsgrad + L2, maximize', (p) => new optim.Adam([p], { lr: 0.05, amsgrad: true, weightDecay: 0.1, maximize: true })],
    ['AdamW', (p) => new optim.AdamW([p], { lr: 0.1, weightDecay: 0.1 })],
  ];
  for (const backend of tg.listBackends()) {
    for (const [name, make] of makers) {
      test(`${name} on ${backend}`, () => {
        const fused = trajectory(backend, make, true), ops = trajectory(backend, make, false);
        fused.forEach((v, i) => assert.ok(Math.abs(v - ops[i]!) <= 2e-5 * (1 + Math.abs(ops[i]!)), `element ${i}: fused ${v} vs ops ${ops[i]}`));
      });
    }
  }
});

describe('optimizer mechanics', () => {
  test('parameter groups carry their own options', () => {
    const a = new Parameter(tg.tensor([1], { dtype: 'float64' }));
    const b = new Parameter(tg.tensor([1], { dtype: 'float64' }));
    const opt = new optim.SGD([{ params: [a] }, { params: [b], lr: 0.5 }], { lr: 0.1 });
    a.add(b).sum().backward();
    opt.step();
    assert.deepEqual([a.item(), b.item()], [0.9, 0.5]);
  });
  test('parameters without gradients are skipped; zeroGrad clears', () => {
    const a = new Parameter(tg.tensor([1]));
    const opt = new optim.Adam([a]);
    opt.step();
    assert.equal(a.item(), 1);
    a.mul(2).sum().backward();
    opt.zeroGrad();
    assert.equal(a.grad, null);
  });
  test('hyperparameters are validated with the optimizer name', () => {
    const p = [new Parameter(tg.ones([1]))];
    assert.throws(() => new optim.SGD(p, { lr: -1 }), /SGD: invalid learning rate -1/);
    assert.throws(() => new optim.SGD(p, { lr: 0.1, nesterov: true }), /SGD: nesterov momentum requires a momentum and zero dampening/);
    assert.throws(() => new optim.Adam(p, { betas: [0.9, 1.5] }), /Adam: invalid betas \[0.9,1.5\]/);
    assert.throws(() => new optim.RMSprop(p, { alpha: 2 }), /RMSprop: invalid alpha 2/);
    assert.throws(() => new optim.Adagrad(p, { lrDecay: -1 }), /Adagrad: invalid lrDecay -1/);
    assert.throws(() => new optim.SGD([], { lr: 0.1 }), /SGD: got an empty parameter list/);
    assert.throws(() => new optim.SGD([tg.ones([1], { requiresGrad: true }).mul(2)], { lr: 0.1 }), /SGD: can only optimize leaf tensors/);
  });
  test('stateDict round-trip resumes identically', () => {
    const mk = () => new Parameter(tg.tensor([1, -2, 0.5], { dtype: 'float64' }));
    const p1 = mk();
    const o1 = new optim.Adam([p1], { lr: 0.1 });
    const stepOnce = (p: Parameter, o: optim.Optimizer<{ lr: number }>) => { o.zeroGrad(); loss(p).backward(); o.step(); };
    for (let i = 0; i < 3; i++) stepOnce(p1, o1);
    const sd = o1.stateDict();
    const p2 = mk();
    tg.noGrad(() => p2.copy_(p1));
    const o2 = new optim.Adam([p2], { lr: 0.5 });
    o2.loadStateDict(sd);
    assert.equal(o2.paramGroups[0]!.lr, 0.1);
    for (let i = 0; i < 3; i++) { stepOnce(p1, o1); stepOnce(p2, o2); }
    close([...p2.data()], [...p1.data()]);
  });
});

describe('learning-rate schedules', () => {
  const opt = (lr = 1) => new optim.SGD([new Parameter(tg.ones([1]))], { lr, momentum: 0.9 });
  const lrs = (s: { step(): void; getLastLr(): number[] }, n: number) => Array.from({ length: n }, () => { const v = s.getLastLr()[0]!; s.step(); return v; });
  const approx = (a: number[], b: number[]) => a.forEach((v, i) => assert.ok(Math.abs(v - b[i]!) < 1e-12, `step ${i}: ${v} vs ${b[i]}`));
  test('StepLR, MultiStepLR, ExponentialLR', () => {
    approx(lrs(new optim.StepLR(opt(), 2, 0.5), 5), [1, 1, 0.5, 0.5, 0.25]);
    approx(lrs(new optim.MultiStepLR(opt(), [1, 3], 0.1), 5), [1, 0.1, 0.1, 0.01, 0.01]);
    approx(lrs(new optim.ExponentialLR(opt(), 0.9), 3), [1, 0.9, 0.81]);
  });
  test('CosineAnnealingLR and LinearLR warm-up', () => {
    approx(lrs(new optim.CosineAnnealingLR(opt(), 4, 0.1), 5), [1, 0.1 + 0.9 * (1 + Math.cos(Math.PI / 4)) / 2, 0.55, 0.1 + 0.9 * (1 + Math.cos((3 * Math.PI) / 4)) / 2, 0.1]);
    approx(lrs(new optim.LinearLR(opt(), 0.25, 1, 3), 5), [0.25, 0.5, 0.75, 1, 1]);
  });
  test('OneCycleLR follows PyTorch (cos annealing, momentum cycling)', () => {
    const o = opt();
    const s = new optim.OneCycleLR(o, { maxLr: 1, totalSteps: 10 });
    const got = lrs(s, 10);
    // PyTorch: phase 1 ends at step pct*total - 1 = 2, phase 2 at 9.
    const cosAnneal = (a: number, b: number, pct: number) => b + ((a - b) / 2) * (Math.cos(Math.PI * pct) + 1);
    const want = Array.from({ length: 10 }, (_, t) => (t <= 2 ? cosAnneal(0.04, 1, t / 2) : cosAnneal(1, 0.04 / 1e4, (t - 2) / 7)));
    approx(got, want);
    // Momentum starts at maxMomentum and reaches baseMomentum at the lr peak.
    const o2 = opt();
    const s2 = new optim.OneCycleLR(o2, { maxLr: 1, totalSteps: 10 });
    const momentum = () => (o2.paramGroups[0] as { momentum: number }).momentum;
    assert.ok(Math.abs(momentum() - 0.95) < 1e-12);
    s2.step(); s2.step();
    assert.ok(Math.abs(momentum() - 0.85) < 1e-12);
  });
  test('ReduceLROnPlateau cuts after patience', () => {
    const o = opt();
    const s = new optim.ReduceLROnPlateau(o, { patience: 1, factor: 0.5 });
    for (const m of [1, 0.9, 0.95, 0.95, 0.95, 0.95]) s.step(m);
    assert.equal(o.paramGroups[0]!.lr, 0.25);
  });
  test('scheduler state round-trips', () => {
    const s = new optim.StepLR(opt(), 1, 0.5);
    s.step(); s.step();
    const o2 = opt();
    const s2 = new optim.StepLR(o2, 1, 0.5);
    s2.loadStateDict(s.stateDict());
    assert.equal(o2.paramGroups[0]!.lr, 0.25);
  });
});

describe('gradient clipping and early stopping', () => {
  test('clipGradNorm scales to maxNorm and returns the norm before', () => {
    const a = new Parameter(tg.tensor([3, 4], { dtype: 'float64' }));
    a.grad = tg.tensor([3, 4], { dtype: 'float64' });
    const norm = optim.clipGradNorm([a], 1);
    assert.ok(Math.abs(norm - 5) < 1e-12);
    assert.ok(Math.abs(a.grad.square().sum().sqrt().item() - 1) < 1e-5);
  });
  test('clipGradValue clamps', () => {
    const a = new Parameter(tg.tensor([0]));
    a.grad = tg.tensor([-3, 0.5, 2]);
    optim.clipGradValue([a], 1);
    assert.deepEqual(a.grad.toArray(), [-1, 0.5, 1]);
  });
  test('EarlyStopping stops after patience and restores the best weights', async () => {
    const { Linear } = await import('../../src/nn/layers/linear.js');
    const model = new Linear(2, 1);
    const stopper = new optim.EarlyStopping({ patience: 2, restoreBestWeights: true });
    const bestWeight = model.weight.clone();
    assert.equal(stopper.step(1.0, model), false);
    tg.noGrad(() => model.weight.fill_(9));
    assert.equal(stopper.step(1.1, model), false);
    assert.equal(stopper.step(1.2, model), false);
    assert.equal(stopper.step(1.3, model), true);
    assert.deepEqual(model.weight.toArray(), bestWeight.toArray());
    assert.equal(stopper.bestEpoch, 0);
  });
});
