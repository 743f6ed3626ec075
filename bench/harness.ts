/**
 * Interleaved timing of several contenders on one workload.
 *
 * The machine is shared and loaded, so a single long measurement per contender
 * would compare different moments of load. Instead each contender is set up and
 * warmed up, then the timed blocks run round-robin (contender A block, B block,
 * C block, A block, ...), rotating the order each round, and the result is the
 * median over blocks. A block times `iters` steps back to back, each followed
 * by one event-loop yield (tensorgrad's wasm backend frees memory in
 * FinalizationRegistry callbacks, which only run when the program yields); the
 * yield is inside the timed block for every contender alike, so the number is
 * the throughput a training loop would see.
 *
 * A step may return a promise (GPU contenders: a step ends by waiting for its
 * GPU work to finish, or by reading its result back): it is awaited inside the
 * timed block, so the time includes completion, not only submission.
 *
 * A contender in another process (the PyTorch worker, bench/pytorch) sets up
 * asynchronously and times its blocks itself (`Step.runBlock`: n steps, their
 * milliseconds measured there), so the message round trip is not counted.
 *
 * Before every timed block the garbage of earlier blocks is collected
 * (`settle`), so that no contender pays for another's garbage collection.
 *
 * Browser-safe (no Node imports): bench/web runs the same harness in a page.
 */

/** One unit of work (a training step, an inference batch, a kernel call). */
export interface Step {
  /** One step; a returned promise is awaited and counted in the step's time. */
  run(): void | Promise<void>;
  /**
   * Runs `n` steps back to back and returns their milliseconds, timed by the
   * step's own process (an out-of-process contender); when present the harness
   * uses it for every timed step and block instead of timing `run` itself.
   */
  runBlock?(n: number): Promise<number>;
  /** Frees what setup allocated (TF.js tensors and variables). */
  dispose?(): void;
}

export interface Contender {
  /** Column name: 'tg-wasm', 'tg-webgpu', 'tg-ref', 'tfjs-cpu', 'tfjs-wasm', 'tfjs-webgpu', ... */
  name: string;
  /** A slow contender (the reference backend): one warm-up step, single-step blocks and fewer of them. */
  reduced: boolean;
  /**
   * The first step at a new size pays one-off costs far above a step's own
   * (GPU contenders: shader compilation, TF.js's per-shape programs): an untimed
   * step runs first at every size, before probing and before the warm-up.
   */
  warmUp?: boolean;
  /** Selects the global backend this contender runs on; called before setup and before every block. */
  activate(): Promise<void> | void;
  /**
   * Builds model, data and optimizer for a problem size (a batch size, a matrix
   * size) from the workload's ladder; throws (or rejects) when the contender cannot run it.
   */
  setup(size: number): Step | Promise<Step>;
}

/**
 * Problem sizes from small probes up to the measured size (the last), and the
 * relative amount of work of each: a step at `sizes[i]` costs about
 * `work(sizes[i]) / work(full)` of a full step.
 */
export interface Ladder {
  sizes: readonly number[];
  work(size: number): number;
}

export interface TimingPlan {
  /** Target duration of one timed block (ms). */
  blockMs: number;
  /** Blocks per contender: at most `maxBlocks`, at least `minBlocks`, fewer when over `budgetMs`. */
  maxBlocks: number;
  minBlocks: number;
  /** Time one contender may spend on one workload, warm-up excluded (ms). */
  budgetMs: number;
  /** Warm-up duration (ms); at least two steps, one for reduced contenders. */
  warmMs: number;
  /** A contender whose first full step takes longer than this (ms) is measured as a reduced one. */
  slowStepMs: number;
  /** Block count bounds for reduced contenders (whose blocks are one step). */
  reducedMaxBlocks: number;
  reducedMinBlocks: number;
  /**
   * Longest full step a contender may take (ms). Probe steps at smaller sizes
   * predict the full step's time first; beyond this limit the contender is not
   * run at full size and its cell holds the extrapolated time, marked as an estimate.
   */
  maxStepMs: number;
  /** How long probing one size may go on, to get past one-off costs (JIT, lazy initialisation). */
  probeMs: number;
}

