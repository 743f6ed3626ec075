/**
 * The training Web Worker (a module worker): on `init` it fetches and decodes the
 * MNIST bundle and starts the tensorgrad backend (`tg.ready()`: wasm, with worker
 * threads where the page is cross-origin isolated); then it runs one `Trainer`
 * at a time on `start` / `pause` / `reset` messages (protocol.ts). Training here
 * keeps the page responsive; the loop yields between steps so messages get through.
 * Created by the Train panel with
 * `new Worker(new URL('../worker/train-worker.ts', import.meta.url), { type: 'module' })`.
 */
import * as tg from '../../../src/index.js';
import { decodeWebData, type WebData } from '../data/web-data.js';
import { checkSettings, type FromWorker, type RunState, type ToWorker } from './protocol.js';
import { Trainer } from './trainer.js';

/** The parts of the worker global scope used here (tsconfig's lib is DOM, not WebWorker). */
interface WorkerScope {
  postMessage(msg: FromWorker): void;
  onmessage: ((e: MessageEvent<ToWorker>) => void) | null;
  crossOriginIsolated?: boolean;
}
const scope = self as unknown as WorkerScope;

let data: WebData | null = null;
let trainer: Trainer | null = null;

const post = (msg: FromWorker): void => scope.postMessage(msg);
const state = (s: RunState): void => post({ type: 'state', state: s });
const fail = (e: unknown): void => post({ type: 'error', message: e instanceof Error ? e.message : String(e) });

async function init(dataUrl: string): Promise<void> {
  state('loading');
  const t0 = performance.now();
  const [backend, bytes] = await Promise.all([
    tg.ready(),
    fetch(dataUrl).then(async (res) => {
      if (!res.ok) throw new Error(`cannot load the MNIST bundle ${dataUrl}: HTTP ${res.status} (run \`npm run build:web\` or \`npm run web\`, which build it)`);
      return new Uint8Array(await res.arrayBuffer());
    }),
  ]);
  data = await decodeWebData(bytes);
  post({
    type: 'ready', backend: backend.name, threads: tg.getNumThreads(), isolated: scope.crossOriginIsolated === true,
    trainCount: data.train.count, testCount: data.test.count, loadSeconds: (performance.now() - t0) / 1000,
  });
  state('idle');
}

function start(msg: Extract<ToWorker, { type: 'start' }>): void {
  if (!data) throw new Error('start: the data is not loaded yet');
  if (trainer?.isPaused) {
    trainer.resume();
    state('running');
    return;
  }
  if (trainer) return; // already running
  const errors = checkSettings(msg.settings);
  if (errors.length) throw new Error(`start: ${errors.join('; ')}`);
  const t = new Trainer(data, msg.settings, { post });
  trainer = t;
  state('running');
  t.run().then((finished) => {
    if (trainer !== t) return; // reset meanwhile: the new state was already posted
    trainer = null;
    state(finished ? 'done' : 'idle');
  }, (e: unknown) => {
    if (trainer === t) trainer = null;
    fail(e);
    state('idle');
  });
}

scope.onmessage = (e: MessageEvent<ToWorker>) => {
  const msg = e.data;
  try {
    switch (msg.type) {
      case 'init':
        init(msg.dataUrl).catch(fail);
        break;
      case 'start':
        start(msg);
        break;
      case 'pause':
        if (trainer && !trainer.isPaused) {
          trainer.pause();
          state('paused');
        }
        break;
      case 'reset':
        trainer?.stop();
        trainer = null;
        state('idle');
        break;
    }
  } catch (err) {
    fail(err);
  }
};
