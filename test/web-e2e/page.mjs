// Page-side steps of the playground's e2e test (scripts/web-e2e.mjs), written to the
// panels' documented selectors and data attributes (web/src/app/*-panel.ts):
//   .train  data-state, data-step, data-loss, data-first-loss, data-images-per-second,
//           data-test-accuracy, data-threads; form fields by name; button[name=start]
//   .draw   data-predicted, data-pending, data-model-version, data-step; canvas.pad, canvas.fmap[data-layer]
//   .inside canvas.filter, .inside-summary table
//   .ce     (convolution explorer) fields [data-setting=...], .ce-formula-line[data-dim][data-value], .ce-errors
//   button[name=save-weights], input[name=weights-file], .model-files-status
// Every function takes a playwright Page. Nothing runs at import.

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Median of a non-empty list. */
export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** The Train panel's data attributes, as numbers where they are numbers. */
async function trainData(page) {
  return page.evaluate(() => {
    const box = document.querySelector('.train');
    if (!box) return null;
    const d = box.dataset;
    const num = (v) => (v === undefined || v === '' ? undefined : Number(v));
    return {
      state: d.state, step: num(d.step), loss: num(d.loss), firstLoss: num(d.firstLoss),
      imagesPerSecond: num(d.imagesPerSecond), testAccuracy: num(d.testAccuracy), threads: num(d.threads),
      backend: d.backend, status: box.querySelector('.train-status')?.textContent ?? '',
      errors: Array.from(box.querySelectorAll('.train-errors li')).map((li) => li.textContent ?? ''),
    };
  });
}

/** Waits until the worker is ready (the Train panel leaves 'loading'); returns its data attributes. */
export async function waitReady(page, timeoutMs = 60_000) {
  await page.waitForSelector('.train[data-state]:not([data-state="loading"])', { timeout: timeoutMs });
  return trainData(page);
}

/**
 * Resets the Train panel (when there is a model), sets the form (LeNet-5, SGD), presses Start and follows the run to its end.
 * Speed: an observer in the page timestamps every progress update (data-step), so
 * images/s per epoch is exact over the epoch's training steps (the test pass after
 * each epoch is left out); epoch 1 is counted from `warmSteps` on. The figure is the
 * median over the epochs: on a 2-core machine single epochs vary by +-20 % (the page's
 * own rendering and the browser's processes share the cores with the training threads).
 * @example const r = await trainRun(page, { batchSize: 32, epochs: 3, lr: 0.05, lossStep: 300, trainCount: 12000 });
 */
export async function trainRun(page, { batchSize, epochs, lr, schedule = 'one-cycle', lossStep, trainCount, warmSteps = 60, timeoutMs = 120_000 }) {
  const field = (name) => page.locator(`.train [name="${name}"]`);
  // A fresh run: after a finished or loaded model, Start would train that model further.
  const reset = page.locator('.train button[name="reset"]');
  if (await reset.isEnabled()) {
    await reset.click();
    await page.waitForSelector('.train[data-state="idle"]', { timeout: 15_000 });
  }
  await field('model').selectOption('lenet5');
  await field('optimizer').selectOption('sgd'); // before lr: changing the optimizer puts its default lr in the field
  await field('lr').fill(String(lr));
  await field('schedule').selectOption(schedule);
  await field('batchSize').selectOption(String(batchSize));
  await field('epochs').fill(String(epochs));
  await field('seed').fill('0');
  await page.evaluate(() => {
    const box = document.querySelector('.train');
    const w = window;
    w.__e2eObserver?.disconnect();
    w.__e2eSteps = [];
    w.__e2eObserver = new MutationObserver(() => {
      const step = Number(box.dataset.step);
      const last = w.__e2eSteps[w.__e2eSteps.length - 1];
      if (box.dataset.firstLoss !== undefined && (!last || last[1] !== step)) w.__e2eSteps.push([performance.now(), step]);
    });
    w.__e2eObserver.observe(box, { attributes: true, attributeFilter: ['data-step'] });
  });
  await page.locator('.train button[name="start"]').click();
  // start() drops data-first-loss at once; the new run's first progress message sets it again.
  const t0 = Date.now();
  let d = await trainData(page);
  if (d.errors.length) throw new Error(`the Train form refused the settings: ${d.errors.join('; ')}`);
  let lossAt = null, panelRate = NaN;
  for (;;) {
    d = await trainData(page);
    if (/^Error/.test(d.status) || d.errors.length) throw new Error(`training failed: ${d.status} ${d.errors.join('; ')}`);
    if (d.firstLoss !== undefined && d.step !== undefined) {
      if (lossAt === null && d.step >= lossStep) lossAt = { step: d.step, loss: d.loss, firstLoss: d.firstLoss };
      if (d.imagesPerSecond !== undefined) panelRate = d.imagesPerSecond;
    }
    if (d.state === 'done' && d.testAccuracy !== undefined) break;
    if (Date.now() - t0 > timeoutMs) throw new Error(`training did not finish within ${timeoutMs / 1000} s (state ${d.state}, step ${d.step})`);
    await sleep(200);
  }
  const records = await page.evaluate(() => {
    window.__e2eObserver?.disconnect();
    return window.__e2eSteps;
  });
  const stepsPerEpoch = Math.ceil(trainCount / batchSize);
  const epochRates = [];
  for (let e = 1; e <= epochs; e++) {
    const lo = (e - 1) * stepsPerEpoch + (e === 1 ? warmSteps : 1), hi = e * stepsPerEpoch;
    const rs = records.filter(([, s]) => s >= lo && s <= hi);
    const [a, b] = [rs[0], rs[rs.length - 1]];
    epochRates.push(a && b && b[1] > a[1] ? ((b[1] - a[1]) * batchSize) / ((b[0] - a[0]) / 1000) : NaN);
  }
  const epochAccuracies = await page.evaluate(() => Array.from(document.querySelectorAll('.train-epochs tbody tr'))
    .map((tr) => Number.parseFloat(tr.cells[1]?.textContent ?? '') / 100));
  return {
    batchSize, epochs, steps: d.step, threads: d.threads, backend: d.backend,
    firstLoss: d.firstLoss, lossAt, finalLoss: d.loss, testAccuracy: d.testAccuracy, epochAccuracies,
    imagesPerSecond: median(epochRates.filter(Number.isFinite)), epochRates, panelImagesPerSecond: panelRate,
    seconds: (Date.now() - t0) / 1000,
  };
}

