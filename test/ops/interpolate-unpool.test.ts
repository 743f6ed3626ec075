import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tg from '../../src/index.js';
import { checkOp } from '../helpers/check-op.js';
import { fromFn, get, type ND } from '../helpers/ndarray.js';

const F = tg.F;
const throwsNaming = (fn: () => unknown, op: string) =>
  assert.throws(fn, (e: unknown) => e instanceof tg.TensorError && e.message.startsWith(`${op}:`), `${op} should throw a TensorError naming it`);

/** PyTorch's nearest source index (UpSample.h nearest_idx, float32 arithmetic). */
function nearestSrc(dst: number, inSize: number, outSize: number, factor: number | null, exact: boolean): number {
  if (!exact && outSize === inSize) return dst;
  if (!exact && outSize === 2 * inSize) return Math.floor(dst / 2);
  const scale = Math.fround(factor ? 1 / factor : inSize / outSize);
  return Math.min(Math.floor(Math.fround((exact ? dst + 0.5 : dst) * scale)), inSize - 1);
}

/** Linear taps [(index, weight)] per PyTorch's area_pixel_compute_source_index. */
function linearSrc(dst: number, inSize: number, outSize: number, factor: number | null, align: boolean): [number, number][] {
  const src = align
    ? (outSize > 1 ? (inSize - 1) / (outSize - 1) : 0) * dst
    : Math.max((factor ? 1 / factor : inSize / outSize) * (dst + 0.5) - 0.5, 0);
  const i0 = Math.floor(src);
  const i1 = i0 < inSize - 1 ? i0 + 1 : i0;
  return [[i0, 1 - (src - i0)], [i1, src - i0]];
}

/** Reference interpolation by summing over all tap combinations. */
function interpRef(x: ND, out: number[], mode: string, factors: (number | null)[], align: boolean): ND {
  const n = out.length;
  return fromFn([...x.shape.slice(0, 2), ...out], (idx) => {
    let combos: [number[], number][] = [[[], 1]];
    for (let d = 0; d < n; d++) {
      const inSize = x.shape[d + 2]!;
      const taps: [number, number][] = mode.startsWith('nearest')
        ? [[nearestSrc(idx[d + 2]!, inSize, out[d]!, factors[d]!, mode === 'nearest-exact'), 1]]
        : linearSrc(idx[d + 2]!, inSize, out[d]!, factors[d]!, align);
      combos = combos.flatMap(([pos, w]) => taps.map(([i, tw]): [number[], number] => [[...pos, i], w * tw]));
    }
    return combos.reduce((s, [pos, w]) => s + w * get(x, [idx[0]!, idx[1]!, ...pos]), 0);
  });
}

