/**
 * Every program in examples/ runs to the end (with `from 'tensorgrad'` pointed at
 * this checkout's src/index.ts, as the doc blocks), and the spiral example learns.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, runAsUser } from './markdown.js';

const dir = mkdtempSync(join(tmpdir(), 'tg-examples-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const examples = readdirSync(join(ROOT, 'examples')).filter((f) => f.endsWith('.ts')).sort();

test('there are examples', () => assert.ok(examples.includes('spiral.ts')));

for (const name of examples) {
  test(`examples/${name} runs`, () => {
    const r = runAsUser(readFileSync(join(ROOT, 'examples', name), 'utf8'), join(dir, name.replace(/\.ts$/, '.mts')), dir);
    assert.equal(r.status, 0, `examples/${name} failed (exit ${r.status}):\n${r.stderr}`);
    if (name === 'spiral.ts') {
      const acc = [...r.stdout.matchAll(/train accuracy ([\d.]+)%/g)].map((m) => Number(m[1]));
      assert.ok(acc.length > 0 && acc[acc.length - 1]! >= 95, `spiral: final training accuracy ${acc[acc.length - 1]}% (expected >= 95%)\n${r.stdout}`);
    }
  });
}
