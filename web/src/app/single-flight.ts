/**
 * Runs an async refresh with at most one call in flight: a refresh asked for while
 * one runs is remembered (once) and runs when it ends, so a panel never piles up
 * requests to the worker and always ends on the newest state. DOM-free.
 */
export interface SingleFlight {
  /** Runs `task` now, or once more after the running call ends. */
  refresh(): void;
  /** True while a call runs. */
  readonly busy: boolean;
}

/**
 * @example
 * const filters = singleFlight(async () => paint(await client.request({ type: 'filters' })));
 * client.on((m) => { if (m.type === 'progress') filters.refresh(); });
 */
export function singleFlight(task: () => Promise<void>): SingleFlight {
  let inFlight = false;
  let queued = false;
  async function run(): Promise<void> {
    inFlight = true;
    try {
      await task();
    } finally {
      inFlight = false;
    }
    if (queued) {
      queued = false;
      void run();
    }
  }
  return {
    refresh(): void {
      if (inFlight) queued = true;
      else void run();
    },
    get busy() { return inFlight; },
  };
}
