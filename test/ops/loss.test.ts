import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tg from '../../src/index.js';
import { checkOp, randomShape } from '../helpers/check-op.js';
import { nd, type ND } from '../helpers/ndarray.js';

const F = tg.F;
type Red = 'mean' | 'sum' | 'none';
const REDUCTIONS: Red[] = ['mean', 'sum', 'none'];
const int = (v: number[]) => tg.tensor(v, { dtype: 'int32' });

// ---- independent float64 references (plain loops) ---------------------------

/** Applies a reduction to per-element losses laid out in `shape`; 'mean' divides by `den` (default: count). */
function reduceRef(losses: Float64Array, shape: number[], reduction: string, den = losses.length): ND {
  if (reduction === 'none') return nd(shape, losses);
  let s = 0;
  for (const v of losses) s += v;
  return nd([], [reduction === 'sum' ? s : reduction === 'batchmean' ? s / (shape[0] ?? 1) : s / den]);
}

/** An elementwise loss f(x, y) over same-shaped inputs. */
const pointwiseRef = (f: (x: number, y: number) => number, reduction: string) => (a: ND, b: ND): ND =>
  reduceRef(a.data.map((x, i) => f(x, b.data[i]!)), a.shape, reduction);

/** Splits an input of shape [N, C, d...] (or unbatched [C]) into N, C, S = prod(d...). */
function classLayout(shape: number[]) {
  if (shape.length === 1) return { N: 1, C: shape[0]!, S: 1, outShape: [] as number[] };
  const spatial = shape.slice(2);
  return { N: shape[0]!, C: shape[1]!, S: spatial.reduce((a, b) => a * b, 1), outShape: [shape[0]!, ...spatial] };
}

/** Log-probabilities at (n, ., s): from logits via a max-shifted log-sum-exp, or the input itself. */
function logProbs(x: ND, n: number, s: number, C: number, S: number, fromLogits: boolean): number[] {
  const v = Array.from({ length: C }, (_, c) => x.data[(n * C + c) * S + s]!);
  if (!fromLogits) return v;
  const m = Math.max(...v);
  let z = 0;
  for (const u of v) z += Math.exp(u - m);
  const lse = m + Math.log(z);
  return v.map((u) => u - lse);
}

interface ClassRefOpts { reduction: string; ignoreIndex?: number; weight?: ND | null; eps?: number; fromLogits: boolean }

/** nll_loss / cross_entropy with class-index targets, written from PyTorch's documented formulas. */
function classIndexRef(x: ND, t: ND, o: ClassRefOpts): ND {
  const { N, C, S, outShape } = classLayout(x.shape);
  const eps = o.eps ?? 0;
  const ignore = o.ignoreIndex ?? -100;
  const wc = (c: number) => (o.weight ? o.weight.data[c]! : 1);
  const losses = new Float64Array(N * S);
  let den = 0;
  for (let n = 0; n < N; n++) {
    for (let s = 0; s < S; s++) {
      const cls = t.data[n * S + s]!;
      if (cls === ignore) continue;
      const lp = logProbs(x, n, s, C, S, o.fromLogits);
      let smooth = 0;
      for (let c = 0; c < C; c++) smooth -= wc(c) * lp[c]!;
      losses[n * S + s] = (1 - eps) * -wc(cls) * lp[cls]! + (eps / C) * smooth;
      den += wc(cls);
    }
  }
  return reduceRef(losses, outShape, o.reduction, den);
}

/** cross_entropy with class-probability targets. */
function classProbRef(x: ND, p: ND, reduction: string, weight: ND | null, eps: number): ND {
  const { N, C, S, outShape } = classLayout(x.shape);
  const losses = new Float64Array(N * S);
  for (let n = 0; n < N; n++) {
    for (let s = 0; s < S; s++) {
      const lp = logProbs(x, n, s, C, S, true);
      let l = 0;
      for (let c = 0; c < C; c++) {
        const q = (1 - eps) * p.data[(n * C + c) * S + s]! + eps / C;
        l -= (weight ? weight.data[c]! : 1) * q * lp[c]!;
      }
      losses[n * S + s] = l;
    }
  }
  return reduceRef(losses, outShape, reduction);
}

