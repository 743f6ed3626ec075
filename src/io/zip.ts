/**
 * The zip container as numpy's `np.savez` / `np.savez_compressed` write it
 * (Python's zipfile: stored or deflated entries, zip64 extra fields), read with
 * bounds on everything an untrusted file could inflate: the entry count, each
 * entry's declared size and the total, checked against the central directory
 * before any data is touched. Deflated data is inflated by Node's zlib with the
 * declared size as a hard output limit (a zip bomb stops there), and every
 * entry's CRC-32 is checked. Writing produces stored (uncompressed) entries.
 *
 * Only the container is parsed here; the inflater is zlib's. Encrypted,
 * multi-disk and other-method (bzip2, lzma, ...) archives are refused by name.
 * @internal used by npz.ts
 */
import { TensorError } from '../core/errors.js';
import { nodeBuiltin } from '../util/node.js';

/** One archive member: its name and uncompressed bytes. */
export interface ZipEntry { name: string; data: Uint8Array }

/** Limits for reading; see `readZip`. */
export interface ZipLimits {
  /** At most this many entries (default 100,000). */
  maxEntries?: number;
  /** At most this many uncompressed bytes over all entries (default 2 GiB). */
  maxBytes?: number;
}

export const ZIP_MAX_ENTRIES = 100_000;
export const ZIP_MAX_BYTES = 2 ** 31;

const EOCD = 0x06054b50, ZIP64_LOCATOR = 0x07064b50, ZIP64_EOCD = 0x06064b50, CENTRAL = 0x02014b50, LOCAL = 0x04034b50;

let crcTable: Uint32Array | null = null;

