// Hostile .npy/.npz input: a few hundred truncated, bit-flipped and oversized
// variants of numpy-written files. Each must either load (a flip in data bytes can
// leave a valid file) or throw exactly one TensorError naming the function — never
// another error type, a hang or an out-of-memory. Seeded, so failures reproduce.
import '../../src/index.js';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as tg from '../../src/index.js';
import { prng as mulberry32 } from '../helpers/prng.js';

const fixture = (name: string) => new Uint8Array(readFileSync(new URL(`../fixtures/npy/${name}`, import.meta.url)));

/** Runs `load` on `bytes`; returns 'ok' or 'error', failing the test on anything but a TensorError. */
function outcome(what: string, load: (b: Uint8Array) => unknown, bytes: Uint8Array, prefix: string): 'ok' | 'error' {
  try {
    load(bytes);
    return 'ok';
  } catch (e) {
    if (!(e instanceof tg.TensorError)) assert.fail(`${what}: threw ${(e as Error)?.constructor?.name}: ${(e as Error)?.message}`);
    assert.ok(e.message.startsWith(prefix), `${what}: message does not name ${prefix}: ${e.message}`);
    assert.ok(e.message.length < 600, `${what}: message too long (${e.message.length} chars)`);
    return 'error';
  }
}

/** Variants of one file: every truncation point (sampled), random bit flips, and oversized copies. */
function variants(bytes: Uint8Array, rand: () => number, flips: number): [string, Uint8Array][] {
  const out: [string, Uint8Array][] = [];
  const cuts = new Set<number>([0, 1, 5, 6, 8, 9, 10, 11, 12, bytes.length - 1, bytes.length - 22, bytes.length - 23]);
  for (let k = 0; k < 24; k++) cuts.add(Math.floor(rand() * bytes.length));
  for (const n of cuts) if (n >= 0 && n < bytes.length) out.push([`truncated to ${n}`, bytes.slice(0, n)]);
  for (let k = 0; k < flips; k++) {
    const b = bytes.slice();
    // Bias toward headers, where flips change structure rather than values.
    const at = rand() < 0.6 ? Math.floor(rand() * Math.min(b.length, 160)) : Math.floor(rand() * b.length);
    b[at] ^= 1 << Math.floor(rand() * 8);
    out.push([`bit flip at ${at}`, b]);
  }
  for (let k = 0; k < 6; k++) {
    const b = bytes.slice();
    // Oversized fields: write 0xff.. over a random 4-byte window in the first 128 bytes.
    const at = Math.floor(rand() * Math.max(1, Math.min(b.length - 4, 124)));
    b.fill(0xff, at, at + 4);
    out.push([`0xffffffff at ${at}`, b]);
  }
  const grown = new Uint8Array(bytes.length + 4096);
  grown.set(bytes);
  out.push(['4 KiB of trailing zeros', grown]);
  return out;
}

describe('npy/npz fuzz: one clear TensorError or a valid result', () => {
  test('.npy: truncations, bit flips, oversized fields (v1, v2, v3, Fortran, big-endian, 0-d)', () => {
    const rand = mulberry32(1301);
    let n = 0, errors = 0;
    for (const name of ['f4le.npy', 'v2.npy', 'v3.npy', 'fortran-f8be.npy', 'i8le.npy', 'scalar.npy', 'b1.npy']) {
      for (const [what, b] of variants(fixture(name), rand, 30)) {
        n++;
        if (outcome(`${name}: ${what}`, tg.io.loadNpy, b, 'loadNpy: ') === 'error') errors++;
      }
    }
    assert.ok(n >= 300, `${n} variants`);
    assert.ok(errors > n / 3, `${errors} of ${n} variants rejected`);
  });

  test('.npz: truncations, bit flips, oversized fields (stored, deflated, unicode names)', () => {
    const rand = mulberry32(1302);
    let n = 0, errors = 0;
    for (const name of ['stored.npz', 'deflated.npz', 'unicode.npz']) {
      for (const [what, b] of variants(fixture(name), rand, 60)) {
        n++;
        if (outcome(`${name}: ${what}`, (x) => tg.io.loadNpz(x), b, 'loadNpz: ') === 'error') errors++;
      }
    }
    assert.ok(n >= 200, `${n} variants`);
    // The CRC catches data flips, so nearly every variant is rejected.
    assert.ok(errors > n * 0.8, `${errors} of ${n} variants rejected`);
  });

  test('a zip bomb: a deflated entry that declares 1 MiB but inflates to 16 MiB stops at the declared size', async () => {
    const { deflateRawSync } = await import('node:zlib');
    const packed = deflateRawSync(new Uint8Array(16 * 1024 * 1024), { level: 9 }); // 16 MiB of zeros in ~16 KB
    // A stored archive with one entry, then patched into a deflate entry with a small declared size.
    const zip = tg.io.encodeNpz({ a: tg.zeros([1]) });
    const v = new DataView(zip.buffer);
    const cd = v.getUint32(zip.length - 6, true);
    const localName = 30 + v.getUint16(26, true);
    const body = new Uint8Array(localName + packed.length + (zip.length - cd));
    body.set(zip.subarray(0, localName));
    body.set(packed, localName);
    body.set(zip.subarray(cd), localName + packed.length);
    const b = new DataView(body.buffer);
    const newCd = localName + packed.length;
    for (const [p, isCd] of [[0, false], [newCd, true]] as const) {
      const o = isCd ? 2 : 0; // central-directory fields sit 2 bytes further on
      b.setUint16(p + 8 + o, 8, true); // method: deflate
      b.setUint32(p + 18 + o, packed.length, true); // compressed size
      b.setUint32(p + 22 + o, 1 << 20, true); // declared size: 1 MiB
    }
    b.setUint32(body.length - 6, newCd, true);
    assert.throws(() => tg.io.loadNpz(body), /loadNpz: entry "a\.npy" inflates to more than the 1048576 bytes its header declares \(corrupt file or zip bomb\)/);
    // And the total limit refuses a huge declared size before inflating anything.
    b.setUint32(22, 0xfffffff0, true);
    b.setUint32(newCd + 24, 0xfffffff0, true);
    assert.throws(() => tg.io.loadNpz(body), /declare more than 2147483648 uncompressed bytes in all/);
  });
});
