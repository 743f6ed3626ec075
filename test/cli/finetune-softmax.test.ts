/**
 * `tensorgrad finetune` of an ONNX graph that ends in Softmax: cross-entropy on
 * probabilities would apply a second softmax (its loss can never go below
 * -log(e / (e + k - 1)), 0.905 for 5 classes, and its gradients are squashed),
 * so finetune trains on the Softmax's input, the logits, and says so; the run's
 * model.onnx keeps the Softmax, so the fine-tuned model still gives
 * probabilities. A graph ending in LogSoftmax or logits is left as it is.
 */
import '../../src/index.js';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tg from '../../src/index.js';
import type { Tensor } from '../../src/index.js';
import { trainOnLogits } from '../../src/cli/finetune-onnx.js';
import { openRun } from '../../src/cli/run-folder.js';
import { cli } from './in-process.js';

let dir = '';
let softmaxFile = '';
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'tg-ft-softmax-'));
  tg.manualSeed(0);
  const probs = new tg.nn.Sequential(tg.models.lenet5({ numClasses: 5 }), new tg.nn.Softmax(1));
  softmaxFile = join(dir, 'probs.onnx');
  writeFileSync(softmaxFile, tg.onnx.exportModel(probs.eval(), tg.randn([2, 1, 28, 28])));
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('trainOnLogits: forward gives the Softmax input; the graph keeps its output', () => {
  const m = tg.onnx.loadModel(softmaxFile);
  const x = tg.randn([3, 1, 28, 28]);
  const p = m.forward(x) as Tensor;
  const logits = trainOnLogits(m);
  assert.ok(logits);
  assert.equal(m.producerOf(m.outputNames[0]!)!.opType, 'Softmax');
  const z = m.forward(x) as Tensor;
  const again = tg.softmax(z, 1).data();
  Array.from(p.data()).forEach((v, i) => assert.ok(Math.abs(v - again[i]!) < 1e-6));
  m.setForwardOutputs(null);
  assert.deepEqual(Array.from((m.forward(x) as Tensor).data()), Array.from(p.data()));
  assert.equal(trainOnLogits(tg.onnx.loadModel(join(import.meta.dirname, '../fixtures/onnx/lenet.onnx'))), null, 'LogSoftmax output: unchanged');
  assert.throws(() => m.setForwardOutputs(['nope']), /expected the names of values computed by the graph's nodes \(got 'nope'\)/);
});

test('finetune of a Softmax-ended graph trains on the logits and saves the Softmax', async () => {
  const out = join(dir, 'ft');
  const r = await cli('finetune', softmaxFile, '--classes', '5,6,7,8,9', '--per-class', '20', '--test-subset', '200', '--batch-size', '10',
    '--epochs', '4', '--optimizer', 'adam', '--lr', '0.003', '--pretrained-lr-factor', '1', '--out', out);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /the ONNX graph ends in Softmax; training uses its input '[^']+' \(the logits\) with cross-entropy, and the saved model\.onnx keeps the Softmax/);
  const metrics = JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8')) as { train_loss: number }[];
  const last = metrics[metrics.length - 1]!.train_loss;
  // Below the floor of cross-entropy on 5 probabilities: only possible on logits.
  assert.ok(last < -Math.log(Math.E / (Math.E + 4)), `final train loss ${last}`);
  const run = openRun(out).model as tg.onnx.OnnxModule;
  assert.equal(run.producerOf(run.outputNames[0]!)!.opType, 'Softmax');
  const y = tg.noGrad(() => run.forward(tg.randn([2, 1, 28, 28]))) as Tensor;
  assert.deepEqual(y.shape, [2, 5]);
  const sums = tg.sum(y, 1).data();
  for (const s of sums) assert.ok(Math.abs(s - 1) < 1e-5, 'probabilities');
});

test('exportModel of a module set to return its logits still writes the graph with its Softmax output', async () => {
  const m = tg.onnx.loadModel(softmaxFile);
  trainOnLogits(m);
  const back = tg.onnx.loadModel(tg.onnx.exportModel(m, tg.randn([2, 1, 28, 28])));
  assert.equal(back.producerOf(back.outputNames[0]!)!.opType, 'Softmax');
  assert.ok(m.forwardOutputs, 'the module still returns its logits');
});
