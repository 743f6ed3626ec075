/**
 * Tutorial 4: convolution arithmetic. Output sizes for padding, stride and
 * dilation, transposed convolution and receptive fields, on the worked examples
 * of Dumoulin & Visin's "A guide to convolution arithmetic for deep learning"
 * (2016), each computed three ways: the formula, tg.analysis, and the shape of
 * a real F.conv2d / F.convTranspose2d output.
 * Run: node --import tsx docs/tutorials/04-convolution-arithmetic.ts
 */
import * as tg from 'tensorgrad';
import { image, show, table } from './lib.js';

const { F, nn, analysis, viz } = tg;

// ── 1. Output size of a convolution ─────────────────────────────────────────
// o = floor((i + 2p - d(k - 1) - 1) / s) + 1; a dilated kernel covers k + (k - 1)(d - 1) pixels.
const formula = (i: number, k: number, s = 1, p = 0, d = 1) => Math.floor((i + 2 * p - d * (k - 1) - 1) / s) + 1;

const examples = [
  { name: 'no padding, unit stride', i: 4, k: 3, s: 1, p: 0, d: 1 },
  { name: 'arbitrary padding', i: 5, k: 4, s: 1, p: 2, d: 1 },
  { name: 'half ("same") padding', i: 5, k: 3, s: 1, p: 1, d: 1 },
  { name: 'full padding', i: 5, k: 3, s: 1, p: 2, d: 1 },
  { name: 'no padding, stride 2', i: 5, k: 3, s: 2, p: 0, d: 1 },
  { name: 'padding 1, stride 2', i: 5, k: 3, s: 2, p: 1, d: 1 },
  { name: 'padding 1, stride 2, i = 6', i: 6, k: 3, s: 2, p: 1, d: 1 },
  { name: 'dilation 2 (effective k = 5)', i: 7, k: 3, s: 1, p: 0, d: 2 },
];
const convRows = examples.map(({ name, i, k, s, p, d }) => {
  const x = tg.randn([1, 1, i, i]);
  const w = tg.randn([1, 1, k, k]);
  const y = F.conv2d(x, w, null, { stride: s, padding: p, dilation: d });
  const lib = analysis.convOutputSize(i, { kernel: k, stride: s, padding: p, dilation: d });
  const ok = formula(i, k, s, p, d) === lib && y.shape[2] === lib;
  return [name, i, k, s, p, d, formula(i, k, s, p, d), lib, `[${y.shape}]`, ok ? 'yes' : 'NO'];
});
show('conv', table(['case', 'i', 'k', 's', 'p', 'd', 'formula', 'convOutputSize', 'F.conv2d output', 'agree'], convRows));

// ── 2. Transposed convolution ───────────────────────────────────────────────
// The transpose of a convolution maps its output size back to its input size:
// o' = (i' - 1)s - 2p + d(k - 1) + outputPadding + 1. A stride-2 conv sends both
// 5 and 6 to 3, so going back needs outputPadding to choose between them.
const transposed = [
  { name: 'of "no padding, unit stride"', i: 2, k: 3, s: 1, p: 0, op: 0 },
  { name: 'of "full padding"', i: 7, k: 3, s: 1, p: 2, op: 0 },
  { name: 'of "padding 1, stride 2" (i = 5)', i: 3, k: 3, s: 2, p: 1, op: 0 },
  { name: 'of "padding 1, stride 2" (i = 6)', i: 3, k: 3, s: 2, p: 1, op: 1 },
  { name: 'DCGAN/U-Net upsampling: k 4, s 2, p 1', i: 16, k: 4, s: 2, p: 1, op: 0 },
];
const tRows = transposed.map(({ name, i, k, s, p, op }) => {
  const y = F.convTranspose2d(tg.randn([1, 1, i, i]), tg.randn([1, 1, k, k]), null, { stride: s, padding: p, outputPadding: op });
  const byFormula = (i - 1) * s - 2 * p + (k - 1) + op + 1;
  const lib = analysis.convTransposeOutputSize(i, { kernel: k, stride: s, padding: p, outputPadding: op });
  return [name, i, k, s, p, op, byFormula, lib, `[${y.shape}]`, byFormula === lib && y.shape[2] === lib ? 'yes' : 'NO'];
});
show('transposed', table(['transpose', "i'", 'k', 's', 'p', 'out. pad', 'formula', 'convTransposeOutputSize', 'output', 'agree'], tRows));

