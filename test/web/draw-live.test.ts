import '../../src/index.js';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { LatestOnly } from '../../web/src/app/draw-live.js';
import { modelLabel, percent } from '../../web/src/app/draw-prediction.js';
import { rangeText, shapeText } from '../../web/src/app/draw-maps.js';
import { colourScaleCss } from '../../web/src/app/draw-image.js';

/** A fake worker: each send returns a promise the test resolves or rejects by hand. */
function fakeSend() {
  const calls: { query: number; resolve: (r: string) => void; reject: (e: Error) => void }[] = [];
  const send = (query: number): Promise<string> => new Promise((resolve, reject) => calls.push({ query, resolve, reject }));
  return { calls, send };
}
const tick = (): Promise<void> => new Promise((r) => setTimeout(r, 0));

describe('LatestOnly', () => {
  test('one request in flight; the newest waiting query is sent when it returns', async () => {
    const { calls, send } = fakeSend();
    const replies: string[] = [];
    const pending: boolean[] = [];
    const live = new LatestOnly<number, string>({ send, onReply: (r) => replies.push(r), onError: assert.fail, onPendingChange: (p) => pending.push(p) });
    live.submit(1);
    live.submit(2);
    live.submit(3);
    assert.deepEqual(calls.map((c) => c.query), [1]);
    assert.equal(live.pending, true);
    calls[0]!.resolve('r1');
    await tick();
    assert.deepEqual(calls.map((c) => c.query), [1, 3], 'query 2 was replaced by 3');
    assert.deepEqual(replies, ['r1'], 'the first reply is still shown while the newest runs');
    calls[1]!.resolve('r3');
    await tick();
    assert.deepEqual(replies, ['r1', 'r3']);
    assert.equal(live.pending, false);
    assert.equal(pending.at(-1), false);
  });

  test('cancel drops the waiting query and ignores the in-flight reply', async () => {
    const { calls, send } = fakeSend();
    const replies: string[] = [];
    const live = new LatestOnly<number, string>({ send, onReply: (r) => replies.push(r), onError: assert.fail });
    live.submit(1);
    live.submit(2);
    live.cancel();
    calls[0]!.resolve('r1');
    await tick();
    assert.deepEqual(replies, []);
    assert.equal(calls.length, 1);
    live.submit(4);
    calls[1]!.resolve('r4');
    await tick();
    assert.deepEqual(replies, ['r4']);
  });

  test('an error is reported and the next submit tries again; a throwing send counts as an error', async () => {
    const { calls, send } = fakeSend();
    const errors: string[] = [];
    let throwNow = false;
    const live = new LatestOnly<number, string>({
      send: (q) => { if (throwNow) throw new Error('no worker'); return send(q); },
      onReply: () => {},
      onError: (e) => errors.push((e as Error).message),
    });
    live.submit(1);
    calls[0]!.reject(new Error('not ready'));
    await tick();
    throwNow = true;
    live.submit(2);
    await tick();
    assert.deepEqual(errors, ['not ready', 'no worker']);
    assert.equal(live.pending, false);
  });
});

describe('Draw tab text', () => {
  test('model label, percentages, shapes and ranges', () => {
    assert.match(modelLabel(0), /untrained network/);
    assert.equal(modelLabel(1200), 'the network after 1,200 training steps');
    assert.equal(modelLabel(1), 'the network after 1 training step');
    assert.equal(percent(0.98765), '98.8%');
    assert.equal(percent(0), '0.0%');
    assert.equal(percent(1e-5), '<0.1%');
    assert.equal(shapeText([6, 28, 28]), '6×28×28');
    assert.equal(shapeText([120]), '120');
    assert.equal(rangeText([-0.00012, 4.5678]), '-0.00012 … 4.57');
    assert.equal(rangeText([-0, 1]), '0 … 1');
  });

  test('the legend colour scale is viridis, dark to bright', () => {
    assert.match(colourScaleCss(), /^linear-gradient\(to right, #440154, .*#fde725\)$/);
  });
});
