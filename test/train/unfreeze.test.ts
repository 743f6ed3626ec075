// Fine-tuning in the library: Module.freeze/unfreeze/freezeUntil, the
// classifier head replacement, per-group learning rates (paramGroupsFor) and
// GradualUnfreezing driven by train.fit's onEpochStart.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tg from '../../src/index.js';
import { fit } from '../../src/train/fit.js';
import { GradualUnfreezing, frozenBlocks } from '../../src/train/unfreeze.js';
import { paramGroupsFor } from '../../src/train/unfreeze-groups.js';
import { findHead, replaceHead } from '../../src/train/unfreeze-head.js';

const { nn } = tg;
const snapshot = (m: tg.nn.Module) => Object.fromEntries(Object.entries(m.stateDict()).map(([k, t]) => [k, Array.from(t.data())]));
const trainableNames = (m: tg.nn.Module) => m.namedParameters().filter(([, p]) => p.requiresGrad).map(([n]) => n);

/** A 3-layer MLP on 40 random samples of 3 classes, in batches of 10. */
function tiny() {
  tg.manualSeed(0);
  const model = new nn.Sequential(new nn.Linear(4, 8), new nn.ReLU(), new nn.Linear(8, 8), new nn.ReLU(), new nn.Linear(8, 3));
  const x = tg.randn([40, 4]);
  const y = tg.tensor([...Array(40).keys()].map((i) => i % 3), { dtype: 'int32' });
  const train = new tg.data.DataLoader(new tg.data.TensorDataset(x, y), { batchSize: 10 });
  return { model, x, y, train };
}

test('freeze and unfreeze by module path; none means every parameter; the module is returned', () => {
  const model = tg.models.lenet5();
  assert.equal(model.freeze('features'), model);
  assert.deepEqual(trainableNames(model), ['classifier.1.weight', 'classifier.1.bias', 'classifier.3.weight', 'classifier.3.bias', 'classifier.5.weight', 'classifier.5.bias']);
  model.unfreeze('features.3');
  assert.deepEqual(trainableNames(model).slice(0, 2), ['features.3.weight', 'features.3.bias']);
  model.freeze();
  assert.equal(model.numParameters(true), 0);
  model.unfreeze();
  assert.equal(model.numParameters(true), model.numParameters());
  model.freeze(['features.0', 'classifier.5']);
  assert.equal(model.numParameters() - model.numParameters(true), 6 * 25 + 6 + 84 * 10 + 10);
});

test('an unknown path is a TensorError naming it and listing the module paths, and changes nothing', () => {
  const model = tg.models.lenet5();
  assert.throws(() => model.freeze(['features.0', 'features.9']), (e: Error) => {
    assert.ok(e instanceof tg.TensorError);
    assert.match(e.message, /^freeze: LeNet5 has no module 'features\.9' \(module paths: features, features\.0, features\.1, .*classifier\.5\)$/);
    return true;
  });
  assert.equal(model.numParameters(true), model.numParameters(), 'nothing frozen');
  assert.throws(() => model.unfreeze('fc'), /unfreeze: LeNet5 has no module 'fc'/);
  assert.throws(() => model.freezeUntil('features.7'), /freezeUntil: LeNet5 has no module 'features\.7'/);
  assert.throws(() => model.freeze(3 as unknown as string), /freeze: paths must be a module path or an array of them \(got 3\)/);
  assert.throws(() => model.freeze([3 as unknown as string]), /freeze: a module path must be a string/);
});

test('freezeUntil freezes everything registered up to and including the path, and its subtree', () => {
  const model = tg.models.lenet5();
  model.freezeUntil('features.3');
  assert.deepEqual(frozenBlocks(model), ['features.0', 'features.3']);
  assert.deepEqual(trainableNames(model)[0], 'classifier.1.weight');
  model.unfreeze().freezeUntil('features.4'); // a ReLU: the same as features.3
  assert.deepEqual(frozenBlocks(model), ['features.0', 'features.3']);
  model.unfreeze().freezeUntil('features');
  assert.deepEqual(frozenBlocks(model), ['features.0', 'features.3']);
  model.unfreeze().freezeUntil('classifier.1');
  assert.deepEqual(frozenBlocks(model), ['features.0', 'features.3', 'classifier.1']);
});

