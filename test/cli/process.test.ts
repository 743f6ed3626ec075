// What only a real process shows: TENSORGRAD_BACKEND read at first use (by the
// command and by the library; importing reads nothing), and the exit codes of
// the `tensorgrad` binary.
// Runs src/cli/main.ts through tsx, so no build is needed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import '../../src/index.js'; // Tensor's methods and the backward pass, which the models below use
import { loadCheckpoint } from '../../src/io/checkpoint.js';
import { mlp } from '../../src/models/mlp.js';
import { backendFromEnv } from '../../src/backend/default.js';
import { TensorError } from '../../src/core/errors.js';

const root = resolve(import.meta.dirname, '../..');
const main = resolve(root, 'src/cli/main.ts');

function tensorgrad(args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, ['--import', 'tsx', main, ...args], { encoding: 'utf8', cwd: root, env: { ...process.env, ...env } });
}

test('TENSORGRAD_BACKEND: allowed values, and a TensorError naming the variable otherwise', () => {
  assert.equal(backendFromEnv({}), undefined);
  assert.equal(backendFromEnv({ TENSORGRAD_BACKEND: '' }), undefined);
  assert.equal(backendFromEnv({ TENSORGRAD_BACKEND: 'reference' }), 'reference');
  assert.equal(backendFromEnv({ TENSORGRAD_BACKEND: 'WASM' }), 'wasm');
  assert.throws(() => backendFromEnv({ TENSORGRAD_BACKEND: 'cuda' }), (e: unknown) => e instanceof TensorError &&
    e.message === "TENSORGRAD_BACKEND: unknown backend 'cuda' (allowed: wasm, reference, webgpu; unset it to use wasm where it loads, else reference)");
});

test('a bad TENSORGRAD_BACKEND: one line from the command, a TensorError from the library at first use (not at import)', () => {
  const r = tensorgrad(['summary', 'lenet5'], { TENSORGRAD_BACKEND: 'gpu' });
  assert.equal(r.status, 1, r.stderr);
  assert.equal(r.stderr, "tensorgrad summary: TENSORGRAD_BACKEND: unknown backend 'gpu' (allowed: wasm, reference, webgpu; unset it to use wasm where it loads, else reference)\n");
  assert.equal(r.stdout, '');
  const verbose = tensorgrad(['--verbose', 'summary', 'lenet5'], { TENSORGRAD_BACKEND: 'gpu' });
  assert.match(verbose.stderr, /\n\s+at /, '--verbose shows the stack');

  const script = `import(${JSON.stringify(resolve(root, 'src/index.ts'))}).then(async (tg) => {
    console.log('loaded');
    const report = (e) => console.log(e.name + ': ' + e.message);
    try { tg.zeros([2]); } catch (e) { report(e); }
    await tg.ready().catch(report);
    tg.setBackend('reference');
    console.log(tg.zeros([2]).backend.name);
  });`;
  const lib = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { encoding: 'utf8', cwd: root, env: { ...process.env, TENSORGRAD_BACKEND: 'gpu' } });
  const message = "TensorError: TENSORGRAD_BACKEND: unknown backend 'gpu' (allowed: wasm, reference, webgpu; unset it to use wasm where it loads, else reference)";
  assert.deepEqual(lib.stdout.trim().split('\n'), ['loaded', message, message, 'reference'], lib.stderr);
});

test('the binary exits 1 on a user error, 0 on success', () => {
  const bad = tensorgrad(['train', '--epochs', '0']);
  assert.equal(bad.status, 1);
  assert.equal(bad.stderr, "tensorgrad train: --epochs must be an integer from 1 to 100,000 (got '0') (see 'tensorgrad train --help')\n");
  const ok = tensorgrad(['summary', 'mlp', '--input', '1,1,28,28'], { TENSORGRAD_BACKEND: 'reference' });
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, /Total params: 269,322/);
});

test('SIGKILL mid-run: every file left is complete, and the next run in the folder leaves no temporary files', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tg-cli-kill-'));
  try {
    const out = join(dir, 'run');
    const args = ['train', '--model', 'mlp', '--optimizer', 'adam', '--scheduler', 'none', '--batch-size', '50', '--train-subset', '200', '--test-subset', '100', '--out', out];
    const child = spawn(process.execPath, ['--import', 'tsx', main, ...args, '--epochs', '1000'], { cwd: root, stdio: 'ignore' });
    const ckpt = join(out, 'checkpoint.safetensors');
    const deadline = Date.now() + 60_000;
    while (!existsSync(ckpt) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    // A few more epochs' writes, then kill -9 wherever it is.
    await new Promise((r) => setTimeout(r, 300));
    child.kill('SIGKILL');
    await new Promise((r) => child.on('exit', r));
    const info = loadCheckpoint(ckpt, { model: mlp({ sizes: [784, 256, 256, 10] }) });
    assert.ok(info.epoch >= 1, 'the checkpoint left behind is a complete one');
    const r = tensorgrad([...args, '--epochs', '1']);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(readdirSync(out).filter((f) => /\.tmp/.test(f)), [], 'no temporary files after the next run');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
