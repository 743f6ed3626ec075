import jpeg from 'jpeg-js';
import { TensorError, fmtShape } from '../core/errors.js';
import { makeDirs, nodeBuiltin, nodeRequire, writeFileAtomic } from '../util/node.js';
import { tensor } from '../tensor/create.js';
import type { Tensor } from '../tensor/tensor.js';
import { outputSize, resizeBilinear } from './resize.js';
import { checkPng } from './png-check.js';
import { checkJpeg } from './jpeg-check.js';

/** The part of pngjs's sync API used here (pngjs ships no type declarations). */
interface PngSync {
  read(buffer: Buffer): { width: number; height: number; colorType: number; data: Uint8Array };
  write(png: { width: number; height: number; data: Buffer }, options: { colorType: number; inputColorType: number; inputHasAlpha: boolean }): Buffer;
}
let pngSync: PngSync | null = null;

/** pngjs (Node only: it is built on Node's zlib and streams), loaded on first use by `caller`. */
function png(caller: string): PngSync {
  const instead = caller === 'decodeImage'
    ? 'decode PNGs with createImageBitmap and a canvas (getImageData), then tg.tensor; JPEG decoding works anywhere'
    : 'draw the image on a canvas (ImageData) and use canvas.toBlob';
  return (pngSync ??= (nodeRequire(caller, instead)('pngjs') as { PNG: { sync: PngSync } }).PNG.sync);
}

/** Options of {@link readImage} and {@link decodeImage}. */
export interface ReadImageOptions {
  /**
   * Output channels: 1 (grayscale, PIL's 'L' luma) or 3 (RGB). Default: the
   * file's own, 1 for grayscale images and 3 for colour ones. Alpha is dropped.
   */
  channels?: 1 | 3;
  /** Resize (bilinear) to `[h, w]`, or the smaller edge to a number (torchvision's rule). */
  size?: number | readonly [number, number];
  /**
   * Largest image accepted, in pixels (width x height), checked from the header
   * before anything is allocated; applies to the decoded image and to `size`.
   * Default `DEFAULT_MAX_IMAGE_PIXELS` (4096 x 4096 = 16,777,216), or the
   * `TENSORGRAD_MAX_IMAGE_PIXELS` environment variable when set.
   */
  maxPixels?: number;
}

/** Default decoded-size limit: 4096 x 4096 pixels (64 MB as 8-bit RGBA, 201 MB as float32 RGB). */
export const DEFAULT_MAX_IMAGE_PIXELS = 4096 * 4096;

/** The pixel limit in force: the option, else TENSORGRAD_MAX_IMAGE_PIXELS, else the default. */
function maxPixelsOf(op: string, opt: unknown): number {
  const env = typeof process !== 'undefined' ? process.env?.TENSORGRAD_MAX_IMAGE_PIXELS : undefined;
  const [value, source] = opt !== undefined ? [opt, 'maxPixels'] : env !== undefined && env !== '' ? [Number(env), 'TENSORGRAD_MAX_IMAGE_PIXELS'] : [DEFAULT_MAX_IMAGE_PIXELS, ''];
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw new TensorError(`${op}: ${source} must be a positive integer number of pixels (got ${source === 'maxPixels' ? String(opt) : JSON.stringify(env)})`);
  }
  return value;
}

const LIMIT_HINT = 'raise it with { maxPixels } or the TENSORGRAD_MAX_IMAGE_PIXELS environment variable';

/** Decoded 8-bit pixels, interleaved with `stride` bytes per pixel (R, G, B first). */
interface Pixels {
  width: number;
  height: number;
  data: Uint8Array;
  stride: number;
  gray: boolean;
}

const isPng = (b: Uint8Array) => b.length >= 8 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47;
const isJpeg = (b: Uint8Array) => b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff;

