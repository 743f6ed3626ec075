import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tg from '../../src/index.js';
import { COLORMAPS, colormap, overlay, type ColormapName } from '../../src/viz/colormap.js';
import { MAGMA, RDBU_R, VIRIDIS } from '../../src/viz/colormap-data.js';
import { upscaleNearest } from '../../src/viz/sheet.js';
import { withBackend } from '../helpers/check-op.js';

/*
 * Colormaps are matplotlib's tables, interpolated linearly: the ends are the
 * tables' first and last rows, a row's own position gives that row exactly,
 * and defaults (min..max, symmetric for diverging, constant -> middle) hold.
 */

type Tensor = tg.Tensor;
const TABLES: Record<ColormapName, readonly number[]> = { viridis: VIRIDIS, magma: MAGMA, diverging: RDBU_R };
const row = (table: readonly number[], i: number) => [0, 1, 2].map((k) => Math.fround(table[3 * i + k]!));
/** The RGB of pixel p of an image [3, H, W]. */
const pixel = (img: Tensor, p: number) => {
  const d = img.data(), plane = img.shape[1]! * img.shape[2]!;
  return [0, 1, 2].map((k) => d[k * plane + p]!);
};
const rows = (t: readonly number[]) => t.length / 3;

describe('colormap tables', () => {
  test('viridis and magma have matplotlib\'s 256 rows, RdBu_r its 11 ColorBrewer points; all in [0, 1]', () => {
    assert.equal(rows(VIRIDIS), 256);
    assert.equal(rows(MAGMA), 256);
    assert.equal(rows(RDBU_R), 11);
    for (const t of [VIRIDIS, MAGMA, RDBU_R]) assert.ok(t.every((v) => v >= 0 && v <= 1));
    // Spot checks against matplotlib's published values (first and last rows).
    assert.deepEqual(VIRIDIS.slice(0, 3), [0.267004, 0.004874, 0.329415]);
    assert.deepEqual(VIRIDIS.slice(-3), [0.993248, 0.906157, 0.143936]);
    assert.deepEqual(MAGMA.slice(0, 3), [0.001462, 0.000466, 0.013866]);
    assert.deepEqual(MAGMA.slice(-3), [0.987053, 0.991438, 0.749504]);
  });

  test('sequential maps get lighter from end to end (relative luminance increases row by row)', () => {
    const lum = (t: readonly number[], i: number) => 0.2126 * t[3 * i]! + 0.7152 * t[3 * i + 1]! + 0.0722 * t[3 * i + 2]!;
    for (const t of [VIRIDIS, MAGMA]) {
      for (let i = 1; i < rows(t); i++) assert.ok(lum(t, i) > lum(t, i - 1), `row ${i} is lighter than row ${i - 1}`);
    }
  });

  test('diverging map: dark blue, near-white middle, dark red', () => {
    const [b, m, r] = [row(RDBU_R, 0), row(RDBU_R, 5), row(RDBU_R, 10)];
    assert.ok(b[2]! > b[0]! && r[0]! > r[2]!, 'blue low end, red high end');
    assert.ok(m.every((v) => v > 0.95), 'middle is near-white');
  });
});

