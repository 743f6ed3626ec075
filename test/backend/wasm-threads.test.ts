/**
 * The worker pool: GEMM and convolution results are bit-identical for 1, 2
 * and 3 threads (splits only cut the output; weight-gradient partial sums
 * depend on the shapes, never the thread count), on odd sizes that give
 * every thread a different, ragged share; they agree with the reference
 * backend; resizing the pool returns its scratch to the heap; and a program
 * that used the pool exits on its own (workers are unref()ed).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ConvParams, Layout, Storage } from '../../src/backend/backend.js';
import { createWasmBackend } from '../../src/backend/wasm/index.js';
import { DIRECT_ARGS, FN, KERNEL_NAMES, work } from '../../src/backend/wasm/threads.js';
import { referenceBackend } from '../../src/backend/reference/index.js';
import { contiguousStrides } from '../../src/core/shape.js';
import { prng } from '../helpers/prng.js';


const wasm = await createWasmBackend({ name: 'wasm-threads', threads: 2 });
const threaded = wasm.sharedMemory;
const dense = (shape: number[]): Layout => ({ shape, strides: contiguousStrides(shape), offset: 0 });
const rand = (n: number, seed: number) => {
  const r = prng(seed);
  return Float32Array.from({ length: n }, () => r() * 2 - 1);
};

/** Runs `fn` at 1, 2 and 3 threads; returns the three results. */
async function acrossThreads(fn: () => Float32Array): Promise<Float32Array[]> {
  const out: Float32Array[] = [];
  for (const t of [1, 2, 3]) {
    await wasm.setNumThreads(t);
    out.push(fn());
  }
  await wasm.setNumThreads(2);
  return out;
}

function identical(rs: Float32Array[], what: string): void {
  for (let k = 1; k < rs.length; k++) {
    assert.equal(rs[k]!.length, rs[0]!.length);
    for (let i = 0; i < rs[0]!.length; i++) {
      if (!Object.is(rs[k]![i], rs[0]![i])) assert.fail(`${what}: thread count ${k + 1} differs at [${i}]: ${rs[k]![i]} vs ${rs[0]![i]}`);
    }
  }
}

function close(got: Float32Array, want: ArrayLike<number>, tol: number, what: string): void {
  assert.equal(got.length, want.length, `${what}: length`);
  for (let i = 0; i < got.length; i++) {
    if (!(Math.abs(got[i]! - want[i]!) <= tol * (1 + Math.abs(want[i]!)))) assert.fail(`${what}: [${i}] ${got[i]} vs ${want[i]}`);
  }
}

test('the pool starts the requested workers over a shared memory', { skip: !threaded && 'no shared memory' }, () => {
  assert.equal(wasm.numThreads, 2);
});

test('matmul: identical for 1, 2, 3 threads on ragged sizes and transposed views; matches the reference', { skip: !threaded && 'no shared memory' }, async () => {
  const cases: [number, number, number, boolean][] = [
    [1, 4001, 300, false], [67, 129, 65, true], [257, 133, 100, false], [130, 514, 37, true], [3, 5, 70000, false],
    [515, 517, 9, false], [300, 401, 500, true],
  ];
  let seed = 1;
  for (const [M, N, K, transB] of cases) {
    const av = rand(M * K, seed++), bv = rand(K * N, seed++);
    const al = dense([M, K]);
    const bl: Layout = transB ? { shape: [K, N], strides: [1, K], offset: 0 } : dense([K, N]);
    const a = wasm.fromArray('float32', av), b = wasm.fromArray('float32', bv);
    const rs = await acrossThreads(() => wasm.read(wasm.matmul(a, al, b, bl, 'float32'), dense([M, N])) as Float32Array);
    identical(rs, `matmul ${M}x${N}x${K} transB=${transB}`);
    const ra = referenceBackend.fromArray('float32', av), rb = referenceBackend.fromArray('float32', bv);
    const want = referenceBackend.read(referenceBackend.matmul(ra, al, rb, bl, 'float32'), dense([M, N]));
    close(rs[0]!, want, 1e-4 * Math.sqrt(K), `matmul ${M}x${N}x${K}`);
  }
  // Batched: many small entries (one chunk each) and few large ones (each split).
  for (const [B, M, N, K] of [[37, 19, 41, 53], [3, 61, 300, 70]] as const) {
    const av = rand(B * M * K, seed++), bv = rand(B * K * N, seed++);
    const a = wasm.fromArray('float32', av), b = wasm.fromArray('float32', bv);
    const rs = await acrossThreads(() => wasm.read(wasm.matmul(a, dense([B, M, K]), b, dense([B, K, N]), 'float32'), dense([B, M, N])) as Float32Array);
    identical(rs, `batched matmul ${B}x${M}x${N}x${K}`);
  }
  // The workers really took part (chunks are claimed dynamically, so not an exact share).
  const stats = wasm.context.pool.stats;
  assert.ok(stats.workerChunks > 0 && stats.workerChunks < stats.chunks, `chunks run by workers: ${JSON.stringify(stats)}`);
});

