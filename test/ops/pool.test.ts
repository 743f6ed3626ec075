import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tg from '../../src/index.js';
import { checkOp } from '../helpers/check-op.js';
import { nd, unravel, type ND } from '../helpers/ndarray.js';

// ---- independent float64 references (plain loops, straight from the definitions) ----

const prod = (v: readonly number[]): number => v.reduce((a, b) => a * b, 1);
const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

/** PyTorch's pooling_output_shape: div_rtn(in + 2p - d(k-1) - 1 + (ceil ? s-1 : 0), s) + 1, minus a window starting past in + p. */
function outLen(len: number, k: number, s: number, p: number, d: number, ceil: boolean): number {
  let o = Math.floor((len + 2 * p - d * (k - 1) - 1 + (ceil ? s - 1 : 0)) / s) + 1;
  if (ceil && (o - 1) * s >= len + p) o--;
  return o;
}

/** Window tap positions along one spatial dim (may be out of range). */
type Taps = (dim: number, o: number) => number[];

/**
 * Evaluates `f` on every output window of `x` (`[...lead, ...spatial]`, `nsp`
 * spatial dims): the in-range values, their flat positions in the plane and the
 * output multi-index.
 */
function windows(x: ND, nsp: number, outSp: number[], taps: Taps, f: (vals: number[], flat: number[], o: number[]) => number): ND {
  const lead = x.shape.slice(0, x.shape.length - nsp);
  const sp = x.shape.slice(x.shape.length - nsp);
  const plane = prod(sp), outPlane = prod(outSp);
  const out = nd([...lead, ...outSp]);
  for (let pl = 0; pl < prod(lead); pl++) {
    for (let j = 0; j < outPlane; j++) {
      const o = unravel(j, outSp);
      let flat = [0];
      o.forEach((oi, dim) => {
        const inRange = taps(dim, oi).filter((t) => t >= 0 && t < sp[dim]!);
        flat = flat.flatMap((f0) => inRange.map((t) => f0 * sp[dim]! + t));
      });
      out.data[pl * outPlane + j] = f(flat.map((q) => x.data[pl * plane + q]!), flat, o);
    }
  }
  return out;
}

interface Geo { k: number[]; s: number[]; p: number[]; d: number[]; ceil: boolean }

function stridedRef(x: ND, g: Geo, f: (vals: number[], flat: number[], o: number[]) => number): ND {
  const n = g.k.length;
  const sp = x.shape.slice(x.shape.length - n);
  const outSp = sp.map((len, i) => outLen(len, g.k[i]!, g.s[i]!, g.p[i]!, g.d[i]!, g.ceil));
  const taps: Taps = (i, o) => range(g.k[i]!).map((j) => o * g.s[i]! - g.p[i]! + j * g.d[i]!);
  return windows(x, n, outSp, taps, f);
}

const refMax = (x: ND, g: Geo): ND => stridedRef(x, g, (v) => Math.max(...v));
const argmax = (v: number[], flat: number[]): number => (v.length ? flat[v.indexOf(Math.max(...v))]! : -1);
const refMaxIdx = (x: ND, g: Geo): ND => stridedRef(x, g, argmax);

/** PyTorch's avg divisor: the override, else the window clipped to [-p, in + p) (countIncludePad) or to the input. */
function refAvg(x: ND, g: Geo, countIncludePad: boolean, divisorOverride?: number): ND {
  const sp = x.shape.slice(x.shape.length - g.k.length);
  return stridedRef(x, g, (v, _flat, o) => {
    const padded = o.map((oi, i) => {
      const start = oi * g.s[i]! - g.p[i]!;
      return Math.min(start + g.k[i]!, sp[i]! + g.p[i]!) - start;
    });
    const div = divisorOverride ?? (countIncludePad ? prod(padded) : v.length);
    return v.reduce((a, b) => a + b, 0) / div;
  });
}

/** PyTorch's lp_pool: (mean of x^p over the in-input window * kernel numel)^(1/p); no padding. */
function refLp(x: ND, normType: number, g: Geo): ND {
  return stridedRef(x, g, (v) => {
    const mean = v.reduce((a, b) => a + b ** normType, 0) / v.length;
    return (mean * prod(g.k)) ** (1 / normType);
  });
}

