import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tg from '../../src/index.js';

const { nn, F } = tg;

describe('layers equal their functional forms', () => {
  test('Linear and Conv2d', () => {
    const x = tg.randn([2, 3, 7, 7]);
    const conv = new nn.Conv2d(3, 5, 3, { stride: 2, padding: 1, groups: 1 });
    assert.deepEqual(conv.forward(x).toArray(), F.conv2d(x, conv.weight, conv.bias, { stride: 2, padding: 1 }).toArray());
    const lin = new nn.Linear(7, 4);
    assert.deepEqual(lin.forward(x).shape, [2, 3, 7, 4]);
  });
  test('Conv paddingMode pads with the mode then convolves', () => {
    for (const mode of ['reflect', 'replicate', 'circular'] as const) {
      const conv = new nn.Conv2d(2, 3, 3, { padding: 1, paddingMode: mode });
      const x = tg.randn([1, 2, 5, 6]);
      const want = F.conv2d(F.pad(x, [1, 1, 1, 1], { mode }), conv.weight, conv.bias);
      assert.ok(conv.forward(x).allclose(want), mode);
      assert.deepEqual(conv.forward(x).shape, [1, 3, 5, 6]);
    }
    const same = new nn.Conv1d(1, 1, 4, { padding: 'same', paddingMode: 'reflect' });
    assert.deepEqual(same.forward(tg.randn([1, 1, 9])).shape, [1, 1, 9]);
  });
  test('ConvTranspose2d doubles the size with stride 2', () => {
    const up = new nn.ConvTranspose2d(4, 2, 4, { stride: 2, padding: 1 });
    assert.deepEqual(up.weight.shape, [4, 2, 4, 4]);
    assert.deepEqual(up.forward(tg.randn([1, 4, 5, 5])).shape, [1, 2, 10, 10]);
  });
  test('pooling, dropout and activation layers', () => {
    const x = tg.randn([2, 3, 8, 8]);
    assert.deepEqual(new nn.MaxPool2d(2).forward(x).shape, [2, 3, 4, 4]);
    assert.deepEqual(new nn.AvgPool2d(3, { stride: 2, padding: 1 }).forward(x).shape, [2, 3, 4, 4]);
    assert.deepEqual(new nn.AdaptiveAvgPool2d(1).forward(x).shape, [2, 3, 1, 1]);
    assert.deepEqual(new nn.LPPool2d(2, 2).forward(x).shape, [2, 3, 4, 4]);
    const drop = new nn.Dropout(0.5).eval();
    assert.equal(drop.forward(x), x);
    assert.throws(() => new nn.Dropout(1.5), /Dropout: p must be in \[0, 1\] \(got 1.5\)/);
    assert.ok(new nn.LeakyReLU(0.2).forward(tg.tensor([-1])).allclose(tg.tensor([-0.2])));
    assert.deepEqual(new nn.Flatten().forward(x).shape, [2, 192]);
  });
  test('loss modules carry options', () => {
    const logits = tg.tensor([[1, 2, 3]]);
    const target = tg.tensor([2], { dtype: 'int32' });
    assert.ok(Math.abs(new nn.CrossEntropyLoss().forward(logits, target).item() - 0.40760596) < 1e-6);
    assert.ok(Math.abs(new nn.CrossEntropyLoss({ labelSmoothing: 0.1 }).forward(logits, target).item() - 0.50760596) < 1e-6);
    assert.equal(new nn.MSELoss({ reduction: 'sum' }).forward(tg.ones([2]), tg.zeros([2])).item(), 2);
  });
});

describe('BatchNorm layers', () => {
  test('running statistics: momentum update in training, used in eval', () => {
    const bn = new nn.BatchNorm1d(2, { momentum: 0.5 });
    const x = tg.tensor([[1, 10], [3, 30]]);
    bn.forward(x);
    // batch mean [2, 20], unbiased var [2, 200]; running = 0.5 * old + 0.5 * batch
    assert.deepEqual(bn.runningMean!.toArray(), [1, 10]);
    assert.deepEqual(bn.runningVar!.toArray(), [1.5, 100.5]);
    assert.equal(bn.getBuffer('num_batches_tracked')!.item(), 1);
    bn.eval();
    const y = bn.forward(tg.tensor([[1, 10]]));
    assert.ok(y.allclose(tg.tensor([[0, 0]]), 1e-4, 1e-4));
  });
  test('momentum null averages cumulatively', () => {
    const bn = new nn.BatchNorm1d(1, { momentum: null });
    bn.forward(tg.tensor([[0], [2]]));
    bn.forward(tg.tensor([[4], [6]]));
    assert.deepEqual(bn.runningMean!.toArray(), [3]);
  });
  test('trackRunningStats false always normalises with batch stats; affine false has no parameters', () => {
    const bn = new nn.BatchNorm2d(3, { trackRunningStats: false, affine: false }).eval();
    assert.equal(bn.parameters().length, 0);
    assert.deepEqual(Object.keys(bn.stateDict()), []);
    const y = bn.forward(tg.randn([4, 3, 2, 2]).mul(5).add(3));
    assert.ok(Math.abs(y.mean().item()) < 1e-5);
  });
  test('errors name the layer', () => {
    assert.throws(() => new nn.BatchNorm2d(3).forward(tg.randn([2, 4, 2, 2])), /BatchNorm2d: input has 4 channels but the layer has numFeatures 3/);
    assert.throws(() => new nn.BatchNorm2d(3).forward(tg.randn([2, 3])), /BatchNorm2d: expected 4-D input \(got shape \[2,3\]\)/);
  });
});

describe('initialisation', () => {
  test('default layer init follows PyTorch bounds', () => {
    tg.manualSeed(0);
    const lin = new nn.Linear(400, 300);
    const bound = 1 / Math.sqrt(400);
    assert.ok(lin.weight.abs().max().item() <= bound);
    assert.ok(lin.weight.abs().max().item() > 0.95 * bound);
    assert.ok(lin.bias!.abs().max().item() <= bound);
    const conv = new nn.Conv2d(6, 16, 5);
    assert.ok(conv.weight.abs().max().item() <= 1 / Math.sqrt(150));
  });
  test('xavier and kaiming have the documented spread', () => {
    tg.manualSeed(1);
    const w = tg.zeros([200, 300]);
    nn.init.xavierUniform_(w);
    assert.ok(Math.abs(w.std().item() - Math.sqrt(2 / 500)) < 0.002);
    nn.init.xavierNormal_(w, 2);
    assert.ok(Math.abs(w.std().item() - 2 * Math.sqrt(2 / 500)) < 0.004);
    nn.init.kaimingNormal_(w, { nonlinearity: 'relu' });
    assert.ok(Math.abs(w.std().item() - Math.sqrt(2 / 300)) < 0.003);
    nn.init.kaimingUniform_(w, { mode: 'fanOut', nonlinearity: 'relu' });
    assert.ok(Math.abs(w.std().item() - Math.sqrt(2 / 200)) < 0.003);
    assert.ok(Math.abs(nn.init.calculateGain('tanh') - 5 / 3) < 1e-12);
    assert.throws(() => nn.init.xavierUniform_(tg.zeros([3])), /init: fan in and fan out need a tensor with at least 2 dims/);
  });
  test('init works on parameters (under the hood it uses noGrad)', () => {
    const lin = new nn.Linear(2, 2);
    nn.init.constant_(lin.weight, 0.5);
    nn.init.zeros_(lin.bias!);
    assert.deepEqual(lin.forward(tg.ones([1, 2])).toArray(), [[1, 1]]);
  });
});
