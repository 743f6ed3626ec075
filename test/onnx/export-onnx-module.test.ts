/**
 * exportModel of an imported graph (OnnxModule): `tg.onnx.exportModel(tg.onnx.loadModel(bytes), x)`
 * writes the graph again with the module's current weights. Checked after a
 * few fine-tuning steps (train mode: BN running statistics move too) and after
 * a head replacement, in onnxruntime-node against the module (<= 1e-4, two
 * batch sizes); `tensorgrad export` of an imported and of an ONNX-fine-tuned
 * run; options that would need a graph conversion are refused.
 */
import '../../src/index.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import onnxProto from 'onnx-proto';
import * as tg from '../../src/index.js';
import type { Tensor } from '../../src/index.js';
import { openRun } from '../../src/cli/run-folder.js';
import { replaceOnnxHead } from '../../src/cli/finetune-onnx.js';
import { cli } from '../cli/in-process.js';
import { maxAbsDiff, runOrt } from './export-helpers.js';

const { onnx } = onnxProto;
const FIX = join(import.meta.dirname, '../fixtures/onnx');

/** A few SGD steps in train mode on random data (cross-entropy on the graph's output). */
function finetune(m: tg.onnx.OnnxModule, shape: readonly number[], classes: number, steps = 3): void {
  m.train();
  const opt = new tg.optim.SGD(m.parameters(), { lr: 0.05, momentum: 0.9 });
  for (let i = 0; i < steps; i++) {
    const x = tg.randn([4, ...shape]);
    const y = tg.randint(0, classes, [4]);
    opt.zeroGrad();
    tg.F.crossEntropy(m.forward(x) as Tensor, y).backward();
    opt.step();
  }
  m.eval();
}

async function checkOrt(m: tg.onnx.OnnxModule, bytes: Uint8Array, shape: readonly number[], inputName = m.inputNames[0], batches = [2, 5]): Promise<number> {
  let worst = 0;
  for (const b of batches) {
    const x = tg.randn([b, ...shape]);
    const want = tg.noGrad(() => m.forward(x)) as Tensor;
    const got = await runOrt(bytes, x, inputName);
    assert.deepEqual([...got.dims], want.shape);
    const err = maxAbsDiff(want.data() as Float32Array, got.data);
    assert.ok(err <= 1e-4, `batch ${b}: max abs error ${err}`);
    worst = Math.max(worst, err);
  }
  return worst;
}

for (const [name, shape, classes] of [['lenet', [1, 12, 12], 5], ['resnet-tiny', [3, 12, 12], 4]] as const) {
  test(`${name}.onnx: imported, fine-tuned a few steps, exported: ORT matches the module`, async () => {
    tg.manualSeed(7);
    const src = new Uint8Array(readFileSync(join(FIX, `${name}.onnx`)));
    const m = tg.onnx.loadModel(src);
    const before = Object.fromEntries(Object.entries(m.stateDict()).map(([k, t]) => [k, Array.from(t.data())]));
    finetune(m, shape, classes);
    const bytes = tg.onnx.exportModel(m, tg.randn([1, ...shape]));
    // The weights in the file are the fine-tuned ones (and differ from the source's).
    const inits = new Map(onnx.ModelProto.decode(bytes).graph!.initializer!.map((t) => [t.name!, t]));
    let changed = 0;
    for (const [key, t] of Object.entries(m.stateDict())) {
      const init = inits.get(key);
      assert.ok(init, `initializer ${key}`);
      const data = new Float32Array(Uint8Array.from(init.rawData!).buffer);
      assert.deepEqual(Array.from(data), Array.from(t.data()), key);
      if (data.some((v, i) => v !== before[key]![i])) changed++;
    }
    assert.ok(changed > 0, 'fine-tuning moved some weights');
    await checkOrt(m, bytes, shape);
    // Round trip: loading the export gives the same outputs.
    const x = tg.randn([3, ...shape]);
    assert.deepEqual(Array.from((tg.onnx.loadModel(bytes).forward(x) as Tensor).data()), Array.from((m.forward(x) as Tensor).data()));
  });
}