/** PNG.sync.read with its one cryptic message (input ended mid-chunk) made plain. */
function readPng(bytes: Uint8Array): ReturnType<PngSync['read']> {
  const sync = png('decodeImage');
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  try {
    return sync.read(buf);
  } catch (e) {
    const msg = (e as Error).message;
    throw new Error(/read requests waitng|read requests waiting/.test(msg) ? `truncated PNG data (${buf.length} bytes; the file ends inside a chunk)` : msg);
  }
}

function decodePixels(bytes: Uint8Array, maxPixels: number): Pixels {
  if (isPng(bytes)) {
    png('decodeImage'); // needs Node: say so before checking anything
    // Validate structure, size limit and the compressed stream first: pngjs trusts the header.
    const header = checkPng(bytes, maxPixels, LIMIT_HINT);
    // pngjs expands every colour type and bit depth to 8-bit RGBA.
    const img = readPng(bytes);
    if (img.width !== header.width || img.height !== header.height) throw new Error('corrupt PNG (decoded size differs from the header)');
    return { width: img.width, height: img.height, data: img.data, stride: 4, gray: img.colorType === 0 || img.colorType === 4 };
  }
  if (isJpeg(bytes)) {
    const header = checkJpeg(bytes, maxPixels, LIMIT_HINT);
    // jpeg-js copies its input into a Uint8Array and, with useTArray, needs no Buffer: this part works in browsers too.
    // Strict decoding (a missing block is an error, not a gray patch) and jpeg-js's own limits set from ours.
    const img = jpeg.decode(bytes, {
      useTArray: true, formatAsRGBA: false, tolerantDecoding: false,
      maxResolutionInMP: maxPixels / 1e6, maxMemoryUsageInMB: Math.max(512, Math.ceil((maxPixels * 40) / 2 ** 20)),
    });
    if (img.width !== header.width || img.height !== header.height) throw new Error('corrupt JPEG (decoded size differs from the header)');
    return { width: img.width, height: img.height, data: img.data, stride: 3, gray: header.components === 1 };
  }
  const head = Array.from(bytes.subarray(0, 4), (v) => v.toString(16).padStart(2, '0')).join(' ');
  throw new Error(`not a PNG or JPEG file (starts with bytes ${head || '(empty file)'})`);
}

