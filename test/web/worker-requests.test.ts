import '../../src/index.js';
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tg from '../../src/index.js';
import { handleRequest } from '../../web/src/worker/handlers.js';
import { MAX_CHANNELS_SHOWN, type FromWorker, type RgbaImage } from '../../web/src/worker/protocol.js';
import { digitOf, readySession } from './worker-helpers.js';

before(async () => {
  await tg.ready();
});

/** The reply of type `type`, or a failure showing what came instead. */
function expectReply<T extends FromWorker['type']>(r: FromWorker, type: T): Extract<FromWorker, { type: T }> {
  assert.equal(r.type, type, r.type === 'error' ? r.message : `got ${r.type}`);
  return r as Extract<FromWorker, { type: T }>;
}

function checkImage(img: RgbaImage, width: number, height: number): void {
  assert.equal(img.width, width);
  assert.equal(img.height, height);
  assert.ok(img.rgba instanceof Uint8ClampedArray);
  assert.equal(img.rgba.length, width * height * 4);
}

describe('worker inspect', () => {
  test('LeNet-5: probabilities, every leaf layer, shapes and ranges, under 30 ms once warm', () => {
    const { session } = readySession();
    const digit = digitOf(session.data!.test, 3);
    handleRequest(session, { type: 'inspect', id: 0, digit, saliency: false }); // warm-up (kernels, caches)
    const r = expectReply(handleRequest(session, { type: 'inspect', id: 1, digit, saliency: false }), 'inspected');
    assert.equal(r.id, 1);
    assert.equal(r.probabilities.length, 10);
    assert.ok(Math.abs(r.probabilities.reduce((a, b) => a + b, 0) - 1) < 1e-6);
    assert.ok(r.probabilities.every((p) => p >= 0 && p <= 1));
    assert.equal(r.predicted, r.probabilities.indexOf(Math.max(...r.probabilities)));
    assert.deepEqual(r.layers.map((l) => l.path), ['features.0', 'features.1', 'features.2', 'features.3', 'features.4', 'features.5',
      'classifier.0', 'classifier.1', 'classifier.2', 'classifier.3', 'classifier.4', 'classifier.5']);
    const conv = r.layers[0]!;
    assert.equal(conv.kind, 'Conv2d');
    assert.deepEqual(conv.shape, [6, 28, 28]);
    assert.equal(conv.images.length, 6);
    conv.images.forEach((img) => checkImage(img, 28, 28));
    assert.ok(conv.range[0] < conv.range[1]);
    const relu = r.layers[1]!;
    assert.ok(relu.range[0] >= 0, 'a ReLU output is never negative');
    const flat = r.layers.find((l) => l.kind === 'Flatten')!;
    assert.deepEqual(flat.shape, [400]);
    checkImage(flat.images[0]!, MAX_CHANNELS_SHOWN * 8, 1);
    assert.deepEqual(r.layers.at(-1)!.shape, [10]);
    assert.equal(r.saliency, null);
    assert.equal(r.modelVersion, 1);
    assert.equal(r.step, 0);
  });

  test('saliency is a 28x28 overlay; the model keeps its training flag', () => {
    const { session } = readySession();
    const { model } = session.current;
    model.train();
    const r = expectReply(handleRequest(session, { type: 'inspect', id: 2, digit: digitOf(session.data!.test, 5), saliency: true }), 'inspected');
    checkImage(r.saliency!, 28, 28);
    assert.ok(model.modules().every((m) => m.training));
    assert.ok(model.parameters().every((p) => p.requiresGrad && !p.grad), 'no parameter gradient is left behind');
  });

  test('a wide layer shows at most MAX_CHANNELS_SHOWN channels; a bad digit is an error reply', () => {
    const { session } = readySession();
    session.freshModel({ ...session.current.settings, model: 'cnn', cnn: { blocks: 2, channels: 24, kernel: 3, pool: 'avg', batchNorm: true } });
    const r = expectReply(handleRequest(session, { type: 'inspect', id: 3, digit: digitOf(session.data!.test, 0), saliency: false }), 'inspected');
    const wide = r.layers.find((l) => l.shape[0] === 48)!;
    assert.equal(wide.images.length, MAX_CHANNELS_SHOWN);
    const bad = expectReply(handleRequest(session, { type: 'inspect', id: 4, digit: new Float32Array(10), saliency: false }), 'error');
    assert.equal(bad.id, 4);
    assert.match(bad.message, /784/);
  });
});

