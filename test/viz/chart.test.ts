import '../../src/index.js';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { barChart, lineChart } from '../../src/viz/chart.js';
import { heatmapChart } from '../../src/viz/chart-heatmap.js';
import { colormap } from '../../src/viz/colormap.js';
import * as tg from '../../src/index.js';
import { assertWellFormedXml } from '../experiments/xml.js';

const titles = (svg: string) => [...svg.matchAll(/<title>([^<]*)<\/title>/g)].map((m) => m[1]!);
const count = (s: string, re: RegExp) => (s.match(re) ?? []).length;

describe('lineChart', () => {
  test('markers carry their exact values; names are escaped in text and tooltips', () => {
    const svg = lineChart({ title: 't', xLabel: 'step', yLabel: 'y', series: [{ name: 'a "b" <c>', x: [1, 2], y: [0.123456, 2] }] });
    assertWellFormedXml(svg);
    assert.deepEqual(titles(svg), ['a &quot;b&quot; &lt;c&gt;, step 1: 0.1235', 'a &quot;b&quot; &lt;c&gt;, step 2: 2']);
  });

  test('two charts inlined in one page do not share a clip-path id; the same chart keeps its id', () => {
    const a = lineChart({ title: 'a', xLabel: 'x', yLabel: 'y', series: [{ name: 's', x: [1, 2], y: [1, 2] }] });
    const b = lineChart({ title: 'b', xLabel: 'x', yLabel: 'y', series: [{ name: 's', x: [1, 2], y: [1, 2] }], height: 300 });
    const id = (svg: string) => /<clipPath id="([^"]+)"/.exec(svg)![1]!;
    assert.notEqual(id(a), id(b));
    assert.equal(id(a), id(lineChart({ title: 'a', xLabel: 'x', yLabel: 'y', series: [{ name: 's', x: [1, 2], y: [1, 2] }] })));
    assert.ok(a.includes(`clip-path="url(#${id(a)})"`));
  });
});

describe('barChart', () => {
  test('fixed range, one colour, formatted values; long labels are slanted', () => {
    const labels = ['T-shirt/top', 'Trouser', 'Pullover'];
    const svg = barChart({ title: 'Per class', xLabel: 'class', yLabel: '%', labels, values: [97.25, 50, 0], yMin: 0, yMax: 100, color: '#123456', format: (v) => `${v}%`, width: 300 });
    assertWellFormedXml(svg);
    assert.deepEqual(titles(svg), ['T-shirt/top: 97.25%', 'Trouser: 50%', 'Pullover: 0%']);
    assert.equal(count(svg, /fill="#123456"/g), 3);
    assert.equal(count(svg, /transform="rotate\(-35 /g), 3);
    assert.ok(svg.includes('>100%</text>'), 'the fixed top of the range is a tick');
    // Bar heights are proportional to the values on the fixed 0..100 axis.
    const h = [...svg.matchAll(/<rect x="[\d.]+" y="[\d.]+" width="[\d.]+" height="([\d.]+)" fill="#123456"/g)].map((m) => Number(m[1]));
    assert.ok(Math.abs(h[0]! / h[1]! - 97.25 / 50) < 0.01, `heights ${h}`);
    assert.equal(h[2], 0);
  });
});

describe('barChart slanted labels', () => {
  test('the chart grows below the axis so the longest slanted label and the axis title below it fit', () => {
    const labels = ['none', 'L2 weight decay', 'dropout', 'batch norm', 'augmentation (shifts)'];
    const svg = barChart({ title: 'Gap', xLabel: 'regulariser', yLabel: 'points', labels, values: [16.3, 15.5, 17.9, 17, 13.6] });
    const height = Number(/<svg[^>]* height="(\d+)"/.exec(svg)![1]);
    const axisY = Number(/<line x1="70" y1="([\d.]+)" x2="[\d.]+" y2="\1" stroke="black"\/>/.exec(svg)![1]);
    const titleY = Number(/<text x="[\d.]+" y="([\d.]+)"[^>]*>regulariser<\/text>/.exec(svg)![1]);
    // The longest label, slanted at -35° from 14 px under the axis, at ~6.5 px a character.
    const lowest = axisY + 14 + Math.sin((35 * Math.PI) / 180) * 6.5 * 'augmentation (shifts)'.length;
    assert.ok(height > 420, `height ${height}`);
    assert.ok(titleY > lowest && titleY < height, `axis title at ${titleY}, labels down to ${lowest}, height ${height}`);
    assert.equal(axisY, 365, 'the plot area keeps its default size');
  });
});

describe('heatmapChart', () => {
  const values = [[0, 1, 2], [3, 4, 5]];
  const o = { title: 'H', xLabel: 'col', yLabel: 'row', values, rowLabels: ['r0', 'r1'], colLabels: ['a', 'b', 'c'] };

  test('one cell per value, coloured by the colormap tables, with text and tooltips', () => {
    const svg = heatmapChart({ ...o, cellText: (r, c) => `${values[r]![c]}`, range: [0, 5] });
    assertWellFormedXml(svg, 'heatmap');
    assert.deepEqual(titles(svg), ['r0, a: 0', 'r0, b: 1', 'r0, c: 2', 'r1, a: 3', 'r1, b: 4', 'r1, c: 5']);
    const fills = [...svg.matchAll(/<rect x="\d+" y="\d+" width="40" height="40" fill="(#[0-9a-f]{6})"><title>/g)].map((m) => m[1]);
    const rgb = colormap(tg.tensor([[0, 5]]), { map: 'viridis', range: [0, 5] }).data();
    const hex = (i: number) => `#${[0, 1, 2].map((ch) => Math.round(rgb[ch * 2 + i]! * 255).toString(16).padStart(2, '0')).join('')}`;
    assert.equal(fills.length, 6);
    assert.equal(fills[0], hex(0), 'the lowest value gets the first colour of viridis');
    assert.equal(fills[5], hex(1), 'the highest the last');
    // Text is white on viridis's dark end and black on its light end.
    assert.ok(/fill="white" [^>]*>0<\/text>/.test(svg) && /fill="black" [^>]*>5<\/text>/.test(svg));
  });

  test('text too wide for small cells is left out (the tooltip keeps it)', () => {
    const big = Array.from({ length: 50 }, (_, r) => Array.from({ length: 50 }, (_, c) => r * 1000 + c));
    const labels = big.map((_, i) => `c${i}`);
    const svg = heatmapChart({ ...o, values: big, rowLabels: labels, colLabels: labels, cellText: (r, c) => String(big[r]![c]) });
    assertWellFormedXml(svg);
    assert.ok(svg.includes('>5</text>') && !svg.includes('>49049</text>'), 'short counts fit, five digits do not');
    assert.equal(titles(svg).length, 2500);
  });

  test('non-finite cells are grey; bad shapes name the function', () => {
    const svg = heatmapChart({ ...o, values: [[0, NaN, 2], [3, 4, 5]] });
    assertWellFormedXml(svg);
    assert.equal(count(svg, /fill="#dddddd"/g), 1);
    assert.ok(!svg.includes('NaN"'));
    assert.throws(() => heatmapChart({ ...o, values: [[1, 2], [3, 4]] }), /heatmapChart: values must be 2 rows \(one per row label\) of 3 numbers/);
  });
});
