import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tg from '../../src/index.js';
import { Module } from '../../src/nn/module.js';
import { Parameter } from '../../src/nn/parameter.js';
import { SGD } from '../../src/optim/sgd.js';
import { StepLR, ReduceLROnPlateau } from '../../src/optim/lr-scheduler.js';
import { deserializeCheckpoint, loadCheckpoint, loadWithMetadata, save, saveCheckpoint, serialize, serializeCheckpoint } from '../../src/io/index.js';

/** y = x W + b, with a running mean of the inputs as a buffer. */
class Tiny extends Module {
  weight = new Parameter(tg.randn([3, 2]));
  bias = new Parameter(tg.randn([2]));
  constructor() {
    super();
    this.registerBuffer('runningMean', tg.zeros([3]));
  }
  forward(x: tg.Tensor): tg.Tensor {
    if (this.training) tg.noGrad(() => this.getBuffer('runningMean')!.mul_(0.9).add_(x.mean(0), 0.1));
    return x.matmul(this.weight).add(this.bias);
  }
}

interface Run { model: Tiny; opt: SGD; sched: StepLR; loader: tg.Generator }

function setup(seed: number): Run {
  tg.manualSeed(seed);
  const model = new Tiny();
  const opt = new SGD(model.parameters(), { lr: 0.1, momentum: 0.9, weightDecay: 0.01 });
  return { model, opt, sched: new StepLR(opt, 2, 0.5), loader: new tg.Generator(seed + 1) };
}

/** One step: a batch drawn from the default RNG, shuffled with the loader's generator. */
function trainStep({ model, opt, sched, loader }: Run): void {
  const x = tg.randn([4, 3]);
  const perm = tg.randperm(4, { generator: loader });
  const loss = model.forward(x.indexSelect(0, perm)).square().mean();
  opt.zeroGrad();
  loss.backward();
  opt.step();
  sched.step();
}

const snapshot = (m: Module) => Object.fromEntries(Object.entries(m.stateDict()).map(([k, t]) => [k, [...t.data()]]));