/** Value of a per-class array ([C], [1, 1, C], ...) at the last-axis position of flat index i. */
const lastAxis = (w: ND, i: number) => w.data[i % w.shape[w.shape.length - 1]!]!;

// ---- random shapes and values -------------------------------------------------

const C = 4;
/** [N, C, d...] input, [N, d...] target, [C] weight. */
const classShapes = (g: tg.Generator) => {
  const n = g.randint(1, 4);
  const spatial = randomShape(g, 0, 2, 2);
  return [[n, C, ...spatial], [n, ...spatial], [C]];
};
/** Input 0: normal; input 1: class index (float, converted in the op) from lo; input 2: positive weight. */
const classValues = (lo: number) => (g: tg.Generator, i: number) =>
  i === 0 ? 2 * g.normal() : i === 1 ? g.randint(lo, C) : 0.5 + 2 * g.uniform();

// ---- regression ---------------------------------------------------------------

describe('regression losses', () => {
  const cases: [string, (x: tg.Tensor, y: tg.Tensor, r: Red) => tg.Tensor, (x: number, y: number) => number][] = [
    ['mseLoss', (x, y, reduction) => F.mseLoss(x, y, { reduction }), (x, y) => (x - y) ** 2],
    ['l1Loss', (x, y, reduction) => F.l1Loss(x, y, { reduction }), (x, y) => Math.abs(x - y)],
    ['smoothL1Loss beta 1', (x, y, reduction) => F.smoothL1Loss(x, y, { reduction }),
      (x, y) => (Math.abs(x - y) < 1 ? 0.5 * (x - y) ** 2 : Math.abs(x - y) - 0.5)],
    ['smoothL1Loss beta 0.5', (x, y, reduction) => F.smoothL1Loss(x, y, { reduction, beta: 0.5 }),
      (x, y) => (Math.abs(x - y) < 0.5 ? (0.5 * (x - y) ** 2) / 0.5 : Math.abs(x - y) - 0.25)],
    ['smoothL1Loss beta 0 is l1', (x, y, reduction) => F.smoothL1Loss(x, y, { reduction, beta: 0 }), (x, y) => Math.abs(x - y)],
    ['huberLoss delta 0.7', (x, y, reduction) => F.huberLoss(x, y, { reduction, delta: 0.7 }),
      (x, y) => (Math.abs(x - y) < 0.7 ? 0.5 * (x - y) ** 2 : 0.7 * (Math.abs(x - y) - 0.35))],
  ];
  for (const [name, op, f] of cases) {
    test(`${name}: every reduction, gradients for input and target`, async () => {
      for (const reduction of REDUCTIONS) {
        await checkOp({
          shapes: (g) => { const s = randomShape(g, 0, 3); return [s, s]; },
          op: (x, y) => op(x, y, reduction), reference: pointwiseRef(f, reduction), cases: 2,
        });
      }
    });
  }
  test('default reduction is mean', () => {
    const l = F.mseLoss(tg.tensor([1, 2, 3]), tg.tensor([1, 0, 0]));
    assert.equal(l.shape.length, 0);
    assert.ok(Math.abs(l.item() - 13 / 3) < 1e-6);
  });
});

// ---- nllLoss and crossEntropy ---------------------------------------------------