describe('F.interpolate', () => {
  const cases: { mode: tg.F.InterpolateMode; shape: number[]; size?: number[]; factor?: number[]; align?: boolean }[] = [
    { mode: 'nearest', shape: [1, 2, 3, 5], size: [5, 3] },
    { mode: 'nearest', shape: [1, 2, 3, 4], factor: [2, 2] },
    { mode: 'nearest', shape: [1, 1, 5, 4], factor: [1.5, 0.5] },
    { mode: 'nearest', shape: [2, 3, 7], size: [4] },
    { mode: 'nearest', shape: [1, 2, 2, 3, 2], size: [3, 2, 4] },
    { mode: 'nearest-exact', shape: [1, 2, 5, 3], size: [3, 7] },
    { mode: 'linear', shape: [2, 2, 5], size: [8] },
    { mode: 'linear', shape: [1, 3, 6], factor: [0.5], align: true },
    { mode: 'bilinear', shape: [2, 1, 3, 4], size: [5, 7] },
    { mode: 'bilinear', shape: [1, 2, 4, 4], factor: [2, 1.5], align: true },
    { mode: 'bilinear', shape: [1, 1, 6, 5], size: [4, 3] },
    { mode: 'bilinear', shape: [1, 1, 1, 3], size: [1, 4], align: true },
    { mode: 'trilinear', shape: [1, 1, 2, 3, 2], size: [3, 4, 3] },
  ];
  for (const c of cases) {
    test(`${c.mode} ${JSON.stringify(c.shape)} -> ${JSON.stringify(c.size ?? c.factor)}${c.align ? ' alignCorners' : ''}`, async () => {
      const out = c.size ?? c.shape.slice(2).map((d, i) => Math.floor(d * c.factor![i]!));
      const factors = c.factor ?? out.map(() => null);
      await checkOp({
        shapes: [c.shape],
        op: (x) => F.interpolate(x, c.size ? { size: c.size, mode: c.mode, alignCorners: c.align } : { scaleFactor: c.factor, mode: c.mode, alignCorners: c.align }),
        reference: (x) => interpRef(x, out, c.mode, factors, c.align ?? false),
      });
    });
  }
  test('PyTorch quirks: float32 nearest scale, recomputeScaleFactor, positional form', () => {
    // in 14 -> out 46: PyTorch computes floorf(23 * float32(14/46)) = 6, not the exact 7.
    const x = tg.arange(14, { dtype: 'float32' }).reshape(1, 1, 14);
    assert.equal((F.interpolate(x, { size: 46 }).toArray() as number[][][])[0]![0]![23], 6);
    // scaleFactor 1.5 on 5: output 7; the scale used is 1/1.5 unless recomputed as 5/7.
    const y = tg.arange(5, { dtype: 'float64' }).reshape(1, 1, 5);
    const a = F.interpolate(y, { scaleFactor: 1.5, mode: 'linear' }).data();
    const b = F.interpolate(y, { scaleFactor: 1.5, mode: 'linear', recomputeScaleFactor: true }).data();
    const c = F.interpolate(y, { size: 7, mode: 'linear' }).data();
    assert.deepEqual([...b], [...c]);
    assert.notDeepEqual([...a], [...c]);
    assert.deepEqual([...F.interpolate(y, 7, null, 'linear').data()], [...c]);
  });
  test('nn.Upsample and friends', () => {
    const x = tg.randn([1, 2, 3, 4]);
    const up = new tg.nn.Upsample({ scaleFactor: 2, mode: 'bilinear' });
    assert.deepEqual(up.forward(x).shape, [1, 2, 6, 8]);
    assert.ok(up.forward(x).allclose(F.interpolate(x, { scaleFactor: 2, mode: 'bilinear' })));
    assert.ok(new tg.nn.Upsample([6, 8]).forward(x).allclose(F.interpolate(x, { size: [6, 8] })));
    assert.ok(new tg.nn.UpsamplingBilinear2d({ size: [5, 5] }).forward(x).allclose(F.interpolate(x, { size: [5, 5], mode: 'bilinear', alignCorners: true })));
    assert.ok(new tg.nn.UpsamplingNearest2d(null, 2).forward(x).allclose(F.interpolate(x, { scaleFactor: 2 })));
    assert.match(up.toString(), /Upsample\(scaleFactor=2, mode='bilinear'\)/);
    assert.equal(up.parameters().length, 0);
    throwsNaming(() => new tg.nn.Upsample(), 'Upsample');
    throwsNaming(() => new tg.nn.Upsample({ scalefactor: 2 } as unknown as tg.F.InterpolateOptions), 'Upsample');
    throwsNaming(() => new tg.nn.Upsample({ scaleFactor: 2, mode: 'bicubic' } as unknown as tg.F.InterpolateOptions), 'Upsample');
    throwsNaming(() => new tg.nn.Upsample({ scaleFactor: 2, alignCorners: true }).forward(x), 'interpolate');
  });
  test('wrong calls', () => {
    const x = tg.randn([1, 2, 3, 4]);
    throwsNaming(() => F.interpolate(x, {}), 'interpolate');
    throwsNaming(() => F.interpolate(x, { size: 4, scaleFactor: 2 }), 'interpolate');
    throwsNaming(() => F.interpolate(x, { size: [4, 4, 4] }), 'interpolate');
    throwsNaming(() => F.interpolate(x, { size: [0, 4] }), 'interpolate');
    throwsNaming(() => F.interpolate(x, { size: 2.5 }), 'interpolate');
    throwsNaming(() => F.interpolate(x, { scaleFactor: -1 }), 'interpolate');
    throwsNaming(() => F.interpolate(x, { scaleFactor: 0.1 }), 'interpolate');
    throwsNaming(() => F.interpolate(x, { size: 4, mode: 'linear' }), 'interpolate');
    throwsNaming(() => F.interpolate(x, { size: 4, mode: 'trilinear' }), 'interpolate');
    throwsNaming(() => F.interpolate(x, { size: 4, mode: 'bicubic' as tg.F.InterpolateMode }), 'interpolate');
    throwsNaming(() => F.interpolate(x, { size: 4, alignCorners: true }), 'interpolate');
    throwsNaming(() => F.interpolate(x, { size: 4, mode: 'bilinear', alignCorners: 1 as unknown as boolean }), 'interpolate');
    throwsNaming(() => F.interpolate(x, { sizes: 4 } as unknown as tg.F.InterpolateOptions), 'interpolate');
    throwsNaming(() => F.interpolate(tg.randn([3, 4]), { size: 4 }), 'interpolate');
    throwsNaming(() => F.interpolate(tg.ones([1, 1, 3], { dtype: 'int32' }), { size: 4 }), 'interpolate');
    throwsNaming(() => F.interpolate([1, 2] as unknown as tg.Tensor, { size: 4 }), 'interpolate');
  });
});

