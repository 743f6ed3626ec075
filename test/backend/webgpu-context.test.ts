// The WebGPU backend's machinery (not its kernels): host copies and sync reads, float64 and size refusals,
// pooled buffers, batched submits, shader errors, device loss. Skips where no adapter can be had.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tg from '../../src/index.js';
import { webgpuOrSkip } from '../helpers/webgpu.js';
import { acquireDevice } from '../../src/backend/webgpu/device.js';
import { WebGpuBackend } from '../../src/backend/webgpu/backend.js';
import { referenceBackend } from '../../src/backend/reference/index.js';
import { initWebGpuBackend } from '../../src/backend/webgpu/index.js';
import type { GpuStorage } from '../../src/backend/webgpu/storage.js';
import { PARAMS, main1d } from '../../src/backend/webgpu/wgsl.js';

const gpu = await webgpuOrSkip();
const skip = gpu ? false : 'no WebGPU adapter here';

test('tensors made from JS values keep a host copy: data() works; a GPU-written one needs dataAsync()', { skip }, async () => {
  const x = tg.tensor([[1, 2, 3], [4, 5, 6]], { backend: gpu! });
  assert.equal(x.backend.name, 'webgpu');
  assert.deepEqual(x.toArray(), [[1, 2, 3], [4, 5, 6]]);
  assert.equal(gpu!.canReadSync(x._storage), true);
  const t = x.t().contiguous(); // a copy kernel on the GPU
  assert.equal(gpu!.canReadSync(t._storage), false);
  assert.throws(() => t.data(), /computed on the GPU.*await x\.dataAsync\(\)/);
  assert.deepEqual(await t.array(), [[1, 4], [2, 5], [3, 6]]);
  // A strided view of a GPU result reads through a contiguous copy.
  assert.deepEqual(await t.slice(0, 0, 3, 2).array(), [[1, 4], [3, 6]]);
  assert.deepEqual(tg.zeros([2, 2], { backend: gpu! }).toArray(), [[0, 0], [0, 0]]);
  // In-place writes drop the host copy.
  const y = tg.tensor([1, 2, 3], { backend: gpu! });
  y.fill_(7);
  assert.throws(() => y.data(), /dataAsync/);
  assert.deepEqual(await y.array(), [7, 7, 7]);
});

test('dtypes: int32 and bool round-trip through the GPU; float64 is refused with a clear error', { skip }, async () => {
  const i = tg.tensor([-3, 0, 2 ** 30], { dtype: 'int32', backend: gpu! }).flip(0).contiguous();
  assert.deepEqual(await i.array(), [2 ** 30, 0, -3]);
  const b = tg.tensor([true, false, true], { dtype: 'bool', backend: gpu! }).flip(0).contiguous();
  assert.deepEqual(await b.array(), [true, false, true]);
  const f = tg.tensor([1.5, -2.25, -0.75], { backend: gpu! }).to('int32');
  assert.deepEqual(await f.array(), [1, -2, 0]);
  assert.throws(() => tg.tensor([1], { dtype: 'float64', backend: gpu! }), /float64 tensors cannot live on the GPU/);
});

test('an allocation beyond the device limit is a TensorError; the backend stays usable', { skip }, async () => {
  assert.throws(() => tg.zeros([2 ** 31 - 1], { backend: gpu! }), /webgpu backend.*largest buffer is \d+ bytes/);
  assert.deepEqual(await tg.tensor([1, 2], { backend: gpu! }).flip(0).contiguous().array(), [2, 1]);
});

test('buffers are pooled: released storages are reused, not recreated', { skip }, async () => {
  const ctx = gpu!.ctx;
  const before = ctx.pool.stats().liveBytes;
  const s = ctx.alloc('float32', 1000) as GpuStorage;
  const buffer = s.buffer;
  assert.equal(ctx.pool.stats().liveBytes, before + 4096);
  s.release();
  assert.equal(ctx.pool.stats().liveBytes, before);
  const again = ctx.alloc('float32', 900) as GpuStorage;
  assert.equal(again.buffer, buffer, 'the same size class comes back from the pool');
  again.release();
  assert.throws(() => again.buffer, /disposed/);
});

test('many dispatches share one submit', { skip }, async () => {
  const ctx = gpu!.ctx;
  await ctx.sync();
  const d0 = ctx.dispatches, s0 = ctx.submits;
  let x = tg.tensor([1, 2, 3, 4], { backend: gpu! });
  for (let k = 0; k < 50; k++) x = x.flip(0).contiguous();
  assert.deepEqual(await x.array(), [1, 2, 3, 4]);
  assert.equal(ctx.dispatches - d0, 50);
  assert.ok(ctx.submits - s0 <= 2, `${ctx.submits - s0} submits for 50 dispatches`);
});

test('a shader that does not compile is a TensorError at the next read, and the next work computes correctly', { skip }, async () => {
  const ctx = gpu!.ctx;
  const out = ctx.alloc('float32', 4);
  ctx.run({ key: 'test:broken', source: () => `${PARAMS}\n@group(0) @binding(1) var<storage, read_write> D: array<f32>;\n${main1d()}\n  D[i] = undefined_thing;\n}` }, [], [out], [4], [1, 1, 1]);
  const y = tg.tensor([5, 6], { backend: gpu! }).flip(0).contiguous();
  await assert.rejects(y.dataAsync(), (e: Error) => e instanceof tg.TensorError && /webgpu backend/.test(e.message) && /undefined_thing|test:broken|Invalid/i.test(e.message));
  const z = tg.tensor([7, 8, 9], { backend: gpu! }).flip(0).contiguous();
  assert.deepEqual(await z.array(), [9, 8, 7]);
});

test('printing a GPU result does not throw: it says how to read it', { skip }, () => {
  const y = tg.tensor([1, 2], { backend: gpu! }).flip(0).contiguous();
  assert.equal(String(y), 'tensor(<on the GPU: await x.array() to read>, shape=[2], dtype=float32, backend=webgpu)');
  assert.equal(String(tg.tensor([1, 2], { backend: gpu! })), 'tensor([1., 2.], shape=[2], dtype=float32)');
});

test('a lost device gives TensorErrors naming tg.ready, other backends keep working, and ready() makes a new device', { skip }, async () => {
  const { device, adapterName } = await acquireDevice();
  const lone = new WebGpuBackend(device, adapterName, 'webgpu-lost');
  const x = tg.tensor([1, 2, 3], { backend: lone });
  device.destroy();
  await device.lost;
  assert.throws(() => x.flip(0).contiguous(), (e: Error) => e instanceof tg.TensorError && /device was lost/.test(e.message) && /tg\.ready\(\{ backend: 'webgpu' \}\)/.test(e.message));
  assert.deepEqual(tg.tensor([1, 2], { backend: referenceBackend }).flip(0).toArray(), [2, 1]);
  // The shared backend: after its device is lost, initWebGpuBackend() gives a working new one.
  const shared = await initWebGpuBackend();
  shared.ctx.device.destroy();
  await shared.ctx.device.lost;
  const fresh = await initWebGpuBackend();
  assert.notEqual(fresh, shared);
  assert.deepEqual(await tg.tensor([1, 2], { backend: fresh }).flip(0).contiguous().array(), [2, 1]);
});