// "Transposed" is meant literally: with the same weight, convTranspose2d is the adjoint (the matrix
// transpose) of conv2d, so <conv(x), y> = <x, convT(y)> for every x and y. That is also why it is
// conv2d's backward pass with respect to the input.
const x = tg.randn([1, 1, 5, 5]), w = tg.randn([1, 1, 3, 3]);
const y = tg.randn([1, 1, 3, 3]);
const lhs = F.conv2d(x, w, null, { stride: 2, padding: 1 }).mul(y).sum().item();
const rhs = x.mul(F.convTranspose2d(y, w, null, { stride: 2, padding: 1 })).sum().item();
show('adjoint', `<conv2d(x), y>           = ${lhs.toFixed(5)}\n<x, convTranspose2d(y)>  = ${rhs.toFixed(5)}`);

// ── 3. Receptive fields ─────────────────────────────────────────────────────
// r_l = r_{l-1} + (k_l - 1) d_l j_{l-1},  j_l = j_{l-1} s_l  (start: r = 1, j = 1 at the input).
const stacks: { name: string; layers: { k: number; s?: number; d?: number }[] }[] = [
  { name: 'three 3x3 convs', layers: [{ k: 3 }, { k: 3 }, { k: 3 }] },
  { name: 'one 7x7 conv', layers: [{ k: 7 }] },
  { name: '3x3 stride 2, then two 3x3', layers: [{ k: 3, s: 2 }, { k: 3 }, { k: 3 }] },
  { name: '3x3 with dilation 1, 2, 4', layers: [{ k: 3, d: 1 }, { k: 3, d: 2 }, { k: 3, d: 4 }] },
];
const build = (layers: { k: number; s?: number; d?: number }[]) =>
  new nn.Sequential(...layers.map(({ k, s = 1, d = 1 }) => new nn.Conv2d(1, 1, k, { stride: s, dilation: d, padding: (d * (k - 1)) / 2, bias: false })));
const rfRows = stacks.map(({ name, layers }) => {
  let r = 1, j = 1;
  for (const { k, s = 1, d = 1 } of layers) { r += (k - 1) * d * j; j *= s; }
  const field = analysis.receptiveField(build(layers), [1, 1, 33, 33]).output;
  const lib = field && field !== 'global' ? field : null;
  const params = layers.reduce((n, l) => n + l.k * l.k, 0);
  return [name, params, r, lib ? lib.size[0]! : '?', j, lib ? lib.jump[0]! : '?'];
});
show('receptive-fields', table(['stack (1 channel)', 'weights', 'r (formula)', 'r (receptiveField)', 'jump (formula)', 'jump (receptiveField)'], rfRows));

// See a receptive field: the gradient of ONE output unit with respect to the input is non-zero
// exactly on the input pixels that unit can see (all weights set to 1 so nothing cancels).
const panels = stacks.filter((st) => st.name !== 'one 7x7 conv').map(({ layers }) => {
  const net = build(layers);
  for (const p of net.parameters()) tg.noGrad(() => p.fill_(1));
  const input = tg.zeros([1, 1, 33, 33], { requiresGrad: true });
  const out = net.forward(input);
  const c = Math.floor(out.shape[2]! / 2);
  out.select(2, c).select(2, c).sum().backward();
  const g = input.grad!.reshape([33, 33]);
  return viz.colormap(g.div(g.max()).sqrt(), { map: 'magma', range: [0, 1] });   // sqrt: show small weights too
});
image('receptive-fields', viz.upscaleNearest(viz.imageGrid(panels, { columns: 3, padding: 1 }), 6));
