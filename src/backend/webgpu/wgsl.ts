/**
 * Small WGSL building blocks shared by the kernels: element types, the
 * one-dimensional grid over n elements, and strided ("any layout") indexing
 * with shapes and strides passed as parameter words rather than baked into
 * the source, so one compiled pipeline serves every shape of a given rank.
 */
import type { Layout } from '../backend.js';
import type { DType } from '../../core/dtype.js';
import { TensorError } from '../../core/errors.js';

/** Threads per workgroup of the 1-D kernels. */
export const WG = 256;

/** The WGSL element type a dtype is stored as on the GPU. */
export function wgslType(dtype: DType): 'f32' | 'i32' | 'u32' {
  switch (dtype) {
    case 'float32': return 'f32';
    case 'int32': return 'i32';
    case 'bool': return 'u32';
    default: throw new TensorError(`webgpu backend: dtype ${dtype} cannot live on the GPU`);
  }
}

/**
 * Workgroup counts covering `n` threads of `wg` per group: [x, y] with
 * x <= 65535; kernels recover the flat id with {@link FLAT_ID}.
 */
export function grid1d(n: number, wg = WG): [number, number, number] {
  const groups = Math.ceil(n / wg);
  if (groups <= 65535) return [groups, 1, 1];
  const y = Math.ceil(groups / 65535);
  return [Math.ceil(groups / y), y, 1];
}

/** Entry-point signature + flat thread id for {@link grid1d} grids: declares `i: u32`. */
export function main1d(wg = WG): string {
  return `@compute @workgroup_size(${wg})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * ${wg}u;`;
}

/** The parameter binding every kernel declares first. */
export const PARAMS = '@group(0) @binding(0) var<storage, read> P: array<u32>;';

/** A builder for parameter words (u32, i32 and f32 all as 32-bit words). */
export class Params {
  readonly words: number[] = [];
  u32(v: number): this {
    this.words.push(v >>> 0);
    return this;
  }
  i32(v: number): this {
    this.words.push(v | 0);
    return this;
  }
  f32(v: number): this {
    F32[0] = v;
    this.words.push(U32[0]!);
    return this;
  }
  /** Appends several u32 words. */
  all(vs: readonly number[]): this {
    for (const v of vs) this.u32(v);
    return this;
  }
  get length(): number {
    return this.words.length;
  }
  toArray(): Uint32Array {
    return Uint32Array.from(this.words, (w) => w >>> 0);
  }
}
const F32 = new Float32Array(1);
const U32 = new Uint32Array(F32.buffer);

/**
 * Merges adjacent dims that every layout (and the contiguous output) walks as
 * one, so `[2, 3, 4]` contiguous becomes `[24]`. Size-1 dims are dropped.
 * Returns the collapsed shape and each layout's strides for it.
 */
export function collapseDims(shape: readonly number[], strides: readonly (readonly number[])[]): { shape: number[]; strides: number[][] } {
  const keep: number[] = [];
  for (let d = 0; d < shape.length; d++) if (shape[d] !== 1) keep.push(d);
  const outShape: number[] = [];
  const outStrides: number[][] = strides.map(() => []);
  for (const d of keep) {
    const last = outShape.length - 1;
    const size = shape[d]!;
    if (last >= 0 && strides.every((s, k) => outStrides[k]![last] === s[d]! * size)) {
      outShape[last] = outShape[last]! * size;
      strides.forEach((s, k) => (outStrides[k]![last] = s[d]!));
    } else {
      outShape.push(size);
      strides.forEach((s, k) => outStrides[k]!.push(s[d]!));
    }
  }
  return { shape: outShape, strides: outStrides };
}

/**
 * Strided addressing for kernels over a contiguous output of some shape:
 * `words()` appends [shape..., then per layout: offset, strides...] to the
 * parameters; `wgsl(base)` declares `fn at{k}(i: u32) -> u32` giving layout k's
 * storage index of output element i, reading the words from P[base...].
 * The rank (after collapsing) is part of the kernel key: `key`.
 */
export class StridedIndex {
  readonly shape: number[];
  readonly strides: number[][];
  readonly offsets: number[];

  constructor(outShape: readonly number[], layouts: readonly Layout[]) {
    const c = collapseDims(outShape, layouts.map((l) => l.strides));
    this.shape = c.shape;
    this.strides = c.strides;
    this.offsets = layouts.map((l) => l.offset);
  }
  get rank(): number {
    return this.shape.length;
  }
  /** Whether layout k is the plain contiguous walk from its offset. */
  contiguous(k: number): boolean {
    let expect = 1;
    for (let d = this.rank - 1; d >= 0; d--) {
      if (this.strides[k]![d] !== expect) return false;
      expect *= this.shape[d]!;
    }
    return true;
  }
  /** Appends the words to `p`; returns the base index the WGSL must read from. */
  words(p: Params): number {
    const base = p.length;
    p.all(this.shape);
    this.offsets.forEach((off, k) => {
      p.i32(off);
      for (const s of this.strides[k]!) p.i32(s);
    });
    return base;
  }
  /** A key fragment: rank and which layouts are contiguous (those get a cheaper function). */
  get key(): string {
    return `r${this.rank}` + this.offsets.map((_, k) => (this.contiguous(k) ? 'c' : 's')).join('');
  }
  /** WGSL functions at0, at1, ... for the layouts, reading words from P[base]. */
  wgsl(base: number): string {
    const r = this.rank;
    return this.offsets
      .map((_, k) => {
        const lb = base + r + k * (r + 1); // this layout's offset word
        if (this.contiguous(k)) return `fn at${k}(i: u32) -> u32 { return u32(bitcast<i32>(P[${lb}u]) + i32(i)); }`;
        const lines = [`fn at${k}(i: u32) -> u32 {`, `  var rem = i;`, `  var off = bitcast<i32>(P[${lb}u]);`];
        for (let d = r - 1; d >= 0; d--) {
          if (d > 0) lines.push(`  { let s = P[${base + d}u]; off += i32(rem % s) * bitcast<i32>(P[${lb + 1 + d}u]); rem = rem / s; }`);
          else lines.push(`  off += i32(rem) * bitcast<i32>(P[${lb + 1}u]);`);
        }
        lines.push('  return u32(off);', '}');
        return lines.join('\n');
      })
      .join('\n');
  }
}
