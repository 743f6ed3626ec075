import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tg from '../../src/index.js';
import { checkOp, withBackend } from '../helpers/check-op.js';
import { nd, ravel, unravel, type ND } from '../helpers/ndarray.js';
// Internal: what nn/fusion.ts runs for Conv -> ReLU (-> MaxPool2d(2)); not in tg.F.
import { conv2dReluMaxPool2x2, convNdRelu } from '../../src/ops/conv-fused.js';

const F = tg.F;
type Tensor = tg.Tensor;
type ConvOpts = NonNullable<Parameters<typeof F.convNd>[4]>;
type ConvTOpts = NonNullable<Parameters<typeof F.convTransposeNd>[4]>;

// ---- independent float64 references (plain loops from the definitions) ----

const prod = (v: number[]) => v.reduce((a, b) => a * b, 1);
const fill = (v: number | number[] | undefined, n: number, d: number): number[] =>
  v === undefined ? new Array<number>(n).fill(d) : typeof v === 'number' ? new Array<number>(n).fill(v) : v;

/** Per-side padding [before[], after[]] as the docs define each padding form. */
function sides(padding: ConvOpts['padding'], k: number[], dil: number[]): [number[], number[]] {
  const n = k.length;
  if (padding === 'same') {
    const total = k.map((kk, i) => dil[i]! * (kk - 1));
    return [total.map((t) => Math.floor(t / 2)), total.map((t) => t - Math.floor(t / 2))];
  }
  if (padding === 'valid' || padding === undefined) return [new Array<number>(n).fill(0), new Array<number>(n).fill(0)];
  if (typeof padding === 'number') return [new Array<number>(n).fill(padding), new Array<number>(n).fill(padding)];
  const p = padding as number[];
  if (p.length === n) return [[...p], [...p]];
  return [p.filter((_, i) => i % 2 === 0), p.filter((_, i) => i % 2 === 1)];
}

/** Adds a batch dim to an unbatched input; the returned function removes it from the result. */
function batched(x: ND, n: number): [ND, (y: ND) => ND] {
  if (x.shape.length === n + 2) return [x, (y) => y];
  return [{ shape: [1, ...x.shape], data: x.data }, (y) => ({ shape: y.shape.slice(1), data: y.data })];
}

/** y[b, co, o] = bias[co] + sum_{ci in group, t} x[b, g*cinG + ci, o*s - before + t*d] * w[co, ci, t] (zero outside). */
function convRef(x0: ND, w: ND, bias: ND | null, opts: ConvOpts): ND {
  const n = w.shape.length - 2;
  const [x, unbatch] = batched(x0, n);
  const [N, , ...inS] = x.shape as [number, number, ...number[]];
  const [Cout, cinG, ...k] = w.shape as [number, number, ...number[]];
  const stride = fill(opts.stride as number | number[] | undefined, n, 1);
  const dil = fill(opts.dilation as number | number[] | undefined, n, 1);
  const [before, after] = sides(opts.padding, k, dil);
  const coutG = Cout / (opts.groups ?? 1);
  const out = inS.map((len, i) => Math.floor((len + before[i]! + after[i]! - dil[i]! * (k[i]! - 1) - 1) / stride[i]!) + 1);
  const y = nd([N, Cout, ...out]);
  for (let f = 0; f < y.data.length; f++) {
    const [b, co, ...o] = unravel(f, y.shape) as [number, number, ...number[]];
    const grp = Math.floor(co / coutG);
    let acc = bias ? bias.data[co]! : 0;
    for (let ci = 0; ci < cinG; ci++) {
      for (let t = 0; t < prod(k); t++) {
        const tap = unravel(t, k);
        const pos = o.map((oi, i) => oi * stride[i]! - before[i]! + tap[i]! * dil[i]!);
        if (pos.some((p, i) => p < 0 || p >= inS[i]!)) continue;
        acc += x.data[ravel([b, grp * cinG + ci, ...pos], x.shape)]! * w.data[ravel([co, ci, ...tap], w.shape)]!;
      }
    }
    y.data[f] = acc;
  }
  return unbatch(y);
}

