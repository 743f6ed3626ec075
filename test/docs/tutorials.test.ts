/**
 * The tutorials (docs/tutorials): every program runs to the end with its quick
 * settings and produces every named output its chapter shows, and every
 * relative link and image of the chapters and of the index exists. Skipped in
 * the TENSORGRAD_BACKEND=reference and TENSORGRAD_FUSED=0 suite runs: those
 * test kernels, and the tutorials run on the user's default backend anyway.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { DIR, ROOT, outputMarkers, relativeLinks, runTutorial, tutorials } from '../../scripts/tutorials-lib.js';
import { chaptersWithNumbers, markedNumbers, recordedFullRuns, rewriteNumbers } from '../../scripts/readme-numbers.js';

const variantRun = process.env.TENSORGRAD_BACKEND === 'reference' || process.env.TENSORGRAD_FUSED === '0';
const all = tutorials();

describe('tutorials', { skip: variantRun && 'kernel-variant suite run' }, () => {
  test('tutorials come in pairs: NN-slug.ts with NN-slug.md, listed in the index', () => {
    assert.ok(all.length >= 5, `found ${all.length} tutorials`);
    const index = readFileSync(join(DIR, 'README.md'), 'utf8');
    for (const t of all) {
      assert.ok(existsSync(join(DIR, t.chapter)), `${t.file} has no chapter ${t.chapter}`);
      assert.ok(index.includes(`(${t.chapter})`), `docs/tutorials/README.md does not link ${t.chapter}`);
    }
  });

  test('relative links and images of the chapters exist', () => {
    const pages = [...all.map((t) => join(DIR, t.chapter)), join(DIR, 'README.md')];
    for (const page of pages) {
      for (const target of relativeLinks(readFileSync(page, 'utf8'))) {
        const path = join(dirname(page), decodeURIComponent(target));
        assert.ok(existsSync(path), `${relative(ROOT, page)} links to ${target}, which does not exist`);
      }
    }
  });

  test('numbers a chapter quotes from a recorded full experiment run equal that run (docs/experiments/full)', () => {
    const chapters = chaptersWithNumbers(ROOT);
    assert.ok(chapters.length >= 2, `chapters with <!-- numbers:full-NAME --> cells: ${chapters.join(', ')}`);
    const full = recordedFullRuns(ROOT);
    for (const chapter of chapters) {
      const text = readFileSync(join(ROOT, chapter), 'utf8');
      const cells = markedNumbers(text);
      for (const name of cells.keys()) assert.ok(full.has(name), `${chapter}: cell ${name} is not a recorded full run (${[...full.keys()].join(', ')})`);
      assert.deepEqual(cells, markedNumbers(rewriteNumbers(text, full)), `${chapter}: a quoted number differs from the recorded run; npm run readme:numbers rewrites it`);
    }
  });

  for (const t of all) {
    test(`${t.file} runs (quick settings) and produces its chapter's outputs`, () => {
      const r = runTutorial(t.file, { timeoutMs: 120_000 });
      assert.equal(r.status, 0, `${t.file} failed (exit ${r.status}${r.signal ? `, ${r.signal}` : ''}):\n${r.stderr}\n${r.stdout.slice(-2000)}`);
      const chapter = readFileSync(join(DIR, t.chapter), 'utf8');
      const missing = outputMarkers(chapter).filter((n) => !r.outputs.has(n));
      assert.deepEqual(missing, [], `${t.chapter} shows outputs that ${t.file} does not produce`);
      const linked = relativeLinks(chapter).filter((l) => l.startsWith('images/'));
      const notMade = linked.filter((l) => !r.images.includes(l));
      assert.deepEqual(notMade, [], `${t.chapter} links images that ${t.file} does not write`);
    });
  }
});
