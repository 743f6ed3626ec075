import '../../src/index.js';
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tg from '../../src/index.js';
import { handleRequest } from '../../web/src/worker/handlers.js';
import { DEFAULT_SETTINGS, type FromWorker, type TrainSettings } from '../../web/src/worker/protocol.js';
import { SETTINGS_KEY, STEP_KEY } from '../../web/src/worker/model-file.js';
import { digitOf, readySession } from './worker-helpers.js';

before(async () => {
  await tg.ready();
});

function expectReply<T extends FromWorker['type']>(r: FromWorker, type: T): Extract<FromWorker, { type: T }> {
  assert.equal(r.type, type, r.type === 'error' ? r.message : `got ${r.type}`);
  return r as Extract<FromWorker, { type: T }>;
}

/** The logits of the session's current model for a test image (eval mode). */
function logits(session: ReturnType<typeof readySession>['session'], i = 0): number[] {
  const x = tg.tensor(digitOf(session.data!.test, i).map((v) => (v - 0.1307) / 0.3081), { shape: [1, 1, 28, 28] });
  const m = session.current.model;
  m.eval();
  try {
    return Array.from(tg.noGrad(() => m.forward(x) as tg.Tensor).data() as ArrayLike<number>);
  } finally {
    m.train();
  }
}

