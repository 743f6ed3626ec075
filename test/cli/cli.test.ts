import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as tg from '../../src/index.js';

const root = resolve(import.meta.dirname, '../..');
const bin = join(root, 'dist/cli/main.js');
const run = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', cwd: root });

let dir = '';
const base = ['--model', 'mlp', '--optimizer', 'adam', '--scheduler', 'none', '--batch-size', '50'];
/** Enough data for a useful model (predict must read digits correctly). */
const quick = [...base, '--train-subset', '4000', '--test-subset', '1000'];
/** Tiny runs for mechanics (resume, errors, interrupts). */
const tiny = [...base, '--train-subset', '600', '--test-subset', '200'];

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'tg-cli-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** A user error: exit 1, one line on stderr naming the command, no stack trace. */
function assertUserError(r: ReturnType<typeof run>, pattern: RegExp): void {
  assert.equal(r.status, 1, `exit code ${r.status}; stderr: ${r.stderr}`);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `expected one line, got:\n${r.stderr}`);
  assert.match(lines[0]!, pattern);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
}

describe('tensorgrad command', () => {
  test('--help lists the subcommands', () => {
    const r = run('--help');
    assert.equal(r.status, 0);
    for (const c of ['train', 'eval', 'predict', 'summary']) assert.match(r.stdout, new RegExp(`\\b${c}\\b`));
  });

  test('train writes the run folder; eval reproduces the accuracy; predict reads digits', () => {
    const out = join(dir, 'run');
    const t = run('train', ...quick, '--epochs', '2', '--out', out);
    assert.equal(t.status, 0, t.stderr);
    for (const f of ['model.safetensors', 'config.json', 'checkpoint.safetensors', 'metrics.csv', 'metrics.json']) {
      assert.ok(existsSync(join(out, f)), `${f} missing`);
    }
    assert.match(t.stderr, /epoch 2\/2: train loss [\d.]+ acc [\d.]+% \| test loss [\d.]+ acc [\d.]+%/);
    assert.match(t.stderr, /done in \d+:\d\d: final test accuracy [\d.]+%, best [\d.]+%/);
    const metrics = JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8')) as { test_accuracy: number }[];
    assert.equal(metrics.length, 2);
    assert.equal(readFileSync(join(out, 'metrics.csv'), 'utf8').trim().split('\n').length, 3);
    assert.ok(metrics[1]!.test_accuracy > 0.85, `test accuracy ${metrics[1]!.test_accuracy}`);

    const e = run('eval', out, '--test-subset', '1000', '--json');
    assert.equal(e.status, 0, e.stderr);
    const ev = JSON.parse(e.stdout) as { accuracy: number; confusion: number[][]; perClass: number[] };
    assert.equal(ev.accuracy, metrics[1]!.test_accuracy);
    assert.equal(ev.confusion.flat().reduce((a, b) => a + b, 0), 1000);
    const text = run('eval', out, '--test-subset', '1000');
    assert.match(text.stdout, /accuracy [\d.]+% \(\d+\/1000\)[\s\S]*per-class accuracy[\s\S]*confusion matrix/);

    // Digits written as PNGs by this test: the first ten MNIST test images, one also drawn dark on light.
    const { images, labels } = tg.data.loadMnist({ split: 'test' });
    const files: string[] = [];
    for (let i = 0; i < 10; i++) {
      const f = join(dir, `digit${i}.png`);
      tg.data.writePng(f, images.select(0, i));
      files.push(f);
    }
    const inverted = join(dir, 'inverted.png');
    tg.data.writePng(inverted, images.select(0, 0).neg().add(1));
    const p = run('predict', out, ...files, inverted, '--json');
    assert.equal(p.status, 0, p.stderr);
    const preds = JSON.parse(p.stdout) as { top: { class: string; probability: number }[] }[];
    const truth = [...labels.data()].slice(0, 10).map(String);
    const correct = preds.slice(0, 10).filter((q, i) => q.top[0]!.class === truth[i]).length;
    assert.ok(correct >= 9, `predicted ${preds.map((q) => q.top[0]!.class)} for ${truth}`);
    assert.equal(preds[10]!.top[0]!.class, truth[0], 'a dark-on-light digit is inverted automatically');
    assert.equal(preds[0]!.top.length, 3);
    const pText = run('predict', out, files[0]!, '--top-k', '2');
    assert.match(pText.stdout, /digit0\.png: \d \([\d.]+%\), \d \([\d.]+%\)\n$/);
  });

  test('resume from a checkpoint equals an uninterrupted run', () => {
    const whole = join(dir, 'whole');
    const split = join(dir, 'split');
    assert.equal(run('train', ...tiny, '--epochs', '2', '--out', whole).status, 0);
    assert.equal(run('train', ...tiny, '--epochs', '1', '--out', split).status, 0);
    const r = run('train', '--resume', join(split, 'checkpoint.safetensors'), '--epochs', '2');
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(readFileSync(join(split, 'model.safetensors')), readFileSync(join(whole, 'model.safetensors')));
    const strip = (f: string) => (JSON.parse(readFileSync(f, 'utf8')) as Record<string, number>[]).map(({ seconds: _s, images_per_second: _i, ...rest }) => rest);
    assert.deepEqual(strip(join(split, 'metrics.json')), strip(join(whole, 'metrics.json')));
  });

  test('summary of a model by name and of a run', () => {
    const r = run('summary', 'lenet5');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /features\.0\s+Conv2d\s+\[1, 6, 28, 28\]\s+156/);
    assert.match(r.stdout, /Total params: 61,706/);
    const m = run('summary', 'mlp', '--input', '1,1,28,28');
    assert.match(m.stdout, /Total params: 269,322/);
  });
});

