/**
 * Where a training step's time goes: `npm run bench:profile -- [lenet|mlp|vgg]
 * [--steps N] [--threads T]`. Never part of the tests.
 *
 * Runs the bench's own tensorgrad training step (bench/tensorgrad/framework.ts
 * on bench/workloads/specs.ts: LeNet-5 or the MLP at batch 64, the VGG-style
 * net at batch 32; SGD with momentum 0.9, cross-entropy, the same seeded data)
 * and, during the timed steps, times every call into the backend and into its fused
 * kernels (`backend.fused`). It prints, per call site in the order a step makes
 * them (a step's n-th call), the median microseconds per step, and the time
 * outside backend calls: the JavaScript of autograd, dispatch, shape checks and
 * allocation. A call made inside another timed call counts toward the outer
 * one (an optimizer's batched update holds its per-parameter kernels). The
 * timing wrapper adds well under a microsecond per call.
 *
 * The step goes through the public API only, so these files profile older
 * commits of the library too: the "before" numbers in docs/guide/speed.md came
 * from running them in a checkout of d46d8c6, the commit before the speed work.
 *
 * @example npm run bench:profile -- lenet --steps 300
 */
import * as tg from '../src/index.js';
import { tensorgradFramework } from './tensorgrad/framework.js';
import { LENET5, MLP, VGG_SMALL, type NetSpec } from './workloads/specs.js';

const NETS: Record<string, { net: NetSpec; batch: number }> = {
  lenet: { net: LENET5, batch: 64 },
  mlp: { net: MLP, batch: 64 },
  vgg: { net: VGG_SMALL, batch: 32 },
};

interface Options { which: string; steps: number; threads?: number }

function parseArgs(argv: string[]): Options {
  const o: Options = { which: 'lenet', steps: 300 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = (): number => {
      const v = Number(argv[++i]);
      if (!Number.isInteger(v) || v < 1) throw new Error(`${a} needs a positive integer, got ${argv[i]}`);
      return v;
    };
    if (a === '--steps') o.steps = value();
    else if (a === '--threads') o.threads = value();
    else if (a in NETS) o.which = a;
    else throw new Error(`unknown argument ${a} (usage: npm run bench:profile -- [lenet|mlp|vgg] [--steps N] [--threads T])`);
  }
  return o;
}

type Fn = (...args: unknown[]) => unknown;

/** Replaces every method of `obj` (own and inherited, not the constructor) with a timed one. */
function wrapMethods(obj: Record<string, unknown>, prefix: string, record: (name: string, ms: number) => void, depth: { n: number }): void {
  const names = new Set<string>();
  for (let o: object | null = obj; o && o !== Object.prototype; o = Object.getPrototypeOf(o)) {
    for (const n of Object.getOwnPropertyNames(o)) if (n !== 'constructor') names.add(n);
  }
  for (const n of names) {
    const d = Object.getOwnPropertyDescriptor(obj, n) ?? Object.getOwnPropertyDescriptor(Object.getPrototypeOf(obj), n);
    if (!d || typeof d.value !== 'function') continue;
    const f = d.value as Fn;
    obj[n] = function timed(this: unknown, ...args: unknown[]): unknown {
      if (depth.n > 0) return f.apply(obj, args);
      depth.n++;
      const t0 = performance.now();
      try {
        return f.apply(obj, args);
      } finally {
        depth.n--;
        record(prefix + n, performance.now() - t0);
      }
    };
  }
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[s.length >> 1]! : 0;
};
const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
const us = (ms: number): string => `${(1000 * ms).toFixed(0)}`.padStart(6);

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  const { net, batch } = NETS[o.which]!;
  const backend = (await tg.ready({ backend: 'wasm' })) as unknown as Record<string, unknown> & { setNumThreads?(n: number): Promise<void> | void; numThreads?: number };
  if (o.threads !== undefined) await backend.setNumThreads?.(o.threads);

  // One list of (call site, ms) per step; a call site is the n-th backend call of the step and its name.
  let current: [string, number][] | null = null;
  const depth = { n: 0 };
  const record = (name: string, ms: number) => current?.push([name, ms]);
  const fused = backend.fused as Record<string, unknown> | undefined;
  wrapMethods(backend, '', record, depth);
  if (fused && typeof fused === 'object') wrapMethods(fused, 'fused.', record, depth);

  const framework = tensorgradFramework('tg-wasm', backend as unknown as tg.Backend, false);
  framework.activate();
  const train = await framework.train(net, batch);
  const step = () => void train.run();

  const warm = Math.max(20, o.steps >> 2);
  const steps: { ms: number; calls: [string, number][] }[] = [];
  for (let i = 0; i < warm + o.steps; i++) {
    const calls: [string, number][] = [];
    current = i >= warm ? calls : null;
    const t0 = performance.now();
    step();
    const ms = performance.now() - t0;
    current = null;
    if (i >= warm) steps.push({ ms, calls });
    // As in the bench: one event-loop turn per step (the wasm backend frees memory in finalizers).
    await new Promise((r) => setImmediate(r));
  }

  // Call sites by position; steps whose call sequence differs from the most common one are left out.
  const shape = (s: { calls: [string, number][] }) => s.calls.map((k) => k[0]).join(',');
  const counts = new Map<string, number>();
  for (const s of steps) counts.set(shape(s), (counts.get(shape(s)) ?? 0) + 1);
  const common = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]![0];
  const same = steps.filter((s) => shape(s) === common);
  const sites = same[0]!.calls.map((k) => k[0]);
  const stepMs = median(same.map((s) => s.ms));
  const inCalls = same.map((s) => s.calls.reduce((a, k) => a + k[1], 0));
  const outside = median(same.map((s, i) => s.ms - inCalls[i]!));

  console.log(`${o.which} training step, batch ${batch}, tg-wasm on ${backend.numThreads ?? '?'} thread(s): median ${us(stepMs).trim()} us per step `
    + `over ${same.length} of ${steps.length} steps (${sites.length} backend calls each)`);
  console.log('');
  // Means add up to the mean step; medians are the typical call.
  console.log('  #  call                                    median us  mean us');
  let smallMean = 0, small = 0;
  sites.forEach((name, i) => {
    const ts = same.map((s) => s.calls[i]![1]);
    if (median(ts) >= 0.0015) console.log(`${String(i).padStart(3)}  ${name.padEnd(38)} ${us(median(ts))}    ${us(mean(ts))}`);
    else (small++, smallMean += mean(ts));
  });
  if (small) console.log(`     ${`${small} calls under 2 us each`.padEnd(38)}           ${us(smallMean)}`);
  console.log('');
  console.log(`backend calls ${us(median(inCalls)).trim()} us, outside them (JavaScript) ${us(outside).trim()} us, step ${us(stepMs).trim()} us (medians)`);
  console.log(`backend calls ${us(mean(inCalls)).trim()} us, outside them (JavaScript) ${us(mean(same.map((s, i) => s.ms - inCalls[i]!))).trim()} us, step ${us(mean(same.map((s) => s.ms))).trim()} us (means)`);
  process.exit(0);
}

main().catch((e: unknown) => {
  console.error(`bench:profile: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(2);
});
