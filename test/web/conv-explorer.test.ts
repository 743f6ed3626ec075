// The convolution explorer's logic (web/src/conv-explorer) against tensorgrad
// itself: the formula against tg.analysis.convOutputSize, the padded grid
// against F.pad, every output grid against F.conv2d / maxPool2d / avgPool2d.
import '../../src/index.js';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tg from '../../src/index.js';
import type { Tensor } from '../../src/index.js';
import {
  explain, ExplorerError, listPresets, outputSizeFormula, padGrid, presetState, randomIntGrid, resizeGrid,
  validateSettings, zeroFill, type ExplorerSettings, type ExplorerState, type Grid, type PaddingMode,
} from '../../web/src/conv-explorer/model.js';

const { F } = tg;
const MODES: PaddingMode[] = ['zeros', 'reflect', 'replicate'];
const settings = (o: Partial<ExplorerSettings> = {}): ExplorerSettings =>
  ({ op: 'conv', inputH: 5, inputW: 5, kernel: 3, stride: 1, padding: 0, paddingMode: 'zeros', dilation: 1, ...o });
const asGrid = (t: Tensor): Grid => (t.reshape([t.shape.at(-2)!, t.shape.at(-1)!]).toArray() as Grid);
const img = (g: Grid): Tensor => tg.tensor(g).reshape([1, 1, g.length, g[0]!.length]);

/** What tensorgrad computes for the same settings: its own padding for zeros, F.pad otherwise. */
function reference(st: ExplorerState): Grid {
  const s = st.settings, p = s.padding;
  const mode = s.paddingMode;
  const own = mode === 'zeros';
  const x = mode === 'zeros' ? img(st.input) : F.pad(img(st.input), [p, p, p, p], { mode });
  const padding = own ? p : 0;
  if (s.op === 'conv') return asGrid(F.conv2d(x, img(st.weights), null, { stride: s.stride, padding, dilation: s.dilation }));
  if (s.op === 'max') return asGrid(F.maxPool2d(x, s.kernel, { stride: s.stride, padding, dilation: s.dilation }));
  return asGrid(F.avgPool2d(x, s.kernel, { stride: s.stride, padding }));
}

