import { useBackend } from './backend.js';
import { readImage } from '../data/image-io.js';
import { noGrad } from '../tensor/graph.js';
import { softmax } from '../ops/activation.js';
import type { Tensor } from '../tensor/tensor.js';
import { normalizeImages } from './datasets.js';
import { openRun } from './run-folder.js';
import { isUserError, oneLine, UserError } from './errors.js';
import { cliErr, cliOut } from './io.js';

export interface PredictOptions {
  topK: number;
  /** Backend name (default: TENSORGRAD_BACKEND, else wasm where it loads). */
  backend?: string;
  /** Invert grayscale images: 'auto' flips dark-on-light images to MNIST's light-on-dark. */
  invert: 'auto' | 'yes' | 'no';
  json?: boolean;
}

export interface Prediction {
  image: string;
  top: { class: string; index: number; probability: number }[];
}

/** An image that could not be classified (unreadable, undecodable, too large). */
export interface PredictionError {
  image: string;
  error: string;
}

export interface PredictResult {
  predictions: Prediction[];
  /** Images that failed, each also reported on stderr as `tensorgrad predict: <message>`. */
  failed: PredictionError[];
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
 * An image that cannot be read gets one error line on stderr and the others
 * are still classified; the caller exits non-zero when any failed. With
 * --json, stdout is one array with `{ image, top }` or `{ image, error }` per
 * image, in the order given.
 */
export function predictCommand(path: string, images: string[], opts: PredictOptions): PredictResult {
  // At least one image, --top-k and --invert are checked by the flag parsers (program.ts).
  useBackend(opts.backend);
  const run = openRun(path);
  const [c, h, w] = run.config.inputShape;
  if (opts.topK > run.config.numClasses) throw new UserError(`--top-k ${opts.topK} is more than the model's ${run.config.numClasses} classes`);
  const classify = (file: string): Prediction => {
    let x = readImage(file, { channels: c as 1 | 3, size: [h, w] });
    const invert = opts.invert === 'yes' || (opts.invert === 'auto' && c === 1 && borderMean(x) > 0.5);
    if (invert) x = x.neg().add(1);
    const probs = noGrad(() => softmax(run.model.forward(normalizeImages(x.unsqueeze(0), run.config.normalize)) as Tensor, 1)).data();
    const order = [...probs.keys()].sort((a, b) => probs[b]! - probs[a]!).slice(0, opts.topK);
    return { image: file, top: order.map((i) => ({ class: run.config.classes[i]!, index: i, probability: probs[i]! })) };
  };
  const results: (Prediction | PredictionError)[] = images.map((file) => {
    try {
      return classify(file);
    } catch (e) {
      // A bad image is reported and skipped; a bug still stops the command (and is reported as one).
      if (!isUserError(e)) throw e;
      const error = oneLine((e as Error).message);
      cliErr(`tensorgrad predict: ${error}\n`);
      return { image: file, error };
    }
  });
  if (opts.json) cliOut(`${JSON.stringify(results)}\n`);
  else {
    for (const r of results) {
      if ('top' in r) cliOut(`${r.image}: ${r.top.map((t) => `${t.class} (${(t.probability * 100).toFixed(1)}%)`).join(', ')}\n`);
    }
  }
  return {
    predictions: results.filter((r): r is Prediction => 'top' in r),
    failed: results.filter((r): r is PredictionError => 'error' in r),
  };
}