/** Interleaved pixels -> planar float32 [C,H,W] / 255; RGB -> gray with PIL's integer luma. */
function toPlanes(px: Pixels, channels: 1 | 3): Float32Array {
  const plane = px.width * px.height;
  const out = new Float32Array(plane * channels);
  const { data, stride } = px;
  for (let p = 0; p < plane; p++) {
    const r = data[p * stride]!, g = data[p * stride + 1]!, b = data[p * stride + 2]!;
    if (channels === 1) {
      out[p] = ((r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16) / 255;
    } else {
      out[p] = r / 255;
      out[plane + p] = g / 255;
      out[2 * plane + p] = b / 255;
    }
  }
  return out;
}

/**
 * Decodes PNG or JPEG bytes (format told by the signature, not the name) to a
 * float32 `[C, H, W]` tensor in [0, 1]. `name` is used in error messages.
 * PNG needs Node (pngjs); JPEG works in browsers too.
 * Hostile input is refused before allocation: a header larger than `maxPixels`
 * (default 4096x4096), a header that the bytes present cannot fill, a missing
 * or corrupt pixel stream (never decoded as a black or gray image).
 * @example tg.data.decodeImage(readFileSync('digit.png'), { channels: 1, size: [28, 28] })
 */
export function decodeImage(bytes: Uint8Array, opts: ReadImageOptions & { name?: string } = {}): Tensor {
  const { channels, size, name = '<bytes>' } = opts;
  if (!(bytes instanceof Uint8Array)) throw new TensorError(`readImage: expected the file's bytes as a Uint8Array or Buffer (got ${bytes === null ? 'null' : typeof bytes})`);
  if (channels !== undefined && channels !== 1 && channels !== 3) {
    throw new TensorError(`readImage: channels must be 1 or 3 (got ${String(channels)})`);
  }
  const maxPixels = maxPixelsOf('readImage', opts.maxPixels);
  let px: Pixels;
  try {
    px = decodePixels(bytes, maxPixels);
  } catch (e) {
    if (e instanceof TensorError) throw e; // needs Node (PNG in a browser)
    throw new TensorError(`readImage: cannot decode ${name}: ${(e as Error).message}`);
  }
  const c = channels ?? (px.gray ? 1 : 3);
  const img = tensor(toPlanes(px, c), { shape: [c, px.height, px.width] });
  if (size === undefined) return img;
  const [h, w] = outputSize(size, px.height, px.width);
  if (h * w > maxPixels) throw new TensorError(`readImage: ${name}: resizing to ${h}x${w} = ${h * w} pixels exceeds the limit of ${maxPixels} pixels (${LIMIT_HINT})`);
  return h === px.height && w === px.width ? img : resizeBilinear(img, [h, w]);
}

/**
 * Reads a PNG or JPEG file as a float32 `[C, H, W]` tensor in [0, 1].
 * Errors: `readImage: cannot read <path>: ...` (missing/unreadable) and
 * `readImage: cannot decode <path>: <reason>` (corrupt or not an image).
 * @example const x = tg.data.readImage('digit.png', { channels: 1, size: [28, 28] });  // [1,28,28]
 */
export function readImage(path: string, opts: ReadImageOptions = {}): Tensor {
  const { readFileSync } = nodeBuiltin('node:fs', 'readImage', 'fetch the file and use tg.data.decodeImage(bytes)');
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new TensorError(`readImage: cannot read ${path}: ${code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  return decodeImage(bytes, { ...opts, name: path });
}

/**
 * Encodes an image tensor with values in [0, 1] as PNG bytes: `[H, W]` or
 * `[1, H, W]` -> grayscale, `[3, H, W]` -> RGB, `[4, H, W]` -> RGBA. Values are
 * clamped to [0, 1] and rounded to 8 bits (`round(255 * v)`, NaN -> 0). Node only (pngjs).
 * @example writeFileSync('x.png', tg.data.encodePng(img));
 */
export function encodePng(x: Tensor): Buffer {
  const img = x.ndim === 2 ? x.unsqueeze(0) : x;
  const c = img.shape[0]!;
  if (img.ndim !== 3 || ![1, 3, 4].includes(c) || img.shape[1] === 0 || img.shape[2] === 0) {
    throw new TensorError(`writePng: expected an image [H,W] or [C,H,W] with C = 1, 3 or 4 and non-empty H, W (got ${fmtShape(x.shape)})`);
  }
  const sync = png('encodePng');
  const [, height, width] = img.shape as [number, number, number];
  const values = img.data();
  const plane = width * height;
  const data = Buffer.alloc(plane * c);
  for (let p = 0; p < plane; p++) {
    for (let k = 0; k < c; k++) {
      const v = values[k * plane + p]!;
      data[p * c + k] = v > 0 ? Math.round(Math.min(v, 1) * 255) : 0;
    }
  }
  const colorType = c === 1 ? 0 : c === 3 ? 2 : 6;
  return sync.write({ width, height, data }, { colorType, inputColorType: colorType, inputHasAlpha: c === 4 });
}

/**
 * Writes an image tensor (`[H,W]` or `[C,H,W]`, C = 1/3/4, values in [0, 1]) as a
 * PNG file. Atomic: the bytes go to a temporary file in the same folder, which
 * is then renamed over `path`, so readers never see a half-written image.
 * Missing parent folders are created.
 * @example tg.data.writePng('out/filters.png', grid)
 */
export function writePng(path: string, x: Tensor): void {
  const { dirname } = nodeBuiltin('node:path', 'writePng');
  const bytes = encodePng(x);
  // Folders one level at a time: Node 20's recursive mkdirSync spins forever on paths like /proc/x/y.
  makeDirs('writePng', dirname(path));
  writeFileAtomic(`writePng: ${path}`, path, bytes, 'draw the image on a canvas and use canvas.toBlob');
}
