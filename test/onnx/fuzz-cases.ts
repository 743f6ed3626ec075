/**
 * Seeded hostile variants of the small ONNX fixtures for the import fuzz test:
 * truncations, bit flips, random byte runs, and structural lies re-encoded
 * with onnx-proto (huge or negative dims, raw_data that does not match dims,
 * huge pads/strides/kernels, shape constants that ask for huge tensors,
 * cycles, dangling inputs). Case i is a pure function of i.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import onnxProto from 'onnx-proto';
import { prng } from '../helpers/prng.js';

const { onnx } = onnxProto;
const DIR = join(import.meta.dirname, '../fixtures/onnx');
const SEEDS = ['mlp', 'lenet', 'reshape-net'].map((n) => new Uint8Array(readFileSync(join(DIR, `${n}.onnx`))));

const HUGE = [2 ** 31, 2 ** 40, -1, -(2 ** 33), 1e6, 65537, 0];

/** A structural lie: decode, change one thing, re-encode. */
function structural(seed: Uint8Array, rand: () => number): Uint8Array {
  const m = onnx.ModelProto.decode(seed);
  // Decoded messages always carry their repeated fields (protobufjs fills them with []).
  type Tensor = { dims: number[]; rawData?: Uint8Array | null; dataType?: number | null };
  type Node = { input: string[]; output: string[]; opType?: string | null; attribute: { ints: number[]; i?: number | null; t?: Tensor | null }[] };
  const g = m.graph as unknown as { initializer: Tensor[]; node: Node[]; input: onnxProto.onnx.IValueInfoProto[] };
  const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const kind = Math.floor(rand() * 8);
  const init = pick(g.initializer);
  const node = pick(g.node);
  switch (kind) {
    case 0: init.dims[Math.floor(rand() * Math.max(1, init.dims.length))] = pick(HUGE); break;
    case 1: init.rawData = init.rawData?.length ? init.rawData.subarray(0, Math.floor(rand() * init.rawData.length)) : new Uint8Array(3); break;
    case 2: { // an int attribute list (pads, strides, kernel_shape, perm, axes...) gets a huge or negative value
      const a = node.attribute.find((x) => x.ints?.length) ?? node.attribute[0];
      if (a?.ints?.length) a.ints[Math.floor(rand() * a.ints.length)] = pick(HUGE);
      else if (a) a.i = pick(HUGE);
      break;
    }
    case 3: { // a Constant node (shape arithmetic) holding huge values
      const c = g.node.find((n) => n.opType === 'Constant' && n.attribute[0]?.t);
      const t = c?.attribute[0]?.t;
      if (t?.rawData?.length && t.dataType === 7) {
        const v = new DataView(t.rawData.buffer, t.rawData.byteOffset, t.rawData.byteLength);
        v.setBigInt64(8 * Math.floor(rand() * (t.rawData.length / 8)), BigInt(pick(HUGE)), true);
      } else init.dims.push(pick(HUGE));
      break;
    }
    case 4: node.input[0] = node.output[0] ?? 'self'; break; // a cycle (or self-loop)
    case 5: node.input.push(`missing_${Math.floor(rand() * 1000)}`); break;
    case 6: node.opType = pick(['Loop', 'If', 'Conv', 'Reshape', 'Gather', 'Slice', 'Pad', 'Concat']); break;
    default: { // an input's declared dims
      const dim = g.input[0]?.type?.tensorType?.shape?.dim;
      if (dim?.length) dim[Math.floor(rand() * dim.length)] = { dimValue: pick(HUGE) };
    }
  }
  return onnx.ModelProto.encode(m).finish();
}

export function fuzzCase(i: number): Uint8Array {
  const rand = prng(0x13 + i * 7919);
  const seed = SEEDS[i % SEEDS.length]!;
  const kind = i % 4;
  if (kind === 0) return seed.subarray(0, Math.floor(rand() * seed.length)); // truncated
  if (kind === 3) return structural(seed, rand);
  const out = seed.slice();
  if (kind === 1) { // bit flips
    const flips = 1 + Math.floor(rand() * 8);
    for (let k = 0; k < flips; k++) out[Math.floor(rand() * out.length)]! ^= 1 << Math.floor(rand() * 8);
  } else { // a run of random bytes (often varint lengths and tags)
    const at = Math.floor(rand() * out.length);
    const len = 1 + Math.floor(rand() * 6);
    for (let k = at; k < Math.min(out.length, at + len); k++) out[k] = Math.floor(rand() * 256);
  }
  return out;
}
