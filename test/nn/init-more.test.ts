import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tg from '../../src/index.js';
import { erf, erfinv, householderQ, normCdf } from '../../src/nn/init-math.js';

/*
 * init.truncNormal_ and init.orthogonal_: bounds and moments of the truncated
 * normal against its closed-form mean and variance, orthogonality to 1e-5 and
 * PyTorch's sign convention (R with a positive diagonal) for the QR.
 */
const { init } = tg.nn;
const phi = (x: number) => Math.exp(-x * x / 2) / Math.sqrt(2 * Math.PI);

function moments(v: ArrayLike<number>): { mean: number; variance: number } {
  let mean = 0;
  for (let i = 0; i < v.length; i++) mean += v[i]! / v.length;
  let variance = 0;
  for (let i = 0; i < v.length; i++) variance += (v[i]! - mean) ** 2 / v.length;
  return { mean, variance };
}

/** Gram matrix of the rows (or columns) of a rows x cols row-major matrix. */
function gram(w: ArrayLike<number>, rows: number, cols: number, ofRows: boolean): number[][] {
  const [k, len] = ofRows ? [rows, cols] : [cols, rows];
  const at = (a: number, i: number) => (ofRows ? w[a * cols + i]! : w[i * cols + a]!);
  return Array.from({ length: k }, (_, a) => Array.from({ length: k }, (_, b) => {
    let s = 0;
    for (let i = 0; i < len; i++) s += at(a, i) * at(b, i);
    return s;
  }));
}

describe('init.truncNormal_ and init.orthogonal_', () => {
  test('special functions: erf, erfinv, normCdf', () => {
    assert.ok(Math.abs(erf(0.5) - 0.5204998778130465) < 1e-15);
    assert.ok(Math.abs(erf(-2.5) + 0.9995930479825550) < 1e-15);
    assert.ok(Math.abs(erf(4) - 0.9999999845827421) < 1e-15);
    assert.ok(Math.abs(normCdf(-2) - 0.022750131948179209) < 1e-15);
    for (let y = -0.9999; y < 1; y += 0.0173) assert.ok(Math.abs(erf(erfinv(y)) - y) < 1e-14, `erfinv(${y})`);
  });

  test('truncNormal_: values inside [a, b] with the truncated normal mean and variance', () => {
    for (const [mean, std, a, b] of [[0, 1, -2, 2], [1, 2, 0, 3], [0, 0.02, -0.04, 0.04], [0.5, 1, -Infinity, 1]] as const) {
      const t = init.truncNormal_(tg.zeros([200, 100], { dtype: 'float64' }), mean, std, a, b, { generator: new tg.Generator(7) });
      const v = t.data();
      for (let i = 0; i < v.length; i++) assert.ok(v[i]! >= a && v[i]! <= b, `value ${v[i]} outside [${a}, ${b}]`);
      const [al, be] = [(a - mean) / std, (b - mean) / std];
      const z = normCdf(be) - normCdf(al);
      const pa = Number.isFinite(al) ? phi(al) : 0, pb = Number.isFinite(be) ? phi(be) : 0;
      const wantMean = mean + (std * (pa - pb)) / z;
      const wantVar = std * std * (1 + ((Number.isFinite(al) ? al * pa : 0) - be * pb) / z - ((pa - pb) / z) ** 2);
      const got = moments(v);
      // 20,000 draws: the standard error of the mean is sd / 141; allow 5 of them.
      assert.ok(Math.abs(got.mean - wantMean) < (5 * Math.sqrt(wantVar)) / 141, `mean ${got.mean} vs ${wantMean}`);
      assert.ok(Math.abs(got.variance / wantVar - 1) < 0.05, `variance ${got.variance} vs ${wantVar}`);
    }
    const f32 = init.truncNormal_(tg.zeros([3, 4]), 0, 1, -0.5, 0.5);
    assert.equal(f32.dtype, 'float32');
    assert.ok([...f32.data()].every((x) => Math.abs(x) <= 0.5));
  });

  test('truncNormal_ is reproducible with a generator and works on parameters', () => {
    const p = new tg.nn.Linear(4, 3).weight;
    init.truncNormal_(p, 0, 0.02, -0.04, 0.04, { generator: new tg.Generator(3) });
    const q = init.truncNormal(tg.zeros([3, 4]), 0, 0.02, -0.04, 0.04, { generator: new tg.Generator(3) });
    assert.deepEqual([...p.data()], [...q.data()]);
    assert.equal(p.requiresGrad, true);
  });

  test('orthogonal_: orthonormal rows or columns times gain, for tall, wide, square and conv shapes', () => {
    for (const [shape, gain] of [[[6, 6], 1], [[8, 3], 2], [[3, 8], 1], [[4, 2, 3, 3], Math.SQRT2]] as const) {
      const t = init.orthogonal_(tg.zeros([...shape], { dtype: 'float64' }), gain, { generator: new tg.Generator(11) });
      const rows = shape[0], cols = t.numel() / rows;
      const g = gram(t.data(), rows, cols, rows <= cols);
      g.forEach((row, i) => row.forEach((v, j) => assert.ok(Math.abs(v - (i === j ? gain * gain : 0)) < 1e-5, `${shape}: gram[${i}][${j}] = ${v}`)));
    }
    const w32 = init.orthogonal_(tg.zeros([5, 4]));
    const g32 = gram(w32.data(), 5, 4, false);
    g32.forEach((row, i) => row.forEach((v, j) => assert.ok(Math.abs(v - (i === j ? 1 : 0)) < 1e-5, `float32 gram[${i}][${j}]`)));
  });

  test('householderQ gives the QR with a positive R diagonal (PyTorch sign convention)', () => {
    const [m, n] = [6, 4];
    const g = new tg.Generator(5);
    const a = Float64Array.from({ length: m * n }, () => g.normal());
    const q = householderQ(a, m, n);
    // R = Q^T A must be upper triangular with a positive diagonal; Q R must give back A.
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        let r = 0;
        for (let k = 0; k < m; k++) r += q[k * n + i]! * a[k * n + j]!;
        if (i > j) assert.ok(Math.abs(r) < 1e-12, `R[${i}][${j}] = ${r}`);
        if (i === j) assert.ok(r > 0, `R[${i}][${i}] = ${r}`);
      }
    }
  });

  test('wrong calls throw a TensorError naming the initialiser', () => {
    const bad: [() => unknown, RegExp][] = [
      [() => init.orthogonal_(tg.zeros([5])), /^orthogonal_: only tensors with 2 or more dims are supported \(got \[5\]\)/],
      [() => init.orthogonal_(tg.zeros([2, 2]), Number.NaN), /^orthogonal_: gain must be a finite number/],
      [() => init.truncNormal_(tg.zeros([2]), 0, 1, 2, -2), /^truncNormal_: the lower bound a must be less than the upper bound b \(got a 2, b -2\)/],
      [() => init.truncNormal_(tg.zeros([2]), 0, -1), /^truncNormal_: std must be > 0 \(got -1\)/],
      [() => init.truncNormal_(tg.zeros([2]), '0' as never), /^truncNormal_: mean must be a number \(got "0"\)/],
    ];
    for (const [fn, re] of bad) assert.throws(fn, (e: unknown) => e instanceof tg.TensorError && re.test(e.message), re.source);
  });
});
