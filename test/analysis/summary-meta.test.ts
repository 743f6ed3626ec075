// summary() given a builder function traces the model on shape-only (meta)
// tensors: the same numbers as a summary of the built model, no weights, and the
// backend restored afterwards even when the builder throws. Also how a summary
// prints: toString(), console.log in Node, { print: true }.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import * as tg from '../../src/index.js';
import { buildModel } from '../../src/models/registry.js';
import { metaBackend, withMetaBackend } from '../../src/backend/meta/index.js';

const build = (name: string, shape: number[]) => () => buildModel(name, { numClasses: 10, inputShape: [shape[1]!, shape[2]!, shape[3]!] });

describe('summary on meta tensors', () => {
  for (const [name, shape] of [['lenet5', [2, 1, 28, 28]], ['mlp', [1, 1, 28, 28]], ['resnet20', [1, 3, 32, 32]], ['nin', [1, 3, 32, 32]]] as const) {
    test(`${name}: a builder gives the same summary as the built model`, () => {
      const real = tg.analysis.summary(build(name, [...shape])(), shape);
      const meta = tg.analysis.summary(build(name, [...shape]), shape);
      assert.deepEqual(meta, real);
      assert.equal(meta.text, real.text);
    });
  }

  test('VGG-16 at 224x224 without its 138M weights: parameters as published', () => {
    const s = tg.analysis.summary(() => tg.models.vgg16(), [1, 3, 224, 224]);
    assert.equal(s.totalParams, 138_357_544);
    assert.deepEqual(s.rows[s.rows.length - 1]!.outputShape, [1, 1000]);
    // 13 convs at 224: 15.35 G MACs; 3 linears 123.6 M (torchvision's VGG-16: 15.47 G in total).
    assert.equal(s.macs, 15_470_264_320);
  });

  test('the backend is restored, also when the builder throws', () => {
    const before = tg.getBackend();
    assert.throws(() => tg.analysis.summary(() => { throw new tg.TensorError('builder: nope'); }, [1, 3, 8, 8]), /builder: nope/);
    assert.equal(tg.getBackend(), before);
    assert.throws(() => tg.analysis.summary((() => 42) as never, [1, 3, 8, 8]), /summary: the builder function must return an nn.Module \(got number\)/);
    assert.equal(tg.getBackend(), before);
    assert.throws(() => tg.analysis.summary({} as never, [1, 3, 8, 8]), /summary: model must be an nn.Module or a function returning one \(got Object\)/);
  });

  test('receptiveField takes a builder too', () => {
    const real = tg.analysis.receptiveField(build('resnet20', [1, 3, 32, 32])(), [1, 3, 32, 32]);
    const meta = tg.analysis.receptiveField(build('resnet20', [1, 3, 32, 32]), [1, 3, 32, 32]);
    assert.deepEqual(meta, real);
    assert.ok(meta.lastSpatial !== null);
  });

  test('meta tensors have shapes and no elements', () => {
    const y = withMetaBackend(() => tg.randn([2, 3]).matmul(tg.ones([3, 4])).relu());
    assert.deepEqual(y.shape, [2, 4]);
    assert.equal(y.backend, metaBackend);
    assert.throws(() => y.toArray(), (e: unknown) => e instanceof tg.TensorError && /meta tensor has a shape but no elements/.test(e.message));
    assert.notEqual(tg.getBackend(), metaBackend);
  });
});

describe('printing a summary', () => {
  const model = tg.models.lenet5();
  test('toString() and console.log show the table; the data stays plain', () => {
    const s = tg.analysis.summary(model, [1, 1, 28, 28]);
    assert.equal(String(s), s.text);
    assert.equal(inspect(s), s.text);
    assert.match(s.text, /^LeNet5? for input \[1, 1, 28, 28\]|^\S+ for input \[1, 1, 28, 28\]/);
    assert.ok(!Object.keys(s).includes('toString'));
    assert.equal(JSON.parse(JSON.stringify(s)).totalParams, 61_706);
  });

  test('{ print: true } prints the table once', () => {
    const lines: string[] = [];
    const log = console.log;
    console.log = (...a: unknown[]) => void lines.push(a.join(' '));
    try {
      const s = tg.analysis.summary(model, [1, 1, 28, 28], { print: true });
      assert.deepEqual(lines, [s.text]);
      tg.analysis.summary(model, [1, 1, 28, 28]);
      assert.equal(lines.length, 1, 'silent by default');
    } finally {
      console.log = log;
    }
  });
});
