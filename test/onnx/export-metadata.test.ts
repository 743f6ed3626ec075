/**
 * Classes and preprocessing travel with the model: `tensorgrad export` writes
 * the run's dataset, class names, dataset classes (--classes), normalization
 * and input shape into ModelProto.metadata_props, `tensorgrad import` reads
 * them into config.json, so `eval` of the imported run of a model trained on
 * digits 0-4 uses digits 0-4. A file without metadata keeps the old behaviour;
 * bad metadata values are ignored with a warning naming the key. Library side:
 * exportModel's `metadata` option and OnnxModule.metadata, both bounded.
 */
import '../../src/index.js';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import onnxProto from 'onnx-proto';
import * as tg from '../../src/index.js';
import { saveRun, type RunConfig } from '../../src/cli/run-folder.js';
import { cli } from '../cli/in-process.js';

const { onnx } = onnxProto;
let dir = '';
let run = '';
const MNIST = { mean: [0.1307], std: [0.3081] };

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'tg-onnx-meta-'));
  // A LeNet-5 run "trained" on digits 0-4 (random weights: only the bookkeeping is tested).
  run = join(dir, 'pre04');
  tg.manualSeed(0);
  const model = tg.models.lenet5({ numClasses: 5 });
  const config: RunConfig = {
    format: 'tensorgrad-run', version: 1, model: 'lenet5', dataset: 'mnist', numClasses: 5,
    classes: ['0', '1', '2', '3', '4'], inputShape: [1, 28, 28], normalize: MNIST, datasetClasses: [0, 1, 2, 3, 4],
  };
  mkdirSync(run);
  saveRun(run, config, model);
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** The file's metadata_props as a record. */
function metaOf(bytes: Uint8Array): Record<string, string> {
  return Object.fromEntries((onnx.ModelProto.decode(bytes).metadataProps ?? []).map((p) => [p.key, p.value]));
}
/** `bytes` with metadata_props replaced. */
function withMeta(bytes: Uint8Array, meta: [string, string][]): Uint8Array {
  const m = onnx.ModelProto.decode(bytes);
  m.metadataProps = meta.map(([key, value]) => onnx.StringStringEntryProto.create({ key, value }));
  return onnx.ModelProto.encode(m).finish();
}
const configOf = (r: string) => JSON.parse(readFileSync(join(r, 'config.json'), 'utf8')) as RunConfig;

