/**
 * The page's one connection to the training worker, shared by every panel:
 * the Train panel sends `start` / `pause` / `reset` and listens to progress;
 * the Draw and Inside panels send requests (`inspect`, `filters`, ...) and get
 * a promise of the reply with the same id. DOM-free apart from `Worker`;
 * nothing runs at import.
 */
import type { FromWorker, ReplyTo, ToWorker, WorkerRequest } from '../worker/protocol.js';

type Listener = (msg: FromWorker) => void;

/** What a request rejects with when the worker answers `{ type: 'error', id }`. */
export class WorkerRequestError extends Error {}

/** Distributes `Omit` over a union, so each request type keeps its own fields. */
type WithoutId<R> = R extends unknown ? Omit<R, 'id'> : never;

export class WorkerClient {
  private readonly listeners = new Set<Listener>();
  private readonly pending = new Map<number, { resolve: (m: FromWorker) => void; reject: (e: Error) => void }>();
  private nextId = 1;
  /** The latest `ready` message (null until the worker has loaded the data and the kernels). */
  ready: Extract<FromWorker, { type: 'ready' }> | null = null;
  /** The latest model version announced by the worker (0 before the first). */
  modelVersion = 0;

  /**
   * Wraps `worker` (already created by the caller, so that bundlers see the
   * `new Worker(new URL(...))` pattern where the page builds it).
   * @example const client = new WorkerClient(new Worker(new URL('../worker/train-worker.ts', import.meta.url), { type: 'module' }));
   */
  constructor(private readonly worker: Worker) {
    worker.onmessage = (e: MessageEvent<FromWorker>) => this.dispatch(e.data);
    worker.onerror = (e) => this.dispatch({ type: 'error', message: `the training worker failed: ${e.message || 'it could not be started'}` });
  }

  /** Sends a message that has no reply (init, start, pause, reset). */
  send(msg: Extract<ToWorker, { type: 'init' | 'start' | 'pause' | 'reset' }>): void {
    this.worker.postMessage(msg);
  }

  /**
   * Sends a request and resolves with its reply (rejects with the worker's message on error).
   * `transfer` hands buffers over without a copy (e.g. a loaded file's bytes).
   * @example const r = await client.request({ type: 'inspect', digit, saliency: true }); r.predicted;
   */
  request<R extends WorkerRequest>(req: WithoutId<R>, transfer: Transferable[] = []): Promise<ReplyTo<R>> {
    const id = this.nextId++;
    return new Promise<ReplyTo<R>>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (m: FromWorker) => void, reject });
      this.worker.postMessage({ ...req, id }, transfer);
    });
  }

  /** Calls `fn` with every message from the worker (replies included); returns the unsubscribe function. */
  on(fn: Listener): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Stops the worker; pending requests reject. */
  terminate(): void {
    this.worker.terminate();
    for (const p of this.pending.values()) p.reject(new WorkerRequestError('the training worker was stopped'));
    this.pending.clear();
  }

  private dispatch(msg: FromWorker): void {
    if (msg.type === 'ready') this.ready = msg;
    if (msg.type === 'model') this.modelVersion = msg.modelVersion;
    const id = 'id' in msg ? msg.id : undefined;
    if (id !== undefined) {
      const p = this.pending.get(id);
      if (p) {
        this.pending.delete(id);
        if (msg.type === 'error') p.reject(new WorkerRequestError(msg.message));
        else p.resolve(msg);
      }
    }
    for (const fn of this.listeners) fn(msg);
  }
}