function conv(batch: number, cin: number, cout: number, size: number, k: number, o: { pad?: number; stride?: number; groups?: number } = {}): ConvParams {
  const pad = o.pad ?? 0, stride = o.stride ?? 1;
  const out = Math.floor((size + 2 * pad - k) / stride) + 1;
  return {
    batch, inChannels: cin, outChannels: cout, groups: o.groups ?? 1,
    inSize: [1, size, size], kernelSize: [1, k, k], outSize: [1, out, out],
    stride: [1, stride, stride], padding: [0, pad, pad], dilation: [1, 1, 1],
  };
}

test('convolution forward and both backwards: identical for 1, 2, 3 threads; match the reference', { skip: !threaded && 'no shared memory' }, async () => {
  const cases: [string, ConvParams][] = [
    ['LeNet conv1, odd batch', conv(13, 1, 6, 28, 5, { pad: 2 })],
    ['LeNet conv2, batch 17', conv(17, 6, 16, 14, 5)],
    ['single image, wide', conv(1, 8, 24, 30, 3, { pad: 1 })],
    ['batch 2, groups 2, stride 2', conv(2, 8, 12, 19, 3, { stride: 2, groups: 2 })],
    ['pointwise, batch 5', conv(5, 32, 48, 12, 1)],
    ['big weight, batch 3', conv(3, 64, 128, 9, 3, { pad: 1 })],
    // 2,560 (image, group) pairs: more calls than one job holds, so chunks continue across jobs.
    ['depthwise, batch 40', conv(40, 64, 64, 6, 3, { pad: 1, groups: 64 })],
  ];
  let seed = 100;
  for (const [name, p] of cases) {
    const inPlane = p.inSize[1] * p.inSize[2], outPlane = p.outSize[1] * p.outSize[2];
    const xv = rand(p.batch * p.inChannels * inPlane, seed++);
    const wv = rand(p.outChannels * (p.inChannels / p.groups) * p.kernelSize[1] * p.kernelSize[2], seed++);
    const gv = rand(p.batch * p.outChannels * outPlane, seed++);
    const run = (be: typeof referenceBackend): [Storage, Storage, Storage] => [
      be.fromArray('float32', xv), be.fromArray('float32', wv), be.fromArray('float32', gv),
    ];
    const [x, w, gy] = run(wasm);
    const [rx, rw, rgy] = run(referenceBackend);
    const ops: [string, () => Storage, () => Storage, number][] = [
      ['forward', () => wasm.conv(x, w, p), () => referenceBackend.conv(rx, rw, p), xv.length / p.batch],
      ['backward input', () => wasm.convBackwardInput(gy, w, p), () => referenceBackend.convBackwardInput(rgy, rw, p), xv.length],
      ['backward weight', () => wasm.convBackwardWeight(x, gy, p), () => referenceBackend.convBackwardWeight(rx, rgy, p), wv.length],
    ];
    for (const [op, f, ref] of ops) {
      const read = (be: typeof referenceBackend, s: Storage) => be.read(s, dense([s.length])) as Float32Array;
      const rs = await acrossThreads(() => read(wasm, f()));
      identical(rs, `${name} ${op}`);
      close(rs[0]!, read(referenceBackend, ref()), 2e-4 * Math.sqrt(p.batch * outPlane), `${name} ${op}`);
    }
  }
});

