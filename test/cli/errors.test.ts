// Every subcommand's error paths: each bad invocation prints exactly one line
// `tensorgrad <command>: ...` naming the flag or path, exits 1 and shows no stack
// trace (unless --verbose). Run in-process through runCli (hundreds of process
// starts would take minutes); the few things only a real process shows
// (TENSORGRAD_BACKEND at import, the binary's exit code) are in process.test.ts.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tg from '../../src/index.js';
import { cleanStaleTempFiles } from '../../src/cli/files.js';
import { cli, type Result } from './in-process.js';

/** Exit 1, exactly one line on stderr, `tensorgrad <cmd>: ` + pattern, no stack trace, nothing on stdout. */
function assertUserError(r: Result, cmd: string, pattern: RegExp): void {
  const where = `exit ${r.code}; stderr:\n${r.stderr}`;
  assert.equal(r.code, 1, where);
  const lines = r.stderr.split('\n');
  assert.equal(lines.length, 2, `expected exactly one line, got:\n${r.stderr}`);
  assert.equal(lines[1], '');
  assert.ok(lines[0]!.startsWith(`tensorgrad${cmd ? ` ${cmd}` : ''}: `), where);
  assert.match(lines[0]!, pattern);
  assert.doesNotMatch(r.stderr, /internal error|\n\s+at /, where);
  assert.equal(r.stdout, '', 'nothing on stdout');
}

let dir = '';
let run = '';
/** Tiny quick settings: an MLP on 200 MNIST images, under a second per epoch. */
const tiny = ['--model', 'mlp', '--optimizer', 'adam', '--batch-size', '50', '--train-subset', '200', '--test-subset', '100'];

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tg-cli-errors-'));
  run = join(dir, 'run');
  const r = await cli('train', ...tiny, '--scheduler', 'none', '--epochs', '1', '--out', run);
  assert.equal(r.code, 0, r.stderr);
  writeFileSync(join(dir, 'not-a-png.png'), 'not a png');
  writeFileSync(join(dir, 'junk.safetensors'), Buffer.from([1, 2, 3, 4, 5, 6, 7, 8, 9]));
  writeFileSync(join(dir, 'a-file'), 'x');
  const { images } = tg.data.loadMnist({ split: 'test' });
  tg.data.writePng(join(dir, 'digit.png'), images.select(0, 0));
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** A copy of the run folder with config.json replaced by `config` (an object, or raw text). */
function runWithConfig(name: string, config: unknown): string {
  const d = join(dir, name);
  cpSync(run, d, { recursive: true });
  writeFileSync(join(d, 'config.json'), typeof config === 'string' ? config : JSON.stringify(config));
  return d;
}
const config = () => JSON.parse(readFileSync(join(run, 'config.json'), 'utf8')) as Record<string, unknown>;

/** A copy of the run's checkpoint with its JSON state changed by `edit`. */
function checkpointWith(name: string, edit: (state: Record<string, any>) => void): string {
  const { tensors, metadata } = tg.io.loadWithMetadata(join(run, 'checkpoint.safetensors'));
  const state = JSON.parse(metadata!['tensorgrad.state']!) as Record<string, any>;
  edit(state);
  const path = join(dir, `${name}.safetensors`);
  tg.io.save(tensors, path, { metadata: { ...metadata, 'tensorgrad.state': JSON.stringify(state) } });
  return path;
}

/** [arguments, command, expected message] — every flag of every subcommand with bad values. */
const badNumbers = (cmd: string[], flag: string, values: string[], pattern: RegExp): [string[], RegExp][] =>
  values.map((v) => [[...cmd, flag, v], pattern]);

