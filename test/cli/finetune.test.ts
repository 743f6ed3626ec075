// `tensorgrad finetune` end to end on a tiny MNIST run: LeNet-5 pretrained on
// digits 0-4 (`train --classes`), fine-tuned on 5-9 with 10 images per class,
// frozen up to features.3 with and without gradual unfreezing; the run folders
// open in `eval` (on digits 5-9 only) and frozen weights stay as pretrained.
// In-process through runCli (see in-process.ts).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import '../../src/index.js';
import { load } from '../../src/io/safetensors.js';
import { cli } from './in-process.js';

let dir = '';
let pre = '';
before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tg-cli-finetune-'));
  pre = join(dir, 'pre');
  const r = await cli('train', '--classes', '0,1,2,3,4', '--train-subset', '1000', '--test-subset', '200', '--epochs', '1', '--out', pre);
  assert.equal(r.code, 0, r.stderr);
});
after(() => rmSync(dir, { recursive: true, force: true }));

const few = ['--classes', '5,6,7,8,9', '--per-class', '10', '--test-subset', '300', '--batch-size', '10'];
const weights = (run: string) => Object.fromEntries(Object.entries(load(join(run, 'model.safetensors'))).map(([k, t]) => [k, Array.from(t.data())]));

test('train --classes keeps digits 0-4 relabelled, and eval selects the same classes', async () => {
  const config = JSON.parse(readFileSync(join(pre, 'config.json'), 'utf8')) as { numClasses: number; classes: string[]; datasetClasses: number[] };
  assert.equal(config.numClasses, 5);
  assert.deepEqual(config.classes, ['0', '1', '2', '3', '4']);
  assert.deepEqual(config.datasetClasses, [0, 1, 2, 3, 4]);
  const e = await cli('eval', pre, '--test-subset', '200', '--json');
  assert.equal(e.code, 0, e.stderr);
  const result = JSON.parse(e.stdout) as { total: number; confusion: number[][] };
  assert.equal(result.confusion.length, 5);
  assert.ok(result.total > 80 && result.total < 120, `digits 0-4 among the first 200 test images: ${result.total}`);

  // The classes are a setting of the checkpoint: resuming with others is refused.
  const resumed = await cli('train', '--resume', join(pre, 'checkpoint.safetensors'), '--classes', '0,1,2');
  assert.equal(resumed.code, 1);
  assert.match(resumed.stderr, /--classes 0,1,2 contradicts the checkpoint \(classes 0,1,2,3,4\)/);
  // Without the record of its classes, eval says why the labels do not fit instead of failing in the loss.
  const bare = join(dir, 'bare');
  mkdirSync(bare);
  const { datasetClasses: _dc, ...rest } = JSON.parse(readFileSync(join(pre, 'config.json'), 'utf8')) as Record<string, unknown>;
  writeFileSync(join(bare, 'config.json'), JSON.stringify(rest));
  copyFileSync(join(pre, 'model.safetensors'), join(bare, 'model.safetensors'));
  const noRecord = await cli('eval', bare, '--test-subset', '50');
  assert.equal(noRecord.code, 1);
  assert.match(noRecord.stderr, /the model has 5 outputs but the mnist test labels go up to 9; a model trained on some classes of the dataset needs them in config\.json \("datasetClasses"/);
});

test('finetune with --freeze features.3: frozen weights unchanged, new head, a run folder eval accepts', async () => {
  const out = join(dir, 'frozen');
  const r = await cli('finetune', pre, ...few, '--freeze', 'features.3', '--epochs', '2', '--out', out);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /new head 'classifier\.5' with 5 outputs; frozen features\.0, features\.3; 58,709 of 61,281 parameters trainable; sgd lr 0\.05 \(pretrained layers 0\.005\)/);
  const before = weights(pre), after = weights(out);
  for (const k of ['features.0.weight', 'features.0.bias', 'features.3.weight', 'features.3.bias']) assert.deepEqual(after[k], before[k], k);
  assert.notDeepEqual(after['classifier.1.weight'], before['classifier.1.weight'], 'the rest trains');
  const config = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8')) as { classes: string[]; datasetClasses: number[]; training: { frozenBlocks: string[] } };
  assert.deepEqual(config.classes, ['5', '6', '7', '8', '9']);
  assert.deepEqual(config.datasetClasses, [5, 6, 7, 8, 9]);
  assert.deepEqual(config.training.frozenBlocks, ['features.0', 'features.3']);
  const metrics = JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8')) as { test_accuracy: number }[];
  assert.equal(metrics.length, 2);
  const e = await cli('eval', out, '--test-subset', '300', '--json');
  assert.equal(e.code, 0, e.stderr);
  const result = JSON.parse(e.stdout) as { accuracy: number; confusion: number[][] };
  assert.equal(result.confusion.length, 5);
  assert.equal(result.accuracy, metrics[1]!.test_accuracy, 'eval measures what the run reported');
});

