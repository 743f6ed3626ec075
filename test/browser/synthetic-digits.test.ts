// The synthetic digits the WebGPU browser page trains LeNet-5 on: the same
// images every run, every class in every batch of 10, pixels in [0, 1], and
// classes that differ (so a falling loss means learning, not noise).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { syntheticDigits } from './synthetic-digits.js';

test('syntheticDigits: seeded, balanced, in range, classes distinct', () => {
  const a = syntheticDigits(40, 1), b = syntheticDigits(40, 1), c = syntheticDigits(40, 2);
  assert.equal(a.images.length, 40 * 784);
  assert.deepEqual(a.images, b.images, 'same seed, same images');
  assert.notDeepEqual(a.images, c.images, 'another seed, other images');
  assert.deepEqual([...a.labels.slice(0, 12)], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1]);
  assert.ok(a.images.every((v) => v >= 0 && v <= 1));
  // Mean image per class: every pair of classes differs by many pixels' worth of ink.
  const means = Array.from({ length: 10 }, (_, k) => {
    const m = new Float64Array(784);
    for (let i = k; i < a.n; i += 10) for (let p = 0; p < 784; p++) m[p]! += a.images[i * 784 + p]! / 4;
    return m;
  });
  for (let i = 0; i < 10; i++) {
    for (let j = i + 1; j < 10; j++) {
      const d = means[i]!.reduce((s, v, p) => s + Math.abs(v - means[j]![p]!), 0);
      assert.ok(d > 10, `classes ${i} and ${j} differ by ${d.toFixed(1)}`);
    }
  }
});