/** Scatter definition: each x[b, ci, i] adds x * w[ci, co, t] to y[b, g*coutG + co, i*s - p + t*d] (dropped outside). */
function convTransposeRef(x0: ND, w: ND, bias: ND | null, opts: ConvTOpts): ND {
  const n = w.shape.length - 2;
  const [x, unbatch] = batched(x0, n);
  const [N, Cin, ...inS] = x.shape as [number, number, ...number[]];
  const [, coutG, ...k] = w.shape as [number, number, ...number[]];
  const groups = opts.groups ?? 1;
  const stride = fill(opts.stride as number | number[] | undefined, n, 1);
  const dil = fill(opts.dilation as number | number[] | undefined, n, 1);
  const pad = fill(opts.padding as number | number[] | undefined, n, 0);
  const outPad = fill(opts.outputPadding as number | number[] | undefined, n, 0);
  const out = inS.map((len, i) => (len - 1) * stride[i]! - 2 * pad[i]! + dil[i]! * (k[i]! - 1) + outPad[i]! + 1);
  const Cout = coutG * groups;
  const y = nd([N, Cout, ...out]);
  if (bias) for (let f = 0; f < y.data.length; f++) y.data[f] = bias.data[unravel(f, y.shape)[1]!]!;
  for (let f = 0; f < x.data.length; f++) {
    const [b, ci, ...i] = unravel(f, x.shape) as [number, number, ...number[]];
    const grp = Math.floor(ci / (Cin / groups));
    for (let co = 0; co < coutG; co++) {
      for (let t = 0; t < prod(k); t++) {
        const tap = unravel(t, k);
        const pos = i.map((ii, d) => ii * stride[d]! - pad[d]! + tap[d]! * dil[d]!);
        if (pos.some((p, d) => p < 0 || p >= out[d]!)) continue;
        y.data[ravel([b, grp * coutG + co, ...pos], y.shape)]! += x.data[f]! * w.data[ravel([ci, co, ...tap], w.shape)]!;
      }
    }
  }
  return unbatch(y);
}

// ---- sweeps ----

/** [x shape, w shape, bias?, opts] */
type Case<O> = [number[], number[], boolean, O];

const convCases: Case<ConvOpts>[] = [
  // 1-D
  [[2, 3, 7], [4, 3, 3], true, {}],
  [[2, 2, 8], [4, 1, 3], true, { groups: 2, stride: 2, padding: 1 }],
  [[1, 2, 9], [2, 2, 2], false, { dilation: 2, padding: [1, 2] }], // per-side asymmetric
  [[2, 3, 5], [3, 1, 3], false, { groups: 3, padding: 'same', dilation: 2 }], // depthwise
  [[1, 2, 6], [2, 2, 4], true, { padding: 'same' }], // even kernel
  [[2, 2, 5], [3, 2, 1], false, { stride: 2, padding: 'valid' }],
  [[3, 6], [2, 3, 2], true, { stride: 2, padding: 1 }], // unbatched
  // 2-D
  [[2, 3, 5, 6], [4, 3, 3, 3], true, { padding: 1 }],
  [[1, 4, 6, 5], [4, 2, 3, 2], true, { groups: 2, stride: [2, 1], padding: [1, 0] }],
  [[2, 2, 6, 6], [2, 2, 3, 3], false, { dilation: 2, stride: 2, padding: [2, 1, 0, 2] }],
  [[1, 4, 5, 5], [4, 1, 3, 3], true, { groups: 4, padding: 'same' }],
  [[1, 2, 5, 6], [3, 2, 2, 4], false, { padding: 'same', dilation: [1, 2] }],
  [[2, 3, 4, 5], [2, 3, 1, 1], true, { stride: 2, padding: 'valid' }],
  [[1, 2, 7, 5], [2, 2, 3, 3], false, { stride: 2, padding: 2 }],
  [[1, 2, 5, 5], [2, 1, 2, 3], true, { groups: 2, stride: [1, 2], dilation: [2, 1], padding: [0, 1, 2, 0] }],
  [[2, 5, 4], [3, 2, 2, 3], true, { padding: [1, 1] }], // unbatched
  // 3-D
  [[1, 2, 4, 3, 4], [2, 2, 2, 2, 2], true, { padding: 1 }],
  [[2, 2, 3, 4, 3], [4, 1, 3, 1, 2], false, { groups: 2, stride: [1, 2, 1], padding: [1, 0, 1, 0, 0, 1] }],
  [[1, 2, 4, 4, 4], [2, 1, 2, 2, 2], true, { groups: 2, dilation: 2, stride: 2, padding: 1 }],
  [[1, 1, 3, 4, 3], [2, 1, 2, 3, 2], true, { padding: 'same' }],
  [[2, 3, 3, 3], [1, 2, 3, 3, 3], false, { padding: 1 }], // unbatched
];