test('split elementwise ops and max pooling: identical for 1, 2, 3 threads; match the reference', { skip: !threaded && 'no shared memory' }, async () => {
  // Above the split threshold (2^17 elements): row splits, column splits of a single
  // row (with a ragged last block), broadcasting along rows and columns, bool outputs.
  const rows = 257, cols = 601, n = rows * cols;
  const av = rand(n, 300), bv = rand(n, 301), rowv = rand(cols, 302), colv = rand(rows, 303);
  const a = wasm.fromArray('float32', av), b = wasm.fromArray('float32', bv);
  const bRow = wasm.fromArray('float32', rowv), bCol = wasm.fromArray('float32', colv);
  const ra = referenceBackend.fromArray('float32', av), rb = referenceBackend.fromArray('float32', bv);
  const rRow = referenceBackend.fromArray('float32', rowv), rCol = referenceBackend.fromArray('float32', colv);
  const shape = [rows, cols];
  const rowB: Layout = { shape, strides: [0, 1], offset: 0 }, colB: Layout = { shape, strides: [1, 0], offset: 0 };
  const flat: Layout = dense([n]);
  const cases: [string, (be: typeof referenceBackend, x: Storage, y: Storage, r: Storage, c: Storage) => Storage, string][] = [
    ['add, one long row', (be, x, y) => be.binary('add', x, flat, y, flat, 'float32'), 'float32'],
    ['mul by a broadcast row', (be, x, _y, r) => be.binary('mul', x, dense(shape), r, rowB, 'float32'), 'float32'],
    ['sub a broadcast column', (be, x, _y, _r, c) => be.binary('sub', x, dense(shape), c, colB, 'float32'), 'float32'],
    ['gt (bool output)', (be, x, y) => be.binary('gt', x, dense(shape), y, dense(shape), 'bool'), 'bool'],
    ['reluBackward', (be, x, y) => be.binary('reluBackward', x, flat, y, flat, 'float32'), 'float32'],
    ['relu', (be, x) => be.unary('relu', x, flat, 'float32'), 'float32'],
    ['exp of rows', (be, x) => be.unary('exp', x, dense(shape), 'float32'), 'float32'],
  ];
  for (const [name, f, outDtype] of cases) {
    const read = (be: typeof referenceBackend, s: Storage) => Float32Array.from(be.read(s, dense([n])) as ArrayLike<number>);
    const rs = await acrossThreads(() => read(wasm, f(wasm, a, b, bRow, bCol)));
    identical(rs, name);
    close(rs[0]!, read(referenceBackend, f(referenceBackend, ra, rb, rRow, rCol)), outDtype === 'bool' ? 0 : 2e-6, name);
  }
  // Max pooling over 2x2/stride 2 and 3x3/stride 2 windows, planes split across chunks.
  for (const [k, s] of [[2, 2], [3, 2]] as const) {
    const p = {
      batch: 7, channels: 11, inSize: [1, 40, 38] as [number, number, number], kernelSize: [1, k, k] as [number, number, number],
      outSize: [1, Math.floor((40 - k) / s) + 1, Math.floor((38 - k) / s) + 1] as [number, number, number],
      stride: [1, s, s] as [number, number, number], padding: [0, 0, 0] as [number, number, number], dilation: [1, 1, 1] as [number, number, number],
    };
    const xv = rand(7 * 11 * 40 * 38, 310 + k);
    const x = wasm.fromArray('float32', xv), rx = referenceBackend.fromArray('float32', xv);
    const m = 7 * 11 * p.outSize[1] * p.outSize[2];
    const inPlane = 40 * 38, outPlane = p.outSize[1] * p.outSize[2];
    const gv = rand(m, 320 + k);
    const both = (be: typeof referenceBackend, xs: Storage) => {
      const r = be.maxPool(xs, p);
      // And its backward (planes split across chunks too).
      const gx = be.maxPoolBackward(be.fromArray('float32', gv), r.indices!, 7 * 11, outPlane, inPlane);
      return Float32Array.from([...be.read(r.out, dense([m])), ...be.read(r.indices!, dense([m])), ...be.read(gx, dense([7 * 11 * inPlane]))]);
    };
    const rs = await acrossThreads(() => both(wasm, x));
    identical(rs, `maxPool ${k}x${k}`);
    close(rs[0]!, both(referenceBackend, rx), 0, `maxPool ${k}x${k}`);
  }
});

