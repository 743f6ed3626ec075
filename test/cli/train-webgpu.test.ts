// `tensorgrad train` and `eval` with --backend webgpu (skipped where the
// machine has no WebGPU adapter): the run trains, saves model, checkpoint and
// metrics read back from the GPU, and evaluates to the same numbers on the
// GPU and on the CPU. Tiny sizes: SwiftShader (the CPU fallback driver) is slow.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tg from '../../src/index.js';
import { webgpuOrSkip } from '../helpers/webgpu.js';
import { train } from '../../src/cli/train.js';
import { evalCommand } from '../../src/cli/evaluate.js';
import { asksForGpu, onCpu, useBackend, BACKENDS } from '../../src/cli/backend.js';
import { withCliIO } from '../../src/cli/io.js';

const gpu = await webgpuOrSkip();

test('--backend accepts webgpu; commands that cannot run on the GPU refuse it in one line', () => {
  assert.ok(BACKENDS.includes('webgpu'));
  assert.equal(asksForGpu('webgpu'), true);
  assert.equal(asksForGpu('wasm'), false);
  if (!gpu) assert.throws(() => useBackend('webgpu'), /--backend webgpu: this command does not run on the GPU/);
});

test('train and eval with --backend webgpu', { skip: gpu ? false : 'no WebGPU adapter' }, async () => {
  const prev = tg.getBackend();
  const dir = mkdtempSync(join(tmpdir(), 'tg-webgpu-'));
  let out = '', err = '';
  const io = { stdout: { write: (s: string) => void (out += s) }, stderr: { write: (s: string) => void (err += s) } };
  try {
    const code = await withCliIO(io, () => train({
      model: 'mlp', dataset: 'mnist', epochs: 1, batchSize: 16, optimizer: 'sgd', scheduler: 'onecycle', weightDecay: 5e-4, seed: 0,
      backend: 'webgpu', trainSubset: 64, testSubset: 32, out: dir,
    }));
    assert.equal(code, 0, err);
    assert.equal(tg.getBackend().name, 'webgpu');
    const metrics = JSON.parse(readFileSync(join(dir, 'metrics.json'), 'utf8')) as { train_loss: number; test_accuracy: number }[];
    assert.equal(metrics.length, 1);
    assert.ok(Number.isFinite(metrics[0]!.train_loss));
    // The saved weights were read back from the GPU: evaluating them on the CPU gives the run's test accuracy.
    const onGpu = await withCliIO(io, async () => evalCommand(dir, { backend: 'webgpu', testSubset: 32, json: true }));
    const onCpuBackend = await withCliIO(io, async () => evalCommand(dir, { backend: 'reference', testSubset: 32, json: true }));
    assert.equal(onGpu.accuracy, metrics[0]!.test_accuracy);
    assert.equal(onCpuBackend.accuracy, onGpu.accuracy);
    assert.ok(Math.abs(onCpuBackend.loss - onGpu.loss) < 1e-4);
    assert.deepEqual(onCpuBackend.confusion, onGpu.confusion);
    // Datasets are prepared on the CPU even while the GPU is current.
    tg.setBackend(gpu!);
    assert.notEqual(onCpu(() => tg.getBackend()), gpu);
  } finally {
    tg.setBackend(prev);
    rmSync(dir, { recursive: true, force: true });
  }
});