test('finetune --unfreeze-schedule gradual unfreezes features.3 then features.0, one per epoch', async () => {
  const out = join(dir, 'gradual');
  const r = await cli('finetune', pre, ...few, '--freeze', 'features.3', '--unfreeze-schedule', 'gradual', '--epochs', '3', '--out', out);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /epoch 2: unfreezing features\.3 \(61,125 parameters trainable\)/);
  assert.match(r.stderr, /epoch 3: unfreezing features\.0 \(61,281 parameters trainable\)/);
  const before = weights(pre), after = weights(out);
  assert.notDeepEqual(after['features.0.weight'], before['features.0.weight'], 'unfrozen in epoch 3, it trained');
  assert.equal((await cli('eval', out, '--test-subset', '100')).code, 0);
});

test('finetune from a model .safetensors with --model; the head size is read from the file', async () => {
  const out = join(dir, 'from-file');
  const r = await cli('finetune', join(pre, 'model.safetensors'), '--model', 'lenet5', ...few, '--epochs', '1', '--pretrained-lr-factor', '0', '--out', out);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /nothing frozen/);
  const before = weights(pre), after = weights(out);
  assert.deepEqual(after['features.0.weight'], before['features.0.weight'], 'pretrained lr 0: the body does not move');
});

test('finetune mistakes are one clear line each', async () => {
  const cases: [string[], RegExp][] = [
    [['--freeze', 'features.9'], /--freeze: LeNet5 has no module 'features\.9' \(module paths: features, features\.0/],
    [['--freeze', 'classifier'], /--freeze classifier would freeze the new classifier head 'classifier\.5'/],
    [['--unfreeze-schedule', 'gradual'], /--unfreeze-schedule gradual needs --freeze/],
    [['--num-classes', '3'], /--num-classes 3 differs from the 5 classes of the data/],
  ];
  for (const [args, message] of cases) {
    const r = await cli('finetune', pre, ...few, '--epochs', '1', '--out', join(dir, 'bad'), ...args);
    assert.equal(r.code, 1, args.join(' '));
    assert.match(r.stderr, message);
  }
  assert.equal(existsSync(join(dir, 'bad')), false, 'no empty run folder left behind');
  const perClass = await cli('finetune', pre, '--per-class', '3', '--out', join(dir, 'bad'));
  assert.match(perClass.stderr, /--per-class needs --classes/);
  const badClass = await cli('finetune', pre, '--classes', '5,x', '--out', join(dir, 'bad'));
  assert.match(badClass.stderr, /--classes: 'x' is not a class of the dataset \(indices 0 to 9/);
  const noConfig = await cli('finetune', join(dir, 'nothing.onnx'));
  assert.match(noConfig.stderr, /nothing\.onnx does not exist/);
});

test('finetune an ONNX file (torch.onnx.export fixture): new head in the graph, frozen initializers unchanged, model.onnx runs in ONNX Runtime', async () => {
  const { loadModel } = await import('../../src/onnx/import.js');
  const { openRun } = await import('../../src/cli/run-folder.js');
  const ort = await import('onnxruntime-node');
  const tg = await import('../../src/index.js');
  const source = join(import.meta.dirname, '../fixtures/onnx/lenet.onnx');
  const original = loadModel(source);
  const dims = original.inputShapes[0]!;
  const out = join(dir, 'onnx');
  const r = await cli('finetune', source, ...few, '--freeze', 'conv2', '--epochs', '2', '--out', out);
  assert.equal(r.code, 0, r.stderr);
  const config = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8')) as { model: string; numClasses: number; inputShape: number[] };
  assert.equal(config.model, 'onnx');
  assert.deepEqual(config.inputShape, dims.slice(1));
  const tuned = weights(out);
  const before = Object.fromEntries(Object.entries(original.stateDict()).map(([k, t]) => [k, Array.from(t.data())]));
  for (const k of ['conv1.weight', 'conv2.weight']) assert.deepEqual(tuned[k], before[k], `${k} frozen`);
  const e = await cli('eval', out, '--test-subset', '300', '--json');
  assert.equal(e.code, 0, e.stderr);
  const metrics = JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8')) as { test_accuracy: number }[];
  assert.equal((JSON.parse(e.stdout) as { accuracy: number }).accuracy, metrics[1]!.test_accuracy);
  // model.onnx alone is the fine-tuned model: ONNX Runtime agrees with the reopened run.
  tg.manualSeed(3);
  const x = tg.randn([3, ...(dims.slice(1) as number[])]);
  const run = openRun(out);
  const ours = (run.model.forward(x) as InstanceType<typeof tg.Tensor>).data();
  const session = await ort.InferenceSession.create(readFileSync(join(out, 'model.onnx')));
  const res = await session.run({ [session.inputNames[0]!]: new ort.Tensor('float32', Float32Array.from(x.data()), [3, ...(dims.slice(1) as number[])]) });
  const theirs = res[session.outputNames[0]!]!;
  assert.deepEqual(theirs.dims, [3, 5]);
  const diff = Math.max(...Array.from(ours, (v, i) => Math.abs(v - (theirs.data as Float32Array)[i]!)));
  assert.ok(diff < 1e-4, `max abs difference ${diff}`);
});
