// The Inside tab's number formatting and channel paging (web/src/app/inside-format.ts).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  channelPage, channelPageLabels, formatActivation, formatBytes, formatCount, formatFlops, formatShape,
} from '../../web/src/app/inside-format.js';

describe('inside-format', () => {
  test('counts get thousands separators', () => {
    assert.equal(formatCount(61706), '61,706');
    assert.equal(formatCount(0), '0');
    assert.equal(formatCount(1234567.4), '1,234,567');
    assert.equal(formatCount(999), '999');
  });

  test('FLOPs are humanised in K / M / G', () => {
    assert.equal(formatFlops(416_520), '0.42 M');
    assert.equal(formatFlops(1_200_000), '1.20 M');
    assert.equal(formatFlops(2_300_000_000), '2.30 G');
    assert.equal(formatFlops(12_345), '12.35 K');
    assert.equal(formatFlops(840), '840');
    assert.equal(formatFlops(0), '0');
  });

  test('shapes, sizes and activations', () => {
    assert.equal(formatShape([6, 28, 28]), '6 × 28 × 28');
    assert.equal(formatShape([10]), '10');
    assert.equal(formatShape([]), 'scalar');
    assert.equal(formatBytes(247_180), '247 KB');
    assert.equal(formatBytes(2_500_000), '2.5 MB');
    assert.equal(formatBytes(12), '12 bytes');
    assert.equal(formatActivation(12.3456), '12.3');
    assert.equal(formatActivation(0.000123456), '0.000123');
    assert.equal(formatActivation(-3), '-3');
  });

  test('channel pages cover every channel once, in order', () => {
    for (const [channels, perPage] of [[6, 8], [16, 8], [20, 8], [1, 8], [120, 16]] as const) {
      const labels = channelPageLabels(channels, perPage);
      const all = labels.flatMap((_, p) => channelPage(channels, perPage, p));
      assert.deepEqual(all, Array.from({ length: channels }, (_, i) => i), `${channels}/${perPage}`);
      assert.equal(labels.length, Math.ceil(channels / perPage));
    }
    assert.deepEqual(channelPageLabels(20, 8), ['channels 0–7', 'channels 8–15', 'channels 16–19']);
    assert.deepEqual(channelPageLabels(17, 8).at(-1), 'channel 16');
    assert.deepEqual(channelPage(20, 8, 5), []);
  });
});