const convTCases: Case<ConvTOpts>[] = [
  // 1-D
  [[2, 3, 4], [3, 2, 3], true, {}],
  [[1, 2, 4], [2, 3, 3], true, { stride: 2, padding: 1, outputPadding: 1 }],
  [[2, 4, 3], [4, 1, 2], false, { groups: 2, stride: 3, outputPadding: 2 }],
  [[1, 2, 4], [2, 2, 3], false, { dilation: 2, padding: 2, outputPadding: 1 }], // outputPadding < dilation
  [[2, 5], [2, 2, 3], true, { stride: 2 }], // unbatched
  // 2-D
  [[2, 2, 3, 3], [2, 3, 3, 3], true, { stride: 2, padding: 1, outputPadding: 1 }],
  [[1, 4, 3, 2], [4, 1, 2, 3], false, { groups: 2, stride: [3, 1], padding: [0, 1], outputPadding: [2, 0] }],
  [[1, 2, 3, 4], [2, 2, 3, 2], true, { dilation: [2, 1], stride: [1, 2], padding: [1, 0] }],
  [[1, 3, 3, 3], [3, 1, 3, 3], false, { groups: 3, stride: 2, padding: 1 }], // depthwise
  [[2, 2, 2, 3], [2, 2, 1, 1], false, { stride: 2, outputPadding: 1 }],
  [[2, 3, 3], [2, 1, 2, 2], true, { stride: 2 }], // unbatched
  // 3-D
  [[1, 2, 2, 3, 2], [2, 2, 2, 2, 2], true, { stride: 2 }],
  [[1, 2, 2, 2, 3], [2, 1, 3, 2, 2], false, { groups: 2, stride: [1, 2, 3], padding: [1, 0, 1], outputPadding: [0, 1, 2] }],
  [[1, 1, 2, 2, 2], [1, 2, 2, 2, 2], true, { dilation: 2, padding: 1 }],
];

const label = (c: Case<unknown>) => `x ${JSON.stringify(c[0])} w ${JSON.stringify(c[1])}${c[2] ? ' +bias' : ''} ${JSON.stringify(c[3])}`;
const shapesOf = ([x, w, bias]: Case<unknown>) => (bias ? [x, w, [w[0]!]] : [x, w]);

describe('convNd forward and gradients vs naive reference', () => {
  for (const c of convCases) {
    const n = c[1].length - 2;
    test(`conv${n}d ${label(c)}`, async () => {
      await checkOp({
        shapes: shapesOf(c),
        op: (x, w, b) => F.convNd(n, x!, w!, b ?? null, c[3]),
        reference: (x, w, b) => convRef(x!, w!, b ?? null, c[3]),
      });
    });
  }
});

