// `tensorgrad report RUN` and `train --report`, in-process through runCli on a
// LeNet-5 trained here for one short epoch: one self-contained HTML file with
// every section, images as data: URIs and charts as inline SVG, the same
// bytes when run again, and the one-line errors. The time taken is printed.
import '../../src/index.js';
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli, type Result } from './in-process.js';

let dir = '';
let run = '';

function assertUserError(r: Result, pattern: RegExp): void {
  assert.equal(r.code, 1, `exit ${r.code}; stderr:\n${r.stderr}`);
  assert.equal(r.stderr.split('\n').length, 2, `expected one line, got:\n${r.stderr}`);
  assert.match(r.stderr.trim(), pattern);
  assert.doesNotMatch(r.stderr, /internal error|\n\s+at /);
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tg-cli-report-'));
  run = join(dir, 'run');
  const r = await cli('train', '--model', 'lenet5', '--optimizer', 'adam', '--scheduler', 'none', '--batch-size', '50',
    '--train-subset', '300', '--test-subset', '150', '--epochs', '1', '--snapshot-epochs', '1', '--report', '--out', run);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /report written to .*report\.html/);
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('train --report writes RUN/report.html with every section, self-contained', () => {
  const html = readFileSync(join(run, 'report.html'), 'utf8');
  for (const id of ['summary', 'curves', 'confusion', 'filters', 'maps', 'top', 'saliency', 'evolution']) {
    assert.match(html, new RegExp(`<section id="${id}">`), `section ${id}`);
  }
  assert.ok((html.match(/<img src="data:image\/png;base64,/g) ?? []).length >= 20, 'PNG images inlined');
  assert.ok((html.match(/<svg /g) ?? []).length >= 4, 'charts inline (curves, confusion, per-class, misclassified)');
  // Self-contained: nothing fetched from elsewhere.
  assert.doesNotMatch(html, /(src|href)="(https?:|file:|\/)/);
  // The summary table with receptive fields: LeNet-5's second conv sees 14x14 pixels, jump 2.
  assert.match(html, /<td>features\.3<\/td><td>Conv2d<\/td><td>\[1, 16, 10, 10\]<\/td><td class="num">2,416<\/td><td class="num">[\d,]+<\/td><td class="num">14<\/td><td class="num">2<\/td>/);
  assert.match(html, /confusion matrix on 150 test images/, 'scans the run\'s own test subset');
});

test('report RUN --out FILE: the same bytes again; time printed', async () => {
  const a = join(dir, 'a.html'), b = join(dir, 'b.html');
  const t0 = performance.now();
  const r = await cli('report', run, '--out', a, '--limit', '100');
  const seconds = (performance.now() - t0) / 1000;
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, `${a}\n`);
  assert.match(r.stderr, /^report written in [\d.]+ s\n$/);
  console.log(`# tensorgrad report (LeNet-5, 100 test images): ${seconds.toFixed(1)} s`);
  assert.equal((await cli('report', run, '--out', b, '--limit', '100', '--quiet')).code, 0);
  assert.ok(readFileSync(a).equals(readFileSync(b)), 'deterministic');
});

test('report errors: no metrics, not a run folder', async () => {
  const bare = join(dir, 'bare');
  cpSync(run, bare, { recursive: true });
  rmSync(join(bare, 'metrics.json'));
  rmSync(join(bare, 'report.html'));
  assertUserError(await cli('report', bare), /^tensorgrad report: the run folder .*bare has no metrics\.json/);
  assert.ok(!existsSync(join(bare, 'report.html')));
  assertUserError(await cli('report', join(dir, 'nope')), /^tensorgrad report: .*nope is not a run folder/);
});
