/**
 * tg.onnx.loadModel on models written by PyTorch's exporter (fixtures made by
 * scripts/make-onnx-fixtures.py, torch 1.13, opset 17, dynamic batch): outputs
 * within 1e-5 of PyTorch's at two batch sizes, initializer names as stateDict
 * keys, backward through every op, and fine-tuning (Adam) that lowers the loss.
 */
import '../../src/index.js';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tg from '../../src/index.js';
import { loadModel, OnnxModule } from '../../src/onnx/import.js';

const DIR = join(import.meta.dirname, '../fixtures/onnx');
const MODELS = ['lenet', 'resnet-tiny', 'mlp', 'reshape-net'] as const;

interface Case { input: { shape: number[]; data: number[] }; output: { shape: number[]; data: number[] } }
const cases = (name: string): Case[] => JSON.parse(readFileSync(join(DIR, `${name}.json`), 'utf8')).cases;
const tensorOf = (c: { shape: number[]; data: number[] }) => tg.tensor(Float32Array.from(c.data), { shape: c.shape });

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

describe('onnx.loadModel: PyTorch-exported fixtures', () => {
  for (const name of MODELS) {
    test(`${name}: outputs within 1e-5 of PyTorch at batch sizes 2 and 5`, () => {
      const model = loadModel(join(DIR, `${name}.onnx`));
      assert.ok(model instanceof OnnxModule);
      assert.equal(model.training, false, 'loaded in eval mode');
      const cs = cases(name);
      assert.deepEqual(cs.map((c) => c.input.shape[0]), [2, 5]);
      for (const c of cs) {
        const y = model.forward(tensorOf(c.input)) as tg.Tensor;
        assert.deepEqual(y.shape, c.output.shape);
        const err = maxAbsDiff(y.data(), c.output.data);
        assert.ok(err <= 1e-5, `${name} batch ${c.input.shape[0]}: max abs error ${err}`);
      }
    });

    test(`${name}: backward reaches every parameter`, () => {
      const model = loadModel(readFileSync(join(DIR, `${name}.onnx`))).train();
      const c = cases(name)[0]!;
      const y = model.forward(tensorOf(c.input)) as tg.Tensor;
      y.square().mean().backward();
      for (const [key, p] of model.namedParameters()) {
        assert.ok(p.grad, `${name}: ${key} has a gradient`);
        assert.ok(Array.from(p.grad.data()).every(Number.isFinite), `${name}: ${key} gradient is finite`);
      }
    });
  }

  test('stateDict keys are the ONNX initializer names; running statistics are buffers', () => {
    const model = loadModel(join(DIR, 'resnet-tiny.onnx'));
    const keys = Object.keys(model.stateDict());
    for (const k of ['stem.0.weight', 'stem.1.weight', 'stem.1.running_mean', 'layer2.down.1.running_var', 'fc.bias']) assert.ok(keys.includes(k), k);
    const params = model.namedParameters().map(([k]) => k);
    assert.ok(!params.some((k) => k.includes('running')), 'running statistics are not parameters');
    assert.ok(model.namedBuffers().some(([k]) => k === 'layer1.bn1.running_mean'));
    assert.ok(model.namedModules().some(([k]) => k === 'layer2.down'), 'dotted names become child modules');
    assert.equal(model.onnxNames.get('fc.weight'), 'fc.weight');
    // The state dict loads back strictly (what a run folder does).
    const again = loadModel(join(DIR, 'resnet-tiny.onnx'));
    again.loadStateDict(model.stateDict(), { strict: true });
  });

  test('names that cannot be module paths are kept at the top level and listed in onnxNames', () => {
    const model = loadModel(join(DIR, 'reshape-net.onnx'));
    const key = [...model.onnxNames].find(([n]) => n.startsWith('onnx::PRelu'))![1];
    assert.ok(key in model.stateDict());
    assert.equal(model.onnxNames.get('conv.weight'), 'conv.weight');
  });

  for (const [name, lossOf] of [
    ['lenet', (y: tg.Tensor, t: tg.Tensor) => tg.F.nllLoss(y, t)],
    ['resnet-tiny', (y: tg.Tensor, t: tg.Tensor) => tg.F.crossEntropy(y, t)],
  ] as const) {
    test(`${name}: fine-tuning with Adam lowers the loss on a tiny batch (train-mode batch norm)`, () => {
      tg.manualSeed(7);
      const model = loadModel(join(DIR, `${name}.onnx`)).train();
      const shape = cases(name)[0]!.input.shape.slice(1);
      const classes = (model.forward(tg.randn([1, ...shape])) as tg.Tensor).shape[1]!;
      const x = tg.randn([8, ...shape]);
      const t = tg.tensor(Int32Array.from({ length: 8 }, (_, i) => i % classes), { shape: [8] });
      const opt = new tg.optim.Adam(model.parameters(), { lr: 0.01 });
      const losses: number[] = [];
      for (let step = 0; step < 12; step++) {
        opt.zeroGrad();
        const loss = lossOf(model.forward(x) as tg.Tensor, t);
        loss.backward();
        opt.step();
        losses.push(loss.item());
      }
      assert.ok(losses.at(-1)! < losses[0]! * 0.8, `loss ${losses.map((l) => l.toFixed(3)).join(' -> ')}`);
      if (name === 'resnet-tiny') {
        const before = loadModel(join(DIR, `${name}.onnx`)).stateDict()['stem.1.running_mean']!;
        assert.ok(maxAbsDiff(before.data(), model.stateDict()['stem.1.running_mean']!.data()) > 0, 'train mode updates running statistics');
      }
    });
  }

  test('input shape is checked against the graph (symbolic batch dim accepts any size)', () => {
    const model = loadModel(join(DIR, 'lenet.onnx'));
    assert.deepEqual(model.inputShapes, [[null, 1, 12, 12]]);
    assert.throws(() => model.forward(tg.randn([2, 3, 12, 12])), (e: Error) => e instanceof tg.TensorError && /input 'input' must have shape \[\?, 1, 12, 12\] \(got \[2,3,12,12\]\)/.test(e.message));
    assert.throws(() => model.forward(), /takes 1 input\(s\) \(input\), got 0/);
  });
});
