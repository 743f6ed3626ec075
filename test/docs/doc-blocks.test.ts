/**
 * Doc tests: every ```ts block of README.md and docs/**.md runs as written, with
 * `from 'tensorgrad'` pointed at this checkout's src/index.ts, in a temporary
 * working folder (so files it writes go nowhere else). A block that is a fragment
 * must say so with `<!-- doc-test: skip (reason) -->` on the line before its fence.
 */
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { codeBlocks, markdownFiles, ROOT } from './markdown.js';

/** The environment of a user's shell: the default backend (a suite run with TENSORGRAD_BACKEND=reference would take minutes here). */
const userEnv = { ...process.env };
delete userEnv.TENSORGRAD_BACKEND;
const TS = new Set(['ts', 'typescript']);
const blocks = markdownFiles().flatMap(codeBlocks).filter((b) => TS.has(b.lang));
const entry = pathToFileURL(join(ROOT, 'src/index.ts')).href;
const tsx = import.meta.resolve('tsx');
const dir = mkdtempSync(join(tmpdir(), 'tg-doc-blocks-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** The block with the package import pointed at the sources. */
function forSources(code: string): string {
  return code.replace(/from\s+(['"])tensorgrad\1/g, `from '${entry}'`);
}

describe('TypeScript blocks of the documentation', () => {
  test('the README has blocks to run, and skips are rare and explained', () => {
    assert.ok(blocks.filter((b) => b.file === 'README.md' && !b.skip).length >= 2);
    const skipped = blocks.filter((b) => b.skip);
    assert.ok(skipped.length <= 2, `too many skipped blocks: ${skipped.map((b) => `${b.file}:${b.line}`).join(', ')}`);
    for (const b of skipped) assert.ok(b.skip!.length > 5, `${b.file}:${b.line}: give a reason for skipping`);
  });

  for (const [i, b] of blocks.entries()) {
    if (b.skip) continue;
    test(`${b.file}:${b.line} runs`, () => {
      const work = join(dir, `block-${i}`);
      rmSync(work, { recursive: true, force: true });
      const file = join(dir, `block-${i}.mts`);
      writeFileSync(file, forSources(b.code));
      mkdirSync(work);
      const r = spawnSync(process.execPath, ['--import', tsx, file], { cwd: work, encoding: 'utf8', timeout: 120_000, env: userEnv });
      assert.equal(r.status, 0, `${b.file}:${b.line} failed (exit ${r.status}${r.signal ? `, ${r.signal}` : ''}):\n${r.stderr}\n${r.stdout}`);
    });
  }
});

