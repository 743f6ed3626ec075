// makeDirs: creates missing parents one level at a time (Node 20's recursive
// mkdirSync hangs at 100% CPU on paths like /proc/x/y) and names the bad path.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeDirs } from '../../src/util/node.js';
import { TensorError } from '../../src/core/errors.js';

test('makeDirs creates what is missing and returns it; refuses files and impossible paths at once', { timeout: 10_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'tg-make-dirs-'));
  try {
    const target = join(dir, 'a', 'b', 'c');
    assert.deepEqual(makeDirs('test', target), [join(dir, 'a'), join(dir, 'a', 'b'), target]);
    assert.ok(existsSync(target));
    assert.deepEqual(makeDirs('test', target), [], 'nothing to create the second time');
    writeFileSync(join(dir, 'file'), 'x');
    const is = (pattern: RegExp) => (e: unknown) => e instanceof TensorError && pattern.test(e.message);
    assert.throws(() => makeDirs('writePng', join(dir, 'file', 'sub')), is(/^writePng: .*file is a file, not a folder$/));
    assert.throws(() => makeDirs('writePng', '/proc/tensorgrad-x/y'), is(/^writePng: cannot create the folder \/proc\/tensorgrad-x \((ENOENT|EACCES|EPERM)\)$/));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
