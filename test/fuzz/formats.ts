/**
 * Seed files and seeded mutations for the file-format fuzz test.
 *
 * Each case is built from (format, index) alone, so the parent process only
 * sends index ranges to the workers and any failure reproduces from its index.
 * A case says what must happen: 'reject' (structurally invalid by construction:
 * truncated, bytes inserted or deleted where a length or checksum covers them,
 * a header field that lies about sizes, an invalid stored value) or 'either'
 * (valid-but-changed data, e.g. a flipped bit in pixel data or a weight).
 */
import { gzipSync } from 'node:zlib';
import jpeg from 'jpeg-js';
import * as tg from '../../src/index.js';
import { Module } from '../../src/nn/module.js';
import { Parameter } from '../../src/nn/parameter.js';
import { SGD } from '../../src/optim/sgd.js';
import { StepLR } from '../../src/optim/lr-scheduler.js';
import { deserialize, serialize, serializeCheckpoint } from '../../src/io/index.js';
import { encodeIdx } from '../../src/data/idx.js';
import { encodePng } from '../../src/data/image-io.js';
import { prng, randInt } from '../helpers/prng.js';
import { pngChunks, pngFromChunks } from '../helpers/png-bytes.js';

export const FORMATS = ['safetensors', 'checkpoint', 'idx', 'idx-gz', 'png', 'jpeg'] as const;
export type Format = (typeof FORMATS)[number];

export interface FuzzCase {
  name: string;
  /** For idx/idx-gz: which of the pair (images, labels) is mutated; the other stays valid. */
  target?: 'images' | 'labels';
  bytes: Uint8Array;
  expect: 'reject' | 'either';
}

// ---- seeds --------------------------------------------------------------------

/** y = x W + b: the model inside the checkpoint seed. */
export class Tiny extends Module {
  weight = new Parameter(tg.randn([3, 2]));
  bias = new Parameter(tg.randn([2]));
  forward(x: tg.Tensor): tg.Tensor {
    return x.matmul(this.weight).add(this.bias);
  }
}

/** Fresh targets for loading a checkpoint seed (same architecture, own state). */
export function checkpointTargets() {
  const model = new Tiny();
  const optimizer = new SGD(model.parameters(), { lr: 0.1, momentum: 0.9, weightDecay: 0.01 });
  const scheduler = new StepLR(optimizer, 2, 0.5);
  return { model, optimizer, scheduler, generators: { loader: new tg.Generator(9) } };
}

const seeds = new Map<string, Uint8Array>();
function seed(key: string, make: () => Uint8Array): Uint8Array {
  // A plain copy: Buffer.slice would be a view, and mutating it would change the seed.
  if (!seeds.has(key)) seeds.set(key, new Uint8Array(make()));
  return seeds.get(key)!;
}

export function safetensorsSeed(): Uint8Array {
  return seed('st', () => serialize({
    a: tg.tensor([[1, 2, 3], [4, 5, 6]]),
    b: tg.tensor([1, -2, 3, 7], { dtype: 'int32' }),
    c: tg.tensor([0.5, 1e-300], { dtype: 'float64' }),
    d: tg.tensor([true, false, true]),
  }, { format: 'pt' }));
}

export function checkpointSeed(): Uint8Array {
  return seed('ckpt', () => {
    tg.manualSeed(11);
    const t = checkpointTargets();
    for (let i = 0; i < 2; i++) {
      t.optimizer.zeroGrad();
      t.model.forward(tg.randn([4, 3])).square().mean().backward();
      t.optimizer.step();
      t.scheduler.step();
    }
    return serializeCheckpoint({ ...t, epoch: 1, step: 2, extra: { bestAcc: 0.5 } });
  });
}

/** A 5-image 4x4 set and its labels (0..9). */
export function idxSeeds(): { images: Uint8Array; labels: Uint8Array } {
  const images = seed('idx-img', () => encodeIdx([5, 4, 4], Uint8Array.from({ length: 80 }, (_, i) => (i * 37) % 256)));
  const labels = seed('idx-lab', () => encodeIdx([5], Uint8Array.of(3, 1, 4, 1, 5)));
  return { images, labels };
}