/** CRC-32 (IEEE 802.3, the zip checksum). */
export function crc32(bytes: Uint8Array): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = crcTable[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** A 64-bit little-endian count as a number, an error if beyond 2^53. */
function u64(where: string, v: DataView, p: number, what: string): number {
  const x = v.getBigUint64(p, true);
  if (x > BigInt(Number.MAX_SAFE_INTEGER)) throw new TensorError(`${where}: zip ${what} ${x} is too large`);
  return Number(x);
}

/** Finds the end-of-central-directory record: the last signature whose comment ends the file exactly. */
function findEnd(where: string, bytes: Uint8Array, v: DataView): number {
  const lowest = Math.max(0, bytes.length - 22 - 0xffff);
  for (let p = bytes.length - 22; p >= lowest; p--) {
    if (v.getUint32(p, true) === EOCD && p + 22 + v.getUint16(p + 20, true) === bytes.length) return p;
  }
  throw new TensorError(`${where}: no zip end-of-central-directory record (truncated file, or not a zip/.npz archive)`);
}

/**
 * Reads every entry of a zip archive, in central-directory order.
 * @example const entries = readZip('loadNpz', bytes);
 */
export function readZip(where: string, bytes: Uint8Array, limits: ZipLimits = {}): ZipEntry[] {
  const maxEntries = limits.maxEntries ?? ZIP_MAX_ENTRIES;
  const maxBytes = limits.maxBytes ?? ZIP_MAX_BYTES;
  if (bytes.length < 22) throw new TensorError(`${where}: file is ${bytes.length} bytes, too short for a zip archive (truncated?)`);
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const end = findEnd(where, bytes, v);
  if (v.getUint16(end + 4, true) !== 0 || v.getUint16(end + 6, true) !== 0) throw new TensorError(`${where}: multi-disk (split) zip archives are not supported`);
  let count = v.getUint16(end + 10, true);
  let cdSize = v.getUint32(end + 12, true);
  let cdOffset = v.getUint32(end + 16, true);
  let cdLimit = end; // the central directory lies before the end record (or the zip64 one)
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    const loc = end - 20;
    if (loc < 0 || v.getUint32(loc, true) !== ZIP64_LOCATOR) throw new TensorError(`${where}: zip64 archive without its zip64 end-record locator (corrupt file?)`);
    const rec = u64(where, v, loc + 8, 'zip64 end-record offset');
    if (rec + 56 > loc || v.getUint32(rec, true) !== ZIP64_EOCD) throw new TensorError(`${where}: zip64 end record not found at offset ${rec} (corrupt file?)`);
    count = u64(where, v, rec + 32, 'entry count');
    cdSize = u64(where, v, rec + 40, 'central directory size');
    cdOffset = u64(where, v, rec + 48, 'central directory offset');
    cdLimit = rec;
  }
  if (count > maxEntries) throw new TensorError(`${where}: the archive lists ${count} entries, more than the limit of ${maxEntries}`);
  if (cdOffset + cdSize > cdLimit || count * 46 > cdSize) {
    throw new TensorError(`${where}: the zip central directory (${count} entries, ${cdSize} bytes at offset ${cdOffset}) does not fit the file (truncated or corrupt?)`);
  }

  // Pass 1: the central directory, every size checked before anything is read or inflated.
  interface Item { name: string; rawName: Uint8Array; method: number; crc: number; compSize: number; size: number; offset: number }
  const items: Item[] = [];
  const names = new Set<string>();
  let total = 0;
  let p = cdOffset;
  const cdEnd = cdOffset + cdSize;
  for (let k = 0; k < count; k++) {
    if (p + 46 > cdEnd || v.getUint32(p, true) !== CENTRAL) throw new TensorError(`${where}: zip central directory entry ${k} is missing or corrupt`);
    const flags = v.getUint16(p + 8, true);
    const method = v.getUint16(p + 10, true);
    const crc = v.getUint32(p + 16, true);
    let compSize = v.getUint32(p + 20, true);
    let size = v.getUint32(p + 24, true);
    const nameLen = v.getUint16(p + 28, true), extraLen = v.getUint16(p + 30, true), commentLen = v.getUint16(p + 32, true);
    let offset = v.getUint32(p + 42, true);
    const next = p + 46 + nameLen + extraLen + commentLen;
    if (next > cdEnd) throw new TensorError(`${where}: zip central directory entry ${k} runs past the directory (corrupt file?)`);
    const rawName = bytes.subarray(p + 46, p + 46 + nameLen);
    let name: string;
    try {
      name = new TextDecoder('utf-8', { fatal: true }).decode(rawName);
    } catch {
      // Without the UTF-8 flag (bit 11) names are CP437; numpy's names are ASCII or flagged UTF-8.
      name = String.fromCharCode(...rawName);
    }
    const label = `entry ${JSON.stringify(name.length > 80 ? `${name.slice(0, 80)}...` : name)}`;
    if (flags & 0x41) throw new TensorError(`${where}: ${label} is encrypted`);
    if (method !== 0 && method !== 8) throw new TensorError(`${where}: ${label} uses zip compression method ${method} (supported: 0 stored, 8 deflate)`);
    // Zip64 extra field: 8-byte values for exactly the 32-bit fields set to 0xffffffff, in this order.
    for (let e = p + 46 + nameLen; e + 4 <= p + 46 + nameLen + extraLen;) {
      const id = v.getUint16(e, true), len = v.getUint16(e + 2, true);
      if (e + 4 + len > p + 46 + nameLen + extraLen) throw new TensorError(`${where}: ${label} has a corrupt extra field`);
      if (id === 0x0001) {
        let q = e + 4;
        const take = (what: string) => {
          if (q + 8 > e + 4 + len) throw new TensorError(`${where}: ${label} has a zip64 field too short for its ${what}`);
          const x = u64(where, v, q, what);
          q += 8;
          return x;
        };
        if (size === 0xffffffff) size = take('size');
        if (compSize === 0xffffffff) compSize = take('compressed size');
        if (offset === 0xffffffff) offset = take('offset');
      }
      e += 4 + len;
    }
    if (names.has(name)) throw new TensorError(`${where}: the archive holds two entries named ${JSON.stringify(name)}`);
    names.add(name);
    if (method === 0 && compSize !== size) throw new TensorError(`${where}: ${label} is stored uncompressed but lists ${compSize} stored and ${size} uncompressed bytes`);
    total += size;
    if (total > maxBytes) {
      throw new TensorError(`${where}: the entries declare more than ${maxBytes} uncompressed bytes in all (the limit; raise it with { maxBytes } if the file is trusted)`);
    }
    items.push({ name, rawName, method, crc, compSize, size, offset });
    p = next;
  }

  // Pass 2: each entry's data through its local header; stored data is copied, deflated data inflated.
  return items.map((it) => {
    const label = `entry ${JSON.stringify(it.name.length > 80 ? `${it.name.slice(0, 80)}...` : it.name)}`;
    if (it.offset + 30 > cdOffset || v.getUint32(it.offset, true) !== LOCAL) {
      throw new TensorError(`${where}: ${label}: no local file header at offset ${it.offset} (corrupt file?)`);
    }
    const localNameLen = v.getUint16(it.offset + 26, true);
    const start = it.offset + 30 + localNameLen + v.getUint16(it.offset + 28, true);
    // As Python's zipfile: the local header must name the same file as the directory.
    const localName = bytes.subarray(it.offset + 30, Math.min(it.offset + 30 + localNameLen, cdOffset));
    if (localName.length !== it.rawName.length || localName.some((c, i) => c !== it.rawName[i])) {
      throw new TensorError(`${where}: ${label}: the local file header names a different file (corrupt archive?)`);
    }
    if (start + it.compSize > cdOffset) throw new TensorError(`${where}: ${label}: its ${it.compSize} bytes of data run past the end of the entries (truncated or corrupt?)`);
    const stored = bytes.subarray(start, start + it.compSize);
    let data: Uint8Array;
    if (it.method === 0) {
      data = stored.slice();
    } else {
      const zlib = nodeBuiltin('node:zlib', where, 'a compressed .npz (np.savez_compressed) needs Node; save it with np.savez instead');
      try {
        const out = zlib.inflateRawSync(stored, { maxOutputLength: Math.max(1, it.size) });
        data = new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
      } catch (err) {
        const e = err as NodeJS.ErrnoException;
        if (e.code === 'ERR_BUFFER_TOO_LARGE' || e instanceof RangeError) {
          throw new TensorError(`${where}: ${label} inflates to more than the ${it.size} bytes its header declares (corrupt file or zip bomb)`);
        }
        throw new TensorError(`${where}: ${label}: the deflate data is corrupt (${e.message})`);
      }
      if (data.length !== it.size) throw new TensorError(`${where}: ${label} inflates to ${data.length} bytes but its header declares ${it.size} (corrupt file?)`);
    }
    const crc = crc32(data);
    if (crc !== it.crc) {
      throw new TensorError(`${where}: ${label}: CRC-32 mismatch (computed ${crc.toString(16).padStart(8, '0')}, the archive says ${it.crc.toString(16).padStart(8, '0')}): the data is corrupt`);
    }
    return { name: it.name, data };
  });
}

