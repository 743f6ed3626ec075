import '../../src/index.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tg from '../../src/index.js';
import { maximize } from '../../src/viz/maximize.js';
import { gaussianBlur, gaussianKernel, roll } from '../../src/viz/image-filters.js';
import { withBackend } from '../helpers/check-op.js';
import { assertSameState, dirtyState, residualNet, snapshot, trainedLenet, values } from './attr-models.js';

/*
 * Activation maximisation (Simonyan et al. 2014; Olah et al. 2017): gradient
 * ascent on the input with L2 decay, jitter and blur. It must raise its
 * objective on average, be deterministic for a seed, and leave the model alone.
 */

const mean = (a: number[]) => a.reduce((s, v) => s + v, 0) / a.length;

/** Mean of the last quarter of the curve above the first quarter's, and the final value above the first. */
function assertRises(curve: number[], what: string): void {
  const q = Math.max(1, Math.floor(curve.length / 4));
  const first = mean(curve.slice(0, q)), last = mean(curve.slice(-q));
  assert.ok(last > first, `${what}: last quarter ${last} > first quarter ${first}`);
  assert.ok(curve[curve.length - 1]! > curve[0]!, `${what}: final ${curve[curve.length - 1]} > initial ${curve[0]}`);
}

test('roll shifts circularly and is undone by the opposite roll; blur keeps a constant image and the total', () => {
  const dims = { channels: 2, height: 3, width: 4 };
  const a = Float32Array.from({ length: 24 }, (_, i) => i);
  const r = roll(a, dims, 1, -1);
  assert.equal(r[0 * 4 + 0], a[2 * 4 + 1]); // out[0][0] = src[-1][1] = src[2][1]
  assert.equal(r[12 + 1 * 4 + 3], a[12 + 0 * 4 + 0]); // channel 1: out[1][3] = src[0][4 mod 4]
  assert.deepEqual(Array.from(roll(r, dims, -1, 1)), Array.from(a));
  const k = gaussianKernel(1);
  assert.ok(Math.abs(k.reduce((s, v) => s + v, 0) - 1) < 1e-12 && k.length === 7);
  const flat = gaussianBlur(new Float32Array(24).fill(0.25), dims, 0.8);
  assert.ok(flat.every((v) => Math.abs(v - 0.25) < 1e-6));
  const spike = new Float32Array(49); spike[24] = 1;
  const spread = gaussianBlur(spike, { channels: 1, height: 7, width: 7 }, 0.7);
  assert.ok(Math.abs(spread.reduce((s, v) => s + v, 0) - 1) < 1e-5 && spread[24]! < 1 && spread[23]! > 0);
});

test('maximize raises a trained LeNet-5 channel and a logit, deterministically for a seed', () => {
  const { model } = trainedLenet();
  const channel = maximize(model, { layer: 'features.3', unit: 5, inputShape: [1, 28, 28], steps: 64, seed: 1 });
  assertRises(channel.curve, "channel 5 of 'features.3'");
  assert.equal(channel.curve.length, 64);
  assert.deepEqual(channel.image.shape, [1, 28, 28]);
  const img = values(channel.image);
  assert.ok(Math.min(...img) === 0 && Math.max(...img) === 1, 'image rescaled to [0, 1]');
  assert.ok(new Set(img).size > 50, 'non-constant content');

  const logit = maximize(model, { objective: 'logit', unit: 3, inputShape: [1, 28, 28], steps: 64, seed: 1 });
  assertRises(logit.curve, 'logit 3');
  // Same seed: same bytes; another seed: another image.
  const again = maximize(model, { objective: 'logit', unit: 3, inputShape: [1, 28, 28], steps: 64, seed: 1 });
  assert.ok(Buffer.from(again.image.data().buffer).equals(Buffer.from(logit.image.data().buffer)), 'same seed, same bytes');
  assert.deepEqual(again.curve, logit.curve);
  const other = maximize(model, { objective: 'logit', unit: 3, inputShape: [1, 28, 28], steps: 8, seed: 2 });
  assert.notDeepEqual(values(other.input), values(maximize(model, { objective: 'logit', unit: 3, inputShape: [1, 28, 28], steps: 8, seed: 1 }).input));
  // The logit it maximised is the model's top class for the image it made.
  const top = tg.noGrad(() => model.forward(logit.input.unsqueeze(0)).argmax(1).item());
  assert.equal(top, 3);
});

