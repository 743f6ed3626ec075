/**
 * `tensorgrad import model.onnx --out RUN`: writes a run folder (model.onnx,
 * model.safetensors, config.json with "model": "onnx") that openRun — and so
 * eval, viz, export and finetune — opens with the same outputs.
 */
import '../../src/index.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tg from '../../src/index.js';
import { loadModel } from '../../src/onnx/import.js';
import { openRun } from '../../src/cli/run-folder.js';
import { cli } from '../cli/in-process.js';

const FIXTURE = join(import.meta.dirname, '../fixtures/onnx/lenet.onnx');

test('import writes a run folder that openRun loads with identical outputs', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tg-import-'));
  try {
    const out = join(dir, 'run');
    const r = await cli('import', FIXTURE, '--out', out, '--dataset', 'mnist');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /imported .*lenet\.onnx: 8 initializers .* input \[N, 1, 12, 12\], 5 classes, mnist normalization/);
    for (const f of ['model.onnx', 'model.safetensors', 'config.json']) assert.ok(existsSync(join(out, f)), f);
    const config = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8'));
    assert.equal(config.model, 'onnx');
    assert.deepEqual(config.inputShape, [1, 12, 12]);
    assert.equal(config.numClasses, 5);
    const run = openRun(out);
    const x = tg.randn([3, 1, 12, 12]);
    const want = (loadModel(FIXTURE).forward(x) as tg.Tensor).data();
    assert.deepEqual(Array.from((run.model.forward(x) as tg.Tensor).data()), Array.from(want));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('import: clear errors for a non-ONNX file, an unknown dataset shape, a missing file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tg-import-'));
  try {
    const bad = join(dir, 'bad.onnx');
    writeFileSync(bad, 'this is not protobuf at all, just text\n');
    let r = await cli('import', bad, '--out', join(dir, 'a'));
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /import: .*bad\.onnx: onnx\.loadModel: not a valid ONNX file/);
    r = await cli('import', FIXTURE, '--out', join(dir, 'b'));
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /cannot tell the dataset of input \[1, 12, 12\]; give --dataset/);
    r = await cli('import', join(dir, 'missing.onnx'), '--out', join(dir, 'c'));
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /import: cannot read .*missing\.onnx/);
    assert.ok(!existsSync(join(dir, 'b', 'config.json')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