describe('nllLoss', () => {
  for (const reduction of REDUCTIONS) {
    test(`[N, C, d...] with weight, ignoreIndex -1, reduction ${reduction}`, async () => {
      await checkOp({
        shapes: classShapes, values: classValues(-1), cases: 3, grad: [true, false, true],
        op: (x, t, w) => F.nllLoss(x, t.int(), { weight: w, ignoreIndex: -1, reduction }),
        reference: (x, t, w) => classIndexRef(x, t, { reduction, weight: w, ignoreIndex: -1, fromLogits: false }),
      });
    });
  }
  test('no weight, default ignoreIndex; unbatched [C] input with scalar target', async () => {
    for (const reduction of REDUCTIONS) {
      await checkOp({
        shapes: (g) => classShapes(g).slice(0, 2), values: classValues(0), cases: 2, grad: [true, false],
        op: (x, t) => F.nllLoss(x, t.int(), { reduction }),
        reference: (x, t) => classIndexRef(x, t, { reduction, fromLogits: false }),
      });
      await checkOp({
        shapes: [[C], []], values: classValues(0), grad: [true, false],
        op: (x, t) => F.nllLoss(x, t.int(), { reduction }),
        reference: (x, t) => classIndexRef(x, t, { reduction, fromLogits: false }),
      });
    }
  });
  test('ignoreIndex may be a real class; ignored entries are 0 under none', () => {
    const x = tg.tensor([[-1, -2, -3], [-4, -5, -6]]);
    const t = int([1, 2]);
    assert.deepEqual(F.nllLoss(x, t, { ignoreIndex: 1, reduction: 'none' }).toArray(), [0, 6]);
    assert.equal(F.nllLoss(x, t, { ignoreIndex: 1 }).item(), 6);
    // 'mean' divides by the summed weights of the targets: (w1 * 2 + w2 * 6) / (w1 + w2)
    const w = tg.tensor([1, 2, 3]);
    assert.ok(Math.abs(F.nllLoss(x, int([1, 2]), { weight: w }).item() - (2 * 2 + 3 * 6) / 5) < 1e-6);
  });
  test('every target ignored: mean is NaN, sum is 0 (PyTorch)', () => {
    const x = tg.tensor([[-1, -2]]);
    assert.ok(Number.isNaN(F.nllLoss(x, int([-100])).item()));
    assert.equal(F.nllLoss(x, int([-100]), { reduction: 'sum' }).item(), 0);
  });
});

describe('crossEntropy with class indices', () => {
  test('hand-computed example: logits [[1,2,3]] target [2] -> 0.40760596', () => {
    for (const dtype of ['float32', 'float64'] as const) {
      const l = F.crossEntropy(tg.tensor([[1, 2, 3]], { dtype }), int([2]));
      assert.ok(Math.abs(l.item() - 0.40760596) < 1e-7, `${dtype}: ${l.item()}`);
    }
    // with labelSmoothing 0.1: 0.9 * 0.40760596 + (0.1 / 3) * (2.40760596 + 1.40760596 + 0.40760596)
    const s = F.crossEntropy(tg.tensor([[1, 2, 3]], { dtype: 'float64' }), int([2]), { labelSmoothing: 0.1 });
    assert.ok(Math.abs(s.item() - 0.50760596) < 1e-7, `${s.item()}`);
    // unbatched: [C] input, scalar target
    const u = F.crossEntropy(tg.tensor([1, 2, 3], { dtype: 'float64' }), tg.tensor(2, { dtype: 'int32' }), { reduction: 'none' });
    assert.deepEqual(u.shape, []);
    assert.ok(Math.abs(u.item() - 0.40760596) < 1e-7);
  });
  test('gradient is softmax - onehot', () => {
    const x = tg.tensor([[1, 2, 3]], { dtype: 'float64', requiresGrad: true });
    F.crossEntropy(x, int([0])).backward();
    const z = Math.exp(1) + Math.exp(2) + Math.exp(3);
    const want = [Math.exp(1) / z - 1, Math.exp(2) / z, Math.exp(3) / z];
    (x.grad!.data() as Float64Array).forEach((v, i) => assert.ok(Math.abs(v - want[i]!) < 1e-12));
  });
  // index targets x {weight, ignoreIndex, labelSmoothing} x reductions
  const combos: { weight: boolean; ignoreIndex?: number; eps: number }[] = [
    { weight: false, eps: 0 },
    { weight: true, eps: 0 },
    { weight: false, ignoreIndex: 1, eps: 0.2 },
    { weight: true, ignoreIndex: 2, eps: 0.1 },
    { weight: true, ignoreIndex: -1, eps: 0.3 },
    { weight: true, eps: 1 },
    // Without weights, [N, C] inputs take the fused kernels: every option again.
    { weight: false, ignoreIndex: -1, eps: 0.3 },
    { weight: false, eps: 1 },
  ];
  for (const { weight, ignoreIndex, eps } of combos) {
    test(`weight ${weight}, ignoreIndex ${ignoreIndex ?? 'default'}, labelSmoothing ${eps}: every reduction`, async () => {
      for (const reduction of REDUCTIONS) {
        await checkOp({
          shapes: classShapes, values: classValues(ignoreIndex === -1 ? -1 : 0), cases: 2, grad: [true, false, weight],
          op: (x, t, w) => F.crossEntropy(x, t.int(), { reduction, ignoreIndex, labelSmoothing: eps, weight: weight ? w : null }),
          reference: (x, t, w) => classIndexRef(x, t, { reduction, ignoreIndex, eps, weight: weight ? w : null, fromLogits: true }),
        });
      }
    });
  }
  test('large logits stay finite', () => {
    const l = F.crossEntropy(tg.tensor([[1000, 0, -1000]]), int([1]));
    assert.ok(Math.abs(l.item() - 1000) < 1e-3, `loss ${l.item()}`);
  });
  test("'mean' over targets that are all ignored is NaN, with zero gradients (PyTorch)", () => {
    const x = tg.randn([3, 4], { requiresGrad: true });
    const l = F.crossEntropy(x, int([5, 5, 5]), { ignoreIndex: 5 });
    assert.ok(Number.isNaN(l.item()), `loss ${l.item()}`);
    F.crossEntropy(x, int([5, 5, 5]), { ignoreIndex: 5, reduction: 'sum' }).backward();
    assert.deepEqual([...x.grad!.data()], new Array(12).fill(0), 'gradient');
  });
});

