/**
 * A tiny MNIST-like data set made on the spot, for a short training run in the
 * browser check: no download, no embedded bytes, the same images every run.
 * Each of the 10 classes is a fixed stroke pattern on a 28x28 canvas, drawn
 * with a random shift of up to 2 pixels, a random brightness and pixel noise,
 * so a small CNN has something real to learn but learns it within tens of steps.
 */
import { prng } from '../helpers/prng.js';

/** Images `[n*28*28]` in [0, 1] (row-major, one channel) and labels `[n]` in 0..9. */
export interface SyntheticDigits {
  images: Float32Array;
  labels: Int32Array;
  n: number;
}


/**
 * The strokes of each class on a 7x7 grid (scaled x4 onto 28x28): segments
 * [r0, c0, r1, c1], horizontal or vertical. Seven-segment-like shapes, so the
 * classes share strokes and differ by a few (as digits do).
 */
const STROKES: readonly (readonly [number, number, number, number])[][] = [
  [[1, 2, 1, 4], [5, 2, 5, 4], [1, 2, 5, 2], [1, 4, 5, 4]], // 0
  [[1, 3, 5, 3]], // 1
  [[1, 2, 1, 4], [1, 4, 3, 4], [3, 2, 3, 4], [3, 2, 5, 2], [5, 2, 5, 4]], // 2
  [[1, 2, 1, 4], [3, 2, 3, 4], [5, 2, 5, 4], [1, 4, 5, 4]], // 3
  [[1, 2, 3, 2], [3, 2, 3, 4], [1, 4, 5, 4]], // 4
  [[1, 2, 1, 4], [1, 2, 3, 2], [3, 2, 3, 4], [3, 4, 5, 4], [5, 2, 5, 4]], // 5
  [[1, 2, 5, 2], [3, 2, 3, 4], [5, 2, 5, 4], [3, 4, 5, 4]], // 6
  [[1, 2, 1, 4], [1, 4, 5, 4]], // 7
  [[1, 2, 1, 4], [3, 2, 3, 4], [5, 2, 5, 4], [1, 2, 5, 2], [1, 4, 5, 4]], // 8
  [[1, 2, 1, 4], [3, 2, 3, 4], [1, 2, 3, 2], [1, 4, 5, 4]], // 9
];

/**
 * `n` images, classes in turn (0, 1, ..., 9, 0, ...) so every batch of 10 or
 * more holds every class; `seed` fixes shifts, brightness and noise.
 */
export function syntheticDigits(n: number, seed = 1): SyntheticDigits {
  const rand = prng(seed);
  const images = new Float32Array(n * 28 * 28);
  const labels = new Int32Array(n);
  for (let k = 0; k < n; k++) {
    const label = k % 10;
    labels[k] = label;
    const img = images.subarray(k * 784, (k + 1) * 784);
    const dr = Math.floor(rand() * 5) - 2, dc = Math.floor(rand() * 5) - 2;
    const ink = 0.6 + 0.4 * rand();
    for (const [r0, c0, r1, c1] of STROKES[label]!) {
      // A stroke 2 pixels wide through the cells' centres.
      for (let r = r0 * 4 + 1; r <= r1 * 4 + 2; r++) {
        for (let c = c0 * 4 + 1; c <= c1 * 4 + 2; c++) {
          const rr = r + dr, cc = c + dc;
          if (rr >= 0 && rr < 28 && cc >= 0 && cc < 28) img[rr * 28 + cc] = ink;
        }
      }
    }
    for (let i = 0; i < 784; i++) img[i] = Math.min(1, Math.max(0, img[i]! + 0.15 * (rand() - 0.5)));
  }
  return { images, labels, n };
}
