// Node 20.0-20.15 have no process.getBuiltinModule: src/util/node.ts then imports
// the builtins ahead. Simulated here by deleting it before the package loads (the
// built package in dist/, as the CLI tests use).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const index = fileURLToPath(new URL('../../dist/index.js', import.meta.url));

test('without process.getBuiltinModule (Node < 20.16) file functions and the wasm backend still work', () => {
  const script = `
    const tg = await import(${JSON.stringify(index)});
    const { images } = tg.data.loadMnist({ split: 'test' });
    console.log(JSON.stringify({ builtin: typeof process.getBuiltinModule, backend: tg.getBackend().name, shape: images.shape }));
  `;
  const r = spawnSync(process.execPath, ['--import', 'data:text/javascript,delete process.getBuiltinModule', '--input-type=module', '-e', script], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as { builtin: string; backend: string; shape: number[] };
  assert.deepEqual(out, { builtin: 'undefined', backend: 'wasm', shape: [10000, 1, 28, 28] });
});