describe('internal convNdRelu (fused bias + ReLU, run by nn fusion) forward and gradients vs naive reference', () => {
  const relu = (y: ND): ND => ({ shape: y.shape, data: y.data.map((v) => Math.max(v, 0)) });
  for (const c of convCases) {
    const n = c[1].length - 2;
    test(`conv${n}d+relu ${label(c)}`, async () => {
      await checkOp({
        shapes: shapesOf(c),
        op: (x, w, b) => convNdRelu(n, x!, w!, b ?? null, c[3]),
        reference: (x, w, b) => relu(convRef(x!, w!, b ?? null, c[3])),
      });
    });
  }
});

describe('internal conv2dReluMaxPool2x2 (fused, run by nn fusion) vs the composition', () => {
  const cases: [number[], number[], ConvOpts][] = [
    [[3, 1, 28, 28], [6, 1, 5, 5], { padding: 2 }], // LeNet conv1: direct kernel, pooled per image
    [[2, 6, 14, 13], [16, 6, 5, 5], {}], // odd output width: the last column is dropped
    [[2, 4, 9, 11], [6, 2, 3, 3], { groups: 2, padding: 1 }],
    [[1, 3, 12, 12], [4, 3, 3, 3], { stride: 2 }], // GEMM path, then the pooling kernel
    [[3, 9, 10], [5, 3, 3, 3], { padding: 'same' }], // unbatched
  ];
  // Gradients of every input (bias included) by finite differences, on every backend.
  const pool2 = (y: ND): ND => {
    const [N, C, H, W] = y.shape as [number, number, number, number];
    const oH = Math.floor(H / 2), oW = Math.floor(W / 2);
    const out = nd([N, C, oH, oW]);
    for (let f = 0; f < out.data.length; f++) {
      const [b, c, i, j] = unravel(f, out.shape) as [number, number, number, number];
      let m = -Infinity;
      for (const [di, dj] of [[0, 0], [0, 1], [1, 0], [1, 1]]) m = Math.max(m, y.data[ravel([b, c, 2 * i + di!, 2 * j + dj!], y.shape)]!);
      out.data[f] = m;
    }
    return out;
  };
  const relu = (y: ND): ND => ({ shape: y.shape, data: y.data.map((v) => Math.max(v, 0)) });
  for (const [xs, ws, opts] of [[[2, 2, 7, 9], [3, 2, 3, 3], { padding: 1 }], [[1, 4, 8, 8], [4, 2, 3, 3], { groups: 2 }]] as [number[], number[], ConvOpts][]) {
    test(`gradients by finite differences: x ${JSON.stringify(xs)} w ${JSON.stringify(ws)} ${JSON.stringify(opts)}`, async () => {
      await checkOp({
        shapes: [xs, ws, [ws[0]!]],
        op: (x, w, b) => conv2dReluMaxPool2x2(x!, w!, b!, opts),
        reference: (x, w, b) => pool2(relu(convRef(x!, w!, b!, opts))),
      });
    });
  }
  test('nothing to pool: the same error as maxPool2d', () => {
    assert.throws(() => tg.noGrad(() => conv2dReluMaxPool2x2(tg.randn([1, 2, 3, 3]), tg.randn([2, 2, 3, 3]), null)), /maxPool2d: output size would be 0/);
  });
  for (const backend of ['reference', 'wasm']) {
    for (const dtype of ['float32', 'float64'] as const) {
      test(`${backend} ${dtype}`, () => withBackend(backend, () => {
        tg.manualSeed(7);
        for (const [xs, ws, opts] of cases) {
          const x = tg.randn(xs, { dtype }), w = tg.randn(ws, { dtype }), b = tg.randn([ws[0]!], { dtype });
          const want = tg.noGrad(() => F.maxPool2d(F.relu(F.conv2d(x, w, b, opts)), 2));
          const got = tg.noGrad(() => conv2dReluMaxPool2x2(x, w, b, opts));
          assert.deepEqual(got.shape, want.shape, `${JSON.stringify(xs)} shape`);
          assert.ok(got.allclose(want, 1e-5, 1e-6), `${backend} ${dtype} ${JSON.stringify([xs, ws, opts])}: fused result differs`);
          // With gradients: the fused training primitive against the composition.
          const wg = w.clone().requiresGrad_();
          conv2dReluMaxPool2x2(x, wg, b, opts).sum().backward();
          const wr = w.clone().requiresGrad_();
          F.maxPool2d(F.relu(F.conv2d(x, wr, b, opts)), 2).sum().backward();
          assert.ok(wg.grad!.allclose(wr.grad!, 1e-5, 1e-6), `${backend} ${dtype}: gradient of the composition`);
        }
      }));
    }
  }
});

