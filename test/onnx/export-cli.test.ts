// `tensorgrad export RUN --format onnx --out model.onnx`, end to end: train a tiny run with
// the CLI, export it, run the file in onnxruntime-node and compare with the model that
// `tensorgrad eval` loads from the run folder (same normalized inputs, <= 1e-4).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tg from '../../src/index.js';
import type { Tensor } from '../../src/index.js';
import { openRun } from '../../src/cli/run-folder.js';
import { cli } from '../cli/in-process.js';
import { maxAbsDiff, runOrt } from './export-helpers.js';

let dir = '';
before(() => { dir = mkdtempSync(join(tmpdir(), 'tg-onnx-export-')); });
after(() => rmSync(dir, { recursive: true, force: true }));

describe('tensorgrad export', () => {
  test('a trained lenet5 run exports; ORT matches the run\'s model at batch 1 and 4', async () => {
    const run = join(dir, 'run');
    const t = await cli('train', '--model', 'lenet5', '--train-subset', '256', '--test-subset', '128', '--epochs', '1', '--out', run);
    assert.equal(t.code, 0, t.stderr);
    const out = join(dir, 'nested', 'lenet5.onnx');
    const e = await cli('export', run, '--format', 'onnx', '--out', out);
    assert.equal(e.code, 0, e.stderr);
    assert.match(e.stdout, /wrote .*lenet5\.onnx .*opset 17.*input 'input' \[batch, 1, 28, 28\].*mean \[/);
    assert.deepEqual(readdirSync(join(dir, 'nested')), ['lenet5.onnx'], 'no temporary file left');
    const bytes = new Uint8Array(readFileSync(out));
    const model = openRun(run).model;
    tg.manualSeed(1);
    for (const b of [1, 4]) {
      const x = tg.randn([b, 1, 28, 28]);
      const want = tg.noGrad(() => model.forward(x)) as Tensor;
      const got = await runOrt(bytes, x);
      assert.deepEqual([...got.dims], [b, 10]);
      assert.ok(maxAbsDiff(want.data() as Float32Array, got.data) <= 1e-4);
    }
  });

  test('--static-batch and --opset; errors are one line', async () => {
    const run = join(dir, 'run');
    if (!existsSync(run)) assert.equal((await cli('train', '--model', 'lenet5', '--train-subset', '256', '--test-subset', '128', '--epochs', '1', '--out', run)).code, 0);
    const out = join(dir, 'static.onnx');
    const e = await cli('export', run, '--out', out, '--static-batch', '--opset', '18');
    assert.equal(e.code, 0, e.stderr);
    assert.match(e.stdout, /opset 18.*\[1, 1, 28, 28\]/);
    const missing = await cli('export', join(dir, 'nope'), '--out', join(dir, 'x.onnx'));
    assert.equal(missing.code, 1);
    assert.match(missing.stderr.trim(), /^[^\n]*does not exist[^\n]*$/);
    assert.equal(existsSync(join(dir, 'x.onnx')), false);
  });
});
