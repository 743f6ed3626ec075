import assert from 'node:assert/strict';
import * as tg from '../../src/index.js';

/*
 * Helpers for the wrong-call sweep (test/api/*): every public op and layer is
 * called the ways a plain-JavaScript user gets wrong, and each call must throw
 * a TensorError whose one-line message names the op; afterwards a fixed set of
 * computations must give bit-identical results (no state left behind).
 */

/** One wrong call: a label for failure messages and the call itself. */
export type WrongCall = [label: string, call: () => unknown];

/** The wrong calls of one public name; `names` are what the message may name instead (default: the name). */
export interface SweepEntry {
  names?: readonly string[];
  calls: readonly WrongCall[];
}

/**
 * Asserts `call` throws a TensorError whose message names one of `names`
 * (case-insensitive, so layer `Conv2d` may report as `conv2d`) and is one line.
 */
export function expectTensorError(what: string, names: readonly string[], label: string, call: () => unknown): void {
  let thrown: unknown = null;
  try {
    call();
  } catch (e) {
    thrown = e;
  }
  assert.ok(thrown !== null, `${what} ${label}: did not throw`);
  assert.ok(thrown instanceof tg.TensorError, `${what} ${label}: threw ${(thrown as Error)?.name ?? typeof thrown}: ${(thrown as Error)?.message ?? String(thrown)}`);
  const msg = thrown.message;
  const lower = msg.toLowerCase();
  assert.ok(names.some((n) => lower.includes(n.toLowerCase())), `${what} ${label}: message does not name ${names.join(' or ')}: ${msg}`);
  assert.ok(!msg.includes('[object Object]'), `${what} ${label}: message shows [object Object]: ${msg}`);
  assert.ok(!msg.includes('\n'), `${what} ${label}: message spans several lines: ${msg}`);
}

/** Runs every entry's calls through {@link expectTensorError}, then fails listing every call that did not; returns how many calls ran. */
export function runSweep(prefix: string, table: Readonly<Record<string, SweepEntry>>): number {
  let n = 0;
  const failures: string[] = [];
  for (const [name, entry] of Object.entries(table)) {
    for (const [label, call] of entry.calls) {
      try {
        expectTensorError(`${prefix}${name}`, entry.names ?? [name], label, call);
      } catch (e) {
        failures.push((e as Error).message.split('\n')[0]!.slice(0, 300));
      }
      n++;
    }
  }
  assert.deepEqual(failures, [], `${failures.length} of ${n} wrong calls misbehaved:\n${failures.join('\n')}`);
  return n;
}

/** The names of the functions and classes a namespace exports (constants and nested namespaces skipped). */
export function exportedCallables(ns: object): string[] {
  return Object.entries(ns).filter(([, v]) => typeof v === 'function').map(([k]) => k).sort();
}

/** Asserts every exported callable of `ns` has a sweep entry or an allow-list entry, and that neither lists a name that is gone. */
export function assertCovered(nsName: string, ns: object, table: Readonly<Record<string, unknown>>, allow: Readonly<Record<string, string>>): void {
  const names = exportedCallables(ns);
  const missing = names.filter((n) => !(n in table) && !(n in allow));
  assert.deepEqual(missing, [], `${nsName}: exported but not in the wrong-call sweep nor in its allow-list: ${missing.join(', ')}`);
  const stale = [...Object.keys(table), ...Object.keys(allow)].filter((n) => !names.includes(n));
  assert.deepEqual(stale, [], `${nsName}: sweep or allow-list names that are not exported: ${stale.join(', ')}`);
}

/** Float64 copies of the values of every tensor in `out` (for bit-exact comparison). */
function values(out: tg.Tensor[]): number[][] {
  return out.map((t) => Array.from(t.data(), Number));
}

/**
 * The fixed computations compared before and after the sweep, on the current
 * backend: matmul, conv2d, softmax, pow, sum, maxPool2d, batchNorm (training,
 * with its running-stat update), and one seeded LeNet SGD step (loss, updated
 * weights). All inputs are seeded, so two runs on a healthy library agree bit
 * for bit.
 */
export function fixedComputations(): number[][] {
  const g = new tg.Generator(1234);
  const a = tg.randn([5, 7], { generator: g });
  const b = tg.randn([7, 3], { generator: g });
  const x = tg.randn([2, 3, 9, 9], { generator: g });
  const w = tg.randn([4, 3, 3, 3], { generator: g });
  const runMean = tg.zeros([3]);
  const runVar = tg.ones([3]);
  const out = [
    tg.matmul(a, b),
    tg.F.conv2d(x, w, null, { padding: 1 }),
    tg.softmax(a, 1),
    a.abs().pow(1.7),
    x.sum([0, 2]),
    tg.F.maxPool2d(x, 2),
    tg.F.batchNorm(x, runMean, runVar, null, null, { training: true }),
    runMean,
    runVar,
  ];
  tg.manualSeed(7);
  const model = tg.models.lenet5();
  const opt = new tg.optim.SGD(model.parameters(), { lr: 0.05, momentum: 0.9 });
  const images = tg.randn([4, 1, 28, 28], { generator: g });
  const labels = tg.tensor([3, 1, 4, 1], { dtype: 'int32' });
  const loss = tg.F.crossEntropy(model.forward(images), labels);
  opt.zeroGrad();
  loss.backward();
  opt.step();
  out.push(loss, ...model.parameters());
  return values(out);
}

/** Asserts two {@link fixedComputations} results are identical bit for bit (NaN equal to NaN). */
export function assertSameBits(before: number[][], after: number[][], what: string): void {
  assert.equal(after.length, before.length, `${what}: ${after.length} results vs ${before.length}`);
  before.forEach((b, i) => {
    const a = after[i]!;
    assert.equal(a.length, b.length, `${what}: result ${i} has ${a.length} values vs ${b.length}`);
    for (let j = 0; j < b.length; j++) {
      if (!Object.is(a[j], b[j])) assert.fail(`${what}: result ${i}, element ${j} is ${a[j]} after the sweep but ${b[j]} before`);
    }
  });
}
