#!/usr/bin/env node
/**
 * Runs the tutorials (docs/tutorials/NN-slug.ts) and writes what they produce
 * into their chapters (docs/tutorials/NN-slug.md): each named output of the
 * program (`show(name, text)` in docs/tutorials/lib.ts) replaces the block
 * between `<!-- output:name -->` and `<!-- /output -->`, the line between
 * `<!-- settings -->` and `<!-- /settings -->` says how it was produced, and
 * the images go to docs/tutorials/images/. So every number and picture in a
 * chapter comes from the current code.
 *
 * A chapter may also show results of the course's settings: blocks
 * `<!-- output-full:name -->` ... `<!-- /output -->` and a line
 * `<!-- settings-full -->` ... `<!-- /settings -->`, which only a `--full` run
 * fills (it leaves the quick blocks and the images alone).
 *
 *   node --import tsx scripts/tutorials.mjs              # quick settings, every tutorial
 *   node --import tsx scripts/tutorials.mjs --full       # the full settings (minutes): the output-full blocks
 *   node --import tsx scripts/tutorials.mjs 02 04        # only these (number or slug substring)
 *
 * `from 'tensorgrad'` resolves to this checkout's src/index.ts (docs/tutorials/tsconfig.json `paths`).
 * The helpers live in scripts/tutorials-lib.ts (test/docs/tutorials.test.ts uses them too); run with tsx.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DIR, fillChapter, outputMarkers, runTutorial, tutorials } from './tutorials-lib.js';

function main(argv) {
  const full = argv.includes('--full');
  const filters = argv.filter((a) => !a.startsWith('--'));
  const chosen = tutorials().filter((t) => !filters.length || filters.some((f) => t.slug.startsWith(f) || t.slug.includes(f)));
  if (!chosen.length) throw new Error(`no tutorial matches ${filters.join(' ')}`);
  let failed = 0;
  for (const t of chosen) {
    process.stdout.write(`${t.file} (${full ? 'full' : 'quick'}) ... `);
    const r = runTutorial(t.file, { full, imageDir: full ? undefined : join(DIR, 'images') });
    if (r.status !== 0) {
      failed++;
      console.log(`FAILED (exit ${r.status}${r.signal ? `, ${r.signal}` : ''})\n${r.stderr}`);
      continue;
    }
    const path = join(DIR, t.chapter);
    const before = readFileSync(path, 'utf8');
    const cmd = `node --import tsx docs/tutorials/${t.file}${full ? ' --full' : ''}`;
    const line = `Produced by \`${cmd}\` (${full ? 'full' : 'quick'} settings) in ${r.seconds.toFixed(1)} s on the wasm backend; \`npm run docs:tutorials${full ? ' -- --full' : ''}\` regenerates it.`;
    const after = fillChapter(before, r.outputs, line, full);
    if (after !== before) writeFileSync(path, after);
    const unused = [...r.outputs.keys()].filter((n) => !outputMarkers(before, full).includes(n));
    console.log(`${r.seconds.toFixed(1)} s, ${r.outputs.size} outputs, ${r.images.length} images${unused.length ? ` (not in the chapter: ${unused.join(', ')})` : ''}`);
  }
  if (failed) process.exit(1);
}

main(process.argv.slice(2));
