import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { lineChart, barChart, niceTicks } from '../../src/viz/chart.js';
import { imageGrid, labelledSheet, upscaleNearest } from '../../src/viz/sheet.js';
import * as tg from '../../src/index.js';
import { assertWellFormedXml, parseCsv } from './xml.js';
import { toCsv } from '../../src/experiments/report.js';

const count = (s: string, re: RegExp) => (s.match(re) ?? []).length;

describe('lineChart', () => {
  test('one path per series, legend names escaped, valid SVG', () => {
    const svg = lineChart({
      title: 'Loss & accuracy <test>', xLabel: 'epoch', yLabel: 'loss',
      series: [
        { name: 'train', x: [1, 2, 3], y: [1, 0.5, 0.25] },
        { name: 'a<b & c', x: [1, 2, 3], y: [2, 1, 0.5] },
        { name: 'test', x: [1, 2, 3], y: [1.5, 0.7, 0.4] },
      ],
    });
    assertWellFormedXml(svg, 'lineChart');
    assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    assert.equal(count(svg, /<path /g), 3);
    assert.equal(count(svg, /<circle /g), 9);
    assert.ok(svg.includes('a&lt;b &amp; c'));
    assert.ok(svg.includes('Loss &amp; accuracy &lt;test&gt;'));
  });

  test('log axes drop non-positive values; dashed and coloured series', () => {
    const svg = lineChart({
      title: 't', xLabel: 'x', yLabel: 'y', logY: true, logX: true,
      series: [
        { name: 'a', x: [1, 10, 100], y: [0, 1e-3, 1e-1], dashed: true, color: '#123456' },
        { name: 'b', x: [0, 10, 100], y: [1, 1, 1] },
      ],
    });
    assertWellFormedXml(svg, 'log chart');
    assert.equal(count(svg, /<path /g), 2);
    assert.equal(count(svg, /<circle /g), 4, 'the point at y=0 and the one at x=0 are dropped');
    assert.ok(svg.includes('stroke="#123456" stroke-width="2" stroke-dasharray="6 4"'));
    assert.ok(!svg.includes('NaN'));
  });

  test('fixed y range, many points without markers, empty input', () => {
    const x = Array.from({ length: 100 }, (_, i) => i);
    const svg = lineChart({ title: 't', xLabel: 'x', yLabel: 'y', yMin: 0, yMax: 100, series: [{ name: 's', x, y: x.map((v) => v * 2) }] });
    assertWellFormedXml(svg);
    assert.equal(count(svg, /<circle /g), 0);
    assert.ok(svg.includes('>100</text>'));
    const empty = lineChart({ title: 't', xLabel: 'x', yLabel: 'y', series: [] });
    assertWellFormedXml(empty);
    assert.equal(count(empty, /<path /g), 0);
    assert.ok(!empty.includes('NaN') && !empty.includes('Infinity'));
  });

  test('niceTicks covers the range with round steps', () => {
    assert.deepEqual(niceTicks(0, 1, 5), [0, 0.2, 0.4, 0.6, 0.8, 1]);
    assert.deepEqual(niceTicks(3, 3), [3]);
  });
});

describe('barChart', () => {
  test('one bar per finite value, every label shown', () => {
    const svg = barChart({ title: 'Accuracy', xLabel: 'depth', yLabel: '%', labels: ['0', '1', '2', 'x<y'], values: [90, 95.5, NaN, -3] });
    assertWellFormedXml(svg, 'barChart');
    // One white background rectangle plus one per finite bar.
    assert.equal(count(svg, /<rect /g), 1 + 3);
    for (const l of ['>0<', '>1<', '>2<', '>x&lt;y<']) assert.ok(svg.includes(l), `label ${l}`);
  });
});

describe('image sheets', () => {
  test('imageGrid tiles images with padding; upscaleNearest repeats pixels', () => {
    const imgs = [0, 1, 2].map((v) => tg.full([1, 2, 3], v / 2));
    const grid = imageGrid(imgs, { columns: 2, padding: 1, background: 1 });
    assert.deepEqual(grid.shape, [1, 2 * 3 + 1, 2 * 4 + 1]);
    const d = grid.data();
    assert.equal(d[1 * 9 + 1], 0);
    assert.equal(d[1 * 9 + 5], 0.5);
    assert.equal(d[4 * 9 + 1], 1);
    const up = upscaleNearest(tg.tensor([[[1, 2], [3, 4]]]), 2);
    assert.deepEqual(up.toArray(), [[[1, 1, 2, 2], [1, 1, 2, 2], [3, 3, 4, 4], [3, 3, 4, 4]]]);
    assert.throws(() => imageGrid([tg.zeros([1, 2, 2]), tg.zeros([1, 3, 3])]), /same shape/);
  });

  test('labelledSheet embeds one PNG per cell with its label', () => {
    const svg = labelledSheet([{ label: 'blur', image: tg.rand([1, 8, 8]) }, { label: 'a & b', image: tg.rand([8, 8]) }], { title: 'Sheet', columns: 2 });
    assertWellFormedXml(svg, 'labelledSheet');
    assert.equal(count(svg, /<image /g), 2);
    assert.equal(count(svg, /href="data:image\/png;base64,iVBORw0KGgo/g), 2);
    assert.ok(svg.includes('>a &amp; b<'));
  });
});

describe('toCsv', () => {
  test('quotes fields with commas, quotes and newlines; unions columns', () => {
    const csv = toCsv([{ a: 1, b: 'x,y' }, { a: NaN, c: 'say "hi"\nthere' }]);
    assert.deepEqual(parseCsv(csv), [['a', 'b', 'c'], ['1', 'x,y', ''], ['', '', 'say "hi"\nthere']]);
  });
});