/** Result for one contender on one workload. */
export interface Cell {
  /** Median milliseconds per step, when it ran. */
  ms?: number;
  /** Per-step milliseconds of each block. */
  samples: number[];
  /** Steps per block. */
  iters: number;
  /** Why it could not run, and where. */
  error?: string;
  stack?: string;
  /** Set when `ms` is extrapolated from a probe step rather than measured: how. */
  estimated?: string;
  /** Wall time this contender took on this workload, probes and warm-up included (ms). */
  spentMs: number;
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/**
 * Lets pending macrotasks (finalizers, timers) run: setImmediate in Node; in a
 * browser a MessageChannel message (a macrotask without setTimeout's 4 ms clamp).
 */
export function yieldTask(): Promise<void> {
  if (typeof setImmediate === 'function') return new Promise((resolve) => setImmediate(resolve));
  return new Promise((resolve) => {
    const ch = new MessageChannel();
    ch.port1.onmessage = () => {
      ch.port1.close();
      resolve();
    };
    ch.port2.postMessage(null);
  });
}

/** How `settle` collects garbage between blocks: 'none' without an exposed `gc` (Node's --expose-gc). */
export function gcBetweenBlocks(): 'none' | 'collected' {
  return typeof (globalThis as { gc?: unknown }).gc === 'function' ? 'collected' : 'none';
}

/**
 * Collects the garbage earlier blocks left, then lets finalizers run, before a
 * block is timed. V8 collects on background threads: a 2-thread contender
 * (tg-wasm) timed right after a JavaScript-heavy one (tfjs-cpu, tg-ref) lost
 * its second core to collecting the other's garbage (1024^3 matmul after
 * 300 ms of typed-array garbage: 85 GFLOP/s, 97 after an idle 300 ms; 16
 * blocks each). With Node's --expose-gc and --single-threaded-gc (`npm run
 * bench` sets both) the collection is over when gc() returns (96-98 GFLOP/s
 * then), and a block's own garbage is collected on its own thread, in its own
 * time. Without an exposed gc (a browser page) it only yields.
 */
export async function settle(): Promise<void> {
  (globalThis as { gc?: () => void }).gc?.();
  await yieldTask();
}

/** The first lines of an error's stack, for the JSON record. */
function errorStack(e: unknown): string | undefined {
  return e instanceof Error ? e.stack?.split('\n').slice(0, 6).join('\n') : undefined;
}

function errorText(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return msg.split('\n')[0]!.slice(0, 200);
}

interface Live {
  c: Contender;
  step: Step;
  iters: number;
  blocks: number;
  samples: number[];
  spentMs: number;
}

/** Runs one step and yields; returns its milliseconds. */
async function timeStep(step: Step): Promise<number> {
  if (step.runBlock) return step.runBlock(1);
  const t0 = performance.now();
  const pending = step.run();
  if (pending) await pending;
  await yieldTask();
  return performance.now() - t0;
}

/**
 * Predicts the full step's time by climbing the ladder of smaller sizes: at each
 * size, steps run (up to `plan.probeMs`, keeping the fastest, since the first
 * calls pay one-off costs) until the linear extrapolation to full size fits the
 * limit, and then the contender is measured at full size (returns null). A size
 * whose extrapolation does not fit leads to the next size only while that
 * step itself would take at most twice the limit; otherwise the extrapolation
 * is the result.
 */
async function probe(c: Contender, plan: TimingPlan, ladder: Ladder): Promise<Cell | null> {
  const { sizes, work } = ladder;
  const full = work(sizes[sizes.length - 1]!);
  for (let i = 0; i < sizes.length - 1; i++) {
    const size = sizes[i]!;
    const ratio = full / work(size);
    const step = await c.setup(size);
    let best = Infinity;
    try {
      if (c.warmUp) await timeStep(step);
      // The first call can be several times slower than later ones: keep going while another step fits
      // the probe time, and take a second step unless one alone is over it.
      const t0 = performance.now();
      let n = 0;
      do {
        best = Math.min(best, await timeStep(step));
        n++;
      } while (best * ratio > plan.maxStepMs && (performance.now() - t0 + best < plan.probeMs || (n < 2 && best < plan.probeMs)));
    } finally {
      step.dispose?.();
    }
    if (best * ratio <= plan.maxStepMs) return null;
    // A larger probe extrapolates better (small batches carry fixed costs), so it may take up to twice the limit.
    const nextIsFull = i + 1 === sizes.length - 1;
    const nextMs = best * (work(sizes[i + 1]!) / work(size));
    if (!nextIsFull && nextMs <= 2 * plan.maxStepMs) continue;
    return {
      ms: best * ratio, samples: [best], iters: 1, spentMs: 0,
      estimated: `too slow for the ${(plan.maxStepMs / 1000).toFixed(0)} s step limit: extrapolated from size ${size} (${ratio}x less work)`,
    };
  }
  return null;
}

/** Sets up and warms up one contender; returns its block plan, or a cell when it fails or is too slow. */
async function prepare(c: Contender, plan: TimingPlan, ladder: Ladder): Promise<Live | Cell> {
  let step: Step | undefined;
  try {
    await c.activate();
    const estimate = await probe(c, plan, ladder);
    if (estimate) return estimate;
    step = await c.setup(ladder.sizes[ladder.sizes.length - 1]!);
    if (c.warmUp) await timeStep(step);
    const times = [await timeStep(step)];
    // Reduced contenders, and any whose first full step is slow, get one warm-up step and few single-step blocks.
    const reduced = c.reduced || times[0]! > plan.slowStepMs;
    const t0 = performance.now();
    while (!reduced && (times.length < 2 || (performance.now() - t0 < plan.warmMs && times.length < 1000))) {
      times.push(await timeStep(step));
    }
    // The last warm-up steps are the closest to steady state.
    const perStep = Math.max(1e-3, median(times.slice(-Math.max(1, times.length >> 1))));
    if (reduced) {
      const blocks = Math.max(plan.reducedMinBlocks, Math.min(plan.reducedMaxBlocks, Math.floor(plan.budgetMs / perStep)));
      return { c, step, iters: 1, blocks, samples: [], spentMs: 0 };
    }
    const iters = Math.max(1, Math.min(10_000, Math.round(plan.blockMs / perStep)));
    const blocks = Math.max(plan.minBlocks, Math.min(plan.maxBlocks, Math.floor(plan.budgetMs / (iters * perStep))));
    return { c, step, iters, blocks, samples: [], spentMs: 0 };
  } catch (e) {
    step?.dispose?.();
    return { samples: [], iters: 0, error: errorText(e), stack: errorStack(e), spentMs: 0 };
  }
}

/** Whether a contender with `blocks` of `rounds` rounds runs in round `r` (spread evenly). */
function runsInRound(blocks: number, rounds: number, r: number): boolean {
  return Math.floor(((r + 1) * blocks) / rounds) > Math.floor((r * blocks) / rounds);
}

/**
 * Times every contender on one workload, interleaved; returns a cell per
 * contender name. A contender that throws gets an error cell; one whose full
 * step would exceed `plan.maxStepMs` gets an estimate cell (see `probe`).
 */
export async function measure(contenders: readonly Contender[], plan: TimingPlan, ladder: Ladder): Promise<Map<string, Cell>> {
  const cells = new Map<string, Cell>();
  const live: Live[] = [];
  for (const c of contenders) {
    const t0 = performance.now();
    const p = await prepare(c, plan, ladder);
    p.spentMs = performance.now() - t0;
    if ('c' in p) live.push(p);
    else cells.set(c.name, p);
  }
  const rounds = Math.max(0, ...live.map((l) => l.blocks));
  const failed = new Set<Live>();
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < live.length; i++) {
      const l = live[(i + r) % live.length]!;
      if (failed.has(l) || !runsInRound(l.blocks, rounds, r)) continue;
      try {
        await l.c.activate();
        await settle();
        const t0 = performance.now();
        let ms: number;
        if (l.step.runBlock) {
          ms = await l.step.runBlock(l.iters);
        } else {
          for (let k = 0; k < l.iters; k++) {
            const pending = l.step.run();
            if (pending) await pending;
            await yieldTask();
          }
          ms = performance.now() - t0;
        }
        l.samples.push(ms / l.iters);
        l.spentMs += performance.now() - t0;
      } catch (e) {
        failed.add(l);
        cells.set(l.c.name, { samples: l.samples, iters: l.iters, error: errorText(e), stack: errorStack(e), spentMs: l.spentMs });
      }
    }
  }
  for (const l of live) {
    l.step.dispose?.();
    if (!failed.has(l)) cells.set(l.c.name, { ms: median(l.samples), samples: l.samples, iters: l.iters, spentMs: l.spentMs });
  }
  return cells;
}
