// The zoo's state dicts against torchvision's: names, order, shapes and dtypes of
// `model.state_dict()` for every architecture the zoo mirrors, as recorded by
// scripts/make-torchvision-manifest.py (torch 1.13, torchvision 0.14) in
// test/fixtures/torchvision/manifest.json. Models are built on the meta backend
// (shapes, no elements), so VGG-19's 143M parameters cost nothing here.
import '../../src/index.js';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as tg from '../../src/index.js';
import { withMetaBackend } from '../../src/backend/meta/index.js';

const { models } = tg;

type Entry = [name: string, shape: number[], dtype: 'F32' | 'I64'];
const manifest = JSON.parse(readFileSync(new URL('../fixtures/torchvision/manifest.json', import.meta.url), 'utf8')) as {
  torch: string; torchvision: string; models: Record<string, Entry[]>;
};

/** How each torchvision builder is written with the zoo (1000 classes, 3x224x224 defaults). */
const BUILDERS: Record<string, () => tg.nn.Module> = {
  resnet18: () => models.resnet18({ numClasses: 1000 }),
  resnet34: () => models.resnet34({ numClasses: 1000 }),
  resnet50: () => models.resnet50({ numClasses: 1000 }),
  vgg11: () => models.vgg11({ numClasses: 1000 }),
  vgg13: () => models.vgg13({ numClasses: 1000 }),
  vgg16: () => models.vgg16({ numClasses: 1000 }),
  vgg19: () => models.vgg19({ numClasses: 1000 }),
  vgg11_bn: () => models.vgg11({ numClasses: 1000, batchNorm: true }),
  vgg13_bn: () => models.vgg13({ numClasses: 1000, batchNorm: true }),
  vgg16_bn: () => models.vgg16({ numClasses: 1000, batchNorm: true }),
  vgg19_bn: () => models.vgg19({ numClasses: 1000, batchNorm: true }),
  alexnet: () => models.alexnet({ numClasses: 1000 }),
};

/** Our dtype for a torchvision one: int64 buffers (num_batches_tracked) are int32 here and load from I64 files. */
const OURS = { F32: 'float32', I64: 'int32' } as const;

describe('zoo state dicts equal torchvision 0.14 (names, order, shapes)', () => {
  test('the manifest covers every mirrored architecture', () => {
    assert.deepEqual(Object.keys(manifest.models).sort(), Object.keys(BUILDERS).sort());
  });

  for (const [arch, expected] of Object.entries(manifest.models)) {
    test(`${arch}: ${expected.length} entries`, () => {
      const got = withMetaBackend(() => Object.entries(BUILDERS[arch]!().stateDict()).map(([k, t]) => [k, [...t.shape], t.dtype]));
      assert.deepEqual(got.map((e) => e[0]), expected.map((e) => e[0]), `${arch}: key order`);
      assert.deepEqual(got, expected.map(([k, s, d]) => [k, s, OURS[d]]));
    });
  }
});
