#!/usr/bin/env node
// Makes the playground screenshots (docs/playground/*.png, shown in docs/guide/playground.md)
// from the built site (run `npm run build:web` first): serves web/dist with COOP/COEP, trains
// LeNet-5 for 3 epochs in headless Chromium, draws a "5" by hand-like mouse strokes, shows top
// patches of features.3 and the X-pattern preset, and saves each view at 1280 px wide
// plus the Draw tab at phone size (390x844). Run with `node scripts/playground-screenshots.mjs`.
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { trainRun, waitPrediction, waitReady } from '../test/web-e2e/page.mjs';
import { serveStatic } from '../test/web-e2e/serve.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(ROOT, 'docs/playground');
mkdirSync(OUT, { recursive: true });
const site = await serveStatic(join(ROOT, 'web/dist'), { isolated: true });
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: ['--no-sandbox'] });
const errors = [];
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 });
  const page = await context.newPage();
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await page.goto(site.url);
  await waitReady(page);
  const r = await trainRun(page, { batchSize: 32, epochs: 3, lr: 0.05, lossStep: 300, trainCount: 12000 });
  console.log(`trained: test accuracy ${(r.testAccuracy * 100).toFixed(2)} %, ${Math.round(r.imagesPerSecond)} images/s`);
  const save = async (name) => {
    await page.evaluate(() => document.activeElement instanceof HTMLElement && document.activeElement.blur());
    await page.screenshot({ path: join(OUT, `${name}.png`) });
    console.log(`wrote docs/playground/${name}.png`);
  };
  await page.waitForTimeout(600); // the charts redraw at most 5x/s: let the last epoch's point land
  await save('train');

  // A "5" as a person draws it: the top bar, the stem, then the belly, in pad pixels (280x280).
  const strokes = [
    [[190, 62], [150, 60], [105, 62]],
    [[105, 62], [100, 100], [96, 138], [120, 126], [150, 124], [178, 138], [192, 165], [190, 195], [172, 222], [140, 234], [110, 228], [88, 212]],
  ];
  await page.click('#tab-draw');
  await page.locator('.draw input[type="checkbox"]').check();
  const pad = page.locator('.draw canvas.pad');
  const box = await pad.boundingBox();
  const at = ([x, y]) => [box.x + (x * box.width) / 280, box.y + (y * box.height) / 280];
  for (const s of strokes) {
    await page.mouse.move(...at(s[0]));
    await page.mouse.down();
    for (const p of s.slice(1)) await page.mouse.move(...at(p), { steps: 8 });
    await page.mouse.up();
  }
  const p = await waitPrediction(page);
  console.log(`the drawn 5 is read as ${p.predicted}`);
  await save('draw');

  await page.click('#tab-inside');
  await page.waitForSelector('.inside canvas.filter');
  await page.locator('select[name="unit-layer"]').selectOption('features.3');
  await page.click('button[name="show-units"]');
  await page.waitForSelector('.inside canvas.unit-image', { timeout: 30_000 });
  await page.locator('.unit-results').scrollIntoViewIfNeeded();
  await save('inside-units');
  await page.evaluate(() => window.scrollTo(0, 0));
  await save('inside');

  await page.click('#tab-convolution');
  await page.locator('#panel-convolution [data-setting="preset"]').selectOption('x-pattern');
  await save('convolution');

  await page.setViewportSize({ width: 390, height: 844 });
  await page.click('#tab-draw');
  await save('phone-draw');
} finally {
  await browser.close();
  await site.close();
}
if (errors.length) {
  console.error(`errors in the page:\n  ${errors.join('\n  ')}`);
  process.exit(1);
}
