import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tg from '../../src/index.js';
import { withBackend } from '../helpers/check-op.js';
import type { Tensor } from '../../src/index.js';

const { nn } = tg;

class Block extends nn.Module {
  conv = new nn.Conv2d(3, 4, 3, { padding: 1 });
  bn = new nn.BatchNorm2d(4);
  forward(x: Tensor): Tensor { return tg.relu(this.bn.forward(this.conv.forward(x))); }
}

class Net extends nn.Module {
  features = new nn.Sequential(new Block(), new nn.MaxPool2d(2));
  classifier = new nn.Linear(4 * 4 * 4, 10);
  _cache: Tensor | null = null; // underscore: not a child or parameter
  forward(x: Tensor): Tensor { return this.classifier.forward(this.features.forward(x).flatten(1)); }
}

describe('Module registration and state dicts', () => {
  test('stateDict keys follow PyTorch naming', () => {
    const keys = Object.keys(new Net().stateDict());
    assert.deepEqual(keys, [
      'features.0.conv.weight', 'features.0.conv.bias',
      'features.0.bn.weight', 'features.0.bn.bias', 'features.0.bn.running_mean', 'features.0.bn.running_var', 'features.0.bn.num_batches_tracked',
      'classifier.weight', 'classifier.bias',
    ]);
  });
  test('parameters, namedModules, children, numParameters', () => {
    const net = new Net();
    assert.equal(net.parameters().length, 6);
    assert.deepEqual(net.namedModules().map(([n]) => n), ['', 'features', 'features.0', 'features.0.conv', 'features.0.bn', 'features.1', 'classifier']);
    assert.equal(net.children().length, 2);
    assert.equal(net.numParameters(), 4 * 3 * 9 + 4 + 4 + 4 + 640 + 10);
  });
  test('round trip through stateDict/loadStateDict reproduces outputs', () => {
    const a = new Net().eval();
    const b = new Net().eval();
    const x = tg.randn([2, 3, 8, 8]);
    assert.notDeepEqual(a.forward(x).toArray(), b.forward(x).toArray());
    b.loadStateDict(a.stateDict());
    assert.deepEqual(a.forward(x).toArray(), b.forward(x).toArray());
  });
  test('getSubmodule finds a module by its dotted path, and names the paths when it does not', () => {
    const m = tg.models.lenet5();
    assert.equal(m.getSubmodule('features.0'), m.namedModules().find(([n]) => n === 'features.0')![1]);
    assert.equal(m.getSubmodule(''), m);
    assert.throws(() => m.getSubmodule('features.9'), /getSubmodule: LeNet5 has no module 'features.9' \(module paths: features, features.0,/);
  });
  test('loadStateDict takes weights from another backend (copy_ copies across backends, as across devices in PyTorch)', () => {
    const a = new Net().eval();
    const b = withBackend('reference', () => new Net().eval());
    b.loadStateDict(a.stateDict());
    assert.equal(b.parameters()[0]!.backend.name, 'reference', 'the weights stay on the model\'s backend');
    const x = tg.randn([2, 3, 8, 8]);
    const ya = a.forward(x).toArray() as number[][];
    const yb = withBackend('reference', () => b.forward(tg.toBackend(x, 'reference')).toArray()) as number[][];
    ya.flat().forEach((v, i) => assert.ok(Math.abs(v - yb.flat()[i]!) < 1e-5, `output ${i}: ${v} vs ${yb.flat()[i]}`));
    const t = withBackend('reference', () => tg.zeros([2, 2]));
    t.copy_(tg.tensor([1, 2]));
    assert.deepEqual(t.toArray(), [[1, 2], [1, 2]]);
  });
  test('strict loading reports missing and unexpected keys; shape mismatches always fail', () => {
    const net = new Net();
    const sd = net.stateDict();
    const { ['classifier.bias']: _drop, ...missing } = sd;
    assert.throws(() => net.loadStateDict(missing), /loadStateDict: error\(s\) loading state dict into Net: missing keys: classifier.bias/);
    assert.throws(() => net.loadStateDict({ ...sd, extra: tg.zeros([1]) }), /unexpected keys: extra/);
    const r = net.loadStateDict({ ...missing, extra: tg.zeros([1]) }, { strict: false });
    assert.deepEqual(r, { missingKeys: ['classifier.bias'], unexpectedKeys: ['extra'] });
    assert.throws(() => net.loadStateDict({ ...sd, 'classifier.weight': tg.zeros([10, 3]) }, { strict: false }),
      /size mismatch for classifier.weight: checkpoint has shape \[10,3\], model has \[10,64\]/);
  });
  test('train/eval flags propagate; requiresGrad_(false) freezes', () => {
    const net = new Net().eval();
    assert.ok(net.modules().every((m) => !m.training));
    net.train();
    assert.ok(net.modules().every((m) => m.training));
    net.features.requiresGrad_(false);
    assert.equal(net.numParameters(true), 650);
  });
  test('apply visits every module; forward hooks run and can be removed', () => {
    const net = new Net();
    const seen: string[] = [];
    net.apply((m) => seen.push(m.constructor.name));
    assert.deepEqual(seen, ['Conv2d', 'BatchNorm2d', 'Block', 'MaxPool2d', 'Sequential', 'Linear', 'Net']);
    const shapes: number[][] = [];
    const h = net.classifier.registerForwardHook((_m, _in, out) => void shapes.push([...(out as Tensor).shape]));
    net.forward(tg.randn([2, 3, 8, 8]));
    h.remove();
    net.forward(tg.randn([2, 3, 8, 8]));
    assert.deepEqual(shapes, [[2, 10]]);
  });
  test('a hook may replace the output', () => {
    const lin = new nn.Linear(2, 2);
    lin.registerForwardHook(() => tg.zeros([1]));
    assert.deepEqual(lin.forward(tg.ones([1, 2])).toArray(), [0]);
  });
  test('toString is a readable tree', () => {
    const s = new Net().toString();
    assert.match(s, /^Net\(\n {2}\(features\): Sequential\(\n {4}\(0\): Block\(\n {6}\(conv\): Conv2d\(3, 4, kernelSize=\[3,3\]/);
    assert.match(s, /\(classifier\): Linear\(inFeatures=64, outFeatures=10, bias=true\)/);
  });
  test('gradients reach every parameter', () => {
    const net = new Net();
    tg.F.crossEntropy(net.forward(tg.randn([2, 3, 8, 8])), tg.tensor([1, 2], { dtype: 'int32' })).backward();
    for (const [name, p] of net.namedParameters()) assert.ok(p.grad, `${name} has no grad`);
    net.zeroGrad();
    assert.ok(net.parameters().every((p) => p.grad === null));
  });
});

describe('containers', () => {
  test('Sequential indexing and ModuleList/ModuleDict children', () => {
    const seq = new nn.Sequential(new nn.Linear(2, 3), new nn.ReLU());
    assert.equal(seq.length, 2);
    assert.ok(seq.at(-1) instanceof nn.ReLU);
    const list = new nn.ModuleList([new nn.Linear(1, 1), new nn.Linear(1, 1)]);
    assert.deepEqual(Object.keys(list.stateDict()), ['0.weight', '0.bias', '1.weight', '1.bias']);
    const dict = new nn.ModuleDict({ enc: new nn.Linear(1, 1) });
    assert.deepEqual(Object.keys(dict.stateDict()), ['enc.weight', 'enc.bias']);
    assert.throws(() => dict.get('dec'), /ModuleDict: no module named 'dec'/);
  });
  test('Sequential fuses Conv + ReLU: same outputs and gradients; hooks see the unfused values', () => {
    for (const backend of ['reference', 'wasm']) {
      withBackend(backend, () => {
        tg.manualSeed(3);
        const conv = new nn.Conv2d(3, 5, 3, { padding: 1 }), relu = new nn.ReLU();
        const fused = new nn.Sequential(conv, relu, new nn.Flatten());
        const x = tg.randn([2, 3, 6, 7]);
        const g = tg.randn([2, 5 * 6 * 7]);
        const y1 = fused.forward(x);
        y1.mul(g).sum().backward();
        const [gw1, gb1] = [conv.weight.grad!, conv.bias!.grad!];
        conv.zeroGrad();
        const y2 = tg.F.relu(tg.F.conv2d(x, conv.weight, conv.bias, { padding: 1 })).flatten(1);
        y2.mul(g).sum().backward();
        assert.ok(y1.allclose(y2, 1e-5, 1e-6), `${backend}: fused forward differs`);
        assert.ok(gw1.allclose(conv.weight.grad!, 1e-4, 1e-5), `${backend}: fused weight gradient differs`);
        assert.ok(gb1.allclose(conv.bias!.grad!, 1e-4, 1e-5), `${backend}: fused bias gradient differs`);
        // A hook on the ReLU must see its real input: no fusion then.
        let seen: tg.Tensor | null = null;
        const h = relu.registerForwardHook((_m, args) => void (seen = args[0] as tg.Tensor));
        fused.forward(x);
        h.remove();
        assert.ok(seen !== null && (seen as tg.Tensor).min().item() < 0, `${backend}: the hook saw the pre-activation`);
      });
    }
  });
  test('Sequential fuses Conv2d + ReLU + MaxPool2d(2) at inference: same outputs as the layers one by one', () => {
    for (const backend of ['reference', 'wasm']) {
      withBackend(backend, () => {
        tg.manualSeed(4);
        const layers = [new nn.Conv2d(1, 6, 5, { padding: 2 }), new nn.ReLU(), new nn.MaxPool2d(2), new nn.Conv2d(6, 16, 5), new nn.ReLU(), new nn.MaxPool2d([2, 2], { stride: 2 })];
        const seq = new nn.Sequential(...layers);
        const x = tg.randn([5, 1, 28, 28]);
        const fused = tg.noGrad(() => seq.forward(x));
        const oneByOne = tg.noGrad(() => layers.reduce((t, m) => m.forward(t), x));
        assert.deepEqual(fused.shape, [5, 16, 5, 5]);
        assert.ok(fused.allclose(oneByOne, 1e-5, 1e-6), `${backend}: fused inference differs`);
        // With gradients the same model still trains through the composition.
        seq.forward(x).sum().backward();
        assert.ok(layers[0]!.parameters().every((p) => p.grad !== null), `${backend}: gradients reach the first conv`);
        // A hook on the pooling layer sees its input: no fusion then, same result.
        let seen: readonly number[] | null = null;
        const h = layers[2]!.registerForwardHook((_m, args) => void (seen = (args[0] as tg.Tensor).shape));
        const hooked = tg.noGrad(() => seq.forward(x));
        h.remove();
        assert.deepEqual(seen, [5, 6, 28, 28], `${backend}: the hook ran on the ReLU output`);
        assert.ok(hooked.allclose(fused, 1e-5, 1e-6), `${backend}: hooked run differs`);
      });
    }
  });
  test('Residual adds the shortcut and checks shapes', () => {
    const r = new nn.Residual(new nn.Identity(), { activation: new nn.ReLU() });
    assert.deepEqual(r.forward(tg.tensor([-1, 2])).toArray(), [0, 4]);
    const bad = new nn.Residual(new nn.Linear(2, 3));
    assert.throws(() => bad.forward(tg.ones([1, 2])), /Residual: body output \[1,3\] and shortcut output \[1,2\] differ/);
    const proj = new nn.Residual(new nn.Linear(2, 3), { shortcut: new nn.Linear(2, 3, { bias: false }) });
    assert.deepEqual(proj.forward(tg.ones([4, 2])).shape, [4, 3]);
  });
});

describe('Module.to', () => {
  test('casts floating parameters and buffers, keeps integer buffers', () => {
    const net = new Net().double();
    assert.ok(net.parameters().every((p) => p.dtype === 'float64' && p.requiresGrad));
    const sd = net.stateDict();
    assert.equal(sd['features.0.bn.running_mean']!.dtype, 'float64');
    assert.equal(sd['features.0.bn.num_batches_tracked']!.dtype, 'int32');
    assert.equal(net.forward(tg.randn([1, 3, 8, 8], { dtype: 'float64' })).dtype, 'float64');
    assert.throws(() => net.to('int32'), /Module.to: only floating dtypes are allowed/);
  });
});
