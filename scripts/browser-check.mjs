#!/usr/bin/env node
// Runs tensorgrad in a real browser: bundles the pages in test/browser/ with esbuild
// (platform 'browser'), serves them with the wasm kernels from a local HTTP server,
// and opens them in headless Chromium three times:
//   /iso/     entry.ts with COOP/COEP headers (crossOriginIsolated: shared memory, worker threads)
//   /plain/   entry.ts without them (no SharedArrayBuffer: the single-threaded fallback)
//   /webgpu/  webgpu-entry.ts (COOP/COEP; Chromium with --enable-unsafe-webgpu): ops, gradients
//             and a short LeNet-5 training on the WebGPU backend, compared with the wasm one
// The page POSTs its check results back; this prints a PASS/FAIL summary and
// exits non-zero on any failure. Without a `chromium` on PATH it says so and exits 0;
// where the browser offers no WebGPU adapter the webgpu page says SKIP. With
// TENSORGRAD_REQUIRE_WEBGPU=1 (CI) either is a failure.
// Needs the kernels built (npm run build, or node scripts/build-wasm.mjs).
// Arguments pick pages: `node scripts/browser-check.mjs webgpu` runs only the WebGPU one.
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
const requireWebGpu = process.env.TENSORGRAD_REQUIRE_WEBGPU === '1';
const MODES = ['iso', 'plain', 'webgpu'];
const modes = process.argv.length > 2 ? process.argv.slice(2) : MODES;
const unknown = modes.filter((m) => !MODES.includes(m));
if (unknown.length) {
  console.error(`browser-check: unknown page(s) ${unknown.join(', ')}; choose from ${MODES.join(', ')}`);
  process.exit(2);
}

const which = (name) => spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).stdout.trim();
const browser = process.env.CHROMIUM ?? (which('chromium') || which('chromium-browser') || which('google-chrome'));
if (!browser) {
  const verdict = requireWebGpu ? 'FAIL (TENSORGRAD_REQUIRE_WEBGPU=1)' : 'SKIP';
  console.log(`browser-check: ${verdict}: no chromium on PATH (Debian: apt-get install chromium; or set CHROMIUM=/path/to/chrome)`);
  process.exit(requireWebGpu ? 1 : 0);
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
  entryPoints: { wasm: join(root, 'test/browser/entry.ts'), webgpu: join(root, 'test/browser/webgpu-entry.ts') },
  outdir: join(root, 'scratch/browser-check'), // nothing is written (write: false); names the outputs
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
const code = Object.fromEntries(bundle.outputFiles.map((f) => [f.path.replace(/^.*[/\\]|\.js$/g, ''), f.text]));
const bundleMs = performance.now() - t0;
// Both bundles import the same library: one note per import.
const seen = new Set();
const uniqueImports = nodeImports.filter((i) => !seen.has(`${i.kind} ${i.path} ${i.importer}`) && seen.add(`${i.kind} ${i.path} ${i.importer}`));
const staticNode = uniqueImports.filter((i) => i.kind !== 'dynamic-import');
console.log(`browser-check: bundled test/browser/entry.ts (${(code.wasm.length / 1024).toFixed(0)} KiB) and webgpu-entry.ts (${(code.webgpu.length / 1024).toFixed(0)} KiB) in ${bundleMs.toFixed(0)} ms`);
for (const i of uniqueImports) console.log(`  note: ${i.kind} '${i.path}' in ${i.importer}`);

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
  const m = /^\/(iso|plain|webgpu)\/(.*)$/.exec(req.url ?? '');
  if (!m) return res.writeHead(404).end();
  const [, mode, file] = m;
  const headers = mode !== 'plain' ? { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' } : {};
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
  if (file === 'bundle.js') return send('text/javascript', mode === 'webgpu' ? code.webgpu : code.wasm);
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
    '--headless=new', '--no-sandbox', '--disable-dev-shm-usage', '--no-first-run',
    '--no-default-browser-check', '--disable-extensions', '--mute-audio', `--user-data-dir=${profile}`,
    // Headless Chromium on Linux offers WebGPU only behind this flag: the machine's GPU, or without
    // one SwiftShader (a fallback adapter). navigator.gpu also needs a secure context, which
    // 127.0.0.1 is. The wasm pages need no GPU process at all.
    ...(mode === 'webgpu' ? ['--enable-unsafe-webgpu'] : ['--disable-gpu']),
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
const skipped = [];
const version = spawnSync(browser, ['--version'], { encoding: 'utf8' }).stdout.trim();
console.log(`browser-check: ${version || browser}, serving on 127.0.0.1:${port}`);
if (staticNode.length) {
  failed++;
  console.log(`FAIL  bundle has static Node builtin imports: ${staticNode.map((i) => `'${i.path}' in ${i.importer}`).join(', ')}`);
}
const TITLES = {
  iso: 'with COOP/COEP (cross-origin isolated)',
  plain: 'without COOP/COEP',
  webgpu: 'WebGPU (--enable-unsafe-webgpu)',
};
for (const mode of modes) {
  const r = await runPage(mode);
  console.log(`\n${TITLES[mode]}: page done in ${(r.wallMs / 1000).toFixed(1)} s`);
  if (r.skip) {
    // No adapter: a browser or machine without WebGPU. CI has one (SwiftShader), so there it fails.
    if (requireWebGpu) failed++;
    else skipped.push(mode);
    console.log(`  ${requireWebGpu ? 'FAIL' : 'SKIP'}  ${r.skip}${requireWebGpu ? ' (TENSORGRAD_REQUIRE_WEBGPU=1)' : ''}`);
    console.log(`        secure context ${r.info?.secure}, navigator.gpu ${r.info?.hasGpu ? 'present' : 'absent'}`);
  }
  if (r.info && mode !== 'webgpu') {
    const i = r.info;
    console.log(`  crossOriginIsolated ${i.crossOriginIsolated}, backend ${i.backend} (${i.variant}), threads ${i.threads}, cores ${i.hardwareConcurrency}`);
  }
  if (r.info?.adapter) console.log(`  adapter: ${r.info.adapter}; compared with the ${r.info.cpu} backend`);
  if (r.timings && mode !== 'webgpu') {
    const t = r.timings;
    console.log(`  ready ${t.readyMs} ms after navigation; matmul ${t.matmulMs} ms, conv2d fwd+bwd ${t.conv2dFwdBwdMs} ms, LeNet-5 step (batch 32) ${t.lenetStepMs} ms; all checks done at ${t.totalMs} ms`);
  }
  if (r.timings && mode === 'webgpu') {
    const t = r.timings;
    const parts = [['ready', t.readyMs], ['op checks', t.opsMs], ['conv net fwd+bwd', t.convNetFwdBwdMs],
      ['LeNet-5 step', t.lenetStepMs], ['training', t.lenetTrainMs], ['all checks', t.totalMs]];
    console.log(`  ${parts.filter(([, v]) => v !== undefined).map(([k, v]) => `${k} ${v} ms`).join(', ')}`);
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
console.log(`\nbrowser-check: ${failed ? `FAIL (${failed} failed)` : 'PASS'}${skipped.length ? ` (skipped: ${skipped.join(', ')})` : ''}`);
process.exit(failed ? 1 : 0);
