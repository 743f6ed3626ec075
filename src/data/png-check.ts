/**
 * Structural validation of a PNG before it is decoded.
 *
 * pngjs trusts the header: it allocates `width * height * 4` bytes from IHDR
 * before looking at the data (a 73-byte file claiming 20000x20000 costs
 * 1.6 GB), and it silently returns a black image when IDAT is missing or the
 * zlib stream is short. So every PNG is checked here first: chunk layout,
 * IHDR fields, the pixel limit, that the compressed bytes present can possibly
 * hold the declared image, and a bounded inflate whose output must be exactly
 * the size IHDR implies. Only then does pngjs decode it.
 */
import { nodeBuiltin } from '../util/node.js';

/** The facts of a checked PNG's header. */
export interface PngHeader {
  width: number;
  height: number;
  bitDepth: number;
  colorType: number;
  interlaced: boolean;
}

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
/** Allowed bit depths per colour type (PNG spec, table 11.1), and samples per pixel. */
const DEPTHS: Record<number, { depths: number[]; samples: number }> = {
  0: { depths: [1, 2, 4, 8, 16], samples: 1 }, // grayscale
  2: { depths: [8, 16], samples: 3 }, // RGB
  3: { depths: [1, 2, 4, 8], samples: 1 }, // palette
  4: { depths: [8, 16], samples: 2 }, // grayscale + alpha
  6: { depths: [8, 16], samples: 4 }, // RGBA
};
/** deflate's best case is 258 bytes from a 1-bit literal/length code plus a 1-bit distance: < 1032:1. */
const MAX_DEFLATE_RATIO = 1032;
/** Adam7 passes: [x0, y0, dx, dy]. */
const ADAM7 = [[0, 0, 8, 8], [4, 0, 8, 8], [0, 4, 4, 8], [2, 0, 4, 4], [0, 2, 2, 4], [1, 0, 2, 2], [0, 1, 1, 2]] as const;

/** Bytes of filtered scanlines (a filter byte per row) for a `w x h` image. */
function rawBytes(w: number, h: number, bitsPerPixel: number): number {
  if (w === 0 || h === 0) return 0;
  return h * (1 + Math.ceil((w * bitsPerPixel) / 8));
}

/** Exact size of the inflated IDAT stream that IHDR implies (Adam7: the sum over the 7 passes). */
export function pngRawSize(hd: PngHeader): number {
  const bpp = DEPTHS[hd.colorType]!.samples * hd.bitDepth;
  if (!hd.interlaced) return rawBytes(hd.width, hd.height, bpp);
  let total = 0;
  for (const [x0, y0, dx, dy] of ADAM7) {
    total += rawBytes(Math.ceil((hd.width - x0) / dx), Math.ceil((hd.height - y0) / dy), bpp);
  }
  return total;
}

const chunkType = (b: Uint8Array, at: number) => String.fromCharCode(b[at]!, b[at + 1]!, b[at + 2]!, b[at + 3]!);

/**
 * Checks `bytes` (a PNG, signature already seen) and returns its header.
 * `maxPixels` bounds width*height. Throws a plain Error with the reason; the
 * caller wraps it in a TensorError naming the file.
 * @example const { width, height } = checkPng(bytes, 4096 * 4096);
 */
