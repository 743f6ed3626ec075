/**
 * Tutorial 9: in the browser and on the GPU. The same model and batch on every
 * backend this machine has (reference, wasm, and webgpu where a WebGPU adapter
 * is found): outputs and trained weights that agree to float32 rounding, the
 * time of a training step on each, threads, asynchronous reads of GPU results
 * and moving tensors between backends. The browser side (bundling, headers,
 * `await tg.ready()`) is in the chapter; it does not run in Node.
 * Run: node --import tsx docs/tutorials/09-browser-and-gpu.ts [--full]
 */
import * as tg from 'tensorgrad';
import { settings, show, table } from './lib.js';

const { F, data, models, optim } = tg;

// Training steps per backend: the first 2 are compared across backends, the rest only timed
// (wasm: that many in each of four runs, two on one thread and two on all).
// A software WebGPU adapter (SwiftShader) takes a second or more per step, so the quick settings keep it at 2.
const s = settings({ reference: 3, wasm: 20, webgpu: 2 }, { reference: 20, wasm: 200, webgpu: 20 });
const COMPARE_AT = 2;
/** A long message wrapped at about 60 characters, each line after the first indented by `indent`. */
const wrap = (text: string, indent: string) => (text.match(/.{1,60}(\s|$)/g) ?? [text]).map((l) => l.trim()).join(`\n${indent}`);

// ── The data: one batch of 64 test digits, made on the default backend (wasm) ──
const MEAN = 0.1307, STD = 0.3081;
const mnist = data.loadMnist({ split: 'test' });
const x = mnist.images.narrow(0, 0, 64).sub(MEAN).div(STD), y = mnist.labels.narrow(0, 0, 64).contiguous();

// ── 1. Which backends are there? ────────────────────────────────────────────
const before = tg.listBackends();
let gpu: tg.WebGpuBackend | null = null;
let gpuNote: string;
try {
  gpu = (await tg.ready({ backend: 'webgpu' })) as tg.WebGpuBackend;   // makes webgpu the current backend
  gpuNote = `started, adapter "${gpu.adapterName}"`;
} catch (e) {
  gpuNote = `not available here:\n${' '.repeat(39)}${wrap((e as Error).message, ' '.repeat(39))}`;
}
tg.setBackend('wasm');
show('backends', [
  `tg.listBackends() at start:            [${before.join(', ')}]`,
  `await tg.ready({ backend: 'webgpu' }): ${gpuNote}`,
  `tg.listBackends() now:                 [${tg.listBackends().join(', ')}]`,
  `wasm threads (tg.getNumThreads()):     ${tg.getNumThreads()}`,
].join('\n'));

// ── 2. The same code on each backend ────────────────────────────────────────
interface Run { logits: Float32Array; loss: number; weights: Float32Array[]; ms: number[] }
async function run(backend: string, steps: number): Promise<Run> {
  tg.setBackend(backend);                       // new tensors (the model's weights) are made here
  tg.manualSeed(0);                             // the same initial weights on every backend
  const model = models.mlp({ sizes: [784, 128, 10] });
  const xb = tg.toBackend(x, backend), yb = tg.toBackend(y, backend);
  const logits = (await tg.noGrad(() => model.forward(xb)).dataAsync()) as Float32Array;
  const optimizer = new optim.SGD(model.parameters(), { lr: 0.05, momentum: 0.9 });
  const ms: number[] = [];
  let loss = 0, weights: Float32Array[] = [];
  for (let step = 1; step <= steps; step++) {
    const t0 = performance.now();
    const l = F.crossEntropy(model.forward(xb), yb);
    optimizer.zeroGrad();
    l.backward();
    optimizer.step();
    const value = await l.itemAsync();          // waits for the step to finish (on a GPU too)
    ms.push(performance.now() - t0);
    if (step === COMPARE_AT) {
      loss = value;
      weights = (await Promise.all(model.parameters().map((p) => p.dataAsync()))) as Float32Array[];
    }
  }
  tg.setBackend('wasm');
  return { logits, loss, weights, ms };
}

const backends = tg.listBackends();
const runs = new Map<string, Run>();
for (const b of backends) runs.set(b, await run(b, s[b as keyof typeof s]));

