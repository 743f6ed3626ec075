/**
 * Tutorial 1: tensors and autograd. Backpropagation by hand on f = (x + y) * z
 * and on a sigmoid neuron, the same gradients from `backward()`, and both checked
 * against finite differences with `tg.autograd.gradcheck`.
 * Run: node --import tsx docs/tutorials/01-tensors-and-autograd.ts
 */
import * as tg from 'tensorgrad';
import { show, svg, table } from './lib.js';

// ── 1. Tensors ──────────────────────────────────────────────────────────────
const a = tg.tensor([[1, 2, 3], [4, 5, 6]]);
const b = tg.tensor([10, 20, 30]);
show('tensors', [
  `a.shape = [${a.shape}], a.dtype = ${a.dtype}`,
  `a + b (b broadcast over the rows) =\n${a.add(b)}`,
  `a.sum(1) = ${a.sum(1)}`,
  `a.matmul(a.T) =\n${a.matmul(a.transpose(0, 1))}`,
].join('\n'));

// ── 2. f = (x + y) * z ──────────────────────────────────────────────────────
// Forward: q = x + y, f = q * z. Backward (chain rule, from f towards the inputs):
//   df/dq = z, df/dz = q;   dq/dx = dq/dy = 1, so df/dx = df/dy = df/dq * 1 = z.
const xv = -2, yv = 5, zv = -4;
const q = xv + yv, f = q * zv;
const byHand = { x: zv, y: zv, z: q };

const x = tg.tensor(xv, { requiresGrad: true });
const y = tg.tensor(yv, { requiresGrad: true });
const z = tg.tensor(zv, { requiresGrad: true });
const out = x.add(y).mul(z);
out.backward();
show('add-mul', table(['', 'value', 'by hand', 'backward()'], [
  ['f', out.item(), f, '-'],
  ['df/dx', '', byHand.x, x.grad!.item()],
  ['df/dy', '', byHand.y, y.grad!.item()],
  ['df/dz', '', byHand.z, z.grad!.item()],
]));

// ── 3. A sigmoid neuron ─────────────────────────────────────────────────────
// f(w, x) = sigmoid(w0*x0 + w1*x1 + w2). With s = w.x + w2 and f = sigmoid(s),
// df/ds = sigmoid(s) * (1 - sigmoid(s)) = f * (1 - f): the one local gradient
// we need. Then df/dw_i = df/ds * x_i, df/dw2 = df/ds, df/dx_i = df/ds * w_i.
const w0 = [2, -3, -3], x0 = [-1, -2];
const s = w0[0]! * x0[0]! + w0[1]! * x0[1]! + w0[2]!;
const fOut = 1 / (1 + Math.exp(-s));
const ds = fOut * (1 - fOut);
const handW = [ds * x0[0]!, ds * x0[1]!, ds];
const handX = [ds * w0[0]!, ds * w0[1]!];

const neuron = (w: tg.Tensor, inp: tg.Tensor) => tg.sigmoid(w.narrow(0, 0, 2).mul(inp).sum().add(w.select(0, 2)));
const w = tg.tensor(w0, { requiresGrad: true });
const inp = tg.tensor(x0, { requiresGrad: true });
const fn = neuron(w, inp);
fn.backward();
const fmt = (v: number) => v.toFixed(4);
const wGrad = Array.from(w.grad!.data()), xGrad = Array.from(inp.grad!.data());
show('neuron', [
  `s = w0*x0 + w1*x1 + w2 = ${s},  f = sigmoid(s) = ${fmt(fOut)},  df/ds = f(1 - f) = ${fmt(ds)}`,
  '',
  table(['gradient', 'by hand', 'backward()'], [
    ...handW.map((v, i) => [`df/dw${i}`, fmt(v), fmt(wGrad[i]!)]),
    ...handX.map((v, i) => [`df/dx${i}`, fmt(v), fmt(xGrad[i]!)]),
  ]),
].join('\n'));

// ── 4. gradcheck: the analytic gradients against finite differences ────────
// gradcheck recomputes each function in float64, nudges every input element by
// +-eps, and compares (f(x+eps) - f(x-eps)) / 2eps with what backward() gives.
const checks = [
  ['(x + y) * z', tg.autograd.gradcheck((p, r, t) => p.add(r).mul(t), [tg.randn([5]), tg.randn([5]), tg.randn([5])])],
  ['sigmoid neuron', tg.autograd.gradcheck(neuron, [tg.randn([3]), tg.randn([2])])],
  ['a wrong gradient', tg.autograd.gradcheck((p) => wrongSquare(p), [tg.randn([4])])],
] as const;
show('gradcheck', table(['function', 'passed', 'max abs error'], checks.map(([name, r]) => [
  name, String(r.passed), Math.max(...r.inputs.map((i) => i.maxAbsError)).toExponential(1),
])));

/** x^2 written with a deliberate bug in the backward pass: stop the gradient of one factor. */
function wrongSquare(p: tg.Tensor): tg.Tensor {
  return p.mul(tg.noGrad(() => p.clone()));   // d(x * const)/dx = const = x, but the true d(x^2)/dx = 2x
}

// ── 5. Why the sigmoid's slope matters ──────────────────────────────────────
// Every sigmoid layer multiplies the backpropagated gradient by sigmoid'(s) <= 1/4.
const grid = tg.linspace(-6, 6, 121, { requiresGrad: true });
const sig = tg.sigmoid(grid);
sig.sum().backward();                         // d(sum sigmoid)/ds_i = sigmoid'(s_i)
const xs = Array.from(grid.data()), ys = Array.from(sig.data()), ds1 = Array.from(grid.grad!.data());
svg('sigmoid', tg.viz.lineChart({
  title: 'sigmoid(s) and its derivative from backward()', xLabel: 's', yLabel: 'value', width: 640, height: 320,
  series: [{ name: 'sigmoid(s)', x: xs, y: ys }, { name: "sigmoid'(s)", x: xs, y: ds1 }],
}));
show('sigmoid-slope', `largest slope: sigmoid'(${xs[ds1.indexOf(Math.max(...ds1))]}) = ${Math.max(...ds1).toFixed(4)}`);
