/**
 * No exception leaves the wasm backend in a bad state: after each kind of
 * caught error (a bad `to()`, a bad allocation or one past the heap cap, a
 * bad `setNumThreads`, an error thrown mid-forward by a hook or mid-backward,
 * a kernel failing inside a pool job, a pool job left half-built), a fixed set
 * of ops (pow, softmax, matmul, conv2d) and a LeNet forward + backward give
 * bit-identical values to those computed before any error. The first of
 * these once turned `pow(2)` of [[1,2],[3,4]] into [[4,16],[81,256]] for the
 * rest of the process (an unknown dtype made the allocator hand out NaN).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tg from '../../src/index.js';
import { Heap } from '../../src/backend/wasm/heap.js';
import { createWasmBackend, getWasmBackend, initWasmBackend } from '../../src/backend/wasm/index.js';
import { FN } from '../../src/backend/wasm/threads.js';
import { addr } from '../../src/backend/wasm/context.js';
import type { WasmStorage } from '../../src/backend/wasm/storage.js';
import { birthLogOpen } from '../../src/backend/birth-log.js';
import { isGradEnabled } from '../../src/tensor/graph.js';
import { prng } from '../helpers/prng.js';
import { withBackend } from '../helpers/check-op.js';

const wasm = getWasmBackend() ?? (await initWasmBackend());
// This file tests the wasm backend, also when TENSORGRAD_BACKEND=reference makes another the default.
tg.setBackend(wasm);
const rand = (n: number, seed: number) => {
  const r = prng(seed);
  return Float32Array.from({ length: n }, () => r() * 2 - 1);
};
const T = (shape: number[], seed: number, opts: { requiresGrad?: boolean } = {}) =>
  tg.tensor(rand(shape.reduce((a, b) => a * b, 1), seed), { shape, ...opts });

/** The fixed workload, on the current default backend: every output and gradient, read back. */
function workload(): Float64Array[] {
  const out: tg.Tensor[] = [];
  out.push(tg.tensor([[1, 2], [3, 4]]).pow(2));
  const big = T([400, 400], 1); // above the elementwise split threshold
  out.push(big.pow(3), big.mul(big.add(1)));
  out.push(tg.F.softmax(T([64, 100], 2), 1));
  out.push(T([300, 200], 3).matmul(T([200, 250], 4)));
  out.push(tg.F.conv2d(T([8, 3, 20, 20], 5), T([6, 3, 3, 3], 6), T([6], 7), { padding: 1 }));
  tg.manualSeed(1234);
  const model = tg.models.lenet5();
  const x = T([8, 1, 28, 28], 8);
  const logits = model.forward(x);
  const loss = tg.F.crossEntropy(logits, tg.tensor([0, 1, 2, 3, 4, 5, 6, 7], { dtype: 'int32' }));
  loss.backward();
  out.push(logits, loss, ...model.parameters().map((p) => p.grad!));
  return out.map((t) => Float64Array.from(t.data() as ArrayLike<number>));
}

const before = workload();
const beforeRef = withBackend('reference', workload);

function assertUnchanged(after: string): void {
  const now = workload();
  assert.equal(now.length, before.length);
  now.forEach((v, k) => {
    for (let i = 0; i < v.length; i++) {
      if (!Object.is(v[i], before[k]![i])) assert.fail(`after ${after}: output ${k} differs at [${i}]: ${v[i]} vs ${before[k]![i]}`);
    }
  });
}

function throwsTensorError(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (e: Error) => e instanceof tg.TensorError && pattern.test(e.message), `expected a TensorError matching ${pattern}`);
}

test('the workload runs on wasm and agrees with the reference backend', () => {
  assert.equal(tg.getBackend(), wasm);
  before.forEach((v, k) => {
    for (let i = 0; i < v.length; i++) {
      const w = beforeRef[k]![i]!;
      if (!(Math.abs(v[i]! - w) <= 1e-3 * (1 + Math.abs(w)))) assert.fail(`output ${k} [${i}]: wasm ${v[i]}, reference ${w}`);
    }
  });
});