describe('crossEntropy with class probabilities', () => {
  for (const eps of [0, 0.25]) {
    for (const weight of [false, true]) {
      test(`labelSmoothing ${eps}, weight ${weight}: every reduction, gradients for input, target and weight`, async () => {
        for (const reduction of REDUCTIONS) {
          await checkOp({
            shapes: (g) => { const s = classShapes(g); return [s[0]!, s[0]!, s[2]!]; },
            values: (g, i) => (i === 0 ? 2 * g.normal() : g.uniform() + (i === 2 ? 0.5 : 0)),
            cases: 2, grad: [true, true, weight],
            op: (x, p, w) => F.crossEntropy(x, p, { reduction, labelSmoothing: eps, weight: weight ? w : null }),
            reference: (x, p, w) => classProbRef(x, p, reduction, weight ? w : null, eps),
          });
        }
      });
    }
  }
  test('one-hot probabilities equal index targets; unbatched [C] works', () => {
    const x = tg.tensor([[0.3, -1, 2], [1, 1, 0]], { dtype: 'float64' });
    const a = F.crossEntropy(x, tg.tensor([[0, 0, 1], [1, 0, 0]], { dtype: 'float64' })).item();
    const b = F.crossEntropy(x, int([2, 0])).item();
    assert.ok(Math.abs(a - b) < 1e-12);
    const u = F.crossEntropy(tg.tensor([1, 2, 3]), tg.tensor([0, 0, 1]), { reduction: 'none' });
    assert.deepEqual(u.shape, []);
    assert.ok(Math.abs(u.item() - 0.40760596) < 1e-6);
  });
});

// ---- binary cross entropy and KL -----------------------------------------------

describe('binaryCrossEntropy', () => {
  for (const reduction of REDUCTIONS) {
    test(`reduction ${reduction}, weight [C] broadcast; gradients for input, target, weight`, async () => {
      await checkOp({
        shapes: (g) => { const s = [g.randint(1, 4), C]; return [s, s, [C]]; },
        values: (g, i) => (i === 0 ? 0.05 + 0.9 * g.uniform() : i === 1 ? g.uniform() : 0.5 + g.uniform()),
        cases: 2,
        op: (x, y, w) => F.binaryCrossEntropy(x, y, { reduction, weight: w }),
        reference: (x, y, w) => reduceRef(
          x.data.map((p, i) => -lastAxis(w, i) * (y.data[i]! * Math.log(p) + (1 - y.data[i]!) * Math.log(1 - p))), x.shape, reduction,
        ),
      });
    });
  }
  test('probabilities 0 and 1 give the clamped loss 100 and finite gradients', () => {
    const x = tg.tensor([0, 1, 0.5], { requiresGrad: true });
    const l = F.binaryCrossEntropy(x, tg.tensor([1, 0, 1]), { reduction: 'none' });
    assert.deepEqual(Array.from(l.data()).map((v) => Math.round(v * 1e4) / 1e4), [100, 100, 0.6931]);
    l.sum().backward();
    assert.ok(Array.from(x.grad!.data()).every(Number.isFinite));
  });
});

