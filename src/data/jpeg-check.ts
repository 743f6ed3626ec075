/**
 * Structural validation of a JPEG before jpeg-js decodes it.
 *
 * jpeg-js sizes its buffers from the frame header (SOFn), so a 4 KB file that
 * claims 4000x4000 costs half a gigabyte and a second before failing, and a
 * file with no scan (SOS) decodes to a flat gray image. Here the marker
 * segments are walked up to the first scan: the frame must be one jpeg-js can
 * decode, within the pixel limit, and the entropy-coded bytes present must be
 * able to hold at least one bit per 8x8 block (every block carries a DC code).
 */

/** The facts of a checked JPEG's frame header. */
export interface JpegHeader {
  width: number;
  height: number;
  /** Colour components: 1 grayscale, 3 YCbCr, 4 CMYK/YCCK. */
  components: number;
}

/** SOF markers jpeg-js decodes: baseline, extended sequential, progressive (Huffman). */
const SUPPORTED_SOF = new Set([0xc0, 0xc1, 0xc2]);
/** Markers that stand alone, without a length field. */
const standalone = (m: number) => (m >= 0xd0 && m <= 0xd7) || m === 0x01;

/**
 * Checks `bytes` (a JPEG, SOI already seen) and returns its frame header.
 * Throws a plain Error with the reason; the caller wraps it in a TensorError.
 * @example const { width, height, components } = checkJpeg(bytes, 4096 * 4096, 'raise with { maxPixels }');
 */
export function checkJpeg(bytes: Uint8Array, maxPixels: number, limitHint: string): JpegHeader {
  let frame: (JpegHeader & { blocks: number }) | null = null;
  let i = 2;
  for (;;) {
    if (i + 2 > bytes.length) throw new Error('truncated JPEG: the file ends before the image data (no SOS scan)');
    if (bytes[i] !== 0xff) throw new Error(`corrupt JPEG: expected a marker at byte ${i}, found 0x${bytes[i]!.toString(16)}`);
    const marker = bytes[i + 1]!;
    if (marker === 0xff) { i++; continue; } // fill byte
    if (marker === 0xd9) throw new Error('JPEG has no image data (EOI before any SOS scan)');
    if (marker === 0xd8) throw new Error(`corrupt JPEG: a second SOI marker at byte ${i}`);
    if (standalone(marker)) { i += 2; continue; }
    if (i + 4 > bytes.length) throw new Error(`truncated JPEG: marker 0xff${marker.toString(16)} at byte ${i} has no length`);
    const length = (bytes[i + 2]! << 8) | bytes[i + 3]!;
    if (length < 2 || i + 2 + length > bytes.length) {
      throw new Error(`truncated JPEG: segment 0xff${marker.toString(16)} at byte ${i} declares ${length} bytes but ${bytes.length - i - 2} remain`);
    }
    const isSof = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isSof) {
      if (frame) throw new Error('corrupt JPEG: more than one frame header (SOF)');
      if (!SUPPORTED_SOF.has(marker)) {
        throw new Error(`unsupported JPEG coding (SOF marker 0xff${marker.toString(16)}; only baseline, extended and progressive Huffman JPEGs are supported)`);
      }
      frame = parseSof(bytes, i + 4, length - 2, maxPixels, limitHint);
    } else if (marker === 0xda) {
      if (!frame) throw new Error('corrupt JPEG: image data (SOS) before the frame header (SOF)');
      const entropyBytes = bytes.length - (i + 2 + length);
      if (entropyBytes * 8 < frame.blocks) {
        throw new Error(`truncated or corrupt JPEG: the header declares ${frame.width}x${frame.height} (${frame.blocks} 8x8 blocks) but only ${entropyBytes} bytes of image data follow`);
      }
      return { width: frame.width, height: frame.height, components: frame.components };
    }
    i += 2 + length;
  }
}

function parseSof(b: Uint8Array, at: number, length: number, maxPixels: number, limitHint: string): JpegHeader & { blocks: number } {
  if (length < 6) throw new Error(`corrupt JPEG: frame header is ${length} bytes`);
  const precision = b[at]!;
  const height = (b[at + 1]! << 8) | b[at + 2]!;
  const width = (b[at + 3]! << 8) | b[at + 4]!;
  const components = b[at + 5]!;
  if (precision !== 8) throw new Error(`unsupported JPEG sample precision ${precision} bits (only 8)`);
  if (width === 0 || height === 0) throw new Error(`corrupt or unsupported JPEG: frame size ${width}x${height}`);
  if (![1, 3, 4].includes(components)) throw new Error(`corrupt JPEG: ${components} colour components (expected 1, 3 or 4)`);
  if (length !== 6 + 3 * components) throw new Error(`corrupt JPEG: frame header of ${length} bytes for ${components} components`);
  for (let c = 0; c < components; c++) {
    const s = b[at + 7 + 3 * c]!;
    const h = s >> 4, v = s & 15;
    if (h < 1 || h > 4 || v < 1 || v > 4) throw new Error(`corrupt JPEG: component ${c} has sampling factors ${h}x${v} (each must be 1..4)`);
  }
  if (width * height > maxPixels) {
    throw new Error(`${width}x${height} = ${width * height} pixels exceeds the limit of ${maxPixels} pixels (${limitHint})`);
  }
  // The full-resolution component alone has this many blocks; each needs at least one bit.
  return { width, height, components, blocks: Math.ceil(width / 8) * Math.ceil(height / 8) };
}