/**
 * Statistics of every canvas matching `selector`: size, data-layer / data-channel,
 * and whether its pixels vary (read back with getImageData).
 */
export async function canvasStats(page, selector) {
  return page.evaluate((sel) => Array.from(document.querySelectorAll(sel)).map((c) => {
    const out = { layer: c.dataset.layer ?? '', channel: c.dataset.channel ?? '', width: c.width, height: c.height, varies: false, error: '' };
    try {
      const ctx = c.getContext('2d');
      if (!ctx || !c.width || !c.height) return { ...out, error: 'no 2d context or empty size' };
      const px = new Uint32Array(ctx.getImageData(0, 0, c.width, c.height).data.buffer);
      out.varies = px.some((v) => v !== px[0]);
    } catch (e) {
      out.error = String(e);
    }
    return out;
  }), selector);
}

/** The Draw panel's data attributes. */
export async function drawData(page) {
  return page.evaluate(() => {
    const d = document.querySelector('.draw')?.dataset;
    return d ? { predicted: d.predicted, pending: d.pending, modelVersion: d.modelVersion, step: d.step } : null;
  });
}

/** Waits until the Draw panel has answered for the drawing on the pad (no request in flight, stable for 300 ms). */
export async function waitPrediction(page, timeoutMs = 20_000) {
  // Let the pad's change reach the panel (it may batch per frame) before looking at data-pending.
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => r()))));
  await sleep(100);
  const t0 = Date.now();
  for (;;) {
    try {
      await page.waitForFunction(() => {
        const d = document.querySelector('.draw')?.dataset;
        return !!d && d.pending !== '1' && d.predicted !== undefined && d.predicted !== '';
      }, null, { timeout: Math.max(1, timeoutMs - (Date.now() - t0)) });
    } catch {
      // Say what the panel shows instead (e.g. its error line), not just "timeout".
      const shown = await page.evaluate(() => Array.from(document.querySelectorAll('.draw [role="alert"], .draw .error'))
        .map((e) => e.textContent?.trim()).filter(Boolean).join(' / '));
      throw new Error(`no prediction from the Draw panel within ${timeoutMs / 1000} s (${JSON.stringify(await drawData(page))}${shown ? `; it shows: ${shown}` : ''})`);
    }
    const a = await drawData(page);
    await sleep(300);
    const b = await drawData(page);
    if (b.pending !== '1' && a.predicted === b.predicted && a.modelVersion === b.modelVersion) return b;
    if (Date.now() - t0 > timeoutMs) throw new Error('the Draw panel\'s prediction did not settle');
  }
}

/**
 * Replays strokes (pad pixels, as digitToStrokes makes them) with the mouse on
 * `.draw canvas.pad`, mapping pad pixels to the canvas's CSS box.
 */
export async function drawStrokes(page, strokes) {
  const pad = page.locator('.draw canvas.pad');
  await pad.scrollIntoViewIfNeeded();
  const box = await pad.boundingBox();
  if (!box) throw new Error('canvas.pad is not visible');
  const size = await pad.evaluate((c) => ({ w: c.width, h: c.height }));
  const at = (p) => [box.x + (p.x * box.width) / size.w, box.y + (p.y * box.height) / size.h];
  for (const s of strokes) {
    const [x0, y0] = at(s.points[0]);
    await page.mouse.move(x0, y0);
    await page.mouse.down();
    for (const p of s.points.slice(1)) {
      const [x, y] = at(p);
      await page.mouse.move(x, y, { steps: 4 });
    }
    await page.mouse.up();
  }
  return size;
}

/**
 * Sets the convolution explorer's controls and reads back what the page evaluated:
 * the formula's values per dim, the output grid's caption and the error list.
 */
export async function convExplorerRead(page, s) {
  const root = page.locator('#panel-convolution .ce');
  await root.locator('[data-setting="op"]').selectOption(s.op ?? 'conv');
  await root.locator('[data-setting="paddingMode"]').selectOption(s.paddingMode ?? 'zeros');
  for (const key of ['inputH', 'inputW', 'kernel', 'stride', 'padding', 'dilation']) {
    await root.locator(`input[data-setting="${key}"]`).fill(String(s[key]));
  }
  return root.evaluate((el) => {
    const value = (dim) => {
      const v = el.querySelector(`.ce-formula-line[data-dim="${dim}"]`)?.getAttribute('data-value');
      return v == null ? null : Number(v);
    };
    return {
      height: value('height'), width: value('width'),
      formula: Array.from(el.querySelectorAll('.ce-formula-line')).map((p) => p.textContent ?? ''),
      output: el.querySelector('[data-grid="output"] caption')?.textContent ?? '',
      errors: Array.from(el.querySelectorAll('.ce-errors li')).map((li) => li.textContent ?? ''),
    };
  });
}