describe('binaryCrossEntropyWithLogits', () => {
  const sp = (z: number) => Math.log1p(Math.exp(-Math.abs(z))) + Math.max(z, 0); // log(1 + e^z)
  for (const reduction of REDUCTIONS) {
    test(`reduction ${reduction}, weight and posWeight; gradients for all inputs`, async () => {
      await checkOp({
        shapes: (g) => { const s = [g.randint(1, 4), g.randint(1, 3), C]; return [s, s, [C], [1, 1, C]]; },
        values: (g, i) => (i === 0 ? 3 * g.normal() : i === 1 ? g.uniform() : 0.5 + 2 * g.uniform()),
        cases: 2,
        op: (x, y, w, pw) => F.binaryCrossEntropyWithLogits(x, y, { reduction, weight: w, posWeight: pw }),
        reference: (x, y, w, pw) => reduceRef(x.data.map((v, i) => {
          const t = y.data[i]!, p = lastAxis(pw, i);
          // -w [p t log sigmoid(x) + (1 - t) log(1 - sigmoid(x))]
          return lastAxis(w, i) * (p * t * sp(-v) + (1 - t) * sp(v));
        }), x.shape, reduction),
      });
    });
  }
  test('no weights; extreme logits stay finite', async () => {
    await checkOp({
      shapes: [[3, 5], [3, 5]], values: (g, i) => (i === 0 ? 4 * g.normal() : g.uniform()),
      op: (x, y) => F.binaryCrossEntropyWithLogits(x, y),
      reference: pointwiseRef((v, t) => t * sp(-v) + (1 - t) * sp(v), 'mean'),
    });
    const l = F.binaryCrossEntropyWithLogits(tg.tensor([1000, -1000, 1000]), tg.tensor([0, 1, 1]), { reduction: 'none' });
    assert.deepEqual(Array.from(l.data()), [1000, 1000, 0]);
  });
  test('gradient at logit exactly 0 is sigmoid(0) - y', () => {
    const x = tg.tensor([0, 0, 0], { dtype: 'float64', requiresGrad: true });
    F.binaryCrossEntropyWithLogits(x, tg.tensor([0, 1, 0.3], { dtype: 'float64' }), { reduction: 'sum' }).backward();
    assert.deepEqual(Array.from(x.grad!.data()).map((v) => Math.round(v * 1e12) / 1e12), [0.5, -0.5, 0.2]);
  });
});

describe('klDiv', () => {
  for (const reduction of [...REDUCTIONS, 'batchmean'] as const) {
    test(`reduction ${reduction}, probability and log targets`, async () => {
      await checkOp({
        shapes: (g) => { const s = [g.randint(1, 4), C]; return [s, s]; },
        values: (g, i) => (i === 0 ? g.normal() - 1 : 0.05 + g.uniform()), cases: 2,
        op: (x, t) => F.klDiv(x, t, { reduction }),
        reference: (x, t) => reduceRef(x.data.map((v, i) => t.data[i]! * (Math.log(t.data[i]!) - v)), x.shape, reduction),
      });
      await checkOp({
        shapes: (g) => { const s = [g.randint(1, 4), 3, 2]; return [s, s]; }, cases: 2,
        op: (x, t) => F.klDiv(x, t, { reduction, logTarget: true }),
        reference: (x, t) => reduceRef(x.data.map((v, i) => Math.exp(t.data[i]!) * (t.data[i]! - v)), x.shape, reduction),
      });
    });
  }
  test('zero target probabilities contribute 0, with finite gradients', () => {
    const t = tg.tensor([[0, 1], [0.5, 0.5]], { dtype: 'float64', requiresGrad: true });
    const x = tg.tensor([[-1, -2], [-0.5, -3]], { dtype: 'float64', requiresGrad: true });
    const l = F.klDiv(x, t, { reduction: 'batchmean' });
    const want = (1 * (0 + 2) + 0.5 * (Math.log(0.5) + 0.5) + 0.5 * (Math.log(0.5) + 3)) / 2;
    assert.ok(Math.abs(l.item() - want) < 1e-12);
    l.backward();
    assert.ok([...t.grad!.data(), ...x.grad!.data()].every(Number.isFinite));
  });
});

