import { TensorError } from '../core/errors.js';

/** Serializable state of a Generator (for checkpoints that resume exactly). */
export interface GeneratorState {
  /** The four 32-bit words of the xoshiro128** state (unsigned integers, not all zero). */
  readonly s: readonly [number, number, number, number];
  /** The cached second value of the last Box-Muller pair, or null when `normal()` must draw a new pair. */
  readonly spareNormal: number | null;
}

/** SplitMix32: spreads one seed over the four words of xoshiro's state. */
function splitmix32(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (x + 0x9e3779b9) >>> 0;
    let z = x;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/**
 * A seedable pseudo-random generator (xoshiro128**), the source of every random
 * tensor, dropout mask and shuffle, so runs are reproducible from one seed.
 * @example const g = new tg.Generator(42); g.uniform();
 */
export class Generator {
  private s = new Uint32Array(4);
  private spareNormal: number | null = null;

  constructor(seed = 0) {
    this.manualSeed(seed);
  }

  /** Re-seeds (accepts any safe integer; the high bits are mixed in). */
  manualSeed(seed: number): this {
    if (!Number.isSafeInteger(seed)) throw new TensorError(`manualSeed: seed must be a safe integer (got ${seed})`);
    const mix = splitmix32((seed ^ Math.floor(seed / 2 ** 32) * 0x632be5ab) >>> 0);
    for (let i = 0; i < 4; i++) this.s[i] = mix();
    this.spareNormal = null;
    return this;
  }

  /** Next 32 random bits as an unsigned integer. */
  nextUint32(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1]!, 5), 7), 9) >>> 0;
    const t = s[1]! << 9;
    s[2]! ^= s[0]!;
    s[3]! ^= s[1]!;
    s[1]! ^= s[2]!;
    s[0]! ^= s[3]!;
    s[2]! ^= t;
    s[3] = rotl(s[3]!, 11);
    return result;
  }

  /** Uniform double in [0, 1) with 53 random bits. */
  uniform(): number {
    const hi = this.nextUint32() >>> 5, lo = this.nextUint32() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Standard normal (Box-Muller, caching the second value). */
  normal(): number {
    if (this.spareNormal !== null) {
      const v = this.spareNormal;
      this.spareNormal = null;
      return v;
    }
    let u = 0;
    while (u === 0) u = this.uniform();
    const v = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spareNormal = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** Uniform integer in [low, high). */
  randint(low: number, high: number): number {
    return low + Math.floor(this.uniform() * (high - low));
  }

  /**
   * A snapshot of the state (a plain, JSON-serializable copy): `setState` with it makes the
   * generator repeat the same draws. Like torch.Generator.get_state.
   * @example const g = new tg.Generator(1); const st = g.getState(); g.uniform(); g.setState(st);
   */
  getState(): GeneratorState {
    return { s: [this.s[0]!, this.s[1]!, this.s[2]!, this.s[3]!], spareNormal: this.spareNormal };
  }

  /**
   * Restores a state from `getState()`, validated first (see `checkGeneratorState`).
   * @example const g = new tg.Generator(0); const saved = g.getState(); g.normal(); g.setState(saved);
   */
  setState(state: GeneratorState): this {
    checkGeneratorState('Generator.setState', state);
    this.s.set(state.s);
    this.spareNormal = state.spareNormal ?? null;
    return this;
  }
}

/**
 * Throws a TensorError (prefixed with `where`) unless `state` is a valid
 * Generator state: `s` four integers in [0, 2^32), not all zero (xoshiro's one
 * fixed point: from it every draw is 0, and `normal()` would loop forever), and
 * `spareNormal` null or a finite number.
 * @example checkGeneratorState('loadCheckpoint: rng.default', saved)
 */
export function checkGeneratorState(where: string, state: unknown): asserts state is GeneratorState {
  const st = state as { s?: unknown; spareNormal?: unknown } | null;
  if (st === null || typeof st !== 'object' || !Array.isArray(st.s) || st.s.length !== 4) {
    throw new TensorError(`${where}: expected a generator state {s: [4 unsigned 32-bit integers], spareNormal}`);
  }
  if (!st.s.every((v) => Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 0xffffffff)) {
    throw new TensorError(`${where}: generator state s must be 4 unsigned 32-bit integers (got ${JSON.stringify(st.s).slice(0, 80)})`);
  }
  if (st.s.every((v) => v === 0)) throw new TensorError(`${where}: generator state s is all zeros, which xoshiro128** can never leave (every draw would be 0)`);
  const spare = st.spareNormal;
  if (spare !== undefined && spare !== null && !(typeof spare === 'number' && Number.isFinite(spare))) {
    throw new TensorError(`${where}: generator spareNormal must be null or a finite number (got ${JSON.stringify(spare)?.slice(0, 40) ?? String(spare)})`);
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** The global generator used when an op is not given one; PyTorch-like fixed default seed. */
export const defaultGenerator = new Generator(67280421310721 % 2 ** 32);

/**
 * Seeds the global generator so random tensors, dropout and shuffles repeat.
 * @example tg.manualSeed(0)
 */
export function manualSeed(seed: number): void {
  if (arguments.length > 1) throw new TensorError(`manualSeed: expected one seed, got ${arguments.length} arguments`);
  defaultGenerator.manualSeed(seed);
}
