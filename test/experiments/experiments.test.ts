/**
 * Smoke tests of every experiment at the hidden 'smoke' scale (tiny sizes):
 * each writes report.md, results.csv, results.json and its plots, and they are
 * well-formed. The CLI is exercised through dist/ (built by `npm test`).
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
// The package entry installs Tensor's op methods (src/ops/methods.ts), which the experiments use.
import '../../src/index.js';
import { EXPERIMENTS, findExperiment } from '../../src/experiments/registry.js';
import { runExperiment, type RunResult } from '../../src/experiments/runner.js';
import { assertWellFormedXml, parseCsv } from './xml.js';

const root = resolve(import.meta.dirname, '../..');
const bin = join(root, 'dist/cli/main.js');
const cli = (...args: string[]) => spawnSync(process.execPath, [bin, 'experiment', ...args], { encoding: 'utf8', cwd: root });

let dir = '';
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'tg-experiments-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

const NAMES = ['depth', 'vanishing-gradients', 'activations', 'regularization', 'optimizers', 'filters', 'transfer'];

/** Checks the files of an experiment folder; returns the parsed results.json. */
function checkFolder(out: string, name: string): { rows: unknown[]; headline: string[]; summary: object; scale: string } {
  const report = readFileSync(join(out, 'report.md'), 'utf8');
  const json = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as { experiment: string; rows: unknown[]; headline: string[]; summary: object; scale: string; settings: object; seconds: number };
  assert.equal(json.experiment, name);
  assert.ok(json.headline.length > 0 && json.headline.every((h) => typeof h === 'string' && h.length > 10), 'headline lines');
  assert.ok(json.seconds >= 0 && Object.keys(json.settings).length > 0);
  // The report starts with the title and then the headline.
  const lines = report.split('\n');
  assert.match(lines[0]!, /^# \S/);
  assert.equal(lines[2], `**${json.headline[0]}**`);
  assert.match(report, /## Results\n\n\| .* \|\n\| --- \|/);
  // Every embedded or linked file exists; plots are well-formed SVG, pictures are PNG.
  const links = [...report.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]!).filter((f) => !/^https?:/.test(f));
  assert.ok(links.some((f) => f.endsWith('.svg')), 'at least one plot embedded');
  for (const f of new Set(links)) {
    const p = join(out, f);
    assert.ok(existsSync(p), `${name}: ${f} is referenced by report.md but missing`);
    if (f.endsWith('.svg')) assertWellFormedXml(readFileSync(p, 'utf8'), `${name}/${f}`);
    if (f.endsWith('.png')) assert.deepEqual([...readFileSync(p).subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], `${f} is a PNG`);
  }
  // results.csv: a header and one line per row of results.json, all of the same width.
  const csv = parseCsv(readFileSync(join(out, 'results.csv'), 'utf8'));
  assert.ok(csv.length >= 2, 'csv has data rows');
  assert.equal(csv.length - 1, json.rows.length);
  assert.ok(csv.every((r) => r.length === csv[0]!.length), 'csv rows have equal width');
  assert.ok(!readFileSync(join(out, 'results.json'), 'utf8').includes('NaN'));
  return json;
}

describe('experiments (smoke scale)', () => {
  test('the registry holds the seven experiments with settings for every scale', () => {
    assert.deepEqual(EXPERIMENTS.map((e) => e.name), NAMES);
    for (const e of EXPERIMENTS) {
      for (const s of ['smoke', 'quick', 'full'] as const) assert.ok(e.settings[s], `${e.name} has ${s} settings`);
      assert.ok(e.title && e.summary && e.description.length > 100, `${e.name} is described`);
    }
  });

  for (const name of NAMES) {
    test(`${name} writes a well-formed report folder`, async () => {
      const out = join(dir, name);
      const r: RunResult = await runExperiment(findExperiment(name)!, { scale: 'smoke', seed: 1, out, quiet: true });
      assert.equal(r.outDir, out);
      assert.ok(r.output.plots.length > 0);
      const json = checkFolder(out, name);
      assert.equal(json.scale, 'smoke');
      assert.deepEqual(json.headline, r.output.headline);
    });
  }

  test('filters writes a PNG per kernel and image, and contact sheets', () => {
    const out = join(dir, 'filters');
    for (const f of ['digit-sheet.png', 'pattern-sheet.png', 'digit-sheet.svg', 'pattern-sheet.svg', 'images/digit-sobel-x.png', 'images/pattern-gaussian-5x5.png']) {
      assert.ok(existsSync(join(out, f)), `${f} missing`);
    }
  });

  test('runs are reproducible for a seed', async () => {
    const a = await runExperiment(findExperiment('optimizers')!, { scale: 'smoke', seed: 3, out: join(dir, 'opt-a'), quiet: true });
    const b = await runExperiment(findExperiment('optimizers')!, { scale: 'smoke', seed: 3, out: join(dir, 'opt-b'), quiet: true });
    assert.deepEqual(a.output.rows, b.output.rows);
  });
});

describe('tensorgrad experiment (CLI)', () => {
  test('--list names every experiment', () => {
    const r = cli('--list');
    assert.equal(r.status, 0, r.stderr);
    for (const n of NAMES) assert.match(r.stdout, new RegExp(`^${n} `, 'm'));
  });

  test('runs an experiment into --out and prints the headline', () => {
    const out = join(dir, 'cli-filters');
    const r = cli('filters', '--smoke', '--out', out, '--seed', '2', '--backend', 'reference');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /report: .*report\.md/);
    checkFolder(out, 'filters');
  });

  test('user errors: unknown experiment, no name, conflicting scales, bad backend', () => {
    for (const [args, pattern] of [
      [['nope'], /^tensorgrad experiment: unknown experiment 'nope' \(available: depth, /],
      [[], /^tensorgrad experiment: name an experiment/],
      [['filters', '--full', '--smoke'], /^tensorgrad experiment: --full and --smoke exclude each other/],
      [['filters', '--smoke', '--backend', 'nope', '--out', join(dir, 'x')], /^tensorgrad experiment: unknown backend 'nope'/],
    ] as const) {
      const r = cli(...args);
      assert.equal(r.status, 1, `${args.join(' ')}: exit ${r.status}, stderr ${r.stderr}`);
      const lines = r.stderr.trim().split('\n');
      assert.equal(lines.length, 1, r.stderr);
      assert.match(lines[0]!, pattern);
    }
  });
});