describe('cosineEmbeddingLoss', () => {
  for (const reduction of REDUCTIONS) {
    test(`reduction ${reduction}, margin 0.1`, async () => {
      await checkOp({
        shapes: (g) => { const n = g.randint(1, 5); return [[n, 3], [n, 3], [n]]; },
        values: (g, i) => (i === 2 ? (g.uniform() < 0.5 ? -1 : 1) : g.normal()), cases: 2, grad: [true, true, false],
        op: (a, b, y) => F.cosineEmbeddingLoss(a, b, y, { margin: 0.1, reduction }),
        reference: (a, b, y) => {
          const [n, d] = a.shape as [number, number];
          const out = new Float64Array(n);
          for (let i = 0; i < n; i++) {
            let ab = 0, aa = 1e-12, bb = 1e-12;
            for (let j = 0; j < d; j++) {
              const u = a.data[i * d + j]!, v = b.data[i * d + j]!;
              ab += u * v; aa += u * u; bb += v * v;
            }
            const cos = ab / Math.sqrt(aa * bb);
            out[i] = y.data[i] === 1 ? 1 - cos : Math.max(0, cos - 0.1);
          }
          return reduceRef(out, [n], reduction);
        },
      });
    });
  }
});

// ---- validation -------------------------------------------------------------

function throwsTE(fn: () => unknown, ...phrases: (string | RegExp)[]): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof tg.TensorError, `expected TensorError, got ${String(e)}`);
    for (const p of phrases) {
      if (typeof p === 'string') assert.ok(e.message.includes(p), `message "${e.message}" lacks "${p}"`);
      else assert.match(e.message, p);
    }
    return true;
  });
}

