/**
 * Benchmarks of the wasm backend's kernels, medians of repeated runs:
 *  1. float32 GEMM GFLOP/s at 1024³ and at LeNet/MLP-sized shapes, relaxed-SIMD and baseline builds;
 *  2. LeNet-5 convolution layers (batch 64): forward, backward-input, backward-weight times;
 *  3. LeNet-5 training throughput (images/s), wasm vs reference backend,
 *     batch 64, SGD(momentum 0.9), crossEntropy.
 * Run: node --import tsx bench/wasm-kernels.ts [--quick]
 */
import * as tg from '../src/index.js';
import type { ConvParams } from '../src/backend/backend.js';
import { createWasmBackend, type WasmBackend } from '../src/backend/wasm/index.js';
import { fallbackCounts } from '../src/backend/wasm/fallback.js';

const quick = process.argv.includes('--quick');

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Median milliseconds of `fn` over `runs` runs of `inner` calls each. */
function time(fn: () => void, runs: number, inner = 1): number {
  fn(); // warm up (and let V8 tier up the wasm)
  const ts: number[] = [];
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    for (let i = 0; i < inner; i++) fn();
    ts.push((performance.now() - t0) / inner);
  }
  return median(ts);
}

function gemmBench(b: WasmBackend): void {
  const { kernels: k, heap, gemmScratch } = b.context;
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
    const ms = time(() => k.sgemm(M, N, K, A, K, 1, B, N, 1, C, N, 0, gemmScratch), quick ? 3 : 7, inner);
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
    const runs = quick ? 3 : 7;
    const f = time(() => b.release(b.conv(x, w, p)), runs);
    const bi = time(() => b.release(b.convBackwardInput(gy, w, p)), runs);
    const bw = time(() => b.release(b.convBackwardWeight(x, gy, p)), runs);
    console.log(`  ${label.padEnd(9)} ${name.padEnd(30)} fwd ${f.toFixed(2)} ms  bwd-input ${bi.toFixed(2)} ms  bwd-weight ${bw.toFixed(2)} ms`);
  }
}

/** Images per second of LeNet-5 training steps on `backend` (yielding once per step so finalizers run). */
async function lenetBench(backend: tg.Backend, steps: number): Promise<number> {
  tg.setBackend(backend);
  tg.manualSeed(0);
  const model = tg.models.lenet5();
  const opt = new tg.optim.SGD(model.parameters(), { lr: 0.01, momentum: 0.9 });
  const batch = 64;
  const x = tg.randn([batch, 1, 28, 28]);
  const y = tg.randint(0, 10, [batch], { dtype: 'int32' });
  const step = () => {
    opt.zeroGrad();
    const loss = tg.F.crossEntropy(model.forward(x), y);
    loss.backward();
    opt.step();
  };
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

const relaxed = await createWasmBackend({ variant: 'relaxed', name: 'wasm-relaxed' }).catch(() => null);
const simd = await createWasmBackend({ variant: 'simd', name: 'wasm-simd' });
console.log(`float32 GEMM (one thread)`);
if (relaxed) {
  console.log(' relaxed SIMD build:');
  gemmBench(relaxed);
} else console.log(' relaxed SIMD: not supported by this engine');
console.log(' baseline SIMD build:');
gemmBench(simd);

const wasm = relaxed ?? simd;
console.log(`\nLeNet-5 conv layers, batch 64 (median ms)`);
convBench(wasm, wasm.name);
convBench(tg.getBackend(), 'reference');

console.log(`\nLeNet-5 training, batch 64, SGD momentum 0.9 (median step)`);
const steps = quick ? 5 : 20;
const ref = tg.getBackend();
fallbackCounts.clear();
const wasmIps = await lenetBench(wasm, steps * 3);
const stepFallbacks = [...fallbackCounts].map(([k, v]) => `${k} x${Math.round(v / (steps * 3 + 1))}`).join(', ');
const refIps = await lenetBench(ref, Math.max(3, Math.round(steps / 4)));
console.log(`  ${wasm.name}: ${wasmIps.toFixed(0)} images/s   reference: ${refIps.toFixed(0)} images/s   ratio ${(wasmIps / refIps).toFixed(1)}x`);
console.log(`  wasm kernels that fell back to the reference per step: ${stepFallbacks || 'none'}`);
console.log(`  heap: ${JSON.stringify(wasm.heapStats())}`);
