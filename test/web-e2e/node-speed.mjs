// The Node side of the playground's speed figure: the page's own training loop (web/src/worker/trainer.ts)
// on the same bundle, model, batch size and seed, run in this Node process on the wasm backend, timed the
// way the page is (first to last step of each epoch, the test pass left out). The e2e test prints it beside
// the in-page figure, so the guide (docs/guide/playground.md) can quote both from one run.
import { DEFAULT_SETTINGS } from '../../web/src/worker/protocol.ts';
import { Trainer } from '../../web/src/worker/trainer.ts';

const median = (v) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];

/**
 * Trains LeNet-5 for `epochs` epochs at `batchSize` in Node; returns images/s (median over epochs) and the threads used.
 * @example const r = await nodeTrainingSpeed(tg, data, 32, 3); // { imagesPerSecond: 9800, epochRates: [...], threads: 2 }
 */
export async function nodeTrainingSpeed(tg, data, batchSize, epochs) {
  await tg.ready();
  const stamps = [];
  const stepsPerEpoch = Math.ceil(data.train.count / batchSize);
  const trainer = new Trainer(data, { ...DEFAULT_SETTINGS, model: 'lenet5', optimizer: 'sgd', lr: 0.05, schedule: 'one-cycle', batchSize, epochs }, {
    post: () => {},
    // The page yields a macrotask per step so messages get through; a resolved promise is the Node equivalent cost-wise.
    yieldNow: () => Promise.resolve(),
    onStep: () => stamps.push(performance.now()),
  });
  await trainer.run();
  const epochRates = [];
  for (let e = 0; e < epochs; e++) {
    const first = stamps[e * stepsPerEpoch], last = stamps[(e + 1) * stepsPerEpoch - 1];
    // Steps after the first of the epoch, each of batchSize images (the last batch may be short: 12,000 / 32 is exact, / 64 leaves 32).
    const images = Math.min(data.train.count, stepsPerEpoch * batchSize) - batchSize;
    epochRates.push(images / ((last - first) / 1000));
  }
  return { imagesPerSecond: median(epochRates), epochRates, threads: tg.getNumThreads() };
}
