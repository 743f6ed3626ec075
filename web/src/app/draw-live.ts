/**
 * "Latest wins" request scheduling for the Draw tab's live prediction: at most
 * one request is in flight; a request submitted meanwhile waits, and a newer
 * one replaces it, so a user drawing fast never builds a queue in the worker
 * (which answers between training steps, so a queue would lag further and
 * further behind the pen). Every reply that arrives is shown, even one that a
 * newer drawing will soon replace: that keeps the view moving while drawing.
 * `cancel()` (the pad was cleared) drops the waiting request and makes the
 * in-flight reply be ignored. Pure logic, no DOM: tested in Node.
 */

export interface LatestOnlyOptions<Q, R> {
  /** Sends one request (e.g. `client.request`), resolving with its reply. */
  send: (query: Q) => Promise<R>;
  /** Called with each reply not made obsolete by `cancel()`. */
  onReply: (reply: R, query: Q) => void;
  /** Called when a request fails (not after `cancel()`); the next submit tries again. */
  onError: (error: unknown, query: Q) => void;
  /** Called when "a request is in flight" turns on or off (for a busy indicator). */
  onPendingChange?: (pending: boolean) => void;
}

/**
 * A one-slot request queue.
 * @example
 * const live = new LatestOnly({ send: (q) => client.request(q), onReply: show, onError: report });
 * pad.onChange(() => live.submit({ type: 'inspect', digit, saliency: false }));
 */
export class LatestOnly<Q, R> {
  private inFlight = false;
  private waiting: { query: Q } | null = null;
  /** Bumped by cancel(): replies of requests sent before it are dropped. */
  private generation = 0;

  constructor(private readonly opts: LatestOnlyOptions<Q, R>) {}

  /** True while a request is in flight. */
  get pending(): boolean {
    return this.inFlight;
  }

  /** Sends `query` now, or after the in-flight request returns (replacing any query already waiting). */
  submit(query: Q): void {
    if (this.inFlight) {
      this.waiting = { query };
      return;
    }
    this.run(query);
  }

  /** Forgets the waiting query and ignores the reply of the one in flight. */
  cancel(): void {
    this.waiting = null;
    this.generation++;
  }

  private run(query: Q): void {
    const generation = this.generation;
    this.inFlight = true;
    this.opts.onPendingChange?.(true);
    let sent: Promise<R>;
    try {
      sent = this.opts.send(query);
    } catch (e) {
      sent = Promise.reject(e);
    }
    sent.then(
      (reply) => { if (generation === this.generation) this.opts.onReply(reply, query); },
      (error: unknown) => { if (generation === this.generation) this.opts.onError(error, query); },
    ).finally(() => {
      this.inFlight = false;
      const next = this.waiting;
      this.waiting = null;
      if (next) this.run(next.query);
      else this.opts.onPendingChange?.(false);
    });
  }
}
