import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tg from '../../src/index.js';
import { Module } from '../../src/nn/module.js';
import { Parameter } from '../../src/nn/parameter.js';
import { SGD } from '../../src/optim/sgd.js';
import { Adam } from '../../src/optim/adam.js';
import { StepLR, OneCycleLR, ReduceLROnPlateau } from '../../src/optim/lr-scheduler.js';
import { deserialize, deserializeCheckpoint, serialize, serializeCheckpoint } from '../../src/io/index.js';
import { Generator } from '../../src/tensor/random.js';

/** y = x W + b */
class Tiny extends Module {
  weight = new Parameter(tg.randn([3, 2]));
  bias = new Parameter(tg.randn([2]));
  forward(x: tg.Tensor): tg.Tensor {
    return x.matmul(this.weight).add(this.bias);
  }
}

function trained(adam = false) {
  tg.manualSeed(3);
  const model = new Tiny();
  const opt = adam ? new Adam(model.parameters(), { lr: 0.01 }) : new SGD(model.parameters(), { lr: 0.1, momentum: 0.9, weightDecay: 0.01 });
  const sched = new StepLR(opt, 2, 0.5);
  const loader = new Generator(5);
  for (let i = 0; i < 2; i++) {
    opt.zeroGrad();
    model.forward(tg.randn([4, 3])).square().mean().backward();
    opt.step();
    sched.step();
  }
  return { model, opt, sched, loader, bytes: serializeCheckpoint({ model, optimizer: opt, scheduler: sched, epoch: 2, step: 2, generators: { loader } }) };
}

/** Rewrites a checkpoint: `edit` gets the parsed state JSON (and the tensors) and changes them in place. */
function mutate(bytes: Uint8Array, edit: (state: any, tensors: Record<string, tg.Tensor>) => void, raw?: (json: string) => string): Uint8Array {
  const { tensors, metadata } = deserialize(bytes);
  const state = JSON.parse(metadata!['tensorgrad.state']!);
  edit(state, tensors);
  let json = JSON.stringify(state);
  if (raw) json = raw(json);
  return serialize(tensors, { ...metadata!, 'tensorgrad.state': json });
}

const snapshot = (m: Module) => Object.fromEntries(Object.entries(m.stateDict()).map(([k, t]) => [k, [...t.data()]]));