export function pngSeed(gray: boolean): Uint8Array {
  return seed(`png${gray}`, () => {
    const r = prng(5);
    const c = gray ? 1 : 3;
    return encodePng(tg.tensor(Float32Array.from({ length: c * 12 * 10 }, () => r()), { shape: [c, 12, 10] }));
  });
}

export function jpegSeed(): Uint8Array {
  return seed('jpeg', () => {
    const w = 24, h = 16;
    const data = Buffer.alloc(w * h * 4);
    for (let i = 0; i < w * h; i++) data.set([(i * 7) % 256, (i * 3) % 256, (i * 11) % 256, 255], i * 4);
    return new Uint8Array(jpeg.encode({ width: w, height: h, data }, 85).data);
  });
}

// ---- generic byte mutations -----------------------------------------------------

type Rnd = () => number;

function flipBits(b: Uint8Array, r: Rnd, lo = 0, hi = b.length): Uint8Array {
  const out = b.slice();
  for (let k = randInt(r, 1, 4); k > 0; k--) out[randInt(r, lo, hi - 1)]! ^= 1 << randInt(r, 0, 7);
  return out;
}
const truncate = (b: Uint8Array, r: Rnd) => b.slice(0, randInt(r, 0, b.length - 1));
function insert(b: Uint8Array, r: Rnd, hi = b.length): Uint8Array {
  const at = randInt(r, 0, hi), n = randInt(r, 1, 16);
  const extra = Uint8Array.from({ length: n }, () => randInt(r, 0, 255));
  const out = new Uint8Array(b.length + n);
  out.set(b.subarray(0, at));
  out.set(extra, at);
  out.set(b.subarray(at), at + n);
  return out;
}
function remove(b: Uint8Array, r: Rnd, hi = b.length): Uint8Array {
  const at = randInt(r, 0, hi - 1), n = Math.min(randInt(r, 1, 16), b.length - at);
  const out = new Uint8Array(b.length - n);
  out.set(b.subarray(0, at));
  out.set(b.subarray(at + n), at);
  return out;
}

/** Values a lying header field takes. */
const LIES = [0, 1, -1, 2 ** 31, 2 ** 32 - 1, 2 ** 53, 1e300, NaN, Infinity, -Infinity, 1.5];
const pick = <T>(r: Rnd, xs: readonly T[]): T => xs[randInt(r, 0, xs.length - 1)]!;

// ---- safetensors ------------------------------------------------------------------

function splitSafetensors(b: Uint8Array): { header: Record<string, any>; data: Uint8Array } {
  const n = Number(new DataView(b.buffer, b.byteOffset).getBigUint64(0, true));
  return { header: JSON.parse(new TextDecoder().decode(b.subarray(8, 8 + n))), data: b.subarray(8 + n) };
}
function joinSafetensors(headerText: string, data: Uint8Array, lengthLie?: bigint): Uint8Array {
  const h = new TextEncoder().encode(headerText);
  const out = new Uint8Array(8 + h.length + data.length);
  new DataView(out.buffer).setBigUint64(0, lengthLie ?? BigInt(h.length), true);
  out.set(h, 8);
  out.set(data, 8 + h.length);
  return out;
}

/** A header edit that breaks the format (sizes, offsets, dtype, structure). */
function safetensorsLie(b: Uint8Array, r: Rnd): FuzzCase {
  const { header, data } = splitSafetensors(b);
  const names = Object.keys(header).filter((k) => k !== '__metadata__');
  const name = pick(r, names);
  const e = header[name];
  const kind = randInt(r, 0, 9);
  const lie = pick(r, LIES);
  switch (kind) {
    case 0: e.shape[0] = e.shape[0] + randInt(r, 1, 3); break;
    case 1: e.shape = [lie === 0 ? 7 : lie]; break;
    case 2: e.data_offsets[1] += randInt(r, 1, 64); break;
    case 3: e.data_offsets = [e.data_offsets[0] + 1, e.data_offsets[1] + 1]; break;
    case 4: e.data_offsets = [lie === e.data_offsets[0] ? -1 : lie, e.data_offsets[1]]; break;
    case 5: e.dtype = pick(r, ['F8', 'constructor', '', 'toString', 'C64', 'f32']); break;
    case 6: e.shape = [[[[[1]]]]]; break;
    case 7: delete header[name]; break;
    case 8: header.__metadata__ = { format: 7 }; break;
    case 9: {
      const text = JSON.stringify(header);
      const n = text.length;
      return { name: 'st:length-lie', bytes: joinSafetensors(text, data, BigInt(pick(r, [n + 1, n - 1, 0, 2 ** 40, Number.MAX_SAFE_INTEGER]))), expect: 'reject' };
    }
  }
  // Offsets made to agree again (kind 0/1 only change the shape) are still a shape/size mismatch.
  // JSON.stringify writes NaN and Infinity as null; 1e999 is how JSON spells a number that parses to Infinity.
  return { name: `st:lie${kind}`, bytes: joinSafetensors(JSON.stringify(header).replace(/null/g, '1e999'), data), expect: 'reject' };
}

