// The package as users get it: the built entries, the CLI bin, and a fresh
// `npm init -y` project (CommonJS by default) that installs the `npm pack`
// tarball and uses it through both `require('tensorgrad')` and `import`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = resolve(import.meta.dirname, '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

test('the built package exists (npm install / npm test build it): ESM, CommonJS and both declarations', () => {
  for (const f of ['dist/index.js', 'dist/index.d.ts', 'dist/index.cjs', 'dist/index.d.cts']) {
    assert.ok(existsSync(join(root, f)), `${f} missing: run npm run build`);
  }
});

test('the CLI script is executable, so `npx tensorgrad` runs it from a fresh clone', () => {
  const mode = statSync(join(root, 'dist/cli/main.js')).mode;
  assert.ok((mode & 0o111) === 0o111, `dist/cli/main.js has mode ${(mode & 0o777).toString(8)}: the build must chmod it (scripts/chmod-bin.mjs)`);
  const r = spawnSync('npx', ['--no-install', 'tensorgrad', '--help'], { cwd: root, encoding: 'utf8' });
  assert.equal(r.status, 0, `npx tensorgrad --help failed: ${r.stderr}`);
  assert.match(r.stdout, /train/, 'the help lists the train command');
});

test('the repo can import and require itself by package name', async () => {
  const tg = await import('tensorgrad');
  assert.equal(typeof tg.tensor, 'function');
  const req = createRequire(import.meta.url);
  assert.match(req.resolve('tensorgrad'), /dist[\\/]index\.cjs$/);
  assert.equal(typeof (req('tensorgrad') as typeof tg).tensor, 'function');
});

/**
 * The consumer script, CommonJS or ESM: loads the package, notes what loading
 * did (V8 flags: a new context has `gc` once the wasm backend set --expose-gc;
 * OS threads, where /proc tells), runs a small conv forward + backward on the
 * default backend (which loads it and starts its workers) and again on the
 * reference backend, and prints one JSON line.
 */
function consumerScript(kind: 'cjs' | 'mjs'): string {
  const load = kind === 'cjs'
    ? "const tg = require('tensorgrad'); const entry = require.resolve('tensorgrad');"
    : "import * as tg from 'tensorgrad'; const entry = import.meta.resolve('tensorgrad');";
  const head = kind === 'cjs'
    ? "const fs = require('node:fs'); const vm = require('node:vm');"
    : "import fs from 'node:fs'; import vm from 'node:vm';";
  return `${head}
const threads = () => { try { return Number(/Threads:\\s+(\\d+)/.exec(fs.readFileSync('/proc/self/status', 'utf8'))[1]); } catch { return -1; } };
${load}
const afterImport = { threads: threads(), gc: vm.runInNewContext('typeof gc') };
function convGrad() {
  tg.manualSeed(0);
  const x = tg.randn([2, 3, 6, 6], { requiresGrad: true });
  const w = tg.randn([4, 3, 3, 3], { requiresGrad: true });
  tg.F.conv2d(x, w, null, { padding: 1 }).relu().sum().backward();
  return [x.grad.toArray().flat(3), w.grad.toArray().flat(3)].flat();
}
const fast = convGrad();
const backend = tg.getBackend().name;
const workers = backend === 'wasm' ? tg.getNumThreads() - 1 : 0;
const afterOp = { threads: threads(), gc: vm.runInNewContext('typeof gc') };
tg.setBackend('reference');
const ref = convGrad();
const maxDiff = Math.max(...fast.map((v, i) => Math.abs(v - ref[i])));
console.log(JSON.stringify({ entry, backend, workers, afterImport, afterOp, maxDiff, n: fast.length }));
`;
}

test('a fresh `npm init -y` project can require() and import the packed tarball; loading it starts nothing', { timeout: 120_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'tg-consumer-'));
  try {
    // --ignore-scripts: the tarball of the build already in dist/ (npm pack would otherwise rebuild through `prepare`).
    const pack = spawnSync(npm, ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], { cwd: root, encoding: 'utf8' });
    assert.equal(pack.status, 0, pack.stderr);
    const tarball = join(dir, (JSON.parse(pack.stdout) as { filename: string }[])[0]!.filename);
    const app = join(dir, 'app');
    mkdirSync(app);
    const init = spawnSync(npm, ['init', '-y'], { cwd: app, encoding: 'utf8' });
    assert.equal(init.status, 0, init.stderr);

    // Installed without network: the tarball unpacked as npm would, its dependencies linked from this repo's node_modules.
    const modules = join(app, 'node_modules');
    mkdirSync(modules);
    const untar = spawnSync('tar', ['-xzf', tarball, '-C', modules], { encoding: 'utf8' });
    assert.equal(untar.status, 0, untar.stderr);
    renameSync(join(modules, 'package'), join(modules, 'tensorgrad'));
    const manifest = JSON.parse(readFileSync(join(modules, 'tensorgrad', 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    for (const dep of Object.keys(manifest.dependencies)) {
      mkdirSync(join(modules, dep, '..'), { recursive: true });
      symlinkSync(join(root, 'node_modules', dep), join(modules, dep), 'dir');
    }
    for (const f of ['dist/index.cjs', 'dist/index.d.cts', 'dist/backend/wasm/build/kernels-simd.wasm']) {
      assert.ok(existsSync(join(modules, 'tensorgrad', f)), `the tarball lacks ${f}`);
    }

    writeFileSync(join(app, 'main.cjs'), consumerScript('cjs'));
    writeFileSync(join(app, 'main.mjs'), consumerScript('mjs'));
    const expected = (process.env.TENSORGRAD_BACKEND ?? '').trim().toLowerCase() || 'wasm';
    for (const [script, entry] of [['main.cjs', /index\.cjs$/], ['main.mjs', /index\.js$/]] as const) {
      const r = spawnSync(process.execPath, [script], { cwd: app, encoding: 'utf8' });
      assert.equal(r.status, 0, `${script}: ${r.stderr}`);
      const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as {
        entry: string; backend: string; workers: number; maxDiff: number; n: number;
        afterImport: { threads: number; gc: string }; afterOp: { threads: number; gc: string };
      };
      assert.match(out.entry, entry, `${script} loaded ${out.entry}`);
      assert.equal(out.backend, expected, `${script}: default backend`);
      assert.equal(out.afterImport.gc, 'undefined', `${script}: loading the package set V8 flags (--expose-gc)`);
      if (out.backend === 'wasm') assert.equal(out.afterOp.gc, 'function', `${script}: the first op loaded the wasm backend (which sets --expose-gc)`);
      // The wasm workers are OS threads: started by the first op, so none of them exists right after loading.
      if (out.afterImport.threads > 0) {
        assert.ok(out.afterOp.threads - out.afterImport.threads >= out.workers, `${script}: ${out.workers} workers expected after the first op, threads ${out.afterImport.threads} -> ${out.afterOp.threads}`);
      }
      assert.equal(out.n, 2 * 3 * 6 * 6 + 4 * 3 * 3 * 3);
      assert.ok(out.maxDiff < 1e-3, `${script}: ${out.backend} and reference gradients differ by ${out.maxDiff}`);
    }

    // The bin stays ESM and runs from the installed package.
    const help = spawnSync(process.execPath, [join(modules, 'tensorgrad', 'dist/cli/main.js'), '--help'], { cwd: app, encoding: 'utf8' });
    assert.equal(help.status, 0, help.stderr);
    assert.match(help.stdout, /train/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