describe('convTransposeNd forward and gradients vs scatter reference', () => {
  for (const c of convTCases) {
    const n = c[1].length - 2;
    const shapes = c[2] ? [c[0], c[1], [c[1][1]! * (c[3].groups ?? 1)]] : [c[0], c[1]];
    test(`convTranspose${n}d ${label(c)}`, async () => {
      await checkOp({
        shapes,
        op: (x, w, b) => F.convTransposeNd(n, x!, w!, b ?? null, c[3]),
        reference: (x, w, b) => convTransposeRef(x!, w!, b ?? null, c[3]),
      });
    });
  }
});

// ---- behaviour ----

// Every assert.ok carries a message: without one, Node re-reads the source to
// build it, which can hang under the tsx loader when the assertion fails.
describe('conv behaviour', () => {
  test('named wrappers match convNd and the output-size helpers', () => {
    const x = tg.randn([2, 3, 9]);
    const w = tg.randn([4, 3, 3]);
    const y = F.conv1d(x, w, null, { stride: 2, padding: 1, dilation: 2 });
    assert.deepEqual(y.shape, [2, 4, F.convOutputSize(9, { kernel: 3, stride: 2, padding: 1, dilation: 2 })]);
    assert.ok(y.allclose(F.convNd(1, x, w, null, { stride: 2, padding: 1, dilation: 2 })), 'conv1d differs from convNd(1)');
    assert.deepEqual(F.conv2d(tg.randn([1, 2, 6, 7]), tg.randn([3, 2, 3, 3])).shape, [1, 3, 4, 5]);
    assert.deepEqual(F.conv3d(tg.randn([1, 2, 3, 4, 5]), tg.randn([3, 2, 1, 2, 3])).shape, [1, 3, 3, 3, 3]);
    assert.deepEqual(F.convTranspose2d(tg.randn([1, 2, 5, 5]), tg.randn([2, 3, 4, 4]), null, { stride: 2, padding: 1 }).shape, [1, 3, 10, 10]);
    assert.deepEqual(F.convTranspose1d(tg.randn([1, 2, 5]), tg.randn([2, 3, 3]), null, { stride: 3, outputPadding: 2 }).shape, [1, 3, 17]);
    assert.deepEqual(F.convTranspose3d(tg.randn([1, 2, 2, 2, 2]), tg.randn([2, 1, 2, 2, 2]), null, { stride: 2 }).shape, [1, 1, 4, 4, 4]);
    assert.equal(F.convOutputSize(32, { kernel: 5, padding: 2 }), 32);
    assert.equal(F.convOutputSize(7, { kernel: 3, stride: 2, padding: 1, dilation: 2 }), 3);
    assert.equal(F.convTransposeOutputSize(16, { kernel: 4, stride: 2, padding: 1 }), 32);
    assert.equal(F.convTransposeOutputSize(5, { kernel: 3, stride: 2, padding: 1, outputPadding: 1, dilation: 2 }), 12);
  });

  test("'same' with an even kernel pads less before than after (PyTorch split)", () => {
    const x = tg.randn([1, 1, 6, 5], { dtype: 'float64' });
    const w = tg.randn([1, 1, 4, 2], { dtype: 'float64' });
    const same = F.conv2d(x, w, null, { padding: 'same' });
    assert.deepEqual(same.shape, [1, 1, 6, 5]);
    assert.ok(same.allclose(F.conv2d(x, w, null, { padding: [1, 2, 0, 1] }), 0, 1e-12), "'same' differs from per-side [1,2,0,1]");
    assert.ok(!same.allclose(F.conv2d(x, w, null, { padding: [2, 1, 1, 0] }), 0, 1e-12), "'same' equals per-side [2,1,1,0]");
  });

  test('unbatched input equals the batched result without its batch dim', () => {
    const x = tg.randn([3, 5, 4], { dtype: 'float64' });
    const w = tg.randn([2, 3, 2, 2], { dtype: 'float64' });
    const b = tg.randn([2], { dtype: 'float64' });
    const y = F.conv2d(x, w, b, { padding: 1 });
    assert.deepEqual(y.shape, [2, 6, 5]);
    assert.ok(y.allclose(F.conv2d(x.unsqueeze(0), w, b, { padding: 1 }).squeeze(0), 0, 1e-12), 'unbatched differs from batched');
    const t = F.convTranspose2d(x, tg.randn([3, 2, 2, 2], { dtype: 'float64' }), null, { stride: 2 });
    assert.deepEqual(t.shape, [2, 10, 8]);
  });

  test('convTranspose is the adjoint of conv: <conv(x), y> = <x, convT(y)>', () => {
    const x = tg.randn([2, 4, 7, 6], { dtype: 'float64' });
    const w = tg.randn([6, 2, 3, 2], { dtype: 'float64' });
    const opts = { stride: [2, 3], padding: [1, 0], dilation: [1, 2], groups: 2 };
    const cx = F.conv2d(x, w, null, opts);
    const y = tg.randn(cx.shape, { dtype: 'float64' });
    // outputPadding recovers the input size lost to the floor in the conv's output size.
    const outputPadding = [0, 1].map((i) => x.shape[i + 2]! - F.convTransposeOutputSize(cx.shape[i + 2]!, { kernel: w.shape[i + 2]!, stride: opts.stride[i]!, padding: opts.padding[i]!, dilation: opts.dilation[i]! }));
    const ty = F.convTranspose2d(y, w, null, { ...opts, outputPadding });
    assert.deepEqual(ty.shape, x.shape);
    const lhs = cx.mul(y).sum().item(), rhs = x.mul(ty).sum().item();
    assert.ok(Math.abs(lhs - rhs) < 1e-9 * (1 + Math.abs(lhs)), `${lhs} vs ${rhs}`);
  });

  test('mixed float32/float64 operands compute in float64', () => {
    const y = F.conv1d(tg.randn([1, 2, 5]), tg.randn([3, 2, 2], { dtype: 'float64' }), tg.randn([3]));
    assert.equal(y.dtype, 'float64');
    assert.equal(F.conv1d(tg.randn([1, 2, 5]), tg.randn([3, 2, 2])).dtype, 'float32');
  });

  test('an empty batch gives an empty output', () => {
    assert.deepEqual(F.conv2d(tg.randn([0, 3, 5, 5]), tg.randn([2, 3, 3, 3])).shape, [0, 2, 3, 3]);
  });
});

