/** Hand-built PNG files for tests: chunks with correct CRCs, so only the intended defect is present. */
const CRC_TABLE = Uint32Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

/** CRC-32 as PNG (and gzip) use it. */
export function crc32(b: Uint8Array): number {
  let c = 0xffffffff;
  for (const x of b) c = CRC_TABLE[(c ^ x) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

export interface Chunk { type: string; data: Uint8Array }

/** The chunks of a PNG file (no validation: for editing known-good files). */
export function pngChunks(b: Uint8Array): Chunk[] {
  const v = new DataView(b.buffer, b.byteOffset);
  const out: Chunk[] = [];
  for (let at = 8; at < b.length;) {
    const n = v.getUint32(at);
    out.push({ type: String.fromCharCode(...b.subarray(at + 4, at + 8)), data: b.slice(at + 8, at + 8 + n) });
    at += 12 + n;
  }
  return out;
}

/** Signature + chunks, each with its length and CRC. */
export function pngFromChunks(chunks: Chunk[]): Uint8Array {
  const parts = [Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)];
  for (const c of chunks) {
    const buf = new Uint8Array(12 + c.data.length);
    const v = new DataView(buf.buffer);
    v.setUint32(0, c.data.length);
    buf.set([...c.type].map((ch) => ch.charCodeAt(0)), 4);
    buf.set(c.data, 8);
    v.setUint32(8 + c.data.length, crc32(buf.subarray(4, 8 + c.data.length)));
    parts.push(buf);
  }
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** An IHDR chunk. */
export function ihdr(width: number, height: number, bitDepth: number, colorType: number, interlace = 0): Chunk {
  const data = new Uint8Array(13);
  const v = new DataView(data.buffer);
  v.setUint32(0, width);
  v.setUint32(4, height);
  data.set([bitDepth, colorType, 0, 0, interlace], 8);
  return { type: 'IHDR', data };
}

export const IEND: Chunk = { type: 'IEND', data: new Uint8Array(0) };