test('resizing the pool gives its scratch back to the heap', { skip: !threaded && 'no shared memory' }, async () => {
  // A backend of its own: no tensors, so no finalizer can free blocks between the readings.
  const b = await createWasmBackend({ name: 'wasm-resize', threads: 2 });
  const live = b.heapStats().liveBytes;
  await b.setNumThreads(4);
  assert.equal(b.numThreads, 4);
  assert.ok(b.heapStats().liveBytes > live, 'four threads hold more scratch than two');
  await b.setNumThreads(2);
  assert.equal(b.heapStats().liveBytes, live);
  await b.setNumThreads(1);
});

test('jobs after gaps of every length (spinning, lightly and deeply sleeping workers) all complete with the same bits', { skip: !threaded && 'no shared memory' }, async () => {
  // Gaps cover the spin window (<= 1 ms), the light sleep (timed waits, no notify, up to 3 ms) and the deep sleep after it.
  const b = await createWasmBackend({ name: 'wasm-gaps', threads: 3 });
  await b.context.pool.whenReady();
  const n = 160, l = dense([n, n]);
  const av = Float32Array.from({ length: n * n }, (_, i) => ((i * 7919) % 13) - 6);
  const a = b.fromArray('float32', av);
  const want = b.read(b.matmul(a, l, a, l, 'float32'), l);
  for (const gapMs of [0, 0.05, 0.3, 1.5, 2.5, 4, 8, 0.1, 20, 0]) {
    const until = performance.now() + gapMs;
    while (performance.now() < until);
    const got = b.read(b.matmul(a, l, a, l, 'float32'), l);
    assert.deepEqual(got, want, `after a ${gapMs} ms gap`);
  }
  await b.setNumThreads(1);
});

test('workers kept busy by a stream of jobs fall asleep once it stops (their spin is bounded)', { skip: !threaded && 'no shared memory' }, async () => {
  const b = await createWasmBackend({ name: 'wasm-spin', threads: 3 });
  await b.context.pool.whenReady();
  const n = 192, a = b.fromArray('float32', new Float32Array(n * n).fill(1));
  const l = dense([n, n]);
  // Jobs with short gaps: the workers' spin windows grow towards their maximum.
  for (let i = 0; i < 200; i++) {
    b.matmul(a, l, a, l, 'float32');
    const until = performance.now() + 0.2;
    while (performance.now() < until);
  }
  // Then idle: no worker may spin on. (A generous limit: a loaded machine may not schedule them at once.)
  const t0 = Date.now();
  while (b.context.pool.sleepingWorkers < 2 && Date.now() - t0 < 10000) await new Promise((r) => setTimeout(r, 5));
  assert.equal(b.context.pool.sleepingWorkers, 2, 'both workers sleep after the jobs stop');
  // And they still serve the next job correctly.
  const c = b.read(b.matmul(a, l, a, l, 'float32'), l);
  assert.equal(c[0], n);
  await b.setNumThreads(1);
});