test('frozen parameters get no gradient and an optimizer with momentum and weight decay leaves them unchanged', () => {
  const { model, x, y } = tiny();
  // A gradient left from before freezing must not be applied either.
  tg.F.crossEntropy(model.forward(x), y).backward();
  model.freeze('0');
  assert.equal(model.at(0).parameters()[0]!.grad, null, 'freeze clears a stale gradient');
  const before = snapshot(model);
  const optimizers = [
    () => new tg.optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9, weightDecay: 0.1 }),
    () => new tg.optim.AdamW(model.parameters(), { lr: 0.1, weightDecay: 0.1 }),
  ];
  for (const make of optimizers) {
    const opt = make();
    for (let i = 0; i < 3; i++) {
      opt.zeroGrad();
      tg.F.crossEntropy(model.forward(x), y).backward();
      for (const p of model.at(0).parameters()) assert.equal(p.grad, null);
      opt.step();
    }
  }
  const after = snapshot(model);
  assert.deepEqual(after['0.weight'], before['0.weight']);
  assert.deepEqual(after['0.bias'], before['0.bias']);
  assert.notDeepEqual(after['2.weight'], before['2.weight'], 'the trainable layers moved');
});

test('freezing does not switch batch norm to eval (PyTorch convention): running statistics still update in train mode', () => {
  tg.manualSeed(1);
  const model = new nn.Sequential(new nn.Conv2d(1, 2, 3), new nn.BatchNorm2d(2), new nn.Flatten(), new nn.Linear(2 * 4 * 4, 2));
  model.freeze('1');
  const bn = model.at(1);
  const mean0 = Array.from(bn.getBuffer('running_mean')!.data());
  model.forward(tg.randn([4, 1, 6, 6]).add(3));
  assert.notDeepEqual(Array.from(bn.getBuffer('running_mean')!.data()), mean0, 'train mode: statistics move');
  bn.eval();
  const mean1 = Array.from(bn.getBuffer('running_mean')!.data());
  model.forward(tg.randn([4, 1, 6, 6]).add(3));
  assert.deepEqual(Array.from(bn.getBuffer('running_mean')!.data()), mean1, 'eval(): statistics fixed too');
});

test('replaceHead swaps the last Linear layer for a seeded new one; findHead errs without a Linear layer', () => {
  const a = tg.models.lenet5();
  a.freeze();
  tg.manualSeed(7);
  const head = replaceHead(a, 5);
  assert.equal(head.path, 'classifier.5');
  assert.equal(head.layer.outFeatures, 5);
  assert.equal(findHead(a).layer, head.layer);
  assert.ok(head.layer.parameters().every((p) => p.requiresGrad), 'the new head is trainable');
  assert.deepEqual(a.forward(tg.randn([2, 1, 28, 28])).shape, [2, 5]);
  const b = tg.models.lenet5();
  tg.manualSeed(7);
  assert.deepEqual(Array.from(replaceHead(b, 5).layer.weight.data()), Array.from(head.layer.weight.data()), 'same seed, same head');
  assert.equal(findHead(new tg.models.CifarResNet(20, { numClasses: 3 })).path, 'fc');
  assert.throws(() => findHead(tg.models.nin()), /findHead: NiN has no Linear layer/);
});

test('paramGroupsFor: the head learns at headLr, the body at bodyLr (plain SGD: delta = lr * grad)', () => {
  const { model, x, y } = tiny();
  const groups = paramGroupsFor(model, { head: ['4'], headLr: 0.5, bodyLr: 0.05 });
  assert.deepEqual(groups.map((g) => [g.params.length, g.lr]), [[2, 0.5], [4, 0.05]]);
  const opt = new tg.optim.SGD(groups, { lr: 1 });
  tg.F.crossEntropy(model.forward(x), y).backward();
  const expected = model.namedParameters().map(([n, p]) => {
    const lr = n.startsWith('4.') ? 0.5 : 0.05;
    const g = p.grad!.data();
    return Array.from(p.data(), (v, i) => v - lr * g[i]!);
  });
  opt.step();
  model.parameters().forEach((p, i) => {
    const got = p.data();
    expected[i]!.forEach((v, j) => assert.ok(Math.abs(got[j]! - v) < 1e-6));
  });
  assert.throws(() => paramGroupsFor(model, { head: ['9'], headLr: 1, bodyLr: 0 }), /paramGroupsFor: Sequential has no module "9"/);
  assert.throws(() => paramGroupsFor(model, { head: ['4'], headLr: -1, bodyLr: 0 }), /headLr must be a finite number >= 0/);
});