test('a replaced head (3 classes instead of 5) is written with its new shape and output dim', async () => {
  tg.manualSeed(8);
  const m = tg.onnx.loadModel(join(FIX, 'lenet.onnx'));
  replaceOnnxHead(m, 3, [1, 12, 12]);
  finetune(m, [1, 12, 12], 3, 2);
  const bytes = tg.onnx.exportModel(m, tg.randn([2, 1, 12, 12]), { names: { input: 'pixels', output: 'logp' }, metadata: { 'tensorgrad.classes': '["a","b","c"]' } });
  const g = onnx.ModelProto.decode(bytes).graph!;
  assert.equal(g.input![0]!.name, 'pixels');
  assert.equal(g.output![0]!.name, 'logp');
  assert.equal(Number(g.output![0]!.type!.tensorType!.shape!.dim![1]!.dimValue), 3);
  const err = await checkOrt(m, bytes, [1, 12, 12], 'pixels');
  assert.ok(err <= 1e-4);
  const back = tg.onnx.loadModel(bytes);
  assert.deepEqual(back.metadata, { 'tensorgrad.classes': '["a","b","c"]' });
  // Without the option the file's metadata is kept; with it, replaced as a whole.
  assert.deepEqual(tg.onnx.loadModel(tg.onnx.exportModel(back, tg.randn([2, 1, 12, 12]))).metadata, { 'tensorgrad.classes': '["a","b","c"]' });
  assert.deepEqual(tg.onnx.loadModel(tg.onnx.exportModel(back, tg.randn([2, 1, 12, 12]), { metadata: { k: 'v' } })).metadata, { k: 'v' });
});

test('options an imported graph cannot honour are refused, not ignored', () => {
  const m = tg.onnx.loadModel(join(FIX, 'lenet.onnx'));
  const x = tg.randn([2, 1, 12, 12]);
  assert.throws(() => tg.onnx.exportModel(m, x, { opset: 18 }), /the imported graph is opset 17; exportModel writes an imported graph as it is and cannot convert it to opset 18/);
  const fixed = tg.onnx.loadModel(tg.onnx.exportModel(m, x, { dynamicBatch: false }));
  assert.deepEqual(fixed.inputShapes, [[2, 1, 12, 12]]);
  assert.throws(() => tg.onnx.exportModel(fixed, x, { dynamicBatch: true }), /fixed batch size 2; exportModel cannot make it dynamic/);
  assert.ok(tg.onnx.exportModel(fixed, x).length > 0, 'without the option the fixed batch is kept');
  assert.throws(() => tg.onnx.exportModel(m, tg.randn([2, 1, 28, 28])), /input 'input' must have shape \[\?, 1, 12, 12\]/);
});

test('tensorgrad export of an imported run and of a run fine-tuned from it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tg-onnx-reexport-'));
  try {
    const imported = join(dir, 'imported');
    assert.equal((await cli('import', join(FIX, 'lenet.onnx'), '--out', imported, '--dataset', 'mnist')).code, 0);
    const ft = join(dir, 'ft');
    const f = await cli('finetune', imported, '--classes', '5,6,7', '--per-class', '5', '--test-subset', '100', '--batch-size', '5', '--epochs', '1', '--out', ft);
    assert.equal(f.code, 0, f.stderr);
    // The fine-tuned run's own model.onnx describes the fine-tuned model (not the pretrained one).
    const ftMeta = tg.onnx.loadModel(join(ft, 'model.onnx')).metadata;
    assert.equal(ftMeta['tensorgrad.datasetClasses'], '[5,6,7]');
    assert.equal(ftMeta['tensorgrad.classes'], '["5","6","7"]');
    for (const [run, classes] of [[imported, 5], [ft, 3]] as const) {
      const file = join(dir, `${classes}.onnx`);
      const e = await cli('export', run, '--out', file);
      assert.equal(e.code, 0, e.stderr);
      assert.match(e.stdout, new RegExp(`opset 17\\): onnx, input 'input' \\[batch, 1, 12, 12\\].*\\[batch, ${classes}\\]`));
      const bytes = new Uint8Array(readFileSync(file));
      const model = openRun(run).model;
      tg.manualSeed(2);
      for (const b of [1, 4]) {
        const x = tg.randn([b, 1, 12, 12]);
        const want = tg.noGrad(() => model.forward(x)) as Tensor;
        const got = await runOrt(bytes, x);
        assert.deepEqual([...got.dims], [b, classes]);
        assert.ok(maxAbsDiff(want.data() as Float32Array, got.data) <= 1e-4);
      }
      const meta = tg.onnx.loadModel(bytes).metadata;
      if (classes === 3) assert.equal(meta['tensorgrad.datasetClasses'], '[5,6,7]');
    }
    const bad = await cli('export', ft, '--out', join(dir, 'x.onnx'), '--opset', '19');
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /cannot convert it to opset 19/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
