#!/usr/bin/env node
// The static site's browser check (issue 16): builds the site (scripts/build-site.mjs),
// serves it from a local static server without COOP/COEP headers (as GitHub Pages or a
// plain file server would), and in headless Chromium opens the landing page, the README,
// the guide's index and every guide page, the API reference's index and one API page, the
// tutorials' index and every chapter, and the playground (on its Draw tab, #draw): each must load with no console error, page
// error, failed request or HTTP error, and show its content (a heading; the playground's
// worker gets ready, single-threaded). Saves screenshots to artifacts/site/.
//
// scripts/web-e2e.mjs (npm run test:web) runs it after the playground's own checks, with
// the playground it built (web/dist) copied into the site. Standalone:
//   node scripts/site-e2e.mjs                 builds site-dist/ (npm run build:site), then checks it
//   node scripts/site-e2e.mjs --no-build      checks the existing site-dist/
// Without a Chromium it prints SKIP and exits 0.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serveStatic } from '../test/web-e2e/serve.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Builds the site into `out` (with the playground copied from `playgroundFrom`, or built).
 * @returns {{ ok: boolean, seconds: number, output: string }}
 */
export function buildSite(out, playgroundFrom) {
  const t0 = Date.now();
  const args = ['scripts/build-site.mjs', '--out', out, ...(playgroundFrom ? ['--playground-from', playgroundFrom] : [])];
  const r = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8' });
  return { ok: r.status === 0, seconds: (Date.now() - t0) / 1000, output: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

/** The pages to open, relative to the site root: one API page, every tutorial chapter, every guide page. */
function pagesOf(site) {
  const html = (dir) => (existsSync(join(site, dir)) ? readdirSync(join(site, dir)).filter((f) => f.endsWith('.html')).sort() : []);
  const fn = html('api/functions');
  const apiPage = fn.includes('F.conv2d.html') ? 'api/functions/F.conv2d.html' : fn[0] ? `api/functions/${fn[0]}` : undefined;
  const chapters = html('tutorials').filter((f) => f !== 'index.html' && !f.endsWith('.ts.html')).map((f) => `tutorials/${f}`);
  const guide = html('guide').filter((f) => f !== 'index.html').map((f) => `guide/${f}`);
  return { apiPage, chapters, guide };
}

/**
 * Opens the pages of the built site `site` in `browser` and records one check per page
 * with `check(name, ok, detail)`. Screenshots go to `shotsDir`.
 * @returns {Promise<string[]>} the screenshots written
 */
export async function checkSite({ browser, site, check, log, shotsDir }) {
  mkdirSync(shotsDir, { recursive: true });
  const shots = [];
  const server = await serveStatic(site, { isolated: false });
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  try {
    const { apiPage, chapters, guide } = pagesOf(site);
    check('[site] an API page, tutorial chapters and guide pages to open', !!apiPage && chapters.length > 0 && guide.length > 0,
      `${apiPage ?? 'no api/functions/*.html'}; ${chapters.length} chapters; ${guide.length} guide pages`);
    const plan = [
      { path: 'index.html', heading: 'h1', shot: 'landing' },
      { path: 'readme.html', heading: 'h1' },
      { path: 'guide/index.html', heading: 'h1', shot: 'guide' },
      ...guide.map((path) => ({ path, heading: 'h1' })),
      { path: 'api/index.html', heading: 'h1, h2' },
      ...(apiPage ? [{ path: apiPage, heading: 'h1', shot: 'api' }] : []),
      { path: 'tutorials/index.html', heading: 'h1' },
      ...chapters.map((path, i) => ({ path, heading: 'h1', shot: i === 0 ? 'tutorial' : undefined })),
    ];
    for (const p of plan) {
      const page = await context.newPage();
      const problems = watchProblems(page);
      try {
        const t0 = Date.now();
        const res = await page.goto(server.url + p.path, { waitUntil: 'load', timeout: 30_000 });
        // Lazy images: scroll to the end so that every figure is requested (and checked).
        await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
        await page.waitForLoadState('networkidle', { timeout: 15_000 }).catch(() => {});
        const heading = ((await page.locator(p.heading).first().textContent({ timeout: 5_000 })) ?? '').replace(/^#/, '').trim();
        const images = await page.evaluate(() => [...document.images].filter((i) => i.complete && i.naturalWidth === 0).map((i) => i.getAttribute('src')));
        for (const src of images) problems.push(`image did not load: ${src}`);
        check(`[site] ${p.path}`, res?.ok() && heading && problems.length === 0,
          `"${heading.slice(0, 60)}" in ${Date.now() - t0} ms${problems.length ? `; ${problems.join('; ')}` : ''}`);
        if (p.shot) {
          await page.evaluate(() => window.scrollTo(0, 0));
          const file = join(shotsDir, `${p.shot}-1280x800.png`);
          await page.screenshot({ path: file });
          shots.push(file);
        }
      } catch (e) {
        check(`[site] ${p.path}`, false, String(e?.message ?? e).split('\n')[0]);
      }
      await page.close();
    }

    // The playground, from the site, on the tab the URL names.
    const page = await context.newPage();
    const problems = watchProblems(page);
    try {
      const t0 = Date.now();
      await page.goto(`${server.url}playground/#draw`, { waitUntil: 'load', timeout: 30_000 });
      // The Train panel is hidden behind the Draw tab: wait for its state, not its visibility.
      await page.waitForSelector('.train[data-state]:not([data-state="loading"])', { state: 'attached', timeout: 60_000 });
      const tab = await page.locator('#tab-draw').getAttribute('aria-selected');
      const threads = await page.locator('.train').getAttribute('data-threads').catch(() => null);
      const isolated = await page.evaluate(() => crossOriginIsolated);
      check('[site] playground/#draw', tab === 'true' && !isolated && problems.length === 0,
        `worker ready in ${Date.now() - t0} ms, Draw tab selected: ${tab}, cross-origin isolated: ${isolated}${threads ? `, ${threads} thread(s)` : ''}`
        + `${problems.length ? `; ${problems.join('; ')}` : ''}`);
    } catch (e) {
      check('[site] playground/#draw', false, `${String(e?.message ?? e).split('\n')[0]}${problems.length ? `; ${problems.join('; ')}` : ''}`);
    }
    await page.close();
  } finally {
    await context.close();
    await server.close();
  }
  for (const s of shots) log(`screenshot ${relative(ROOT, s)}`);
  return shots;
}

async function main() {
  const log = (msg) => console.log(`site-e2e: ${msg}`);
  const which = (name) => spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).stdout.trim();
  const browserPath = process.env.CHROMIUM
    || (existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : which('chromium') || which('chromium-browser') || which('google-chrome'));
  if (!browserPath) {
    log('SKIP: no Chromium found (Debian/Ubuntu `apt-get install chromium`; or set CHROMIUM=/path/to/chrome)');
    return 0;
  }
  const t0 = Date.now();
  const site = join(ROOT, 'site-dist');
  if (!process.argv.includes('--no-build')) {
    const b = buildSite(site);
    if (!b.ok) { process.stdout.write(b.output); log('FAIL: the site did not build'); return 1; }
    log(`built site-dist/ in ${b.seconds.toFixed(1)} s`);
  }
  if (!existsSync(join(site, 'index.html'))) { log('FAIL: site-dist/index.html is missing (npm run build:site)'); return 1; }
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: browserPath, args: process.getuid?.() === 0 ? ['--no-sandbox'] : [] });
  const checks = [];
  const check = (name, ok, detail = '') => { checks.push({ name, ok: !!ok }); log(`${ok ? 'PASS' : 'FAIL'} ${name}${detail ? `: ${detail}` : ''}`); };
  try {
    const shotsDir = join(ROOT, 'artifacts/site');
    rmSync(shotsDir, { recursive: true, force: true });
    await checkSite({ browser, site, check, log, shotsDir });
  } finally {
    await browser.close();
  }
  const failed = checks.filter((c) => !c.ok);
  log(`${failed.length ? 'FAIL' : 'PASS'}: ${checks.length - failed.length} passed, ${failed.length} failed in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return failed.length ? 1 : 0;
}

if (import.meta.url === `file://${process.argv[1]}`) process.exit(await main());

/** Collects a page's console errors, uncaught exceptions, failed requests and HTTP errors as they happen. */
function watchProblems(page) {
  const problems = [];
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText ?? ''}`));
  page.on('response', (r) => { if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`); });
  return problems;
}