test("'channel-center' of a first-layer unit changes only the pixels in that unit's receptive field", () => {
  const { model } = trainedLenet();
  // features.0 is a 5x5 conv with padding 2: the unit at (14, 14) sees rows and columns 12..16.
  const r = maximize(model, { layer: 'features.0', objective: 'channel-center', unit: 2, inputShape: [1, 28, 28], steps: 40, jitter: 0, blurEvery: 0, seed: 3 });
  assertRises(r.curve, "centre of channel 2 of 'features.0'");
  const x = values(r.input);
  const inside = (k: number) => Math.abs(Math.floor(k / 28) - 14) <= 2 && Math.abs((k % 28) - 14) <= 2;
  const outMax = Math.max(...x.filter((_, k) => !inside(k)).map(Math.abs));
  const inMax = Math.max(...x.filter((_, k) => inside(k)).map(Math.abs));
  assert.ok(outMax < 0.05 && inMax > 0.5, `outside the receptive field only the decayed starting noise (${outMax}); inside the pattern (${inMax})`);
});

for (const backend of ['wasm', 'reference'] as const) {
  test(`${backend}: maximize on a residual model (a layer inside the residual block) rises and leaves the model as it was`, () => withBackend(backend, () => {
    tg.manualSeed(6);
    const model = residualNet();
    dirtyState(model, tg.rand([4, 3, 16, 16]));
    const before = snapshot(model);
    const steps: number[] = [];
    const r = maximize(model, { layer: '3.body.0', unit: 2, inputShape: [3, 16, 16], steps: 24, jitter: 1, blurEvery: 3, seed: 0, onStep: (s) => steps.push(s) });
    assertSameState(model, before, 'maximize');
    assertRises(r.curve, "channel 2 of '3.body.0'");
    assert.deepEqual(steps, Array.from({ length: 24 }, (_, i) => i));
    assert.deepEqual(r.image.shape, [3, 16, 16]);
    const noRegs = maximize(model, { layer: '3', unit: 0, inputShape: [3, 16, 16], steps: 12, l2: 0, jitter: 0, blurEvery: 0 });
    assertRises(noRegs.curve, 'plain ascent');
    assertSameState(model, before, 'maximize without regularisers');
  }));
}

test('maximize on an untrained LeNet-5 with fused kernels active (conv+ReLU+pool fused around the hooked layer) rises', () => {
  tg.manualSeed(7);
  const model = tg.models.lenet5();
  assertRises(maximize(model, { layer: 'classifier.1', unit: 17, inputShape: [1, 28, 28], steps: 32 }).curve, "unit 17 of 'classifier.1'");
});

test('maximize errors name the function and the bad argument', () => {
  const model = tg.models.lenet5();
  const base = { inputShape: [1, 28, 28] as const, steps: 2 };
  assert.throws(() => maximize(model, { ...base, layer: 'features.0', unit: 6 }), /^TensorError: maximize: unit 6 is out of range for layer 'features.0' \(6 channels: 0\.\.5\)/);
  assert.throws(() => maximize(model, { ...base, objective: 'logit', unit: 10 }), /maximize: unit 10 is out of range for the model's output \(10 logits: 0\.\.9\)/);
  assert.throws(() => maximize(model, { ...base, layer: 'features.9', unit: 0 }), /maximize: unknown layer 'features\.9' \(valid layers: features, features\.0, .*classifier\.5/);
  assert.throws(() => maximize(model, { ...base, objective: 'channel-mean', unit: 0 }), /maximize: objective 'channel-mean' needs a layer path/);
  assert.throws(() => maximize(model, { ...base, objective: 'neuron' as never, layer: 'features.0', unit: 0 }), /maximize: objective must be 'channel-mean', 'channel-center' or 'logit' \(got "neuron"\)/);
  assert.throws(() => maximize(model, { ...base, objective: 'logit', layer: 'features.0', unit: 0 }), /maximize: objective 'logit' reads the model's output; leave out layer/);
  assert.throws(() => maximize(model, { ...base, inputShape: [1, 32, 32], unit: 0 }), /maximize: the model cannot take an image \[1,32,32\]: lenet5: expected input/);
  assert.throws(() => maximize(model, { ...base, inputShape: [3, 28, 28], layer: 'features.3', unit: 0 }), /maximize: the model cannot take an image \[3,28,28\]: /);
  assert.throws(() => maximize(model, { inputShape: [28, 28] as never, unit: 0 }), /maximize: inputShape must be \[C, H, W\]/);
  assert.throws(() => maximize(model, { ...base, unit: -1 }), /maximize: unit must be a non-negative integer \(got -1\)/);
  assert.throws(() => maximize(model, { ...base, unit: 0, lr: -1 }), /maximize: lr must be a number >= 0 \(got -1\)/);
  assert.throws(() => maximize(model, { ...base, unit: 0, jiter: 2 } as never), /maximize: unknown option 'jiter'/);
  assert.throws(() => maximize(model, undefined as never), /maximize: options \{unit, inputShape, \.\.\.\} are required/);
});