describe('checkpoint state validation', () => {
  const NAN = { __tensorgrad_float__: 'NaN' };
  const cases: [string, (s: any, t: Record<string, tg.Tensor>) => void, RegExp, ((j: string) => string)?][] = [
    ['NaN epoch', (s) => (s.epoch = NAN), /invalid checkpoint field 'epoch': must be a non-negative integer \(got NaN\)/],
    ['negative epoch', (s) => (s.epoch = -1), /'epoch': must be a non-negative integer \(got -1\)/],
    ['fractional step', (s) => (s.step = 1.5), /'step': must be a non-negative integer \(got 1.5\)/],
    ['NaN scheduler position', (s) => (s.scheduler.lastEpoch = NAN), /StepLR\.loadStateDict: lastEpoch must be a non-negative integer \(got NaN\)/],
    ['negative weight decay', (s) => (s.optimizer.paramGroups[0].weightDecay = -0.5), /SGD\.loadStateDict: group 0: SGD: invalid weightDecay -0\.5/],
    ['negative lr', (s) => (s.optimizer.paramGroups[0].lr = -1), /invalid learning rate -1/],
    ['lr as a string', (s) => (s.optimizer.paramGroups[0].lr = '0.1'), /group 0 lr must be a finite number \(got "0\.1"\)/],
    ['infinite momentum', (s) => (s.optimizer.paramGroups[0].momentum = { __tensorgrad_float__: 'Infinity' }), /group 0 momentum must be a finite number/],
    ['unknown hyperparameter', (s) => (s.optimizer.paramGroups[0].lrr = 1), /group 0 lrr is not a hyperparameter of SGD/],
    ['wrong-shaped momentum buffer', (_s, t) => (t['optimizer.state.0.momentumBuffer'] = tg.zeros([2, 3])), /momentumBuffer has shape \[2,3\] but the parameter has shape \[3,2\]/],
    ['NaN in a momentum buffer', (_s, t) => (t['optimizer.state.1.momentumBuffer'] = tg.tensor([0, NaN])), /momentumBuffer holds NaN at element 1/],
    ['state for a missing parameter', (_s, t) => (t['optimizer.state.7.momentumBuffer'] = tg.zeros([2])), /refers to parameter "7", which does not exist/],
    ['__proto__ in extra', (s) => (s.extra = { a: 1 }), /contains a '__proto__' key/, (j) => j.replace('"extra":{', '"extra":{"__proto__":{"polluted":1},')],
    ['__proto__ in a param group', () => {}, /contains a '__proto__' key/, (j) => j.replace('"paramGroups":[{', '"paramGroups":[{"__proto__":{"lr":5},')],
    ['all-zero RNG state', (s) => (s.rng.default.s = [0, 0, 0, 0]), /rng\.default: generator state s is all zeros/],
    ['non-numeric RNG state', (s) => (s.rng.generators.loader.s = ['a', 1, 2, 3]), /rng\.generators\.loader: generator state s must be 4 unsigned 32-bit integers/],
    ['RNG word out of range', (s) => (s.rng.default.s = [2 ** 32, 1, 2, 3]), /must be 4 unsigned 32-bit integers/],
    ['NaN spare normal', (s) => (s.rng.default.spareNormal = NAN), /spareNormal must be null or a finite number/],
    ['extra not an object', (s) => (s.extra = [1]), /'extra': must be an object/],
    ['deeply nested extra', (s) => (s.extra = { a: 1 }), /corrupt checkpoint state \(JSON nested 20002 levels deep; the limit is 64\)/, (j) => j.replace('"extra":{', `"extra":{"deep":${'['.repeat(20000)}${']'.repeat(20000)},`)],
  ];
  for (const [name, edit, message, raw] of cases) {
    test(`${name}: refused with a message naming the field, and nothing changes`, () => {
      const { bytes } = trained();
      const bad = mutate(bytes, edit, raw);
      const b = trained(); // fresh targets (identical to a, with their own state)
      b.loader.uniform(); // a loader state that differs from the checkpoint's
      tg.noGrad(() => b.model.weight.mul_(0.5)); // and weights that differ too
      const before = { w: snapshot(b.model), opt: JSON.stringify(b.opt.stateDict().paramGroups), last: b.sched.lastEpoch, rng: b.loader.getState() };
      assert.throws(() => deserializeCheckpoint(bad, { model: b.model, optimizer: b.opt, scheduler: b.sched, generators: { loader: b.loader } }),
        (e: Error) => e.name === 'TensorError' && /^deserializeCheckpoint: /.test(e.message) && message.test(e.message));
      assert.deepEqual(snapshot(b.model), before.w);
      assert.equal(JSON.stringify(b.opt.stateDict().paramGroups), before.opt);
      assert.equal(b.sched.lastEpoch, before.last);
      assert.deepEqual(b.loader.getState(), before.rng);
      assert.equal(({} as any).polluted, undefined);
      assert.equal(Object.getPrototypeOf(b.opt.paramGroups[0]), Object.prototype);
    });
  }

  test('a late failure (after weights and optimizer were loaded) rolls everything back', () => {
    const { bytes } = trained();
    const bad = mutate(bytes, (s) => (s.rng.default.s = [0, 0, 0, 0]));
    const b = trained();
    const w = snapshot(b.model);
    tg.noGrad(() => b.model.weight.mul_(0)); // make the live weights differ from the checkpoint's
    const w0 = snapshot(b.model);
    const momentum = [...(b.opt.stateDict().state[0]!.momentumBuffer as tg.Tensor).data()];
    tg.manualSeed(1234);
    const rng = tg.randn([3]).data();
    tg.manualSeed(1234);
    assert.throws(() => deserializeCheckpoint(bad, { model: b.model, optimizer: b.opt }), /all zeros/);
    assert.deepEqual(snapshot(b.model), w0);
    assert.notDeepEqual(snapshot(b.model), w);
    assert.deepEqual([...(b.opt.stateDict().state[0]!.momentumBuffer as tg.Tensor).data()], momentum);
    assert.deepEqual(tg.randn([3]).data(), rng);
  });

  test('Adam: negative second moments and a negative step are refused', () => {
    const { bytes } = trained(true);
    const b = trained(true);
    const neg = mutate(bytes, (_s, t) => (t['optimizer.state.0.expAvgSq'] = tg.full([3, 2], -1)));
    assert.throws(() => deserializeCheckpoint(neg, { model: b.model, optimizer: b.opt }), /expAvgSq holds -1 at element 0 \(a running average of squares cannot be negative\)/);
    const step = mutate(bytes, (s) => (s.optimizer.state['0'].step = -3));
    assert.throws(() => deserializeCheckpoint(step, { model: b.model, optimizer: b.opt }), /state of parameter 0: step must be a non-negative integer \(got -3\)/);
    const betas = mutate(bytes, (s) => (s.optimizer.paramGroups[0].betas = [0.9, 1.5]));
    assert.throws(() => deserializeCheckpoint(betas, { model: b.model, optimizer: b.opt }), /invalid betas/);
  });

  test('a valid checkpoint still round-trips exactly', () => {
    const a = trained();
    const b = trained();
    const info = deserializeCheckpoint(a.bytes, { model: b.model, optimizer: b.opt, scheduler: b.sched, generators: { loader: b.loader } });
    assert.equal(info.epoch, 2);
    assert.deepEqual(snapshot(b.model), snapshot(a.model));
  });
});

