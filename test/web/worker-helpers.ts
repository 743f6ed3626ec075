/**
 * Shared fixtures of the worker tests: a small synthetic MNIST-shaped bundle
 * (blobs of ink, so conv layers respond) and a session whose messages are kept.
 */
import '../../src/index.js';
import type { WebData, WebSplit } from '../../web/src/data/web-data.js';
import type { FromWorker } from '../../web/src/worker/protocol.js';
import { WorkerSession } from '../../web/src/worker/model-state.js';
import type { TrainerOptions } from '../../web/src/worker/trainer.js';

/** `count` 28x28 images: a bright bar at a position and angle set by the label, plus noise (seeded). */
export function syntheticSplit(count: number, seed: number): WebSplit {
  let a = seed >>> 0;
  const rand = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const images = new Uint8Array(count * 784);
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const label = i % 10;
    labels[i] = label;
    const angle = (label * Math.PI) / 10;
    for (let s = -9; s <= 9; s++) {
      const x = Math.round(14 + s * Math.cos(angle)), y = Math.round(14 + s * Math.sin(angle));
      for (const [dx, dy] of [[0, 0], [1, 0], [0, 1]]) images[i * 784 + (y + dy!) * 28 + x + dx!] = 255;
    }
    for (let p = 0; p < 784; p++) if (rand() < 0.02) images[i * 784 + p] = 128;
  }
  return { count, images, labels };
}

export function syntheticData(train = 640, test = 2000): WebData {
  return { rows: 28, cols: 28, classes: 10, train: syntheticSplit(train, 1), test: syntheticSplit(test, 2) };
}

/** A session with the data loaded and its first model built; `messages` collects what it posts. */
export function readySession(opts: Omit<TrainerOptions, 'post' | 'model' | 'onStep'> = {}, data: WebData = syntheticData()): { session: WorkerSession; messages: FromWorker[] } {
  const messages: FromWorker[] = [];
  const session = new WorkerSession((m) => messages.push(m), opts);
  session.data = data;
  session.ready();
  return { session, messages };
}

/** The drawing of test image `i` as the page sends it (ink in [0, 1]). */
export function digitOf(split: WebSplit, i: number): Float32Array {
  return Float32Array.from(split.images.subarray(i * 784, (i + 1) * 784), (v) => v / 255);
}
