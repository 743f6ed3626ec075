#!/usr/bin/env node
// `npm run test:webgpu`: runs the test files that call checkOp (the op suite)
// with the WebGPU backend started by a preload, so that every checkOp case
// runs on webgpu as well as on reference and wasm. Where there is no WebGPU
// adapter it prints SKIP and exits 0 (with TENSORGRAD_REQUIRE_WEBGPU=1, as in
// CI, that is a failure). Arguments filter the files like scripts/run-tests.mjs.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

function find(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return find(p);
    return name.endsWith('.test.ts') ? [p] : [];
  });
}

const preload = ['--import', 'tsx', '--import', './test/helpers/webgpu-preload.ts'];

// One probe first: without an adapter every file would only repeat `npm test`.
const probe = spawnSync(
  process.execPath,
  [...preload, '-e', "import('./src/index.ts').then((tg) => process.exit(tg.listBackends().includes('webgpu') ? 0 : 2))"],
  { encoding: 'utf8' },
);
if (probe.status !== 0) {
  const requireWebGpu = process.env.TENSORGRAD_REQUIRE_WEBGPU === '1';
  const why = `${probe.stdout}${probe.stderr}`.trim();
  const verdict = requireWebGpu ? 'FAIL (TENSORGRAD_REQUIRE_WEBGPU=1)' : 'SKIP';
  console.log(`# ${verdict} test:webgpu: no WebGPU backend here${why ? `\n${why}` : ''}`);
  process.exit(requireWebGpu ? 1 : 0);
}

const filters = process.argv.slice(2);
const files = find('test')
  .filter((f) => /\bcheckOp\(/.test(readFileSync(f, 'utf8')))
  .filter((f) => !filters.length || filters.some((s) => f.includes(s)))
  .sort();
const args = [...preload, '--test', '--test-concurrency=2', ...files];
const r = spawnSync(process.execPath, args, { stdio: 'inherit' });
process.exit(r.status ?? 1);
