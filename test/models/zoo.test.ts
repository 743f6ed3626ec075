// The model zoo: parameter counts against the published (torchvision / paper) numbers,
// state-dict keys against torchvision's names, forward + backward on small batches,
// argument validation and the registry entries.
//
// Cost notes (reference backend): building a model spends most of its time in random
// initialisation, and the huge fully connected layers of AlexNet/VGG make a forward
// pass slow however small the input. Tests that only need shapes therefore build
// with `shapeOnly`, which skips the random fill (values stay zero; shapes, names and
// counts are unaffected). Forward/backward of ResNet-50/101, AlexNet and VGG-11, and
// the AlexNet (original) initialisation check, run only with TG_SLOW_TESTS=1.
import { describe, test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import * as tg from '../../src/index.js';
import type { Tensor } from '../../src/index.js';

const { nn, models } = tg;
type Module = tg.nn.Module;

const SLOW = !!process.env.TG_SLOW_TESTS;
const slowSkip = SLOW ? false : 'slow on the reference backend; set TG_SLOW_TESTS=1';

// Backends that own memory (WebAssembly) free a dead model's buffers from finalizers,
// which run only after a garbage collection and a yield to the event loop. Several
// VGG-sized models in a row would otherwise fill the 4 GiB wasm32 heap.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
afterEach(async () => {
  gc();
  await new Promise((resolve) => setImmediate(resolve));
});

/** Builds without random initialisation (every layer's and model's resetParameters becomes a no-op). */
function shapeOnly<T>(build: () => T): T {
  const protos = [
    nn.ConvNd.prototype, nn.Linear.prototype,
    models.AlexNet.prototype, models.VGG.prototype, models.ResNet.prototype, models.CifarResNet.prototype, models.NiN.prototype,
  ] as unknown as { resetParameters(): void }[];
  const saved = protos.map((p) => p.resetParameters);
  for (const p of protos) p.resetParameters = () => {};
  try {
    return build();
  } finally {
    protos.forEach((p, i) => (p.resetParameters = saved[i]!));
  }
}

const shapeOf = (m: Module, key: string): number[] => {
  const t = m.stateDict()[key];
  assert.ok(t, `missing state-dict key ${key}`);
  return [...t.shape];
};

/** Forward a random batch, backward a cross-entropy loss; check the logits' shape and that every parameter got a gradient. */
function forwardBackward(model: Module, input: number[], numClasses: number, opts: { checkFinite?: boolean } = {}): void {
  tg.manualSeed(0);
  const x = tg.randn(input);
  const target = tg.randint(0, numClasses, [input[0]!]);
  const y = model.forward(x) as Tensor;
  assert.deepEqual(y.shape, [input[0], numClasses]);
  const loss = tg.F.crossEntropy(y, target);
  assert.ok(Number.isFinite(loss.item()), `loss is ${loss.item()}`);
  loss.backward();
  for (const [name, p] of model.namedParameters()) {
    assert.ok(p.grad, `${name} has no gradient`);
    assert.deepEqual(p.grad.shape, p.shape, `${name} gradient shape`);
    if (opts.checkFinite) assert.ok(Number.isFinite(p.grad.abs().sum().item()), `${name} gradient is not finite`);
  }
}

// Each big model is built once (shape-only) and checked for both its parameter count
// and its state-dict keys. Counts are torchvision's documented ones (weights tables).
describe('model zoo: AlexNet and VGG counts (1000 classes) and torchvision keys', () => {
  const fcKeys = (layers: string[]) => layers.flatMap((l) => [`${l}.weight`, `${l}.bias`]);

  test('alexnet: 61,100,840 parameters; the complete torchvision key list', () => {
    const m = shapeOnly(() => models.alexnet());
    assert.equal(m.numParameters(), 61_100_840);
    const layers = ['features.0', 'features.3', 'features.6', 'features.8', 'features.10', 'classifier.1', 'classifier.4', 'classifier.6'];
    assert.deepEqual(Object.keys(m.stateDict()), fcKeys(layers));
    assert.deepEqual(shapeOf(m, 'features.0.weight'), [64, 3, 11, 11]);
    assert.deepEqual(shapeOf(m, 'classifier.1.weight'), [4096, 9216]);
    assert.deepEqual(shapeOf(m, 'classifier.6.weight'), [1000, 4096]);
    assert.throws(() => m.forward(tg.randn([1, 3, 62, 62])), /alexnet: input must be at least 63x63/);
  });

  test('alexnet original (single tower): 62,378,344 parameters, counted layer by layer; LRN after conv1 and conv2', () => {
    const conv = (o: number, i: number, k: number) => o * i * k * k + o;
    const fc = (o: number, i: number) => o * i + o;
    const expected = conv(96, 3, 11) + conv(256, 96, 5) + conv(384, 256, 3) + conv(384, 384, 3) + conv(256, 384, 3)
      + fc(4096, 9216) + fc(4096, 4096) + fc(1000, 4096);
    assert.equal(expected, 62_378_344);
    const m = shapeOnly(() => models.alexnet({ variant: 'original' }));
    assert.equal(m.numParameters(), expected);
    const layers = ['features.0', 'features.4', 'features.8', 'features.10', 'features.12', 'classifier.0', 'classifier.3', 'classifier.6'];
    assert.deepEqual(Object.keys(m.stateDict()), fcKeys(layers));
    assert.ok(m.features.at(1) instanceof nn.ReLU && m.features.at(2) instanceof nn.LocalResponseNorm);
    assert.ok(m.features.at(5) instanceof nn.ReLU && m.features.at(6) instanceof nn.LocalResponseNorm);
    assert.deepEqual(shapeOf(m, 'features.4.weight'), [256, 96, 5, 5]);
  });

  test('alexnet: numClasses and inChannels change only the last linear layer and conv1', () => {
    const tv = shapeOnly(() => models.alexnet({ numClasses: 10, inChannels: 1 })).numParameters();
    assert.equal(tv, 61_100_840 - 990 * 4097 - 2 * 64 * 11 * 11);
    const orig = shapeOnly(() => models.alexnet({ variant: 'original', numClasses: 10, inChannels: 4 })).numParameters();
    assert.equal(orig, 62_378_344 - 990 * 4097 + 96 * 11 * 11);
  });

  test('vgg11: 132,863,336', () => {
    const m = shapeOnly(() => models.vgg11());
    assert.equal(m.numParameters(), 132_863_336);
    assert.throws(() => m.forward(tg.randn([1, 3, 16, 16])), /vgg11: input must be at least 32x32/);
  });
  test('vgg13: 133,047,848', () => assert.equal(shapeOnly(() => models.vgg13()).numParameters(), 133_047_848));
  test('vgg19: 143,667,240', () => assert.equal(shapeOnly(() => models.vgg19()).numParameters(), 143_667_240));

  test('vgg16: 138,357,544; features / classifier keys', () => {
    const m = shapeOnly(() => models.vgg16());
    assert.equal(m.numParameters(), 138_357_544);
    const keys = Object.keys(m.stateDict());
    assert.equal(keys.length, 13 * 2 + 3 * 2);
    assert.deepEqual(keys.slice(0, 2), ['features.0.weight', 'features.0.bias']);
    assert.deepEqual(keys.slice(-8), ['features.28.weight', 'features.28.bias', ...fcKeys(['classifier.0', 'classifier.3', 'classifier.6'])]);
    assert.deepEqual(shapeOf(m, 'classifier.0.weight'), [4096, 25088]);
  });

  test('vgg16_bn: 138,365,992; batch norm keys and buffers', () => {
    const m = shapeOnly(() => models.vgg16({ batchNorm: true }));
    assert.equal(m.numParameters(), 138_365_992);
    const keys = Object.keys(m.stateDict());
    assert.equal(keys.length, 13 * 2 + 13 * 5 + 3 * 2);
    assert.deepEqual(keys.slice(0, 7), ['features.0.weight', 'features.0.bias', 'features.1.weight', 'features.1.bias',
      'features.1.running_mean', 'features.1.running_var', 'features.1.num_batches_tracked']);
    assert.deepEqual(keys.slice(-8, -6), ['features.41.running_var', 'features.41.num_batches_tracked']);
    assert.deepEqual(shapeOf(m, 'features.40.weight'), [512, 512, 3, 3]);
  });
});

describe('model zoo: ResNet counts (1000 classes) and torchvision keys', () => {
  test('resnet18: 11,689,512; stem, blocks, downsample and fc keys in torchvision order', () => {
    const m = shapeOnly(() => models.resnet18());
    assert.equal(m.numParameters(), 11_689_512);
    const keys = Object.keys(m.stateDict());
    assert.equal(keys.length, 122);
    assert.deepEqual(keys.slice(0, 8), ['conv1.weight', 'bn1.weight', 'bn1.bias', 'bn1.running_mean', 'bn1.running_var',
      'bn1.num_batches_tracked', 'layer1.0.conv1.weight', 'layer1.0.bn1.weight']);
    assert.deepEqual(keys.slice(-2), ['fc.weight', 'fc.bias']);
    assert.ok(!keys.some((k) => k.startsWith('layer1.0.downsample')), 'layer1 keeps the shape: no projection');
    assert.deepEqual(shapeOf(m, 'layer2.0.downsample.0.weight'), [128, 64, 1, 1]);
    assert.deepEqual(shapeOf(m, 'layer2.0.downsample.1.running_mean'), [128]);
    assert.deepEqual(shapeOf(m, 'layer4.1.conv2.weight'), [512, 512, 3, 3]);
    assert.deepEqual(shapeOf(m, 'fc.weight'), [1000, 512]);
  });

  test('resnet34: 21,797,672', () => assert.equal(shapeOnly(() => models.resnet34()).numParameters(), 21_797_672));

  test('resnet50: 25,557,032; bottleneck keys', () => {
    const m = shapeOnly(() => models.resnet50());
    assert.equal(m.numParameters(), 25_557_032);
    const keys = Object.keys(m.stateDict());
    assert.equal(keys.length, 320);
    assert.deepEqual(keys.slice(6, 13), ['layer1.0.conv1.weight', 'layer1.0.bn1.weight', 'layer1.0.bn1.bias',
      'layer1.0.bn1.running_mean', 'layer1.0.bn1.running_var', 'layer1.0.bn1.num_batches_tracked', 'layer1.0.conv2.weight']);
    assert.deepEqual(shapeOf(m, 'layer1.0.downsample.0.weight'), [256, 64, 1, 1]);
    assert.deepEqual(shapeOf(m, 'layer1.0.downsample.1.running_var'), [256]);
    assert.deepEqual(shapeOf(m, 'layer2.0.conv2.weight'), [128, 128, 3, 3], 'stride sits in the 3x3 conv (v1.5)');
    assert.deepEqual(shapeOf(m, 'layer4.2.conv3.weight'), [2048, 512, 1, 1]);
    assert.deepEqual(keys.slice(-3), ['layer4.2.bn3.num_batches_tracked', 'fc.weight', 'fc.bias']);
  });

  test('resnet101: 44,549,160; 23 blocks in layer3', () => {
    const m = shapeOnly(() => models.resnet101());
    assert.equal(m.numParameters(), 44_549_160);
    const keys = Object.keys(m.stateDict());
    assert.ok(keys.includes('layer3.22.bn3.running_mean') && !keys.includes('layer3.23.conv1.weight'));
    assert.equal(keys.length, 320 + 17 * 18);
  });

  test('numClasses and inChannels change only fc and conv1', () => {
    const r18 = shapeOnly(() => models.resnet18({ numClasses: 10, inChannels: 1 })).numParameters();
    assert.equal(r18, 11_689_512 - 990 * (512 + 1) - 2 * 64 * 7 * 7);
    const r50 = shapeOnly(() => models.resnet50({ numClasses: 100 })).numParameters();
    assert.equal(r50, 25_557_032 - 900 * (2048 + 1));
  });
});

describe('model zoo: CIFAR models', () => {
  test('CIFAR ResNets (option A) round to the paper: 0.27M, 0.46M, 0.66M, 0.85M, 1.7M', () => {
    const cases: [() => Module, number, string][] = [
      [() => models.resnet20(), 269_722, '0.27'],
      [() => models.resnet32(), 464_154, '0.46'],
      [() => models.resnet44(), 658_586, '0.66'],
      [() => models.resnet56(), 853_018, '0.85'],
      [() => models.resnet110(), 1_727_962, '1.7'],
    ];
    for (const [build, exact, paper] of cases) {
      const n = shapeOnly(build).numParameters();
      assert.equal(n, exact);
      assert.equal((n / 1e6).toFixed(paper.length - 2), paper);
    }
  });

  test('CIFAR ResNet: no shortcut parameters (option A); keys', () => {
    const r = shapeOnly(() => models.resnet56());
    const keys = Object.keys(r.stateDict());
    assert.ok(!keys.some((k) => k.includes('downsample') || k.includes('shortcut')));
    assert.deepEqual(keys.slice(0, 2), ['conv1.weight', 'bn1.weight']);
    assert.deepEqual(shapeOf(r, 'layer3.8.conv2.weight'), [64, 64, 3, 3]);
    assert.deepEqual(keys.slice(-2), ['fc.weight', 'fc.bias']);
  });

  test('NiN: 966,986 parameters at 10 classes; no fully connected layer', () => {
    const n = shapeOnly(() => models.nin());
    assert.equal(n.numParameters(), 966_986);
    assert.deepEqual(shapeOf(n, 'block1.0.weight'), [192, 3, 5, 5]);
    assert.deepEqual(shapeOf(n, 'block3.4.weight'), [10, 192, 1, 1]);
    assert.ok(!Object.keys(n.stateDict()).some((k) => k.startsWith('fc') || k.startsWith('classifier')));
  });

  test('numClasses and inChannels change the counts as expected', () => {
    assert.equal(shapeOnly(() => models.resnet20({ numClasses: 100, inChannels: 1 })).numParameters(), 269_722 + 90 * 65 - 2 * 16 * 9);
    // NiN's last 1x1 conv has one output map per class.
    assert.equal(shapeOnly(() => models.nin({ numClasses: 100, inChannels: 1 })).numParameters(), 966_986 + 90 * 193 - 2 * 192 * 25);
  });
});

describe('model zoo: forward and backward on a small batch', () => {
  // Real initialisation where building is cheap; the ImageNet ResNets are built shape-only
  // (zero weights) because their random fill dominates the cost and the checks below
  // (logit shape, a gradient for every parameter) do not depend on the values.
  test('resnet20 at 32x32', () => forwardBackward(models.resnet20(), [1, 3, 32, 32], 10, { checkFinite: true }));
  test('resnet32 and resnet56 (option A shortcuts at 8x8 -> 4x4 -> 2x2)', () => {
    forwardBackward(models.resnet32({ numClasses: 5 }), [2, 3, 8, 8], 5, { checkFinite: true });
    forwardBackward(models.resnet56({ numClasses: 3, inChannels: 1 }), [2, 1, 8, 8], 3, { checkFinite: true });
  });
  test('nin', () => forwardBackward(models.nin({ numClasses: 10 }), [2, 3, 16, 16], 10, { checkFinite: true }));
  test('resnet18 (grayscale) at 16x16', () => forwardBackward(shapeOnly(() => models.resnet18({ numClasses: 10, inChannels: 1 })), [2, 1, 16, 16], 10));
  test('resnet34 at 8x8', () => forwardBackward(shapeOnly(() => models.resnet34({ numClasses: 10 })), [2, 3, 8, 8], 10));
  test('resnet50 and resnet101 at 8x8', { skip: slowSkip }, () => {
    forwardBackward(shapeOnly(() => models.resnet50({ numClasses: 10 })), [2, 3, 8, 8], 10);
    forwardBackward(shapeOnly(() => models.resnet101({ numClasses: 10 })), [2, 3, 8, 8], 10);
  });
  test('alexnet (both variants) at 64x64', { skip: slowSkip }, () => {
    forwardBackward(shapeOnly(() => models.alexnet({ numClasses: 10 })), [1, 3, 64, 64], 10);
    forwardBackward(shapeOnly(() => models.alexnet({ numClasses: 10, variant: 'original' })), [1, 3, 64, 64], 10);
  });
  test('vgg11 with batch norm at 32x32', { skip: slowSkip }, () => {
    forwardBackward(shapeOnly(() => models.vgg11({ numClasses: 10, batchNorm: true })), [2, 3, 32, 32], 10);
  });

  test('eval mode is deterministic (dropout off, running statistics)', () => {
    const m = models.nin({ numClasses: 4 }).eval();
    const x = tg.randn([1, 3, 8, 8]);
    const a = m.forward(x) as Tensor, b = m.forward(x) as Tensor;
    assert.ok(tg.allclose(a, b));
  });
});

describe('model zoo: initialisation', () => {
  test('ResNet: kaiming normal (fan out) convolutions, batch norm 1/0', () => {
    tg.manualSeed(1);
    const m = models.resnet20();
    const w = m.layer3.at(0).stateDict()['conv2.weight']!;
    const std = Math.sqrt(2 / (64 * 9));
    assert.ok(Math.abs(w.std().item() / std - 1) < 0.05, `std ${w.std().item()} vs ${std}`);
    assert.equal(m.bn1.weight!.sum().item(), 16);
  });

  test('alexnet original: N(0, 0.01) weights, biases 1 in conv2/4/5 and fc6/7, else 0', { skip: slowSkip }, () => {
    const m = models.alexnet({ variant: 'original', numClasses: 2 });
    const sd = m.stateDict();
    assert.ok(Math.abs(sd['features.8.weight']!.std().item() - 0.01) < 5e-4);
    const biasMeans = ['features.0', 'features.4', 'features.8', 'features.10', 'features.12', 'classifier.0', 'classifier.3', 'classifier.6']
      .map((l) => sd[`${l}.bias`]!.mean().item());
    assert.deepEqual(biasMeans, [0, 1, 0, 1, 1, 1, 1, 0]);
  });
});

describe('model zoo: argument validation', () => {
  const cases: [string, () => unknown, RegExp][] = [
    ['numClasses 0', () => models.resnet18({ numClasses: 0 }), /resnet18: numClasses must be a positive integer \(got 0\)/],
    ['inChannels 2.5', () => models.nin({ inChannels: 2.5 }), /nin: inChannels must be a positive integer \(got 2.5\)/],
    ['unknown variant', () => models.alexnet({ variant: 'caffe' as 'original' }), /alexnet: variant must be one of 'torchvision', 'original' \(got "caffe"\)/],
    ['dropout 1.5', () => models.vgg11({ dropout: 1.5 }), /vgg11: dropout must be a number in \[0, 1\) \(got 1.5\)/],
    ['batchNorm "yes"', () => models.vgg13({ batchNorm: 'yes' as unknown as boolean }), /vgg13: batchNorm must be true or false/],
    ['misspelt option', () => models.resnet20({ numClass: 10 } as never), /resnet20: unknown option 'numClass' \(expected numClasses, inChannels\)/],
    ['bad ResNet depth', () => new models.ResNet(42 as 18), /resnet42: depth must be one of '18', '34', '50', '101'/],
    ['bad CIFAR depth', () => new models.CifarResNet(21 as 20), /resnet21: depth must be one of '20', '32', '44', '56', '110'/],
  ];
  for (const [name, fn, pattern] of cases) {
    test(name, () => assert.throws(fn, (e: unknown) => e instanceof tg.TensorError && pattern.test(e.message)));
  }

  test('forward rejects the wrong channel count by name', () => {
    assert.throws(() => models.resnet20().forward(tg.randn([1, 1, 32, 32])), /resnet20: expected input \[N, 3, H, W\] \(got \[1,1,32,32\]\)/);
    assert.throws(() => models.nin().forward(tg.randn([3, 32, 32])), /nin: expected input \[N, 3, H, W\]/);
  });
});

describe('model zoo: registry', () => {
  const expected: Record<string, [number, number]> = {
    resnet20: [32, 32], resnet32: [32, 32], resnet56: [32, 32], nin: [32, 32],
    resnet18: [32, 32], resnet34: [32, 32], resnet50: [32, 32], resnet101: [32, 32],
    vgg11: [32, 32], vgg13: [32, 32], vgg16: [32, 32], vgg19: [32, 32],
    vgg11_bn: [32, 32], vgg13_bn: [32, 32], vgg16_bn: [32, 32], vgg19_bn: [32, 32],
    alexnet: [64, 64], alexnet_original: [64, 64],
  };

  test('every zoo model is registered with its training input size', () => {
    for (const [name, size] of Object.entries(expected)) {
      const spec = models.modelSpec(name);
      assert.deepEqual(spec.inputSize, size, name);
      assert.ok(spec.description.length > 20, `${name} has a description`);
    }
    assert.ok(models.MODELS.get('alexnet')!.inputSize![0] >= models.ALEXNET_MIN_INPUT);
    assert.ok(models.MODELS.get('vgg16')!.inputSize![0] >= models.VGG_MIN_INPUT);
  });

  test('specs build with the requested classes and input channels', () => {
    const r = models.buildModel('resnet20', { numClasses: 7, inputShape: [1, 32, 32] });
    assert.deepEqual(shapeOf(r, 'conv1.weight'), [16, 1, 3, 3]);
    assert.deepEqual(shapeOf(r, 'fc.weight'), [7, 64]);
    const v = shapeOnly(() => models.buildModel('vgg11_bn', { numClasses: 7, inputShape: [1, 32, 32] }));
    assert.ok(v instanceof models.VGG && v.batchNorm);
    assert.deepEqual(shapeOf(v, 'features.0.weight'), [64, 1, 3, 3]);
    assert.deepEqual(shapeOf(v, 'classifier.6.weight'), [7, 4096]);
    const a = shapeOnly(() => models.buildModel('alexnet_original', { numClasses: 7, inputShape: [3, 64, 64] }));
    assert.ok(a instanceof models.AlexNet && a.variant === 'original');
    const b = shapeOnly(() => models.buildModel('resnet50', { numClasses: 7, inputShape: [3, 32, 32] }));
    assert.deepEqual(shapeOf(b, 'fc.weight'), [7, 2048]);
  });
});
