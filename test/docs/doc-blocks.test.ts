/**
 * Doc tests: every ```ts block of README.md and docs/**.md (the guide, docs/guide/, included;
 * but docs/tutorials) runs as written, with
 * `from 'tensorgrad'` pointed at this checkout's src/index.ts, in a temporary
 * working folder (so files it writes go nowhere else). A block that is a fragment
 * must say so with `<!-- doc-test: skip (reason) -->` on the line before its fence.
 */
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { codeBlocks, markdownFiles, runAsUser } from './markdown.js';
import { webgpuOrSkip } from '../helpers/webgpu.js';

const TS = new Set(['ts', 'typescript']);
// The tutorial chapters quote excerpts of their programs; the whole programs run in tutorials.test.ts.
const blocks = markdownFiles().filter((f) => !f.startsWith('docs/tutorials/')).flatMap(codeBlocks).filter((b) => TS.has(b.lang));
const dir = mkdtempSync(join(tmpdir(), 'tg-doc-blocks-'));
// A block that asks for the WebGPU backend runs where this machine has an adapter (CI: SwiftShader);
// elsewhere it says SKIP, as the other WebGPU tests do.
const needsGpu = (code: string) => /backend:\s*'webgpu'/.test(code);
const gpuMissing = blocks.some((b) => !b.skip && needsGpu(b.code)) && !(await webgpuOrSkip())
  ? 'no WebGPU adapter on this machine (see the # SKIP webgpu line)' : false;
after(() => rmSync(dir, { recursive: true, force: true }));

describe('TypeScript blocks of the documentation', () => {
  test('the README and the guide have blocks to run, and skips are rare and explained', () => {
    // The README keeps its first look; the guide has the rest (autograd, WebGPU, analysis, ONNX, weights, fine-tuning, training).
    assert.ok(blocks.filter((b) => b.file === 'README.md' && !b.skip).length >= 1, 'no block to run in README.md');
    assert.ok(blocks.filter((b) => b.file.startsWith('docs/guide/') && !b.skip).length >= 7, 'fewer than 7 blocks to run in docs/guide/');
    const skipped = blocks.filter((b) => b.skip);
    assert.ok(skipped.length <= 2, `too many skipped blocks: ${skipped.map((b) => `${b.file}:${b.line}`).join(', ')}`);
    for (const b of skipped) assert.ok(b.skip!.length > 5, `${b.file}:${b.line}: give a reason for skipping`);
  });

  for (const [i, b] of blocks.entries()) {
    if (b.skip) continue;
    test(`${b.file}:${b.line} runs`, { skip: needsGpu(b.code) && gpuMissing }, () => {
      const work = join(dir, `block-${i}`);
      mkdirSync(work);
      const r = runAsUser(b.code, join(dir, `block-${i}.mts`), work);
      assert.equal(r.status, 0, `${b.file}:${b.line} failed (exit ${r.status}${r.signal ? `, ${r.signal}` : ''}):\n${r.stderr}\n${r.stdout}`);
    });
  }
});