function safetensorsCase(i: number): FuzzCase {
  const r = prng(1000 + i);
  const b = safetensorsSeed();
  const headerEnd = 8 + Number(new DataView(b.buffer, b.byteOffset).getBigUint64(0, true));
  switch (i % 6) {
    case 0: return { name: 'st:bitflip', bytes: flipBits(b, r), expect: 'either' };
    case 1: return { name: 'st:truncate', bytes: truncate(b, r), expect: 'reject' };
    case 2: return { name: 'st:insert', bytes: insert(b, r), expect: 'reject' };
    case 3: return { name: 'st:delete', bytes: remove(b, r), expect: 'reject' };
    case 4: return { name: 'st:data-bitflip', bytes: flipBits(b, r, headerEnd), expect: 'either' };
    default: return safetensorsLie(b, r);
  }
}

// ---- checkpoint -----------------------------------------------------------------------

const F = (s: string) => ({ __tensorgrad_float__: s });
/** Invalid values for the stored training state, each of which must be refused. */
const STATE_LIES: ((s: any, t: Record<string, tg.Tensor>) => void)[] = [
  (s) => (s.epoch = F('NaN')), (s) => (s.epoch = -1), (s) => (s.epoch = 1.5), (s) => (s.epoch = F('Infinity')), (s) => (s.epoch = '3'),
  (s) => (s.step = -2), (s) => (s.step = F('NaN')), (s) => (s.step = null),
  (s) => (s.optimizer.paramGroups[0].lr = -0.1), (s) => (s.optimizer.paramGroups[0].lr = F('NaN')), (s) => (s.optimizer.paramGroups[0].lr = '0.1'),
  (s) => (s.optimizer.paramGroups[0].weightDecay = -1), (s) => (s.optimizer.paramGroups[0].momentum = -0.9),
  (s) => (s.optimizer.paramGroups[0].nesterov = 'yes'), (s) => (s.optimizer.paramGroups[0].params = [0]), (s) => (s.optimizer.paramGroups = []),
  (s) => (s.optimizer.paramGroups[0].bogus = 1), (s) => (s.optimizer = 'sgd'), (s) => (s.optimizer.state = { x: {} }),
  (s) => (s.scheduler.lastEpoch = F('NaN')), (s) => (s.scheduler.lastEpoch = -3), (s) => (s.scheduler.lastEpoch = 0.5), (s) => (s.scheduler = 7),
  (s) => (s.rng.default.s = [0, 0, 0, 0]), (s) => (s.rng.default.s = ['a', 'b', 'c', 'd']), (s) => (s.rng.default.s = [1, 2, 3]),
  (s) => (s.rng.default.s = [2 ** 32, 0, 0, 1]), (s) => (s.rng.default.spareNormal = F('NaN')), (s) => (s.rng.generators.loader.s = [0, 0, 0, 0]),
  (s) => (s.rng = null), (s) => (s.extra = [1, 2]), (s) => (s.extra = null),
  (_s, t) => (t['optimizer.state.0.momentumBuffer'] = tg.zeros([2, 3])), (_s, t) => (t['optimizer.state.1.momentumBuffer'] = tg.zeros([3])),
  (_s, t) => (t['optimizer.state.0.momentumBuffer'] = tg.full([3, 2], NaN)), (_s, t) => (t['optimizer.state.5.momentumBuffer'] = tg.zeros([2])),
  (_s, t) => (t['optimizer.state.1.momentumBuffer'] = tg.tensor([1, 0], { dtype: 'int32' })), (_s, t) => delete t['model.weight'],
  (_s, t) => (t['model.weight'] = tg.zeros([2, 3])), (_s, t) => (t['model.extra'] = tg.zeros([1])), (_s, t) => (t['other.thing'] = tg.zeros([1])),
];
/** Raw-text edits of the state JSON: prototype keys and broken JSON. */
const TEXT_LIES: ((j: string) => string)[] = [
  (j) => j.replace('"extra":{', '"extra":{"__proto__":{"polluted":true},'),
  (j) => j.replace('"paramGroups":[{', '"paramGroups":[{"__proto__":{"lr":-1},'),
  (j) => j.replace('"rng":{', '"rng":{"__proto__":{"x":1},'),
  (j) => j.slice(0, j.length - 1), (j) => `${'['.repeat(50000)}${j}`,
  (j) => j.replace('"extra":{', `"extra":{"deep":${'['.repeat(20000)}${']'.repeat(20000)},`),
];