describe('training checkpoints', () => {
  let dir = '';
  before(() => (dir = mkdtempSync(join(tmpdir(), 'tg-checkpoint-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

  test('resuming from a checkpoint equals the uninterrupted run (weights, momentum, lr, RNG streams)', () => {
    const path = join(dir, 'resume.safetensors');
    const a = setup(7);
    for (let i = 0; i < 3; i++) trainStep(a);
    saveCheckpoint(path, {
      model: a.model, optimizer: a.opt, scheduler: a.sched, epoch: 1, step: 3,
      generators: { loader: a.loader }, extra: { bestAcc: 0.75, config: { lr: 0.1, tags: ['tiny'] } },
    });
    assert.deepEqual(readdirSync(dir).filter((f) => f.includes('.tmp-')), []);
    for (let i = 0; i < 3; i++) trainStep(a);
    const expected = { params: snapshot(a.model), lr: a.opt.paramGroups[0]!.lr, next: [...tg.randn([5]).data()], loaderNext: a.loader.uniform() };

    const b = setup(123); // different weights, RNG and loader state until restored
    assert.notDeepEqual(snapshot(b.model), expected.params);
    const info = loadCheckpoint(path, { model: b.model, optimizer: b.opt, scheduler: b.sched, generators: { loader: b.loader } });
    assert.deepEqual(info, { epoch: 1, step: 3, extra: { bestAcc: 0.75, config: { lr: 0.1, tags: ['tiny'] } } });
    assert.equal(b.sched.lastEpoch, 3);
    for (let i = 0; i < 3; i++) trainStep(b);
    assert.deepEqual(snapshot(b.model), expected.params);
    assert.equal(b.opt.paramGroups[0]!.lr, expected.lr);
    assert.deepEqual([...tg.randn([5]).data()], expected.next);
    assert.equal(b.loader.uniform(), expected.loaderNext);
  });

  test('the file is plain safetensors: model.* and optimizer.state.* tensors plus metadata', () => {
    const path = join(dir, 'layout.safetensors');
    const r = setup(1);
    trainStep(r);
    saveCheckpoint(path, { model: r.model, optimizer: r.opt, epoch: 0 });
    const { tensors, metadata } = loadWithMetadata(path);
    assert.deepEqual(Object.keys(tensors), [
      'model.bias', 'model.runningMean', 'model.weight', 'optimizer.state.0.momentumBuffer', 'optimizer.state.1.momentumBuffer',
    ]);
    assert.equal(metadata!['tensorgrad.checkpoint'], '1');
    const state = JSON.parse(metadata!['tensorgrad.state']!);
    assert.equal(state.optimizer.paramGroups[0].momentum, 0.9);
    assert.equal(state.scheduler, null);
  });

  test('model alone; non-finite numbers and nested extra survive; tensors in extra are refused', () => {
    const path = join(dir, 'model-only.safetensors');
    const r = setup(2);
    const plateau = new ReduceLROnPlateau(r.opt); // its initial best is Infinity
    saveCheckpoint(path, { model: r.model, scheduler: plateau, epoch: 4, extra: { best: -Infinity, loss: NaN } });
    const fresh = setup(3);
    const plateau2 = new ReduceLROnPlateau(fresh.opt);
    const info = loadCheckpoint(path, { model: fresh.model, scheduler: plateau2 });
    assert.deepEqual(snapshot(fresh.model), snapshot(r.model));
    assert.equal(info.epoch, 4);
    assert.equal(info.step, 0);
    assert.equal(info.extra.best, -Infinity);
    assert.ok(Number.isNaN(info.extra.loss));
    assert.equal(plateau2.stateDict().best, Infinity);
    assert.throws(() => saveCheckpoint(path, { model: r.model, epoch: 0, extra: { w: tg.ones([1]) } }), /saveCheckpoint: .*'w' is a Tensor/);
    assert.throws(() => saveCheckpoint(path, { model: r.model, epoch: 1.5 }), /saveCheckpoint: .*epoch must be a non-negative integer \(got 1.5\)/);
  });

  test('a plain safetensors file is not a checkpoint', () => {
    const path = join(dir, 'weights.safetensors');
    save({ w: tg.ones([1]) }, path);
    assert.throws(() => loadCheckpoint(path, { model: setup(0).model }), { name: 'TensorError', message: new RegExp(`^loadCheckpoint: ${escape(path)} is not a tensorgrad checkpoint`) });
  });

  test('truncated or corrupt checkpoints fail clearly before changing the model', () => {
    const path = join(dir, 'good.safetensors');
    const r = setup(4);
    saveCheckpoint(path, { model: r.model, optimizer: r.opt, epoch: 2 });
    const bytes = readFileSync(path);
    const cut = join(dir, 'cut.safetensors');
    writeFileSync(cut, bytes.subarray(0, bytes.length - 10));
    const target = setup(5);
    const before = snapshot(target.model);
    assert.throws(() => loadCheckpoint(cut, { model: target.model }), new RegExp(`^TensorError: loadCheckpoint: ${escape(cut)}: .*truncated`));
    const garbage = join(dir, 'garbage.safetensors');
    writeFileSync(garbage, 'definitely not a checkpoint');
    assert.throws(() => loadCheckpoint(garbage, { model: target.model }), new RegExp(`loadCheckpoint: ${escape(garbage)}: header length \\d+ exceeds file size 27`));
    assert.throws(() => loadCheckpoint(path, { model: target.model, generators: { loader: target.loader } }),
      /the checkpoint has no state for generator 'loader' \(saved: none\)/);
    assert.deepEqual(snapshot(target.model), before);
  });

  test('model key mismatches surface loadStateDict\'s message, prefixed with the path', () => {
    class Other extends Module {
      weight = new Parameter(tg.zeros([3, 2]));
      forward(x: tg.Tensor) { return x; }
    }
    const path = join(dir, 'mismatch.safetensors');
    saveCheckpoint(path, { model: setup(6).model, epoch: 0 });
    assert.throws(() => loadCheckpoint(path, { model: new Other() }),
      new RegExp(`^TensorError: loadCheckpoint: ${escape(path)}: loadStateDict: .*unexpected keys: bias, runningMean`));
    const r = setup(6);
    assert.throws(() => loadCheckpoint(path, { model: r.model, optimizer: r.opt }), /the checkpoint has no optimizer state/);
  });

  test('serializeCheckpoint/deserializeCheckpoint: the same bytes as the file, restored the same way', () => {
    const path = join(dir, 'bytes.safetensors');
    const a = setup(8);
    for (let i = 0; i < 2; i++) trainStep(a);
    const contents = { model: a.model, optimizer: a.opt, scheduler: a.sched, epoch: 1, step: 2, generators: { loader: a.loader }, extra: { k: 1 } };
    saveCheckpoint(path, contents);
    const bytes = serializeCheckpoint(contents);
    assert.deepEqual(bytes, new Uint8Array(readFileSync(path)));
    trainStep(a);
    const b = setup(9);
    const info = deserializeCheckpoint(bytes, { model: b.model, optimizer: b.opt, scheduler: b.sched, generators: { loader: b.loader } });
    assert.deepEqual(info, { epoch: 1, step: 2, extra: { k: 1 } });
    trainStep(b);
    assert.deepEqual(snapshot(b.model), snapshot(a.model));
    assert.throws(() => deserializeCheckpoint(serialize({ w: tg.zeros([1]) }), { model: b.model }),
      /^TensorError: deserializeCheckpoint: the input is not a tensorgrad checkpoint .*use deserialize\(\)\)$/);
  });
});