/** Zeros except the window maxima (non-overlapping windows of size k, no padding). */
function unpoolRef(x: ND, k: number[]): ND {
  const n = k.length;
  const pooled = x.shape.slice(2).map((d, i) => Math.floor(d / k[i]!));
  return fromFn(x.shape, (idx) => {
    const sp = idx.slice(2);
    if (sp.some((v, i) => v >= pooled[i]! * k[i]!)) return 0;
    const start = sp.map((v, i) => Math.floor(v / k[i]!) * k[i]!);
    let best = -Infinity, bestAt = '';
    const walk = (d: number, pos: number[]) => {
      if (d === n) {
        const v = get(x, [idx[0]!, idx[1]!, ...pos]);
        if (v > best) [best, bestAt] = [v, pos.join()];
        return;
      }
      for (let j = 0; j < k[d]!; j++) walk(d + 1, [...pos, start[d]! + j]);
    };
    walk(0, []);
    return bestAt === sp.join() ? best : 0;
  });
}

describe('F.maxUnpool1d/2d/3d', () => {
  const fns = { 1: [F.maxPool1d, F.maxUnpool1d], 2: [F.maxPool2d, F.maxUnpool2d], 3: [F.maxPool3d, F.maxUnpool3d] } as const;
  for (const [n, shape, k] of [[1, [2, 3, 7], [2]], [2, [2, 2, 4, 5], [2, 2]], [2, [1, 3, 6, 6], [3, 2]], [3, [1, 2, 4, 2, 4], [2, 1, 2]]] as const) {
    test(`${n}-d, input ${JSON.stringify(shape)}, kernel ${JSON.stringify(k)}`, async () => {
      const [pool, unpool] = fns[n] as unknown as [(x: tg.Tensor, k: number[], o: object) => { values: tg.Tensor; indices: tg.Tensor }, (v: tg.Tensor, i: tg.Tensor, k: number[], o?: object) => tg.Tensor];
      await checkOp({
        shapes: [[...shape]],
        op: (x) => {
          const r = pool(x, [...k], { returnIndices: true });
          return unpool(r.values, r.indices, [...k], { outputSize: shape.slice(2) });
        },
        reference: (x) => unpoolRef(x, [...k]),
      });
    });
  }
  test('unpools given values directly (gradient is a gather), default output size, unbatched', async () => {
    const idx = tg.tensor([[[0, 3], [8, 6]]], { dtype: 'int32' });
    await checkOp({
      shapes: [[1, 2, 2]],
      op: (v) => F.maxUnpool2d(v, idx.toBackend(v.backend), 2, { stride: 1 }),
      reference: (v) => fromFn([1, 3, 3], ([, i, j]) => {
        const at = i! * 3 + j!;
        const src = [0, 3, 8, 6].indexOf(at);
        return src < 0 ? 0 : v.data[src]!;
      }),
    });
  });
  test('duplicate indices (overlapping windows): the last write wins, as PyTorch', () => {
    const x = tg.tensor([[[1, 5, 2, 0]]], { requiresGrad: true });
    const r = F.maxPool1d(x, 3, { stride: 1, returnIndices: true });
    assert.deepEqual(r.indices.toArray(), [[[1, 1]]]);
    const y = F.maxUnpool1d(r.values, r.indices, 3, 1);
    assert.deepEqual(y.toArray(), [[[0, 5, 0, 0]]]);
    const m = new tg.nn.MaxUnpool1d(3, 1);
    assert.deepEqual(m.forward(r.values, r.indices).toArray(), [[[0, 5, 0, 0]]]);
  });
  test('nn.MaxUnpool2d round trip', () => {
    const x = tg.randn([2, 3, 4, 4]);
    const { values, indices } = F.maxPool2d(x, 2, { returnIndices: true });
    const y = new tg.nn.MaxUnpool2d(2).forward(values, indices);
    assert.deepEqual(y.shape, [2, 3, 4, 4]);
    assert.ok(F.maxPool2d(y, 2).allclose(values));
  });
  test('wrong calls', () => {
    const { values, indices } = F.maxPool2d(tg.randn([1, 1, 4, 4]), 2, { returnIndices: true });
    throwsNaming(() => F.maxUnpool2d(values, indices.float(), 2), 'maxUnpool2d');
    throwsNaming(() => F.maxUnpool2d(values, indices.reshape(1, 1, 4), 2), 'maxUnpool2d');
    throwsNaming(() => F.maxUnpool2d(values, null as unknown as tg.Tensor, 2), 'maxUnpool2d');
    throwsNaming(() => F.maxUnpool2d(values, indices, 2, { outputSize: [7, 7] }), 'maxUnpool2d');
    throwsNaming(() => F.maxUnpool2d(values, indices, 2, { strid: 2 } as unknown as tg.F.MaxUnpoolOptions), 'maxUnpool2d');
    throwsNaming(() => F.maxUnpool2d(values, indices.add(10), 2), 'maxUnpool2d');
    throwsNaming(() => F.maxUnpool2d(values, indices.mul(0).sub(1), 2), 'maxUnpool2d');
    throwsNaming(() => F.maxUnpool2d(values.reshape(1, 4), indices.reshape(1, 4), 2), 'maxUnpool2d');
    throwsNaming(() => F.maxUnpool1d(values, indices, 2), 'maxUnpool1d');
  });
});