for (const backend of ['wasm', 'reference'] as const) {
  describe(`${backend}: colormap`, () => {
    test('endpoints are the tables\' first and last rows; shape [3, H, W], values in [0, 1]', () => withBackend(backend, () => {
      for (const map of COLORMAPS) {
        const t = TABLES[map];
        const img = colormap(tg.tensor([[-3, 0.25], [1, 3]]), { map });
        assert.deepEqual(img.shape, [3, 2, 2]);
        assert.equal(img.dtype, 'float32');
        assert.deepEqual(pixel(img, 0), row(t, 0), `${map}: the minimum gets the first row`);
        assert.deepEqual(pixel(img, 3), row(t, rows(t) - 1), `${map}: the maximum gets the last row`);
        assert.ok(img.min().item() >= 0 && img.max().item() <= 1);
      }
    }));

    test('a value at a row\'s position gets that row; between rows, linear interpolation', () => withBackend(backend, () => {
      const img = colormap(tg.tensor([[0, 100 / 255, 100.5 / 255, 1]]), { map: 'viridis' });
      pixel(img, 1).forEach((v, k) => assert.ok(Math.abs(v - row(VIRIDIS, 100)[k]!) < 1e-6));
      const mid = row(VIRIDIS, 100).map((v, k) => (v + row(VIRIDIS, 101)[k]!) / 2);
      pixel(img, 2).forEach((v, k) => assert.ok(Math.abs(v - mid[k]!) < 1e-6));
    }));

    test('default range is min..max; diverging is symmetric around 0 so 0 is the middle colour', () => withBackend(backend, () => {
      // Shifting and scaling the values does not change a sequential image.
      const x = tg.randn([5, 7], { generator: new tg.Generator(1) });
      assert.ok(colormap(x).allclose(colormap(x.mul(3).add(10)), 0, 1e-6));
      const d = colormap(tg.tensor([[-2, 0, 1]]), { map: 'diverging' });
      assert.deepEqual(pixel(d, 0), row(RDBU_R, 0), '-max|v| is the blue end');
      assert.deepEqual(pixel(d, 1), row(RDBU_R, 5), '0 is the middle');
      const half = row(RDBU_R, 7).map((v, k) => (v + row(RDBU_R, 8)[k]!) / 2); // +1 of ±2 sits at 0.75 = row 7.5
      pixel(d, 2).forEach((v, k) => assert.ok(Math.abs(v - half[k]!) < 1e-6));
    }));

    test('a constant heatmap is the map\'s middle colour (no NaN); range clips values outside it', () => withBackend(backend, () => {
      for (const map of COLORMAPS) {
        // Diverging keeps its sign meaning: a constant 0 is neutral (a constant 7 is all "positive", the red end).
        const c = colormap(tg.full([3, 4], map === 'diverging' ? 0 : 7), { map });
        assert.ok(!c.isnan().any().item(), `${map}: no NaN`);
        const t = TABLES[map], m = (rows(t) - 1) / 2;
        const want = row(t, Math.floor(m)).map((v, k) => (v + row(t, Math.ceil(m))[k]!) / 2);
        pixel(c, 5).forEach((v, k) => assert.ok(Math.abs(v - want[k]!) < 1e-6, `${map}: middle colour`));
      }
      assert.deepEqual(pixel(colormap(tg.full([2, 2], 7), { map: 'diverging' }), 0), row(RDBU_R, 10));
      const clipped = colormap(tg.tensor([[-5, 0.5, 9]]), { range: [0, 1] });
      assert.deepEqual(pixel(clipped, 0), row(VIRIDIS, 0));
      assert.deepEqual(pixel(clipped, 2), row(VIRIDIS, 255));
    }));

    test('float64 input; the same values give the same image on this backend as on the other', () => withBackend(backend, () => {
      const x = tg.randn([6, 6], { generator: new tg.Generator(2) });
      const other = backend === 'wasm' ? 'reference' : 'wasm';
      const there = withBackend(other, () => colormap(tg.tensor(x.data(), { shape: [6, 6] }), { map: 'magma' }));
      assert.deepEqual(colormap(x, { map: 'magma' }).data(), there.data());
      assert.deepEqual(colormap(x.double(), { map: 'magma' }).data(), colormap(x, { map: 'magma' }).data());
    }));
  });

  describe(`${backend}: overlay`, () => {
    test('alpha 0 is the picture (grey repeated in RGB), alpha 1 the heatmap\'s colours', () => withBackend(backend, () => {
      const g = new tg.Generator(3);
      const grey = tg.rand([1, 5, 6], { generator: g }), heat = tg.randn([5, 6], { generator: g });
      const none = overlay(grey, heat, { alpha: 0 });
      assert.deepEqual(none.shape, [3, 5, 6]);
      for (let k = 0; k < 3; k++) assert.deepEqual(none.select(0, k).data(), grey.select(0, 0).data());
      assert.deepEqual(overlay(grey, heat, { alpha: 1, map: 'magma' }).data(), colormap(heat, { map: 'magma' }).data());
      const rgb = tg.rand([3, 5, 6], { generator: g });
      const half = overlay(rgb, heat, { alpha: 0.5 });
      assert.ok(half.allclose(rgb.mul(0.5).add(colormap(heat).mul(0.5)), 1e-6, 1e-6));
    }));

    test('a smaller heatmap is resized to the picture: nearest gives blocks, bilinear stays within the colours\' hull', () => withBackend(backend, () => {
      const img = tg.zeros([1, 8, 8]);
      const heat = tg.tensor([[0, 1], [2, 3]]);
      const near = overlay(img, heat, { alpha: 1, resize: 'nearest' });
      assert.deepEqual(near.data(), upscaleNearest(colormap(heat), 4).data());
      const bil = overlay(img, heat, { alpha: 1 });
      assert.deepEqual(bil.shape, [3, 8, 8]);
      assert.deepEqual(pixel(bil, 0), row(VIRIDIS, 0), 'the corner keeps the corner value');
      assert.deepEqual(pixel(bil, 63), row(VIRIDIS, 255));
      assert.ok(new Set(Array.from(bil.data())).size > new Set(Array.from(near.data())).size, 'bilinear blends between blocks');
    }));
  });
}

describe('colormap / overlay: bad input names the function and the argument', () => {
  const throws = (fn: () => unknown, re: RegExp) => assert.throws(fn, (e: Error) => e instanceof tg.TensorError && re.test(e.message));
  test('wrong shapes, unknown map, non-finite values, bad range or alpha', () => {
    throws(() => colormap(tg.zeros([1, 4, 4])), /colormap: values must be a float heatmap \[H, W\] \(got float32 \[1, ?4, ?4\]\)/);
    throws(() => colormap(tg.zeros([4, 4], { dtype: 'int32' })), /colormap: values must be a float heatmap/);
    throws(() => colormap(tg.zeros([2, 2]), { map: 'jet' as ColormapName }), /colormap: map must be one of 'viridis', 'magma', 'diverging' \(got "jet"\)/);
    throws(() => colormap(tg.tensor([[0, NaN]])), /colormap: values must be finite \(got NaN at flat index 1\)/);
    throws(() => colormap(tg.zeros([2, 2]), { range: [1, 0] }), /colormap: range must be \[lo, hi\]/);
    throws(() => overlay(tg.zeros([2, 4, 4]), tg.zeros([4, 4])), /overlay: image must be \[C, H, W\] with C = 1 \(grey\) or 3 \(RGB\) \(got \[2, ?4, ?4\]\)/);
    throws(() => overlay(tg.zeros([1, 4, 4]), tg.zeros([1, 4, 4])), /overlay: heat must be a float heatmap \[H, W\]/);
    throws(() => overlay(tg.zeros([1, 4, 4]), tg.zeros([4, 4]), { alpha: 2 }), /overlay: alpha must be a number in \[0, 1\] \(got 2\)/);
  });
});
