#!/usr/bin/env node
// Runs tensorgrad in a real browser: bundles test/browser/entry.ts with esbuild
// (platform 'browser'), serves it with the wasm kernels from a local HTTP server,
// and opens it in headless Chromium twice:
//   /iso/    with COOP/COEP headers (crossOriginIsolated: shared memory, worker threads)
//   /plain/  without them (no SharedArrayBuffer: the single-threaded fallback)
// The page POSTs its check results back; this prints a PASS/FAIL summary and
// exits non-zero on any failure. Without a `chromium` on PATH it says so and exits 0.
// Needs the kernels built (npm run build, or node scripts/build-wasm.mjs).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const wasmDir = join(root, 'src/backend/wasm/build');
const TIMEOUT_MS = 180_000;

const which = (name) => spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).stdout.trim();
const browser = process.env.CHROMIUM ?? (which('chromium') || which('chromium-browser') || which('google-chrome'));
if (!browser) {
  console.log('browser-check: SKIP: no chromium on PATH (Debian: apt-get install chromium; or set CHROMIUM=/path/to/chrome)');
  process.exit(0);
}
if (!existsSync(join(wasmDir, 'kernels-simd.wasm'))) {
  console.error('browser-check: FAIL: the wasm kernels are not built (run `npm run build`)');
  process.exit(1);
}

// ---- bundle -----------------------------------------------------------------
// Node builtins must not be reachable statically; dynamic ones behind an isNode
// guard (never run in a browser) are left as they are and listed.
const builtin = new RegExp(`^(node:.*|${builtinModules.map((m) => m.replace(/[/]/g, '\\/')).join('|')})$`);
const nodeImports = [];
const t0 = performance.now();
const bundle = await esbuild.build({
  entryPoints: [join(root, 'test/browser/entry.ts')],
  bundle: true, platform: 'browser', format: 'esm', target: 'es2022', write: false, logLevel: 'error',
  plugins: [{
    name: 'node-builtins',
    setup(b) {
      b.onResolve({ filter: builtin }, (args) => {
        nodeImports.push({ path: args.path, kind: args.kind, importer: args.importer.slice(root.length + 1) });
        return { path: args.path, external: true };
      });
    },
  }],
});
const code = bundle.outputFiles[0].text;
const bundleMs = performance.now() - t0;
const staticNode = nodeImports.filter((i) => i.kind !== 'dynamic-import');
console.log(`browser-check: bundled test/browser/entry.ts: ${(code.length / 1024).toFixed(0)} KiB in ${bundleMs.toFixed(0)} ms`);
for (const i of nodeImports) console.log(`  note: ${i.kind} '${i.path}' in ${i.importer}`);

// ---- server -----------------------------------------------------------------
const page = `<!doctype html><meta charset="utf-8"><title>tensorgrad browser check</title>
<script>
  const fatal = (msg) => fetch('./result', { method: 'POST', body: JSON.stringify({ fatal: msg }) });
  addEventListener('error', (e) => fatal('uncaught: ' + (e.error && e.error.stack || e.message)));
  addEventListener('unhandledrejection', (e) => fatal('unhandled rejection: ' + (e.reason && e.reason.stack || e.reason)));
</script>
<script type="module" src="./bundle.js" onerror="fatal('bundle.js failed to load')"></script>
<body>running...</body>`;

const waiting = new Map(); // mode -> resolve
const server = createServer((req, res) => {
  const m = /^\/(iso|plain)\/(.*)$/.exec(req.url ?? '');
  if (!m) return res.writeHead(404).end();
  const [, mode, file] = m;
  const headers = mode === 'iso' ? { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' } : {};
  const send = (type, body) => res.writeHead(200, { ...headers, 'Content-Type': type, 'Cache-Control': 'no-store' }).end(body);
  if (req.method === 'POST' && file === 'result') {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      res.writeHead(204).end();
      waiting.get(mode)?.(body);
    });
    return;
  }
  if (file === '' || file === 'index.html') return send('text/html', page);
  if (file === 'bundle.js') return send('text/javascript', code);
  // The loader fetches new URL('./build/<file>', import.meta.url), i.e. next to the bundle.
  const w = /^build\/(kernels-[a-z-]+\.wasm)$/.exec(file);
  if (w && existsSync(join(wasmDir, w[1]))) return send('application/wasm', readFileSync(join(wasmDir, w[1])));
  res.writeHead(404, headers).end();
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const { port } = server.address();

// ---- browser ----------------------------------------------------------------
async function runPage(mode) {
  const profile = mkdtempSync(join(tmpdir(), 'tg-chromium-'));
  const args = [
    '--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run',
    '--no-default-browser-check', '--disable-extensions', '--mute-audio', `--user-data-dir=${profile}`,
    `http://127.0.0.1:${port}/${mode}/`,
  ];
  const child = spawn(browser, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let log = '';
  child.stdout.on('data', (d) => (log += d));
  child.stderr.on('data', (d) => (log += d));
  const exited = new Promise((r) => child.on('exit', (c) => r(`chromium exited (code ${c}) before the page reported`)));
  const started = performance.now();
  let timer;
  try {
    const body = await Promise.race([
      new Promise((r) => waiting.set(mode, r)),
      exited,
      new Promise((r) => (timer = setTimeout(() => r(`timed out after ${TIMEOUT_MS / 1000} s`), TIMEOUT_MS))),
    ]);
    const wallMs = performance.now() - started;
    try {
      return { ...JSON.parse(body), wallMs };
    } catch {
      return { fatal: `${body}\n--- chromium output (last lines) ---\n${log.split('\n').slice(-30).join('\n')}`, wallMs };
    }
  } finally {
    clearTimeout(timer);
    // Our own child's process group: the browser and the renderer/GPU/zygote processes it started.
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      // already gone
    }
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
    rmSync(profile, { recursive: true, force: true });
  }
}

let failed = 0;
const version = spawnSync(browser, ['--version'], { encoding: 'utf8' }).stdout.trim();
console.log(`browser-check: ${version || browser}, serving on 127.0.0.1:${port}`);
if (staticNode.length) {
  failed++;
  console.log(`FAIL  bundle has static Node builtin imports: ${staticNode.map((i) => `'${i.path}' in ${i.importer}`).join(', ')}`);
}
for (const mode of ['iso', 'plain']) {
  const r = await runPage(mode);
  const title = mode === 'iso' ? 'with COOP/COEP (cross-origin isolated)' : 'without COOP/COEP';
  console.log(`\n${title}: page done in ${(r.wallMs / 1000).toFixed(1)} s`);
  if (r.info) {
    const i = r.info;
    console.log(`  crossOriginIsolated ${i.crossOriginIsolated}, backend ${i.backend} (${i.variant}), threads ${i.threads}, cores ${i.hardwareConcurrency}`);
  }
  if (r.timings) {
    const t = r.timings;
    console.log(`  ready ${t.readyMs} ms after navigation; matmul ${t.matmulMs} ms, conv2d fwd+bwd ${t.conv2dFwdBwdMs} ms, LeNet-5 step (batch 32) ${t.lenetStepMs} ms; all checks done at ${t.totalMs} ms`);
  }
  for (const c of r.checks ?? []) {
    if (!c.ok) failed++;
    console.log(`  ${c.ok ? 'PASS' : 'FAIL'}  ${c.name}: ${c.detail}`);
  }
  if (r.fatal) {
    failed++;
    console.log(`  FAIL  ${r.fatal}`);
  }
}
server.close();
console.log(`\nbrowser-check: ${failed ? `FAIL (${failed} failed)` : 'PASS'}`);
process.exit(failed ? 1 : 0);
