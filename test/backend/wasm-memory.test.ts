/**
 * The wasm heap: size classes, free-list reuse, coalescing, growth (views
 * re-created after the buffer is replaced), eager release, and a long
 * training-like loop whose heap high-water mark must stay flat: storages
 * are reclaimed by the FinalizationRegistry once the loop yields.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tg from '../../src/index.js';
import { Heap, sizeClass } from '../../src/backend/wasm/heap.js';
import { createWasmBackend } from '../../src/backend/wasm/index.js';
import { findGc } from '../../src/backend/wasm/loader.js';
import { withBackend } from '../helpers/check-op.js';

test('size classes: 16-byte aligned, at most 12.5% waste above 1 KiB', () => {
  for (let n = 1; n < 200000; n = Math.ceil(n * 1.07) + 1) {
    const c = sizeClass(n);
    assert.ok(c >= n && c % 16 === 0, `class of ${n} is ${c}`);
    if (n > 1024) assert.ok(c <= n * 1.125 + 16, `class of ${n} is ${c}`);
  }
});

test('heap: reuse, coalescing back into the bump pointer, and growth', () => {
  const memory = new WebAssembly.Memory({ initial: 1, maximum: 1000 });
  const heap = new Heap(memory, 100);
  const a = heap.alloc(1000), b = heap.alloc(1000);
  assert.equal(a.ptr % 16, 0);
  assert.ok(b.ptr >= a.ptr + a.size);
  heap.free(a.ptr, a.size);
  assert.equal(heap.alloc(1001).ptr, a.ptr, 'same class reuses the freed block');
  // Fill the first page with odd sizes, free them all, then ask for one big block:
  // coalescing must hand the space back instead of growing.
  const blocks = [];
  for (let i = 0; i < 20; i++) blocks.push(heap.alloc(1000 + 37 * i));
  const f32 = heap.f32;
  for (const bl of blocks) heap.free(bl.ptr, bl.size);
  const before = heap.stats().memoryBytes;
  const big = heap.alloc(20000);
  assert.equal(heap.stats().memoryBytes, before, 'no growth when freed space suffices');
  assert.ok(big.ptr < 65536);
  // Growth replaces the buffer; views taken through the heap follow it.
  const huge = heap.alloc(3 * 65536);
  assert.ok(heap.stats().memoryBytes >= huge.ptr + huge.size);
  assert.notEqual(heap.f32, f32);
  heap.f32[huge.ptr / 4 + 3 * 16384 - 1] = 42;
  assert.equal(new Float32Array(memory.buffer)[huge.ptr / 4 + 3 * 16384 - 1], 42);
});

test('heap: GC requests count garbage not yet collected, not allocation volume', () => {
  const memory = new WebAssembly.Memory({ initial: 1, maximum: 1000 });
  const heap = new Heap(memory, 100);
  heap.pressureBytes = 4096;
  let requests = 0;
  heap.onPressure = () => requests++;
  // Storages note the epoch before allocating and pass it back when freed.
  const kib = () => ({ epoch: heap.epoch, ...heap.alloc(1024) });
  const blocks = [kib(), kib(), kib(), kib()];
  assert.equal(requests, 0, '4 KiB allocated: not past the 4 KiB threshold yet');
  // A collection nobody asked for (the engine's own, or the application's gc())
  // finalizes three of them: only one block's worth of garbage is left uncollected.
  for (const b of blocks.slice(0, 3)) heap.freeWhenIdle(b.ptr, b.size, b.epoch);
  kib(), kib(), kib();
  assert.equal(requests, 0, 'the collected blocks no longer count toward the next request');
  const last = kib();
  assert.equal(requests, 1, 'past 4 KiB of uncollected garbage: one request');
  assert.equal(heap.epoch, 1);
  // The count restarts at the request: blocks allocated before it (the one that
  // triggered it included) are not in the new count, however late they are freed.
  for (const b of [...blocks.slice(3), last]) heap.freeWhenIdle(b.ptr, b.size, b.epoch);
  const fresh = [kib(), kib(), kib(), kib()];
  assert.equal(requests, 1);
  heap.release(fresh[0]!.ptr, fresh[0]!.size, fresh[0]!.epoch);
  kib();
  assert.equal(requests, 1, 'an explicit release takes its block out of the count too');
  kib();
  assert.equal(requests, 2);
  // Untracked scratch never counts.
  for (let i = 0; i < 10; i++) heap.alloc(1024, false);
  assert.equal(requests, 2);
});

test('release() frees eagerly and is idempotent; read after growth sees the data', async () => {
  const b = await createWasmBackend({ name: 'wasm-mem-a', initialPages: 16 });
  const s = b.fromArray('float32', Float32Array.from([1, 2, 3]));
  const live = b.heapStats().liveBytes;
  const t = b.alloc('float32', 1 << 20); // forces growth past 1 MiB
  assert.deepEqual([...b.read(s, { shape: [3], strides: [1], offset: 0 })], [1, 2, 3]);
  b.release(t);
  b.release(t);
  assert.equal(b.heapStats().liveBytes, live);
});

test('backward gives its temporaries back at once: only the leaf gradients stay allocated', async () => {
  const b = await createWasmBackend({ name: 'wasm-mem-backward' });
  await withBackend(b, async () => {
    tg.manualSeed(2);
    const model = new tg.nn.Sequential(new tg.nn.Conv2d(1, 4, 3), new tg.nn.ReLU(), new tg.nn.MaxPool2d(2), new tg.nn.Flatten(), new tg.nn.Linear(100, 3));
    const x = tg.randn([16, 1, 12, 12]), y = tg.randint(0, 3, [16], { dtype: 'int32' });
    // A first pass sizes the threads' persistent work buffers.
    tg.F.crossEntropy(model.forward(x), y).backward();
    model.zeroGrad();
    const loss = tg.F.crossEntropy(model.forward(x), y);
    const before = b.heapStats().liveBytes;
    loss.backward();
    const grown = b.heapStats().liveBytes - before;
    // The leaves' gradients (4·9 + 4 + 100·3 + 3 floats, each block at least 16 bytes)
    // stay; the gradients of the activations (16·4·10·10 floats and more) must not.
    const gradBytes = model.parameters().reduce((a, p) => a + Math.max(16, Math.ceil(p.numel() * 4 / 16) * 16), 0);
    assert.ok(grown <= gradBytes + 1024, `backward left ${grown} bytes allocated (leaf gradients: ${gradBytes})`);
    assert.ok(model.parameters().every((p) => p.grad !== null && Number.isFinite(p.grad.sum().item())), 'gradients are intact');
  });
});

test('2,000 training steps keep the heap high-water mark flat', async () => {
  // No explicit gc: the backend's GC requests (every 16 MiB allocated) plus a
  // yield every 10 steps must be enough for finalizers to recycle the blocks.
  const b = await createWasmBackend({ name: 'wasm-mem-b' });
  await withBackend(b, async () => {
    tg.manualSeed(1);
    const model = new tg.nn.Sequential(new tg.nn.Linear(20, 32), new tg.nn.ReLU(), new tg.nn.Linear(32, 5));
    const opt = new tg.optim.SGD(model.parameters(), { lr: 0.01, momentum: 0.9 });
    const x = tg.randn([16, 20]);
    const y = tg.randint(0, 5, [16], { dtype: 'int32' });
    const marks: number[] = [];
    for (let step = 1; step <= 2000; step++) {
      opt.zeroGrad();
      const loss = tg.F.crossEntropy(model.forward(x), y);
      loss.backward();
      opt.step();
      // Finalizers run between tasks: yield like a real loop (data loading, rendering) does.
      if (step % 10 === 0) await new Promise((r) => setImmediate(r));
      if (step % 500 === 0) marks.push(b.heapStats().highWater);
    }
    // A step allocates ~47 KiB: never reclaimed, 2,000 steps would reach ~94 MiB.
    // The GC pacer lets up to `pressureBytes` of garbage build up between
    // collections (more when GCs are expensive), so the heap may rise by that
    // much, but no further, and everything dead is reclaimed after a GC.
    const [, m1000, , m2000] = marks as [number, number, number, number];
    const pressure = b.context.heap.pressureBytes;
    assert.ok(m2000 <= m1000 + pressure + (8 << 20), `high-water still growing: ${marks} (GC every ${pressure} bytes)`);
    assert.ok(m2000 <= (128 + 32) << 20, `high-water ${m2000} bytes after 2,000 steps (marks ${marks})`);
    const gc = await findGc();
    if (gc) {
      for (let i = 0; i < 3; i++) {
        gc();
        await new Promise((r) => setTimeout(r, 5));
      }
      const live = b.heapStats().liveBytes;
      assert.ok(live < 8 << 20, `${live} bytes still live after a GC: dead tensors are not reclaimed`);
    }
  });
});