test('a program that used the pool exits by itself', { skip: !threaded && 'no shared memory' }, () => {
  const index = fileURLToPath(new URL('../../src/backend/wasm/index.ts', import.meta.url));
  const script = `
    const { createWasmBackend } = await import(${JSON.stringify(index)});
    const b = await createWasmBackend({ threads: 3 });
    const n = 256, a = b.fromArray('float32', new Float32Array(n * n).fill(1));
    const l = { shape: [n, n], strides: [n, 1], offset: 0 };
    const c = b.read(b.matmul(a, l, a, l, 'float32'), l);
    if (c[0] !== n || b.numThreads !== 3) process.exit(3);
  `;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { timeout: 60000, encoding: 'utf8' });
  assert.equal(r.signal, null, `killed by ${r.signal} (did not exit by itself): ${r.stderr}`);
  assert.equal(r.status, 0, r.stderr);
});

test('every kernel a pool job can call takes at most DIRECT_ARGS arguments (the dispatch spells them out)', () => {
  const kernels = wasm.context.kernels as unknown as Record<string, (...a: number[]) => unknown>;
  const over = KERNEL_NAMES.filter((n) => kernels[n]!.length > DIRECT_ARGS).map((n) => `${n} (${kernels[n]!.length})`);
  assert.deepEqual(over, [], `kernels above ${DIRECT_ARGS} arguments take the slower spread call`);
  assert.equal(Math.max(...KERNEL_NAMES.map((n) => kernels[n]!.length)), DIRECT_ARGS, 'DIRECT_ARGS is the largest arity');
});

test('a chunk that does not fit in what is left of the job area runs whole on one thread (its calls share the work buffer)', { skip: !threaded && 'no shared memory' }, async () => {
  // Each item: copy src[i] into the running thread's work buffer, then copy it from there to dst[i]
  // (binaryF32 ADD with zeros): only correct when both calls of an item run on the same thread.
  const ADD = 0, L = 8, items = 6000;
  const { heap, pool } = wasm.context;
  await wasm.setNumThreads(3); // more threads than cores: a continuation is more often claimed by another thread
  pool.ensureWork(L * 4);
  const src = heap.alloc(items * L * 4), dst = heap.alloc(items * L * 4), zeros = heap.alloc(L * 4);
  heap.f32.fill(0, zeros.ptr / 4, zeros.ptr / 4 + L);
  for (let i = 0; i < items * L; i++) heap.f32[src.ptr / 4 + i] = i % 9973;
  const item = (i: number) => {
    pool.callArgs(FN.binaryF32, [ADD, 1, L, src.ptr + i * L * 4, L, 1, zeros.ptr, L, 1, work()]);
    pool.callArgs(FN.binaryF32, [ADD, 1, L, work(), L, 1, zeros.ptr, L, 1, dst.ptr + i * L * 4]);
  };
  // 24 job words an item: ~2,700 items fill the area. Many chunks of 250 items (the area fills inside
  // one of them), then a single chunk of 6,000 (it fills the area alone, twice), then the same after
  // an empty chunk: moved to the start of the next job, the big chunk still does not leave room for
  // the call that overflowed (it must then run as a chunk that fills the area alone).
  for (const [perChunk, emptyFirst] of [[250, false], [items, false], [items, true]] as const) {
    for (let rep = 0; rep < 5; rep++) {
      heap.f32.fill(-1, dst.ptr / 4, dst.ptr / 4 + items * L);
      if (emptyFirst) pool.chunk();
      for (let i = 0; i < items; i++) {
        if (i % perChunk === 0) pool.chunk();
        item(i);
      }
      pool.flush();
      for (let i = 0; i < items * L; i++) {
        if (heap.f32[dst.ptr / 4 + i] !== i % 9973) assert.fail(`${perChunk} items a chunk${emptyFirst ? ' after an empty one' : ''}, run ${rep}: dst[${i}] = ${heap.f32[dst.ptr / 4 + i]}, expected ${i % 9973}`);
      }
    }
  }
  for (const b of [src, dst, zeros]) heap.free(b.ptr, b.size);
  await wasm.setNumThreads(2);
});