function adaptiveRef(x: ND, outSp: number[], f: (vals: number[], flat: number[]) => number): ND {
  const sp = x.shape.slice(x.shape.length - outSp.length);
  const taps: Taps = (i, o) => {
    const start = Math.floor((o * sp[i]!) / outSp[i]!);
    const end = Math.ceil(((o + 1) * sp[i]!) / outSp[i]!);
    return range(end - start).map((j) => start + j);
  };
  return windows(x, outSp.length, outSp, taps, f);
}
const refAdaptiveAvg = (x: ND, outSp: number[]): ND => adaptiveRef(x, outSp, (v) => v.reduce((a, b) => a + b, 0) / v.length);
const refAdaptiveMax = (x: ND, outSp: number[]): ND => adaptiveRef(x, outSp, (v) => Math.max(...v));

// ---- value generators ----

/**
 * Distinct values on a 1e-3 grid in [-2.5, 2.5): no two elements of a window are
 * within 1e-3, so the argmax is stable under finite-difference steps.
 */
function distinct(): (g: tg.Generator) => number {
  const used = new Set<number>();
  return (g) => {
    let q: number;
    do q = g.randint(0, 5000); while (used.has(q));
    used.add(q);
    return q * 1e-3 - 2.5;
  };
}
const positive = (g: tg.Generator): number => 0.5 + 1.5 * g.uniform();

// ---- configs ----

const SPATIAL: Record<number, number[]> = { 1: [2, 3, 7], 2: [2, 2, 6, 5], 3: [1, 2, 5, 4, 5] };
const fmt = (g: Geo): string => `k${g.k} s${g.s} p${g.p} d${g.d}${g.ceil ? ' ceil' : ''}`;

/** Every 1-D combination of kernel 1-3, stride 1-3, padding 0..k/2, dilation 1-2, ceilMode. */
function allConfigs1d(dilations: number[]): Geo[] {
  const out: Geo[] = [];
  for (const k of [1, 2, 3]) for (const s of [1, 2, 3]) for (let p = 0; p <= k >> 1; p++)
    for (const d of dilations) for (const ceil of [false, true]) out.push({ k: [k], s: [s], p: [p], d: [d], ceil });
  return out;
}

/** Seeded configs for 2-D/3-D with each dim drawn independently. */
function randomConfigs(n: number, count: number, dilations: number[], seed: number): Geo[] {
  const g = new tg.Generator(seed);
  return range(count).map(() => {
    const k = range(n).map(() => g.randint(1, 4));
    return {
      k,
      s: range(n).map(() => g.randint(1, 4)),
      p: k.map((ki) => g.randint(0, (ki >> 1) + 1)),
      d: range(n).map(() => dilations[g.randint(0, dilations.length)]!),
      ceil: g.uniform() < 0.5,
    };
  });
}

const sweep = (dilations: number[], seed: number): [number, Geo[]][] => [
  [1, allConfigs1d(dilations)],
  [2, randomConfigs(2, 24, dilations, seed)],
  [3, randomConfigs(3, 10, dilations, seed + 1)],
];

const maxPools = { 1: tg.F.maxPool1d, 2: tg.F.maxPool2d, 3: tg.F.maxPool3d } as const;
const avgPools = { 1: tg.F.avgPool1d, 2: tg.F.avgPool2d, 3: tg.F.avgPool3d } as const;
const lpPools = { 1: tg.F.lpPool1d, 2: tg.F.lpPool2d, 3: tg.F.lpPool3d } as const;
const adaptiveAvgPools = { 1: tg.F.adaptiveAvgPool1d, 2: tg.F.adaptiveAvgPool2d, 3: tg.F.adaptiveAvgPool3d } as const;
const adaptiveMaxPools = { 1: tg.F.adaptiveMaxPool1d, 2: tg.F.adaptiveMaxPool2d, 3: tg.F.adaptiveMaxPool3d } as const;
type N = 1 | 2 | 3;

