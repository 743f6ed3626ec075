/**
 * Child process of the file fuzz test: runs cases `from..to-1` of one format
 * (then, if asked, the hand-made hostile cases) through the library's loaders
 * and reports each on stdout, one JSON line per case:
 *   {"start": i}                                   before case i (the parent's watchdog)
 *   {"i", "name", "expect", "outcome", "error"?, "rssMB", "ms"}   after it
 * outcome: 'accepted' | 'rejected' (a TensorError) | 'foreign' (any other exception).
 * Usage: node --import tsx fuzz-worker.ts <format> <from> <to> <hostileFrom>
 * (hostile case k is reported as i = -1-k; hostileFrom skips those already run)
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tg from '../../src/index.js';
import { deserialize, deserializeCheckpoint } from '../../src/io/index.js';
import { loadIdxDataset } from '../../src/data/mnist.js';
import { decodeImage } from '../../src/data/image-io.js';
import { TensorError } from '../../src/core/errors.js';
import { checkpointTargets, fuzzCase, hostileCases, idxSeeds, type Format, type FuzzCase } from './formats.js';

const [format, fromArg, toArg, hostileArg] = process.argv.slice(2) as [Format, string, string, string];
const dir = mkdtempSync(join(tmpdir(), 'tg-fuzz-'));

/** Loads one case the way a user would; returns normally when the library accepts it. */
function load(c: FuzzCase): void {
  switch (format) {
    case 'safetensors':
      deserialize(c.bytes);
      return;
    case 'checkpoint': {
      const targets = checkpointTargets();
      deserializeCheckpoint(c.bytes, targets);
      // What follows a resume must terminate too (an all-zero RNG state once made randn loop forever).
      tg.randn([8]);
      targets.generators.loader.normal();
      targets.optimizer.zeroGrad();
      targets.model.forward(tg.randn([2, 3])).square().mean().backward();
      targets.optimizer.step();
      targets.scheduler.step();
      return;
    }
    case 'idx':
    case 'idx-gz': {
      const ext = format === 'idx-gz' ? '.gz' : '';
      const seeds = idxSeeds();
      const images = join(dir, `images${ext}`), labels = join(dir, `labels${ext}`);
      const { gzipSync } = process.getBuiltinModule('node:zlib') as typeof import('node:zlib');
      const enc = (b: Uint8Array) => (ext ? gzipSync(b) : b);
      writeFileSync(images, c.target === 'images' ? c.bytes : enc(seeds.images));
      writeFileSync(labels, c.target === 'labels' ? c.bytes : enc(seeds.labels));
      loadIdxDataset(images, labels, { numClasses: 10, cache: false });
      return;
    }
    case 'png':
    case 'jpeg':
      decodeImage(c.bytes, { name: c.name });
      return;
  }
}

function run(i: number, c: FuzzCase): void {
  process.stdout.write(`${JSON.stringify({ start: i })}\n`);
  const t0 = performance.now();
  let outcome = 'accepted';
  let error: string | undefined;
  try {
    load(c);
  } catch (e) {
    outcome = e instanceof TensorError ? 'rejected' : 'foreign';
    error = `${(e as Error)?.name}: ${String((e as Error)?.message).slice(0, 300)}`;
  }
  const rssMB = Math.round(process.memoryUsage().rss / 2 ** 20);
  process.stdout.write(`${JSON.stringify({ i, name: c.name, expect: c.expect, outcome, error, rssMB, ms: Math.round(performance.now() - t0) })}\n`);
}

try {
  for (let i = Number(fromArg); i < Number(toArg); i++) run(i, fuzzCase(format, i));
  const h = Number(hostileArg);
  process.stdout.write(`${JSON.stringify({ preparing: true })}\n`);
  hostileCases(format).slice(h).forEach((c, k) => run(-1 - (h + k), c));
  process.stdout.write(`${JSON.stringify({ done: true, maxRssMB: Math.round(process.resourceUsage().maxRSS / 1024) })}\n`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