function assertClose(actual: Grid, expected: Grid, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: rows`);
  actual.forEach((row, r) => {
    assert.equal(row.length, expected[r]!.length, `${what}: cols`);
    row.forEach((v, c) => assert.ok(Math.abs(v - expected[r]![c]!) <= 1e-5 * Math.max(1, Math.abs(v)), `${what} [${r},${c}]: ${v} vs ${expected[r]![c]}`));
  });
}

describe('output-size formula', () => {
  test('the written example', () => {
    const f = outputSizeFormula(5, 3, 1, 1, 1);
    assert.equal(f.steps[0], 'floor((5 + 2·1 − 1·(3 − 1) − 1) / 1) + 1');
    assert.equal(f.text, 'floor((5 + 2·1 − 1·(3 − 1) − 1) / 1) + 1 = floor(4 / 1) + 1 = 4 + 1 = 5');
    assert.equal(f.value, 5);
  });

  test('equals convOutputSize over a grid of settings, and each step evaluates to the next', () => {
    let checked = 0;
    for (const n of [1, 2, 5, 7, 12]) for (const k of [1, 2, 3, 5]) for (const s of [1, 2, 3])
      for (const p of [0, 1, 2]) for (const d of [1, 2, 3]) {
        const f = outputSizeFormula(n, k, s, p, d);
        assert.equal(f.value, tg.analysis.convOutputSize(n, { kernel: k, stride: s, padding: p, dilation: d }));
        // The text is honest arithmetic: evaluate every step as JS and compare.
        for (const step of f.steps) {
          const js = step.replaceAll('floor', 'Math.floor').replaceAll('·', '*').replaceAll('−', '-');
          assert.equal(Function(`return ${js}`)(), f.value, step);
        }
        assert.equal(f.text.split(' = ').at(-1), f.value < 0 ? `−${-f.value}` : String(f.value));
        checked++;
      }
    assert.equal(checked, 540);
  });
});

describe('padded grid = F.pad', () => {
  for (const mode of MODES) {
    test(mode, () => {
      const input = randomIntGrid(4, 5, 11, -5, 9);
      for (const p of [0, 1, 2, 3]) {
        const g = padGrid(input, p, mode);
        const tgMode = mode === 'zeros' ? 'constant' : mode;
        assert.deepEqual(g.values, asGrid(F.pad(img(input), [p, p, p, p], { mode: tgMode })), `p=${p}`);
        // Border marks: exactly the cells outside rows p..p+3, cols p..p+4.
        g.padded.forEach((row, r) => row.forEach((b, c) => assert.equal(b, r < p || r >= 4 + p || c < p || c >= 5 + p)));
        // Sources point at the value they copy.
        g.source.forEach((row, r) => row.forEach((src, c) => {
          if (src) assert.equal(input[src[0]]![src[1]], g.values[r]![c]);
          else assert.ok(mode === 'zeros' && g.padded[r]![c]);
        }));
      }
    });
  }

  test("max pooling's zeros border is −∞, F.maxPool2d's padding", () => {
    assert.equal(zeroFill('max'), -Infinity);
    const g = padGrid([[1, 2], [3, 4]], 1, 'zeros', zeroFill('max'));
    assert.deepEqual(g.values[0], [-Infinity, -Infinity, -Infinity, -Infinity]);
    assert.deepEqual(g.values[1], [-Infinity, 1, 2, -Infinity]);
  });
});

describe('output grids = tg.F on random integers', () => {
  const cases: Partial<ExplorerSettings>[] = [
    { inputH: 5, inputW: 5, kernel: 3 },
    { inputH: 6, inputW: 7, kernel: 3, stride: 2, padding: 1 },
    { inputH: 7, inputW: 6, kernel: 2, stride: 1, padding: 1, dilation: 2 },
    { inputH: 8, inputW: 8, kernel: 3, stride: 3, padding: 1, dilation: 2 },
    { inputH: 5, inputW: 9, kernel: 4, stride: 2, padding: 2 },
    { inputH: 4, inputW: 4, kernel: 1, stride: 2, padding: 0 },
  ];
  for (const op of ['conv', 'max', 'avg'] as const) {
    for (const mode of MODES) {
      test(`${op}, ${mode}`, () => {
        let checked = 0;
        cases.forEach((c, i) => {
          const s = settings({ ...c, op, paddingMode: mode });
          if (validateSettings(s).length) return; // e.g. avg + dilation, pool padding > k/2 with zeros
          const st: ExplorerState = {
            settings: s,
            input: randomIntGrid(s.inputH, s.inputW, 100 + i, -9, 9),
            weights: randomIntGrid(s.kernel, s.kernel, 200 + i, -3, 3),
          };
          const ex = explain(st);
          assertClose(ex.output, reference(st), `${op}/${mode} case ${i}`);
          assert.equal(ex.outH, tg.analysis.convOutputSize(s.inputH, { kernel: s.kernel, stride: s.stride, padding: s.padding, dilation: s.dilation }));
          checked++;
        });
        assert.ok(checked >= 3, `only ${checked} cases were valid`);
      });
    }
  }

  test('each window lists k·k cells at r·s + i·d with its weight and product', () => {
    const st: ExplorerState = { settings: settings({ inputH: 6, inputW: 6, stride: 2, padding: 1, dilation: 2 }), input: randomIntGrid(6, 6, 3, 0, 9), weights: randomIntGrid(3, 3, 4, -2, 2) };
    const ex = explain(st);
    const cell = ex.cells[1]![1]!;
    assert.deepEqual(cell.cells.map((x) => [x.row, x.col]), [[2, 2], [2, 4], [2, 6], [4, 2], [4, 4], [4, 6], [6, 2], [6, 4], [6, 6]]);
    cell.cells.forEach((x, i) => {
      assert.equal(x.weight, st.weights[Math.floor(i / 3)]![i % 3]);
      assert.equal(x.product, x.value * x.weight!);
      assert.equal(x.padded, x.row === 6 || x.col === 6 ? false : ex.padded.padded[x.row]![x.col]);
    });
    assert.equal(cell.value, cell.cells.reduce((a, x) => a + x.product!, 0));
    assert.ok(cell.text.endsWith(`= ${cell.value < 0 ? '−' + -cell.value : cell.value}`), cell.text);
  });

  test('the arithmetic text of max and avg', () => {
    const input = [[1, 5], [3, 2]];
    const max = explain({ settings: settings({ op: 'max', inputH: 2, inputW: 2, kernel: 2 }), input, weights: [] });
    assert.equal(max.cells[0]![0]!.text, 'max(1, 5, 3, 2) = 5');
    const avg = explain({ settings: settings({ op: 'avg', inputH: 2, inputW: 2, kernel: 2 }), input, weights: [] });
    assert.equal(avg.cells[0]![0]!.text, '(1 + 5 + 3 + 2) / 4 = 2.75');
    const neg = explain({ settings: settings({ op: 'avg', inputH: 1, inputW: 2, kernel: 1, stride: 1 }), input: [[-1, 2]], weights: [] });
    assert.equal(neg.cells[0]![0]!.text, '(−1) / 1 = −1');
    const conv = explain({ settings: settings({ inputH: 2, inputW: 2, kernel: 2 }), input, weights: [[1, -1], [0, 2]] });
    assert.equal(conv.cells[0]![0]!.text, '1·1 + 5·(−1) + 3·0 + 2·2 = 0');
  });
});

describe('presets', () => {
  test('5x5 input with a 3x3 kernel: 3x3 output, the classic numbers', () => {
    const st = presetState('classic-5x5');
    const ex = explain(st);
    assert.equal(ex.formulaH.text, 'floor((5 + 2·0 − 1·(3 − 1) − 1) / 1) + 1 = floor(2 / 1) + 1 = 2 + 1 = 3');
    assert.deepEqual(ex.output, [[4, 3, 4], [2, 4, 3], [2, 3, 4]]);
    assert.deepEqual(ex.output, reference(st));
  });

  test('X-pattern: the match lights up only where the X is', () => {
    const st = presetState('x-pattern');
    const ex = explain(st);
    assert.deepEqual(ex.output, reference(st));
    const flat = ex.output.flat();
    const best = Math.max(...flat);
    assert.equal(best, 5); // all five X cells under the kernel's +1 taps
    assert.equal(flat.filter((v) => v === best).length, 1);
    assert.equal(ex.output[1]![1], best); // the window whose top-left is (1, 1) covers the X
    assert.ok(flat.every((v) => v === best || v <= 2), 'the plus and partial overlaps score far lower');
  });

  test('2x2 max pooling, stride 2', () => {
    const st = presetState('max-pool-2x2');
    const ex = explain(st);
    assert.deepEqual(ex.output, [[6, 8], [3, 4]]);
    assert.deepEqual(ex.output, reference(st));
    // F.maxPool2d's default stride is the kernel: the preset's explicit stride 2 agrees with it.
    assert.deepEqual(asGrid(F.maxPool2d(img(st.input), 2)), ex.output);
  });

  test('listPresets returns copies', () => {
    const list = listPresets();
    assert.deepEqual(list.map((p) => p.id), ['classic-5x5', 'x-pattern', 'max-pool-2x2']);
    list[0]!.state.input[0]![0] = 99;
    assert.equal(presetState('classic-5x5').input[0]![0], 1);
    assert.throws(() => presetState('nope' as never), /unknown preset 'nope'/);
  });
});

describe('impossible settings', () => {
  const msg = (o: Partial<ExplorerSettings>) => validateSettings(settings(o));

  test('non-positive or non-integer sizes', () => {
    assert.deepEqual(msg({ stride: 0 }), ['stride must be a positive integer (got 0)']);
    assert.deepEqual(msg({ dilation: -1 }), ['dilation must be a positive integer (got -1)']);
    assert.deepEqual(msg({ padding: -1 }), ['padding must be a non-negative integer (got -1)']);
    assert.deepEqual(msg({ inputH: 0 }), ['input height must be an integer from 1 to 16 (got 0)']);
    assert.deepEqual(msg({ kernel: 1.5 }), ['kernel size must be an integer from 1 to 7 (got 1.5)']);
    assert.equal(msg({ stride: 0, padding: -2 }).length, 2);
  });

  test('kernel larger than the padded input', () => {
    assert.deepEqual(msg({ inputH: 2, inputW: 5, kernel: 3 }), [
      'the convolution window spans 3 cells but the padded input is only 2 cells tall (2 + 2·0): make the kernel smaller or add padding',
    ]);
    assert.deepEqual(msg({ inputH: 4, inputW: 4, kernel: 3, dilation: 2, padding: 0 }).length, 2);
    assert.match(msg({ inputH: 4, inputW: 4, kernel: 3, dilation: 2 })[0]!, /spans 5 cells \(dilation 2·\(3 − 1\) \+ 1\)/);
    assert.deepEqual(msg({ inputH: 2, inputW: 2, kernel: 3, padding: 1 }), []); // padding makes it fit
    // Every rejection here is also one tensorgrad makes.
    assert.throws(() => F.conv2d(tg.zeros([1, 1, 2, 5]), tg.zeros([1, 1, 3, 3])));
  });

  test('reflect padding must be smaller than the input', () => {
    assert.deepEqual(msg({ inputH: 3, inputW: 5, padding: 3, paddingMode: 'reflect' }), [
      'reflect padding 3 must be less than the input height 3: the mirror image skips the edge cell, so it has only 2 cells to copy',
    ]);
    assert.throws(() => F.pad(tg.zeros([1, 1, 3, 5]), [3, 3, 3, 3], { mode: 'reflect' }), /reflect padding 3 must be less than/);
  });

  test("pooling rules: avg has no dilation, zeros padding at most half the window", () => {
    assert.deepEqual(msg({ op: 'avg', dilation: 2, inputH: 8, inputW: 8 }), ['average pooling has no dilation (F.avgPool2d takes none): set dilation to 1 (got 2)']);
    assert.deepEqual(msg({ op: 'max', kernel: 2, padding: 2 }), ['max pooling: padding 2 must be at most half the kernel size 2 (1), as in F.maxPool2d']);
    assert.throws(() => F.maxPool2d(tg.zeros([1, 1, 5, 5]), 2, { padding: 2 }), /at most half/);
    assert.deepEqual(msg({ op: 'max', kernel: 2, padding: 2, paddingMode: 'replicate' }), []); // explicit border: any amount
  });

  test('explain throws every reason; grids must match the settings', () => {
    const bad: ExplorerState = { settings: settings({ stride: 0, dilation: 0 }), input: [], weights: [] };
    assert.throws(() => explain(bad), (e: unknown) => e instanceof ExplorerError && e.errors.length === 2 && /stride must be/.test(e.message));
    const st = presetState('classic-5x5');
    st.weights = [[1, 2], [3, 4]];
    assert.throws(() => explain(st), /the kernel grid must be 3x3 \(got 2x2\)/);
    st.weights = presetState('classic-5x5').weights;
    st.input[0]![0] = NaN;
    assert.throws(() => explain(st), /input grid must hold finite numbers/);
  });
});

test('resizeGrid keeps what fits', () => {
  assert.deepEqual(resizeGrid([[1, 2], [3, 4]], 3, 1, () => 0), [[1], [3], [0]]);
  assert.deepEqual(randomIntGrid(3, 3, 5, 0, 9), randomIntGrid(3, 3, 5, 0, 9));
});