describe('user errors: one clear line, exit 1, no stack trace', () => {
  test('missing run folder', () => assertUserError(run('eval', join(dir, 'nope')), /^tensorgrad eval: .*nope does not exist/));
  test('unreadable image', () => {
    const out = join(dir, 'err-run');
    assert.equal(run('train', ...tiny, '--epochs', '1', '--out', out).status, 0);
    const bad = join(dir, 'bad.png');
    writeFileSync(bad, 'not a png');
    assertUserError(run('predict', out, bad), /^tensorgrad predict: readImage: cannot decode .*bad\.png/);
    assertUserError(run('predict', out, join(dir, 'missing.png')), /^tensorgrad predict: readImage: cannot read .*missing\.png/);
  });
  test('wrong-shaped data', () => {
    const cifar = join(dir, 'cifar');
    spawnSync('mkdir', ['-p', cifar]);
    writeFileSync(join(cifar, 'test_batch.bin'), Buffer.alloc(3073 * 2 + 5));
    assertUserError(run('eval', join(dir, 'err-run'), '--dataset', 'cifar10', '--data-dir', cifar), /^tensorgrad eval: loadCifar10: .*test_batch\.bin/);
  });
  test('corrupt checkpoint', () => {
    const ckpt = join(dir, 'corrupt.safetensors');
    writeFileSync(ckpt, Buffer.from([1, 2, 3, 4, 5, 6, 7, 8, 9]));
    assertUserError(run('train', '--resume', ckpt), /^tensorgrad train: cannot read checkpoint .*corrupt\.safetensors/);
    assertUserError(run('train', '--resume', join(dir, 'absent.safetensors')), /^tensorgrad train: checkpoint .*absent\.safetensors does not exist/);
  });
  test('unknown model, dataset, optimizer; bad numbers', () => {
    assertUserError(run('train', '--model', 'resnet999'), /^tensorgrad train: unknown model 'resnet999' for --model \(available: lenet5, mlp/);
    assertUserError(run('train', '--dataset', 'imagenet'), /^tensorgrad train: unknown dataset 'imagenet'/);
    assertUserError(run('train', '--optimizer', 'lion', '--train-subset', '10', '--test-subset', '10'), /^tensorgrad train: unknown optimizer 'lion'/);
    assertUserError(run('train', '--lr', '-1'), /^tensorgrad train: --lr must be a number above 0/);
    assertUserError(run('train', '--dataset', 'cifar10'), /^tensorgrad train: dataset 'cifar10' needs --data-dir/);
    assertUserError(run('summary', 'nonexistent-model'), /^tensorgrad summary: 'nonexistent-model' is neither a model name/);
    const r = run('train', '--epochs', 'x');
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /--epochs must be an integer/);
  });
  test('--verbose adds the stack trace', () => {
    const r = run('--verbose', 'eval', join(dir, 'nope'));
    assert.equal(r.status, 1);
    assert.match(r.stderr, /\n\s+at /);
  });
});

test('Ctrl-C during training stops cleanly and leaves the last checkpoint intact', async () => {
  const out = join(dir, 'interrupted');
  const child = spawn(process.execPath, [bin, 'train', ...tiny, '--epochs', '50', '--out', out], { cwd: root });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const ckpt = join(out, 'checkpoint.safetensors');
  const deadline = Date.now() + 60_000;
  while (!existsSync(ckpt) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  assert.ok(existsSync(ckpt), 'no checkpoint appeared');
  child.kill('SIGINT');
  const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
  assert.equal(code, 130, stderr);
  assert.match(stderr, /interrupted; the last complete checkpoint is .*checkpoint\.safetensors; continue with --resume/);
  const model = tg.models.mlp({ sizes: [784, 256, 256, 10] });
  const info = tg.loadCheckpoint(ckpt, { model });
  assert.ok(info.epoch >= 1);
});
