// `tensorgrad viz RUN_OR_MODEL <view>` and `train --snapshot-epochs`, in-process
// through runCli on a LeNet-5 run trained here for two short epochs (300
// MNIST images), plus a residual zoo model (resnet20) with --weights: files
// written where promised, PNG sizes, deterministic bytes for a seed, and every
// user error as one line with exit 1.
import '../../src/index.js';
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import * as tg from '../../src/index.js';
import { snapshotEpochsFlag } from '../../src/cli/snapshots.js';
import { createScanProgress } from '../../src/cli/progress.js';
import { cli, type Result } from './in-process.js';

let dir = '';
let run = '';
const tiny = ['--model', 'lenet5', '--optimizer', 'adam', '--scheduler', 'none', '--batch-size', '50', '--train-subset', '300', '--test-subset', '200'];

/** Width and height from a PNG's IHDR chunk. */
function pngSize(file: string): [number, number] {
  const b = readFileSync(file);
  assert.equal(b.subarray(1, 4).toString('latin1'), 'PNG', `${file} is not a PNG`);
  return [b.readUInt32BE(16), b.readUInt32BE(20)];
}

/** The paths a successful viz printed (one a line), each checked to exist. */
function written(r: Result): string[] {
  assert.equal(r.code, 0, r.stderr);
  const paths = r.stdout.trim().split('\n');
  for (const p of paths) assert.ok(existsSync(p) && statSync(p).size > 0, `${p} missing or empty`);
  return paths;
}