function checkpointCase(i: number): FuzzCase {
  const r = prng(2000 + i);
  const b = checkpointSeed();
  const kind = i % 6;
  if (kind <= 3) {
    const mut = [flipBits, truncate, insert, remove][kind]!;
    return { name: `ckpt:${['bitflip', 'truncate', 'insert', 'delete'][kind]}`, bytes: mut(b, r), expect: kind === 0 ? 'either' : 'reject' };
  }
  const { tensors, metadata } = deserialize(b);
  const state = JSON.parse(metadata!['tensorgrad.state']!);
  let text: string;
  let name: string;
  if (kind === 4) {
    const k = randInt(r, 0, STATE_LIES.length - 1);
    STATE_LIES[k]!(state, tensors);
    text = JSON.stringify(state);
    name = `ckpt:state-lie${k}`;
  } else {
    const k = randInt(r, 0, TEXT_LIES.length - 1);
    text = TEXT_LIES[k]!(JSON.stringify(state));
    name = `ckpt:text-lie${k}`;
  }
  return { name, bytes: serialize(tensors, { ...metadata!, 'tensorgrad.state': text }), expect: 'reject' };
}

// ---- IDX (plain and gzipped) -----------------------------------------------------------

function idxLie(b: Uint8Array, r: Rnd, labels: boolean): Uint8Array {
  const out = b.slice();
  const v = new DataView(out.buffer);
  const ndim = out[3]!;
  switch (randInt(r, 0, 3)) {
    case 0: v.setUint32(4 + 4 * randInt(r, 0, ndim - 1), pick(r, [0, 6, 3, 2 ** 32 - 1, 2 ** 31, 1e6])); break; // a dim lies
    case 1: out[3] = pick(r, [0, ndim + 1, 255]); break; // the number of dims lies
    case 2: out[randInt(r, 0, 1)] = randInt(r, 1, 255); break; // the magic's zero bytes
    default:
      if (labels) out[out.length - 1 - randInt(r, 0, 4)] = randInt(r, 10, 255); // a label outside 0..9
      else out[2] = pick(r, [0x0d, 0x0e, 0x0b, 0x07, 0x00]); // an element type that images cannot have
  }
  // A dim set to its own value is no lie: make sure something changed.
  if (out.every((x, k) => x === b[k])) out[3] = 0;
  return out;
}

function idxCase(i: number, gz: boolean): FuzzCase {
  const r = prng((gz ? 4000 : 3000) + i);
  const target = i % 2 === 0 ? 'images' : 'labels';
  const raw = idxSeeds()[target];
  const b = gz ? new Uint8Array(gzipSync(raw)) : raw;
  const tag = `${gz ? 'idxgz' : 'idx'}:${target}`;
  switch ((i >> 1) % 5) {
    case 0: return { name: `${tag}:bitflip`, target, bytes: flipBits(b, r), expect: 'either' };
    case 1: return { name: `${tag}:truncate`, target, bytes: truncate(b, r), expect: 'reject' };
    // gzip ignores bytes after its trailer, so in-stream positions only for .gz.
    case 2: return { name: `${tag}:insert`, target, bytes: insert(b, r, gz ? b.length - 8 : b.length), expect: 'reject' };
    case 3: return { name: `${tag}:delete`, target, bytes: remove(b, r, gz ? b.length - 8 : b.length), expect: 'reject' };
    default: {
      const lied = idxLie(raw, r, target === 'labels');
      return { name: `${tag}:header-lie`, target, bytes: gz ? gzipSync(lied) : lied, expect: 'reject' };
    }
  }
}

