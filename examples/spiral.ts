/**
 * Trains a two-layer network on a 3-class spiral with nothing but tensors,
 * autograd and a hand-written SGD step: the whole training loop in ~40 lines.
 * Run: npm run example
 */
import * as tg from 'tensorgrad';

const { F } = tg;
tg.manualSeed(0);

// Data: three interleaved spirals of 100 points each, in 2-D.
const perClass = 100, classes = 3;
const points: number[][] = [];
const labels: number[] = [];
for (let c = 0; c < classes; c++) {
  for (let i = 0; i < perClass; i++) {
    const r = i / perClass;
    const angle = c * 4 + r * 4 + tg.randn([1]).item() * 0.2;
    points.push([r * Math.sin(angle), r * Math.cos(angle)]);
    labels.push(c);
  }
}
const x = tg.tensor(points);
const y = tg.tensor(labels, { dtype: 'int32' });

// Parameters: 2 -> 64 -> 3, He-style initial scale.
const w1 = tg.randn([64, 2]).mul(Math.sqrt(2 / 2)).requiresGrad_();
const b1 = tg.zeros([64], { requiresGrad: true });
const w2 = tg.randn([3, 64]).mul(Math.sqrt(2 / 64)).requiresGrad_();
const b2 = tg.zeros([3], { requiresGrad: true });
const params = [w1, b1, w2, b2];

const forward = (input: tg.Tensor) => F.linear(F.relu(F.linear(input, w1, b1)), w2, b2);
const started = performance.now();
for (let step = 0; step <= 2000; step++) {
  const loss = F.crossEntropy(forward(x), y);
  for (const p of params) p.grad = null;
  loss.backward();
  tg.noGrad(() => params.forEach((p) => p.sub_(p.grad!, 0.5)));
  if (step % 400 === 0) {
    const acc = tg.noGrad(() => forward(x).argmax(1).eq(y).to('float32').mean().item());
    console.log(`step ${String(step).padStart(4)}  loss ${loss.item().toFixed(4)}  train accuracy ${(acc * 100).toFixed(1)}%`);
  }
}
console.log(`done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