describe('scheduler and generator state validation', () => {
  const opt = () => new SGD([new Parameter(tg.zeros([2]))], { lr: 0.1, momentum: 0.9 });

  test('OneCycleLR: a position past totalSteps is refused and the schedule is unchanged', () => {
    const o = opt();
    const s = new OneCycleLR(o, { maxLr: 1, totalSteps: 10 });
    s.step();
    const lr = o.paramGroups[0]!.lr;
    assert.throws(() => s.loadStateDict({ lastEpoch: 11 }), /OneCycleLR\.loadStateDict: OneCycleLR: stepped 11 times but totalSteps is 10/);
    assert.equal(s.lastEpoch, 1);
    assert.equal(o.paramGroups[0]!.lr, lr);
  });

  test('ReduceLROnPlateau: every field is checked', () => {
    const o = opt();
    const s = new ReduceLROnPlateau(o);
    const good = s.stateDict();
    assert.throws(() => s.loadStateDict({ ...good, best: NaN }), /best must be a number \(got NaN\)/);
    assert.throws(() => s.loadStateDict({ ...good, badEpochs: -1 }), /badEpochs must be a non-negative integer \(got -1\)/);
    assert.throws(() => s.loadStateDict({ ...good, lrs: [0.1, 0.2] }), /lrs must be 1 finite non-negative numbers/);
    assert.throws(() => s.loadStateDict({ ...good, lrs: [-1] }), /lrs must be 1 finite/);
    s.loadStateDict({ ...good, best: -Infinity });
  });

  test('Generator.setState refuses the all-zero state (randn would loop forever) and non-integers', () => {
    const g = new Generator(1);
    const st = g.getState();
    assert.throws(() => g.setState({ s: [0, 0, 0, 0], spareNormal: null }), /^TensorError: Generator\.setState: generator state s is all zeros/);
    assert.throws(() => g.setState({ s: [1.5, 0, 0, 0], spareNormal: null }), /4 unsigned 32-bit integers/);
    assert.throws(() => g.setState({ s: [1, 2, 3, 4], spareNormal: Infinity }), /spareNormal/);
    assert.deepEqual(g.getState(), st);
  });
});

describe('checkpoint functions: wrong arguments', () => {
  test('the model itself instead of { model, ... }, a missing model, non-bytes', () => {
    const { model, opt, bytes } = trained();
    let deep: unknown = 1;
    for (let i = 0; i < 70; i++) deep = [deep];
    assert.throws(() => serializeCheckpoint({ model, epoch: 0, extra: { deep } }), /serializeCheckpoint: extra\/scheduler state nests 72 levels deep, more than the 64 a checkpoint can load back/);
    assert.throws(() => serializeCheckpoint(model as never), /^TensorError: serializeCheckpoint: got a model where an object is expected; pass \{ model, optimizer, epoch \}/);
    assert.throws(() => deserializeCheckpoint(bytes, model as never), /deserializeCheckpoint: got a model where an object is expected; pass \{ model, optimizer \}/);
    assert.throws(() => deserializeCheckpoint(bytes, { optimizer: opt } as never), /deserializeCheckpoint: model must be a Module \(got nothing\)/);
    assert.throws(() => deserializeCheckpoint(bytes, undefined as never), /deserializeCheckpoint: expected \{ model, optimizer\?, scheduler\?, generators\? \} \(got undefined\)/);
    assert.throws(() => deserializeCheckpoint(bytes, { model, generators: { loader: 3 } } as never), /generators\.loader is not a Generator/);
    assert.throws(() => deserializeCheckpoint('ckpt.safetensors' as never, { model }), /deserializeCheckpoint: expected the file's bytes as a Uint8Array or Buffer \(got string\)/);
  });
});