/** Hostile gzip: small files that inflate far beyond what their header declares, or declare gigabytes. */
export function idxBombs(): FuzzCase[] {
  const zeros = new Uint8Array(64 * 2 ** 20); // 64 MB of zeros -> ~64 KB of gzip
  const claimSmall = new Uint8Array(zeros.length);
  claimSmall.set(encodeIdx([5], Uint8Array.of(1, 2, 3, 4, 5)).subarray(0, 8));
  const claimHuge = encodeIdx([1], Uint8Array.of(0)).slice(0, 8);
  new DataView(claimHuge.buffer).setUint32(4, 0xffffffff);
  return [
    { name: 'idxgz:bomb-trailing', target: 'labels', bytes: gzipSync(claimSmall, { level: 9 }), expect: 'reject' },
    { name: 'idxgz:claims-4GB', target: 'labels', bytes: gzipSync(Buffer.concat([claimHuge, zeros.subarray(0, 2 ** 20)])), expect: 'reject' },
  ];
}

// ---- PNG -------------------------------------------------------------------------------

function pngLie(b: Uint8Array, r: Rnd): FuzzCase {
  const chunks = pngChunks(b);
  const ihdr = chunks[0]!.data;
  const v = new DataView(ihdr.buffer, ihdr.byteOffset);
  const kind = randInt(r, 0, 5);
  switch (kind) {
    case 0: v.setUint32(randInt(r, 0, 1) * 4, pick(r, [20000, 4096, 13, 11, 0, 2 ** 31, 2 ** 32 - 1])); break; // width/height lie
    case 1: ihdr[8] = pick(r, [16, 3, 5, 0, 32]); break; // bit depth
    case 2: ihdr[9] = pick(r, [1, 5, 7, 3]); break; // colour type (3: palette without PLTE)
    case 3: return { name: 'png:no-idat', bytes: pngFromChunks(chunks.filter((c) => c.type !== 'IDAT')), expect: 'reject' };
    case 4: { // a short but well-formed zlib stream
      const idat = chunks.find((c) => c.type === 'IDAT')!;
      idat.data = gzipLikeZlib(idat.data, r);
      break;
    }
    default: { // corrupt the compressed stream, CRC recomputed so only zlib can tell
      const idat = chunks.find((c) => c.type === 'IDAT')!;
      idat.data = flipBits(idat.data, r, 2, idat.data.length - 4);
      return { name: 'png:idat-corrupt', bytes: pngFromChunks(chunks), expect: 'either' };
    }
  }
  return { name: `png:lie${kind}`, bytes: pngFromChunks(chunks), expect: 'reject' };
}

/** A valid zlib stream of fewer (or more) scanline bytes than the image needs. */
function gzipLikeZlib(data: Uint8Array, r: Rnd): Uint8Array {
  const { inflateSync, deflateSync } = process.getBuiltinModule('node:zlib') as typeof import('node:zlib');
  const raw = inflateSync(data);
  const cut = randInt(r, 0, 1) === 0 ? raw.subarray(0, randInt(r, 0, raw.length - 1)) : Buffer.concat([raw, Buffer.alloc(randInt(r, 1, 50))]);
  return deflateSync(cut);
}

function pngCase(i: number): FuzzCase {
  const r = prng(5000 + i);
  const b = pngSeed(i % 3 === 0);
  const beforeIend = b.length - 12; // bytes after IEND are ignored by design
  switch ((i >> 1) % 6) {
    case 0: return { name: 'png:bitflip', bytes: flipBits(b, r), expect: 'either' };
    case 1: return { name: 'png:truncate', bytes: truncate(b, r), expect: 'reject' };
    case 2: return { name: 'png:insert', bytes: insert(b, r, beforeIend), expect: 'reject' };
    case 3: return { name: 'png:delete', bytes: remove(b, r, beforeIend), expect: 'reject' };
    default: return pngLie(b, r);
  }
}

// ---- JPEG ------------------------------------------------------------------------------

function findMarker(b: Uint8Array, m: number): number {
  for (let i = 2; i + 1 < b.length; i++) if (b[i] === 0xff && b[i + 1] === m) return i;
  return -1;
}