/** Runs `fn`, prefixing a failure with the config it was checking. */
async function labelled(label: string, fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (e) {
    throw new Error(`${label}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
}

// ---- sweeps: forward vs reference, non-contiguous, gradcheck ----

describe('maxPool sweep', () => {
  for (const [n, configs] of sweep([1, 2], 11)) {
    test(`maxPool${n}d: ${configs.length} configs`, async () => {
      for (const g of configs) {
        const opts = { stride: g.s, padding: g.p, dilation: g.d, ceilMode: g.ceil };
        await labelled(fmt(g), () => checkOp({
          shapes: [SPATIAL[n]!], op: (x) => maxPools[n as N](x, g.k, opts), reference: (x) => refMax(x, g), values: distinct(),
        }));
      }
    });
  }
});

describe('avgPool sweep', () => {
  for (const [n, configs] of sweep([1], 21)) {
    test(`avgPool${n}d: ${configs.length} configs x countIncludePad`, async () => {
      for (const [i, g] of configs.entries()) {
        for (const countIncludePad of [true, false]) {
          // Every third config also overrides the divisor (it then wins over countIncludePad).
          const divisorOverride = i % 3 === 2 ? [3, -2, 7][Math.floor(i / 3) % 3]! : undefined;
          const opts = { stride: g.s, padding: g.p, ceilMode: g.ceil, countIncludePad, divisorOverride };
          await labelled(`${fmt(g)} countIncludePad ${countIncludePad} divisorOverride ${divisorOverride}`, () => checkOp({
            shapes: [SPATIAL[n]!], op: (x) => avgPools[n as N](x, g.k, opts), reference: (x) => refAvg(x, g, countIncludePad, divisorOverride),
          }));
        }
      }
    });
  }

  test('divisorOverride on every rank', async () => {
    for (const n of [1, 2, 3] as const) {
      const g: Geo = { k: range(n).map(() => 2), s: range(n).map(() => 1), p: range(n).map(() => 1), d: range(n).map(() => 1), ceil: false };
      await checkOp({ shapes: [SPATIAL[n]!], op: (x) => avgPools[n](x, 2, { stride: 1, padding: 1, divisorOverride: 5 }), reference: (x) => refAvg(x, g, true, 5) });
    }
  });
});

describe('lpPool', () => {
  const cases: [N, number, Geo, (g: tg.Generator) => number][] = [
    [1, 2, { k: [3], s: [2], p: [0], d: [1], ceil: true }, (g) => g.normal()],
    [1, 1, { k: [2], s: [1], p: [0], d: [1], ceil: false }, (g) => g.normal()],
    [2, 2, { k: [2, 3], s: [2, 2], p: [0, 0], d: [1, 1], ceil: false }, (g) => g.normal()],
    [2, 1.5, { k: [3, 2], s: [2, 3], p: [0, 0], d: [1, 1], ceil: true }, positive],
    [2, 3, { k: [2, 2], s: [1, 1], p: [0, 0], d: [1, 1], ceil: false }, positive],
    [3, 2, { k: [2, 2, 3], s: [2, 1, 2], p: [0, 0, 0], d: [1, 1, 1], ceil: true }, (g) => g.normal()],
  ];
  for (const [n, normType, g, values] of cases) {
    test(`lpPool${n}d p=${normType} ${fmt(g)}`, async () => {
      await checkOp({
        shapes: [SPATIAL[n]!], op: (x) => lpPools[n](x, normType, g.k, { stride: g.s, ceilMode: g.ceil }),
        reference: (x) => refLp(x, normType, g), values,
      });
    });
  }

  test('stride defaults to the kernel; an all-zero window has value 0 and gradient 0, not NaN', () => {
    const x = tg.zeros([1, 1, 4, 4], { dtype: 'float64' }).requiresGrad_();
    const y = tg.F.lpPool2d(x, 2, 2);
    assert.deepEqual(y.shape, [1, 1, 2, 2]);
    assert.deepEqual([...y.data()], [0, 0, 0, 0]);
    y.sum().backward();
    assert.deepEqual([...x.grad!.data()], Array(16).fill(0));
  });
});

describe('adaptive pools', () => {
  // Sizes that do not divide, including upsampling (overlapping windows).
  const cases: [N, number[], (number | null)[], number[]][] = [
    [1, [2, 3, 7], [3], [3]],
    [1, [2, 3, 5], [4], [4]],
    [1, [2, 3, 3], [5], [5]],
    [2, [1, 2, 7, 5], [3, 4], [3, 4]],
    [2, [1, 2, 3, 5], [5, null], [5, 5]],
    [3, [1, 1, 3, 5, 7], [5, 4, 3], [5, 4, 3]],
    [3, [1, 2, 4, 3, 2], [null, 2, 1], [4, 2, 1]],
  ];
  for (const [n, shape, size, outSp] of cases) {
    test(`adaptiveAvgPool${n}d ${JSON.stringify(shape)} -> ${JSON.stringify(size)}`, async () => {
      await checkOp({ shapes: [shape], op: (x) => adaptiveAvgPools[n](x, size), reference: (x) => refAdaptiveAvg(x, outSp) });
    });
    test(`adaptiveMaxPool${n}d ${JSON.stringify(shape)} -> ${JSON.stringify(size)}`, async () => {
      await checkOp({ shapes: [shape], op: (x) => adaptiveMaxPools[n](x, size), reference: (x) => refAdaptiveMax(x, outSp), values: distinct() });
    });
  }

  test('a single number applies to every dim', async () => {
    await checkOp({ shapes: [[1, 2, 5, 7]], op: (x) => tg.F.adaptiveAvgPool2d(x, 3), reference: (x) => refAdaptiveAvg(x, [3, 3]) });
  });

  test('globalAvgPool2d / globalMaxPool2d reduce H and W to 1', async () => {
    await checkOp({ shapes: [[2, 3, 4, 5]], op: (x) => tg.F.globalAvgPool2d(x), reference: (x) => refAdaptiveAvg(x, [1, 1]) });
    await checkOp({ shapes: [[2, 3, 4, 5]], op: (x) => tg.F.globalMaxPool2d(x), reference: (x) => refAdaptiveMax(x, [1, 1]), values: distinct() });
    assert.deepEqual(tg.F.globalAvgPool2d(tg.ones([3, 4, 4])).shape, [3, 1, 1]);
  });
});

// ---- indices ----

describe('returnIndices', () => {
  test('hand-checked 2x2 max pooling', () => {
    const x = tg.tensor([[[[1, 5, 2, 0], [3, 4, 8, 7], [9, 6, 10, 11], [15, 12, 14, 13]]]]);
    const { values, indices } = tg.F.maxPool2d(x, 2, { returnIndices: true });
    assert.deepEqual(values.toArray(), [[[[5, 8], [15, 14]]]]);
    assert.deepEqual(indices.toArray(), [[[[1, 6], [12, 14]]]]);
    assert.equal(indices.dtype, 'int32');
    // With padding the flat index still refers to the unpadded input plane.
    const padded = tg.F.maxPool2d(x, 3, { stride: 2, padding: 1, returnIndices: true });
    assert.deepEqual(padded.values.toArray(), [[[[5, 8], [15, 14]]]]);
    assert.deepEqual(padded.indices.toArray(), [[[[1, 6], [12, 14]]]]);
  });

  test('indices match the reference argmax and gather the values (1-D, 2-D, 3-D, adaptive)', () => {
    const g = new tg.Generator(5);
    const draw = distinct();
    for (const [n, configs] of sweep([1, 2], 31)) {
      for (const geo of configs.slice(0, 12)) {
        const shape = SPATIAL[n]!;
        const data = Float64Array.from({ length: prod(shape) }, () => draw(g));
        const x = tg.tensor(data, { shape, dtype: 'float64' });
        const r = maxPools[n as N](x, geo.k, { stride: geo.s, padding: geo.p, dilation: geo.d, ceilMode: geo.ceil, returnIndices: true });
        const want = refMaxIdx({ shape, data }, geo);
        assert.deepEqual([...r.indices.data()], [...want.data], `maxPool${n}d ${fmt(geo)}`);
        const planes = x.reshape([shape[0]!, shape[1]!, -1]);
        const gathered = planes.gather(2, r.indices.reshape([shape[0]!, shape[1]!, -1]));
        assert.deepEqual([...gathered.data()], [...r.values.data()]);
      }
    }
    const x = tg.tensor(Float64Array.from({ length: 2 * 5 * 7 }, () => draw(g)), { shape: [1, 2, 5, 7], dtype: 'float64' });
    const r = tg.F.adaptiveMaxPool2d(x, [3, 4], { returnIndices: true });
    const want = adaptiveRef({ shape: [1, 2, 5, 7], data: Float64Array.from(x.data()) }, [3, 4], argmax);
    assert.deepEqual([...r.indices.data()], [...want.data]);
    assert.deepEqual(r.values.shape, [1, 2, 3, 4]);
  });

  test('a dilated window that sees only padding gives -Infinity, index -1 and no gradient (as PyTorch)', () => {
    const x = tg.tensor([[[3]]], { dtype: 'float64', requiresGrad: true });
    const { values, indices } = tg.F.maxPool1d(x, 2, { padding: 1, dilation: 2, returnIndices: true });
    assert.deepEqual(values.toArray(), [[[-Infinity]]]);
    assert.deepEqual(indices.toArray(), [[[-1]]]);
    tg.F.maxPool1d(x, 2, { padding: 1, dilation: 2, stride: 1 }).sum().backward();
    assert.deepEqual(x.grad!.toArray(), [[[0]]]);
  });

  test('the return type follows the flag', () => {
    const x = tg.randn([1, 1, 4, 4]);
    const plain: tg.Tensor = tg.F.maxPool2d(x, 2);
    const both: { values: tg.Tensor; indices: tg.Tensor } = tg.F.maxPool2d(x, 2, { returnIndices: true });
    const adaptive: tg.Tensor = tg.F.adaptiveMaxPool3d(tg.randn([1, 2, 2, 2]), 1, { returnIndices: false });
    assert.deepEqual(plain.shape, both.values.shape);
    assert.deepEqual(adaptive.shape, [1, 1, 1, 1]);
  });
});

// ---- shapes ----

describe('input layouts', () => {
  test('unbatched [C, ...spatial] inputs give the batched result without the batch dim', () => {
    const x1 = tg.randn([3, 7], { dtype: 'float64' });
    const x2 = tg.randn([2, 5, 6], { dtype: 'float64' });
    const x3 = tg.randn([2, 4, 5, 3], { dtype: 'float64' });
    const cases: [tg.Tensor, (t: tg.Tensor) => tg.Tensor][] = [
      [x1, (t) => tg.F.maxPool1d(t, 3, { stride: 2, padding: 1 })],
      [x1, (t) => tg.F.adaptiveAvgPool1d(t, 4)],
      [x2, (t) => tg.F.maxPool2d(t, 3, { stride: 2, padding: 1 })],
      [x2, (t) => tg.F.avgPool2d(t, 2, { ceilMode: true })],
      [x2, (t) => tg.F.lpPool2d(t, 2, 2)],
      [x2, (t) => tg.F.adaptiveAvgPool2d(t, [2, 4])],
      [x2, (t) => tg.F.adaptiveMaxPool2d(t, 3)],
      [x2, (t) => tg.F.globalMaxPool2d(t)],
      [x3, (t) => tg.F.avgPool3d(t, 2, { padding: 1, countIncludePad: false })],
      [x3, (t) => tg.F.maxPool3d(t, [1, 2, 2])],
    ];
    for (const [x, op] of cases) {
      const a = op(x), b = op(x.unsqueeze(0));
      assert.deepEqual(a.shape, b.shape.slice(1));
      assert.deepEqual(a.toArray(), (b.toArray() as tg.NestedArray[])[0]);
    }
  });

  test('an empty batch gives an empty batch', () => {
    assert.deepEqual(tg.F.maxPool2d(tg.zeros([0, 3, 4, 4]), 2).shape, [0, 3, 2, 2]);
    assert.deepEqual(tg.F.avgPool1d(tg.zeros([0, 3, 4]), 2).shape, [0, 3, 2]);
    assert.deepEqual(tg.F.adaptiveAvgPool2d(tg.zeros([0, 3, 4, 4]), 3).shape, [0, 3, 3, 3]);
  });

  test('float32 in, float32 out', () => {
    assert.equal(tg.F.maxPool2d(tg.randn([1, 1, 4, 4]), 2).dtype, 'float32');
    assert.equal(tg.F.avgPool2d(tg.randn([1, 1, 4, 4]), 2).dtype, 'float32');
  });
});

// ---- validation ----

describe('errors name the op, the argument and the shapes', () => {
  const x4 = tg.zeros([1, 1, 8, 8]);
  const cases: [string, () => unknown, string[]][] = [
    ['padding > k/2', () => tg.F.maxPool2d(x4, 3, { padding: 3 }), ['maxPool2d: padding 3 must be at most half of kernel size 3 (input [1,1,8,8])']],
    ['per-dim padding', () => tg.F.avgPool2d(x4, [2, 4], { padding: [1, 3] }), ['avgPool2d', 'padding [1,3]', 'kernel size [2,4]']],
    ['output size 0', () => tg.F.maxPool2d(tg.zeros([1, 1, 2, 2]), 3, { stride: 3 }),
      ['maxPool2d: output size would be 0 (input [1,1,2,2], kernel 3, stride 3, padding 0)']],
    ['dilated kernel too large', () => tg.F.maxPool1d(tg.zeros([1, 2, 4]), 3, { dilation: 2 }), ['maxPool1d', 'output size would be 0', 'dilation 2']],
    ['kernel 0', () => tg.F.maxPool2d(x4, 0), ['maxPool2d', 'kernelSize must be positive integers, got 0', '[1,1,8,8]']],
    ['fractional kernel', () => tg.F.avgPool1d(tg.zeros([1, 4]), 1.5), ['avgPool1d', 'kernelSize', '1.5']],
    ['stride 0', () => tg.F.maxPool2d(x4, 2, { stride: [1, 0] }), ['maxPool2d', 'stride must be positive integers, got [1,0]']],
    ['dilation 0', () => tg.F.maxPool3d(tg.zeros([1, 1, 4, 4, 4]), 2, { dilation: 0 }), ['maxPool3d', 'dilation must be positive']],
    ['negative padding', () => tg.F.avgPool2d(x4, 2, { padding: -1 }), ['avgPool2d', 'padding must be non-negative integers, got -1']],
    ['kernel list length', () => tg.F.maxPool2d(x4, [2, 2, 2]), ['maxPool2d', 'kernelSize must be a number or a list of 2 numbers', '[2,2,2]']],
    ['rank', () => tg.F.maxPool2d(tg.zeros([8, 8]), 2), ['maxPool2d', 'expected a 3-D [C,H,W] or 4-D [N,C,H,W] input, got 2-D', '[8,8]']],
    ['rank 3d', () => tg.F.avgPool3d(x4.unsqueeze(0).unsqueeze(0), 2), ['avgPool3d', '6-D', '[1,1,1,1,8,8]']],
    ['dtype', () => tg.F.avgPool2d(tg.zeros([1, 1, 4, 4], { dtype: 'int32' }), 2), ['avgPool2d', 'floating-point', 'int32']],
    ['zero-size spatial dim', () => tg.F.maxPool1d(tg.zeros([1, 2, 0]), 1), ['maxPool1d', 'non-zero', '[1,2,0]']],
    ['divisorOverride 0', () => tg.F.avgPool2d(x4, 2, { divisorOverride: 0 }), ['avgPool2d', 'divisorOverride must be a non-zero integer, got 0']],
    ['lp normType', () => tg.F.lpPool2d(x4, 0, 2), ['lpPool2d', 'normType must be a positive finite number, got 0']],
    ['lp output size', () => tg.F.lpPool1d(tg.zeros([1, 1, 2]), 2, 3), ['lpPool1d', 'output size would be 0']],
    ['adaptive size 0', () => tg.F.adaptiveAvgPool2d(x4, [0, 2]), ['adaptiveAvgPool2d', 'outputSize must be positive integers', '[0,2]', '[1,1,8,8]']],
    ['adaptive size length', () => tg.F.adaptiveMaxPool1d(tg.zeros([1, 1, 8]), [2, 2]), ['adaptiveMaxPool1d', 'list of 1 sizes', '[2,2]']],
    ['global rank', () => tg.F.globalAvgPool2d(tg.zeros([1, 1, 1, 8, 8])), ['globalAvgPool2d', '5-D', '[1,1,1,8,8]']],
  ];
  for (const [name, fn, phrases] of cases) {
    test(name, () => {
      assert.throws(fn, (e: unknown) => {
        assert.ok(e instanceof tg.TensorError, `expected TensorError, got ${String(e)}`);
        for (const p of phrases) assert.ok(e.message.includes(p), `message "${e.message}" lacks "${p}"`);
        return true;
      });
    });
  }
});
