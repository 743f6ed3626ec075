/**
 * Benchmarks of the wasm backend's kernels, medians of repeated runs, at 1
 * and 2 threads (--threads=a,b,... to choose):
 *  1. float32 GEMM GFLOP/s at 1024³ and at LeNet/MLP-sized shapes, relaxed-SIMD and baseline builds;
 *  2. LeNet-5 convolution layers (batch 64): forward, backward-input, backward-weight times;
 *  3. training and inference throughput (images/s), wasm vs reference backend:
 *     LeNet-5 training (batch 64, SGD momentum 0.9, crossEntropy) and
 *     inference (batch 256), MLP 784-256-256-10 training (batch 64).
 * On a shared machine, compare the ratios printed beside the absolutes.
 * Run: node --import tsx bench/wasm-kernels.ts [--quick] [--threads=1,2]
 */
import * as tg from '../src/index.js';
import type { ConvParams } from '../src/backend/backend.js';
import { createWasmBackend, type WasmBackend } from '../src/backend/wasm/index.js';
import { fallbackCounts } from '../src/backend/wasm/fallback.js';
import { gemm } from '../src/backend/wasm/matmul.js';

const quick = process.argv.includes('--quick');
const threadArg = process.argv.find((a) => a.startsWith('--threads='));
const THREADS = threadArg ? threadArg.slice(10).split(',').map(Number) : [1, 2];

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Median milliseconds of `fn` over `runs` runs of `inner` calls each. */
function time(fn: () => void, runs: number, inner = 1): number {
  // Warm up: V8 runs a wasm function's first calls in its baseline tier and
  // swaps in the optimised code a few calls later.
  for (let i = 0; i < 3; i++) fn();
  const ts: number[] = [];
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    for (let i = 0; i < inner; i++) fn();
    ts.push((performance.now() - t0) / inner);
  }
  return median(ts);
}

function gemmBench(b: WasmBackend): void {
  const ctx = b.context;
  const { heap } = ctx;
  const shapes: [number, number, number, string][] = [
    [1024, 1024, 1024, '1024^3'],
    [64, 120, 400, 'LeNet fc1 fwd (64x400 . 400x120)'],
    [6, 784, 25, 'LeNet conv1 fwd per image'],
    [16, 100, 150, 'LeNet conv2 fwd per image'],
    [256, 512, 784, 'MLP 784->512, batch 256'],
  ];
  const big = 1024 * 1024 * 4;
  const A = heap.alloc(big).ptr, B = heap.alloc(big).ptr, C = heap.alloc(big).ptr;
  const f = heap.f32;
  for (let i = 0; i < big / 4; i++) {
    f[A / 4 + i] = Math.random() - 0.5;
    f[B / 4 + i] = Math.random() - 0.5;
  }
  for (const [M, N, K, label] of shapes) {
    const flop = 2 * M * N * K;
    const inner = Math.max(1, Math.round(2e8 / flop));
    const ms = time(() => gemm(ctx, { M, N, K, a: A, rsA: K, csA: 1, b: B, rsB: N, csB: 1, c: C, ldc: N, accumulate: 0 }), quick ? 3 : 7, inner);
    console.log(`  sgemm ${label.padEnd(36)} ${(flop / ms / 1e6).toFixed(1).padStart(6)} GFLOP/s  (${ms.toFixed(3)} ms)`);
  }
}

function convParams(batch: number, cin: number, cout: number, size: number, k: number, pad: number): ConvParams {
  const out = size + 2 * pad - k + 1;
  return {
    batch, inChannels: cin, outChannels: cout, groups: 1,
    inSize: [1, size, size], kernelSize: [1, k, k], outSize: [1, out, out],
    stride: [1, 1, 1], padding: [0, pad, pad], dilation: [1, 1, 1],
  };
}

function convBench(b: tg.Backend, label: string): void {
  const layers: [string, ConvParams][] = [
    ['conv1 1->6 5x5 pad 2, 28x28', convParams(64, 1, 6, 28, 5, 2)],
    ['conv2 6->16 5x5, 14x14', convParams(64, 6, 16, 14, 5, 0)],
  ];
  for (const [name, p] of layers) {
    const rnd = (n: number) => b.fromArray('float32', Float32Array.from({ length: n }, () => Math.random() - 0.5));
    const inPlane = p.inSize[1] * p.inSize[2], outPlane = p.outSize[1] * p.outSize[2];
    const x = rnd(p.batch * p.inChannels * inPlane);
    const w = rnd(p.outChannels * p.inChannels * 25);
    const gy = rnd(p.batch * p.outChannels * outPlane);
    const runs = quick ? 5 : 9;
    const f = time(() => b.release(b.conv(x, w, p)), runs);
    const bi = time(() => b.release(b.convBackwardInput(gy, w, p)), runs);
    const bw = time(() => b.release(b.convBackwardWeight(x, gy, p)), runs);
    console.log(`  ${label.padEnd(9)} ${name.padEnd(30)} fwd ${f.toFixed(2)} ms  bwd-input ${bi.toFixed(2)} ms  bwd-weight ${bw.toFixed(2)} ms`);
  }
}