test('GradualUnfreezing with fit: one more block per epoch from the top, frozen blocks unchanged while frozen', async () => {
  const { model, train } = tiny();
  model.freezeUntil('2');
  const unfreezing = new GradualUnfreezing(model);
  assert.deepEqual(unfreezing.blocks, ['0', '2']);
  assert.equal(unfreezing.lastUnfreezeEpoch, 3);
  const optimizer = new tg.optim.SGD(paramGroupsFor(model, { head: ['4'], headLr: 0.1, bodyLr: 0.1 }), { lr: 0.1, momentum: 0.9, weightDecay: 0.01 });
  const log: string[][] = [];
  const trainable: string[][] = [];
  const weights: Record<string, number[]>[] = [snapshot(model)];
  await fit({
    model, optimizer, train, numClasses: 3, epochs: 4,
    onEpochStart: (e) => void log.push(unfreezing.onEpochStart(e)),
    onBatch: (b) => void (b.batch === 1 && trainable.push(model.namedParameters().filter(([, p]) => p.grad !== null).map(([n]) => n.split('.')[0]!))),
    onEpoch: () => void weights.push(snapshot(model)),
  });
  assert.deepEqual(log, [[], ['2'], ['0'], []]);
  assert.deepEqual(trainable.map((t) => [...new Set(t)]), [['4'], ['2', '4'], ['0', '2', '4'], ['0', '2', '4']]);
  assert.deepEqual(weights[1]!['0.weight'], weights[0]!['0.weight'], 'epoch 1: block 0 frozen');
  assert.deepEqual(weights[2]!['0.weight'], weights[0]!['0.weight'], 'epoch 2: block 0 still frozen');
  assert.deepEqual(weights[1]!['2.weight'], weights[0]!['2.weight'], 'epoch 1: block 2 frozen');
  assert.notDeepEqual(weights[2]!['2.weight'], weights[1]!['2.weight'], 'epoch 2: block 2 trains');
  assert.notDeepEqual(weights[3]!['0.weight'], weights[2]!['0.weight'], 'epoch 3: block 0 trains');
});

test('GradualUnfreezing timing: start, every, perStep; the state is a function of the epoch (resuming)', () => {
  // Eight frozen layers, then a head.
  const model = new nn.Sequential(new nn.Sequential(...Array.from({ length: 8 }, () => new nn.Linear(2, 2))), new nn.Linear(2, 3));
  model.freeze('0');
  const u = new GradualUnfreezing(model, { start: 3, every: 2, perStep: 3 });
  assert.equal(u.blocks.length, 8);
  assert.deepEqual([1, 2, 3, 4, 5, 6, 7, 8, 9].map((e) => u.unfrozenAt(e)), [0, 0, 3, 3, 6, 6, 8, 8, 8]);
  assert.equal(u.lastUnfreezeEpoch, 7);
  assert.deepEqual(u.onEpochStart(5), ['0.7', '0.6', '0.5', '0.4', '0.3', '0.2']);
  assert.deepEqual(frozenBlocks(model), ['0.0', '0.1']);
  u.onEpochStart(1);
  assert.equal(frozenBlocks(model).length, 8, 'back to epoch 1: all frozen again');
  assert.throws(() => new GradualUnfreezing(model, { blocks: ['0.99'] }), /GradualUnfreezing: Sequential has no module "0\.99"/);
  assert.throws(() => new GradualUnfreezing(model, { every: 0 }), /every must be an integer >= 1/);
});

test('Sequential.set replaces a layer in place', () => {
  const seq = new nn.Sequential(new nn.Linear(2, 2), new nn.ReLU());
  const l = new nn.Linear(2, 3);
  seq.set(-2, l);
  assert.equal(seq.at(0), l);
  assert.throws(() => seq.set(5, l), /index 5 is out of range/);
});
