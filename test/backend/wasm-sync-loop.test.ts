import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tg from '../../src/index.js';

/*
 * A training loop that never yields to the event loop (the usual PyTorch-style
 * `for` loop) never lets FinalizationRegistry callbacks run on their own; the wasm
 * backend reclaims dead tensors synchronously under allocation pressure instead.
 * This loop allocates about 6 GiB in total, more than the 4 GiB a wasm32 memory can
 * ever hold, so it only completes if memory is reclaimed while it runs.
 */
test('a synchronous loop that allocates far more than 4 GiB keeps the wasm heap bounded', async () => {
  const wasm = await tg.initWasmBackend();
  const x = tg.ones([1 << 20], { backend: wasm }); // 4 MiB
  let total = 0;
  for (let i = 0; i < 800; i++) total += x.add(i).mul(2).sum().item(); // two 4 MiB temporaries per step
  assert.equal(total, 2 * (1 << 20) * (800 + (799 * 800) / 2));
  const { memoryBytes } = wasm.heapStats();
  assert.ok(memoryBytes < 1 << 30, `wasm memory grew to ${(memoryBytes / 2 ** 20).toFixed(0)} MiB`);
});

test('a synchronous training loop reuses memory (no await anywhere)', async () => {
  const wasm = await tg.initWasmBackend();
  tg.setBackend(wasm);
  const model = tg.models.mlp({ sizes: [784, 256, 10] });
  const opt = new tg.optim.SGD(model.parameters(), { lr: 0.01, momentum: 0.9 });
  const x = tg.randn([128, 784]);
  const y = tg.randint(0, 10, [128]);
  const before = wasm.heapStats().memoryBytes;
  for (let i = 0; i < 300; i++) {
    const loss = tg.F.crossEntropy(model.forward(x), y);
    opt.zeroGrad();
    loss.backward();
    opt.step();
  }
  const grown = wasm.heapStats().memoryBytes - before;
  assert.ok(grown < 512 << 20, `the heap grew by ${(grown / 2 ** 20).toFixed(0)} MiB over 300 steps`);
});
