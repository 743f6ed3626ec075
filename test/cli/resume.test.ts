// `tensorgrad train --resume` semantics: the settings come from the checkpoint,
// --epochs defaults to the planned total, a resumed one-cycle run equals the
// uninterrupted one, and totals that would change a schedule are refused.
// In-process through runCli (see errors.test.ts); a Ctrl-C is simulated by
// emitting SIGINT once the first epoch's checkpoint exists.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from './in-process.js';

let dir = '';
before(() => (dir = mkdtempSync(join(tmpdir(), 'tg-cli-resume-'))));
after(() => rmSync(dir, { recursive: true, force: true }));

/** 600 images in batches of 50: 12 batches an epoch, so the interrupt lands inside epoch 2. */
const base = ['--model', 'mlp', '--optimizer', 'sgd', '--batch-size', '50', '--train-subset', '600', '--test-subset', '100'];
const bytes = (f: string) => readFileSync(f);
const metrics = (f: string) => (JSON.parse(readFileSync(f, 'utf8')) as Record<string, number>[]).map(({ seconds: _s, images_per_second: _i, ...rest }) => rest);

/** Runs `train args`, emitting SIGINT as soon as `out`'s first checkpoint is written; returns the exit code. */
async function trainInterrupted(args: string[], out: string): Promise<number> {
  const ckpt = join(out, 'checkpoint.safetensors');
  const timer = setInterval(() => {
    if (existsSync(ckpt)) {
      clearInterval(timer);
      process.emit('SIGINT');
    }
  }, 1);
  try {
    return (await cli('train', ...args, '--out', out)).code;
  } finally {
    clearInterval(timer);
  }
}

test('an interrupted one-cycle run resumed with no --epochs equals the uninterrupted run', async () => {
  const whole = join(dir, 'whole');
  const split = join(dir, 'split');
  assert.equal((await cli('train', ...base, '--scheduler', 'onecycle', '--epochs', '2', '--out', whole)).code, 0);
  assert.equal(await trainInterrupted([...base, '--scheduler', 'onecycle', '--epochs', '2'], split), 130);
  assert.equal(metrics(join(split, 'metrics.json')).length, 1, 'stopped after epoch 1');
  const r = await cli('train', '--resume', join(split, 'checkpoint.safetensors'));
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /resuming after epoch 1 of 2 from/);
  assert.deepEqual(bytes(join(split, 'model.safetensors')), bytes(join(whole, 'model.safetensors')));
  assert.deepEqual(metrics(join(split, 'metrics.json')), metrics(join(whole, 'metrics.json')));

  // Finished: nothing to do (exit 0); another total would change the one-cycle schedule (exit 1).
  const ckpt = join(whole, 'checkpoint.safetensors');
  const done = await cli('train', '--resume', ckpt);
  assert.equal(done.code, 0);
  assert.equal(done.stderr, "tensorgrad train: the checkpoint has already trained 2 of 2 epochs; nothing to do (its 'onecycle' schedule ends there; start a new run to train longer)\n");
  const longer = await cli('train', '--resume', ckpt, '--epochs', '3');
  assert.equal(longer.code, 1);
  assert.equal(longer.stderr, "tensorgrad train: --epochs 3 differs from the 2 epochs the 'onecycle' schedule of the checkpoint was planned for; " +
    'resuming can only finish it (drop --epochs), so that the result equals an uninterrupted run; for 3 epochs start a new run\n');
  const fewer = await cli('train', '--resume', ckpt, '--epochs', '1');
  assert.equal(fewer.code, 1);
  assert.match(fewer.stderr, /^tensorgrad train: --epochs 1 is less than the 2 epochs the checkpoint has already trained; give a larger --epochs \(or none to finish the planned 2\)\n$/);
});

test('without a total-dependent schedule --epochs extends a run, equal to a longer uninterrupted one', async () => {
  const whole = join(dir, 'whole-none');
  const split = join(dir, 'split-none');
  const none = [...base, '--scheduler', 'none', '--train-subset', '300'];
  assert.equal((await cli('train', ...none, '--epochs', '2', '--out', whole)).code, 0);
  assert.equal((await cli('train', ...none, '--epochs', '1', '--out', split)).code, 0);
  // Resuming into another folder (--out) leaves the original checkpoint alone.
  const moved = join(dir, 'moved');
  const r = await cli('train', '--resume', join(split, 'checkpoint.safetensors'), '--epochs', '2', '--out', moved);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(bytes(join(moved, 'model.safetensors')), bytes(join(whole, 'model.safetensors')));
  assert.deepEqual(metrics(join(moved, 'metrics.json')), metrics(join(whole, 'metrics.json')));
  assert.equal(metrics(join(split, 'metrics.json')).length, 1);
  const config = JSON.parse(readFileSync(join(moved, 'config.json'), 'utf8')) as { training: { epochs: number; lr: number; epochsDone: number } };
  assert.deepEqual([config.training.epochs, config.training.epochsDone, config.training.lr], [2, 2, 0.05]);
});