const maxAbsDiff = (a: Float32Array, b: Float32Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);
const ref = runs.get('reference')!;
show('agree', `MLP 784-128-10, a batch of 64 digits, SGD (lr 0.05, momentum 0.9); each backend compared with 'reference':\n\n` + table(
  ['backend', 'max |logits diff|', `loss after ${COMPARE_AT} steps`, `max |weights diff| after ${COMPARE_AT} steps`],
  backends.map((b) => {
    const r = runs.get(b)!;
    const w = Math.max(...r.weights.map((v, i) => maxAbsDiff(v, ref.weights[i]!)));
    return [b, maxAbsDiff(r.logits, ref.logits).toExponential(1), r.loss.toFixed(6), w.toExponential(1)];
  }),
));

// Threads: the wasm backend on one thread and on all, in alternating rounds so that both see the same
// machine (results never depend on the thread count).
const threads = tg.getNumThreads();
const counts = [...new Set([1, threads])];
const byThreads = new Map<number, Run[]>(counts.map((t) => [t, []]));
for (let round = 0; round < 2; round++) {
  for (const t of counts) {
    await tg.setNumThreads(t);
    byThreads.get(t)!.push(await run('wasm', s.wasm));
  }
}
await tg.setNumThreads(threads);
const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;
// The first step of the first run, and the median of every later step of all the runs.
const timingRow = (name: string, nThreads: number | string, rs: Run[]) => {
  const later = median(rs.flatMap((r) => r.ms.slice(1)));
  return [name, nThreads, rs.reduce((n, r) => n + r.ms.length, 0), rs[0]!.ms[0]!.toFixed(1), later.toFixed(1),
    Math.round((64 * 1000) / later).toLocaleString('en-US')];
};
const oneThread = byThreads.get(1)![0]!;
show('timing', table(['backend', 'threads', 'steps', 'first step (ms)', 'later steps (ms, median)', 'images/s'], [
  timingRow('reference', 1, [ref]),
  ...counts.map((t) => timingRow('wasm', t, byThreads.get(t)!)),
  ...(gpu ? [timingRow('webgpu', '-', [runs.get('webgpu')!])] : []),
]) + (gpu ? '' : '\n\n(no WebGPU adapter here: no webgpu row)') +
  `\n\none thread and ${threads} threads agree: max |weights diff| ${Math.max(...oneThread.weights.map((v, i) => maxAbsDiff(v, runs.get('wasm')!.weights[i]!))).toExponential(1)}`);

// ── 3. Moving tensors, reading GPU results ──────────────────────────────────
const lines: [string, string][] = [
  ['x.backend.name', `'${x.backend.name}'`],
  ["tg.toBackend(x, 'reference').backend.name", `'${tg.toBackend(x, 'reference').backend.name}'`],
];
if (gpu) {
  tg.setBackend('webgpu');
  tg.manualSeed(0);
  const model = models.mlp({ sizes: [784, 128, 10] });
  const xg = tg.toBackend(x, 'webgpu');
  const logits = tg.noGrad(() => model.forward(xg));
  let error = '(no error)';
  try {
    logits.data();
  } catch (e) {
    error = `throws ${(e as Error).name}:\n  ${wrap((e as Error).message, '  ')}`;
  }
  const values = await logits.dataAsync();
  const onGpu = (await logits.argmax(1).array()) as number[];   // computed on the GPU, read asynchronously
  const back = await tg.toBackendAsync(logits, 'wasm');
  tg.setBackend('wasm');
  lines.push(
    ["xg = tg.toBackend(x, 'webgpu'); xg.isHostReadable()", `${xg.isHostReadable()} (made from host values: keeps a host copy)`],
    ['logits = model.forward(xg); logits.isHostReadable()', `${logits.isHostReadable()} (computed on the GPU)`],
    ['logits.data()', error],
    ['await logits.dataAsync()', `${values.constructor.name}(${values.length})`],
    ["cpu = await tg.toBackendAsync(logits, 'wasm')", `backend '${back.backend.name}', isHostReadable() ${back.isHostReadable()}`],
    ['await logits.argmax(1).array() (first 10)', `[${onGpu.slice(0, 10).join(', ')}]`],
    ['cpu.argmax(1).toArray() (first 10)', `[${(back.argmax(1).toArray() as number[]).slice(0, 10).join(', ')}]`],
  );
} else {
  lines.push(['webgpu', '(no WebGPU adapter here, so the GPU half of this example did not run)']);
}
const width = Math.max(...lines.map(([e]) => e.length)) + 3;
show('moving', lines.map(([e, v]) => `${e.padEnd(width)}${v.replaceAll('\n', `\n${' '.repeat(width)}`)}`).join('\n'));