function jpegLie(b: Uint8Array, r: Rnd): FuzzCase {
  const out = b.slice();
  const sof = findMarker(out, 0xc0);
  const v = new DataView(out.buffer);
  const kind = randInt(r, 0, 4);
  switch (kind) {
    case 0: v.setUint16(sof + 5 + 2 * randInt(r, 0, 1), pick(r, [65535, 20000, 4000, 0])); break; // height/width lie
    case 1: out[sof + 4] = pick(r, [12, 16, 0]); break; // sample precision
    case 2: out[sof + 9] = pick(r, [0, 2, 5, 255]); break; // component count
    case 3: { // the scan removed
      const sos = findMarker(out, 0xda);
      return { name: 'jpeg:no-scan', bytes: Buffer.concat([out.subarray(0, sos), Uint8Array.of(0xff, 0xd9)]), expect: 'reject' };
    }
    default: out[sof + 1] = pick(r, [0xc3, 0xc9, 0xcb, 0xcf]); // lossless / arithmetic coding
  }
  return { name: `jpeg:lie${kind}`, bytes: out, expect: 'reject' };
}

function jpegCase(i: number): FuzzCase {
  const r = prng(6000 + i);
  const b = jpegSeed();
  switch (i % 5) {
    // JPEG has no checksums: changed bytes may decode to a changed image.
    case 0: return { name: 'jpeg:bitflip', bytes: flipBits(b, r), expect: 'either' };
    case 1: return { name: 'jpeg:truncate', bytes: truncate(b, r), expect: 'reject' };
    case 2: return { name: 'jpeg:insert', bytes: insert(b, r), expect: 'either' };
    case 3: return { name: 'jpeg:delete', bytes: remove(b, r), expect: 'either' };
    default: return jpegLie(b, r);
  }
}

/** Case `i` of `format`. */
export function fuzzCase(format: Format, i: number): FuzzCase {
  switch (format) {
    case 'safetensors': return safetensorsCase(i);
    case 'checkpoint': return checkpointCase(i);
    case 'idx': return idxCase(i, false);
    case 'idx-gz': return idxCase(i, true);
    case 'png': return pngCase(i);
    case 'jpeg': return jpegCase(i);
  }
}

/** Hand-made hostile files per format, run after the seeded cases. */
export function hostileCases(format: Format): FuzzCase[] {
  switch (format) {
    case 'safetensors': {
      const many = `{${Array.from({ length: 1_000_000 }, (_, k) => `"t${k}":{"dtype":"F32","shape":[0],"data_offsets":[0,0]}`).join(',')}}`;
      const deep = `{"a":{"dtype":"F32","shape":${'['.repeat(100000)}${']'.repeat(100000)},"data_offsets":[0,0]}}`;
      return [
        { name: 'st:million-empty-tensors', bytes: joinSafetensors(many, new Uint8Array(0)), expect: 'reject' },
        { name: 'st:deeply-nested-shape', bytes: joinSafetensors(deep, new Uint8Array(0)), expect: 'reject' },
        { name: 'st:rank-1000', bytes: joinSafetensors(`{"a":{"dtype":"F32","shape":[${Array(1000).fill(1).join(',')}],"data_offsets":[0,4]}}`, new Uint8Array(4)), expect: 'reject' },
      ];
    }
    case 'idx-gz': return idxBombs();
    case 'png': {
      const ihdr = new Uint8Array(13);
      new DataView(ihdr.buffer).setUint32(0, 20000);
      new DataView(ihdr.buffer).setUint32(4, 20000);
      ihdr[8] = 8;
      ihdr[9] = 6;
      const chunks = pngChunks(pngSeed(false));
      const big = new Uint8Array(13);
      big.set(ihdr);
      new DataView(big.buffer).setUint32(0, 4096);
      new DataView(big.buffer).setUint32(4, 4096);
      return [
        { name: 'png:20000x20000-73-bytes', bytes: pngFromChunks([{ type: 'IHDR', data: ihdr }, { type: 'IDAT', data: Uint8Array.of(0x78, 0x9c, 3, 0, 0, 0, 0, 1) }, { type: 'IEND', data: new Uint8Array(0) }]), expect: 'reject' },
        { name: 'png:4096x4096-claim-small-idat', bytes: pngFromChunks([{ type: 'IHDR', data: big }, ...chunks.slice(1)]), expect: 'reject' },
      ];
    }
    default: return [];
  }
}
