import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, symlinkSync, writeFileSync, rmSync, existsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = resolve(import.meta.dirname, '..');

test('the built package exists (npm install / npm test build it)', () => {
  assert.ok(existsSync(join(root, 'dist/index.js')), 'dist/index.js missing: run npm run build');
  assert.ok(existsSync(join(root, 'dist/index.d.ts')));
});

test('the CLI script is executable, so `npx tensorgrad` runs it from a fresh clone', () => {
  const mode = statSync(join(root, 'dist/cli/main.js')).mode;
  assert.ok((mode & 0o111) === 0o111, `dist/cli/main.js has mode ${(mode & 0o777).toString(8)}: the build must chmod it (scripts/chmod-bin.mjs)`);
  const r = spawnSync('npx', ['--no-install', 'tensorgrad', '--help'], { cwd: root, encoding: 'utf8' });
  assert.equal(r.status, 0, `npx tensorgrad --help failed: ${r.stderr}`);
  assert.match(r.stdout, /train/, 'the help lists the train command');
});

test("a consumer project can `import * as tg from 'tensorgrad'`", () => {
  const dir = mkdtempSync(join(tmpdir(), 'tg-consumer-'));
  try {
    mkdirSync(join(dir, 'node_modules'));
    symlinkSync(root, join(dir, 'node_modules', 'tensorgrad'), 'dir');
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
    writeFileSync(join(dir, 'main.mjs'), [
      "import * as tg from 'tensorgrad';",
      "const x = tg.tensor([1, 2, 3], { requiresGrad: true });",
      "tg.F.relu(x).mul(x).sum().backward();",
      "console.log(JSON.stringify(x.grad.toArray()));",
    ].join('\n'));
    const r = spawnSync(process.execPath, ['main.mjs'], { cwd: dir, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim(), '[2,4,6]');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the repo can import itself by package name', async () => {
  const tg = await import('tensorgrad');
  assert.equal(typeof tg.tensor, 'function');
});
