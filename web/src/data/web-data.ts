/**
 * The playground's MNIST bundle: a compact binary the page fetches once
 * (written at build time by scripts/build-web-data.mjs, served gzip-compressed
 * as `data/mnist-web.bin.gz`; the page calls `decodeWebData` on the fetched bytes).
 *
 * Layout (all integers little-endian uint32):
 *
 *   offset  0  magic    'TGWD' (0x54 0x47 0x57 0x44)
 *           4  version  1
 *           8  train    number of training images
 *          12  test     number of test images
 *          16  rows     image height (28)
 *          20  cols     image width (28)
 *          24  classes  number of classes (10): every label is below it
 *          28  train images  uint8 [train, rows, cols] (0 = background, 255 = ink, as MNIST's IDX files)
 *              train labels  uint8 [train]
 *              test images   uint8 [test, rows, cols]
 *              test labels   uint8 [test]
 *
 * The declared sizes must account for the byte length exactly.
 */
import { TensorError } from '../../../src/index.js';

export const WEB_DATA_MAGIC = 'TGWD';
export const WEB_DATA_VERSION = 1;
export const WEB_DATA_HEADER_BYTES = 28;
/** Largest image side accepted: far above 28, small enough that rows*cols cannot overflow. */
export const MAX_SIDE = 4096;

/** One split: `images` uint8 `[count, rows, cols]` row-major, `labels` uint8 `[count]`. */
export interface WebSplit {
  count: number;
  images: Uint8Array;
  labels: Uint8Array;
}

/** A decoded bundle. */
export interface WebData {
  rows: number;
  cols: number;
  classes: number;
  train: WebSplit;
  test: WebSplit;
}

/**
 * Encodes a bundle (the inverse of `readWebData`); the build script and the tests use it.
 * @example const bytes = encodeWebData({ rows: 28, cols: 28, classes: 10, train, test });
 */
export function encodeWebData(d: WebData): Uint8Array {
  checkDims('encodeWebData', d.rows, d.cols, d.classes);
  const pixels = d.rows * d.cols;
  for (const [name, s] of [['train', d.train], ['test', d.test]] as const) {
    if (!Number.isSafeInteger(s.count) || s.count < 0 || s.count > 0xffffffff) throw new TensorError(`encodeWebData: ${name}.count must be a uint32 (got ${s.count})`);
    if (s.images.length !== s.count * pixels) throw new TensorError(`encodeWebData: ${name}.images has ${s.images.length} bytes but ${s.count} images of ${d.rows}x${d.cols} need ${s.count * pixels}`);
    if (s.labels.length !== s.count) throw new TensorError(`encodeWebData: ${name}.labels has ${s.labels.length} labels for ${s.count} images`);
    checkLabels('encodeWebData', name, s.labels, d.classes);
  }
  const out = new Uint8Array(WEB_DATA_HEADER_BYTES + (d.train.count + d.test.count) * (pixels + 1));
  const view = new DataView(out.buffer);
  for (let i = 0; i < 4; i++) out[i] = WEB_DATA_MAGIC.charCodeAt(i);
  [WEB_DATA_VERSION, d.train.count, d.test.count, d.rows, d.cols, d.classes].forEach((v, i) => view.setUint32(4 + 4 * i, v, true));
  let at = WEB_DATA_HEADER_BYTES;
  for (const s of [d.train, d.test]) {
    out.set(s.images, at);
    at += s.images.length;
    out.set(s.labels, at);
    at += s.labels.length;
  }
  return out;
}

/**
 * Decodes a bundle (already inflated: see `inflateGzip`). Validates the header
 * before touching the body: magic, version, sides in 1..4096, classes in 1..256,
 * and that the counts account for the byte length exactly, so a truncated or
 * hostile file is an error naming the problem and nothing is allocated on the
 * header's word. The returned arrays are views into `bytes` (no copy); every
 * label is checked to be below `classes`.
 * @example
 * const { train, test, rows, cols } = readWebData(await inflateGzip(new Uint8Array(await res.arrayBuffer())));
 * const x = tg.tensor(Float32Array.from(train.images, (v) => v / 255), { shape: [train.count, 1, rows, cols] });
 */