describe('train: bad flags', () => {
  const cases: [string[], RegExp][] = [
    [['--model', 'resnet999'], /unknown model 'resnet999' for --model \(available: lenet5, mlp, /],
    [['--dataset', 'imagenet'], /unknown dataset 'imagenet' for --dataset \(available: mnist, fashion-mnist, cifar10\)/],
    [['--optimizer', 'lion'], /unknown optimizer 'lion' for --optimizer \(available: sgd, adam, /],
    [['--scheduler', 'warmup'], /unknown scheduler 'warmup' for --scheduler \(available: none, step, cosine, onecycle, /],
    [['--backend', 'gpu'], /unknown backend 'gpu' for --backend \(available: reference, wasm, webgpu\)/],
    ...badNumbers([], '--epochs', ['0', '-1', '1.5', 'abc', 'NaN', '1e3', '0x10', '', '100001', '99999999999999999999'], /--epochs must be an integer from 1 to 100,000/),
    ...badNumbers([], '--batch-size', ['0', '-5', '2.5', '1000001', 'x'], /--batch-size must be an integer from 1 to 1,000,000/),
    ...badNumbers([], '--lr', ['0', '-1', 'nan', 'Infinity', '1e400', '11', 'abc', ''], /--lr must be a number above 0 and at most 10/),
    ...badNumbers([], '--weight-decay', ['-0.1', 'nan', '2', 'x'], /--weight-decay must be a number from 0 to 1/),
    ...badNumbers([], '--seed', ['-1', '1.5', '4294967296', 'x'], /--seed must be an integer from 0 to 4,294,967,295/),
    ...badNumbers([], '--threads', ['0', '1000', '1.5', 'x', '-2'], /--threads must be an integer from 1 to 64/),
    ...badNumbers([], '--train-subset', ['0', '-3', '1.5', '1e9x'], /--train-subset must be an integer from 1 to/),
    ...badNumbers([], '--test-subset', ['0', '2.5'], /--test-subset must be an integer from 1 to/),
    [['--epochs'], /option '--epochs <n>' argument missing/],
    [['--bogus'], /unknown option '--bogus'/],
    [['--epoch', '3'], /unknown option '--epoch' \(Did you mean --epochs\?\)/],
    [['surplus'], /too many arguments for 'train'/],
    [['--threads', '2', '--backend', 'reference'], /--threads applies to the wasm backend only/],
    [['--dataset', 'cifar10'], /dataset 'cifar10' needs --data-dir/],
    [['--model', 'mlp', '--train-subset', '60001', '--out', join(tmpdir(), 'tg-cli-never-created', 'x')], /--train-subset 60001 is more than the 60000 training images of the dataset/],
  ];
  for (const [args, pattern] of cases) {
    test(`train ${args.join(' ')}`, async () => assertUserError(await cli('train', ...args), 'train', pattern));
  }
  test('missing or wrong-format dataset folder names the file; the run folder is not left behind', async () => {
    const out = join(dir, 'o1', 'run');
    assertUserError(await cli('train', '--dataset', 'cifar10', '--data-dir', join(dir, 'absent'), '--out', out), 'train', /absent/);
    assert.ok(!existsSync(join(dir, 'o1')), 'the folders created for --out are removed again');
  });
  test('unusable --out: a file, below a file, /proc (Node 20 mkdir hang)', { timeout: 20_000 }, async () => {
    const file = join(dir, 'a-file');
    assertUserError(await cli('train', ...tiny, '--out', file), 'train', /--out .*a-file: .*a-file is a file, not a folder/);
    assertUserError(await cli('train', ...tiny, '--out', join(file, 'sub')), 'train', /--out .*a-file\/sub: .*a-file is a file, not a folder/);
    assertUserError(await cli('train', ...tiny, '--out', '/proc/tensorgrad-x/y'), 'train', /--out \/proc\/tensorgrad-x\/y: cannot create the folder \/proc\/tensorgrad-x/);
  });
});

describe('train --resume: bad checkpoints and contradictions', () => {
  const ckpt = () => join(run, 'checkpoint.safetensors');
  test('missing, unreadable, not a checkpoint', async () => {
    assertUserError(await cli('train', '--resume', join(dir, 'absent.safetensors')), 'train', /checkpoint .*absent\.safetensors does not exist/);
    assertUserError(await cli('train', '--resume', join(dir, 'junk.safetensors')), 'train', /cannot read checkpoint .*junk\.safetensors/);
    assertUserError(await cli('train', '--resume', join(run, 'model.safetensors')), 'train', /model\.safetensors is not a tensorgrad checkpoint/);
  });
  test('invalid stored settings and epoch', async () => {
    const bad: [string, (s: Record<string, any>) => void, RegExp][] = [
      ['bs', (s) => (s.extra.settings.batchSize = -1), /invalid training setting 'batchSize'/],
      ['lr', (s) => (s.extra.settings.lr = { __tensorgrad_float__: 'NaN' }), /invalid training setting 'lr'/],
      ['wd', (s) => (s.extra.settings.weightDecay = -5), /invalid training setting 'weightDecay'/],
      ['model', (s) => (s.extra.settings.model = '__proto__'), /invalid training setting 'model'/],
      ['opt', (s) => (s.extra.settings.optimizer = 7), /invalid training setting 'optimizer'/],
      ['epochs', (s) => (s.extra.settings.epochs = 1e12), /invalid training setting 'epochs'/],
      ['seed', (s) => (s.extra.settings.seed = 0.5), /invalid training setting 'seed'/],
      ['nosettings', (s) => delete s.extra.settings, /was not written by 'tensorgrad train'/],
      ['epoch', (s) => (s.epoch = -1), /invalid epoch count/],
      ['epochnan', (s) => (s.epoch = { __tensorgrad_float__: 'NaN' }), /invalid epoch count/],
    ];
    for (const [name, edit, pattern] of bad) assertUserError(await cli('train', '--resume', checkpointWith(name, edit)), 'train', pattern);
  });
  test('flags that contradict the checkpoint are refused, naming both values', async () => {
    assertUserError(await cli('train', '--resume', ckpt(), '--lr', '0.1'), 'train', /--lr 0\.1 contradicts the checkpoint \(lr 0\.001\); drop it when resuming/);
    assertUserError(await cli('train', '--resume', ckpt(), '--model', 'lenet5'), 'train', /--model lenet5 contradicts the checkpoint \(model mlp\)/);
    assertUserError(await cli('train', '--resume', ckpt(), '--batch-size', '32'), 'train', /--batch-size 32 contradicts the checkpoint \(batch-size 50\)/);
    assertUserError(await cli('train', '--resume', ckpt(), '--scheduler', 'onecycle'), 'train', /--scheduler onecycle contradicts/);
    assertUserError(await cli('train', '--resume', ckpt(), '--seed', '3'), 'train', /--seed 3 contradicts the checkpoint \(seed 0\)/);
    assertUserError(await cli('train', '--resume', ckpt(), '--train-subset', '300'), 'train', /--train-subset 300 contradicts the checkpoint \(train-subset 200\)/);
    assertUserError(await cli('train', '--resume', ckpt(), '--epochs', '0'), 'train', /--epochs must be an integer/);
  });
  test('a flag equal to the checkpoint is accepted; finishing a finished run is "nothing to do" with exit 0', async () => {
    const r = await cli('train', '--resume', ckpt(), '--lr', '0.001', '--model', 'mlp');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, 'tensorgrad train: the checkpoint has already trained 1 of 1 epochs; nothing to do (pass --epochs above 1 to train longer)\n');
  });
});

describe('eval: bad runs and flags', () => {
  test('missing or incomplete run folders, bad weights', async () => {
    assertUserError(await cli('eval', join(dir, 'nope')), 'eval', /nope does not exist/);
    const empty = join(dir, 'empty-run');
    mkdirSync(empty);
    assertUserError(await cli('eval', empty), 'eval', /no config\.json next to .*empty-run/);
    const noWeights = runWithConfig('no-weights', config());
    rmSync(join(noWeights, 'model.safetensors'));
    assertUserError(await cli('eval', noWeights), 'eval', /no model weights at .*no-weights\/model\.safetensors/);
    const junkWeights = runWithConfig('junk-weights', config());
    copyFileSync(join(dir, 'junk.safetensors'), join(junkWeights, 'model.safetensors'));
    assertUserError(await cli('eval', junkWeights), 'eval', /cannot load .*junk-weights\/model\.safetensors/);
  });
  test('config.json: unreadable, missing fields, huge or wrong values', async () => {
    const c = config();
    const cases: [unknown, RegExp][] = [
      ['{ not json', /config\.json is not a readable run config/],
      ['[]', /config\.json: not a JSON object/],
      [`{"pad": "${'x'.repeat(1 << 20)}"}`, /config\.json is not a readable run config: 1,048,5\d\d bytes, more than a run config's limit of 1,048,576/],
      [{ ...c, format: 'other' }, /is not a tensorgrad run config/],
      [{ ...c, version: 2 }, /unsupported "version" 2/],
      [{ ...c, model: 'resnet999' }, /"model" must be one of/],
      [{ ...c, model: undefined }, /"model" must be one of/],
      [{ ...c, numClasses: undefined }, /"numClasses" must be an integer/],
      [{ ...c, numClasses: 1e12 }, /"numClasses" must be an integer from 1 to 100000/],
      [{ ...c, classes: ['a'] }, /"classes" must be 10 class names/],
      [{ ...c, inputShape: undefined }, /"inputShape" must be \[C, H, W\]/],
      [{ ...c, inputShape: [1, 100000, 100000] }, /"inputShape" must be \[C, H, W\] with C 1 or 3 and H, W from 1 to 1024/],
      [{ ...c, inputShape: [7, 28, 28] }, /"inputShape"/],
      [{ ...c, inputShape: [3, 1024, 1024], normalize: { mean: [0, 0, 0], std: [1, 1, 1] } }, /"inputShape" \[3, 1024, 1024\] has more than 262,144 values per input/],
      [{ ...c, normalize: { mean: [0.1], std: [0] } }, /"normalize" must be/],
      [{ ...c, normalize: undefined }, /"normalize" must be/],
    ];
    let i = 0;
    for (const [cfg, pattern] of cases) assertUserError(await cli('eval', runWithConfig(`cfg${i++}`, cfg)), 'eval', pattern);
  });
  const cases: [string[], RegExp][] = [
    [['--dataset', 'imagenet'], /unknown dataset 'imagenet' for --dataset \(available: mnist, fashion-mnist, cifar10\)/],
    [['--dataset', 'cifar10'], /dataset 'cifar10' needs --data-dir/],
    [['--test-subset', '10001'], /--test-subset 10001 is more than the 10000 test images of the dataset/],
    [['--backend', 'gpu'], /unknown backend 'gpu' for --backend/],
    ...badNumbers([], '--test-subset', ['0', '-1', '1.5', 'x'], /--test-subset must be an integer/),
    [['--bogus'], /unknown option '--bogus'/],
    [['second-arg'], /too many arguments for 'eval'/],
  ];
  for (const [args, pattern] of cases) test(`eval RUN ${args.join(' ')}`, async () => assertUserError(await cli('eval', run, ...args), 'eval', pattern));
  test('eval with no run', async () => assertUserError(await cli('eval'), 'eval', /missing required argument 'run'/));
});

describe('predict: bad images and flags', () => {
  const cases: [string[], RegExp][] = [
    ...badNumbers([], '--top-k', ['0', '-1', '1.5', 'x', '100001'], /--top-k must be an integer from 1 to 100,000/),
    [['--top-k', '11'], /--top-k 11 is more than the model's 10 classes/],
    [['--invert', 'bogus'], /unknown mode 'bogus' for --invert \(available: auto, yes, no\)/],
    [['--backend', 'gpu'], /unknown backend 'gpu' for --backend/],
    [['--bogus'], /unknown option '--bogus'/],
  ];
  for (const [args, pattern] of cases) {
    test(`predict RUN digit.png ${args.join(' ')}`, async () => assertUserError(await cli('predict', run, join(dir, 'digit.png'), ...args), 'predict', pattern));
  }
  test('no images, missing run, unreadable images', async () => {
    assertUserError(await cli('predict', run), 'predict', /missing required argument 'images'/);
    assertUserError(await cli('predict', join(dir, 'nope'), join(dir, 'digit.png')), 'predict', /nope does not exist/);
    assertUserError(await cli('predict', run, join(dir, 'not-a-png.png')), 'predict', /readImage: cannot decode .*not-a-png\.png/);
    assertUserError(await cli('predict', run, join(dir, 'missing.png')), 'predict', /readImage: cannot read .*missing\.png/);
  });
  test('good images only: results and exit 0', async () => {
    const r = await cli('predict', run, join(dir, 'digit.png'), '--top-k', '2');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    assert.match(r.stdout, /^.*digit\.png: \d \([\d.]+%\), \d \([\d.]+%\)\n$/);
  });
  test('one bad image among good ones: results for the good ones, one line per bad one, exit 1', async () => {
    const good = join(dir, 'digit.png');
    const r = await cli('predict', run, good, join(dir, 'missing.png'), good, join(dir, 'not-a-png.png'));
    assert.equal(r.code, 1);
    const out = r.stdout.trim().split('\n');
    assert.equal(out.length, 2);
    for (const line of out) assert.match(line, /digit\.png: \d \([\d.]+%\)/);
    const err = r.stderr.trim().split('\n');
    assert.equal(err.length, 2);
    assert.match(err[0]!, /^tensorgrad predict: readImage: cannot read .*missing\.png/);
    assert.match(err[1]!, /^tensorgrad predict: readImage: cannot decode .*not-a-png\.png/);
    const j = await cli('predict', run, good, join(dir, 'missing.png'), '--json');
    assert.equal(j.code, 1);
    const items = JSON.parse(j.stdout) as ({ image: string; top?: unknown[]; error?: string })[];
    assert.equal(items.length, 2);
    assert.equal(items[0]!.top!.length, 3);
    assert.match(items[1]!.error!, /cannot read .*missing\.png/);
  });
});

describe('summary: bad models and sizes', () => {
  const cases: [string[], RegExp][] = [
    [['nonexistent-model'], /'nonexistent-model' is neither a model name/],
    ...badNumbers(['lenet5'], '--input', ['1,1,28', '1,1,28,28,1', '1,1,-28,28', '1,1,a,28', '1,1,0,28', '1,1,100000,100000', '1.5,1,28,28', ''], /--input must be 4 integers N,C,H,W from 1 to 65536/),
    [['lenet5', '--input', '64,64,4096,4096'], /--input 64,64,4096,4096 has 68,719,476,736 elements, more than the 67,108,864 a summary allows/],
    ...badNumbers(['lenet5'], '--classes', ['0', '-1', '1.5', '1000000000', 'x'], /--classes must be an integer from 1 to 100,000/),
    [['mlp', '--input', '1,1,4096,4096'], /--input 1,1,4096,4096: mlp's first layer grows with the input, and C\*H\*W = 16,777,216 is above the limit of 262,144/],
    [['lenet5', '--input', '1,5000,28,28'], /--input 1,5000,28,28: 5000 channels is above the limit of 4,096/],
    [[], /missing required argument 'model'/],
  ];
  for (const [args, pattern] of cases) test(`summary ${args.join(' ')}`, async () => assertUserError(await cli('summary', ...args), 'summary', pattern));
  test('--classes with a run folder contradicts the run', async () => {
    assertUserError(await cli('summary', run, '--classes', '5'), 'summary', /--classes applies to a model built by name; the run .* has its own classes/);
  });
  test('a run folder with a damaged config', async () => {
    assertUserError(await cli('summary', runWithConfig('sum-cfg', { ...config(), inputShape: [1, 1e6, 1e6] })), 'summary', /"inputShape" must be/);
  });
});

describe('experiment: bad names and flags', () => {
  const cases: [string[], RegExp][] = [
    [[], /name an experiment \(.*\) or pass --list/],
    [['nonexistent'], /unknown experiment 'nonexistent' \(available: /],
    [['depth', '--full', '--smoke'], /--full and --smoke exclude each other/],
    ...badNumbers(['depth'], '--seed', ['-1', '1.5', 'x'], /--seed must be an integer from 0 to/),
    ...badNumbers(['depth'], '--threads', ['0', '65', 'x'], /--threads must be an integer from 1 to 64/),
    [['depth', '--backend', 'gpu'], /unknown backend 'gpu' for --backend/],
    [['depth', '--threads', '2', '--backend', 'reference'], /--threads applies to the wasm backend only/],
    [['depth', 'extra'], /too many arguments for 'experiment'/],
    [['depth', '--list'], /--list takes no experiment name \(got 'depth'\)/],
  ];
  for (const [args, pattern] of cases) test(`experiment ${args.join(' ')}`, async () => assertUserError(await cli('experiment', ...args), 'experiment', pattern));
  test('unusable --out fails before any work', { timeout: 20_000 }, async () => {
    assertUserError(await cli('experiment', 'depth', '--smoke', '--out', '/proc/tensorgrad-x'), 'experiment', /--out \/proc\/tensorgrad-x: cannot create the folder/);
    assertUserError(await cli('experiment', 'depth', '--smoke', '--out', join(dir, 'a-file')), 'experiment', /is a file, not a folder/);
  });
});

describe('the command itself', () => {
  test('an in-process run leaves the caller\'s backend as it was', async () => {
    const before = tg.getBackend();
    assert.equal((await cli('summary', 'mlp', '--input', '1,1,8,8')).code, 0);
    const e = await cli('predict', run, join(dir, 'digit.png'), '--backend', before.name === 'reference' ? 'wasm' : 'reference');
    assert.equal(e.code, 0, e.stderr);
    assert.equal(tg.getBackend(), before);
  });
  test('unknown command, unknown global option', async () => {
    assertUserError(await cli('bogus'), '', /unknown command 'bogus'/);
    assertUserError(await cli('--bogus'), '', /unknown option '--bogus'/);
  });
  test('--help exits 0; --verbose adds the stack trace to a user error', async () => {
    const h = await cli('train', '--help');
    assert.equal(h.code, 0);
    assert.match(h.stdout, /--resume <checkpoint>/);
    for (const args of [['--verbose', 'eval', join(dir, 'nope')], ['eval', join(dir, 'nope'), '--verbose']]) {
      const r = await cli(...args);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /^tensorgrad eval: .*nope does not exist.*\n/);
      assert.match(r.stderr, /\n\s+at /);
    }
  });
});

describe('interrupted writes', () => {
  test('stale temporary files of dead writers are removed on the next run in that folder; others are kept', async () => {
    const out = join(dir, 'stale');
    cpSync(run, out, { recursive: true });
    // A pid that no longer exists: a child that has exited.
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
    const stale = [`model.safetensors.tmp-${dead}-k2j4h1x0`, `checkpoint.safetensors.tmp-${dead}-a1`, `.digit.png.${dead}.q8w7e6.tmp`];
    const kept = [`metrics.json.tmp-${process.pid}-live1`, 'notes.tmp', 'model.safetensors.tmp-x-y'];
    for (const f of [...stale, ...kept]) writeFileSync(join(out, f), 'partial');
    const r = await cli('train', ...tiny, '--scheduler', 'none', '--epochs', '1', '--out', out);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /removed 3 temporary file\(s\) left in .*stale by an interrupted run/);
    const left = readdirSync(out);
    for (const f of stale) assert.ok(!left.includes(f), `${f} should be removed`);
    for (const f of kept) assert.ok(left.includes(f), `${f} should be kept`);
  });
  test('cleanStaleTempFiles looks into subfolders only as deep as asked (experiments write one level down)', async () => {
    const out = join(dir, 'stale-exp');
    mkdirSync(join(out, 'figures', 'deeper'), { recursive: true });
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
    for (const f of ['report.md', 'figures/a.svg', 'figures/deeper/b.svg']) writeFileSync(join(out, `${f}.tmp-${dead}-zz`), 'partial');
    assert.deepEqual(cleanStaleTempFiles(out, 1).map((p) => p.slice(out.length + 1)).sort(), ['figures/a.svg.tmp-' + dead + '-zz', 'report.md.tmp-' + dead + '-zz']);
    assert.deepEqual(cleanStaleTempFiles(out, 2).map((p) => p.slice(out.length + 1)), ['figures/deeper/b.svg.tmp-' + dead + '-zz']);
  });
});
