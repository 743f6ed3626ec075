/**
 * Loads and instantiates the kernel module.
 *
 * Two builds ship (see scripts/build-wasm.mjs): `kernels-relaxed.wasm` uses
 * relaxed SIMD (fused multiply-add in the GEMM micro-kernel) and
 * `kernels-simd.wasm` only baseline SIMD. The relaxed one is taken when the
 * engine validates it. Node 20 has relaxed SIMD behind a V8 flag, which is set
 * before compiling (it only enables parsing of the extra opcodes).
 *
 * The memory is created here and *imported* by the module. Where shared
 * memory is available (see threads.ts) the `-mt` build is loaded over a
 * shared memory, so that worker threads can instantiate the same module over
 * it; otherwise the plain build over an ordinary memory.
 */
import { sharedMemorySupported } from './threads.js';
import { nodeBuiltin } from '../../util/node.js';
import { TensorError } from '../../tensor/errors.js';

/** The exports of the kernel module (addresses are byte offsets into the memory). */
export interface Kernels {
  heapBase(): number;
  sgemmScratchBytes(): number;
  sgemm(M: number, N: number, K: number, a: number, rsA: number, csA: number, b: number, rsB: number, csB: number,
    c: number, ldc: number, accumulate: number, scratch: number): void;
  sgemmNaive(M: number, N: number, K: number, a: number, rsA: number, csA: number, b: number, rsB: number, csB: number,
    c: number, ldc: number, accumulate: number): void;
  im2col(x: number, C: number, D: number, H: number, W: number, kD: number, kH: number, kW: number,
    oD: number, oH: number, oW: number, sD: number, sH: number, sW: number, pD: number, pH: number, pW: number,
    dD: number, dH: number, dW: number, col: number): void;
  col2im(col: number, C: number, D: number, H: number, W: number, kD: number, kH: number, kW: number,
    oD: number, oH: number, oW: number, sD: number, sH: number, sW: number, pD: number, pH: number, pW: number,
    dD: number, dH: number, dW: number, x: number): void;
  binaryF32(op: number, rows: number, cols: number, a: number, aRow: number, aCol: number,
    b: number, bRow: number, bCol: number, out: number): void;
  binaryF64(op: number, rows: number, cols: number, a: number, aRow: number, aCol: number,
    b: number, bRow: number, bCol: number, out: number): void;
  compareI32(op: number, rows: number, cols: number, a: number, aRow: number, aCol: number,
    b: number, bRow: number, bCol: number, out: number): void;
  unaryF32(op: number, rows: number, cols: number, x: number, xRow: number, out: number): void;
  unaryF64(op: number, rows: number, cols: number, x: number, xRow: number, out: number): void;
  whereF32(n: number, c: number, cStep: number, a: number, aStep: number, b: number, bStep: number, out: number): void;
  reduceF32(op: number, outer: number, red: number, inner: number, x: number, out: number): void;
  reduceF64(op: number, outer: number, red: number, inner: number, x: number, out: number): void;
  maxPoolBackwardF32(planes: number, outPlane: number, inPlane: number, gy: number, indices: number, gx: number): void;
  sgdF32(n: number, p: number, g: number, buf: number, lr: number, momentum: number, dampening: number, wd: number, flags: number): void;
  adamF32(n: number, p: number, g: number, m: number, v: number, vmax: number, lr: number, beta1: number, beta2: number,
    eps: number, wd: number, stepSize: number, sqrtBias2: number, flags: number): void;
  crossEntropyRowsF32(x: number, t: number, rows: number, classes: number, ignoreIndex: number, eps: number, out: number): void;
  crossEntropyRowsBackwardF32(x: number, t: number, g: number, rows: number, classes: number, ignoreIndex: number, eps: number, out: number): void;
  batchNormTrainF32(x: number, w: number, b: number, n: number, c: number, s: number, eps: number,
    y: number, mean: number, variance: number, c0: number, c1: number): void;
  batchNormTrainBackwardF32(x: number, gy: number, mean: number, variance: number, w: number, n: number, c: number, s: number,
    eps: number, dx: number, dweight: number, dbias: number, c0: number, c1: number): void;
  fill32(ptr: number, bits: number, n: number): void;
  fill64(ptr: number, value: number, n: number): void;
  fill8(ptr: number, byte: number, n: number): void;
  windowedAvgF32(planes: number, D: number, H: number, W: number, OD: number, OH: number, OW: number,
    tables: number, fixed: number, src: number, dst: number, backward: number): void;
  convBiasRelu(y: number, bias: number, C: number, P: number, relu: number): void;
  convBiasReluBackward(g: number, y: number, n0: number, n1: number, C: number, S: number, gOut: number, sums: number): void;
  copy2d(bytes: number, rows: number, cols: number, src: number, sRow: number, sCol: number, dst: number, dRow: number, dCol: number): void;
  scatterAddF32(outer: number, idxLen: number, dimLen: number, inner: number, dst: number, index: number, src: number): void;
  maxPool2dF32(planes: number, H: number, W: number, oH: number, oW: number, kH: number, kW: number,
    sH: number, sW: number, pH: number, pW: number, x: number, out: number, indices: number): void;
}

export type Variant = 'relaxed' | 'simd';

export interface LoadOptions {
  /** Force a build; by default relaxed SIMD when the engine validates it, else baseline SIMD. */
  variant?: Variant;
  /** Initial memory in 64 KiB pages (default 256 = 16 MiB). */
  initialPages?: number;
  /** Use a shared memory (needed for threads); default: where the environment supports it. */
  shared?: boolean;
  /**
   * Most memory in 64 KiB pages (default 65536 = 4 GiB, the wasm32 limit).
   * An allocation that would need more throws a TensorError naming it.
   */
  maximumPages?: number;
}