describe('tensorgrad export -> import keeps classes and normalization', () => {
  test('a run trained with --classes 0,1,2,3,4: the imported run evaluates on digits 0-4 like the original', async () => {
    const file = join(dir, 'pre04.onnx');
    const e = await cli('export', run, '--out', file);
    assert.equal(e.code, 0, e.stderr);
    const meta = metaOf(new Uint8Array(readFileSync(file)));
    assert.equal(meta['tensorgrad.dataset'], 'mnist');
    assert.deepEqual(JSON.parse(meta['tensorgrad.classes']!), ['0', '1', '2', '3', '4']);
    assert.deepEqual(JSON.parse(meta['tensorgrad.datasetClasses']!), [0, 1, 2, 3, 4]);
    assert.deepEqual(JSON.parse(meta['tensorgrad.normalize']!), MNIST);
    assert.deepEqual(JSON.parse(meta['tensorgrad.inputShape']!), [1, 28, 28]);

    const imported = join(dir, 'pre04-onnx');
    const i = await cli('import', file, '--out', imported);
    assert.equal(i.code, 0, i.stderr);
    assert.equal(i.stderr, '', 'no warnings');
    assert.match(i.stdout, /5 classes \(mnist classes 0,1,2,3,4\), mnist normalization from the file/);
    const c = configOf(imported);
    assert.equal(c.model, 'onnx');
    assert.deepEqual(c.datasetClasses, [0, 1, 2, 3, 4]);
    assert.deepEqual(c.classes, ['0', '1', '2', '3', '4']);
    assert.deepEqual(c.normalize, MNIST);

    const a = await cli('eval', run, '--test-subset', '200', '--json');
    const b = await cli('eval', imported, '--test-subset', '200', '--json');
    assert.equal(a.code, 0, a.stderr);
    assert.equal(b.code, 0, b.stderr);
    const ra = JSON.parse(a.stdout) as { total: number; accuracy: number; confusion: number[][] };
    const rb = JSON.parse(b.stdout) as typeof ra;
    assert.equal(rb.confusion.length, 5);
    assert.equal(rb.total, ra.total);
    assert.equal(rb.accuracy, ra.accuracy);
    assert.deepEqual(rb.confusion, ra.confusion);
  });

  test('without metadata: as before (all classes assumed; eval of a 5-class model says why it cannot)', async () => {
    const file = join(dir, 'bare.onnx');
    writeFileSync(file, withMeta(new Uint8Array(readFileSync(join(dir, 'pre04.onnx'))), []));
    const imported = join(dir, 'bare');
    const i = await cli('import', file, '--out', imported);
    assert.equal(i.code, 0, i.stderr);
    const c = configOf(imported);
    assert.equal(c.datasetClasses, undefined);
    assert.deepEqual(c.classes, ['0', '1', '2', '3', '4']);
    const e = await cli('eval', imported, '--test-subset', '50');
    assert.equal(e.code, 1);
    assert.match(e.stderr, /needs them in config\.json \("datasetClasses"/);
  });

  test('hostile metadata: each bad value is ignored with a warning naming the key; the import falls back', async () => {
    const src = new Uint8Array(readFileSync(join(dir, 'pre04.onnx')));
    const file = join(dir, 'hostile.onnx');
    writeFileSync(file, withMeta(src, [
      ['tensorgrad.dataset', 'mnist'],
      ['tensorgrad.datasetClasses', '[0, 1, 2, 3, 99]'],
      ['tensorgrad.classes', '{not json'],
      ['tensorgrad.normalize', JSON.stringify({ mean: [0.1], std: [-1] })],
      ['tensorgrad.inputShape', 'x'.repeat(70_000)],
      ['other.key', 'kept, unread'],
    ]));
    const imported = join(dir, 'hostile');
    const i = await cli('import', file, '--out', imported);
    assert.equal(i.code, 0, i.stderr);
    assert.match(i.stderr, /warning: import: metadata 'tensorgrad\.datasetClasses' is not 5 different class indices of mnist \(0 to 9\): ignored/);
    assert.match(i.stderr, /'tensorgrad\.classes' is not valid JSON: ignored/);
    assert.match(i.stderr, /'tensorgrad\.normalize' is not \{ mean, std \} with 1 finite numbers each/);
    assert.match(i.stderr, /'tensorgrad\.inputShape' has 70000 characters \(more than 65536\): ignored/);
    const c = configOf(imported);
    assert.equal(c.datasetClasses, undefined);
    assert.deepEqual(c.normalize, MNIST, 'the dataset\'s own');

    // An unknown dataset name is ignored (the input shape's guess is used); --dataset wins over the file's.
    writeFileSync(file, withMeta(src, [['tensorgrad.dataset', 'imagenet-22k'], ['tensorgrad.datasetClasses', '[0,1,2,3,4]']]));
    const j = await cli('import', file, '--out', join(dir, 'unknown-ds'));
    assert.equal(j.code, 0, j.stderr);
    assert.match(j.stderr, /'tensorgrad\.dataset' names no known dataset \("imagenet-22k"/);
    assert.equal(configOf(join(dir, 'unknown-ds')).dataset, 'mnist');
    writeFileSync(file, withMeta(src, [['tensorgrad.dataset', 'mnist'], ['tensorgrad.datasetClasses', '[0,1,2,3,4]']]));
    const k = await cli('import', file, '--out', join(dir, 'flag'), '--dataset', 'fashion-mnist');
    assert.equal(k.code, 0, k.stderr);
    assert.match(k.stderr, /says the model was trained on mnist; --dataset fashion-mnist wins/);
    assert.equal(configOf(join(dir, 'flag')).datasetClasses, undefined);
  });
});

describe('exportModel metadata option and OnnxModule.metadata', () => {
  const model = () => { tg.manualSeed(1); return tg.models.mlp({ sizes: [4, 3] }); };
  test('written to metadata_props and read back by loadModel', () => {
    const bytes = tg.onnx.exportModel(model(), tg.randn([2, 4]), { metadata: { 'tensorgrad.classes': '["a","b","c"]', note: 'héllo' } });
    assert.deepEqual(metaOf(bytes), { 'tensorgrad.classes': '["a","b","c"]', note: 'héllo' });
    assert.deepEqual(tg.onnx.loadModel(bytes).metadata, { 'tensorgrad.classes': '["a","b","c"]', note: 'héllo' });
    assert.deepEqual(tg.onnx.loadModel(tg.onnx.exportModel(model(), tg.randn([2, 4]))).metadata, {});
  });
  test('bad metadata options are clear errors', () => {
    const x = tg.randn([2, 4]);
    const cases: [unknown, RegExp][] = [
      [{ k: 1 }, /metadata\['k'\] must be a string \(got 1\)/],
      [{ '': 'v' }, /metadata keys must have 1 to 256 characters/],
      [{ k: 'x'.repeat(2 ** 20 + 1) }, /metadata\['k'\] has 1048577 characters, more than 1048576/],
      [Object.fromEntries(Array.from({ length: 1025 }, (_, i) => [`k${i}`, ''])), /metadata has 1025 entries, more than 1024/],
      ['text', /metadata must be an object of string values/],
    ];
    for (const [metadata, re] of cases) assert.throws(() => tg.onnx.exportModel(model(), x, { metadata } as tg.onnx.ExportOptions), re);
  });
  test('loadModel refuses a key given twice and absurd metadata', () => {
    const bytes = tg.onnx.exportModel(model(), tg.randn([2, 4]));
    assert.throws(() => tg.onnx.loadModel(withMeta(bytes, [['a', '1'], ['a', '2']])), /metadata_props key 'a' appears twice/);
    const many = Array.from({ length: 10_001 }, (_, i) => [`k${i}`, ''] as [string, string]);
    assert.throws(() => tg.onnx.loadModel(withMeta(bytes, many)), /10001 metadata_props entries is above the limit of 10000/);
  });
});
