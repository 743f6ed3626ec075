// Node 20.0-20.15 have no process.getBuiltinModule. There the CommonJS build
// uses its own require(), and the ESM build needs `await tg.ready()` (which
// imports the builtins ahead) before a function that works on files, or the
// wasm backend, is used. Simulated here by deleting process.getBuiltinModule
// before the package loads (the built package in dist/, as users get it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const esm = fileURLToPath(new URL('../../dist/index.js', import.meta.url));
const cjs = fileURLToPath(new URL('../../dist/index.cjs', import.meta.url));
const withoutBuiltinModule = ['--import', 'data:text/javascript,delete process.getBuiltinModule'];
/** The environment without TENSORGRAD_BACKEND: these tests are about the default choice. */
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'TENSORGRAD_BACKEND'));

function run(args: string[]): { builtin: string; before?: string[]; backend: string; shape: number[] } {
  const r = spawnSync(process.execPath, [...withoutBuiltinModule, ...args], { encoding: 'utf8', env });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

test('without process.getBuiltinModule (Node < 20.16), ESM: a clear error before `await tg.ready()`, then files and the wasm backend work', () => {
  const script = `
    const tg = await import(${JSON.stringify(esm)});
    const before = [];
    for (const f of [() => tg.data.loadMnist({ split: 'test' }), () => tg.zeros([2])]) {
      try { f(); before.push('ran'); } catch (e) { before.push(e.name + ': ' + e.message); }
    }
    await tg.ready();
    const { images } = tg.data.loadMnist({ split: 'test' });
    console.log(JSON.stringify({ builtin: typeof process.getBuiltinModule, before, backend: tg.getBackend().name, shape: images.shape }));
  `;
  const out = run(['--input-type=module', '-e', script]);
  assert.equal(out.builtin, 'undefined');
  assert.match(out.before![0]!, /^TensorError: loadMnist: .*no process\.getBuiltinModule \(Node < 20\.16\): call `await tg\.ready\(\)`/);
  assert.match(out.before![1]!, /^TensorError: tensorgrad: the wasm backend is not loaded yet.*`await tg\.ready\(\)`.*`tg\.setBackend\('reference'\)`/);
  assert.deepEqual({ backend: out.backend, shape: out.shape }, { backend: 'wasm', shape: [10000, 1, 28, 28] });
});

test('without process.getBuiltinModule (Node < 20.16), CommonJS: files and the wasm backend work at once', () => {
  const script = `
    const tg = require(${JSON.stringify(cjs)});
    const { images } = tg.data.loadMnist({ split: 'test' });
    console.log(JSON.stringify({ builtin: typeof process.getBuiltinModule, backend: tg.getBackend().name, shape: images.shape }));
  `;
  assert.deepEqual(run(['-e', script]), { builtin: 'undefined', backend: 'wasm', shape: [10000, 1, 28, 28] });
});
