import '../../src/index.js';
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tg from '../../src/index.js';
import { handleRequest } from '../../web/src/worker/handlers.js';
import { DEFAULT_SETTINGS, type FromWorker, type RunState } from '../../web/src/worker/protocol.js';
import type { WorkerSession } from '../../web/src/worker/model-state.js';
import { digitOf, readySession } from './worker-helpers.js';

before(async () => {
  await tg.ready();
});

/** 640 synthetic training images in batches of 64: 10 steps per epoch. */
const SHORT = { ...DEFAULT_SETTINGS, batchSize: 64, epochs: 1 };
const nextTick = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Resolves once `messages` holds a state message `s` after index `from`. */
async function untilState(messages: FromWorker[], s: RunState, from = 0): Promise<void> {
  for (let i = 0; i < 5000; i++) {
    if (messages.slice(from).some((m) => m.type === 'state' && m.state === s)) return;
    await nextTick();
  }
  throw new Error(`no '${s}' state; got ${messages.map((m) => m.type === 'state' ? m.state : m.type).join(', ')}`);
}

describe('worker session', () => {
  test('answers an inspect between training steps, with the step count so far', async () => {
    let session!: WorkerSession;
    let calls = 0;
    let reply: FromWorker | null = null;
    const yieldNow = async () => {
      calls++;
      if (calls === 3) {
        reply = handleRequest(session, { type: 'inspect', id: 42, digit: digitOf(session.data!.test, 1), saliency: true });
        assert.ok(session.current.model.modules().every((m) => m.training), 'the running model stays in training mode');
      }
      await nextTick();
    };
    const made = readySession({ yieldNow, reportMs: 0 });
    session = made.session;
    const { messages } = made;
    assert.deepEqual(messages, [{ type: 'model', modelVersion: 1, settings: DEFAULT_SETTINGS }]);
    session.start(SHORT);
    assert.deepEqual(messages.slice(1, 3), [{ type: 'model', modelVersion: 2, settings: SHORT }, { type: 'state', state: 'running' }]);
    await untilState(messages, 'done');
    const r = reply as FromWorker | null;
    assert.ok(r && r.type === 'inspected', r?.type === 'error' ? r.message : 'no reply');
    assert.equal(r.id, 42);
    assert.equal(r.step, 3);
    assert.equal(r.modelVersion, 2);
    assert.equal(session.current.step, 10);
    assert.ok(messages.some((m) => m.type === 'epoch'));
  });

  test('start after done is a new run; reset builds a fresh model with the last settings', async () => {
    const { session, messages } = readySession({ reportMs: 1000, yieldNow: nextTick });
    session.start(SHORT);
    await untilState(messages, 'done');
    session.start(SHORT);
    assert.equal(session.current.version, 3);
    assert.ok(session.current.step <= 1, 'a new model (its first step runs before run() first awaits)');
    session.pause();
    session.reset();
    assert.equal(session.current.version, 4);
    assert.deepEqual(session.current.settings, SHORT);
    assert.equal(session.current.origin, 'fresh');
    assert.equal(session.training, false);
    assert.deepEqual(messages.slice(-3).map((m) => (m.type === 'state' ? m.state : m.type)), ['paused', 'idle', 'model']);
  });

  test('a load stops the run; Start then continues the loaded weights when the architecture matches', async () => {
    const { session, messages } = readySession({ reportMs: 1000, yieldNow: nextTick });
    session.current.step = 20;
    const saved = handleRequest(session, { type: 'save', id: 1 });
    assert.ok(saved.type === 'saved');
    session.start({ ...SHORT, epochs: 50 });
    await nextTick();
    const loaded = handleRequest(session, { type: 'load', id: 2, bytes: saved.bytes, name: saved.fileName });
    assert.ok(loaded.type === 'loaded', loaded.type === 'error' ? loaded.message : '');
    assert.equal(session.training, false, 'the load stopped the run');
    const version = session.current.version;
    const from = messages.length;
    session.start({ ...SHORT, optimizer: 'adam', lr: 0.001 });
    assert.equal(session.current.version, version, 'same model, trained further');
    await untilState(messages, 'done', from);
    assert.equal(session.current.step, 30);
    assert.equal(session.current.settings.optimizer, 'adam');
    session.start({ ...SHORT, model: 'mlp' });
    assert.equal(session.current.version, version + 1, 'after that run, Start is a new run');
    session.reset();
  });

  test('a load whose architecture differs from the form: Start builds a new model', () => {
    const { session } = readySession({ reportMs: 1000, yieldNow: nextTick });
    const saved = handleRequest(session, { type: 'save', id: 1 });
    assert.ok(saved.type === 'saved');
    handleRequest(session, { type: 'load', id: 2, bytes: saved.bytes, name: 'a.safetensors' });
    const version = session.current.version;
    session.start({ ...SHORT, model: 'cnn' });
    assert.equal(session.current.version, version + 1);
    assert.equal(session.current.settings.model, 'cnn');
    session.reset();
  });
});