// ---- validation ----

describe('conv argument errors', () => {
  const r = (...s: number[]) => tg.randn(s);
  const cases: [string, () => Tensor, RegExp][] = [
    ['channel mismatch', () => F.conv2d(r(8, 3, 32, 32), r(6, 1, 5, 5)),
      /^conv2d: input has 3 channels but weight expects 1 \(input \[8,3,32,32\], weight \[6,1,5,5\], groups 1\)$/],
    ['channel mismatch with groups', () => F.conv2d(r(1, 4, 5, 5), r(4, 1, 3, 3), null, { groups: 2 }), /conv2d: input has 4 channels but weight expects 2 .*groups 2/],
    ['input rank', () => F.conv2d(r(3, 5), r(1, 3, 1, 1)), /conv2d: input must be 3-D \[C,H,W\] \(unbatched\) or 4-D \[N,C,H,W\] \(got \[3,5\]\)/],
    ['input rank 1-D', () => F.conv1d(r(1, 1, 2, 3), r(1, 1, 1)), /conv1d: input must be 2-D \[C,L\] \(unbatched\) or 3-D \[N,C,L\] \(got \[1,1,2,3\]\)/],
    ['weight rank', () => F.conv2d(r(1, 3, 5, 5), r(6, 3, 5)), /conv2d: weight must be 4-D \[Cout,Cin\/groups,kH,kW\] \(got \[6,3,5\]\)/],
    ['groups not dividing out channels', () => F.conv2d(r(1, 4, 5, 5), r(6, 1, 3, 3), null, { groups: 4 }), /conv2d: weight has 6 output channels, not divisible by groups 4/],
    ['groups not dividing in channels', () => F.conv2d(r(1, 3, 5, 5), r(4, 1, 3, 3), null, { groups: 2 }), /conv2d: input has 3 channels, not divisible by groups 2/],
    ['groups not positive', () => F.conv2d(r(1, 3, 5, 5), r(4, 3, 3, 3), null, { groups: 0 }), /conv2d: groups must be a positive integer \(got 0\)/],
    ['bias shape', () => F.conv2d(r(1, 3, 5, 5), r(6, 3, 3, 3), r(5)), /conv2d: bias must have shape \[6\] \(got \[5\]\)/],
    ['bias rank', () => F.conv1d(r(1, 3, 5), r(6, 3, 3), r(1, 6)), /conv1d: bias must have shape \[6\] \(got \[1,6\]\)/],
    ['stride zero', () => F.conv2d(r(1, 1, 5, 5), r(1, 1, 3, 3), null, { stride: [0, 1] }), /conv2d: stride must be positive integers \(got \[0,1\]\)/],
    ['stride fraction', () => F.conv1d(r(1, 1, 5), r(1, 1, 3), null, { stride: 1.5 }), /conv1d: stride must be positive integers \(got 1.5\)/],
    ['stride length', () => F.conv2d(r(1, 1, 5, 5), r(1, 1, 3, 3), null, { stride: [1, 2, 1] }), /conv2d: stride must be a number or an array of 2 numbers \(got \[1,2,1\]\)/],
    ['dilation negative', () => F.conv3d(r(1, 1, 5, 5, 5), r(1, 1, 3, 3, 3), null, { dilation: -1 }), /conv3d: dilation must be positive integers \(got -1\)/],
    ['padding negative', () => F.conv2d(r(1, 1, 5, 5), r(1, 1, 3, 3), null, { padding: -1 }), /conv2d: padding must be non-negative integers \(got -1\)/],
    ['padding negative per side', () => F.conv2d(r(1, 1, 5, 5), r(1, 1, 3, 3), null, { padding: [0, 1, -1, 0] }), /conv2d: padding must be non-negative integers \(got \[0,1,-1,0\]\)/],
    ['padding length', () => F.conv2d(r(1, 1, 5, 5), r(1, 1, 3, 3), null, { padding: [1, 1, 1] }), /conv2d: padding must be a number, an array of 2 \(per dim\) or 4 \(per side/],
    ['padding unknown string', () => F.conv2d(r(1, 1, 5, 5), r(1, 1, 3, 3), null, { padding: 'full' as 'same' }), /conv2d: padding must be a number, an array, 'valid' or 'same' \(got "full"\)/],
    ["'same' with stride 2", () => F.conv2d(r(1, 1, 5, 5), r(1, 1, 3, 3), null, { padding: 'same', stride: 2 }), /conv2d: padding 'same' requires stride 1 \(got stride \[2,2\]\)/],
    ['kernel larger than input', () => F.conv2d(r(1, 1, 3, 3), r(1, 1, 5, 5)), /conv2d: kernel size 5 \(dilated\) is larger than padded input 3 along spatial dim 0/],
    ['dilated kernel larger than padded input', () => F.conv2d(r(1, 1, 9, 5), r(1, 1, 3, 3), null, { dilation: 3, padding: [0, 0, 0, 1] }),
      /conv2d: kernel size 7 \(dilated\) is larger than padded input 6 along spatial dim 1 \(size 5, padding 0\+1, kernel 3, dilation 3\)/],
    ['integer input', () => F.conv2d(tg.zeros([1, 1, 3, 3], { dtype: 'int32' }), r(1, 1, 3, 3)), /conv2d: expected a floating-point tensor .* int32/],
    ['integer bias', () => F.conv1d(r(1, 1, 3), r(2, 1, 3), tg.zeros([2], { dtype: 'int32' })), /conv1d: expected a floating-point tensor .* int32/],
    ['zero-size spatial dim', () => F.conv2d(r(1, 1, 0, 3), r(1, 1, 1, 1), null, { padding: 1 }), /conv2d: input has a zero-size spatial dim/],
    ['zero-size kernel', () => F.conv1d(r(1, 1, 3), r(1, 1, 0)), /conv1d: weight has a zero-size kernel dim/],
    ['convNd n', () => F.convNd(4, r(1, 1, 2, 2, 2, 2), r(1, 1, 1, 1, 1, 1)), /convNd: n must be 1, 2 or 3 \(got 4\)/],
    // transposed
    ['T channel mismatch', () => F.convTranspose2d(r(1, 3, 4, 4), r(4, 2, 3, 3)), /convTranspose2d: input has 3 channels but weight expects 4 \(input \[1,3,4,4\], weight \[4,2,3,3\], groups 1\)/],
    ['T groups', () => F.convTranspose2d(r(1, 3, 4, 4), r(3, 2, 3, 3), null, { groups: 2 }), /convTranspose2d: weight has 3 input channels, not divisible by groups 2/],
    ['T weight rank', () => F.convTranspose3d(r(1, 2, 3, 3, 3), r(2, 2, 3, 3)), /convTranspose3d: weight must be 5-D \[Cin,Cout\/groups,kD,kH,kW\] \(got \[2,2,3,3\]\)/],
    ['T input rank', () => F.convTranspose1d(r(5), r(1, 1, 1)), /convTranspose1d: input must be 2-D \[C,L\] \(unbatched\) or 3-D \[N,C,L\]/],
    ['T bias', () => F.convTranspose1d(r(1, 2, 4), r(2, 3, 3), r(6), { groups: 1 }), /convTranspose1d: bias must have shape \[3\] \(got \[6\]\)/],
    ['T outputPadding', () => F.convTranspose2d(r(1, 1, 3, 3), r(1, 1, 3, 3), null, { stride: 2, outputPadding: [0, 2] }),
      /convTranspose2d: outputPadding 2 must be smaller than either stride 2 or dilation 1 along spatial dim 1/],
    ['T outputPadding with stride 1', () => F.convTranspose1d(r(1, 1, 3), r(1, 1, 3), null, { outputPadding: 1 }), /convTranspose1d: outputPadding 1 must be smaller than either stride 1 or dilation 1/],
    ['T negative outputPadding', () => F.convTranspose1d(r(1, 1, 3), r(1, 1, 3), null, { outputPadding: -1 }), /convTranspose1d: outputPadding must be non-negative integers/],
    ['T padding form', () => F.convTranspose1d(r(1, 1, 3), r(1, 1, 3), null, { padding: [1, 1] }), /convTranspose1d: padding must be a number or an array of 1 numbers/],
    ['T non-positive output', () => F.convTranspose2d(r(1, 1, 1, 1), r(1, 1, 1, 1), null, { padding: 1 }), /convTranspose2d: output size -1 is not positive along spatial dim 0/],
    ['T stride', () => F.convTranspose2d(r(1, 1, 3, 3), r(1, 1, 3, 3), null, { stride: 0 }), /convTranspose2d: stride must be positive integers \(got 0\)/],
  ];
  for (const [name, fn, re] of cases) {
    test(name, () => {
      assert.throws(fn, (e: unknown) => {
        assert.ok(e instanceof tg.TensorError, `expected a TensorError, got ${String(e)}`);
        assert.match(e.message, re);
        return true;
      });
    });
  }
});