test('bad to() targets throw a TensorError saying what to use; the backend is unaffected', () => {
  const x = tg.tensor([[1, 2], [3, 4]]);
  const cases: [unknown, RegExp][] = [
    ['cpu', /^to: 'cpu' is a device.*toBackend\('reference'\)/],
    ['cuda', /^to: 'cuda' is a device/],
    ['cuda:0', /^to: 'cuda:0' is a device/],
    [{ device: 'cuda' }, /^to: 'cuda' is a device/],
    ['int64', /^to: dtype 'int64' is not supported.*use 'int32'/],
    ['float16', /^to: dtype 'float16' is not supported.*use 'float32'/],
    ['bogus', /^to: unknown dtype 'bogus' \(supported: float32, float64, int32, bool\)/],
    ['torch.float64', /^to: write the dtype as 'float64'/],
    [{ dtype: 'int64' }, /^to: dtype 'int64' is not supported/],
    [{ dtype: 5 }, /^to: dtype must be one of/],
    [{ dtype: 'float64', copy: true }, /^to: unknown option copy/],
    [{}, /^to: expected \{dtype/],
    [42, /^to: expected a dtype.*got number 42/],
    [null, /^to: expected a dtype.*got null/],
  ];
  for (const [target, pattern] of cases) {
    throwsTensorError(() => x.to(target as tg.DType), pattern);
    assertUnchanged(`x.to(${JSON.stringify(target)})`);
  }
  // The accepted forms.
  assert.equal(x.to({ dtype: 'float64' }).dtype, 'float64');
  assert.equal(x.to('int32').dtype, 'int32');
  assert.equal(x.to(tg.tensor([true])).dtype, 'bool');
  assert.deepEqual(x.to({ dtype: 'float64' }).pow(2).toArray(), [[1, 4], [9, 16]]);
  // Below the op surface, the backend itself refuses before touching its allocator.
  throwsTensorError(() => wasm.alloc('cpu' as tg.DType, 4), /^wasm backend: cannot allocate a buffer of dtype "cpu"/);
  throwsTensorError(() => wasm.fromArray('int64' as tg.DType, new Float32Array(4)), /^wasm backend: cannot create a buffer of dtype "int64"/);
  throwsTensorError(() => tg.toBackend(x, 'cuda'), /^toBackend: unknown backend 'cuda'/);
  assertUnchanged('bad backend allocations');
  // And on the reference backend.
  withBackend('reference', () => {
    throwsTensorError(() => tg.tensor([1, 2]).to('cpu' as tg.DType), /^to: 'cpu' is a device/);
    const now = workload();
    now.forEach((v, k) => assert.deepEqual(v, beforeRef[k], `reference output ${k}`));
  });
});

test('bad sizes and the heap cap: a TensorError naming the allocation; the heap is unchanged', () => {
  const stats = wasm.heapStats();
  throwsTensorError(() => wasm.alloc('float32', -1), /cannot allocate a float32 buffer of -1 elements/);
  throwsTensorError(() => wasm.alloc('float32', 1.5), /cannot allocate a float32 buffer of 1.5 elements/);
  throwsTensorError(() => wasm.alloc('float32', NaN), /cannot allocate a float32 buffer of NaN elements/);
  // 8 GiB: past the 4 GiB wasm32 cap, refused before the memory grows.
  throwsTensorError(() => wasm.alloc('float32', 2 ** 31), /^wasm backend: out of memory allocating a float32 buffer of 2147483648 elements \(8\.0 GiB\).*capped at 4\.0 GiB/);
  assert.equal(wasm.heapStats().memoryBytes, stats.memoryBytes);
  assertUnchanged('heap cap errors');
});

test('a backend with a small memory cap: allocation past it fails cleanly, the rest keeps working', async () => {
  const small = await createWasmBackend({ name: 'wasm-capped', maximumPages: 512, threads: 2 }); // 32 MiB
  const a = small.fromArray('float32', rand(256 * 256, 20)), b = small.fromArray('float32', rand(256 * 256, 21));
  const l = { shape: [256, 256], strides: [256, 1], offset: 0 };
  const want = small.read(small.matmul(a, l, b, l, 'float32'), l);
  const held: tg.Storage[] = [];
  let err: unknown = null;
  try {
    for (let i = 0; i < 100; i++) held.push(small.alloc('float32', 1 << 20)); // 4 MiB each
  } catch (e) {
    err = e;
  }
  assert.ok(err instanceof tg.TensorError, `expected a TensorError, got ${err}`);
  assert.match((err as Error).message, /out of memory allocating a float32 buffer of 1048576 elements \(4\.0 MiB\).*32\.0 MiB/);
  for (const s of held) small.release(s);
  const got = small.read(small.matmul(a, l, b, l, 'float32'), l);
  assert.deepEqual(got, want);
});

test('the engine refusing to grow the memory is a TensorError too, and changes nothing', () => {
  // The heap believes it may reach 4 GiB, but this memory stops at 2 pages: memory.grow itself fails.
  const heap = new Heap(new WebAssembly.Memory({ initial: 1, maximum: 2 }), 64);
  const a = heap.alloc(1000);
  const stats = heap.stats();
  assert.throws(() => heap.alloc(300000, true, 'a test block'),
    (e: Error) => e instanceof tg.TensorError && /out of memory allocating a test block \(293\.0 KiB\): the engine refused/.test(e.message));
  assert.deepEqual(heap.stats(), stats);
  heap.free(a.ptr, a.size);
  assert.equal(heap.alloc(1000).ptr, a.ptr, 'the free lists still work');
});

test('bad setNumThreads values throw a TensorError at the call; the thread count is unchanged', () => {
  const n = tg.getNumThreads();
  for (const bad of [0, -1, 1.5, 65, 1000, NaN, Infinity, '4', undefined, null]) {
    throwsTensorError(() => tg.setNumThreads(bad as number), /^setNumThreads: expected an integer number of threads from 1 to 64/);
    throwsTensorError(() => wasm.setNumThreads(bad as number), /^setNumThreads: expected an integer number of threads from 1 to 64/);
  }
  assert.equal(tg.getNumThreads(), n);
  assertUnchanged('bad setNumThreads');
});

test('createWasmBackend rejects a bad thread count or memory size', async () => {
  await assert.rejects(createWasmBackend({ name: 'bad', threads: 0 }), /createWasmBackend: expected an integer number of threads/);
  await assert.rejects(createWasmBackend({ name: 'bad', maximumPages: 70000 }), /createWasmBackend: expected 1 <= initialPages <= maximumPages <= 65536/);
});

test('errors thrown mid-forward by a hook and mid-backward leave the backend consistent', () => {
  // A forward hook that throws, halfway through LeNet.
  tg.manualSeed(99);
  const model = tg.models.lenet5();
  const conv2 = model.features.at(3);
  const handle = conv2.registerForwardHook(() => {
    throw new Error('hook failed');
  });
  assert.throws(() => model.forward(T([4, 1, 28, 28], 30)), /hook failed/);
  handle.remove();
  assertUnchanged('a throwing forward hook');
  // A second backward through a freed graph throws midway through the pass.
  const x = T([50, 60], 31, { requiresGrad: true }), w = T([60, 40], 32, { requiresGrad: true });
  const y = x.matmul(w).relu();
  y.sum().backward();
  throwsTensorError(() => y.mul(2).sum().add(x.pow(2).sum()).backward(), /backward through the graph a second time/);
  assert.ok(isGradEnabled() && !birthLogOpen(), 'grad mode and the storage log are restored');
  assertUnchanged('an error in the middle of backward');
  // A seed gradient of the wrong shape.
  throwsTensorError(() => x.matmul(w).sum().backward(tg.ones([3])), /backward: gradient has shape \[3\]/);
  assertUnchanged('a bad backward seed');
});

test('a kernel failing inside a pool job, and a pool job left half-built by an exception', async () => {
  const b = await createWasmBackend({ name: 'wasm-jobs', threads: 2 });
  const ctx = b.context;
  const l = { shape: [64, 64], strides: [64, 1], offset: 0 };
  const a = b.fromArray('float32', rand(64 * 64, 40)), m = b.fromArray('float32', rand(64 * 64, 41));
  const want = b.read(b.matmul(a, l, m, l, 'float32'), l);
  // A chunk that reads past the end of memory: the job throws, the next ones are fine.
  ctx.pool.chunk();
  ctx.pool.call(FN.sgemm, 4, 4, 4, 2 ** 32 - 64, 4, 1, 0, 4, 1, 0, 4, 0, -1e15);
  assert.throws(() => ctx.pool.flush(), /out of bounds/);
  assert.deepEqual(b.read(b.matmul(a, l, m, l, 'float32'), l), want);
  // A half-built job that would overwrite `victim`, then an exception inside a backend call:
  // the job is dropped when that call ends and never runs with the next one.
  const victim = b.fromArray('float32', new Float32Array(64 * 64).fill(7)) as WasmStorage;
  ctx.pool.chunk();
  ctx.pool.call(FN.sgemm, 64, 64, 64, addr(a as WasmStorage, 0), 64, 1, addr(m as WasmStorage, 0), 64, 1, addr(victim, 0), 64, 0, -1e15);
  assert.throws(() => b.alloc('bogus' as tg.DType, 1), tg.TensorError);
  const big = { shape: [300, 300], strides: [300, 1], offset: 0 };
  const c = b.fromArray('float32', rand(300 * 300, 42));
  b.matmul(c, big, c, big, 'float32'); // a split matmul: runs a pool job of its own
  assert.ok([...b.read(victim, l)].every((v) => v === 7), 'the abandoned job ran');
  assert.deepEqual(b.read(b.matmul(a, l, m, l, 'float32'), l), want);
});

test('overlapping setNumThreads calls, awaited or not, never change results', async () => {
  const n0 = tg.getNumThreads();
  // Not awaited: all four apply at once, in call order; the last one wins.
  const pending = [tg.setNumThreads(4), tg.setNumThreads(1), tg.setNumThreads(3), tg.setNumThreads(2)];
  assert.equal(tg.getNumThreads(), wasm.sharedMemory ? 2 : 1);
  assertUnchanged('four overlapping setNumThreads calls');
  await Promise.all(pending);
  assert.equal(tg.getNumThreads(), wasm.sharedMemory ? 2 : 1);
  assertUnchanged('the overlapping calls settled');
  // Grow, shrink and grow again before stopped workers have exited, with work in between.
  for (let r = 0; r < 4; r++) {
    void tg.setNumThreads(3);
    void tg.setNumThreads(1);
    const p = tg.setNumThreads(3);
    assertUnchanged(`grow/shrink/grow round ${r}`);
    if (r % 2) await p;
  }
  // Awaited, interleaved with unawaited ones.
  void tg.setNumThreads(4);
  await tg.setNumThreads(2);
  assertUnchanged('awaited after an unawaited call');
  // Every slot ends up with a ready worker (stopped workers of a reused slot never count).
  await tg.setNumThreads(3);
  if (wasm.sharedMemory) assert.equal(wasm.context.pool.readyWorkers, 2);
  assertUnchanged('three ready threads');
  await tg.setNumThreads(n0);
});
