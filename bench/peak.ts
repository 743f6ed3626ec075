/**
 * The machine's WebAssembly float32 peak, measured on the spot: a loop of
 * independent 128-bit fused multiply-adds (relaxed-SIMD f32x4.relaxed_madd
 * where the engine validates it, else f32x4.mul + f32x4.add) on `threads`
 * worker threads at once for about half a second. The module is a few hand-
 * assembled bytes (below), so it needs no build; each FMA counts 8 FLOPs
 * (4 lanes x multiply and add), as each mul + add pair does.
 *
 * Twelve accumulators keep twelve dependency chains in flight, more than the
 * FMA latency on both FMA ports of current x86 cores needs (4 cycles x 2),
 * without spilling (12 + 2 operands of the 15 vector registers V8
 * allocates), and each loop iteration holds 8 rounds of them, so the loop's
 * counter and branch are 2 of ~100 instructions. Measured on the 2-core AMD
 * EPYC VM (one thread, medians of 100 windows of 10 ms, 2026-12-05): 10
 * chains x 4 rounds, the loop before, 57.0-57.4 GFLOP/s; 12 x 4 58.1-58.2;
 * 12 x 8 58.1-58.4; 14 x 8 58.3-58.5. The old loop measured below what the
 * GEMM's 5x8 micro-kernel reaches with its data in L1 (58.1), so it was not
 * the peak. Each call runs a fixed count of iterations (about 13 us), so V8
 * tiers the function up to its optimizing compiler during the warm-up calls.
 * Node only (worker_threads).
 */
import { Worker } from 'node:worker_threads';

const ACCS = 12;
const UNROLL = 8;
/** Loop iterations per call: 768k FLOPs, ~13 us at 58 GFLOP/s per thread. */
const ITERS_PER_CALL = 1000;

export interface PeakResult {
  /** GFLOP/s summed over the threads. */
  gflops: number;
  threads: number;
  /** 'relaxed-SIMD f32x4 fma' or 'SIMD f32x4 mul+add'. */
  kind: string;
  /** Seconds measured (per thread, after warm-up). */
  seconds: number;
  /** Each thread's GFLOP/s. */
  perThread: number[];
}

const uleb = (n: number): number[] => {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
};

const f32x4Const = (v: number): number[] => {
  const b = new Uint8Array(16);
  const dv = new DataView(b.buffer);
  for (let i = 0; i < 4; i++) dv.setFloat32(4 * i, v, true);
  return [0xfd, 0x0c, ...b];
};

/**
 * The module: `run(iters: i32) -> f32` repeats, iters times, UNROLL rounds of
 * acc[i] = acc[i] * b + c over ACCS accumulators, and returns a lane sum (so
 * nothing is dead code). b = 0.999, c = 0.001: the values settle at 1, no
 * overflow and no denormals.
 */
export function peakModuleBytes(fma: boolean): Uint8Array<ArrayBuffer> {
  const P = 0; // iters
  const acc = (i: number) => 1 + i;
  const B = 1 + ACCS, C = 2 + ACCS;
  const get = (i: number) => [0x20, ...uleb(i)];
  const set = (i: number) => [0x21, ...uleb(i)];
  const simd = (op: number) => [0xfd, ...uleb(op)];
  const F32X4_ADD = 0xe4, F32X4_MUL = 0xe6, RELAXED_MADD = 0x105, EXTRACT_LANE = 0x1f;
  const body: number[] = [...f32x4Const(0.999), ...set(B), ...f32x4Const(0.001), ...set(C)];
  body.push(0x03, 0x40); // loop
  for (let u = 0; u < UNROLL; u++) {
    for (let i = 0; i < ACCS; i++) {
      body.push(...get(acc(i)), ...get(B));
      if (fma) body.push(...get(C), ...simd(RELAXED_MADD));
      else body.push(...simd(F32X4_MUL), ...get(C), ...simd(F32X4_ADD));
      body.push(...set(acc(i)));
    }
  }
  // iters -= 1; br_if iters != 0
  body.push(...get(P), 0x41, 1, 0x6b, 0x22, ...uleb(P), 0x0d, 0, 0x0b);
  body.push(...get(acc(0)));
  for (let i = 1; i < ACCS; i++) body.push(...get(acc(i)), ...simd(F32X4_ADD));
  body.push(...simd(EXTRACT_LANE), 0, 0x0b);
  const locals = [1, ...uleb(ACCS + 2), 0x7b]; // one group: ACCS + 2 v128 locals
  const func = [...locals, ...body];
  const section = (id: number, content: number[]) => [id, ...uleb(content.length), ...content];
  const name = [...'run'].map((ch) => ch.charCodeAt(0));
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [1, 0x60, 1, 0x7f, 1, 0x7d]), // type: (i32) -> f32
    ...section(3, [1, 0]), // function 0 has type 0
    ...section(7, [1, name.length, ...name, 0x00, 0]), // export "run" = func 0
    ...section(10, [1, ...uleb(func.length), ...func]),
  ]);
}

