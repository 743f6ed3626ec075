// gradcheck's report: returned always, printed with { verbose: true } only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tg from '../../src/index.js';

test('gradcheck prints its per-input report with { verbose: true } and is silent otherwise', () => {
  const lines: string[] = [];
  const log = console.log;
  console.log = (...a: unknown[]) => void lines.push(a.join(' '));
  try {
    const quiet = tg.autograd.gradcheck((a) => a.tanh(), [tg.randn([3])]);
    assert.equal(lines.length, 0);
    const loud = tg.autograd.gradcheck((a, b) => a.mul(b).sin(), [tg.randn([3]), tg.randn([3])], { verbose: true });
    assert.deepEqual(lines, [loud.report]);
    assert.ok(quiet.passed && loud.passed);
    assert.match(lines[0]!, /^gradcheck passed[\s\S]*input 0 \[3\]: ok[\s\S]*input 1 \[3\]: ok/);
  } finally {
    console.log = log;
  }
});
