// Backend selection: one path (setBackend by name or object), nothing chosen
// or loaded at import, the default chosen at first use, and every built-in
// backend available whatever TENSORGRAD_BACKEND says.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as tg from '../../src/index.js';
import { chosenBackend, restoreBackend } from '../../src/backend/current.js';
import { TensorError } from '../../src/core/errors.js';
import type { Backend } from '../../src/backend/backend.js';

const root = resolve(import.meta.dirname, '../..');

/** Runs an ESM snippet with the sources (through tsx) and `env` added to this environment; returns its last stdout line as JSON. */
function child(script: string, env: Record<string, string | undefined> = {}): unknown {
  const full = { ...process.env, ...env };
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete full[k];
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', cwd: root, env: full });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

const imports = `
  const tg = await import(${JSON.stringify(resolve(root, 'src/index.ts'))});
  const current = await import(${JSON.stringify(resolve(root, 'src/backend/current.ts'))});
  const wasm = await import(${JSON.stringify(resolve(root, 'src/backend/wasm/index.ts'))});
`;

/** Runs `fn` with the process-wide backend set to `b`, then puts back what was chosen before (or nothing). */
async function withBackend<T>(b: Backend | string, fn: () => T | Promise<T>): Promise<T> {
  const before = chosenBackend();
  try {
    tg.setBackend(b);
    return await fn();
  } finally {
    restoreBackend(before);
  }
}

test('importing chooses and loads nothing; the first op chooses the default (TENSORGRAD_BACKEND, else wasm)', () => {
  const script = `${imports}
    const atImport = { chosen: current.chosenBackend(), wasm: wasm.loadedWasmBackend() };
    console.log(JSON.stringify({ atImport, first: tg.zeros([2]).backend.name }));
  `;
  assert.deepEqual(child(script, { TENSORGRAD_BACKEND: undefined }), { atImport: { chosen: null, wasm: null }, first: 'wasm' });
  assert.deepEqual(child(script, { TENSORGRAD_BACKEND: 'reference' }), { atImport: { chosen: null, wasm: null }, first: 'reference' });
});

test("TENSORGRAD_BACKEND=reference: setBackend('wasm') and toBackend('wasm') still work; ready() keeps reference", () => {
  const script = `${imports}
    const ready = (await tg.ready()).name;
    const x = tg.tensor([1, 2, 3]);
    const moved = x.toBackend('wasm').backend.name;
    tg.setBackend('wasm');
    const y = tg.tensor([1, 2, 3]).mul(2).toArray();
    console.log(JSON.stringify({ ready, first: x.backend.name, moved, now: tg.getBackend().name, y }));
  `;
  assert.deepEqual(child(script, { TENSORGRAD_BACKEND: 'reference' }), { ready: 'reference', first: 'reference', moved: 'wasm', now: 'wasm', y: [2, 4, 6] });
});

test('ready() resolves to the chosen backend, and keeps one set before it', async () => {
  assert.equal(await tg.ready(), tg.getBackend());
  await withBackend('reference', async () => assert.equal(await tg.ready(), tg.referenceBackend));
});

test('setBackend takes a built-in name or a Backend object; anything else is a TensorError naming it', async () => {
  assert.deepEqual(tg.listBackends(), ['reference', 'wasm'], "'webgpu' is listed once tg.ready({ backend: 'webgpu' }) started it");
  assert.throws(() => tg.setBackend('webgpu'), (e: unknown) => e instanceof TensorError &&
    /setBackend: the webgpu backend is not started: call `await tg\.ready\(\{ backend: 'webgpu' \}\)` first/.test(e.message));
  await withBackend('reference', () => assert.equal(tg.getBackend(), tg.referenceBackend));
  await withBackend('wasm', () => assert.equal(tg.getBackend(), tg.getWasmBackend()));
  // Any object with the contract is a backend: here a thin wrapper around the reference one.
  const custom = Object.assign(Object.create(tg.referenceBackend) as Backend, { name: 'custom' });
  await withBackend(custom, () => assert.equal(tg.getBackend(), custom));
  assert.throws(() => tg.setBackend('cuda'), (e: unknown) => e instanceof TensorError &&
    e.message === "setBackend: unknown backend 'cuda' (available: reference, wasm, webgpu; or pass a Backend object)");
  assert.throws(() => tg.setBackend(null as never), (e: unknown) => e instanceof TensorError && /setBackend: expected a backend name/.test(e.message));
  assert.throws(() => tg.setBackend({ name: 'x' } as never), /setBackend: expected a backend name \('reference', 'wasm'\) or a Backend object \(got object\)/);
  assert.equal('registerBackend' in tg, false, 'no string registry');
});

test("the CLI's --backend goes through the same path: `--backend wasm --threads 2` under TENSORGRAD_BACKEND=reference", () => {
  const dir = mkdtempSync(join(tmpdir(), 'tg-backend-'));
  const tensorgrad = (args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', resolve(root, 'src/cli/main.ts'), ...args], {
    encoding: 'utf8', cwd: root, env: { ...process.env, TENSORGRAD_BACKEND: 'reference' },
  });
  try {
    const small = ['train', '--model', 'mlp', '--epochs', '1', '--train-subset', '64', '--test-subset', '32', '--batch-size', '32', '--out', join(dir, 'run')];
    const r = tensorgrad([...small, '--backend', 'wasm', '--threads', '2']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout + r.stderr, /backend wasm/);
    // Without --backend the default is TENSORGRAD_BACKEND's, to which --threads does not apply.
    const refused = tensorgrad([...small, '--threads', '2']);
    assert.equal(refused.status, 1);
    assert.equal(refused.stderr, "tensorgrad train: --threads applies to the wasm backend only (the backend is 'reference'); drop it or use --backend wasm\n");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