/** FLOPs of one call of run(ITERS_PER_CALL). */
const FLOPS_PER_CALL = ITERS_PER_CALL * UNROLL * ACCS * 8;

/** Source of one measuring worker: warm up, wait for the shared start, measure, report. */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { bytes, warmMs, measureMs, iters, flopsPerCall, flag } = workerData;
const run = new WebAssembly.Instance(new WebAssembly.Module(bytes)).exports.run;
let sink = 0;
let t0 = performance.now();
while (performance.now() - t0 < warmMs) sink += run(iters);
const ctrl = new Int32Array(flag);
Atomics.add(ctrl, 0, 1);
Atomics.notify(ctrl, 0);
Atomics.wait(ctrl, 1, 0);
let calls = 0;
t0 = performance.now();
let t = t0;
while (t - t0 < measureMs) { sink += run(iters); calls++; t = performance.now(); }
parentPort.postMessage({ gflops: (calls * flopsPerCall) / ((t - t0) * 1e6), seconds: (t - t0) / 1000, sink });
`;

/**
 * Measures the SIMD float32 peak on `threads` threads at once (`measureMs` of
 * timed work each, after `warmMs` of warm-up). Relaxed SIMD needs V8's flag on
 * Node 20, which loading the wasm backend sets; without it the plain SIMD
 * loop (mul + add) is what runs.
 */
export async function measurePeak(threads: number, opts: { warmMs?: number; measureMs?: number } = {}): Promise<PeakResult> {
  const fma = WebAssembly.validate(peakModuleBytes(true));
  const bytes = peakModuleBytes(fma);
  if (!WebAssembly.validate(bytes)) throw new Error('peak: this engine does not validate WebAssembly SIMD');
  const flag = new SharedArrayBuffer(8);
  const ctrl = new Int32Array(flag);
  const workerData = { bytes, warmMs: opts.warmMs ?? 150, measureMs: opts.measureMs ?? 500, iters: ITERS_PER_CALL, flopsPerCall: FLOPS_PER_CALL, flag };
  const workers = Array.from({ length: threads }, () => new Worker(WORKER_SOURCE, { eval: true, workerData }));
  try {
    const results = workers.map((w) => new Promise<{ gflops: number; seconds: number }>((resolve, reject) => {
      w.once('message', resolve);
      w.once('error', reject);
      w.once('exit', (code) => reject(new Error(`peak worker exited with code ${code}`)));
    }));
    // All threads warmed up, then released together.
    while (Atomics.load(ctrl, 0) < threads) await new Promise((r) => setTimeout(r, 5));
    Atomics.store(ctrl, 1, 1);
    Atomics.notify(ctrl, 1);
    const per = await Promise.all(results);
    return {
      gflops: per.reduce((s, r) => s + r.gflops, 0),
      threads,
      kind: fma ? 'relaxed-SIMD f32x4 fma' : 'SIMD f32x4 mul+add',
      seconds: Math.max(...per.map((r) => r.seconds)),
      perThread: per.map((r) => Number(r.gflops.toPrecision(4))),
    };
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