describe('argument validation', () => {
  const x = tg.randn([4, 10]);
  test('shape mismatches', () => {
    throwsTE(() => F.mseLoss(tg.randn([3]), tg.randn([3, 1])), 'mseLoss', 'target shape [3,1] must equal input shape [3]');
    throwsTE(() => F.l1Loss(tg.randn([2, 3]), tg.randn([3])), 'l1Loss', '[3]', '[2,3]');
    throwsTE(() => F.crossEntropy(x, int([1, 2, 3, 4, 5, 6, 7, 8])),
      'crossEntropy: target has shape [8] but input has batch size 4 (input [4,10], target [8])');
    throwsTE(() => F.nllLoss(tg.randn([2, 3, 5]), int([0, 1])), 'nllLoss', 'target must have shape [2,5]', 'got [2]');
    throwsTE(() => F.crossEntropy(x, tg.randn([4, 9])), 'crossEntropy', 'class probabilities', 'input [4,10], target [4,9]', 'int32');
    throwsTE(() => F.crossEntropy(tg.tensor(1), int([0])), 'crossEntropy', 'class dimension');
    throwsTE(() => F.klDiv(tg.randn([2, 3]), tg.rand([3, 2])), 'klDiv', 'must equal input shape [2,3]');
    throwsTE(() => F.cosineEmbeddingLoss(tg.randn([3, 2]), tg.randn([3, 2]), tg.ones([2])), 'cosineEmbeddingLoss', 'y must have shape [3]');
  });
  test('target dtypes', () => {
    throwsTE(() => F.crossEntropy(x, tg.tensor([1, 2, 3, 4])), 'crossEntropy', 'floating-point target', 'class probabilities', 'int32');
    throwsTE(() => F.nllLoss(x, tg.tensor([1, 2, 3, 4])), 'nllLoss: target must be an int32 tensor of class indices (got float32)');
    throwsTE(() => F.mseLoss(tg.randn([2]), int([1, 2])), 'mseLoss: target must be a floating-point tensor (got int32');
    throwsTE(() => F.crossEntropy(int([1, 2]), int([0])), 'crossEntropy: input must be a floating-point tensor');
  });
  test('class indices out of range', () => {
    throwsTE(() => F.crossEntropy(x, int([1, 2, 10, 3])), 'crossEntropy', 'target value 10', 'out of range for 10 classes', 'flat index 2');
    throwsTE(() => F.nllLoss(x, int([1, -1, 0, 3])), 'target value -1', 'ignoreIndex -100');
    // the same value is fine when it is the ignoreIndex
    assert.ok(Number.isFinite(F.nllLoss(x, int([1, -1, 0, 3]), { ignoreIndex: -1 }).item()));
    throwsTE(() => F.crossEntropy(tg.randn([3]), tg.tensor(3, { dtype: 'int32' })), 'target value 3', 'out of range for 3 classes');
  });
  test('weights', () => {
    throwsTE(() => F.crossEntropy(x, int([0, 1, 2, 3]), { weight: tg.ones([9]) }), 'crossEntropy: weight must have shape [10]', 'weight [9]');
    throwsTE(() => F.nllLoss(x, int([0, 1, 2, 3]), { weight: int(Array(10).fill(1)) }), 'nllLoss: weight must be a floating-point tensor');
    throwsTE(() => F.binaryCrossEntropy(tg.rand([2, 3]), tg.rand([2, 3]), { weight: tg.ones([2]) }),
      'binaryCrossEntropy', 'weight of shape [2] does not broadcast to the input shape [2,3]');
    throwsTE(() => F.binaryCrossEntropyWithLogits(tg.randn([3]), tg.rand([3]), { posWeight: tg.ones([2, 3]) }),
      'posWeight of shape [2,3] does not broadcast to the input shape [3]');
  });
  test('reduction and options', () => {
    throwsTE(() => F.mseLoss(tg.randn([2]), tg.randn([2]), { reduction: 'avg' as never }),
      `mseLoss: reduction must be one of 'mean', 'sum', 'none' (got "avg")`);
    throwsTE(() => F.crossEntropy(x, int([0, 1, 2, 3]), { reduction: 'batchmean' as never }), 'crossEntropy: reduction must be one of');
    throwsTE(() => F.klDiv(tg.randn([2]), tg.rand([2]), { reduction: 'avg' as never }), `'batchmean'`);
    throwsTE(() => F.crossEntropy(x, int([0, 1, 2, 3]), { ignore_index: 1 } as never), `crossEntropy: unknown option 'ignore_index'`, 'ignoreIndex');
    throwsTE(() => F.crossEntropy(x, int([0, 1, 2, 3]), { ignoreIndex: 1.5 }), 'ignoreIndex must be an integer');
    throwsTE(() => F.crossEntropy(x, tg.rand([4, 10]), { ignoreIndex: 0 }), 'ignoreIndex is not supported', 'probability');
  });
  test('hyperparameter ranges', () => {
    throwsTE(() => F.crossEntropy(x, int([0, 1, 2, 3]), { labelSmoothing: 1.5 }), 'crossEntropy: labelSmoothing must be in [0, 1] (got 1.5)');
    throwsTE(() => F.crossEntropy(x, int([0, 1, 2, 3]), { labelSmoothing: -0.1 }), 'labelSmoothing must be in [0, 1]');
    throwsTE(() => F.smoothL1Loss(tg.randn([2]), tg.randn([2]), { beta: -1 }), 'smoothL1Loss: beta must be a non-negative number');
    throwsTE(() => F.huberLoss(tg.randn([2]), tg.randn([2]), { delta: 0 }), 'huberLoss: delta must be a positive number');
  });
  test('values outside the domain', () => {
    throwsTE(() => F.binaryCrossEntropy(tg.tensor([0.5, 1.2]), tg.tensor([1, 0])), 'binaryCrossEntropy', '[0, 1]', 'element 1 is 1.2', 'WithLogits');
    throwsTE(() => F.binaryCrossEntropy(tg.tensor([NaN]), tg.tensor([1])), 'element 0 is NaN');
    throwsTE(() => F.cosineEmbeddingLoss(tg.randn([2, 3]), tg.randn([2, 3]), tg.tensor([1, 0])), 'y must hold 1 or -1 (got 0)');
  });
});