export function checkPng(bytes: Uint8Array, maxPixels: number, limitHint: string): PngHeader {
  if (bytes.length < 8 || SIGNATURE.some((v, i) => bytes[i] !== v)) throw new Error('bad PNG signature (the 8-byte magic is damaged)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let header: PngHeader | null = null;
  let palette = false;
  let ended = false;
  const idat: Uint8Array[] = [];
  let idatBytes = 0;
  let at = 8;
  while (at < bytes.length && !ended) {
    if (at + 12 > bytes.length) throw new Error(`truncated PNG: a chunk header at byte ${at} runs past the end of the ${bytes.length}-byte file`);
    const length = view.getUint32(at);
    const type = chunkType(bytes, at + 4);
    if (!/^[A-Za-z]{4}$/.test(type)) throw new Error(`corrupt PNG: invalid chunk type at byte ${at + 4}`);
    if (length > 0x7fffffff || at + 12 + length > bytes.length) {
      throw new Error(`truncated PNG: chunk ${type} at byte ${at} declares ${length} bytes but the file has ${bytes.length - at - 12} left`);
    }
    const data = bytes.subarray(at + 8, at + 8 + length);
    if (header === null && type !== 'IHDR') throw new Error(`corrupt PNG: the first chunk is ${type}, not IHDR`);
    if (type === 'IHDR') {
      if (header !== null) throw new Error('corrupt PNG: more than one IHDR chunk');
      header = parseIhdr(data, maxPixels, limitHint);
    } else if (type === 'PLTE') {
      palette = true;
    } else if (type === 'IDAT') {
      idat.push(data);
      idatBytes += length;
    } else if (type === 'IEND') {
      ended = true;
    }
    at += 12 + length;
  }
  if (!header) throw new Error('truncated PNG: no IHDR chunk');
  if (idat.length === 0) throw new Error(`PNG has no pixel data (no IDAT chunk) although its header declares ${header.width}x${header.height}`);
  if (!ended) throw new Error('truncated PNG: the file ends before the IEND chunk');
  if (header.colorType === 3 && !palette) throw new Error('corrupt PNG: a palette image without a PLTE chunk');

  const expected = pngRawSize(header);
  // Refuse before allocating: the compressed bytes present cannot expand to the declared image.
  if (expected > idatBytes * MAX_DEFLATE_RATIO + 1024) {
    throw new Error(`truncated or corrupt PNG: header declares ${header.width}x${header.height} (${expected} bytes of scanlines) but the file holds only ${idatBytes} compressed bytes`);
  }
  const { inflateSync } = nodeBuiltin('node:zlib', 'decodeImage');
  let raw: Uint8Array;
  try {
    raw = inflateSync(idat.length === 1 ? idat[0]! : concat(idat, idatBytes), { maxOutputLength: Math.max(expected, 1) });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ERR_BUFFER_TOO_LARGE') throw new Error(`corrupt PNG: the pixel data inflates to more than the ${expected} bytes the header declares`);
    throw new Error(`corrupt PNG pixel data (zlib: ${(e as Error).message})`);
  }
  if (raw.length !== expected) {
    throw new Error(`truncated or corrupt PNG: the pixel data inflates to ${raw.length} bytes but a ${header.width}x${header.height} image needs ${expected}`);
  }
  return header;
}

function concat(parts: Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function parseIhdr(d: Uint8Array, maxPixels: number, limitHint: string): PngHeader {
  if (d.length !== 13) throw new Error(`corrupt PNG: IHDR is ${d.length} bytes, not 13`);
  const v = new DataView(d.buffer, d.byteOffset, d.byteLength);
  const width = v.getUint32(0), height = v.getUint32(4);
  const [bitDepth, colorType, compression, filter, interlace] = [d[8]!, d[9]!, d[10]!, d[11]!, d[12]!];
  if (width === 0 || height === 0 || width > 0x7fffffff || height > 0x7fffffff) throw new Error(`corrupt PNG: invalid size ${width}x${height}`);
  const spec = DEPTHS[colorType];
  if (!spec) throw new Error(`corrupt PNG: invalid colour type ${colorType}`);
  if (!spec.depths.includes(bitDepth)) throw new Error(`corrupt PNG: bit depth ${bitDepth} is invalid for colour type ${colorType}`);
  if (compression !== 0 || filter !== 0 || interlace > 1) throw new Error(`corrupt PNG: unknown compression/filter/interlace method (${compression}/${filter}/${interlace})`);
  if (width * height > maxPixels) {
    throw new Error(`${width}x${height} = ${width * height} pixels exceeds the limit of ${maxPixels} pixels (${limitHint})`);
  }
  return { width, height, bitDepth, colorType, interlaced: interlace === 1 };
}
