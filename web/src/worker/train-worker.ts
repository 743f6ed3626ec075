/**
 * The training Web Worker (a module worker): on `init` it fetches and decodes the
 * MNIST bundle and starts the tensorgrad backend (`tg.ready()`: wasm, with worker
 * threads where the page is cross-origin isolated), then builds the first
 * (untrained) model; `start` / `pause` / `reset` drive the WorkerSession
 * (model-state.ts), and the panels' requests (inspect, filters, units, summary,
 * save, load) are answered by handleRequest (handlers.ts). Training yields
 * between steps, so requests are answered while it runs.
 * Created by the page with
 * `new Worker(new URL('../worker/train-worker.ts', import.meta.url), { type: 'module' })`.
 */
import * as tg from '../../../src/index.js';
import { decodeWebData } from '../data/web-data.js';
import type { FromWorker, ToWorker } from './protocol.js';
import { WorkerSession } from './model-state.js';
import { handleRequest, isRequest } from './handlers.js';

/** The parts of the worker global scope used here (tsconfig's lib is DOM, not WebWorker). */
interface WorkerScope {
  postMessage(msg: FromWorker, transfer?: Transferable[]): void;
  onmessage: ((e: MessageEvent<ToWorker>) => void) | null;
  crossOriginIsolated?: boolean;
}
const scope = self as unknown as WorkerScope;

const post = (msg: FromWorker): void => {
  // A saved file's bytes are handed over, not copied.
  scope.postMessage(msg, msg.type === 'saved' ? [msg.bytes.buffer] : []);
};
const fail = (e: unknown): void => post({ type: 'error', message: e instanceof Error ? e.message : String(e) });
const session = new WorkerSession(post);

async function init(dataUrl: string): Promise<void> {
  post({ type: 'state', state: 'loading' });
  const t0 = performance.now();
  const [backend, bytes] = await Promise.all([
    tg.ready(),
    fetch(dataUrl).then(async (res) => {
      if (!res.ok) throw new Error(`cannot load the MNIST bundle ${dataUrl}: HTTP ${res.status} (run \`npm run build:web\` or \`npm run web\`, which build it)`);
      return new Uint8Array(await res.arrayBuffer());
    }),
  ]);
  session.data = await decodeWebData(bytes);
  session.ready();
  post({
    type: 'ready', backend: backend.name, threads: tg.getNumThreads(), isolated: scope.crossOriginIsolated === true,
    trainCount: session.data.train.count, testCount: session.data.test.count, loadSeconds: (performance.now() - t0) / 1000,
  });
  post({ type: 'state', state: 'idle' });
}

scope.onmessage = (e: MessageEvent<ToWorker>) => {
  const msg = e.data;
  try {
    if (isRequest(msg)) {
      post(handleRequest(session, msg));
      return;
    }
    switch (msg.type) {
      case 'init':
        init(msg.dataUrl).catch(fail);
        break;
      case 'start':
        session.start(msg.settings);
        break;
      case 'pause':
        session.pause();
        break;
      case 'reset':
        session.reset();
        break;
    }
  } catch (err) {
    fail(err);
  }
};