describe('worker filters', () => {
  test('LeNet-5: 6 grey 5x5 filters; the MLP: 32 input-weight images of 28x28', () => {
    const { session } = readySession();
    const f = expectReply(handleRequest(session, { type: 'filters', id: 1 }), 'filters');
    assert.equal(f.layer, 'features.0');
    assert.equal(f.images.length, 6);
    f.images.forEach((img) => checkImage(img, 5, 5));
    assert.match(f.description, /6 filters 5x5/);
    session.freshModel({ ...session.current.settings, model: 'mlp', mlpHidden: 64 });
    const m = expectReply(handleRequest(session, { type: 'filters', id: 2 }), 'filters');
    assert.equal(m.images.length, 32);
    m.images.forEach((img) => checkImage(img, 28, 28));
    assert.match(m.description, /no conv layer/);
    assert.equal(m.modelVersion, 2);
  });
});

describe('worker units', () => {
  test('top patches: k per unit, most exciting first, native receptive-field size', () => {
    const { session } = readySession();
    const r = expectReply(handleRequest(session, { type: 'units', id: 1, layer: 'features.3', method: 'top-patches', units: [0, 7, 15], k: 4 }), 'units');
    assert.deepEqual(r.results.map((u) => u.unit), [0, 7, 15]);
    for (const u of r.results) {
      assert.equal(u.images.length, 4);
      assert.equal(u.values.length, 4);
      u.images.forEach((img) => checkImage(img, 14, 14)); // features.3's receptive field
      for (let i = 1; i < u.values.length; i++) assert.ok(u.values[i - 1]! >= u.values[i]!);
    }
  });

  test('maximize: one 28x28 image per unit; the ReLU layer climbs its conv', () => {
    const { session } = readySession();
    const r = expectReply(handleRequest(session, { type: 'units', id: 2, layer: 'features.1', method: 'maximize', units: [2] }), 'units');
    assert.equal(r.results.length, 1);
    checkImage(r.results[0]!.images[0]!, 28, 28);
    assert.ok(Number.isFinite(r.results[0]!.values[0]));
  });

  test('bad layers, units and k are error replies that say what is allowed', () => {
    const { session } = readySession();
    const ask = (extra: object) => handleRequest(session, { type: 'units', id: 9, layer: 'features.3', method: 'top-patches', units: [0], ...extra });
    assert.match(expectReply(ask({ layer: 'classifier.1' }), 'error').message, /features\.0 \(6 channels\)/);
    assert.match(expectReply(ask({ units: [16] }), 'error').message, /16 channels \(0\.\.15\)/);
    assert.match(expectReply(ask({ units: [] }), 'error').message, /1 to 16 units/);
    assert.match(expectReply(ask({ k: 0 }), 'error').message, /k must be/);
    assert.match(expectReply(ask({ method: 'nope' }), 'error').message, /method/);
  });
});

describe('worker summary', () => {
  test('rows match tg.analysis.summary; unit layers are the convs and their ReLUs', () => {
    const { session } = readySession();
    const r = expectReply(handleRequest(session, { type: 'summary', id: 1 }), 'summary');
    const s = tg.analysis.summary(session.current.model, [1, 1, 28, 28]);
    assert.equal(r.rows.length, s.rows.length);
    r.rows.forEach((row, i) => {
      const t = s.rows[i]!;
      assert.equal(row.path, t.name);
      assert.equal(row.kind, t.type);
      assert.deepEqual(row.outputShape, t.outputShape.slice(1));
      assert.equal(row.params, t.trainableParams + t.frozenParams);
      assert.equal(row.flops, t.flops);
    });
    assert.equal(r.totalParams, 61706);
    assert.equal(r.flops, s.flops);
    assert.equal(r.rows[0]!.receptiveField, '5x5');
    assert.equal(r.rows.find((row) => row.path === 'features.3')!.receptiveField, '14x14');
    assert.deepEqual(r.unitLayers, [
      { path: 'features.0', channels: 6 }, { path: 'features.1', channels: 6 },
      { path: 'features.3', channels: 16 }, { path: 'features.4', channels: 16 },
    ]);
  });

  test('the small CNN with batch norm: the ReLU after the norm is a unit layer', () => {
    const { session } = readySession();
    session.freshModel({ ...session.current.settings, model: 'cnn', cnn: { blocks: 2, channels: 4, kernel: 5, pool: 'max', batchNorm: true } });
    const r = expectReply(handleRequest(session, { type: 'summary', id: 2 }), 'summary');
    assert.deepEqual(r.unitLayers, [{ path: '0', channels: 4 }, { path: '2', channels: 4 }, { path: '4', channels: 8 }, { path: '6', channels: 8 }]);
  });
});
