/**
 * The experiment numbers quoted in the guide's Experiments page (docs/guide/experiments.md,
 * once a section of the README) come from `npm run readme:numbers`
 * (scripts/readme-numbers.ts): this test reruns the same quick experiments (seed 0, wasm
 * backend; about 15-30 s on 2 cores) and fails when a quoted cell differs from
 * what a fresh run gives, i.e. when a change of the code moved a number. The
 * full-run cells are checked against the recorded runs in docs/experiments/full.
 */
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import '../../src/index.js';
import { getBackend, setBackend } from '../../src/backend/current.js';
import { setFusedKernelsEnabled } from '../../src/ops/fused.js';
import { FULL_CELLS, markedNumbers, NUMBERS_PAGE, QUICK_EXPERIMENTS, recordedFullRuns, rewriteNumbers, runQuickExperiments } from '../../scripts/readme-numbers.js';
import { ROOT } from './markdown.js';

const readme = readFileSync(join(ROOT, NUMBERS_PAGE), 'utf8');
const dir = mkdtempSync(join(tmpdir(), 'tg-readme-numbers-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe(`experiment numbers (${NUMBERS_PAGE})`, () => {
  test('every quick experiment and recorded full run with numbers has a marked cell', () => {
    const expected = [...QUICK_EXPERIMENTS, ...Object.keys(FULL_CELLS).map((n) => `full-${n}`)];
    assert.deepEqual([...markedNumbers(readme).keys()].sort(), expected.sort());
  });

  test('the full-run cells equal the recorded runs in docs/experiments/full', () => {
    const fresh = markedNumbers(rewriteNumbers(readme, recordedFullRuns(ROOT)));
    for (const [name, cell] of markedNumbers(readme)) {
      if (name.startsWith('full-')) assert.equal(cell, fresh.get(name), `numbers of '${name}' in ${NUMBERS_PAGE} differ from docs/experiments/full: run npm run readme:numbers`);
    }
  });

  test('the quoted quick-run numbers equal a fresh run (else: npm run readme:numbers)', async () => {
    // The quoted numbers are the wasm backend's with its fused kernels (float32 sums in another
    // order than the reference's or the composites'), also when the suite runs with
    // TENSORGRAD_BACKEND=reference or TENSORGRAD_FUSED=0.
    const before = getBackend();
    setBackend('wasm');
    setFusedKernelsEnabled(true);
    try {
      const fresh = markedNumbers(rewriteNumbers(readme, await runQuickExperiments(dir)));
      for (const [name, cell] of markedNumbers(readme)) {
        if (!name.startsWith('full-')) assert.equal(cell, fresh.get(name), `numbers of '${name}' in ${NUMBERS_PAGE} drifted: run npm run readme:numbers`);
      }
    } finally {
      setBackend(before);
      setFusedKernelsEnabled(undefined);
    }
  });
});
