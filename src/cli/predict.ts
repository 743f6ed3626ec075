import { setBackend } from '../backend/current.js';
import { readImage } from '../data/image-io.js';
import { noGrad } from '../autograd/engine.js';
import { softmax } from '../ops/activation.js';
import type { Tensor } from '../tensor/tensor.js';
import { normalizeImages } from './datasets.js';
import { openRun } from './run-folder.js';
import { UserError } from './errors.js';

export interface PredictOptions {
  topK: number;
  backend: string;
  /** Invert grayscale images: 'auto' flips dark-on-light images to MNIST's light-on-dark. */
  invert: 'auto' | 'yes' | 'no';
  json?: boolean;
}

export interface Prediction {
  image: string;
  top: { class: string; index: number; probability: number }[];
}

/** Mean of the outermost pixel ring: a light border means a dark-on-light drawing. */
function borderMean(x: Tensor): number {
  const [, h, w] = x.shape as [number, number, number];
  const d = x.data();
  let s = 0, n = 0;
  for (let c = 0; c < x.shape[0]!; c++) {
    for (let i = 0; i < h; i++) for (let j = 0; j < w; j++) {
      if (i === 0 || j === 0 || i === h - 1 || j === w - 1) { s += d[(c * h + i) * w + j]!; n++; }
    }
  }
  return s / n;
}

/**
 * `tensorgrad predict RUN_OR_MODEL image.png ...`: top-k classes with
 * probabilities; each image is converted to the model's channels and size.
 */
export function predictCommand(path: string, images: string[], opts: PredictOptions): Prediction[] {
  if (!images.length) throw new UserError('give at least one image file');
  if (!Number.isInteger(opts.topK) || opts.topK < 1) throw new UserError(`--top-k must be a positive integer (got ${opts.topK})`);
  setBackend(opts.backend);
  const run = openRun(path);
  const [c, h, w] = run.config.inputShape;
  const k = Math.min(opts.topK, run.config.numClasses);
  const results = images.map((file): Prediction => {
    let x = readImage(file, { channels: c as 1 | 3, size: [h, w] });
    const invert = opts.invert === 'yes' || (opts.invert === 'auto' && c === 1 && borderMean(x) > 0.5);
    if (invert) x = x.neg().add(1);
    const probs = noGrad(() => softmax(run.model.forward(normalizeImages(x.unsqueeze(0), run.config.normalize)) as Tensor, 1)).data();
    const order = [...probs.keys()].sort((a, b) => probs[b]! - probs[a]!).slice(0, k);
    return { image: file, top: order.map((i) => ({ class: run.config.classes[i]!, index: i, probability: probs[i]! })) };
  });
  if (opts.json) process.stdout.write(`${JSON.stringify(results)}\n`);
  else {
    for (const r of results) {
      process.stdout.write(`${r.image}: ${r.top.map((t) => `${t.class} (${(t.probability * 100).toFixed(1)}%)`).join(', ')}\n`);
    }
  }
  return results;
}