describe('worker save and load', () => {
  for (const settings of [
    DEFAULT_SETTINGS,
    { ...DEFAULT_SETTINGS, model: 'mlp', mlpHidden: 40 },
    { ...DEFAULT_SETTINGS, model: 'cnn', cnn: { blocks: 3, channels: 4, kernel: 3, pool: 'avg', batchNorm: true } },
  ] as TrainSettings[]) {
    test(`${settings.model}: save -> load gives the same outputs, settings and step`, () => {
      const { session, messages } = readySession();
      session.freshModel({ ...settings, seed: 7 });
      session.current.step = 1125;
      const before = logits(session);
      const saved = expectReply(handleRequest(session, { type: 'save', id: 1 }), 'saved');
      assert.equal(saved.fileName, `${settings.model}-mnist-step1125.safetensors`);
      const meta = tg.io.deserialize(saved.bytes).metadata!;
      assert.equal(meta.format, 'pt');
      assert.equal(meta[STEP_KEY], '1125');
      assert.deepEqual(JSON.parse(meta[SETTINGS_KEY]!), { ...settings, seed: 7 });
      session.freshModel(DEFAULT_SETTINGS); // something else in between
      const loaded = expectReply(handleRequest(session, { type: 'load', id: 2, bytes: saved.bytes, name: saved.fileName }), 'loaded');
      assert.deepEqual(loaded.settings, { ...settings, seed: 7 });
      assert.match(loaded.message, new RegExp(`^Loaded ${settings.model} \\(.* parameters, 1,125 steps\\) from ${saved.fileName}$`));
      assert.equal(session.current.step, 1125);
      assert.equal(session.current.version, loaded.modelVersion);
      assert.deepEqual(messages.slice(-2), [{ type: 'model', modelVersion: loaded.modelVersion, settings: loaded.settings }, { type: 'state', state: 'idle' }]);
      assert.deepEqual(logits(session), before);
    });
  }

  test("a CLI run's model.safetensors (LeNet-5, no page settings) is recognised", () => {
    const { session } = readySession();
    tg.manualSeed(3);
    const cli = tg.models.lenet5();
    // What `tensorgrad train --model lenet5` writes (src/cli/run-folder.ts saveRun).
    const bytes = tg.io.serialize(cli.stateDict(), { format: 'pt', 'tensorgrad.model': 'lenet5' });
    const r = expectReply(handleRequest(session, { type: 'load', id: 3, bytes, name: 'model.safetensors' }), 'loaded');
    assert.equal(r.message, 'Loaded lenet5 (61,706 parameters) from model.safetensors');
    assert.equal(r.settings.model, 'lenet5');
    const w = session.current.model.stateDict()['features.0.weight']!;
    // Its checkpoint.safetensors: the weights under 'model.', beside the optimizer's state.
    const ck = Object.fromEntries(Object.entries(cli.stateDict()).map(([k, t]) => [`model.${k}`, t]));
    ck['optimizer.state.0.momentumBuffer'] = tg.zeros([6, 1, 5, 5]);
    const c = expectReply(handleRequest(session, { type: 'load', id: 4, bytes: tg.io.serialize(ck, { 'tensorgrad.checkpoint': '1' }), name: 'checkpoint.safetensors' }), 'loaded');
    assert.equal(c.message, 'Loaded lenet5 (61,706 parameters) from checkpoint.safetensors (the weights of a training checkpoint)');
    assert.deepEqual(Array.from(w.data() as ArrayLike<number>), Array.from(cli.stateDict()['features.0.weight']!.data() as ArrayLike<number>));
  });

  test("the CLI's MLP (no leading Flatten) and a bare small CNN are recognised from names and shapes", () => {
    const { session } = readySession();
    const mlp = tg.models.mlp({ sizes: [784, 256, 256, 10] });
    const r = expectReply(handleRequest(session, { type: 'load', id: 4, bytes: tg.io.serialize(mlp.stateDict()), name: 'mlp.safetensors' }), 'loaded');
    assert.equal(r.settings.model, 'mlp');
    assert.equal(r.settings.mlpHidden, 256);
    session.freshModel({ ...DEFAULT_SETTINGS, model: 'cnn', cnn: { blocks: 2, channels: 6, kernel: 5, pool: 'avg', batchNorm: true } });
    const bare = tg.io.serialize(session.current.model.stateDict());
    const c = expectReply(handleRequest(session, { type: 'load', id: 5, bytes: bare, name: 'cnn.safetensors' }), 'loaded');
    assert.deepEqual(c.settings.cnn, { blocks: 2, channels: 6, kernel: 5, pool: 'max', batchNorm: true });
    assert.match(c.message, /assumed max/);
  });

  test('garbage and truncated bytes are errors naming the file', () => {
    const { session } = readySession();
    const garbage = expectReply(handleRequest(session, { type: 'load', id: 6, bytes: new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9]), name: 'cat.jpg' }), 'error');
    assert.equal(garbage.id, 6);
    assert.match(garbage.message, /^cat\.jpg is not a readable safetensors file: /);
    const good = expectReply(handleRequest(session, { type: 'save', id: 7 }), 'saved').bytes;
    const cut = expectReply(handleRequest(session, { type: 'load', id: 8, bytes: good.slice(0, good.length - 100), name: 'cut.safetensors' }), 'error');
    assert.match(cut.message, /^cut\.safetensors is not a readable safetensors file: /);
    assert.equal(session.current.version, 1, 'a failed load leaves the current model');
  });

  test('a file that does not fit lists expected against found; an unknown network lists its tensors', () => {
    const { session } = readySession();
    const sd = tg.models.lenet5().stateDict();
    sd['features.3.weight'] = tg.zeros([8, 6, 5, 5]);
    delete sd['classifier.5.bias'];
    sd['extra.weight'] = tg.zeros([2]);
    const r = expectReply(handleRequest(session, { type: 'load', id: 9, bytes: tg.io.serialize(sd), name: 'odd.safetensors' }), 'error');
    assert.match(r.message, /^odd\.safetensors does not fit LeNet-5: /);
    assert.match(r.message, /features\.3\.weight: expected \[16, 6, 5, 5\], found \[8, 6, 5, 5\]/);
    assert.match(r.message, /classifier\.5\.bias: expected \[10\], found absent/);
    assert.match(r.message, /extra\.weight: not in LeNet-5 \(found \[2\]\)/);
    const other = expectReply(handleRequest(session, { type: 'load', id: 10, bytes: tg.io.serialize({ 'fc.weight': tg.zeros([3, 3]) }), name: 'x.safetensors' }), 'error');
    assert.match(other.message, /not a network the playground can build.*Found: fc\.weight \[3, 3\]/);
    const wide = tg.io.serialize({ '0.weight': tg.zeros([200, 1, 3, 3]), '0.bias': tg.zeros([200]) });
    const w = expectReply(handleRequest(session, { type: 'load', id: 12, bytes: wide, name: 'wide.safetensors' }), 'error');
    assert.match(w.message, /^wide\.safetensors: a network the playground cannot build \(channels must be/);
  });

  test('bad stored settings are refused with the problem', () => {
    const { session } = readySession();
    const bytes = tg.io.serialize(session.current.model.stateDict(), { [SETTINGS_KEY]: JSON.stringify({ ...DEFAULT_SETTINGS, lr: -1 }) });
    const r = expectReply(handleRequest(session, { type: 'load', id: 11, bytes, name: 'bad.safetensors' }), 'error');
    assert.match(r.message, /bad\.safetensors: its stored settings are not usable: learning rate/);
  });
});
