/**
 * Every `tensorgrad ...` / `npx tensorgrad ...` command line the README and the guide
 * (docs/guide/: its index, then its pages in the index's order) show (in shell blocks and
 * in inline code) runs, in that order, in one temporary folder, through the built CLI (dist/, built by `npm test`). Quick settings: a
 * `train` gets `--train-subset 512 --test-subset 256` (so its epochs take a
 * fraction of a second), `NAME` in `tensorgrad experiment NAME` is `filters`,
 * and the images `predict` reads are written first.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import jpeg from 'jpeg-js';
import { codeBlocks, guidePages, inlineCode, readmeAndGuide, ROOT, USER_ENV } from './markdown.js';
import '../../src/index.js'; // installs Tensor's op methods
import { loadMnist } from '../../src/data/mnist.js';
import { encodePng } from '../../src/data/image-io.js';

const bin = join(ROOT, 'dist/cli/main.js');
const QUICK = ['--train-subset', '512', '--test-subset', '256'];

/** One document's command lines, without `npx` and comments: those of its shell blocks, then those in its prose. */
function commandsOf(file: string): string[] {
  const clean = (l: string) => l.replace(/\s+#.*$/, '').trim().replace(/^npx /, '');
  const fromBlocks = codeBlocks(file).filter((b) => b.lang === 'sh').flatMap((b) => b.code.split('\n')).map(clean)
    .filter((l) => /^tensorgrad [a-z]/.test(l));
  // In the prose, `tensorgrad summary` alone names a subcommand; a command line has arguments.
  const inline = inlineCode(file).map(clean).filter((l) => /^tensorgrad [a-z]+ \S/.test(l));
  return [...fromBlocks, ...inline];
}

/** The command lines of the README and the guide, document by document in order (each once). */
function readmeCommands(): string[] {
  return [...new Set(readmeAndGuide().flatMap(commandsOf))];
}

/** The argument list a README command runs with here. */
function quickArgs(command: string): string[] {
  const args = command.split(/\s+/).slice(1).map((a) => (a === 'NAME' ? 'filters' : a));
  if (args[0] === 'train' && !args.includes('--help') && !args.includes('--train-subset')) args.push(...QUICK);
  return args;
}

let dir = '';
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'tg-readme-commands-'));
  // The two images of the predict example: MNIST test digits as PNG and as JPEG.
  const { images } = loadMnist({ split: 'test' });
  writeFileSync(join(dir, 'digit.png'), encodePng(images.select(0, 0)));
  const other = images.select(0, 1).data();
  const rgba = new Uint8Array(28 * 28 * 4);
  for (let i = 0; i < 28 * 28; i++) rgba.fill(Math.round(other[i]! * 255), 4 * i, 4 * i + 3), (rgba[4 * i + 3] = 255);
  writeFileSync(join(dir, 'other.jpg'), jpeg.encode({ data: rgba, width: 28, height: 28 }, 95).data);
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe('README and guide command lines', () => {
  const commands = readmeCommands();

  test('the README and the guide show the main commands', () => {
    assert.ok(commandsOf('README.md').some((c) => c.startsWith('tensorgrad train')), 'no \'tensorgrad train\' command in the README');
    for (const sub of ['train', 'eval', 'predict', 'summary', 'experiment', 'export', 'import', 'finetune', 'viz', 'report']) {
      assert.ok(commands.some((c) => c.startsWith(`tensorgrad ${sub}`)), `no 'tensorgrad ${sub}' command in the README or the guide`);
    }
  });

  test('the guide\'s index links every guide page', () => {
    const index = readFileSync(join(ROOT, 'docs/guide/README.md'), 'utf8');
    for (const page of guidePages()) assert.ok(index.includes(`(${page.slice('docs/guide/'.length)})`), `docs/guide/README.md does not link ${page}`);
  });

  for (const command of commands) {
    test(command, () => {
      const args = quickArgs(command);
      const r = spawnSync(process.execPath, [bin, ...args], { cwd: dir, encoding: 'utf8', timeout: 120_000, env: USER_ENV });
      assert.equal(r.status, 0, `tensorgrad ${args.join(' ')} exited ${r.status}:\n${r.stderr}`);
      assert.ok(r.stdout.trim().length > 0 || r.stderr.trim().length > 0, 'prints something');
    });
  }
});