export function readWebData(bytes: Uint8Array): WebData {
  const op = 'readWebData';
  if (!(bytes instanceof Uint8Array)) throw new TensorError(`${op}: expected a Uint8Array`);
  if (bytes.length < WEB_DATA_HEADER_BYTES) {
    throw new TensorError(`${op}: ${bytes.length} bytes is shorter than the ${WEB_DATA_HEADER_BYTES}-byte header (truncated file?)`);
  }
  const magic = String.fromCharCode(...bytes.subarray(0, 4));
  if (magic !== WEB_DATA_MAGIC) {
    const gz = bytes[0] === 0x1f && bytes[1] === 0x8b ? ' (these are gzip bytes: inflate them first with inflateGzip)' : '';
    throw new TensorError(`${op}: bad magic ${JSON.stringify(magic)}, expected ${JSON.stringify(WEB_DATA_MAGIC)}${gz}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const [version, train, test, rows, cols, classes] = [4, 8, 12, 16, 20, 24].map((o) => view.getUint32(o, true)) as [number, number, number, number, number, number];
  if (version !== WEB_DATA_VERSION) throw new TensorError(`${op}: unsupported version ${version} (this reader knows version ${WEB_DATA_VERSION})`);
  checkDims(op, rows, cols, classes);
  // Computed in doubles: above 2^53 the product may round, but it is then far beyond any real length, so still refused.
  const need = WEB_DATA_HEADER_BYTES + (train + test) * (rows * cols + 1);
  if (need !== bytes.length) {
    throw new TensorError(`${op}: the header declares ${train} train + ${test} test images of ${rows}x${cols} (${need} bytes) but the data has ${bytes.length} bytes (${need > bytes.length ? 'truncated' : 'trailing bytes'})`);
  }
  let at = WEB_DATA_HEADER_BYTES;
  const take = (n: number): Uint8Array => {
    const v = bytes.subarray(at, at + n);
    at += n;
    return v;
  };
  const split = (name: string, count: number): WebSplit => {
    const images = take(count * rows * cols);
    const labels = take(count);
    checkLabels(op, name, labels, classes);
    return { count, images, labels };
  };
  return { rows, cols, classes, train: split('train', train), test: split('test', test) };
}

/**
 * Decodes the fetched bundle whether or not it is still gzipped: a static host
 * that serves `.gz` files with `Content-Encoding: gzip` makes `fetch` inflate
 * them already, one that serves them as plain files does not.
 * @example const d = await decodeWebData(new Uint8Array(await (await fetch('data/mnist-web.bin.gz')).arrayBuffer()));
 */
export async function decodeWebData(bytes: Uint8Array, maxBytes = DEFAULT_MAX_INFLATED_BYTES): Promise<WebData> {
  const gzipped = bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
  return readWebData(gzipped ? await inflateGzip(bytes, maxBytes) : bytes);
}

/** Largest inflated bundle `inflateGzip` accepts by default: 64 MiB (all 70k MNIST images are 55 MB). */
export const DEFAULT_MAX_INFLATED_BYTES = 64 * 2 ** 20;

/**
 * Inflates gzip bytes with the platform's `DecompressionStream` (browsers, Node 18+),
 * stopping with an error as soon as the output passes `maxBytes`, so a
 * decompression bomb cannot exhaust memory.
 * @example const raw = await inflateGzip(new Uint8Array(await (await fetch('data/mnist-web.bin.gz')).arrayBuffer()));
 */
export async function inflateGzip(gz: Uint8Array, maxBytes = DEFAULT_MAX_INFLATED_BYTES): Promise<Uint8Array> {
  const op = 'inflateGzip';
  if (gz.length < 2 || gz[0] !== 0x1f || gz[1] !== 0x8b) throw new TensorError(`${op}: not gzip data (no 1f 8b signature)`);
  // The copy gives a plain ArrayBuffer (Blob refuses views of a SharedArrayBuffer); it is the small, compressed side.
  const stream = new Blob([new Uint8Array(gz)]).stream().pipeThrough(new DecompressionStream('gzip'));
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.length;
      if (total > maxBytes) {
        await reader.cancel();
        throw new TensorError(`${op}: inflated data exceeds the ${maxBytes}-byte limit (raise maxBytes if the bundle is really that large)`);
      }
      chunks.push(value);
    }
  } catch (e) {
    if (e instanceof TensorError) throw e;
    throw new TensorError(`${op}: corrupt gzip data (${e instanceof Error ? e.message : String(e)})`);
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

function checkDims(op: string, rows: number, cols: number, classes: number): void {
  for (const [name, v] of [['rows', rows], ['cols', cols]] as const) {
    if (!Number.isSafeInteger(v) || v < 1 || v > MAX_SIDE) throw new TensorError(`${op}: ${name} must be an integer in 1..${MAX_SIDE} (got ${v})`);
  }
  if (!Number.isSafeInteger(classes) || classes < 1 || classes > 256) throw new TensorError(`${op}: classes must be an integer in 1..256 (got ${classes})`);
}

function checkLabels(op: string, split: string, labels: Uint8Array, classes: number): void {
  for (let i = 0; i < labels.length; i++) {
    if (labels[i]! >= classes) throw new TensorError(`${op}: ${split} label ${labels[i]} at index ${i} is not below classes (${classes})`);
  }
}