/** Median images/s of `step` (one batch of `batch` images), yielding once per step so finalizers run. */
async function throughput(step: () => void, batch: number, steps: number): Promise<number> {
  step();
  step();
  const ts: number[] = [];
  for (let s = 0; s < steps; s++) {
    const t0 = performance.now();
    step();
    ts.push(performance.now() - t0);
    await new Promise((r) => setImmediate(r));
  }
  return (batch * 1000) / median(ts);
}

type Workload = { name: string; batch: number; make: () => () => void };

function trainStep(model: tg.nn.Module, input: number[], classes: number): () => void {
  const opt = new tg.optim.SGD(model.parameters(), { lr: 0.01, momentum: 0.9 });
  const x = tg.randn(input);
  const y = tg.randint(0, classes, [input[0]!], { dtype: 'int32' });
  return () => {
    opt.zeroGrad();
    const loss = tg.F.crossEntropy(model.forward(x), y);
    loss.backward();
    opt.step();
  };
}

const workloads: Workload[] = [
  { name: 'LeNet-5 training, batch 64', batch: 64, make: () => trainStep(tg.models.lenet5(), [64, 1, 28, 28], 10) },
  {
    name: 'LeNet-5 inference, batch 256', batch: 256, make: () => {
      const model = tg.models.lenet5();
      model.eval();
      const x = tg.randn([256, 1, 28, 28]);
      return () => tg.noGrad(() => model.forward(x).argmax(1).toArray());
    },
  },
  {
    name: 'MLP 784-256-256-10 training, batch 64', batch: 64, make: () => trainStep(new tg.nn.Sequential(
      new tg.nn.Flatten(), new tg.nn.Linear(784, 256), new tg.nn.ReLU(), new tg.nn.Linear(256, 256), new tg.nn.ReLU(), new tg.nn.Linear(256, 10),
    ), [64, 1, 28, 28], 10),
  },
];

async function run(backend: tg.Backend, w: Workload, steps: number): Promise<number> {
  tg.setBackend(backend);
  tg.manualSeed(0);
  return throughput(w.make(), w.batch, steps);
}

const relaxed = await createWasmBackend({ variant: 'relaxed', name: 'wasm-relaxed', threads: 1 }).catch(() => null);
const simd = await createWasmBackend({ variant: 'simd', name: 'wasm-simd', threads: 1 });
for (const b of [relaxed, simd]) {
  if (!b) {
    console.log('relaxed SIMD: not supported by this engine');
    continue;
  }
  for (const t of THREADS) {
    await b.setNumThreads(t);
    console.log(`float32 GEMM, ${b.variant === 'relaxed' ? 'relaxed SIMD' : 'baseline SIMD'} build, ${b.numThreads} thread(s)`);
    gemmBench(b);
  }
  await b.setNumThreads(1);
}

const wasm = relaxed ?? simd;
const ref = tg.getBackend();
for (const t of THREADS) {
  await wasm.setNumThreads(t);
  console.log(`\nLeNet-5 conv layers, batch 64, ${wasm.numThreads} thread(s) (median ms)`);
  convBench(wasm, wasm.name);
}
console.log();
convBench(ref, 'reference');

const steps = quick ? 8 : 30;
for (const w of workloads) {
  console.log(`\n${w.name} (images/s, median step)`);
  const refIps = await run(ref, w, Math.max(3, Math.round(steps / 6)));
  const line: string[] = [];
  let first = 0;
  for (const t of THREADS) {
    await wasm.setNumThreads(t);
    fallbackCounts.clear();
    const ips = await run(wasm, w, steps);
    first ||= ips;
    line.push(`${t} thread(s) ${ips.toFixed(0)} (x${(ips / refIps).toFixed(1)} ref${t === THREADS[0] ? '' : `, x${(ips / first).toFixed(2)} vs ${THREADS[0]}`})`);
  }
  console.log(`  reference ${refIps.toFixed(0)}   ${wasm.name}: ${line.join('   ')}`);
  const fb = [...fallbackCounts].map(([k, v]) => `${k} x${Math.round(v / (steps + 2))}`).join(', ');
  console.log(`  kernels that fell back to the reference per step: ${fb || 'none'}`);
}
console.log(`\nheap: ${JSON.stringify(wasm.heapStats())}`);