export interface LoadedModule {
  kernels: Kernels;
  memory: WebAssembly.Memory;
  variant: Variant;
  /** The compiled module (workers instantiate it over the same memory). */
  module: WebAssembly.Module;
  shared: boolean;
  /** The memory's declared maximum in bytes (the heap's cap). */
  maxBytes: number;
}

const isNode = typeof process !== 'undefined' && !!process.versions?.node;

/** Lets V8 (Node 20) parse relaxed-SIMD opcodes; harmless where already on. */
async function enableRelaxedSimd(): Promise<void> {
  if (!isNode) return;
  try {
    const v8 = nodeBuiltin('node:v8', 'wasm backend');
    v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
  } catch {
    // Not Node, or flags locked down: validation below decides.
  }
}

async function fetchBytes(file: string): Promise<Uint8Array<ArrayBuffer>> {
  const url = new URL(`./build/${file}`, import.meta.url);
  try {
    if (isNode && url.protocol === 'file:') {
      const fs = nodeBuiltin('node:fs/promises', 'wasm backend');
      return new Uint8Array(await fs.readFile(url));
    }
    const res = await fetch(url);
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    return new Uint8Array(await res.arrayBuffer());
  } catch (e) {
    throw new Error(`wasm backend: cannot load ${url.href} (${(e as Error).message}); run \`npm run build\` to build the kernels`);
  }
}

/** Bytes of the requested (or best available) build, and which one it is. */
async function pickBuild(variant: Variant | undefined, shared: boolean): Promise<{ bytes: Uint8Array<ArrayBuffer>; variant: Variant }> {
  const suffix = shared ? '-mt.wasm' : '.wasm';
  if (variant !== 'simd') {
    await enableRelaxedSimd();
    const bytes = await fetchBytes(`kernels-relaxed${suffix}`);
    if (WebAssembly.validate(bytes)) return { bytes, variant: 'relaxed' };
    if (variant === 'relaxed') throw new Error('wasm backend: this engine does not support relaxed SIMD');
  }
  const bytes = await fetchBytes(`kernels-simd${suffix}`);
  if (!WebAssembly.validate(bytes)) throw new Error('wasm backend: this engine does not support WebAssembly SIMD');
  return { bytes, variant: 'simd' };
}

/**
 * A function that runs a full garbage collection, where the engine lets us
 * have one (Node: `gc` exposed at run time through V8 flags), else null.
 */
export async function findGc(): Promise<(() => void) | null> {
  const g = (globalThis as { gc?: () => void }).gc;
  if (typeof g === 'function') return g;
  if (!isNode) return null;
  try {
    const v8 = nodeBuiltin('node:v8', 'wasm backend');
    const vm = nodeBuiltin('node:vm', 'wasm backend');
    v8.setFlagsFromString('--expose-gc');
    const fn = vm.runInNewContext('gc') as unknown;
    return typeof fn === 'function' ? (fn as () => void) : null;
  } catch {
    return null;
  }
}

/**
 * V8's `FinalizationRegistry.prototype.cleanupSome` (behind
 * --harmony-weak-refs-with-cleanup-some, which applies only to contexts made
 * after the flag is set, hence a fresh vm context), or null where the engine
 * has none. Call it with a registry of this context as `this`: the registry
 * itself must belong to the main context, because V8 runs a vm-context
 * registry's pending callbacks during process teardown after Node has
 * detached that context, and the process then aborts with "illegal access".
 */
export async function findCleanupSome(): Promise<((this: FinalizationRegistry<never>) => void) | null> {
  if (!isNode) return null;
  try {
    const v8 = nodeBuiltin('node:v8', 'wasm backend');
    const vm = nodeBuiltin('node:vm', 'wasm backend');
    v8.setFlagsFromString('--harmony-weak-refs-with-cleanup-some');
    const method = vm.runInNewContext('FinalizationRegistry.prototype.cleanupSome') as unknown;
    if (typeof method !== 'function') return null;
    const fn = method as (this: FinalizationRegistry<never>) => void;
    fn.call(new FinalizationRegistry<never>(() => {})); // throws here, not later, if borrowing is refused
    return fn;
  } catch {
    return null;
  }
}

/** Compiles and instantiates the kernels over a fresh imported memory. */
export async function loadKernels(opts: LoadOptions = {}): Promise<LoadedModule> {
  const shared = (opts.shared ?? true) && sharedMemorySupported();
  const { bytes, variant } = await pickBuild(opts.variant, shared);
  // 65536 pages = 4 GiB, the wasm32 limit (the -mt builds declare the same maximum; shared memories need one).
  const maximum = opts.maximumPages ?? 65536;
  const initial = opts.initialPages ?? Math.min(256, maximum);
  if (!Number.isInteger(maximum) || maximum < 1 || maximum > 65536 || !Number.isInteger(initial) || initial < 1 || initial > maximum) {
    throw new TensorError(
      `createWasmBackend: expected 1 <= initialPages <= maximumPages <= 65536 (64 KiB pages), got initialPages ${initial}, maximumPages ${maximum}`,
    );
  }
  const memory = new WebAssembly.Memory({ initial, maximum, shared } as WebAssembly.MemoryDescriptor);
  const abort = (_msg: number, _file: number, line: number, col: number): never => {
    throw new Error(`wasm backend: kernel aborted at ${line}:${col}`);
  };
  const module = await WebAssembly.compile(bytes);
  const instance = await WebAssembly.instantiate(module, { env: { memory, abort } });
  return { kernels: instance.exports as unknown as Kernels, memory, variant, module, shared, maxBytes: maximum * 65536 };
}
