#!/usr/bin/env node
// The browser benchmark: bundles bench/web/main.ts with esbuild (platform 'browser'),
// serves it with index.html and tensorgrad's wasm kernels on http://127.0.0.1 (a secure
// context, as WebGPU needs) with COOP/COEP headers (cross-origin isolated: wasm threads),
// opens it in Chromium through playwright-core, and prints the page's table: tensorgrad
// on WebGPU and WebAssembly beside TF.js on WebGL and WebGPU, with the adapter of each
// GPU column. Not part of the tests.
//
//   node bench/web/run.mjs [--quick] [--only W1,M1] [--columns tg-webgpu,tfjs-webgpu] [--no-save]
//   node bench/web/run.mjs --serve [--port 8080]   # serve only: open the printed URL in any browser
//
// Chromium: $CHROMIUM, else chromium / chromium-browser / google-chrome on PATH; flags
// --enable-unsafe-webgpu --no-sandbox (and --enable-unsafe-swiftshader, so WebGL falls back
// to SwiftShader on a machine without a GPU). The run is saved to bench/results/web-latest.json.
// Needs the wasm kernels built (npm run build, or node scripts/build-wasm.mjs).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { builtinModules } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '../..');
const wasmDir = join(root, 'src/backend/wasm/build');

function parseArgs(argv) {
  const opts = { quick: false, only: '', columns: '', save: true, serve: false, port: 0 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = (name) => (a === name ? argv[++i] : a.slice(name.length + 1)) ?? '';
    if (a === '--quick') opts.quick = true;
    else if (a === '--no-save') opts.save = false;
    else if (a === '--serve') opts.serve = true;
    else if (a === '--only' || a.startsWith('--only=')) opts.only = value('--only');
    else if (a === '--columns' || a.startsWith('--columns=')) opts.columns = value('--columns');
    else if (a === '--port' || a.startsWith('--port=')) opts.port = Number(value('--port'));
    else if (a === '--help' || a === '-h') {
      console.log('usage: node bench/web/run.mjs [--quick] [--only W1,W2,W3,M1,M2,K,K-big] [--columns tg-webgpu,tg-wasm,tfjs-webgl,tfjs-webgpu] [--no-save] | --serve [--port N]');
      process.exit(0);
    } else {
      console.error(`bench/web: unknown argument '${a}' (try --help)`);
      process.exit(2);
    }
  }
  return opts;
}

const opts = parseArgs(process.argv.slice(2));
if (!existsSync(join(wasmDir, 'kernels-simd.wasm'))) {
  console.error('bench/web: the wasm kernels are not built (run `node scripts/build-wasm.mjs` or `npm run build`)');
  process.exit(1);
}

// ---- bundle -----------------------------------------------------------------
// Node builtins are only reached behind isNode guards (dynamic imports): leave them external.
const builtin = new RegExp(`^(node:.*|${builtinModules.map((m) => m.replace(/[/]/g, '\\/')).join('|')})$`);
const t0 = performance.now();
const bundle = await esbuild.build({
  entryPoints: [join(here, 'main.ts')],
  bundle: true, platform: 'browser', format: 'esm', target: 'es2022', write: false, logLevel: 'error',
  plugins: [{ name: 'node-builtins', setup: (b) => b.onResolve({ filter: builtin }, (args) => ({ path: args.path, external: true })) }],
});
const code = bundle.outputFiles[0].text;
console.error(`bench/web: bundled bench/web/main.ts: ${(code.length / 2 ** 20).toFixed(1)} MiB in ${(performance.now() - t0).toFixed(0)} ms`);

// ---- server -----------------------------------------------------------------
const html = readFileSync(join(here, 'index.html'));
const isolation = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };
const server = createServer((req, res) => {
  const path = new URL(req.url ?? '/', 'http://x').pathname;
  const send = (type, body) => res.writeHead(200, { ...isolation, 'Content-Type': type, 'Cache-Control': 'no-store' }).end(body);
  if (path === '/' || path === '/index.html') return send('text/html', html);
  if (path === '/bundle.js') return send('text/javascript', code);
  if (path === '/favicon.ico') return res.writeHead(204, isolation).end();
  // tensorgrad's wasm loader fetches new URL('./build/<file>', import.meta.url), next to the bundle.
  const w = /^\/build\/(kernels-[a-z-]+\.wasm)$/.exec(path);
  if (w && existsSync(join(wasmDir, w[1]))) return send('application/wasm', readFileSync(join(wasmDir, w[1])));
  res.writeHead(404, isolation).end();
});
await new Promise((r) => server.listen(opts.port, '127.0.0.1', r));
const query = new URLSearchParams({ ...(opts.quick ? { quick: '1' } : {}), ...(opts.only ? { only: opts.only } : {}), ...(opts.columns ? { columns: opts.columns } : {}) });
const url = `http://127.0.0.1:${server.address().port}/${query.toString() ? `?${query}` : ''}`;
if (opts.serve) {
  console.log(`bench/web: serving on ${url} (Ctrl-C to stop)`);
  await new Promise(() => {});
}

// ---- browser ----------------------------------------------------------------
const which = (name) => spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).stdout.trim();
const executablePath = process.env.CHROMIUM ?? (which('chromium') || which('chromium-browser') || which('google-chrome'));
if (!executablePath) {
  console.error(`bench/web: no chromium on PATH (Debian: apt-get install chromium; or set CHROMIUM=/path/to/chrome). Open ${url} in a browser instead (--serve).`);
  server.close();
  process.exit(1);
}
const { chromium } = await import('playwright-core');
// --expose-gc and --single-threaded-gc: the harness collects the garbage of earlier blocks before each one (bench/harness.ts settle).
const browser = await chromium.launch({
  executablePath,
  args: ['--enable-unsafe-webgpu', '--enable-unsafe-swiftshader', '--no-sandbox', '--js-flags=--expose-gc --single-threaded-gc'],
});
let result;
try {
  const page = await browser.newPage();
  page.on('console', (m) => {
    if (m.text().startsWith('bench: ')) console.error(m.text());
    else if (m.type() === 'error' || m.type() === 'warning') console.error(`  page ${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => console.error(`  page error: ${e.message}`));
  await page.goto(url);
  const timeout = (opts.quick ? 10 : 90) * 60_000;
  await page.waitForFunction(() => window.__bench?.done === true, null, { timeout, polling: 500 });
  result = await page.evaluate(() => window.__bench);
} finally {
  await browser.close();
  server.close();
}

if (result.fatal) {
  console.error(`bench/web: the page failed: ${result.fatal}`);
  process.exit(1);
}
const version = spawnSync(executablePath, ['--version'], { encoding: 'utf8' }).stdout.trim();
console.log('');
console.log(`tensorgrad vs TensorFlow.js in ${version || executablePath} (headless), float32, median of interleaved blocks${result.quick ? ', --quick' : ''}`);
for (const [col, what] of Object.entries(result.columns)) console.log(`  ${col.padEnd(12)} ${what}`);
console.log('');
console.log(result.table);
console.log('');
if (opts.save) {
  const dir = join(root, 'bench/results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'web-latest.json'), JSON.stringify({ ...result, browser: version, options: opts }, null, 1) + '\n');
  console.log('saved to bench/results/web-latest.json');
}
console.log(`total ${result.durationS} s in the page`);