/** Exit 1 with exactly one line `tensorgrad <cmd>: ...` matching `pattern`, no stack. */
function assertUserError(r: Result, cmd: string, pattern: RegExp): void {
  assert.equal(r.code, 1, `exit ${r.code}; stderr:\n${r.stderr}`);
  const lines = r.stderr.split('\n');
  assert.equal(lines.length, 2, `expected one line, got:\n${r.stderr}`);
  assert.ok(lines[0]!.startsWith(`tensorgrad ${cmd}: `), r.stderr);
  assert.match(lines[0]!, pattern);
  assert.doesNotMatch(r.stderr, /internal error|\n\s+at /);
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tg-cli-viz-'));
  run = join(dir, 'run');
  const r = await cli('train', ...tiny, '--epochs', '2', '--snapshot-epochs', '2,1', '--out', run);
  assert.equal(r.code, 0, r.stderr);
  const { images } = tg.data.loadMnist({ split: 'test' });
  tg.data.writePng(join(dir, 'digit.png'), images.select(0, 3));
  tg.data.writePng(join(dir, 'big.png'), tg.zeros([1, 32, 32]));
  tg.data.writePng(join(dir, 'rgb.png'), tg.zeros([3, 28, 28]).add(0.5));
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe('train --snapshot-epochs', () => {
  test('keeps the listed epochs as safetensors in RUN/snapshots', () => {
    for (const e of [1, 2]) assert.ok(existsSync(join(run, 'snapshots', `epoch-${e}.safetensors`)));
    // The last snapshot is the final model.
    const last = tg.io.load(join(run, 'snapshots', 'epoch-2.safetensors'));
    const model = tg.io.load(join(run, 'model.safetensors'));
    assert.deepEqual([...last['features.0.weight']!.data()], [...model['features.0.weight']!.data()]);
  });
  test('the flag is parsed and validated', async () => {
    assert.deepEqual(snapshotEpochsFlag('10, 1,2,5,2'), [1, 2, 5, 10]);
    const bad = await cli('train', ...tiny, '--snapshot-epochs', '1,x');
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /^tensorgrad train: --snapshot-epochs must be epoch numbers from 1 to 100,000 separated by commas, like 1,2,5,10 \(got '1,x'\)/);
    assertUserError(await cli('train', ...tiny, '--epochs', '2', '--snapshot-epochs', '1,3,5', '--out', join(dir, 'never')), 'train',
      /--snapshot-epochs 3,5 are beyond the run's 2 epochs$/);
    assert.ok(!existsSync(join(dir, 'never')), 'no run folder left behind');
  });
});

describe('viz views on a LeNet-5 run', () => {
  test('filters: one grid of the first conv layer in RUN/viz/filters', async () => {
    const [file] = written(await cli('viz', run, 'filters'));
    assert.equal(file, join(run, 'viz', 'filters', 'filters-features.0.png'));
    const [w, h] = pngSize(file!);
    assert.ok(w >= 240 && h >= 160, `${w}x${h}`);
    // --weights on a run: the same view of an earlier snapshot.
    const [early] = written(await cli('viz', run, 'filters', '--weights', join(run, 'snapshots', 'epoch-1.safetensors'), '--out', join(dir, 'early')));
    assert.ok(!readFileSync(early!).equals(readFileSync(file!)), 'epoch 1 filters differ from the final ones');
  });

  test('maps: the input and every spatial layer; --layer picks one; --image is used as given', async () => {
    const out = join(dir, 'maps');
    const files = written(await cli('viz', run, 'maps', '--out', out));
    assert.deepEqual(files.map((f) => basename(f)), ['test-0-input.png', ...[0, 1, 2, 3, 4, 5].map((i) => `test-0-features.${i}.png`)]);
    const one = written(await cli('viz', run, 'maps', '--layer', 'classifier.1', '--image', join(dir, 'digit.png'), '--out', out));
    assert.deepEqual(one.map((f) => basename(f)), ['digit-input.png', 'digit-classifier.1.png']);
  });

  test('top: one patch sheet per unit, for --unit only that one', async () => {
    const files = written(await cli('viz', run, 'top', '--layer', 'features.3', '--limit', '60', '--out', join(dir, 'top')));
    assert.equal(files.length, 4);
    const [file] = written(await cli('viz', run, 'top', '--layer', 'features.0', '--unit', '5', '--limit', '60', '--out', join(dir, 'top1')));
    assert.equal(basename(file!), 'features.0-unit-5.png');
    // 9 patches of 5x5 enlarged 8x, in two rows (patches, projections), 2 px padding.
    assert.deepEqual(pngSize(file!), [9 * 42 + 2, 2 * 42 + 2]);
  });

  test('maximize, saliency: the same bytes for the same --seed, others for another', async () => {
    const bytesOf = async (args: string[], out: string) => written(await cli('viz', run, ...args, '--out', join(dir, out))).map((f) => readFileSync(f));
    const a = await bytesOf(['maximize', '--layer', 'features.0', '--unit', '2', '--seed', '7'], 'max-a');
    const b = await bytesOf(['maximize', '--layer', 'features.0', '--unit', '2', '--seed', '7'], 'max-b');
    const c = await bytesOf(['maximize', '--layer', 'features.0', '--unit', '2', '--seed', '8'], 'max-c');
    assert.equal(a.length, 2);
    assert.deepEqual(a, b);
    assert.notDeepEqual(a[0], c[0]);
    const s1 = await bytesOf(['saliency', '--seed', '1'], 'sal-a');
    const s2 = await bytesOf(['saliency', '--seed', '1'], 'sal-b');
    assert.deepEqual(s1, s2);
    // image | saliency | SmoothGrad | overlay, 28 px each enlarged to at least 448 px in all.
    const [w, h] = pngSize(join(dir, 'sal-a', 'test-0-saliency.png'));
    assert.ok(w >= 448 && h >= 100 && w > 3 * h, `${w}x${h}`);
  });

  test('maximize without --layer: class logits', async () => {
    const files = written(await cli('viz', run, 'maximize', '--unit', '3', '--out', join(dir, 'max-class')));
    assert.deepEqual(files.map((f) => basename(f)), ['maximize-classes.png', 'maximize-classes-objective.svg']);
    assert.match(readFileSync(files[1]!, 'utf8'), /^<svg[\s\S]*class 3[\s\S]*<\/svg>\n$/);
  });

  test('occlusion, curves, confusion, evolution', async () => {
    const occ = written(await cli('viz', run, 'occlusion', '--image', join(dir, 'digit.png'), '--out', join(dir, 'occ')));
    assert.equal(basename(occ[0]!), 'digit-occlusion.png');
    const curves = written(await cli('viz', run, 'curves'));
    assert.deepEqual(curves.map((f) => basename(f)), ['loss.svg', 'accuracy.svg']);
    const conf = written(await cli('viz', run, 'confusion', '--limit', '100', '--out', join(dir, 'conf')));
    assert.deepEqual(conf.map((f) => basename(f)).slice(0, 2), ['confusion.svg', 'per-class.svg']);
    assert.match(readFileSync(conf[0]!, 'utf8'), /100 samples/);
    const evo = written(await cli('viz', run, 'evolution', '--unit', '1', '--limit', '50', '--out', join(dir, 'evo')));
    assert.deepEqual(evo.map((f) => basename(f)), ['evolution-filters-features.0.svg', 'evolution-features.0-unit-1.svg']);
    const sheet = readFileSync(evo[1]!, 'utf8');
    assert.match(sheet, />epoch 1<[\s\S]*>epoch 2</);
    assert.equal(sheet.match(/data:image\/png;base64/g)?.length, 2, 'one row per snapshot');
  });
});

test('a residual zoo model with --weights (resnet20 on MNIST resized to 32x32)', async () => {
  const model = tg.models.resnet20({ numClasses: 10, inChannels: 1 });
  const weights = join(dir, 'resnet20.safetensors');
  tg.io.save(model.stateDict(), weights);
  const maps = written(await cli('viz', 'resnet20', 'maps', '--weights', weights, '--dataset', 'mnist', '--layer', 'layer1.0', '--out', join(dir, 'res-maps')));
  assert.deepEqual(maps.map((f) => basename(f)), ['test-0-input.png', 'test-0-layer1.0.png']);
  const top = written(await cli('viz', 'resnet20', 'top', '--weights', weights, '--dataset', 'mnist', '--layer', 'layer1.0', '--unit', '0', '--limit', '16', '--out', join(dir, 'res-top')));
  assert.equal(top.length, 1);
  assert.ok(existsSync(join(dir, 'viz', 'top')) === false, '--out was used');
});

test('scan progress is silent off a terminal and with --quiet', () => {
  let text = '';
  for (const [isTTY, quiet] of [[false, false], [true, true]] as const) {
    const p = createScanProgress('scan', { write: (s) => (text += s), isTTY }, quiet);
    p.update(5, 10);
    p.stop();
  }
  assert.equal(text, '');
});

describe('viz user errors: one line, exit 1', () => {
  test('unknown layer lists the valid ones', async () => {
    assertUserError(await cli('viz', run, 'maps', '--layer', 'features.9'), 'viz', /--layer: unknown layer 'features\.9' \(valid layers: features, features\.0, .*classifier\.5\)$/);
  });
  test('unit out of range names the layer and its channel count', async () => {
    assertUserError(await cli('viz', run, 'top', '--layer', 'features.0', '--unit', '6'), 'viz', /--unit 6 is out of range: layer features\.0 has 6 channels \(0 to 5\)$/);
    assertUserError(await cli('viz', run, 'maximize', '--unit', '10'), 'viz', /--unit 10 is out of range: without --layer it is a class, and the model has 10 classes \(0 to 9\)$/);
  });
  test('image of the wrong size or channel count', async () => {
    assertUserError(await cli('viz', run, 'saliency', '--image', join(dir, 'big.png')), 'viz', /--image .*big\.png is 32x32 grey \(\[1, 32, 32\]\), but the model takes 28x28 grey images \(\[1, 28, 28\]\)$/);
    assertUserError(await cli('viz', run, 'occlusion', '--image', join(dir, 'rgb.png')), 'viz', /--image .*rgb\.png is 28x28 RGB .* but the model takes 28x28 grey images/);
  });
  test('a run without metrics; a run without snapshots', async () => {
    const bare = join(dir, 'bare');
    cpSync(run, bare, { recursive: true });
    rmSync(join(bare, 'metrics.json'));
    rmSync(join(bare, 'snapshots'), { recursive: true });
    assertUserError(await cli('viz', bare, 'curves'), 'viz', /the run folder .*bare has no metrics\.json/);
    assertUserError(await cli('viz', bare, 'evolution'), 'viz', /no weight snapshots in .*bare\/snapshots; train with --snapshot-epochs 1,2,5 to keep them$/);
    assert.ok(!existsSync(join(bare, 'viz', 'evolution')), 'no empty output folder left behind');
  });
  test('unknown view, zoo name without weights, nonexistent path', async () => {
    assertUserError(await cli('viz', run, 'dreams'), 'viz', /^tensorgrad viz: unknown view 'dreams' \(available: filters, maps, top, maximize, saliency, occlusion, evolution, curves, confusion\)$/);
    assertUserError(await cli('viz', 'lenet5', 'filters'), 'viz', /the zoo model 'lenet5' needs --weights FILE\.safetensors/);
    assertUserError(await cli('viz', join(dir, 'nothing'), 'filters'), 'viz', /is neither a run folder, a model \.safetensors with config\.json beside it, nor a zoo model name/);
  });
});
