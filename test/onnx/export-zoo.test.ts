// The model zoo exported to ONNX and run in onnxruntime-node: max abs error <= 1e-4 against
// tensorgrad's eval-mode forward on random inputs at two batch sizes (the big fully connected
// models, AlexNet and VGG-11-BN, are in export-zoo-big.test.ts). Initializers keep stateDict names.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import onnxProto from 'onnx-proto';
import * as tg from '../../src/index.js';
import { checkAgainstOrt, randomizeBatchNorm } from './export-helpers.js';

const { models } = tg;
const { onnx } = onnxProto;

function seeded<T extends tg.nn.Module>(seed: number, make: () => T): T {
  tg.manualSeed(seed);
  const m = make();
  randomizeBatchNorm(m);
  return m;
}

describe('onnx.exportModel: the zoo runs in onnxruntime like in tensorgrad', () => {
  test('LeNet-5 (and the classic tanh/avg-pool variant)', async () => {
    await checkAgainstOrt(seeded(1, () => models.lenet5()), [1, 28, 28], { batches: [1, 3] }); // traced at batch 1
    await checkAgainstOrt(seeded(2, () => models.lenet5({ variant: 'classic' })), [1, 28, 28]);
  });
  test('MLP with batch norm, dropout and GELU', async () => {
    await checkAgainstOrt(seeded(3, () => models.mlp({ sizes: [784, 32, 16, 10], batchNorm: true, dropout: 0.3, activation: 'gelu' })), [1, 28, 28]);
  });
  test('CIFAR ResNet-20 (option-A shortcuts: strided slice + channel padding)', async () => {
    await checkAgainstOrt(seeded(4, () => models.resnet20()), [3, 32, 32]);
  });
  test('NiN', async () => {
    await checkAgainstOrt(seeded(5, () => models.nin()), [3, 32, 32]);
  });
  test('ResNet-18 at 64x64', async () => {
    const { bytes } = await checkAgainstOrt(seeded(6, () => models.resnet18({ numClasses: 10 })), [3, 64, 64], { batches: [2, 1] });
    const m = onnx.ModelProto.decode(bytes);
    const inits = new Set(m.graph!.initializer!.map((t) => t.name));
    for (const key of ['conv1.weight', 'bn1.running_mean', 'bn1.running_var', 'layer1.0.conv1.weight', 'layer2.0.downsample.0.weight', 'fc.weight', 'fc.bias']) {
      assert.ok(inits.has(key), `initializer ${key}`);
    }
    assert.equal(m.graph!.input![0]!.name, 'input');
    assert.equal(m.graph!.output![0]!.name, 'output');
    assert.equal(m.graph!.input![0]!.type!.tensorType!.shape!.dim![0]!.dimParam, 'batch');
    assert.equal(m.graph!.output![0]!.type!.tensorType!.shape!.dim![0]!.dimParam, 'batch');
    assert.equal(Number(m.opsetImport![0]!.version), 17);
  });
});