/**
 * Writes a zip archive of stored (uncompressed) entries, as Python's zipfile does
 * with ZIP_STORED (without zip64: the archive must stay under 4 GiB).
 * @example writeZip('encodeNpz', [{ name: 'w.npy', data: bytes }])
 */
export function writeZip(where: string, entries: readonly ZipEntry[]): Uint8Array {
  const enc = new TextEncoder();
  const names = entries.map((e) => enc.encode(e.name));
  const localSize = entries.reduce((s, e, i) => s + 30 + names[i]!.length + e.data.length, 0);
  const cdSize = entries.reduce((s, _, i) => s + 46 + names[i]!.length, 0);
  const total = localSize + cdSize + 22;
  if (total >= 0xffffffff || entries.length >= 0xffff) throw new TensorError(`${where}: the archive would need zip64 (${entries.length} entries, ${total} bytes); save fewer or smaller tensors per file`);
  const out = new Uint8Array(total);
  const v = new DataView(out.buffer);
  const crcs = entries.map((e) => crc32(e.data));
  // DOS date 1980-01-01 00:00, as zipfile writes for date_time (1980, 1, 1, 0, 0, 0).
  const time = 0, date = (0 << 9) | (1 << 5) | 1;
  const offsets: number[] = [];
  let p = 0;
  entries.forEach((e, i) => {
    const utf8 = /[^\x00-\x7f]/.test(e.name) ? 0x800 : 0;
    offsets.push(p);
    v.setUint32(p, LOCAL, true); v.setUint16(p + 4, 20, true); v.setUint16(p + 6, utf8, true); v.setUint16(p + 8, 0, true);
    v.setUint16(p + 10, time, true); v.setUint16(p + 12, date, true); v.setUint32(p + 14, crcs[i]!, true);
    v.setUint32(p + 18, e.data.length, true); v.setUint32(p + 22, e.data.length, true);
    v.setUint16(p + 26, names[i]!.length, true); v.setUint16(p + 28, 0, true);
    out.set(names[i]!, p + 30);
    out.set(e.data, p + 30 + names[i]!.length);
    p += 30 + names[i]!.length + e.data.length;
  });
  const cdOffset = p;
  entries.forEach((e, i) => {
    const utf8 = /[^\x00-\x7f]/.test(e.name) ? 0x800 : 0;
    v.setUint32(p, CENTRAL, true); v.setUint16(p + 4, 20, true); v.setUint16(p + 6, 20, true); v.setUint16(p + 8, utf8, true);
    v.setUint16(p + 10, 0, true); v.setUint16(p + 12, time, true); v.setUint16(p + 14, date, true); v.setUint32(p + 16, crcs[i]!, true);
    v.setUint32(p + 20, e.data.length, true); v.setUint32(p + 24, e.data.length, true);
    v.setUint16(p + 28, names[i]!.length, true);
    v.setUint32(p + 38, 0o600 << 16, true); // external attributes: a regular file, rw-------
    v.setUint32(p + 42, offsets[i]!, true);
    out.set(names[i]!, p + 46);
    p += 46 + names[i]!.length;
  });
  v.setUint32(p, EOCD, true);
  v.setUint16(p + 8, entries.length, true); v.setUint16(p + 10, entries.length, true);
  v.setUint32(p + 12, cdSize, true); v.setUint32(p + 16, cdOffset, true);
  return out;
}
